"""What each channel allows: SMS encoding (GSM-7 or UCS-2) and segments, WhatsApp and RCS length
limits, an email's subject and preheader.

SMS: a message in the GSM 03.38 alphabet is encoded in 7 bits (160 characters in one segment, 153
per segment once it is split, the characters of the extension table — `^{}\\[~]|€` — counting
twice); one character outside it (an emoji, ₹, a curly quote) makes the whole message UCS-2: 70
characters in one segment, 67 per segment once split (an emoji outside the Basic Multilingual
Plane counts as two).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
SMS_COST_PER_SEGMENT = 0.25  # rupees, India promotional traffic (as channel advice assumes)
PROMOTIONAL_SMS_SEGMENTS = 1
WHATSAPP_BODY_LIMIT = 1024  # a WhatsApp template message body
RCS_BODY_LIMIT = 2000  # an RCS rich-card description / text message
EMAIL_SUBJECT_LIMIT = 78
PREHEADER_MIN, PREHEADER_MAX = 30, 110

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class SmsFacts:
    encoding: Encoding
    characters: int  # in encoding units: septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int
    cost_per_message: float
    non_gsm: tuple[str, ...]  # the characters that forced UCS-2

    def as_dict(self) -> dict[str, object]:
        return {
            "encoding": self.encoding,
            "characters": self.characters,
            "segments": self.segments,
            "per_segment": self.per_segment,
            "cost_per_message": self.cost_per_message,
            "non_gsm_characters": list(self.non_gsm),
        }


def sms_facts(text: str) -> SmsFacts:
    non_gsm = tuple(dict.fromkeys(ch for ch in text if ch not in GSM7_BASIC and ch not in GSM7_EXTENSION))
    if not non_gsm:
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi = 160, 153
        encoding: Encoding = "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
        encoding = "ucs2"
    segments = 1 if units <= single else -(-units // multi)
    per_segment = single if segments == 1 else multi
    return SmsFacts(encoding, units, segments, per_segment, round(segments * SMS_COST_PER_SEGMENT, 2), non_gsm)


@dataclass(frozen=True)
class ChannelProblem:
    rule: str  # "sms_segments", "whatsapp_length", "rcs_length", "email_subject", "email_preheader"
    message: str


def preheader(body: str) -> str:
    """An email's preheader: the first line of its body, which inboxes show after the subject."""
    return body.strip().split("\n", 1)[0].strip()


def channel_problems(
    channel: str, subject: str | None, body: str, max_sms_segments: int = PROMOTIONAL_SMS_SEGMENTS
) -> list[ChannelProblem]:
    """The rules a rendered message breaks on its channel (render it for a long-valued recipient
    first: the limits are about what is sent)."""
    problems: list[ChannelProblem] = []
    if channel == "sms":
        facts = sms_facts(body)
        if facts.segments > max_sms_segments:
            why = (
                f"; {', '.join(facts.non_gsm[:5])} forced UCS-2 (70 characters a segment)"
                if facts.encoding == "ucs2"
                else ""
            )
            problems.append(
                ChannelProblem(
                    "sms_segments",
                    f"SMS is {facts.segments} segments ({facts.characters} {facts.encoding.upper()} characters{why}); "
                    f"promotional SMS must fit {max_sms_segments} segment{'s' if max_sms_segments > 1 else ''}",
                )
            )
    elif channel == "whatsapp" and len(body) > WHATSAPP_BODY_LIMIT:
        problems.append(
            ChannelProblem(
                "whatsapp_length", f"WhatsApp body is {len(body)} characters; the limit is {WHATSAPP_BODY_LIMIT}"
            )
        )
    elif channel == "rcs" and len(body) > RCS_BODY_LIMIT:
        problems.append(
            ChannelProblem("rcs_length", f"RCS message is {len(body)} characters; the limit is {RCS_BODY_LIMIT}")
        )
    elif channel == "email":
        if not subject or not subject.strip():
            problems.append(ChannelProblem("email_subject", "an email needs a subject"))
        elif len(subject) > EMAIL_SUBJECT_LIMIT:
            problems.append(
                ChannelProblem(
                    "email_subject", f"email subject is {len(subject)} characters; keep it to {EMAIL_SUBJECT_LIMIT}"
                )
            )
        first = preheader(body)
        if not (PREHEADER_MIN <= len(first) <= PREHEADER_MAX) or (subject and first.lower() == subject.strip().lower()):
            problems.append(
                ChannelProblem(
                    "email_preheader",
                    f"an email's first line is its preheader (shown after the subject): "
                    f"{PREHEADER_MIN}-{PREHEADER_MAX} characters, not the subject again; it is {len(first)}",
                )
            )
    return problems

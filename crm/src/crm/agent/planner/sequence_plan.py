"""Reads the multi-step part of a goal: "WhatsApp now, an email 2 days later if they haven't
read it, an SMS with a discount on day 5 if they still haven't bought".

Each channel mention starts a step; its delay comes from "now", "N days/hours later", "after
N days" (relative) or "on day N" (absolute); its condition from "if they haven't read/opened",
"… clicked", "… bought". Deterministic, table-driven.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHANNEL_WORDS = {
    "whatsapp": r"whats\s?app|wa\b",
    "sms": r"sms|text message|texts?\b",
    "email": r"e-?mails?|mail\b",
    "rcs": r"rcs",
}
CHANNEL = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in CHANNEL_WORDS.items()), re.IGNORECASE)
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "ten": 10,
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "couple of": 2,
}
NUMBER = r"(\d+|one|two|three|four|five|six|seven|ten|an?|a couple of|couple of)"
UNIT = r"(minutes?|mins?|hours?|hrs?|days?|weeks?)"
RELATIVE = re.compile(
    rf"\b(?P<n1>{NUMBER[1:-1]})\s*(?P<u1>{UNIT[1:-1]})\s*(?:later|after|afterwards|on)\b"
    rf"|\b(?:after|in|within)\s+(?P<n2>{NUMBER[1:-1]})\s*(?P<u2>{UNIT[1:-1]})\b",
    re.I,
)
ABSOLUTE = re.compile(r"\bon day\s*(\d+)\b|\bday\s*(\d+)\b", re.I)
NOW = re.compile(r"\b(now|immediately|right away|first|today|straight away)\b", re.I)
NEXT_DAY = re.compile(r"\b(next day|tomorrow|the day after)\b", re.I)
NOT = r"(?:haven'?t|have not|hasn'?t|has not|not|didn'?t|did not|never|no|without(?: an?)?)\s+(?:yet\s+|still\s+)?"
UNLESS = r"\bunless\s+(?:they|he|she|customers?|people|contacts?|it|the message)\s+(?:have\s+|has\s+|already\s+)*"
CONDITIONS = (
    (
        "if_not_converted",
        re.compile(
            rf"\b{NOT}(bought|purchased?|purchases|ordered|orders?|converted|conversions?|buy|sales?)\b"
            rf"|{UNLESS}(buy|bought|order|ordered|purchase|purchased|convert|converted)\b",
            re.I,
        ),
    ),
    (
        "if_not_clicked",
        re.compile(rf"\b{NOT}(clicked|clicks?|tapped|taps?)\b|{UNLESS}(click|clicked|tap|tapped)\b", re.I),
    ),
    (
        "if_not_opened_or_read",
        re.compile(
            rf"\b{NOT}(read|opened|opens?|seen|see|repl(?:y|ied)|responded|response)\b|\b(unread|unopened)\b"
            rf"|{UNLESS}(read|opened?|saw|seen|see|replied|reply|respond(?:ed)?)\b",
            re.I,
        ),
    ),
)
FOLLOW_UP = re.compile(r"\bfollow[- ]?ups?\b|\bfollow(?:ing)? (?:it |them )?up\b", re.I)
OFFER = re.compile(r"\b(\d+\s?%\s?off|flat\s?₹?\s?\d+\s?off|discount|coupon|free shipping|offer)\b", re.I)
UNIT_NAMES = {"m": "minutes", "h": "hours", "d": "days", "w": "days"}


@dataclass(frozen=True)
class PlannedStep:
    channel: str
    delay_value: int
    delay_unit: str
    condition: str
    offer: str | None


def _number(text: str) -> int:
    text = text.lower().strip()
    return int(text) if text.isdigit() else NUMBER_WORDS.get(text, 1)


def _relative_delay(fragment: str) -> tuple[int, str] | None:
    match = RELATIVE.search(fragment)
    if not match:
        return None
    value = _number(match.group("n1") or match.group("n2"))
    unit = (match.group("u1") or match.group("u2")).lower()
    if unit.startswith("w"):
        return value * 7, "days"
    return value, UNIT_NAMES[unit[0]]


def _lead(before: str) -> str:
    """The words before a channel that belong to its step: the end of the previous clause ("…, then
    an"), or a whole condition put first ("; if no click in 3 days, send an")."""
    clause = re.split(r"[;.]|\bthen\b", before)[-1]
    if re.match(r"\s*(?:and\s+)?(?:if|unless)\b", clause, re.I):
        return clause
    return clause.split(",")[-1]


def _condition(text: str) -> str:
    for name, pattern in CONDITIONS:
        if pattern.search(text):
            return name
    return "always"


def is_multi_step(goal: str) -> bool:
    return len({m.lastgroup for m in CHANNEL.finditer(goal)}) >= 2 or bool(
        re.search(r"\b(\d+|two|three|four)[- ]step|sequence|series|journey|drip|follow[- ]?ups?\b", goal, re.I)
    )


def plan_steps(goal: str) -> list[PlannedStep]:
    mentions = list(CHANNEL.finditer(goal))
    steps: list[PlannedStep] = []
    elapsed_days = 0
    for n, mention in enumerate(mentions):
        end = mentions[n + 1].start() if n + 1 < len(mentions) else len(goal)
        # Words just before a channel ("then", "2 days later an email") belong to it too.
        start = mentions[n - 1].end() if n else 0
        lead = _lead(goal[start : mention.start()])
        fragment = goal[mention.start() : end]
        window = f"{lead} {fragment}"
        channel = mention.lastgroup or "whatsapp"
        absolute = ABSOLUTE.search(window)
        relative = _relative_delay(window)
        if n == 0 and (NOW.search(window) or not (absolute or relative)):
            value, unit = 0, "days"
        elif absolute:
            day = int(absolute.group(1) or absolute.group(2))
            value, unit = max(0, day - elapsed_days), "days"
        elif relative:
            value, unit = relative
        elif NEXT_DAY.search(window):
            value, unit = 1, "days"
        else:
            value, unit = (0, "days") if n == 0 else (1, "days")
        if n == 0 and value and FOLLOW_UP.search(goal[: mention.start()] + fragment):
            # "follow up on WhatsApp after 2 days": the follow-up needs a first message to follow
            steps.append(PlannedStep(channel, 0, "days", "always", None))
        elapsed_days += value if unit == "days" else 0
        condition = _condition(f"{lead} {fragment}") if steps else "always"
        offer = OFFER.search(fragment)
        steps.append(PlannedStep(channel, value, unit, condition, offer.group(0) if offer else None))
    return steps


STEP_CLAUSE = re.compile(
    r"\b(?:if|unless)\s+(?:still\s+)?(?:they|he|she|customers?|people|contacts?|no|not|nothing|unread|unopened|"
    r"there is no|there's no)\b[^,.;:]*",
    re.I,
)
DELAY_PHRASE = re.compile(rf"{RELATIVE.pattern}|{ABSOLUTE.pattern}|\b\d+[- ]step\b", re.I)


def audience_part(goal: str) -> str:
    """The words that describe who, without the steps' timing and conditions ("if they haven't
    bought" is a step's condition, not the audience)."""
    head, colon, tail = goal.partition(":")
    if colon and CHANNEL.search(tail):
        return DELAY_PHRASE.sub(" ", head)
    return DELAY_PHRASE.sub(" ", STEP_CLAUSE.sub(" ", goal))

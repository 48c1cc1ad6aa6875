"""One review of a message before it is staged or saved: its claims against the audience, its
language for recipients missing each field in turn, and its channel's limits.

The copilot's tools refuse to stage a draft with any problem (the rule is named in the tool error
the model gets back); a person editing a draft sees the same problems as warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm.copywriting.channels import PROMOTIONAL_SMS_SEGMENTS, ChannelProblem, SmsFacts, channel_problems, sms_facts
from crm.copywriting.claims import ClaimProblem, check_claims
from crm.copywriting.language import LanguageProblem, rendering_problems, template_problems
from crm.segments.compiler import Clock
from crm.segments.dsl import SegmentFilter
from crm.templating import CAMPAIGN_VARIABLES, render

SAMPLE_LINK = "https://reach.example.in/r/Ab3dE5gH7j"
FULL_CONTEXT: dict[str, Any] = {
    "name": "Priya Sharma",
    "first_name": "Priya",
    "city": "Bengaluru",
    "state": "Karnataka",
    "last_item": "Matte As Hell Crayon Lipstick",
    "total_spent": 12499,
    "order_count": 7,
    "age": 27,
    "email": "priya.sharma@example.com",
    "phone": "+919812345678",
}
CUSTOMER_FIELDS = tuple(FULL_CONTEXT)


def contexts_missing_each_field(values: dict[str, Any]) -> list[dict[str, Any]]:
    """A full recipient, then the same recipient missing each field in turn, then one with nothing."""
    full = {**FULL_CONTEXT, **values}
    out = [full]
    for name in CUSTOMER_FIELDS:
        out.append({k: v for k, v in full.items() if k != name})
    out.append(dict(values))
    return out


@dataclass
class CopyReview:
    claims: list[ClaimProblem] = field(default_factory=list)
    language: list[LanguageProblem] = field(default_factory=list)
    channel: list[ChannelProblem] = field(default_factory=list)
    unset: list[str] = field(default_factory=list)  # campaign variables used but not set
    sms: SmsFacts | None = None

    @property
    def ok(self) -> bool:
        return not (self.claims or self.language or self.channel or self.unset)

    def warnings(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = [{"rule": "claim", **c.as_dict()} for c in self.claims]
        out += [{"rule": p.rule, "message": p.message} for p in self.language]
        out += [{"rule": p.rule, "message": p.message} for p in self.channel]
        out += [
            {"rule": "unset_variable", "message": f"the message uses {{{{ {v} }}}} but the campaign has no {v}"}
            for v in self.unset
        ]
        return out

    def tool_error(self) -> str:
        """For a model: every failing rule by name, and what to change."""
        return "the draft breaks these copy rules — rewrite it and try again: " + "; ".join(
            f"[{w['rule']}] {w['message']}" for w in self.warnings()
        )


def review_text(
    channel: str,
    subject: str | None,
    body: str,
    values: dict[str, Any],
    max_sms_segments: int = PROMOTIONAL_SMS_SEGMENTS,
    recipients: Iterable[dict[str, Any]] = (),
) -> CopyReview:
    """Language and channel rules, without the database."""
    review = CopyReview()
    sources = [s for s in (subject, body) if s]
    seen: set[tuple[str, str]] = set()
    for source in sources:
        for problem in template_problems(source):
            if (problem.rule, problem.message) not in seen:
                seen.add((problem.rule, problem.message))
                review.language.append(problem)
    for variable in CAMPAIGN_VARIABLES:
        if any(_uses(s, variable) for s in sources) and not values.get(variable):
            review.unset.append(variable)
    worst: SmsFacts | None = None
    worst_text = ""
    for context in [*contexts_missing_each_field(values), *({**r, **values} for r in recipients)]:
        rendered_subject = render(subject, context) if subject else None
        rendered = render(body, context)
        for text in (rendered_subject, rendered):
            if text is None:
                continue
            for problem in rendering_problems(text):
                if (problem.rule, problem.message) not in seen:
                    seen.add((problem.rule, problem.message))
                    review.language.append(problem)
        if channel == "sms":
            facts = sms_facts(rendered)
            if worst is None or (facts.segments, facts.characters) > (worst.segments, worst.characters):
                worst = facts
                worst_text = rendered
        else:
            for limit in channel_problems(channel, rendered_subject, rendered):
                if (limit.rule, limit.message) not in seen:
                    seen.add((limit.rule, limit.message))
                    review.channel.append(limit)
    if channel == "sms" and worst is not None:
        review.sms = worst
        review.channel += channel_problems("sms", None, worst_text, max_sms_segments)
    return review


def _uses(source: str, variable: str) -> bool:
    return re.search(r"\{\{\s*" + variable + r"\b", source) is not None


async def review_copy(
    session: AsyncSession,
    *,
    channel: str,
    subject: str | None,
    body: str,
    audience: SegmentFilter | None,
    offer: str | None = None,
    coupon_code: str | None = None,
    link: str | None = SAMPLE_LINK,
    max_sms_segments: int = PROMOTIONAL_SMS_SEGMENTS,
    recipients: Iterable[dict[str, Any]] = (),
    clock: Clock | None = None,
) -> CopyReview:
    """Claims against the reachable audience, language for every missing field, channel limits."""
    values = {"offer": offer, "coupon_code": coupon_code, "link": link}
    review = review_text(channel, subject, body, values, max_sms_segments, recipients)
    if audience is not None:
        review.claims = await check_claims(session, audience, channel, [s for s in (subject, body) if s], clock)
    return review

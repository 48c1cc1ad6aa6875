"""The copy review of a saved campaign, for `GET /api/campaigns/{id}/preview`: SMS encoding,
segments and cost, and warnings a person editing the draft sees (a claim false for some
recipients, a broken fallback, a channel limit)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from crm.copywriting.channels import SMS_COST_PER_SEGMENT, sms_facts
from crm.copywriting.review import SAMPLE_LINK, review_copy
from crm.segments.dsl import SegmentFilter


class CampaignCopy(Protocol):
    @property
    def channel(self) -> str: ...
    @property
    def message_subject(self) -> str | None: ...
    @property
    def message_body(self) -> str: ...
    @property
    def offer(self) -> str | None: ...
    @property
    def coupon_code(self) -> str | None: ...
    @property
    def destination_url(self) -> str | None: ...


class Rendered(Protocol):
    @property
    def body(self) -> str: ...


def preview_link(campaign: CampaignCopy) -> str:
    """What {{ link }} looks like in a preview: a tracked link of the length sends get."""
    return SAMPLE_LINK


async def copy_review(
    session: AsyncSession,
    campaign: CampaignCopy,
    audience: SegmentFilter,
    reachable: int,
    rendered: Sequence[Rendered],
) -> dict[str, Any]:
    review = await review_copy(
        session,
        channel=campaign.channel,
        subject=campaign.message_subject,
        body=campaign.message_body,
        audience=audience,
        offer=campaign.offer,
        coupon_code=campaign.coupon_code,
    )
    out: dict[str, Any] = {"warnings": review.warnings()}
    if campaign.channel == "sms":
        facts = [sms_facts(r.body) for r in rendered] + ([review.sms] if review.sms else [])
        worst = max(facts, key=lambda f: (f.segments, f.characters))
        out["sms"] = {**worst.as_dict(), "estimated_cost": round(reachable * worst.segments * SMS_COST_PER_SEGMENT, 2)}
    return out

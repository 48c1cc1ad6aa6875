"""`draft_copy(understanding, channel)`: the planner's entry to the copywriter
(crm.copywriting.drafts) — the goal's understanding plus its brief (offer, code, expiry, occasion,
product, tone) → a message in the brand's voice, shaped for the channel, claiming only what the
audience guarantees. Deterministic: the same goal always gets the same draft."""

from __future__ import annotations

from crm.agent.brief import Brief
from crm.agent.planner.types import DraftCopy, Understanding
from crm.copywriting.drafts import SAMPLE_CONTEXTS, Draft, write_draft
from crm.copywriting.voice import SUGAR, BrandVoice

__all__ = ["SAMPLE_CONTEXTS", "Draft", "draft_copy", "draft_for"]


def draft_for(
    understanding: Understanding,
    channel: str,
    brief: Brief | None = None,
    voice: BrandVoice = SUGAR,
    *,
    inline: bool = False,
) -> Draft:
    """The draft with the campaign's variable values (offer, coupon code), its name and, for SMS,
    its encoding and segments; `inline` writes the offer, code and link into the text instead."""
    return write_draft(
        intent=understanding.intent,
        tree=understanding.filter,
        channel=channel,
        focus=understanding.product_focus,
        brief=brief or Brief(),
        planner_offer=understanding.offer,
        planner_name=understanding.campaign_name,
        voice=voice,
        inline=inline,
    )


def draft_copy(  # the text for a sequence step: offer, code and link written in
    understanding: Understanding, channel: str, brand: str = "SUGAR", brief: Brief | None = None
) -> DraftCopy:
    voice = SUGAR if brand == SUGAR.brand_name else BrandVoice(brand_name=brand, sign_off=f"Team {brand}")
    draft = draft_for(understanding, channel, brief, voice, inline=True)
    return DraftCopy(subject=draft.subject, body=draft.body)

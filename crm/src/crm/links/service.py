"""A click on a tracked link: recorded once per token (insert … on conflict do nothing, as receipt
events are), reaching the message's funnel as a `clicked` receipt event — the same stage a
provider's click receipt sets, deduplicated on the same event table — and answered with the
destination: the campaign's URL (the brand's default when unset) with UTM parameters."""

from __future__ import annotations

import re
from datetime import datetime
from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.brand.service import brand_voice
from crm.db import utcnow
from crm.links.tokens import LinkSigner, LinkTarget
from crm.messages import receipts
from crm.models import Campaign, Communication, LinkClick
from crm.sql import insert_ignoring_conflicts


def with_utm(url: str, medium: str, campaign: str, content: str | None = None) -> str:
    """The URL with utm_source=reach, utm_medium, utm_campaign (and utm_content) set; other
    parameters kept."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.startswith("utm_")]
    query += [("utm_source", "reach"), ("utm_medium", medium), ("utm_campaign", campaign)]
    if content:
        query.append(("utm_content", content))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(query), parts.fragment))


def campaign_slug(campaign: Campaign) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", campaign.name.lower()).strip("-")[:40]
    return f"{slug}-{campaign.id}" if slug else f"campaign-{campaign.id}"


async def follow(session: AsyncSession, signer: LinkSigner, token: str, now: datetime | None = None) -> str | None:
    """The destination for a genuine token (recording the click once), else None."""
    target = signer.read(token)
    if target is None:
        return None
    now = now or utcnow()
    voice = await brand_voice(session)
    message: Communication | None = None
    campaign: Campaign | None = None
    if target.kind == "m":
        message = await session.get(Communication, target.message_id)
        if message is None:
            return None
        campaign = await session.get(Campaign, message.campaign_id) if message.campaign_id else None
    else:
        campaign = await session.get(Campaign, target.campaign_id)
        if campaign is None:
            return None
    await record_click(session, token, target, message, campaign, now)
    destination = (campaign.destination_url if campaign else None) or voice.destination_url
    channel = message.channel if message else (campaign.channel if campaign else "link")
    name = campaign_slug(campaign) if campaign else f"sequence-{message.sequence_id if message else ''}"
    return with_utm(destination, channel, name, "test" if target.kind == "t" else None)


async def record_click(
    session: AsyncSession,
    token: str,
    target: LinkTarget,
    message: Communication | None,
    campaign: Campaign | None,
    now: datetime,
) -> bool:
    """True for the token's first click. Later clicks only count in `clicks`."""
    clicks = cast(Table, LinkClick.__table__)
    inserted = await session.execute(
        insert_ignoring_conflicts(session, clicks, ["token"])
        .values(
            token=token,
            kind=target.kind,
            campaign_id=campaign.id if campaign else None,
            communication_id=message.communication_id if message else None,
            customer_id=message.customer_id if message else target.customer_id,
            test=target.kind == "t",
            clicked_at=now,
            clicks=1,
        )
        .returning(clicks.c.token)
    )
    if inserted.first() is None:
        await session.execute(update(LinkClick).where(LinkClick.token == token).values(clicks=LinkClick.clicks + 1))
        return False
    if message is not None:
        events = receipts.Events(
            event_id=[f"link-{token}"],
            communication_id=[message.communication_id],
            type=["clicked"],
            occurred_at=[now],
            value_minor=[None],
            reason=[None],
        )
        await receipts.apply_receipts(session, None, events, now)
    return True


async def link_stats(session: AsyncSession, campaign_id: int) -> dict[str, int]:
    rows = (
        await session.execute(select(LinkClick.test, LinkClick.clicks).where(LinkClick.campaign_id == campaign_id))
    ).all()
    return {
        "clicked": sum(1 for test, _ in rows if not test),
        "clicks": sum(n for test, n in rows if not test),
        "test_clicked": sum(1 for test, _ in rows if test),
        "test_clicks": sum(n for test, n in rows if test),
    }

"""SQL the dispatcher needs besides the queue itself (crm.messages.claims): each claimed
message's source (its campaign's message, or its sequence step) and completing finished campaigns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.claimed import CampaignMessage, ClaimedSend
from crm.messages.queue import has_pending
from crm.models import Campaign, Enrollment, SequenceVersion
from crm.models import Sequence as Sequence_


async def attach_messages(session: AsyncSession, sends: Sequence[ClaimedSend]) -> None:
    """Each send's message source: its campaign's message (read once per campaign), or for a
    sequence send its enrollment, sequence and the version its contact is on."""
    campaign_ids = sorted({s.communication.campaign_id for s in sends if s.communication.campaign_id is not None})
    campaigns: dict[int, CampaignMessage] = {}
    variants: dict[tuple[int, int], CampaignMessage] = {}
    if campaign_ids:
        result = await session.execute(
            select(
                Campaign.id,
                Campaign.message_subject,
                Campaign.message_body,
                Campaign.variants,
                Campaign.offer,
                Campaign.coupon_code,
            ).where(Campaign.id.in_(campaign_ids))
        )
        for i, subject, body, arms, offer, coupon_code in result:
            campaigns[int(i)] = CampaignMessage(subject, body, offer, coupon_code)
            for index, arm in enumerate(arms or ()):  # an experiment's send carries its variant's message
                variants[int(i), index] = CampaignMessage(arm.get("subject"), arm["body"], offer, coupon_code)
    journeys = await _journeys(
        session, sorted({s.communication.enrollment_id for s in sends if s.communication.enrollment_id is not None})
    )
    sequence_ids = sorted({s.communication.sequence_id for s in sends if s.communication.sequence_id is not None})
    sequences = (
        {s.id: s for s in (await session.scalars(select(Sequence_).where(Sequence_.id.in_(sequence_ids)))).all()}
        if sequence_ids
        else {}
    )
    for send in sends:
        row = send.communication
        send.campaign = (
            variants.get((row.campaign_id or 0, row.variant)) if row.variant is not None else None
        ) or campaigns.get(row.campaign_id or 0)
        send.enrollment, send.version = journeys.get(row.enrollment_id or 0, (None, None))
        send.sequence = sequences.get(row.sequence_id or 0)


async def _journeys(
    session: AsyncSession, enrollment_ids: Sequence[int]
) -> dict[int, tuple[Enrollment, SequenceVersion | None]]:
    """Each enrollment with the sequence version its contact is on."""
    if not enrollment_ids:
        return {}
    result = await session.execute(
        select(Enrollment, SequenceVersion)
        .outerjoin(
            SequenceVersion,
            and_(SequenceVersion.sequence_id == Enrollment.sequence_id, SequenceVersion.version == Enrollment.version),
        )
        .where(Enrollment.id.in_(list(enrollment_ids)))
    )
    return {enrollment.id: (enrollment, version) for enrollment, version in result}


async def complete_finished_campaigns(session: AsyncSession, campaign_ids: Sequence[int] | None, now: datetime) -> None:
    """Running campaigns (these, or all when None) with nothing queued or claimed are completed."""
    pending = has_pending(Campaign.id)
    scope = Campaign.id.in_(list(campaign_ids)) if campaign_ids is not None else Campaign.status == "running"
    # Winner mode: the rest still waits for the winner.
    undecided = and_(Campaign.decide_at.is_not(None), Campaign.winner_decided_at.is_(None))
    await session.execute(
        update(Campaign)
        .where(scope, Campaign.status == "running", ~pending, ~undecided)
        .values(status="completed", completed_at=now)
        .execution_options(synchronize_session=False)
    )

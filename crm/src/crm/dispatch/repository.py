"""SQL for the scheduled-send queue: claim due rows, load what rendering needs, acknowledge."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from crm.dispatch.claimed import ClaimedSend
from crm.models import Campaign, Communication, Customer, CustomerStats, Enrollment, SequenceVersion
from crm.models import Sequence as Sequence_
from crm.models.communication import CANCELLED, CLAIMED, DISPATCHED, FAILED, QUEUED, SKIPPED

C = Communication


async def claim_due(session: AsyncSession, now: datetime, limit: int, worker: str, ttl_seconds: float) -> list[int]:
    """Claims up to `limit` due sends: first sends whose claim expired, then queued ones that are
    due. Each is one walk of ix_communications_state_due in due_at order that stops at the limit
    (no OR, no sort of every due row). On Postgres rows are picked FOR UPDATE SKIP LOCKED so
    workers never wait on or double-claim each other; SQLite has one writer at a time anyway."""
    claimed: list[int] = []
    for condition in (
        and_(C.state == CLAIMED, C.claimed_until < now),
        and_(C.state == QUEUED, C.due_at <= now),
    ):
        if len(claimed) >= limit:
            break
        pick = (
            select(C.id)
            .where(condition)
            .order_by(C.due_at)
            .limit(limit - len(claimed))
            .with_for_update(skip_locked=True)
        )
        result = await session.execute(
            update(C)
            .where(C.id.in_(pick.scalar_subquery()))
            .values(
                state=CLAIMED,
                claimed_until=now + timedelta(seconds=ttl_seconds),
                claimed_by=worker,
                attempts=C.attempts + 1,
            )
            .returning(C.id)
            .execution_options(synchronize_session=False)
        )
        claimed += [int(i) for i in result.scalars()]
    return claimed


# Only what deciding, rendering and acknowledging a send read (an unloaded attribute raises rather
# than lazy-loading): hydrating every column of three entities per row was the largest share of a
# worker's time.
CLAIMED_COLUMNS = (
    load_only(
        C.id,
        C.communication_id,
        C.campaign_id,
        C.sequence_id,
        C.enrollment_id,
        C.step_index,
        C.customer_id,
        C.channel,
        C.to_address,
        C.state,
        C.attempts,
        raiseload=True,
    ),
    load_only(
        Customer.id,
        Customer.name,
        Customer.email,
        Customer.phone,
        Customer.city,
        Customer.state,
        Customer.birthday,
        Customer.consent_email,
        Customer.consent_sms,
        Customer.consent_whatsapp,
        Customer.consent_rcs,
        raiseload=True,
    ),
    load_only(
        CustomerStats.customer_id,
        CustomerStats.last_item,
        CustomerStats.total_spent_minor,
        CustomerStats.order_count,
        raiseload=True,
    ),
)


async def load_claimed(session: AsyncSession, ids: Sequence[int]) -> list[ClaimedSend]:
    """Each claimed send with what deciding and rendering it needs. Per row only the send, its
    customer and their stats are loaded; campaigns once per distinct campaign, and the sequence
    tables only for sequence sends (campaign sends, most rows, leave them NULL)."""
    rows = (
        await session.execute(
            select(C, Customer, CustomerStats)
            .join(Customer, Customer.id == C.customer_id)
            .outerjoin(CustomerStats, CustomerStats.customer_id == C.customer_id)
            .where(C.id.in_(list(ids)))
            .order_by(C.id)
            .options(*CLAIMED_COLUMNS)
        )
    ).all()
    campaign_ids = sorted({c.campaign_id for c, _, _ in rows if c.campaign_id is not None})
    campaigns = (
        {c.id: c for c in (await session.scalars(select(Campaign).where(Campaign.id.in_(campaign_ids)))).all()}
        if campaign_ids
        else {}
    )
    journeys = await _journeys(session, sorted({c.enrollment_id for c, _, _ in rows if c.enrollment_id is not None}))
    sequence_ids = sorted({c.sequence_id for c, _, _ in rows if c.sequence_id is not None})
    sequences = (
        {s.id: s for s in (await session.scalars(select(Sequence_).where(Sequence_.id.in_(sequence_ids)))).all()}
        if sequence_ids
        else {}
    )
    sends = []
    for communication, customer, stats in rows:
        enrollment, version = journeys.get(communication.enrollment_id or 0, (None, None))
        sends.append(
            ClaimedSend(
                communication,
                customer,
                stats,
                campaigns.get(communication.campaign_id or 0),
                enrollment,
                sequences.get(communication.sequence_id or 0),
                version,
            )
        )
    return sends


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


async def mark_dispatched(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    await session.execute(
        update(C)
        .where(C.id.in_(list(ids)), C.state == CLAIMED)
        .values(state=DISPATCHED, dispatched_at=now, claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def release_for_retry(session: AsyncSession, ids: Sequence[int], due_at: datetime, error: str) -> None:
    await session.execute(
        update(C)
        .where(C.id.in_(list(ids)), C.state == CLAIMED)
        .values(state=QUEUED, due_at=due_at, claimed_until=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


async def mark_failed(session: AsyncSession, ids: Sequence[int], error: str) -> None:
    await session.execute(
        update(C)
        .where(C.id.in_(list(ids)), C.state == CLAIMED)
        .values(state=FAILED, claimed_until=None, last_error=error[:2000])
        .execution_options(synchronize_session=False)
    )


async def complete_finished_campaigns(session: AsyncSession, campaign_ids: Sequence[int] | None, now: datetime) -> None:
    """Running campaigns (these, or all when None) with nothing queued or claimed are completed."""
    pending = exists(select(C.id).where(C.campaign_id == Campaign.id, C.state.in_((QUEUED, CLAIMED))))
    scope = Campaign.id.in_(list(campaign_ids)) if campaign_ids is not None else Campaign.status == "running"
    await session.execute(
        update(Campaign)
        .where(scope, Campaign.status == "running", ~pending)
        .values(status="completed", completed_at=now)
        .execution_options(synchronize_session=False)
    )


async def defer(session: AsyncSession, deferrals: Sequence[tuple[int, datetime, str]]) -> None:
    """Moves sends later for a policy; a deferral is not a failed attempt."""
    for communication_id, due_at, reason in deferrals:
        await session.execute(
            update(C)
            .where(C.id == communication_id, C.state == CLAIMED)
            .values(
                state=QUEUED,
                due_at=due_at,
                claimed_until=None,
                attempts=C.attempts - 1,
                deferred_count=C.deferred_count + 1,
                deferred_reason=reason,
            )
            .execution_options(synchronize_session=False)
        )


async def close_without_sending(session: AsyncSession, ids: Sequence[int], state: str, reason: str) -> None:
    assert state in (SKIPPED, CANCELLED)
    await session.execute(
        update(C)
        .where(C.id.in_(list(ids)), C.state == CLAIMED)
        .values(state=state, claimed_until=None, last_error=reason)
        .execution_options(synchronize_session=False)
    )

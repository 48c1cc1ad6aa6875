"""Queueing messages: the only code that inserts `communications` rows.

A launch queues one message per reachable recipient in one INSERT … SELECT (queue_campaign); a
sequence queues its first step for every new enrollment the same way (queue_first_steps) and each
next step as the journey moves on (queue_next_steps). Every message is queued `queued`, due at a
time, with the recipient's address on its channel copied onto the row.

A message's communication_id is its idempotency key end to end (the channel service dedupes on
it; receipts name it): `<campaign uid>-<customer id>`, or `<sequence uid>-<customer id>-s<step>`.
A sequence step queued twice (two workers moving the same contact on) is inserted once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Integer, String, cast, exists, func, literal, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.reach import contact_column, reachable
from crm.models import Campaign, Communication, Customer, CustomerStats, Enrollment
from crm.models import Sequence as SequenceModel
from crm.models.communication import CLAIMED, QUEUED
from crm.sql import insert_ignoring_conflicts
from crm.tables import communications_table

C = Communication


def campaign_message_key(campaign_uid: str, customer_id: int) -> str:
    return f"{campaign_uid}-{customer_id}"


def step_message_key(sequence_uid: str, customer_id: int, step_index: int) -> str:
    return f"{sequence_uid}-{customer_id}-s{step_index}"


async def queue_campaign(
    session: AsyncSession,
    campaign: Campaign,
    where: ColumnElement[bool],
    due_at: datetime,
    only: ColumnElement[bool] | None = None,
    variant: ColumnElement[int] | None = None,
) -> int:
    """INSERT … SELECT one queued message per recipient matching `where` who is reachable on the
    campaign's channel; returns how many were queued. An experiment's: only those `only` admits
    (not the holdout, nor in winner mode the rest), each with its `variant`."""
    source = (
        select(
            (literal(f"{campaign.uid}-") + cast(Customer.id, String)).label("communication_id"),
            literal(campaign.id).label("campaign_id"),
            Customer.id.label("customer_id"),
            literal(campaign.channel).label("channel"),
            contact_column(campaign.channel).label("to_address"),
            literal(QUEUED).label("state"),
            literal(due_at, C.due_at.type).label("due_at"),
            literal(0).label("attempts"),
            literal(due_at, C.created_at.type).label("created_at"),
            *([variant.label("variant")] if variant is not None else []),
        )
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(where, reachable(campaign.channel), *([only] if only is not None else []))
    )
    columns = [column.name for column in source.selected_columns]  # each labelled as its target column
    result = await session.execute(communications_table.insert().from_select(columns, source))
    return int(getattr(result, "rowcount", 0) or 0)


async def queue_first_steps(
    session: AsyncSession,
    sequence: SequenceModel,
    version_number: int,
    first_step: dict[str, Any],
    due_at: datetime,
) -> None:
    """Step 1 (index 0) for every enrollment on this version that has no message queued yet."""
    scheduled = exists(select(C.id).where(C.enrollment_id == Enrollment.id))
    channel = first_step["channel"]
    key = literal(f"{sequence.uid}-") + cast(Enrollment.customer_id, String) + literal("-s0")
    source = (
        select(
            key.label("communication_id"),
            literal(sequence.id).label("sequence_id"),
            Enrollment.id.label("enrollment_id"),
            literal(0, Integer).label("step_index"),
            Enrollment.customer_id.label("customer_id"),
            literal(channel).label("channel"),
            func.coalesce(contact_column(channel), "").label("to_address"),
            literal(QUEUED).label("state"),
            literal(due_at, C.due_at.type).label("due_at"),
            literal(0).label("attempts"),
            literal(0).label("deferred_count"),
            literal(due_at, C.created_at.type).label("created_at"),
        )
        .select_from(Enrollment)
        .join(Customer, Customer.id == Enrollment.customer_id)
        .where(Enrollment.sequence_id == sequence.id, Enrollment.version == version_number, not_(scheduled))
    )
    columns = [
        "communication_id",
        "sequence_id",
        "enrollment_id",
        "step_index",
        "customer_id",
        "channel",
        "to_address",
        "state",
        "due_at",
        "attempts",
        "deferred_count",
        "created_at",
    ]
    insert = insert_ignoring_conflicts(session, communications_table, ["communication_id"])
    await session.execute(insert.from_select(columns, source))


class NextStep(NamedTuple):
    """A sequence step to queue for one enrolled contact."""

    sequence_uid: str
    sequence_id: int
    enrollment_id: int
    step_index: int
    customer_id: int
    channel: str
    to_address: str | None
    due_at: datetime
    created_at: datetime


async def queue_next_steps(session: AsyncSession, steps: Sequence[NextStep]) -> None:
    """Queues each step once: a step already queued (another worker moved the contact on) is left."""
    if not steps:
        return
    rows = [
        {
            "communication_id": step_message_key(step.sequence_uid, step.customer_id, step.step_index),
            "sequence_id": step.sequence_id,
            "enrollment_id": step.enrollment_id,
            "step_index": step.step_index,
            "customer_id": step.customer_id,
            "channel": step.channel,
            "to_address": step.to_address or "",
            "state": QUEUED,
            "due_at": step.due_at,
            "attempts": 0,
            "deferred_count": 0,
            "created_at": step.created_at,
        }
        for step in steps
    ]
    await session.execute(insert_ignoring_conflicts(session, communications_table, ["communication_id"]), rows)


def has_pending(campaign_id: Any) -> ColumnElement[bool]:
    """SQL: the campaign (an id or a column) still has a message queued or claimed."""
    return exists(select(C.id).where(C.campaign_id == campaign_id, C.state.in_((QUEUED, CLAIMED))))

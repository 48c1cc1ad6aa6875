"""How contacts move through a live sequence, step by step, on the shared send queue.

When a step's send comes due the dispatcher asks `decide_steps`: a contact who left is
cancelled; a contact without consent for the step's channel (withdrawn since they entered, or never
given) leaves the sequence (exited_no_consent) and is not sent — we stop rather than carry on
messaging someone who said no; a step with no address for its channel, or whose condition is false
given the receipts that have arrived, is skipped. Once a step is sent or skipped, `advance` schedules
the next step of the *contact's own version* after its delay, or completes the enrollment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages.queue import NextStep, queue_next_steps
from crm.messages.reach import address_of, consents_to, has_address_for
from crm.messages.stats import Engagement, engagement_of
from crm.models import Enrollment
from crm.sequences.steps import step_delay

if TYPE_CHECKING:
    from crm.messages.claimed import ClaimedSend


@dataclass(frozen=True)
class StepDecision:
    action: Literal["send", "skip", "cancel"]
    reason: str = ""


async def decide_steps(session: AsyncSession, sends: Sequence[ClaimedSend]) -> dict[int, StepDecision]:
    engagement = await engagement_of(session, [s.enrollment.id for s in sends if s.enrollment is not None])
    decisions: dict[int, StepDecision] = {}
    for send in sends:
        enrollment, sequence, step = send.enrollment, send.sequence, send.step()
        if enrollment is None or sequence is None or step is None:
            decisions[send.id] = StepDecision("cancel", "the sequence or step no longer exists")
            continue
        seen = engagement.get(enrollment.id, Engagement(False, False, False))
        if enrollment.status != "active":
            decisions[send.id] = StepDecision("cancel", f"contact left the sequence ({enrollment.status})")
        elif sequence.status != "live":
            decisions[send.id] = StepDecision("cancel", f"sequence is {sequence.status}")
        elif sequence.exit_on_conversion and seen.converted:
            decisions[send.id] = StepDecision("cancel", "exited_converted")
        elif not consents_to(send.recipient, step["channel"]):
            decisions[send.id] = StepDecision("cancel", "exited_no_consent")
        elif not has_address_for(send.recipient, step["channel"]):
            decisions[send.id] = StepDecision("skip", f"no {step['channel']} address")
        elif step.get("condition") == "if_not_opened_or_read" and seen.opened_or_read:
            decisions[send.id] = StepDecision("skip", "condition: already opened or read")
        elif step.get("condition") == "if_not_clicked" and seen.clicked:
            decisions[send.id] = StepDecision("skip", "condition: already clicked")
        elif step.get("condition") == "if_not_converted" and seen.converted:
            decisions[send.id] = StepDecision("skip", "condition: already converted")
        else:
            decisions[send.id] = StepDecision("send")
    return decisions


async def advance(session: AsyncSession, moved: Sequence[tuple[ClaimedSend, datetime]], time_scale: float) -> None:
    """Schedules each contact's next step (its own version's), or completes the enrollment."""
    steps: list[NextStep] = []
    completed: list[int] = []
    for send, base in moved:
        if send.enrollment is None or send.sequence is None or send.version is None:
            continue
        version_steps = send.version.steps
        index = (send.communication.step_index or 0) + 1
        if index >= len(version_steps):
            completed.append(send.enrollment.id)
            continue
        step = version_steps[index]
        steps.append(
            NextStep(
                sequence_uid=send.sequence.uid,
                sequence_id=send.sequence.id,
                enrollment_id=send.enrollment.id,
                step_index=index,
                customer_id=send.recipient.id,
                channel=step["channel"],
                to_address=address_of(send.recipient, step["channel"]),
                due_at=base + step_delay(step, time_scale),
                created_at=base,
            )
        )
    await queue_next_steps(session, steps)
    if completed:
        await session.execute(
            update(Enrollment)
            .where(Enrollment.id.in_(completed), Enrollment.status == "active")
            .values(status="completed", finished_at=func.coalesce(Enrollment.finished_at, moved[0][1]))
            .execution_options(synchronize_session=False)
        )


async def finish(session: AsyncSession, cancelled: Sequence[tuple[ClaimedSend, str]], at: datetime) -> None:
    """A contact who converted or withdrew consent leaves the sequence."""
    for send, reason in cancelled:
        if send.enrollment is None or reason not in ("exited_converted", "exited_no_consent"):
            continue
        await session.execute(
            update(Enrollment)
            .where(Enrollment.id == send.enrollment.id, Enrollment.status == "active")
            .values(status=reason, finished_at=at, note=reason)
            .execution_options(synchronize_session=False)
        )

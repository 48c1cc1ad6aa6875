"""What a message went through, from its lifecycle timestamps: one definition for the funnel (SQL)
and for a single message's status (SQL and Python).

Per channel the lifecycle is a path (the channel service's model):

- email:          sent → delivered → opened → clicked → converted
- whatsapp / rcs: sent → delivered → read   → clicked → converted
- sms:            sent → delivered → clicked → converted
- any channel:    sent → failed

Funnel stages mean "reached at least this stage": a message that was clicked was also delivered
and — on a channel that reports it — opened (email) or read (WhatsApp, RCS), even when that
receipt was lost. So on every channel sent ≥ delivered ≥ opened-or-read ≥ clicked ≥ converted.
`failed` counts messages the channel reported as failed.

A message's status is the furthest stage it reached: converted > clicked > read > opened >
delivered, then failed, then sent; with no receipt yet it is its queue state (queued, claimed,
dispatched, skipped, cancelled, or failed when it could not be handed to the channel service).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Protocol

from sqlalchemy import ColumnElement, and_, case, or_

from crm.models import Communication

C = Communication

ENGAGEMENT_STAGE: Final[Mapping[str, str]] = {"email": "opened", "whatsapp": "read", "rcs": "read"}
"""The channel's 'seen it' stage between delivered and clicked; SMS has none."""

PROGRESS: Final[tuple[str, ...]] = ("converted", "clicked", "read", "opened", "delivered")
"""Stages past `sent`, furthest first; `failed` and `sent` come after them (see status_of)."""

STATUSES: Final[tuple[str, ...]] = (*PROGRESS, "failed", "sent")


class Lifecycle(Protocol):
    channel: str
    sent_at: Any
    delivered_at: Any
    opened_at: Any
    read_at: Any
    clicked_at: Any
    converted_at: Any
    failed_at: Any
    dispatched_at: Any
    due_at: Any
    state: str


def _channels_with(stage: str) -> list[str]:
    return sorted(channel for channel, engaged in ENGAGEMENT_STAGE.items() if engaged == stage)


def _reached(stage: str) -> ColumnElement[bool]:
    """SQL: the message reached at least `stage` of its channel's path."""
    clicked = or_(C.clicked_at.is_not(None), C.converted_at.is_not(None))
    if stage == "converted":
        return C.converted_at.is_not(None)
    if stage == "clicked":
        return clicked
    if stage in ("opened", "read"):
        own = C.opened_at if stage == "opened" else C.read_at
        return or_(own.is_not(None), and_(C.channel.in_(_channels_with(stage)), clicked))
    if stage == "delivered":
        return or_(C.delivered_at.is_not(None), C.opened_at.is_not(None), C.read_at.is_not(None), clicked)
    if stage == "sent":
        return or_(_reached("delivered"), C.sent_at.is_not(None), C.failed_at.is_not(None))
    if stage == "failed":
        return C.failed_at.is_not(None)
    raise ValueError(f"unknown stage {stage!r}")


FUNNEL_STAGES: Final[tuple[str, ...]] = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")
STAGE_CONDITIONS: Final[dict[str, ColumnElement[bool]]] = {stage: _reached(stage) for stage in FUNNEL_STAGES}


def status_expression() -> ColumnElement[str]:
    """SQL: each communication's status (see the module docstring)."""
    return case(*[(getattr(C, f"{stage}_at").is_not(None), stage) for stage in STATUSES], else_=C.state)


def status_of(message: Lifecycle) -> str:
    """Python: the same status as status_expression, for a loaded row."""
    for stage in STATUSES:
        if getattr(message, f"{stage}_at") is not None:
            return stage
    return message.state


def status_time(message: Lifecycle, status: str) -> Any:
    """When the message reached `status` (status_of): that stage's receipt time; for a queue state,
    when it was handed to the channel service, else when it is due."""
    return getattr(message, f"{status}_at", None) or message.dispatched_at or message.due_at

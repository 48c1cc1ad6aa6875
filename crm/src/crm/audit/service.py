"""The audit trail: every create, edit, approval and launch of campaigns and sequences."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import AuditEntry

Action = Literal[
    "created",
    "edited",
    "rolled_back",
    "approved_and_launched",
    "scheduled",
    "cancelled_schedule",
    "schedule_refused",
    "test_sent",
    "experiment_decided",
]
EntityType = Literal["campaign", "sequence"]


@dataclass(frozen=True)
class Author:
    """Who drafted something: the copilot on an operator's behalf, or the operator directly.

    Set by the server (the signed-in caller, or the agent's tool), never by the request body, so
    nobody can pass a draft off as the copilot's."""

    kind: Literal["agent", "user"]
    operator: str

    @property
    def actor(self) -> str:
        """The audit trail's actor: the agent drafts; a person is named by their email."""
        return "agent" if self.kind == "agent" else self.operator

    @property
    def details(self) -> dict[str, Any]:
        return {"asked_by": self.operator} if self.kind == "agent" else {}


async def record(
    session: AsyncSession,
    actor: str,
    action: Action,
    entity_type: EntityType,
    entity_id: int,
    summary: str,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEntry(
            actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, summary=summary, details=details
        )
    )
    await session.flush()


async def entries(
    session: AsyncSession, entity_type: str | None, entity_id: int | None, limit: int
) -> Sequence[AuditEntry]:
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity_type is not None:
        statement = statement.where(AuditEntry.entity_type == entity_type)
    if entity_id is not None:
        statement = statement.where(AuditEntry.entity_id == entity_id)
    return (await session.scalars(statement)).all()

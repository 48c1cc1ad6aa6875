"""The audit trail: every create, edit, approval and launch of campaigns and sequences."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import AuditEntry

Action = Literal["created", "edited", "rolled_back", "approved_and_launched"]
EntityType = Literal["campaign", "sequence"]


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

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from crm.api_types import MAX_ID
from crm.audit import service
from crm.db import SessionDep

router = APIRouter(prefix="/api/audit", tags=["audit"])


class AuditRead(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int
    summary: str
    details: dict[str, Any] | None


@router.get("", response_model=list[AuditRead])
async def list_audit_entries(
    session: SessionDep,
    entity_type: Annotated[Literal["campaign", "sequence"] | None, Query()] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[AuditRead]:
    """Newest first: who created, edited, approved and launched each campaign and sequence."""
    return [
        AuditRead(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            summary=e.summary,
            details=e.details,
        )
        for e in await service.entries(session, entity_type, entity_id, limit)
    ]

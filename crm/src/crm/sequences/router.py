from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from crm.api_types import RowId
from crm.audit.service import Author
from crm.auth.dependencies import actor
from crm.db import SessionDep
from crm.sequences.schemas import (
    LaunchSequenceRequest,
    RollbackRequest,
    SequenceCreate,
    SequenceRead,
    SequenceStats,
    SequenceUpdate,
    VersionDiff,
    VersionRead,
)
from crm.sequences.service import SequenceService

router = APIRouter(prefix="/api/sequences", tags=["sequences"])


def service(request: Request, session: SessionDep) -> SequenceService:
    return SequenceService(session, request.app.state.settings.sim_time_scale)


@router.post("", response_model=SequenceRead, status_code=201)
async def create_sequence(payload: SequenceCreate, request: Request, session: SessionDep) -> SequenceRead:
    """Stages a draft sequence (version 1). Nothing is sent until a person launches it."""
    return await service(request, session).create(payload, Author("user", actor(request)))


@router.get("", response_model=list[SequenceRead])
async def list_sequences(request: Request, session: SessionDep) -> list[SequenceRead]:
    return await service(request, session).list_all()


@router.get("/{sequence_id}", response_model=SequenceRead)
async def get_sequence(sequence_id: RowId, request: Request, session: SessionDep) -> SequenceRead:
    svc = service(request, session)
    return await svc.read(await svc.get(sequence_id))


@router.patch("/{sequence_id}", response_model=SequenceRead)
async def update_sequence(
    sequence_id: RowId, patch: SequenceUpdate, request: Request, session: SessionDep
) -> SequenceRead:
    """Edits steps (a new version), name or exit rule — while draft or live."""
    return await service(request, session).update(sequence_id, patch.model_copy(update={"edited_by": actor(request)}))


@router.get("/{sequence_id}/versions", response_model=list[VersionRead])
async def list_versions(sequence_id: RowId, request: Request, session: SessionDep) -> list[VersionRead]:
    return await service(request, session).versions(sequence_id)


@router.get("/{sequence_id}/diff", response_model=VersionDiff)
async def diff_versions(
    sequence_id: RowId,
    request: Request,
    session: SessionDep,
    from_version: Annotated[int, Query(alias="from", ge=1, le=1_000_000)],
    to_version: Annotated[int, Query(alias="to", ge=1, le=1_000_000)],
) -> VersionDiff:
    return await service(request, session).diff(sequence_id, from_version, to_version)


@router.post("/{sequence_id}/rollback", response_model=SequenceRead)
async def rollback_sequence(
    sequence_id: RowId, payload: RollbackRequest, request: Request, session: SessionDep
) -> SequenceRead:
    return await service(request, session).rollback(sequence_id, payload.version, actor(request))


@router.post("/{sequence_id}/launch", response_model=SequenceRead)
async def launch_sequence(
    sequence_id: RowId,
    request: Request,
    session: SessionDep,
    payload: Annotated[LaunchSequenceRequest | None, Body()] = None,
) -> SequenceRead:
    """Approves and launches: enrolls the audience and schedules step 1. Only a person does this."""
    return await service(request, session).launch(sequence_id, actor(request))


@router.get("/{sequence_id}/stats", response_model=SequenceStats)
async def sequence_stats(sequence_id: RowId, request: Request, session: SessionDep) -> SequenceStats:
    return await service(request, session).stats(sequence_id)

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from crm.api_types import RowId
from crm.db import SessionDep
from crm.segments.dsl import SegmentFilter
from crm.segments.schemas import AudiencePreview, FieldsRead, PreviewRequest, SegmentCreate, SegmentRead
from crm.segments.service import SegmentService, export_members

router = APIRouter(prefix="/api/segments", tags=["segments"])


@router.get("/fields", response_model=FieldsRead)
async def list_fields(
    session: SessionDep,
    values: Annotated[bool, Query(description="include values present in the data")] = True,
) -> FieldsRead:
    return await SegmentService(session).fields(with_values=values)


@router.post("/preview", response_model=AudiencePreview)
async def preview_segment(payload: PreviewRequest, session: SessionDep) -> AudiencePreview:
    return await SegmentService(session).preview(payload.filter, payload.sample_size)


@router.post("", response_model=SegmentRead, status_code=201)
async def create_segment(payload: SegmentCreate, session: SessionDep) -> SegmentRead:
    return await SegmentService(session).create(payload)


@router.get("", response_model=list[SegmentRead])
async def list_segments(session: SessionDep) -> list[SegmentRead]:
    return await SegmentService(session).list()


@router.get("/{segment_id}", response_model=SegmentRead)
async def get_segment(segment_id: RowId, session: SessionDep) -> SegmentRead:
    service = SegmentService(session)
    return await service.read(await service.get(segment_id), with_count=True)


@router.delete("/{segment_id}", status_code=204)
async def delete_segment(segment_id: RowId, session: SessionDep) -> Response:
    await SegmentService(session).delete(segment_id)
    return Response(status_code=204)


@router.get("/{segment_id}/customers")
async def export_segment_customers(
    segment_id: RowId,
    request: Request,
    session: SessionDep,
    format: Annotated[Literal["csv", "json"], Query()] = "json",
) -> StreamingResponse:
    segment = await SegmentService(session).get(segment_id)
    audience = SegmentFilter.model_validate(segment.filter)
    media = "text/csv; charset=utf-8" if format == "csv" else "application/json"
    headers = {"Content-Disposition": f'attachment; filename="segment-{segment_id}.{format}"'}
    return StreamingResponse(
        export_members(request.app.state.sessionmaker, audience, format), media_type=media, headers=headers
    )

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile

from crm.db import SessionDep
from crm.ingest.csv_service import CsvIngestService
from crm.ingest.schemas import IngestPayload, IngestReport
from crm.ingest.service import IngestService

router = APIRouter(prefix="/api/ingest", tags=["ingest"])


class CsvIngestReport(IngestReport):
    layout: str
    kind: Literal["customers", "orders"]


@router.post("", response_model=IngestReport)
async def ingest_records(payload: IngestPayload, session: SessionDep) -> IngestReport:
    return await IngestService(session).ingest(payload.customers, payload.orders)


@router.post("/csv", response_model=CsvIngestReport)
async def ingest_csv(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="a CSV: this project's columns or a Shopify export")],
    kind: Annotated[Literal["customers", "orders"] | None, Form()] = None,
) -> CsvIngestReport:
    layout, report = await CsvIngestService(session).ingest_csv(file.file, kind)
    return CsvIngestReport(layout=layout.name, kind=layout.kind, **report.model_dump())

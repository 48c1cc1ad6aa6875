from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import Field

from crm.db import SessionDep
from crm.ingest.csv_service import CsvIngestService
from crm.ingest.schemas import IngestPayload, IngestReport
from crm.ingest.service import IngestService

router = APIRouter(prefix="/api/ingest", tags=["ingest"])


class CsvIngestReport(IngestReport):
    layout: str
    kind: Literal["customers", "orders"]
    delimiter: Literal["comma", "semicolon", "tab"] = Field(description="the delimiter the file was read with")
    encoding: str = Field(description="the encoding the file was read with, e.g. 'utf-8' or 'utf-16 with BOM'")


@router.post("", response_model=IngestReport)
async def ingest_records(payload: IngestPayload, session: SessionDep) -> IngestReport:
    return await IngestService(session).ingest(payload.customers, payload.orders)


@router.post("/csv", response_model=CsvIngestReport)
async def ingest_csv(
    session: SessionDep,
    file: Annotated[UploadFile, File(description="a CSV: this project's columns or a Shopify export")],
    kind: Annotated[Literal["customers", "orders"] | None, Form()] = None,
    encoding: Annotated[
        str | None,
        Form(max_length=40, description="the file's encoding when it is not UTF-8 or UTF-16 with a BOM, e.g. cp1252"),
    ] = None,
    delimiter: Annotated[
        Literal["comma", "semicolon", "tab"] | None,
        Form(description="the cell separator; detected from the header when not given"),
    ] = None,
) -> CsvIngestReport:
    outcome = await CsvIngestService(session).ingest_csv(file.file, kind, encoding, delimiter)
    return CsvIngestReport(
        layout=outcome.layout.name,
        kind=outcome.layout.kind,
        delimiter=outcome.delimiter,
        encoding=outcome.encoding,
        **outcome.report.model_dump(),
    )

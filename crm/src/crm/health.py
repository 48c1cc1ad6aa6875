from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from crm.config import Settings

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]
    llm_provider: str


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    settings: Settings = request.app.state.settings
    return Health(status="ok", database=settings.database_kind, llm_provider=settings.llm_provider)

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from crm.config import Settings

router = APIRouter(prefix="/api", tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    database: Literal["sqlite", "postgresql"]
    llm_provider: str = Field(description="the provider the copilot is really using")
    llm_configured: str = Field(description="LLM_PROVIDER as configured")
    llm_warning: str | None = None


@router.get("/health", response_model=Health)
async def health(request: Request) -> Health:
    settings: Settings = request.app.state.settings
    return Health(
        status="ok",
        database=settings.database_kind,
        llm_provider=request.app.state.agent_provider.name,
        llm_configured=settings.llm_provider,
        llm_warning=request.app.state.llm_warning,
    )

from __future__ import annotations

from fastapi import APIRouter

from crm.brand.schemas import BrandSettings, BrandSettingsUpdate
from crm.brand.service import as_settings, brand_voice, update_brand
from crm.db import SessionDep

router = APIRouter(prefix="/api/settings", tags=["settings"])


@router.get("/brand", response_model=BrandSettings)
async def get_brand(session: SessionDep) -> BrandSettings:
    """The brand's voice the copilot writes in, and where {{ link }} leads by default."""
    return as_settings(await brand_voice(session))


@router.put("/brand", response_model=BrandSettings)
async def put_brand(payload: BrandSettingsUpdate, session: SessionDep) -> BrandSettings:
    """Edits the brand's voice (fields left out keep their value)."""
    return await update_brand(session, payload)

"""Reads and edits the brand's voice (one row; the SUGAR persona until someone changes it)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from crm.brand.schemas import BrandSettings, BrandSettingsUpdate
from crm.copywriting.voice import SUGAR, BrandVoice
from crm.models import BrandSetting


async def brand_voice(session: AsyncSession) -> BrandVoice:
    row = await session.get(BrandSetting, 1)
    if row is None:
        return SUGAR
    return BrandVoice(row.brand_name, row.sign_off, row.emoji, row.destination_url)


def as_settings(voice: BrandVoice) -> BrandSettings:
    return BrandSettings(
        brand_name=voice.brand_name, sign_off=voice.sign_off, emoji=voice.emoji, destination_url=voice.destination_url
    )


async def update_brand(session: AsyncSession, patch: BrandSettingsUpdate) -> BrandSettings:
    current = await brand_voice(session)
    values = {**as_settings(current).model_dump(), **patch.model_dump(exclude_unset=True, exclude_none=True)}
    row = await session.get(BrandSetting, 1)
    if row is None:
        row = BrandSetting(id=1, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()
    return BrandSettings(**values)

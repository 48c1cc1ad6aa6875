"""The channel service's live state, reached through the CRM so the browser has one origin."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, Request
from pydantic import BaseModel

from crm.dispatch.channel_client import ChannelClient
from crm.errors import UpstreamUnavailable

router = APIRouter(prefix="/api/delivery", tags=["delivery"])


class DeliveryStatus(BaseModel):
    reachable: bool
    channel_service: dict[str, Any] | None
    error: str | None = None


@router.get("/status", response_model=DeliveryStatus)
async def delivery_status(request: Request) -> DeliveryStatus:
    client: ChannelClient = request.app.state.channel_client
    try:
        return DeliveryStatus(reachable=True, channel_service=await client.stats())
    except httpx.HTTPError as exc:
        return DeliveryStatus(reachable=False, channel_service=None, error=f"channel service unreachable: {exc!r}")


@router.post("/dead-letters/redrive")
async def redrive_dead_letters(request: Request) -> dict[str, Any]:
    client: ChannelClient = request.app.state.channel_client
    try:
        return await client.redrive_dead_letters()
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(f"channel service unreachable: {exc!r}") from None

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
        return DeliveryStatus(reachable=False, channel_service=None, error=_upstream_problem(exc))


@router.post("/dead-letters/redrive")
async def redrive_dead_letters(request: Request) -> dict[str, Any]:
    client: ChannelClient = request.app.state.channel_client
    try:
        return await client.redrive_dead_letters()
    except httpx.HTTPError as exc:
        raise UpstreamUnavailable(_upstream_problem(exc)) from None


def _upstream_problem(exc: httpx.HTTPError) -> str:
    """Why the channel service's admin API could not be used (a 401 means the secrets differ)."""
    if isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 401:
        return "channel service refused the CRM's admin token (401): WEBHOOK_SECRET differs between the services"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"channel service answered HTTP {exc.response.status_code}"
    return f"channel service unreachable: {exc!r}"

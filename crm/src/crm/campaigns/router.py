from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent

from crm.analytics.schemas import CampaignStats
from crm.analytics.service import AnalyticsService
from crm.api_types import RowId
from crm.audit.service import Author
from crm.auth.dependencies import actor
from crm.campaigns.schemas import (
    CampaignCreate,
    CampaignPreview,
    CampaignRead,
    CampaignUpdate,
    ChannelOptions,
    ChannelOptionsRequest,
    LaunchRequest,
    TestSendRequest,
    TestSendResult,
)
from crm.campaigns.service import CampaignService
from crm.db import SessionDep
from crm.links.router import link_signer

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])


@router.post("", response_model=CampaignRead, status_code=201)
async def create_campaign(payload: CampaignCreate, request: Request, session: SessionDep) -> CampaignRead:
    """Stages a draft. Nothing is sent until a person calls the launch endpoint."""
    return await CampaignService(session).create(payload, Author("user", actor(request)))


@router.post("/channel-options", response_model=ChannelOptions)
async def channel_options(payload: ChannelOptionsRequest, session: SessionDep) -> ChannelOptions:
    """Compares the channels for an audience (a saved segment or a filter), as the copilot does:
    who is reachable with consent, what it costs, and what each is expected to return."""
    return await CampaignService(session).channel_options(payload)


@router.get("", response_model=list[CampaignRead])
async def list_campaigns(session: SessionDep) -> list[CampaignRead]:
    return await CampaignService(session).list()


@router.get("/{campaign_id}", response_model=CampaignRead)
async def get_campaign(campaign_id: RowId, session: SessionDep) -> CampaignRead:
    service = CampaignService(session)
    return await service.read(await service.get(campaign_id))


@router.patch("/{campaign_id}", response_model=CampaignRead)
async def update_campaign(
    campaign_id: RowId, patch: CampaignUpdate, request: Request, session: SessionDep
) -> CampaignRead:
    return await CampaignService(session).update(campaign_id, patch, actor(request))


@router.get("/{campaign_id}/preview", response_model=CampaignPreview)
async def preview_campaign(
    campaign_id: RowId, session: SessionDep, samples: Annotated[int, Query(ge=0, le=20)] = 3
) -> CampaignPreview:
    """Renders the message for a few real recipients and counts missing variables."""
    return await CampaignService(session).preview(campaign_id, samples)


@router.post("/{campaign_id}/launch", response_model=CampaignRead)
async def launch_campaign(
    campaign_id: RowId, request: Request, session: SessionDep, payload: Annotated[LaunchRequest | None, Body()] = None
) -> CampaignRead:
    """Approves and launches a draft (now, or at `scheduled_at`): the only way anything is ever sent.
    A launch that would reach nobody is refused with 409 and the reason."""
    scheduled_at = payload.scheduled_at if payload else None
    return await CampaignService(session).launch(campaign_id, actor(request), scheduled_at)


@router.post("/{campaign_id}/cancel", response_model=CampaignRead)
async def cancel_campaign(campaign_id: RowId, request: Request, session: SessionDep) -> CampaignRead:
    """Returns a scheduled campaign to draft (409 once it has started)."""
    return await CampaignService(session).cancel(campaign_id, actor(request))


@router.post("/{campaign_id}/test-send", response_model=TestSendResult, status_code=202)
async def test_send_campaign(
    campaign_id: RowId, payload: TestSendRequest, request: Request, session: SessionDep
) -> TestSendResult:
    """Sends one rendered message to the address given, through the channel service, marked as a
    test (its id starts with `test-`): it is never counted in stats."""
    settings = request.app.state.settings
    callback = f"{settings.crm_public_url.rstrip('/')}/api/webhooks/receipts"
    return await CampaignService(session).test_send(
        campaign_id, payload.to, actor(request), request.app.state.channel_client, callback, link_signer(settings)
    )


@router.get("/{campaign_id}/stats", response_model=CampaignStats)
async def campaign_stats(campaign_id: RowId, session: SessionDep) -> CampaignStats:
    campaign = await CampaignService(session).get(campaign_id)
    return await AnalyticsService(session).campaign_stats(campaign)


async def existing_campaign_id(campaign_id: RowId, session: SessionDep) -> int:
    """Checked before a stream starts, so an unknown campaign is a plain 404."""
    await CampaignService(session).get(campaign_id)
    return campaign_id


@router.get("/{campaign_id}/stats/stream", response_class=EventSourceResponse)
async def stream_campaign_stats(
    campaign_id: Annotated[int, Depends(existing_campaign_id)],
    request: Request,
    interval: Annotated[float, Query(ge=0.2, le=30)] = 1.0,
) -> AsyncIterator[ServerSentEvent]:
    """The stats as server-sent events (`stats`), sent whenever they change."""
    maker = request.app.state.sessionmaker
    last = ""
    while not await request.is_disconnected():
        async with maker() as fresh:
            campaign = await CampaignService(fresh).get(campaign_id)
            stats = await AnalyticsService(fresh).campaign_stats(campaign)
        snapshot = stats.model_dump(mode="json", exclude={"updated_at"})
        key = json.dumps(snapshot, sort_keys=True)
        if key != last:
            last = key
            yield ServerSentEvent(data=stats.model_dump(mode="json"), event="stats")
        else:
            yield ServerSentEvent(comment="keep-alive")
        await asyncio.sleep(interval)

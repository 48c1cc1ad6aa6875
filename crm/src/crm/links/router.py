from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from crm.api_types import RowId
from crm.config import Settings
from crm.db import SessionDep
from crm.errors import NotFound
from crm.links.service import follow, link_stats
from crm.links.tokens import LinkSigner

public_router = APIRouter(tags=["links"])
router = APIRouter(prefix="/api/campaigns", tags=["links"])


def link_signer(settings: Settings) -> LinkSigner:
    return LinkSigner(settings.webhook_secret, settings.crm_public_url)


@public_router.get("/r/{token}", status_code=302, response_class=RedirectResponse)
async def follow_link(token: str, request: Request, session: SessionDep) -> RedirectResponse:
    """A tracked link: records the click once and redirects to the destination with UTM parameters."""
    destination = await follow(session, link_signer(request.app.state.settings), token)
    if destination is None:
        raise NotFound("no such link")
    return RedirectResponse(destination, status_code=302)


@router.get("/{campaign_id}/links")
async def campaign_links(campaign_id: RowId, session: SessionDep) -> dict[str, int]:
    """Tracked-link clicks: recipients who clicked (once each) and all clicks; test sends apart."""
    return await link_stats(session, campaign_id)

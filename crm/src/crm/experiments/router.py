from __future__ import annotations

from fastapi import APIRouter, Request

from crm.api_types import RowId
from crm.auth.dependencies import actor
from crm.campaigns.schemas import CampaignRead
from crm.campaigns.service import CampaignService
from crm.db import SessionDep
from crm.experiments.service import ExperimentService

router = APIRouter(prefix="/api/campaigns", tags=["campaigns"])


@router.post("/{campaign_id}/decide-winner", response_model=CampaignRead)
async def decide_winner(campaign_id: RowId, request: Request, session: SessionDep) -> CampaignRead:
    """Winner mode, now rather than at `decide_at`: picks the winner of the test share by its
    Bayesian probability of being best, records the numbers in the audit log, and queues the rest
    of the audience with the winner only. 409 if not in winner mode or already decided."""
    campaign = await ExperimentService(session).decide(campaign_id, actor(request))
    return await CampaignService(session).read(campaign)

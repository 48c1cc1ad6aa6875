"""Checks a drafted message and renders it for a real recipient of the audience."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from crm.campaigns import repository as campaign_repo
from crm.campaigns.schemas import MessageIn
from crm.campaigns.service import checked_variables
from crm.errors import InvalidInput
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.templating import customer_context, render


async def preview_message(
    session: AsyncSession, channel: str, message: MessageIn, audience: SegmentFilter | None
) -> dict[str, Any]:
    try:
        variables = checked_variables(message, channel)
    except InvalidInput as exc:
        return {"valid": False, "error": exc.detail[0]["msg"], "field": exc.detail[0]["loc"][-1]}
    result: dict[str, Any] = {"valid": True, "variables": variables, "characters": len(message.body)}
    if audience is None:
        return result
    where = compile_filter(audience, Clock())
    sample = await campaign_repo.reachable_sample(session, where, channel, 1)
    if sample:
        context = customer_context(*sample[0])
        result["rendered_sample"] = {
            "customer": context["name"],
            "subject": render(message.subject, context) if message.subject else None,
            "body": render(message.body, context),
        }
    result["missing_variable_counts"] = await campaign_repo.missing_variable_counts(session, where, channel, variables)
    return result

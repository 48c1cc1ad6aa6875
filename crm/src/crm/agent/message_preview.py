"""Checks a drafted message and renders it for a real recipient of the audience — and reviews
it: claims against the audience, language for recipients missing each field, channel limits
(crm.copywriting.review). The copilot's stage tool refuses a draft that fails the review."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.campaigns import repository as campaign_repo
from crm.campaigns.schemas import MessageIn
from crm.campaigns.service import checked_variables
from crm.copywriting.channels import SMS_COST_PER_SEGMENT
from crm.copywriting.review import SAMPLE_LINK, review_copy
from crm.errors import InvalidInput
from crm.messages.reach import reachable
from crm.models import Customer, CustomerStats, Segment
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.templating import customer_context, render


class Variables(Protocol):
    @property
    def offer(self) -> str | None: ...
    @property
    def coupon_code(self) -> str | None: ...


async def audience_of(session: AsyncSession, audience: SegmentFilter | None, segment_id: int | None) -> SegmentFilter:
    if audience is not None:
        return audience
    segment = await session.get(Segment, segment_id) if segment_id is not None else None
    if segment is None:
        raise InvalidInput(["body", "segment_id"], f"segment {segment_id} does not exist")
    return SegmentFilter.model_validate(segment.filter)


async def reachable_count(session: AsyncSession, audience: SegmentFilter, channel: str) -> int:
    where = and_(compile_filter(audience, Clock()), reachable(channel))
    query = select(func.count()).select_from(Customer).join(CustomerStats, CustomerStats.customer_id == Customer.id)
    return int((await session.execute(query.where(where))).scalar_one())


async def staging_problems(
    session: AsyncSession,
    channel: str,
    subject: str | None,
    body: str,
    audience: SegmentFilter,
    variables: Variables,
) -> str | None:
    """None when the draft may be staged; else a tool error naming each broken rule."""
    try:
        checked_variables(MessageIn(subject=subject, body=body), channel)
    except InvalidInput as exc:
        return str(exc.detail[0]["msg"])
    review = await review_copy(
        session,
        channel=channel,
        subject=subject,
        body=body,
        audience=audience,
        offer=variables.offer,
        coupon_code=variables.coupon_code,
    )
    return None if review.ok else review.tool_error()


async def preview_message(
    session: AsyncSession,
    channel: str,
    message: MessageIn,
    audience: SegmentFilter | None,
    offer: str | None = None,
    coupon_code: str | None = None,
) -> dict[str, Any]:
    try:
        variables = checked_variables(message, channel)
    except InvalidInput as exc:
        return {"valid": False, "error": exc.detail[0]["msg"], "field": exc.detail[0]["loc"][-1]}
    result: dict[str, Any] = {"valid": True, "variables": variables, "characters": len(message.body)}
    values = {"offer": offer, "coupon_code": coupon_code, "link": SAMPLE_LINK}
    if offer:
        result["offer"] = offer
    if coupon_code:
        result["coupon_code"] = coupon_code
    recipients: list[dict[str, Any]] = []
    if audience is not None:
        where = compile_filter(audience, Clock())
        sample = await campaign_repo.reachable_sample(session, where, channel, 3)
        recipients = [customer_context(*row) for row in sample]
        if recipients:
            context = {**recipients[0], **values}
            result["rendered_sample"] = {
                "customer": context["name"],
                "subject": render(message.subject, context) if message.subject else None,
                "body": render(message.body, context),
            }
        result["missing_variable_counts"] = await campaign_repo.missing_variable_counts(
            session, where, channel, variables
        )
    review = await review_copy(
        session,
        channel=channel,
        subject=message.subject,
        body=message.body,
        audience=audience,
        offer=offer,
        coupon_code=coupon_code,
        recipients=recipients,
    )
    if review.sms is not None:
        result["sms"] = review.sms.as_dict()
        if audience is not None:
            reach = await reachable_count(session, audience, channel)
            result["sms"]["estimated_cost"] = round(reach * review.sms.segments * SMS_COST_PER_SEGMENT, 2)
    result["problems"] = review.warnings()
    result["ready_to_stage"] = review.ok
    return result

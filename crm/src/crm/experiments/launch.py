"""What a launch does differently for an experiment: who is messaged now and with which variant,
and who is set aside (the holdout; in winner mode the rest, until the winner is known).

All of it is conditions on the customer id (crm.experiments.assignment), so the launch stays one
INSERT … SELECT for the messages plus one for the set-aside customers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, literal, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import get_settings
from crm.experiments.assignment import arm_expression, holdout_condition, in_test_share_condition
from crm.messages.reach import reachable
from crm.models import Campaign, Customer, CustomerStats, ExperimentMember
from crm.models.experiment_member import HOLDOUT, REST


@dataclass(frozen=True)
class ExperimentPlan:
    messaged_now: ColumnElement[bool] | None
    variant: ColumnElement[int] | None
    holdout: ColumnElement[bool] | None
    rest: ColumnElement[bool] | None


def experiment_plan(campaign: Campaign) -> ExperimentPlan:
    """The launch's conditions on Customer.id; all None for a campaign without an experiment."""
    customer = Customer.id
    holdout = holdout_condition(campaign.id, customer, campaign.holdout_percent) if campaign.holdout_percent else None
    variant = arm_expression(campaign.id, customer, len(campaign.variants)) if campaign.variants else None
    messaged = not_(holdout) if holdout is not None else None
    rest = None
    if campaign.winner_mode is not None:
        tested = in_test_share_condition(campaign.id, customer, float(campaign.winner_mode["test_percent"]))
        rest = and_(not_(holdout), not_(tested)) if holdout is not None else not_(tested)
        messaged = and_(messaged, tested) if messaged is not None else tested
    return ExperimentPlan(messaged_now=messaged, variant=variant, holdout=holdout, rest=rest)


async def set_aside(
    session: AsyncSession, campaign: Campaign, where: ColumnElement[bool], condition: ColumnElement[bool], role: str
) -> int:
    """Records the reachable audience members matching `condition` as holdout / rest members."""
    source = (
        select(literal(campaign.id).label("campaign_id"), Customer.id.label("customer_id"), literal(role).label("role"))
        .select_from(Customer)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(where, reachable(campaign.channel), condition)
    )
    table: Any = ExperimentMember.__table__
    result = await session.execute(table.insert().from_select(["campaign_id", "customer_id", "role"], source))
    return int(getattr(result, "rowcount", 0) or 0)


async def experiment_launch(
    session: AsyncSession, campaign: Campaign, where: ColumnElement[bool], plan: ExperimentPlan, now: datetime
) -> dict[str, Any]:
    """Sets the holdout and (winner mode) the rest aside, and fixes when the winner is decided.
    Returns what the audit entry of the launch adds."""
    details: dict[str, Any] = {}
    if plan.holdout is not None:
        details["holdout"] = await set_aside(session, campaign, where, plan.holdout, HOLDOUT)
        details["holdout_percent"] = campaign.holdout_percent
    if campaign.variants:
        details["variants"] = [v["name"] for v in campaign.variants]
    if plan.rest is not None and campaign.winner_mode is not None:
        details["waiting_for_winner"] = await set_aside(session, campaign, where, plan.rest, REST)
        hours = float(campaign.winner_mode["decide_after_hours"]) / get_settings().sim_time_scale
        campaign.decide_at = now + timedelta(hours=hours)
        details["decide_at"] = campaign.decide_at.isoformat()
        await session.flush()
    return details

"""Experiment results for the stats endpoint, and winner mode's decision."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.analytics.schemas import (
    ExperimentStats,
    Funnel,
    GroupStats,
    LiftStats,
    OrderAttribution,
    VariantStats,
)
from crm.audit import service as audit
from crm.config import get_settings
from crm.db import utcnow
from crm.errors import Conflict, NotFound
from crm.experiments import repository as repo
from crm.experiments.statistics import ArmOutcome, GroupOutcome, WinnerMetric, decide_winner, holdout_lift
from crm.messages import queue as message_queue
from crm.models import Campaign, Customer, ExperimentMember
from crm.models.experiment_member import REST
from crm.money import from_minor


def window() -> tuple[float, timedelta]:
    """The attribution window: its setting in days, and its real length (simulated time shrinks it)."""
    settings = get_settings()
    days = settings.attribution_window_days
    return days, timedelta(days=days / settings.sim_time_scale)


def is_experiment(campaign: Campaign) -> bool:
    return bool(campaign.variants or campaign.holdout_percent or campaign.winner_mode)


def group_stats(group: GroupOutcome) -> GroupStats:
    return GroupStats(
        customers=group.customers,
        converted=group.converted,
        revenue=round(group.revenue, 2),
        conversion_rate=round(group.conversion_rate, 4),
        revenue_per_customer=round(group.revenue_per_customer, 2),
    )


class ExperimentService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def order_attribution(
        self, campaign: Campaign
    ) -> tuple[OrderAttribution, dict[int | None, list[int]], dict[int | None, int]]:
        """The campaign's attributed orders; per variant, each buyer's attributed revenue (minor
        units) and the number of attributed orders."""
        days, length = window()
        rows = (
            await repo.attributed_orders(self.session, campaign.id, campaign.launched_at, int(length.total_seconds()))
            if campaign.launched_at is not None
            else []
        )
        revenues: dict[int | None, list[int]] = defaultdict(list)
        counts: dict[int | None, int] = defaultdict(int)
        for variant, _, n, minor in rows:
            revenues[variant].append(minor)
            counts[variant] += n
        attribution = OrderAttribution(
            orders=sum(counts.values()),
            customers=len({customer for _, customer, _, _ in rows}),
            revenue=from_minor(sum(minor for *_, minor in rows)),
            window_days=days,
        )
        return attribution, revenues, counts

    async def stats(
        self, campaign: Campaign, attributed: dict[int | None, list[int]], orders_by_variant: dict[int | None, int]
    ) -> ExperimentStats | None:
        if not is_experiment(campaign):
            return None
        variants = None
        if campaign.variants:
            funnels = await repo.variant_funnels(self.session, campaign.id)
            variants = []
            for index, arm in enumerate(campaign.variants):
                row = funnels.get(index, {})
                recipients = int(row.get("recipients", 0))
                revenue = from_minor(int(row.get("revenue_minor", 0)))
                attributed_revenue = from_minor(sum(attributed.get(index, [])))
                variants.append(
                    VariantStats(
                        name=arm["name"],
                        recipients=recipients,
                        funnel=Funnel(**{stage: int(row.get(stage, 0)) for stage in Funnel.model_fields}),
                        revenue=revenue,
                        revenue_per_recipient=round(revenue / recipients, 2) if recipients else 0.0,
                        attributed_orders=orders_by_variant.get(index, 0),
                        attributed_revenue=attributed_revenue,
                        attributed_revenue_per_recipient=round(attributed_revenue / recipients, 2)
                        if recipients
                        else 0.0,
                        winner=campaign.winner_variant == index,
                    )
                )
        holdout = messaged = lift = None
        if campaign.holdout_percent and campaign.launched_at is not None:
            days, length = window()
            start, end = campaign.launched_at, campaign.launched_at + length
            treated = await self._group(repo.messaged_customers(campaign.id), start, end)
            control = await self._group(repo.holdout_customers(campaign.id), start, end)
            holdout, messaged = group_stats(control), group_stats(treated)
            result = holdout_lift(treated, control)
            lift = LiftStats(
                conversion_rate=round(result.conversion_rate, 4),
                ci95=[round(x, 4) for x in result.conversion_ci95] if result.conversion_ci95 else None,
                method=result.conversion_method,
                revenue_per_recipient=round(result.revenue_per_customer, 2),
                revenue_ci95=[round(x, 2) for x in result.revenue_ci95] if result.revenue_ci95 else None,
                revenue_method=result.revenue_method,
                incremental_conversions=round(result.incremental_conversions, 1),
                incremental_revenue=round(result.incremental_revenue, 2),
                window_days=days,
                window_ends_at=end,
                window_complete=utcnow() >= end,
            )
        return ExperimentStats(variants=variants, holdout=holdout, messaged=messaged, lift=lift)

    async def _group(self, members: repo.Members, start: datetime, end: datetime) -> GroupOutcome:
        customers = await repo.group_size(self.session, members)
        revenues = [from_minor(v) for v in await repo.group_revenues(self.session, members, start, end)]
        return GroupOutcome(customers=customers, converted=len(revenues), revenues=revenues)

    async def decide(self, campaign_id: int, decided_by: str, now: datetime | None = None) -> Campaign:
        """Winner mode: picks the winner of the test share, records it with its numbers in the
        audit log, and queues the rest of the audience with the winning variant only."""
        now = now or utcnow()
        campaign = await self.session.get(Campaign, campaign_id, with_for_update=True)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        if campaign.winner_mode is None or not campaign.variants or campaign.launched_at is None:
            raise Conflict(f"campaign {campaign_id} is not a launched campaign in winner mode")
        if campaign.winner_decided_at is not None:
            raise Conflict(f"campaign {campaign_id}'s winner is already decided")
        metric: WinnerMetric = campaign.winner_mode["metric"]
        funnels = await repo.variant_funnels(self.session, campaign.id)
        _, attributed, _ = await self.order_attribution(campaign)
        arms = [
            ArmOutcome(
                name=arm["name"],
                recipients=int(funnels.get(index, {}).get("recipients", 0)),
                clicked=int(funnels.get(index, {}).get("clicked", 0)),
                converted=len(attributed.get(index, [])),
                revenues=[from_minor(v) for v in attributed.get(index, [])],
            )
            for index, arm in enumerate(campaign.variants)
        ]
        decision = decide_winner(arms, metric, seed=campaign.id)
        rest = select(ExperimentMember.customer_id).where(
            ExperimentMember.campaign_id == campaign.id, ExperimentMember.role == REST
        )
        queued = await message_queue.queue_campaign(
            self.session, campaign, Customer.id.in_(rest), due_at=now, variant=literal(decision.winner)
        )
        campaign.winner_variant = decision.winner
        campaign.winner_decided_at = now
        campaign.queued_count = (campaign.queued_count or 0) + queued
        if queued and campaign.status == "completed":
            campaign.status, campaign.completed_at = "running", None
        await self.session.flush()
        await audit.record(
            self.session,
            decided_by,
            "experiment_decided",
            "campaign",
            campaign.id,
            decision.summary(arms) + f"; the rest ({queued:,}) get it",
            {
                "rule": decision.rule,
                "metric": metric,
                "threshold": decision.threshold,
                "confident": decision.confident,
                "posterior_draws": decision.draws,
                "winner": arms[decision.winner].name,
                "arms": [
                    {
                        "name": arm.name,
                        "recipients": arm.recipients,
                        "clicked": arm.clicked,
                        "converted": arm.converted,
                        "value": round(value, 6),
                        "probability_best": round(probability, 4),
                    }
                    for arm, value, probability in zip(arms, decision.values, decision.probabilities, strict=True)
                ],
                "rest_queued": queued,
            },
        )
        return campaign


async def decide_due_winners(maker: async_sessionmaker[AsyncSession], now: datetime | None = None) -> list[int]:
    """One pass: every winner-mode campaign whose decision time has come is decided, each in its
    own transaction."""
    now = now or utcnow()
    async with maker() as session:
        due = await repo.due_decisions(session, now)
    decided: list[int] = []
    for campaign_id in due:
        async with maker() as session, session.begin():
            try:
                await ExperimentService(session).decide(campaign_id, "scheduler", now)
            except Conflict:
                continue  # decided elsewhere meanwhile
            decided.append(campaign_id)
    return decided

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from crm.analytics.schemas import (
    CampaignStats,
    ChannelStats,
    Funnel,
    QueueCounts,
    Rates,
    TimePoint,
)
from crm.db import utcnow
from crm.experiments.service import ExperimentService
from crm.messages import stats
from crm.models import Campaign
from crm.money import from_minor

BUCKETS = (60, 300, 900, 3600, 6 * 3600, 86400)
MAX_POINTS = 72


def ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def choose_bucket(span_seconds: float) -> int:
    for size in BUCKETS:
        if span_seconds / size <= MAX_POINTS:
            return size
    return BUCKETS[-1]


def empty_funnel() -> dict[str, int]:
    return dict.fromkeys(stats.STAGES, 0)


class AnalyticsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def campaign_stats(self, campaign: Campaign) -> CampaignStats:
        where = stats.of_campaign(campaign.id)
        per_channel = await stats.funnel_by_channel(self.session, where)
        totals = empty_funnel()
        revenue_minor = 0
        for row in per_channel:
            for stage in totals:
                totals[stage] += row[stage]
            revenue_minor += row["revenue_minor"]
        funnel = Funnel(**totals)
        queue: Counter[str] = Counter()
        statuses: Counter[str] = Counter()
        for state, status, n in await stats.state_status_counts(self.session, where):
            queue[state] += n
            statuses[status] += n
        timeseries, bucket = await self._timeseries(where)
        experiments = ExperimentService(self.session)
        attribution, attributed, attributed_counts = await experiments.order_attribution(campaign)
        experiment = await experiments.stats(campaign, attributed, attributed_counts)
        return CampaignStats(
            campaign_id=campaign.id,
            status=campaign.status,
            audience=campaign.audience_count or 0,
            suppressed={
                "no_contact": campaign.suppressed_no_contact or 0,
                "no_consent": campaign.suppressed_no_consent or 0,
            },
            queue=QueueCounts(
                queued=queue.get("queued", 0),
                claimed=queue.get("claimed", 0),
                dispatched=queue.get("dispatched", 0),
                failed=queue.get("failed", 0),
            ),
            funnel=funnel,
            rates=Rates(
                delivery_rate=ratio(funnel.delivered, funnel.sent),
                open_rate=ratio(funnel.opened, funnel.delivered),
                read_rate=ratio(funnel.read, funnel.delivered),
                click_rate=ratio(funnel.clicked, funnel.delivered),
                conversion_rate=ratio(funnel.converted, funnel.delivered),
            ),
            revenue=from_minor(revenue_minor),
            revenue_per_message=round(from_minor(revenue_minor) / funnel.sent, 2) if funnel.sent else 0.0,
            per_channel=[
                ChannelStats(
                    channel=row["channel"],
                    funnel=Funnel(**{s: row[s] for s in stats.STAGES}),
                    revenue=from_minor(row["revenue_minor"]),
                )
                for row in per_channel
            ],
            timeseries=timeseries,
            bucket_seconds=bucket,
            failure_reasons=await stats.failure_reasons(self.session, where),
            statuses=dict(statuses),
            order_attribution=attribution,
            variants=experiment.variants if experiment else None,
            holdout=experiment.holdout if experiment else None,
            messaged=experiment.messaged if experiment else None,
            lift=experiment.lift if experiment else None,
            updated_at=utcnow(),
        )

    async def _timeseries(self, where: ColumnElement[bool]) -> tuple[list[TimePoint], int]:
        span = await stats.lifecycle_time_range(self.session, where)
        if span is None:
            return [], BUCKETS[0]
        bucket = choose_bucket((span[1] - span[0]).total_seconds())
        points: dict[int, dict[str, int]] = defaultdict(dict)
        for start, kind, count in await stats.lifecycle_buckets(self.session, where, bucket):
            points[start][kind] = count
        return [
            TimePoint(at=datetime.fromtimestamp(start, UTC), counts=counts) for start, counts in sorted(points.items())
        ], bucket

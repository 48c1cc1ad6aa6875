from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Funnel(BaseModel):
    """Messages that reached at least each stage (crm.analytics.lifecycle): monotone per channel."""

    sent: int
    delivered: int
    opened: int
    read: int
    clicked: int
    converted: int
    failed: int


class Rates(BaseModel):
    delivery_rate: float = Field(description="delivered / sent")
    open_rate: float = Field(description="opened / delivered (email)")
    read_rate: float = Field(description="read / delivered (WhatsApp, RCS)")
    click_rate: float = Field(description="clicked / delivered")
    conversion_rate: float = Field(description="converted / delivered")


class QueueCounts(BaseModel):
    queued: int
    claimed: int
    dispatched: int
    failed: int


class ChannelStats(BaseModel):
    channel: str
    funnel: Funnel
    revenue: float


class TimePoint(BaseModel):
    at: datetime = Field(description="the bucket's start")
    counts: dict[str, int] = Field(
        description="messages that first reached each lifecycle stage in this bucket: each message once per "
        "stage, at its earliest receipt of that type, as the funnel counts them"
    )


class CampaignStats(BaseModel):
    """`funnel.converted` and `revenue` are provider conversions (receipts); `order_attribution`
    is the same campaign measured by orders."""

    campaign_id: int
    status: str
    audience: int
    suppressed: dict[str, int]
    queue: QueueCounts
    funnel: Funnel
    rates: Rates
    revenue: float
    revenue_per_message: float
    per_channel: list[ChannelStats]
    timeseries: list[TimePoint]
    bucket_seconds: int
    failure_reasons: dict[str, int]
    order_attribution: OrderAttribution | None = None
    variants: list[VariantStats] | None = None
    holdout: GroupStats | None = None
    messaged: GroupStats | None = None
    lift: LiftStats | None = None
    statuses: dict[str, int] = Field(
        description="communications per status, each counted once at its furthest stage "
        "(converted > clicked > read > opened > delivered > failed > sent, else its queue state)"
    )
    updated_at: datetime


class VariantStats(BaseModel):
    """One arm of an experiment."""

    name: str
    recipients: int = Field(description="messages of this variant (queued or sent)")
    funnel: Funnel
    revenue: float = Field(description="from provider `converted` receipts, as the campaign's `revenue`")
    revenue_per_recipient: float = Field(description="revenue / recipients")
    attributed_orders: int = Field(description="orders attributed to this variant's messages (last touch)")
    attributed_revenue: float
    attributed_revenue_per_recipient: float
    winner: bool = False


class GroupStats(BaseModel):
    """Customers of one side of a holdout test and what they ordered within the window after launch."""

    customers: int
    converted: int = Field(description="customers with at least one order in the window")
    revenue: float
    conversion_rate: float
    revenue_per_customer: float


class LiftStats(BaseModel):
    """Messaged minus holdout, from orders placed within the attribution window after launch."""

    conversion_rate: float = Field(description="difference in the share of customers who ordered")
    ci95: list[float] | None = Field(description="95% interval of conversion_rate (None: not computable yet)")
    method: str
    revenue_per_recipient: float = Field(description="difference in revenue per customer")
    revenue_ci95: list[float] | None
    revenue_method: str
    incremental_conversions: float
    incremental_revenue: float
    window_days: float
    window_ends_at: datetime
    window_complete: bool


class OrderAttribution(BaseModel):
    """Orders credited to this campaign's messages: each order to the last message its customer
    received within the window before it (clicked, else delivered), so an order counts once."""

    label: str = "orders attributed to the last message received within the attribution window"
    orders: int
    customers: int
    revenue: float
    window_days: float


class ExperimentStats(BaseModel):
    variants: list[VariantStats] | None
    holdout: GroupStats | None
    messaged: GroupStats | None = Field(description="everyone not held out (intention to treat)")
    lift: LiftStats | None

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints, model_validator

from crm.api_types import BodyId
from crm.messages.reach import Channel as Channel  # re-exported: the copilot's tools name it from here
from crm.segments.dsl import SegmentFilter

CreatedBy = Literal["agent", "user"]


class MessageIn(BaseModel):
    subject: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    body: Annotated[str, StringConstraints(min_length=1, max_length=4000)]


Offer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
CouponCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_-]{2,40}$")]
DestinationUrl = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^https?://\S+$", max_length=1000)]


WinnerMetric = Literal["click_rate", "conversion_rate", "revenue_per_recipient"]


class VariantIn(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    message: MessageIn


class WinnerModeIn(BaseModel):
    """Send `test_percent` of the (non-holdout) audience first, split over the variants; after
    `decide_after_hours` (simulated: divided by SIM_TIME_SCALE) pick the winner on `metric` by its
    Bayesian probability of being best, and send the rest only the winner."""

    metric: WinnerMetric = "click_rate"
    test_percent: float = Field(20, ge=5, le=80)
    decide_after_hours: float = Field(4, gt=0, le=24 * 30)


class ExperimentFields(BaseModel):
    variants: Annotated[list[VariantIn], Field(min_length=2, max_length=5)] | None = Field(
        None, description="2-5 messages instead of `message`; each customer gets one, by a stable random split"
    )
    holdout_percent: float = Field(
        0, ge=0, le=50, description="a stable random share of the reachable audience that is never messaged"
    )
    winner: WinnerModeIn | None = Field(None, description="winner mode (needs variants)")

    def _check_experiment(self) -> None:
        if self.variants is not None:
            names = [v.name.lower() for v in self.variants]
            if len(set(names)) != len(names):
                raise ValueError("variant names must differ")
        if self.winner is not None and self.variants is None:
            raise ValueError("winner mode needs variants")


class CampaignCreate(ExperimentFields):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    segment_id: BodyId | None = None
    filter: SegmentFilter | None = None
    channel: Channel
    message: MessageIn | None = None
    channel_reason: Annotated[str, StringConstraints(max_length=1000)] | None = None
    offer: Offer | None = Field(None, description="the value of {{ offer }}, e.g. 10% off")
    coupon_code: CouponCode | None = Field(None, description="the value of {{ coupon_code }}")
    destination_url: DestinationUrl | None = Field(
        None, description="where {{ link }} leads (with UTM parameters); the brand's default when unset"
    )

    @model_validator(mode="after")
    def _one_audience(self) -> CampaignCreate:
        if (self.segment_id is None) == (self.filter is None):
            raise ValueError("give exactly one of segment_id or filter")
        if (self.message is None) == (self.variants is None):
            raise ValueError("give exactly one of message or variants")
        self._check_experiment()
        return self

    @property
    def first_message(self) -> MessageIn:
        """The message, or variant A's (what previews and test sends show)."""
        if self.message is not None:
            return self.message
        assert self.variants is not None
        return self.variants[0].message


class CampaignUpdate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    segment_id: BodyId | None = None
    filter: SegmentFilter | None = None
    channel: Channel | None = None
    message: MessageIn | None = None
    channel_reason: Annotated[str, StringConstraints(max_length=1000)] | None = None
    offer: Offer | None = None
    coupon_code: CouponCode | None = None
    destination_url: DestinationUrl | None = None
    variants: Annotated[list[VariantIn], Field(min_length=2, max_length=5)] | None = None
    holdout_percent: float | None = Field(None, ge=0, le=50)
    winner: WinnerModeIn | None = None

    @model_validator(mode="after")
    def _one_audience(self) -> CampaignUpdate:
        if self.segment_id is not None and self.filter is not None:
            raise ValueError("give segment_id or filter, not both")
        if self.message is not None and self.variants is not None:
            raise ValueError("give message or variants, not both")
        return self


class MessageRead(BaseModel):
    subject: str | None
    body: str


class VariantRead(BaseModel):
    name: str
    message: MessageRead


class WinnerModeRead(WinnerModeIn):
    decide_at: datetime | None = Field(description="when the winner is picked (set at launch)")
    decided_at: datetime | None
    winner: str | None = Field(description="the winning variant's name, once decided")


class Suppressed(BaseModel):
    no_contact: int
    no_consent: int


class CampaignRead(BaseModel):
    id: int
    uid: str = Field(description="stable public key; its messages' communication ids are '<uid>-<customer id>'")
    name: str
    status: Literal["draft", "scheduled", "running", "completed"]
    channel: Channel
    segment_id: int | None
    filter: SegmentFilter
    explanation: str
    audience_count: int
    message: MessageRead
    template_variables: list[str]
    channel_reason: str | None
    offer: str | None = None
    coupon_code: str | None = None
    destination_url: str | None = None
    created_by: CreatedBy
    suppressed: Suppressed | None
    queued: int | None
    variants: list[VariantRead] | None = None
    holdout_percent: float = 0
    winner: WinnerModeRead | None = None
    scheduled_at: datetime | None = Field(description="when a `scheduled` campaign starts")
    scheduled_by: str | None
    launched_at: datetime | None
    launched_by: str | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class RenderedMessage(BaseModel):
    customer_id: int
    customer_name: str | None
    to: str | None
    subject: str | None
    body: str
    missing_variables: list[str]


class CampaignPreview(BaseModel):
    audience_count: int
    reachable: int
    suppressed: Suppressed
    samples: list[RenderedMessage]
    missing_variable_counts: dict[str, int] = Field(
        description="how many reachable recipients have no value for each variable the message uses"
    )
    sms: dict[str, Any] | None = Field(
        None,
        description="SMS only: encoding (gsm7|ucs2), characters, segments, per_segment, cost_per_message "
        "(rupees) and estimated_cost for the reachable audience, for the longest sample rendering",
    )
    warnings: list[dict[str, Any]] = Field(
        default_factory=list,
        description="copy checks that fail: {rule, message, false_for?, recipients?} — a claim false for some "
        "recipients, a broken fallback, a channel limit",
    )


class LaunchRequest(BaseModel):
    launched_by: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    scheduled_at: AwareDatetime | None = Field(
        None,
        description="launch later: the campaign is `scheduled` until then (its audience is evaluated at that"
        " moment) and `POST .../cancel` returns it to draft; a time already past launches now",
    )


class TestSendRequest(BaseModel):
    to: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)] = Field(
        description="an email address for an email campaign, else a phone number"
    )


class TestSendResult(BaseModel):
    communication_id: str = Field(description="starts with `test-`: it never counts in any stats")
    channel: Channel
    to: str
    subject: str | None
    body: str
    rendered_for: str | None = Field(
        description="whose details filled the variables (the customer with that address, else a sample recipient)"
    )


class ChannelOptionsRequest(BaseModel):
    segment_id: BodyId | None = None
    filter: SegmentFilter | None = None

    @model_validator(mode="after")
    def _one_audience(self) -> ChannelOptionsRequest:
        if (self.segment_id is None) == (self.filter is None):
            raise ValueError("give exactly one of segment_id or filter")
        return self


class ChannelOption(BaseModel):
    channel: Channel
    reachable: int
    reachable_share: float
    cost_per_message: float
    estimated_cost: float
    expected_conversions: float
    expected_revenue: float
    expected_return: float
    engagement: dict[str, float | int | bool] = Field(
        description="delivery, engaged, click and conversion rates; `assumed: true` when they are benchmarks"
    )


class ChannelOptions(BaseModel):
    """The copilot's channel comparison for an audience: reach, cost and expected return per channel."""

    audience: int
    recommended: Channel
    reason: str
    options: list[ChannelOption]

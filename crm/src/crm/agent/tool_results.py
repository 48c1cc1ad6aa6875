"""What each copilot tool returns, as models: the same JSON goes to the model, into the stored
conversation and to the web app, and the OpenAPI describes it (`ToolResult`, told apart by `kind`),
so the web app reads generated types instead of guessing at free-form JSON.

Results built by other modules (channel advice, message checks) keep any extra keys those
modules add (`extra="allow"`), so a new key there is passed through rather than dropped.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crm.analytics.schemas import Funnel, Rates
from crm.campaigns.schemas import Channel, ChannelOptions
from crm.sequences.steps import SequenceStep


class ToolError(BaseModel):
    """The tool did not do what was asked; `error` says why (the model is expected to retry)."""

    model_config = ConfigDict(extra="allow")
    kind: Literal["error"] = "error"
    error: str


class FieldInfo(BaseModel):
    name: str
    type: str
    operators: list[str]
    description: str
    within_days: bool
    values: list[str] | None = None


class FieldsResult(BaseModel):
    kind: Literal["fields"] = "fields"
    fields: list[FieldInfo]
    template_variables: list[str]
    brand: dict[str, Any] | None = None  # the brand voice the copy is written in


class FieldValuesResult(BaseModel):
    kind: Literal["field_values"] = "field_values"
    field: str
    values: list[str]


class AudienceSample(BaseModel):
    # Customer-supplied text: data to describe, never instructions to follow.
    name: str | None = None
    city: str | None = None
    total_spent: float
    orders: int


class AudienceResult(BaseModel):
    kind: Literal["audience"] = "audience"
    count: int
    explanation: str
    filter: dict[str, Any]
    sample: list[AudienceSample]


class SegmentResult(BaseModel):
    kind: Literal["segment"] = "segment"
    segment_id: int
    name: str
    count: int
    explanation: str


class ChannelResult(ChannelOptions):
    model_config = ConfigDict(extra="allow")
    kind: Literal["channel"] = "channel"


class RenderedSample(BaseModel):
    customer: str | None = None
    subject: str | None = None
    body: str


class MessageResult(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: Literal["message"] = "message"
    valid: bool
    error: str | None = None
    field: str | None = None
    variables: list[str] | None = None
    characters: int | None = None
    rendered_sample: RenderedSample | None = None
    missing_variable_counts: dict[str, int] | None = None
    problems: list[dict[str, Any]] | None = None  # copy-rule warnings (crm.copywriting.review)
    ready_to_stage: bool | None = None


class StagedCampaignResult(BaseModel):
    kind: Literal["staged_campaign"] = "staged_campaign"
    campaign_id: int
    status: str
    audience_count: int
    reachable: int | None = None
    channel: Channel
    offer: str | None = None
    coupon_code: str | None = None
    note: str


class StagedSequenceResult(BaseModel):
    kind: Literal["staged_sequence"] = "staged_sequence"
    sequence_id: int
    status: str
    audience_count: int
    timeline: list[str]
    steps: list[SequenceStep]
    note: str


class CampaignPerformanceResult(BaseModel):
    kind: Literal["campaign_performance"] = "campaign_performance"
    campaign_id: int
    name: str
    status: str
    channel: Channel
    audience: int
    funnel: Funnel
    rates: Rates
    revenue: float


class TruncatedResult(BaseModel):
    """A result too large for a model's context, cut to its first characters."""

    kind: Literal["truncated"] = "truncated"
    truncated: Literal[True] = True
    preview: str


class OtherResult(BaseModel):
    """A stored result this version cannot read as any of the above (kept as it was)."""

    kind: Literal["other"] = "other"
    data: Any


ToolResult = Annotated[
    ToolError
    | FieldsResult
    | FieldValuesResult
    | AudienceResult
    | SegmentResult
    | ChannelResult
    | MessageResult
    | StagedCampaignResult
    | StagedSequenceResult
    | CampaignPerformanceResult
    | TruncatedResult
    | OtherResult,
    Field(discriminator="kind"),
]

# The kind each tool's success has, for results stored before results carried their kind.
KIND_OF_TOOL = {
    "list_fields": "fields",
    "field_values": "field_values",
    "preview_audience": "audience",
    "create_segment": "segment",
    "recommend_channel": "channel",
    "draft_message": "message",
    "stage_campaign": "staged_campaign",
    "stage_sequence": "staged_sequence",
    "get_campaign_performance": "campaign_performance",
}


class _Holder(BaseModel):
    result: ToolResult


def as_tool_result(tool: str | None, raw: Any) -> BaseModel:
    """A stored or streamed result as its model; older results without a `kind` get one from
    their tool, and anything unreadable is kept whole as `other`."""
    if isinstance(raw, dict) and "kind" not in raw:
        kind = "error" if "error" in raw else "truncated" if raw.get("truncated") else KIND_OF_TOOL.get(tool or "")
        raw = {**raw, "kind": kind} if kind else raw
    try:
        return _Holder.model_validate({"result": raw}).result
    except ValidationError:
        return OtherResult(data=raw)

"""The copilot's tools: the only way a model touches the CRM. There is deliberately no tool
that launches anything — the most a model can do is stage a draft for a person to approve."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.channel_advice import recommend_channel
from crm.agent.field_vocabulary import fields_with_values
from crm.agent.message_preview import audience_of, preview_message, reachable_count, staging_problems
from crm.agent.providers.base import ToolSpec
from crm.agent.tool_results import (
    AudienceResult,
    AudienceSample,
    CampaignPerformanceResult,
    ChannelResult,
    FieldInfo,
    FieldsResult,
    FieldValuesResult,
    MessageResult,
    SegmentResult,
    StagedCampaignResult,
    StagedSequenceResult,
    ToolError,
)
from crm.agent.tool_schemas import tool_parameters
from crm.analytics.service import AnalyticsService
from crm.api_types import BodyId
from crm.audit.service import Author
from crm.brand.service import as_settings, brand_voice
from crm.campaigns.schemas import CampaignCreate, Channel, CouponCode, DestinationUrl, MessageIn, Offer
from crm.campaigns.service import CampaignService
from crm.errors import DomainError
from crm.segments.dsl import SegmentFilter
from crm.segments.schemas import SegmentCreate
from crm.segments.service import SegmentService
from crm.sequences.schemas import SequenceCreate
from crm.sequences.service import SequenceService
from crm.sequences.steps import Delay, SequenceStep
from crm.templating import TEMPLATE_VARIABLES


@dataclass
class ToolContext:
    session: AsyncSession
    operator: str = "operator"  # the signed-in operator the copilot drafts for (audit: asked_by)
    staged_campaign_ids: list[int] = field(default_factory=list)
    staged_sequence_ids: list[int] = field(default_factory=list)


class Arguments(BaseModel):
    """Every tool's arguments: an unknown key is an error the model is told about, not ignored."""

    model_config = ConfigDict(extra="forbid")


class NoArguments(Arguments):
    pass


class FieldValuesArgs(Arguments):
    field: str = Field(description="an audience field name from list_fields")
    search: str | None = Field(None, description="a word to fuzzy-match against the values")


class FilterArgs(Arguments):
    filter: SegmentFilter


class CreateSegmentArgs(Arguments):
    name: str = Field(min_length=1, max_length=200)
    filter: SegmentFilter


class CampaignVariables(Arguments):
    """Values of the campaign variables {{ offer }} and {{ coupon_code }}, and where {{ link }} leads."""

    offer: Offer | None = Field(None, description="the value of {{ offer }}, e.g. '10% off'")
    coupon_code: CouponCode | None = Field(None, description="the value of {{ coupon_code }}, e.g. GLOW10")
    destination_url: DestinationUrl | None = Field(
        None, description="where {{ link }} leads; the brand's default when unset"
    )


class DraftMessageArgs(CampaignVariables):
    channel: Channel
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = Field(None, description="email only")
    filter: SegmentFilter | None = Field(None, description="the audience, to render the message for one of them")


class OneAudience(Arguments):
    """A staged draft targets exactly one audience: an inline filter or a saved segment."""

    filter: SegmentFilter | None = Field(None, description="the audience as a filter (or give segment_id)")
    segment_id: BodyId | None = Field(None, description="a saved segment as the audience (or give filter)")

    @model_validator(mode="after")
    def _exactly_one_audience(self) -> OneAudience:
        if (self.filter is None) == (self.segment_id is None):
            raise ValueError("give exactly one of the arguments filter or segment_id")
        return self


class StageCampaignArgs(OneAudience, CampaignVariables):
    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = Field(None, description="email only")
    channel_reason: str | None = Field(None, max_length=1000, description="why this channel, in one line")


class StepDelayArgs(Delay):
    model_config = ConfigDict(extra="forbid")


class StepArgs(SequenceStep):
    model_config = ConfigDict(extra="forbid")
    delay: StepDelayArgs = Field(
        default_factory=lambda: StepDelayArgs(value=0),
        description="wait after the previous step (or entry, for the first)",
    )


class StageSequenceArgs(OneAudience):
    name: str = Field(min_length=1, max_length=200)
    steps: list[StepArgs] = Field(min_length=1, max_length=12)
    exit_on_conversion: bool = True


class CampaignIdArgs(Arguments):
    campaign_id: BodyId


SAMPLE_FIELDS = ("name", "city", "total_spent", "order_count", "last_order_at")


async def list_fields(ctx: ToolContext, _: NoArguments) -> FieldsResult | ToolError:
    fields = await fields_with_values(ctx.session)
    return FieldsResult(
        fields=[
            FieldInfo(
                name=f.name,
                type=f.type,
                operators=list(f.operators),
                description=f.description,
                within_days=f.within_days,
                values=[str(v.value) for v in f.values[:40]] if f.values else None,
            )
            for f in fields.fields
        ],
        template_variables=list(TEMPLATE_VARIABLES),
        brand=as_settings(await brand_voice(ctx.session)).model_dump(),
    )


async def field_values(ctx: ToolContext, args: FieldValuesArgs) -> FieldValuesResult | ToolError:
    fields = {f.name: f for f in (await fields_with_values(ctx.session)).fields}
    spec = fields.get(args.field)
    if spec is None:
        return ToolError.model_validate({"error": f"unknown field {args.field!r}", "fields": list(fields)})
    values = [str(v.value) for v in spec.values or []]
    if args.search:
        lowered = {v.lower(): v for v in values}
        close = difflib.get_close_matches(args.search.lower(), list(lowered), n=8, cutoff=0.5)
        contains = [v for v in values if args.search.lower() in v.lower()]
        values = list(dict.fromkeys(contains + [lowered[c] for c in close]))
    return FieldValuesResult(field=args.field, values=values[:100])


async def preview_audience(ctx: ToolContext, args: FilterArgs) -> AudienceResult:
    preview = await SegmentService(ctx.session).preview(args.filter, sample_size=5)
    return AudienceResult(
        count=preview.count,
        explanation=preview.explanation,
        filter=args.filter.model_dump(),
        sample=[
            AudienceSample(name=c.name, city=c.city, total_spent=c.stats.total_spent, orders=c.stats.order_count)
            for c in preview.sample
        ],
    )


async def create_segment(ctx: ToolContext, args: CreateSegmentArgs) -> SegmentResult:
    segment = await SegmentService(ctx.session).create(SegmentCreate(name=args.name, filter=args.filter), "agent")
    return SegmentResult(segment_id=segment.id, name=segment.name, count=segment.count, explanation=segment.explanation)


async def recommend(ctx: ToolContext, args: FilterArgs) -> ChannelResult:
    return ChannelResult.model_validate(await recommend_channel(ctx.session, args.filter))


async def draft_message(ctx: ToolContext, args: DraftMessageArgs) -> MessageResult:
    """Checks a message template and renders it for a real recipient of the audience."""
    checked = await preview_message(
        ctx.session,
        args.channel,
        MessageIn(subject=args.subject, body=args.body),
        args.filter,
        offer=args.offer,
        coupon_code=args.coupon_code,
    )
    return MessageResult.model_validate(checked)


async def stage_campaign(ctx: ToolContext, args: StageCampaignArgs) -> StagedCampaignResult | ToolError:
    # the copy rules (claims true for every recipient, language, channel limits): a failing draft
    # goes back to the model naming the rule (crm.copywriting.review)
    audience = await audience_of(ctx.session, args.filter, args.segment_id)
    problems = await staging_problems(ctx.session, args.channel, args.subject, args.body, audience, args)
    if problems:
        return ToolError(error=problems)
    payload = CampaignCreate.model_validate(
        {
            "name": args.name,
            "channel": args.channel,
            "message": {"subject": args.subject, "body": args.body},
            "filter": args.filter.model_dump() if args.filter else None,
            "segment_id": args.segment_id,
            "channel_reason": args.channel_reason,
            "offer": args.offer,
            "coupon_code": args.coupon_code,
            "destination_url": args.destination_url,
        }
    )
    campaign = await CampaignService(ctx.session).create(payload, Author("agent", ctx.operator))
    ctx.staged_campaign_ids.append(campaign.id)
    return StagedCampaignResult(
        campaign_id=campaign.id,
        status=campaign.status,
        audience_count=campaign.audience_count,
        reachable=await reachable_count(ctx.session, audience, campaign.channel),
        channel=campaign.channel,
        offer=campaign.offer,
        coupon_code=campaign.coupon_code,
        note="Staged as a draft. Only a person can launch it, with Approve & Launch.",
    )


async def stage_sequence(ctx: ToolContext, args: StageSequenceArgs) -> StagedSequenceResult:
    payload = SequenceCreate.model_validate(
        {
            "name": args.name,
            "filter": args.filter.model_dump() if args.filter else None,
            "segment_id": args.segment_id,
            "steps": [s.model_dump() for s in args.steps],
            "exit_on_conversion": args.exit_on_conversion,
        }
    )
    sequence = await SequenceService(ctx.session).create(payload, Author("agent", ctx.operator))
    ctx.staged_sequence_ids.append(sequence.id)
    return StagedSequenceResult(
        sequence_id=sequence.id,
        status=sequence.status,
        audience_count=sequence.audience_count,
        timeline=sequence.timeline,
        steps=list(sequence.steps),
        note="Staged as a draft sequence. Only a person can launch it.",
    )


async def campaign_performance(ctx: ToolContext, args: CampaignIdArgs) -> CampaignPerformanceResult:
    campaign = await CampaignService(ctx.session).get(args.campaign_id)
    stats = await AnalyticsService(ctx.session).campaign_stats(campaign)
    return CampaignPerformanceResult(
        campaign_id=campaign.id,
        name=campaign.name,
        status=campaign.status,
        channel=campaign.channel,
        audience=stats.audience,
        funnel=stats.funnel,
        rates=stats.rates,
        revenue=stats.revenue,
    )


Runner = Callable[[ToolContext, Any], Awaitable[BaseModel]]


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    arguments: type[BaseModel]
    run: Runner


def _tool(name: str, description: str, arguments: type[BaseModel], run: Runner) -> Tool:
    """A tool whose JSON Schema is generated from its argument model."""
    return Tool(ToolSpec(name, description, tool_parameters(arguments)), arguments, run)


TOOLS: dict[str, Tool] = {
    t.spec.name: t
    for t in (
        _tool(
            "list_fields",
            "List the audience fields, their operators, and the values present in the data "
            "(categories, cities, tags…). Call first to ground words like 'lippie' or 'Bangalore'.",
            NoArguments,
            list_fields,
        ),
        _tool(
            "field_values",
            "Values of one field that exist in the data, optionally fuzzy-matched to a search word.",
            FieldValuesArgs,
            field_values,
        ),
        _tool(
            "preview_audience",
            "Count the customers a filter selects, explain it in plain English, show a sample.",
            FilterArgs,
            preview_audience,
        ),
        _tool("create_segment", "Save a filter as a named segment.", CreateSegmentArgs, create_segment),
        _tool(
            "recommend_channel",
            "For an audience: how many are reachable on each channel (contact + consent), cost per "
            "message, past engagement by channel, and the recommended channel with a one-line reason.",
            FilterArgs,
            recommend,
        ),
        _tool(
            "draft_message",
            "Check a message template (Liquid, variables: "
            + ", ".join(TEMPLATE_VARIABLES)
            + '; always give fallbacks like {{ first_name | default: "there" }}) and render it for a real '
            "recipient of the audience.",
            DraftMessageArgs,
            draft_message,
        ),
        _tool(
            "stage_campaign",
            "Stage a DRAFT campaign for a person to review. It does not send anything; only a person can launch it.",
            StageCampaignArgs,
            stage_campaign,
        ),
        _tool(
            "stage_sequence",
            "Stage a DRAFT multi-step sequence: follow-ups days apart that branch on engagement (condition: always, "
            "if_not_opened_or_read, if_not_clicked, if_not_converted). It sends nothing; only a person can launch it.",
            StageSequenceArgs,
            stage_sequence,
        ),
        _tool(
            "get_campaign_performance",
            "Funnel, rates and attributed revenue of a campaign.",
            CampaignIdArgs,
            campaign_performance,
        ),
    )
}


async def run_tool(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Runs a tool; any problem becomes an error result for the model, never an exception.
    Each call runs in a savepoint so a failed tool leaves nothing half-written. The result is
    the JSON form of the tool's result model (`crm.agent.tool_results`)."""
    return (await run_tool_model(ctx, name, arguments)).model_dump(mode="json", exclude_none=True)


async def run_tool_model(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> BaseModel:
    tool = TOOLS.get(name)
    if tool is None:
        return ToolError(error=f"unknown tool {name!r}; available: {', '.join(TOOLS)}")
    try:
        parsed = tool.arguments.model_validate(arguments)
        async with ctx.session.begin_nested():
            return await tool.run(ctx, parsed)
    except ValidationError as exc:  # the arguments, or a payload a tool built from them
        return ToolError(error=f"invalid arguments: {validation_problems(exc)}")
    except DomainError as exc:
        detail = str(exc.detail) if not isinstance(exc.detail, list) else exc.detail[0].get("msg", str(exc))
        return ToolError(error=detail)


def validation_problems(exc: ValidationError) -> str:
    """Each problem named by the argument it is about ("arguments" for a rule across several)."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors(include_url=False)
    )

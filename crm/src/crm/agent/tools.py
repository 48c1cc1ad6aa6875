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
from crm.agent.tool_schemas import CHANNEL_SCHEMA, STEP_SCHEMA, filter_schema
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
from crm.sequences.steps import SequenceStep
from crm.templating import TEMPLATE_VARIABLES


@dataclass
class ToolContext:
    session: AsyncSession
    operator: str = "operator"  # the signed-in operator the copilot drafts for (audit: asked_by)
    staged_campaign_ids: list[int] = field(default_factory=list)
    staged_sequence_ids: list[int] = field(default_factory=list)


class NoArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldValuesArgs(BaseModel):
    field: str
    search: str | None = None


class FilterArgs(BaseModel):
    filter: SegmentFilter


class CreateSegmentArgs(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    filter: SegmentFilter


class CampaignVariables(BaseModel):
    """Values of the campaign variables {{ offer }} and {{ coupon_code }}, and where {{ link }} leads."""

    offer: Offer | None = None
    coupon_code: CouponCode | None = None
    destination_url: DestinationUrl | None = None


class DraftMessageArgs(CampaignVariables):
    channel: Channel
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = None
    filter: SegmentFilter | None = None


class OneAudience(BaseModel):
    """A staged draft targets exactly one audience: an inline filter or a saved segment."""

    filter: SegmentFilter | None = None
    segment_id: BodyId | None = None

    @model_validator(mode="after")
    def _exactly_one_audience(self) -> OneAudience:
        if (self.filter is None) == (self.segment_id is None):
            raise ValueError("give exactly one of the arguments filter or segment_id")
        return self


class StageCampaignArgs(OneAudience, CampaignVariables):
    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    body: str = Field(min_length=1, max_length=4000)
    subject: str | None = None
    channel_reason: str | None = Field(None, max_length=1000)


class StageSequenceArgs(OneAudience):
    name: str = Field(min_length=1, max_length=200)
    steps: list[SequenceStep] = Field(min_length=1, max_length=12)
    exit_on_conversion: bool = True


class CampaignIdArgs(BaseModel):
    campaign_id: BodyId


SAMPLE_FIELDS = ("name", "city", "total_spent", "order_count", "last_order_at")


async def list_fields(ctx: ToolContext, _: NoArguments) -> dict[str, Any]:
    fields = await fields_with_values(ctx.session)
    return {
        "fields": [
            {
                "name": f.name,
                "type": f.type,
                "operators": f.operators,
                "description": f.description,
                "within_days": f.within_days,
                **({"values": [v.value for v in f.values[:40]]} if f.values else {}),
            }
            for f in fields.fields
        ],
        "template_variables": list(TEMPLATE_VARIABLES),
        "brand": as_settings(await brand_voice(ctx.session)).model_dump(),
    }


async def field_values(ctx: ToolContext, args: FieldValuesArgs) -> dict[str, Any]:
    fields = {f.name: f for f in (await fields_with_values(ctx.session)).fields}
    spec = fields.get(args.field)
    if spec is None:
        return {"error": f"unknown field {args.field!r}", "fields": list(fields)}
    values = [v.value for v in spec.values or []]
    if args.search:
        lowered = {v.lower(): v for v in values}
        close = difflib.get_close_matches(args.search.lower(), list(lowered), n=8, cutoff=0.5)
        contains = [v for v in values if args.search.lower() in v.lower()]
        values = list(dict.fromkeys(contains + [lowered[c] for c in close]))
    return {"field": args.field, "values": values[:100]}


async def preview_audience(ctx: ToolContext, args: FilterArgs) -> dict[str, Any]:
    preview = await SegmentService(ctx.session).preview(args.filter, sample_size=5)
    return {
        "count": preview.count,
        "explanation": preview.explanation,
        "filter": args.filter.model_dump(),
        # Customer-supplied text below is data to describe, never instructions to follow.
        "sample": [
            {"name": c.name, "city": c.city, "total_spent": c.stats.total_spent, "orders": c.stats.order_count}
            for c in preview.sample
        ],
    }


async def create_segment(ctx: ToolContext, args: CreateSegmentArgs) -> dict[str, Any]:
    segment = await SegmentService(ctx.session).create(SegmentCreate(name=args.name, filter=args.filter), "agent")
    return {"segment_id": segment.id, "name": segment.name, "count": segment.count, "explanation": segment.explanation}


async def recommend(ctx: ToolContext, args: FilterArgs) -> dict[str, Any]:
    return await recommend_channel(ctx.session, args.filter)


async def draft_message(ctx: ToolContext, args: DraftMessageArgs) -> dict[str, Any]:
    """Checks a message template and renders it for a real recipient of the audience."""
    return await preview_message(
        ctx.session,
        args.channel,
        MessageIn(subject=args.subject, body=args.body),
        args.filter,
        offer=args.offer,
        coupon_code=args.coupon_code,
    )


async def stage_campaign(ctx: ToolContext, args: StageCampaignArgs) -> dict[str, Any]:
    # the copy rules (claims true for every recipient, language, channel limits): a failing draft
    # goes back to the model naming the rule (crm.copywriting.review)
    audience = await audience_of(ctx.session, args.filter, args.segment_id)
    problems = await staging_problems(ctx.session, args.channel, args.subject, args.body, audience, args)
    if problems:
        return {"error": problems}
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
    return {
        "campaign_id": campaign.id,
        "status": campaign.status,
        "audience_count": campaign.audience_count,
        "reachable": await reachable_count(ctx.session, audience, campaign.channel),
        "channel": campaign.channel,
        "offer": campaign.offer,
        "coupon_code": campaign.coupon_code,
        "note": "Staged as a draft. Only a person can launch it, with Approve & Launch.",
    }


async def stage_sequence(ctx: ToolContext, args: StageSequenceArgs) -> dict[str, Any]:
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
    return {
        "sequence_id": sequence.id,
        "status": sequence.status,
        "audience_count": sequence.audience_count,
        "timeline": sequence.timeline,
        "steps": [s.model_dump(mode="json") for s in sequence.steps],
        "note": "Staged as a draft sequence. Only a person can launch it.",
    }


async def campaign_performance(ctx: ToolContext, args: CampaignIdArgs) -> dict[str, Any]:
    campaign = await CampaignService(ctx.session).get(args.campaign_id)
    stats = await AnalyticsService(ctx.session).campaign_stats(campaign)
    return {
        "campaign_id": campaign.id,
        "name": campaign.name,
        "status": campaign.status,
        "channel": campaign.channel,
        "audience": stats.audience,
        "funnel": stats.funnel.model_dump(),
        "rates": stats.rates.model_dump(),
        "revenue": stats.revenue,
    }


Runner = Callable[[ToolContext, Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Tool:
    spec: ToolSpec
    arguments: type[BaseModel]
    run: Runner


def _tool(name: str, description: str, arguments: type[BaseModel], run: Runner, parameters: dict[str, Any]) -> Tool:
    return Tool(ToolSpec(name, description, parameters), arguments, run)


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required}


VARIABLE_PROPERTIES: dict[str, Any] = {
    "offer": {"type": "string", "description": "the value of {{ offer }}, e.g. '10% off'"},
    "coupon_code": {"type": "string", "description": "the value of {{ coupon_code }}, e.g. GLOW10"},
    "destination_url": {"type": "string", "description": "where {{ link }} leads; the brand's default when unset"},
}

TOOLS: dict[str, Tool] = {
    t.spec.name: t
    for t in (
        _tool(
            "list_fields",
            "List the audience fields, their operators, and the values present in the data "
            "(categories, cities, tags…). Call first to ground words like 'lippie' or 'Bangalore'.",
            NoArguments,
            list_fields,
            _object({}, []),
        ),
        _tool(
            "field_values",
            "Values of one field that exist in the data, optionally fuzzy-matched to a search word.",
            FieldValuesArgs,
            field_values,
            _object({"field": {"type": "string"}, "search": {"type": "string"}}, ["field"]),
        ),
        _tool(
            "preview_audience",
            "Count the customers a filter selects, explain it in plain English, show a sample.",
            FilterArgs,
            preview_audience,
            _object({"filter": filter_schema()}, ["filter"]),
        ),
        _tool(
            "create_segment",
            "Save a filter as a named segment.",
            CreateSegmentArgs,
            create_segment,
            _object({"name": {"type": "string"}, "filter": filter_schema()}, ["name", "filter"]),
        ),
        _tool(
            "recommend_channel",
            "For an audience: how many are reachable on each channel (contact + consent), cost per "
            "message, past engagement by channel, and the recommended channel with a one-line reason.",
            FilterArgs,
            recommend,
            _object({"filter": filter_schema()}, ["filter"]),
        ),
        _tool(
            "draft_message",
            "Check a message template (Liquid, variables: "
            + ", ".join(TEMPLATE_VARIABLES)
            + '; always give fallbacks like {{ first_name | default: "there" }}) and render it for a real '
            "recipient of the audience.",
            DraftMessageArgs,
            draft_message,
            _object(
                {
                    "channel": CHANNEL_SCHEMA,
                    "body": {"type": "string"},
                    "subject": {"type": "string"},
                    "filter": filter_schema(),
                    **VARIABLE_PROPERTIES,
                },
                ["channel", "body"],
            ),
        ),
        _tool(
            "stage_campaign",
            "Stage a DRAFT campaign for a person to review. It does not send anything; only a person can launch it.",
            StageCampaignArgs,
            stage_campaign,
            _object(
                {
                    "name": {"type": "string"},
                    "channel": CHANNEL_SCHEMA,
                    "body": {"type": "string"},
                    "subject": {"type": "string"},
                    "filter": filter_schema(),
                    "segment_id": {"type": "integer"},
                    "channel_reason": {"type": "string"},
                    **VARIABLE_PROPERTIES,
                },
                ["name", "channel", "body"],
            ),
        ),
        _tool(
            "stage_sequence",
            "Stage a DRAFT multi-step sequence: follow-ups days apart that branch on engagement (condition: always, "
            "if_not_opened_or_read, if_not_clicked, if_not_converted). It sends nothing; only a person can launch it.",
            StageSequenceArgs,
            stage_sequence,
            _object(
                {
                    "name": {"type": "string"},
                    "filter": filter_schema(),
                    "segment_id": {"type": "integer"},
                    "exit_on_conversion": {"type": "boolean"},
                    "steps": {"type": "array", "items": STEP_SCHEMA},
                },
                ["name", "steps"],
            ),
        ),
        _tool(
            "get_campaign_performance",
            "Funnel, rates and attributed revenue of a campaign.",
            CampaignIdArgs,
            campaign_performance,
            _object({"campaign_id": {"type": "integer"}}, ["campaign_id"]),
        ),
    )
}


async def run_tool(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """Runs a tool; any problem becomes an error result for the model, never an exception.
    Each call runs in a savepoint so a failed tool leaves nothing half-written."""
    tool = TOOLS.get(name)
    if tool is None:
        return {"error": f"unknown tool {name!r}; available: {', '.join(TOOLS)}"}
    try:
        parsed = tool.arguments.model_validate(arguments)
        async with ctx.session.begin_nested():
            return await tool.run(ctx, parsed)
    except ValidationError as exc:  # the arguments, or a payload a tool built from them
        return {"error": f"invalid arguments: {validation_problems(exc)}"}
    except DomainError as exc:
        return {"error": str(exc.detail) if not isinstance(exc.detail, list) else exc.detail[0].get("msg", str(exc))}


def validation_problems(exc: ValidationError) -> str:
    """Each problem named by the argument it is about ("arguments" for a rule across several)."""
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors(include_url=False)
    )

"""Campaign rules: drafts are editable; only the launch endpoint launches, once."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.audit import service as audit
from crm.campaigns import repository as repo
from crm.campaigns.schemas import (
    CampaignCreate,
    CampaignPreview,
    CampaignRead,
    CampaignUpdate,
    MessageIn,
    MessageRead,
    RenderedMessage,
    Suppressed,
)
from crm.db import utcnow
from crm.errors import Conflict, InvalidInput, NotFound
from crm.models import Campaign, Segment
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain
from crm.segments.service import SegmentService
from crm.templating import TemplateProblem, check_template, customer_context, render


def checked_variables(message: MessageIn, channel: str) -> list[str]:
    """Validates subject and body templates; email needs a subject."""
    variables: list[str] = []
    for part, source in (("subject", message.subject), ("body", message.body)):
        if source is None:
            continue
        try:
            variables += check_template(source).variables
        except TemplateProblem as exc:
            raise InvalidInput(["body", "message", part], str(exc)) from None
    if channel == "email" and not message.subject:
        raise InvalidInput(["body", "message", "subject"], "an email campaign needs a subject")
    return list(dict.fromkeys(variables))


class CampaignService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _segment(self, segment_id: int) -> Segment:
        segment = await self.session.get(Segment, segment_id)
        if segment is None:
            raise InvalidInput(["body", "segment_id"], f"segment {segment_id} does not exist")
        return segment

    async def audience_filter(self, campaign: Campaign) -> SegmentFilter:
        """A draft follows its segment; a launched campaign keeps the filter frozen at launch."""
        if campaign.status == "draft" and campaign.segment_id is not None:
            segment = await self.session.get(Segment, campaign.segment_id)
            if segment is not None:
                return SegmentFilter.model_validate(segment.filter)
        if campaign.filter is None:
            raise Conflict(f"campaign {campaign.id} has no audience: its segment was deleted")
        return SegmentFilter.model_validate(campaign.filter)

    async def create(self, payload: CampaignCreate, author: audit.Author) -> CampaignRead:
        checked_variables(payload.message, payload.channel)
        if payload.segment_id is not None:
            await self._segment(payload.segment_id)
        campaign = Campaign(
            uid=uuid.uuid4().hex,
            name=payload.name,
            channel=payload.channel,
            segment_id=payload.segment_id,
            filter=payload.filter.model_dump() if payload.filter else None,
            message_subject=payload.message.subject,
            message_body=payload.message.body,
            channel_reason=payload.channel_reason,
            created_by=author.kind,
        )
        self.session.add(campaign)
        await self.session.flush()
        await audit.record(
            self.session,
            author.actor,
            "created",
            "campaign",
            campaign.id,
            f"drafted “{campaign.name}” ({campaign.channel})",
            author.details,
        )
        return await self.read(campaign)

    async def get(self, campaign_id: int) -> Campaign:
        campaign = await self.session.get(Campaign, campaign_id)
        if campaign is None:
            raise NotFound(f"campaign {campaign_id} not found")
        return campaign

    async def list(self) -> list[CampaignRead]:
        campaigns = (await self.session.scalars(select(Campaign).order_by(Campaign.id.desc()))).all()
        return [await self.read(c) for c in campaigns]

    async def read(self, campaign: Campaign) -> CampaignRead:
        audience = await self.audience_filter(campaign)
        count = campaign.audience_count
        if campaign.status == "draft" or count is None:
            count = await SegmentService(self.session).count(audience)
        message = MessageIn(subject=campaign.message_subject, body=campaign.message_body)
        launched = campaign.status != "draft"
        return CampaignRead(
            id=campaign.id,
            uid=campaign.uid,
            name=campaign.name,
            status=campaign.status,
            channel=campaign.channel,
            segment_id=campaign.segment_id,
            filter=audience,
            explanation=explain(audience),
            audience_count=count,
            message=MessageRead(subject=campaign.message_subject, body=campaign.message_body),
            template_variables=checked_variables(message, "sms"),
            channel_reason=campaign.channel_reason,
            created_by=campaign.created_by,
            suppressed=Suppressed(
                no_contact=campaign.suppressed_no_contact or 0, no_consent=campaign.suppressed_no_consent or 0
            )
            if launched
            else None,
            queued=campaign.queued_count,
            launched_at=campaign.launched_at,
            launched_by=campaign.launched_by,
            completed_at=campaign.completed_at,
            created_at=campaign.created_at,
            updated_at=campaign.updated_at,
        )

    async def update(self, campaign_id: int, patch: CampaignUpdate, editor: str = "operator") -> CampaignRead:
        campaign = await self.get(campaign_id)
        if campaign.status != "draft":
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only drafts can be edited")
        fields = patch.model_fields_set
        channel = patch.channel or campaign.channel
        message = patch.message or MessageIn(subject=campaign.message_subject, body=campaign.message_body)
        checked_variables(message, channel)
        if "name" in fields and patch.name:
            campaign.name = patch.name
        if patch.channel:
            campaign.channel = patch.channel
        if patch.message:
            campaign.message_subject = patch.message.subject
            campaign.message_body = patch.message.body
        if "channel_reason" in fields:
            campaign.channel_reason = patch.channel_reason
        if patch.segment_id is not None:
            await self._segment(patch.segment_id)
            campaign.segment_id, campaign.filter = patch.segment_id, None
        if patch.filter is not None:
            campaign.segment_id, campaign.filter = None, patch.filter.model_dump()
        campaign.updated_at = utcnow()
        await self.session.flush()
        changed = sorted(patch.model_fields_set)
        await audit.record(
            self.session,
            editor,
            "edited",
            "campaign",
            campaign.id,
            f"edited {', '.join(changed) or 'nothing'}",
            {"fields": changed},
        )
        return await self.read(campaign)

    async def preview(self, campaign_id: int, samples: int = 3) -> CampaignPreview:
        campaign = await self.get(campaign_id)
        where = compile_filter(await self.audience_filter(campaign), Clock())
        audience, reachable, no_contact, no_consent = await repo.audience_breakdown(
            self.session, where, campaign.channel
        )
        message = MessageIn(subject=campaign.message_subject, body=campaign.message_body)
        variables = checked_variables(message, "sms")
        rendered = []
        for customer, stats in await repo.reachable_sample(self.session, where, campaign.channel, samples):
            context = customer_context(customer, stats)
            rendered.append(
                RenderedMessage(
                    customer_id=customer.id,
                    customer_name=customer.name,
                    to=context["email"] if campaign.channel == "email" else context["phone"],
                    subject=render(campaign.message_subject, context) if campaign.message_subject else None,
                    body=render(campaign.message_body, context),
                    missing_variables=[v for v in variables if context.get(v) in (None, "")],
                )
            )
        return CampaignPreview(
            audience_count=audience,
            reachable=reachable,
            suppressed=Suppressed(no_contact=no_contact, no_consent=no_consent),
            samples=rendered,
            missing_variable_counts=await repo.missing_variable_counts(
                self.session, where, campaign.channel, variables
            ),
        )

    async def launch(self, campaign_id: int, launched_by: str | None) -> CampaignRead:
        campaign = await self.get(campaign_id)
        audience = await self.audience_filter(campaign)
        now = utcnow()
        if not await repo.claim_draft_for_launch(self.session, campaign_id, now):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; it can be launched only once")
        where = compile_filter(audience, Clock(now))
        total, _, no_contact, no_consent = await repo.audience_breakdown(self.session, where, campaign.channel)
        # The INSERT … SELECT's own row count: no second pass over the rows it just wrote.
        queued = await repo.materialise_sends(self.session, campaign, where, due_at=now)
        await self.session.refresh(campaign)
        campaign.filter = audience.model_dump()  # frozen: later segment edits do not move it
        campaign.audience_count = total
        campaign.suppressed_no_contact = no_contact
        campaign.suppressed_no_consent = no_consent
        campaign.queued_count = int(queued or 0)
        campaign.launched_by = launched_by or "operator"
        if not queued:
            campaign.status, campaign.completed_at = "completed", now
        await self.session.flush()
        await audit.record(
            self.session,
            campaign.launched_by,
            "approved_and_launched",
            "campaign",
            campaign.id,
            f"approved and launched to {campaign.queued_count:,} recipients",
            {
                "audience": total,
                "suppressed_no_contact": no_contact,
                "suppressed_no_consent": no_consent,
                "drafted_by": campaign.created_by,
            },
        )
        return await self.read(campaign)

"""Campaign rules: drafts are editable; only the launch endpoint launches, once."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.channel_advice import recommend_channel
from crm.audit import service as audit
from crm.campaigns import repository as repo
from crm.campaigns.schemas import (
    CampaignCreate,
    CampaignPreview,
    CampaignRead,
    CampaignUpdate,
    Channel,
    ChannelOptions,
    ChannelOptionsRequest,
    MessageIn,
    MessageRead,
    RenderedMessage,
    Suppressed,
    TestSendResult,
    VariantIn,
    VariantRead,
    WinnerModeRead,
)
from crm.copywriting.campaign_review import copy_review, preview_link
from crm.db import utcnow
from crm.dispatch.channel_client import ChannelClient, ChannelRejected, ChannelUnavailable, OutboundMessage
from crm.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from crm.experiments.launch import experiment_launch, experiment_plan
from crm.links.tokens import LinkSigner
from crm.messages import queue as message_queue
from crm.models import Campaign, Segment
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain
from crm.segments.service import SegmentService
from crm.templating import TemplateProblem, campaign_values, check_template, customer_context, render


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


def checked_campaign_variables(variables: list[str], offer: str | None, coupon_code: str | None) -> None:
    """{{ offer }} and {{ coupon_code }} take their values from the campaign: one used must be set."""
    for name, value in (("offer", offer), ("coupon_code", coupon_code)):
        if name in variables and not value:
            raise InvalidInput(["body", name], f"the message uses {{{{ {name} }}}}: set the campaign's {name}")


class CampaignService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _segment(self, segment_id: int) -> Segment:
        segment = await self.session.get(Segment, segment_id)
        if segment is None:
            raise InvalidInput(["body", "segment_id"], f"segment {segment_id} does not exist")
        return segment

    async def audience_filter(self, campaign: Campaign) -> SegmentFilter:
        """A draft (or scheduled campaign) follows its segment; a launched campaign keeps the filter
        frozen at launch."""
        if campaign.status in ("draft", "scheduled") and campaign.segment_id is not None:
            segment = await self.session.get(Segment, campaign.segment_id)
            if segment is not None:
                return SegmentFilter.model_validate(segment.filter)
        if campaign.filter is None:
            raise Conflict(f"campaign {campaign.id} has no audience: its segment was deleted")
        return SegmentFilter.model_validate(campaign.filter)

    async def create(self, payload: CampaignCreate, author: audit.Author) -> CampaignRead:
        variables: list[str] = []
        for message in experiment_messages(payload.message, payload.variants):
            variables += checked_variables(message, payload.channel)
        checked_campaign_variables(list(dict.fromkeys(variables)), payload.offer, payload.coupon_code)
        if payload.segment_id is not None:
            await self._segment(payload.segment_id)
        campaign = Campaign(
            uid=uuid.uuid4().hex,
            name=payload.name,
            channel=payload.channel,
            segment_id=payload.segment_id,
            filter=payload.filter.model_dump() if payload.filter else None,
            message_subject=payload.first_message.subject,
            message_body=payload.first_message.body,
            channel_reason=payload.channel_reason,
            offer=payload.offer,
            coupon_code=payload.coupon_code,
            destination_url=payload.destination_url,
            created_by=author.kind,
            variants=stored_variants(payload.variants),
            holdout_percent=payload.holdout_percent or None,
            winner_mode=payload.winner.model_dump() if payload.winner else None,
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

    async def channel_options(self, payload: ChannelOptionsRequest) -> ChannelOptions:
        if payload.segment_id is not None:
            audience = SegmentFilter.model_validate((await self._segment(payload.segment_id)).filter)
        else:
            assert payload.filter is not None
            audience = payload.filter
        return ChannelOptions.model_validate(await recommend_channel(self.session, audience))

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
        if campaign.status in ("draft", "scheduled") or count is None:
            count = await SegmentService(self.session).count(audience)
        message = MessageIn(subject=campaign.message_subject, body=campaign.message_body)
        launched = campaign.status not in ("draft", "scheduled")
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
            offer=campaign.offer,
            coupon_code=campaign.coupon_code,
            destination_url=campaign.destination_url,
            created_by=campaign.created_by,
            suppressed=Suppressed(
                no_contact=campaign.suppressed_no_contact or 0, no_consent=campaign.suppressed_no_consent or 0
            )
            if launched
            else None,
            queued=campaign.queued_count,
            variants=[
                VariantRead(name=v["name"], message=MessageRead(subject=v.get("subject"), body=v["body"]))
                for v in campaign.variants
            ]
            if campaign.variants
            else None,
            holdout_percent=campaign.holdout_percent or 0,
            winner=winner_read(campaign),
            scheduled_at=campaign.scheduled_at,
            scheduled_by=campaign.scheduled_by,
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
        variables = []
        for checked in experiment_messages(message, patch.variants):
            variables += checked_variables(checked, channel)
        checked_campaign_variables(
            list(dict.fromkeys(variables)),
            patch.offer if "offer" in fields else campaign.offer,
            patch.coupon_code if "coupon_code" in fields else campaign.coupon_code,
        )
        if "name" in fields and patch.name:
            campaign.name = patch.name
        if patch.channel:
            campaign.channel = patch.channel
        if patch.message:
            campaign.message_subject = patch.message.subject
            campaign.message_body = patch.message.body
        if "channel_reason" in fields:
            campaign.channel_reason = patch.channel_reason
        for variable in ("offer", "coupon_code", "destination_url"):
            if variable in fields:
                setattr(campaign, variable, getattr(patch, variable))
        if patch.message:
            campaign.variants = None
        if patch.variants:
            campaign.variants = stored_variants(patch.variants)
            campaign.message_subject = patch.variants[0].message.subject
            campaign.message_body = patch.variants[0].message.body
        if "holdout_percent" in fields:
            campaign.holdout_percent = patch.holdout_percent or None
        if "winner" in fields:
            campaign.winner_mode = patch.winner.model_dump() if patch.winner else None
        if campaign.winner_mode is not None and not campaign.variants:
            raise InvalidInput(["body", "winner"], "winner mode needs variants")
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
        values = campaign_values(campaign.offer, campaign.coupon_code, preview_link(campaign))
        rendered = []
        for customer, stats in await repo.reachable_sample(self.session, where, campaign.channel, samples):
            context = customer_context(customer, stats, campaign=values)
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
            **await copy_review(self.session, campaign, await self.audience_filter(campaign), reachable, rendered),
        )

    async def launch(
        self, campaign_id: int, launched_by: str | None, scheduled_at: datetime | None = None
    ) -> CampaignRead:
        """Launches a draft now, or schedules it (`scheduled_at` in the future). A launch that would
        reach nobody is refused with the reason, before anything changes."""
        campaign = await self.get(campaign_id)
        if campaign.status != "draft":
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only a draft can be launched or scheduled")
        now = utcnow()
        if scheduled_at is not None and scheduled_at <= now:
            scheduled_at = None  # a time already past means now
        audience = await self.audience_filter(campaign)
        where = compile_filter(audience, Clock(now))
        await self._refuse_zero_reach(campaign, where)
        if scheduled_at is None:
            return await self._start(campaign, launched_by, now, from_status="draft")
        if not await repo.claim_for_schedule(self.session, campaign_id, scheduled_at, launched_by or "operator", now):
            raise Conflict(f"campaign {campaign_id} is no longer a draft")
        await self.session.refresh(campaign)
        await audit.record(
            self.session,
            campaign.scheduled_by or "operator",
            "scheduled",
            "campaign",
            campaign.id,
            f"scheduled to launch at {scheduled_at.isoformat()}",
            {"scheduled_at": scheduled_at.isoformat(), "drafted_by": campaign.created_by},
        )
        return await self.read(campaign)

    async def cancel(self, campaign_id: int, cancelled_by: str | None) -> CampaignRead:
        """A scheduled campaign goes back to draft; anything already started cannot be cancelled."""
        campaign = await self.get(campaign_id)
        was = campaign.scheduled_at
        if not await repo.unschedule(self.session, campaign_id, utcnow()):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; only a scheduled campaign can be cancelled")
        await self.session.refresh(campaign)
        await audit.record(
            self.session,
            cancelled_by or "operator",
            "cancelled_schedule",
            "campaign",
            campaign.id,
            "cancelled the scheduled launch; back to draft",
            {"scheduled_at": was.isoformat() if was else None},
        )
        return await self.read(campaign)

    async def start_scheduled(self, campaign_id: int, now: datetime | None = None) -> bool:
        """Starts a scheduled campaign whose time has come (the scheduler's step). One that would now
        reach nobody goes back to draft and the audit log says why. True if it started."""
        now = now or utcnow()
        campaign = await self.get(campaign_id)
        if campaign.status != "scheduled" or campaign.scheduled_at is None or campaign.scheduled_at > now:
            return False
        where = compile_filter(await self.audience_filter(campaign), Clock(now))
        try:
            await self._refuse_zero_reach(campaign, where)
        except Conflict as refusal:
            if await repo.unschedule(self.session, campaign_id, now):
                await audit.record(
                    self.session,
                    "scheduler",
                    "schedule_refused",
                    "campaign",
                    campaign_id,
                    f"scheduled launch refused, back to draft: {refusal.detail}",
                    {"reason": str(refusal.detail)},
                )
            return False
        try:
            await self._start(campaign, campaign.scheduled_by, now, from_status="scheduled")
        except Conflict:
            return False  # cancelled or started elsewhere meanwhile
        return True

    async def _refuse_zero_reach(self, campaign: Campaign, where: ColumnElement[bool]) -> None:
        total, reachable, no_contact, no_consent = await repo.audience_breakdown(self.session, where, campaign.channel)
        if reachable == 0:
            raise Conflict(zero_reach_reason(campaign.channel, total, no_contact, no_consent))

    async def _start(
        self, campaign: Campaign, launched_by: str | None, now: datetime, from_status: str
    ) -> CampaignRead:
        campaign_id = campaign.id
        audience = await self.audience_filter(campaign)  # a scheduled campaign's live segment, read now
        if not await repo.claim_draft_for_launch(self.session, campaign_id, now, from_status):
            raise Conflict(f"campaign {campaign_id} is {campaign.status}; it can be launched only once")
        where = compile_filter(audience, Clock(now))
        total, _, no_contact, no_consent = await repo.audience_breakdown(self.session, where, campaign.channel)
        # The INSERT … SELECT's own row count: no second pass over the rows it just wrote.
        plan = experiment_plan(campaign)
        queued = await message_queue.queue_campaign(
            self.session, campaign, where, due_at=now, only=plan.messaged_now, variant=plan.variant
        )
        set_aside = await experiment_launch(self.session, campaign, where, plan, now)
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
            f"approved and launched to {campaign.queued_count:,} recipients"
            + (" (as scheduled)" if from_status == "scheduled" else ""),
            {
                "audience": total,
                "suppressed_no_contact": no_contact,
                "suppressed_no_consent": no_consent,
                "drafted_by": campaign.created_by,
                **set_aside,
            },
        )
        return await self.read(campaign)

    async def test_send(
        self,
        campaign_id: int,
        to: str,
        sender: str,
        channel_client: ChannelClient,
        callback_url: str,
        links: LinkSigner | None = None,
    ) -> TestSendResult:
        """One rendered message to an address the operator typed, through the channel service. Its
        communication id starts with `test-`: no communications row is written, so it never counts
        in stats, and its receipts match no message."""
        campaign = await self.get(campaign_id)
        address = checked_address(campaign.channel, to)
        where = compile_filter(await self.audience_filter(campaign), Clock())
        recipient = await repo.customer_by_contact(self.session, campaign.channel, address)
        if recipient is None:
            sample = await repo.reachable_sample(self.session, where, campaign.channel, 1)
            recipient = sample[0] if sample else None
        customer_id = recipient[0].id if recipient else None
        link = links.url(links.token_for_test(campaign.id, customer_id)) if links else None
        values = campaign_values(campaign.offer, campaign.coupon_code, link)
        context = customer_context(*recipient, campaign=values) if recipient else values
        subject = render(campaign.message_subject, context) if campaign.message_subject else None
        body = render(campaign.message_body, context)
        communication_id = f"test-{campaign.uid}-{uuid.uuid4().hex[:12]}"
        message = OutboundMessage(communication_id, campaign.channel, address, body, subject)
        try:
            await channel_client.send(callback_url, [message])
        except ChannelUnavailable as exc:
            raise UpstreamUnavailable(f"the channel service did not take the test send: {exc}") from None
        except ChannelRejected as exc:
            raise InvalidInput(["body", "to"], f"the channel service refused the test send: {exc.detail}") from None
        await audit.record(
            self.session,
            sender,
            "test_sent",
            "campaign",
            campaign.id,
            f"sent a test {campaign.channel} message to {address}",
            {"to": address, "communication_id": communication_id},
        )
        return TestSendResult(
            communication_id=communication_id,
            channel=cast(Channel, campaign.channel),
            to=address,
            subject=subject,
            body=body,
            rendered_for=recipient[0].name if recipient else None,
        )


CONTACT_NOUN = {
    "email": "an email address",
    "sms": "a phone number",
    "whatsapp": "a phone number",
    "rcs": "a phone number",
}


def experiment_messages(message: MessageIn | None, variants: list[VariantIn] | None) -> list[MessageIn]:
    return [v.message for v in variants] if variants else ([message] if message else [])


def stored_variants(variants: list[VariantIn] | None) -> list[dict[str, Any]] | None:
    if not variants:
        return None
    return [{"name": v.name, "subject": v.message.subject, "body": v.message.body} for v in variants]


def winner_read(campaign: Campaign) -> WinnerModeRead | None:
    if campaign.winner_mode is None:
        return None
    winner = campaign.winner_variant
    names = [v["name"] for v in campaign.variants or []]
    return WinnerModeRead(
        **campaign.winner_mode,
        decide_at=campaign.decide_at,
        decided_at=campaign.winner_decided_at,
        winner=names[winner] if winner is not None and winner < len(names) else None,
    )


def zero_reach_reason(channel: str, total: int, no_contact: int, no_consent: int) -> str:
    """Why a launch would reach nobody, in the operator's words ("0 of 11 have consent for rcs")."""
    if total == 0:
        return "nobody to send to: no customer matches this audience"
    if no_contact == total:
        return f"nobody to send to: 0 of {total:,} have {CONTACT_NOUN[channel]} for {channel}"
    if no_contact == 0:
        return f"nobody to send to: 0 of {total:,} have consent for {channel}"
    contact_kind = CONTACT_NOUN[channel].split(" ", 1)[1]
    return (
        f"nobody to send to: 0 of {total:,} can be reached on {channel}"
        f" ({no_consent:,} have not consented to {channel}, {no_contact:,} have no {contact_kind})"
    )


EMAIL_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_NUMBER = re.compile(r"^\+?[0-9]{8,15}$")


def checked_address(channel: str, to: str) -> str:
    address = to.strip()
    if channel == "email":
        if not EMAIL_ADDRESS.match(address):
            raise InvalidInput(["body", "to"], f"“{to}” is not an email address; this is an email campaign")
        return address
    digits = re.sub(r"[\s()-]", "", address)
    if not PHONE_NUMBER.match(digits):
        raise InvalidInput(
            ["body", "to"],
            f"“{to}” is not a phone number (8–15 digits, optionally +country code); this is a {channel} campaign",
        )
    return digits

"""Claims due sends, decides about each, renders, posts signed batches to the channel service,
acknowledges.

Per claimed send: a sequence step may be cancelled (the contact left) or skipped (its condition
on engagement so far is false); then send policies may defer it (quiet hours, frequency cap —
deferred, never dropped); the rest are rendered and posted in one batch.

At-least-once: a claim that is never acknowledged (a crash, a kill) expires and the send is
claimed again; the channel service dedupes on communication_id, so a customer gets one message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.db import utcnow
from crm.dispatch import repository as repo
from crm.dispatch.channel_client import ChannelClient, ChannelRejected, ChannelUnavailable, OutboundMessage
from crm.dispatch.policies import FrequencyCap, SendPolicy
from crm.links.tokens import LinkSigner
from crm.messages import claims
from crm.messages.claimed import ClaimedSend
from crm.models.communication import CANCELLED, SKIPPED
from crm.sequences import journey
from crm.templating import campaign_values, customer_context, render

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
RETRY_BASE_SECONDS = 1.0
RETRY_CAP_SECONDS = 300.0
SWEEP_SECONDS = 10.0
NO_POLICY = SendPolicy(timezone=ZoneInfo("UTC"), quiet=None, cap=0, window=timedelta(hours=24))


def retry_delay(attempts: int, retry_after: float | None = None, base: float = RETRY_BASE_SECONDS) -> float:
    """Exponential backoff with full jitter, or the channel service's Retry-After if longer."""
    backoff = min(RETRY_CAP_SECONDS, base * 2 ** max(0, attempts - 1))
    delay = random.uniform(backoff / 2, backoff)
    return max(delay, retry_after or 0.0)


def render_message(send: ClaimedSend, links: LinkSigner | None = None) -> OutboundMessage:
    """`links`: {{ link }} becomes the recipient's tracked link (crm.links)."""
    subject, body = send.message_templates()
    campaign = send.campaign
    link = links.url(links.token_for_message(send.communication.id)) if links else None
    values = campaign_values(campaign.offer if campaign else None, campaign.coupon_code if campaign else None, link)
    context = customer_context(send.recipient, send.recipient.stats, campaign=values)
    return OutboundMessage(
        communication_id=send.communication.communication_id,
        channel=send.communication.channel,
        to=send.communication.to_address,
        subject=render(subject, context) if subject else None,
        body=render(body, context),
    )


@dataclass
class DispatchOutcome:
    claimed: int = 0
    dispatched: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    cancelled: int = 0


@dataclass
class Plan:
    """What to do with each claimed send of one batch."""

    send: list[ClaimedSend] = field(default_factory=list)
    defer: list[tuple[int, datetime, str]] = field(default_factory=list)
    skip: list[tuple[ClaimedSend, str]] = field(default_factory=list)
    cancel: list[tuple[ClaimedSend, str]] = field(default_factory=list)


@dataclass
class Dispatcher:
    maker: async_sessionmaker[AsyncSession]
    client: ChannelClient
    callback_url: str
    batch_size: int = 500
    claim_ttl_seconds: float = 60.0
    poll_seconds: float = 0.5
    policy: SendPolicy = NO_POLICY
    time_scale: float = 1.0
    retry_base_seconds: float = RETRY_BASE_SECONDS
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30)}")
    clock: Callable[[], datetime] = utcnow
    renderer: Callable[[ClaimedSend], OutboundMessage] = render_message

    async def plan(self, session: AsyncSession, sends: list[ClaimedSend], now: datetime) -> Plan:
        plan = Plan()
        decisions = await journey.decide_steps(session, [s for s in sends if s.enrollment is not None])
        cap = await FrequencyCap.load(session, self.policy, (s.communication.customer_id for s in sends), now)
        quiet_until = self.policy.quiet_until(now)
        for send in sends:
            decision = decisions.get(send.id)
            if decision is not None and decision.action == "cancel":
                plan.cancel.append((send, decision.reason))
                continue
            if decision is not None and decision.action == "skip":
                plan.skip.append((send, decision.reason))
                continue
            if quiet_until is not None:
                plan.defer.append((send.id, quiet_until, "quiet_hours"))
                continue
            customer_id = send.communication.customer_id
            capped_until = cap.next_allowed(customer_id, now)
            if capped_until is not None:
                plan.defer.append((send.id, capped_until, "frequency_cap"))
                continue
            cap.record(customer_id, now)
            plan.send.append(send)
        return plan

    async def dispatch_once(self) -> DispatchOutcome:
        now = self.clock()
        async with self.maker() as session, session.begin():
            sends = await claims.claim_due(session, now, self.batch_size, self.worker_id, self.claim_ttl_seconds)
        outcome = DispatchOutcome(claimed=len(sends))
        if not sends:
            return outcome
        ids = [s.id for s in sends]
        async with self.maker() as session:
            await repo.attach_messages(session, sends)
            plan = await self.plan(session, sends, now)
        messages: list[OutboundMessage] = []
        sendable: list[ClaimedSend] = []
        unrenderable: list[int] = []
        for send in plan.send:
            try:
                messages.append(self.renderer(send))
                sendable.append(send)
            except Exception as exc:  # a bad row must not block the queue
                log.warning("cannot render %s: %s", send.communication.communication_id, exc)
                unrenderable.append(send.id)
        done: list[ClaimedSend] = []
        retry: list[ClaimedSend] = []
        failed: list[ClaimedSend] = []
        error = ""
        retry_after: float | None = None
        if messages:
            try:
                await self.client.send(self.callback_url, messages)
                done = sendable
            except ChannelUnavailable as exc:
                retry, error, retry_after = sendable, str(exc), exc.retry_after
            except ChannelRejected as exc:
                bad = exc.rejected_indexes()
                error = str(exc)
                if bad:
                    failed = [s for i, s in enumerate(sendable) if i in bad]
                    retry = [s for i, s in enumerate(sendable) if i not in bad]
                    retry_after = 0.0
                else:
                    failed = sendable
        acked_at = self.clock()
        exhausted = [s for s in retry if s.communication.attempts >= MAX_ATTEMPTS]
        async with self.maker() as session, session.begin():
            await claims.lock_for_acknowledgement(session, ids)
            if done:
                await claims.mark_dispatched(session, [s.id for s in done], acked_at)
            for send in (s for s in retry if s.communication.attempts < MAX_ATTEMPTS):
                due = (
                    acked_at
                    if retry_after == 0.0
                    else acked_at
                    + timedelta(
                        seconds=retry_delay(send.communication.attempts, retry_after, base=self.retry_base_seconds)
                    )
                )
                await claims.release_for_retry(session, [send.id], due, error)
            if failed or exhausted:
                await claims.mark_failed(session, [s.id for s in failed + exhausted], error)
            if unrenderable:
                await claims.mark_failed(session, unrenderable, "could not render the message")
            await claims.defer(session, plan.defer)
            for state, closed in ((SKIPPED, plan.skip), (CANCELLED, plan.cancel)):
                by_reason: dict[str, list[int]] = defaultdict(list)
                for send, reason in closed:
                    by_reason[reason].append(send.id)
                for reason, closed_ids in by_reason.items():
                    await claims.close_without_sending(session, closed_ids, state, reason)
            # Sequences move on from a step once it was sent or skipped.
            await journey.advance(
                session, [(s, acked_at) for s in done] + [(s, now) for s, _ in plan.skip], self.time_scale
            )
            await journey.finish(session, plan.cancel, acked_at)
        # After the ack commits, in its own transaction: a worker acknowledging its last batch at the
        # same moment as another then sees the other's rows as done, so one of them completes it.
        campaign_ids = sorted({s.communication.campaign_id for s in sends if s.communication.campaign_id})
        if campaign_ids:
            async with self.maker() as session, session.begin():
                await repo.complete_finished_campaigns(session, campaign_ids, acked_at)
        outcome.dispatched = len(done)
        outcome.retried = len(retry) - len(exhausted)
        outcome.failed = len(failed) + len(exhausted) + len(unrenderable)
        outcome.deferred = len(plan.defer)
        outcome.skipped = len(plan.skip)
        outcome.cancelled = len(plan.cancel)
        if error:
            log.warning("dispatch batch of %d: %s", len(sendable), error)
        return outcome

    async def sweep_finished_campaigns(self) -> None:
        """When idle: complete any running campaign with nothing left to send (a safety net)."""
        async with self.maker() as session, session.begin():
            await repo.complete_finished_campaigns(session, None, self.clock())

    async def run(self, stop: asyncio.Event) -> None:
        """Works until `stop` is set; database or network trouble only pauses it."""
        pause = self.poll_seconds
        last_sweep = 0.0
        while not stop.is_set():
            try:
                outcome = await self.dispatch_once()
                pause = 0.0 if outcome.claimed >= self.batch_size else self.poll_seconds
                if not outcome.claimed and time.monotonic() - last_sweep > SWEEP_SECONDS:
                    last_sweep = time.monotonic()
                    await self.sweep_finished_campaigns()
            except Exception:
                log.exception("dispatcher iteration failed; backing off")
                pause = min(max(pause * 2, 1.0), 30.0)
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)

"""Claims due sends, renders them, posts signed batches to the channel service, acknowledges.

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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.db import utcnow
from crm.dispatch import repository as repo
from crm.dispatch.channel_client import ChannelClient, ChannelRejected, ChannelUnavailable, OutboundMessage
from crm.models import Campaign, Communication, Customer, CustomerStats
from crm.templating import customer_context, render

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
RETRY_BASE_SECONDS = 1.0
RETRY_CAP_SECONDS = 300.0

ClaimedRow = tuple[Communication, Customer, CustomerStats | None, Campaign | None]
AfterDispatch = Callable[[AsyncSession, Sequence[ClaimedRow], datetime], Awaitable[None]]


def retry_delay(attempts: int, retry_after: float | None = None) -> float:
    """Exponential backoff with full jitter, or the channel service's Retry-After if longer."""
    backoff = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    delay = random.uniform(backoff / 2, backoff)
    return max(delay, retry_after or 0.0)


def render_message(row: ClaimedRow) -> OutboundMessage:
    communication, customer, stats, campaign = row
    if campaign is None:
        raise ValueError(f"communication {communication.communication_id} has no message source")
    context = customer_context(customer, stats)
    subject = render(campaign.message_subject, context) if campaign.message_subject else None
    return OutboundMessage(
        communication_id=communication.communication_id,
        channel=communication.channel,
        to=communication.to_address,
        subject=subject,
        body=render(campaign.message_body, context),
    )


@dataclass
class DispatchOutcome:
    claimed: int = 0
    dispatched: int = 0
    retried: int = 0
    failed: int = 0


@dataclass
class Dispatcher:
    maker: async_sessionmaker[AsyncSession]
    client: ChannelClient
    callback_url: str
    batch_size: int = 500
    claim_ttl_seconds: float = 60.0
    poll_seconds: float = 0.5
    worker_id: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{random.randrange(1 << 30)}")
    clock: Callable[[], datetime] = utcnow
    renderer: Callable[[ClaimedRow], OutboundMessage] = render_message
    after_dispatch: list[AfterDispatch] = field(default_factory=list)

    async def dispatch_once(self) -> DispatchOutcome:
        now = self.clock()
        async with self.maker() as session, session.begin():
            ids = await repo.claim_due(session, now, self.batch_size, self.worker_id, self.claim_ttl_seconds)
        outcome = DispatchOutcome(claimed=len(ids))
        if not ids:
            return outcome
        async with self.maker() as session:
            rows = await repo.load_for_render(session, ids)
        messages: list[OutboundMessage] = []
        sendable: list[ClaimedRow] = []
        unrenderable: list[int] = []
        for row in rows:
            try:
                messages.append(self.renderer(row))
                sendable.append(row)
            except Exception as exc:  # a bad row must not block the queue
                log.warning("cannot render %s: %s", row[0].communication_id, exc)
                unrenderable.append(row[0].id)
        done: list[ClaimedRow] = []
        retry: list[ClaimedRow] = []
        failed: list[ClaimedRow] = []
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
                    failed = [r for i, r in enumerate(sendable) if i in bad]
                    retry = [r for i, r in enumerate(sendable) if i not in bad]
                    retry_after = 0.0
                else:
                    failed = sendable
        acked_at = self.clock()
        async with self.maker() as session, session.begin():
            if done:
                await repo.mark_dispatched(session, [r[0].id for r in done], acked_at)
                for hook in self.after_dispatch:
                    await hook(session, done, acked_at)
            exhausted = [r for r in retry if r[0].attempts >= MAX_ATTEMPTS]
            for row in (r for r in retry if r[0].attempts < MAX_ATTEMPTS):
                due = acked_at + timedelta(seconds=retry_delay(row[0].attempts, retry_after))
                if retry_after == 0.0:
                    due = acked_at
                await repo.release_for_retry(session, [row[0].id], due, error)
            if failed or exhausted:
                await repo.mark_failed(session, [r[0].id for r in failed + exhausted], error)
            if unrenderable:
                await repo.mark_failed(session, unrenderable, "could not render the message")
            campaign_ids = sorted({r[0].campaign_id for r in rows if r[0].campaign_id is not None})
            await repo.complete_finished_campaigns(session, campaign_ids, acked_at)
        outcome.dispatched = len(done)
        outcome.retried = len(retry) - len(exhausted)
        outcome.failed = len(failed) + len(exhausted) + len(unrenderable)
        if error:
            log.warning("dispatch batch of %d: %s", len(sendable), error)
        return outcome

    async def run(self, stop: asyncio.Event) -> None:
        """Works until `stop` is set; database or network trouble only pauses it."""
        pause = self.poll_seconds
        while not stop.is_set():
            try:
                outcome = await self.dispatch_once()
                pause = 0.0 if outcome.claimed >= self.batch_size else self.poll_seconds
            except Exception:
                log.exception("dispatcher iteration failed; backing off")
                pause = min(max(pause * 2, 1.0), 30.0)
            if pause:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=pause)

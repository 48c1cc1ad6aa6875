from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from reach_dispatch import Clock, FakeChannel
from reach_factories import customer
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.dispatch.channel_client import ChannelRejected, ChannelUnavailable, OutboundMessage
from crm.dispatch.dispatcher import Dispatcher
from crm.models import Campaign, Communication


async def launch(client: httpx.AsyncClient, n: int, channel: str = "sms") -> int:
    people = [customer(city="Pune", name=f"Person {i}") for i in range(n)]
    await client.post("/api/ingest", json={"customers": people})
    campaign = (
        await client.post(
            "/api/campaigns",
            json={
                "name": "dispatch",
                "filter": {"conditions": [{"field": "city", "op": "eq", "value": "Pune"}]},
                "channel": channel,
                "message": {"body": "Hi {{ first_name }} from {{ city }}"},
            },
        )
    ).json()
    launched = await client.post(f"/api/campaigns/{campaign['id']}/launch")
    assert launched.status_code == 200
    return int(campaign["id"])


def dispatcher(maker: async_sessionmaker[AsyncSession], channel: FakeChannel, clock: Clock, **kw: Any) -> Dispatcher:
    return Dispatcher(
        maker=maker,
        client=channel,
        callback_url="http://crm.test/api/webhooks/receipts",
        clock=clock,
        **{"batch_size": 4, **kw},
    )


async def states(session: AsyncSession) -> list[str]:
    session.expire_all()
    return sorted((await session.scalars(select(Communication.state))).all())


async def test_dispatches_every_queued_send_once_in_batches_and_completes(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    campaign_id = await launch(client, 10)
    channel, clock = FakeChannel(), Clock()
    worker = dispatcher(sessionmaker, channel, clock)
    outcomes = [await worker.dispatch_once() for _ in range(4)]
    assert [o.dispatched for o in outcomes] == [4, 4, 2, 0]
    assert len(channel.played) == 10 and sum(len(b) for b in channel.batches) == 10
    assert {m.body for m in channel.played.values()} >= {"Hi Person from Pune"}
    assert await states(session) == ["dispatched"] * 10
    campaign = await session.get(Campaign, campaign_id)
    assert campaign is not None
    await session.refresh(campaign)
    assert campaign.status == "completed" and campaign.completed_at is not None


async def test_channel_trouble_backs_off_then_resumes_without_doubles(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await launch(client, 3)
    channel, clock = FakeChannel(), Clock()
    channel.fail_with = [ChannelUnavailable("down"), ChannelUnavailable("429", retry_after=30)]
    worker = dispatcher(sessionmaker, channel, clock)
    first = await worker.dispatch_once()
    assert (first.claimed, first.retried, first.dispatched) == (3, 3, 0)
    assert await states(session) == ["queued"] * 3
    assert (await worker.dispatch_once()).claimed == 0  # not due yet: backing off
    clock.now += timedelta(seconds=2)
    second = await worker.dispatch_once()
    assert second.retried == 3  # the 429 asked for 30 s
    clock.now += timedelta(seconds=10)
    assert (await worker.dispatch_once()).claimed == 0
    clock.now += timedelta(seconds=25)
    assert (await worker.dispatch_once()).dispatched == 3
    assert len(channel.played) == 3 and len(channel.batches) == 1
    attempts = (await session.scalars(select(Communication.attempts))).all()
    assert set(attempts) == {3}


async def test_a_rejected_message_fails_alone(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await launch(client, 3)
    channel, clock = FakeChannel(), Clock()
    channel.fail_with = [ChannelRejected(422, [{"loc": ["body", "messages", 1, "to"], "msg": "bad number"}])]
    worker = dispatcher(sessionmaker, channel, clock)
    await worker.dispatch_once()
    assert await states(session) == ["failed", "queued", "queued"]
    await worker.dispatch_once()
    assert await states(session) == ["dispatched", "dispatched", "failed"]
    failed = await session.scalar(select(Communication).where(Communication.state == "failed"))
    assert failed is not None and "bad number" in (failed.last_error or "")


async def test_a_dispatcher_killed_after_sending_loses_and_doubles_nothing(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await launch(client, 6)
    channel, clock = FakeChannel(), Clock()

    class DiesAfterSending(FakeChannel):
        async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
            await channel.send(callback_url, messages)  # the channel service accepted them …
            raise asyncio.CancelledError  # … and the process died before acknowledging

    doomed = dispatcher(sessionmaker, DiesAfterSending(), clock, claim_ttl_seconds=60)
    with pytest.raises(asyncio.CancelledError):
        await doomed.dispatch_once()
    assert await states(session) == ["claimed"] * 4 + ["queued"] * 2
    survivor = dispatcher(sessionmaker, channel, clock, claim_ttl_seconds=60)
    assert (await survivor.dispatch_once()).dispatched == 2  # the claimed four wait for their claim to lapse
    clock.now += timedelta(seconds=61)
    assert (await survivor.dispatch_once()).dispatched == 4
    assert await states(session) == ["dispatched"] * 6
    sent_ids = [m.communication_id for batch in channel.batches for m in batch]
    assert len(sent_ids) == 10  # four were sent twice (at-least-once) …
    assert len(channel.played) == 6  # … and the channel service played each recipient once


async def test_an_idle_sweep_completes_a_campaign_whose_last_ack_raced(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    campaign_id = await launch(client, 2)
    channel, clock = FakeChannel(), Clock()
    worker = dispatcher(sessionmaker, channel, clock)
    await worker.dispatch_once()
    # Two workers acknowledging their last batches at once could each see the other's rows as
    # still claimed and leave the campaign running; the idle sweep is the safety net.
    await session.execute(update(Campaign).where(Campaign.id == campaign_id).values(status="running"))
    await worker.sweep_finished_campaigns()
    session.expire_all()
    campaign = await session.get(Campaign, campaign_id)
    assert campaign is not None and campaign.status == "completed"


async def test_the_configured_retry_base_sets_the_backoff(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await launch(client, 2)
    channel, clock = FakeChannel(), Clock()
    channel.fail_with = [ChannelUnavailable("down")]
    worker = dispatcher(sessionmaker, channel, clock, retry_base_seconds=100.0)
    assert (await worker.dispatch_once()).retried == 2
    session.expire_all()
    due = (await session.scalars(select(Communication.due_at))).all()
    # First attempt: full jitter over [base/2, base] = [50 s, 100 s]; the default base (1 s) would be ≤ 1 s.
    delays = [(d.replace(tzinfo=clock.now.tzinfo) - clock.now).total_seconds() for d in due]
    assert all(50.0 <= s <= 100.0 for s in delays), delays
    clock.now += timedelta(seconds=49)
    assert (await worker.dispatch_once()).claimed == 0

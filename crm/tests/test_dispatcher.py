from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from reach_auth import bearer_for
from reach_databases import fresh_database_url
from reach_dispatch import Clock, FakeChannel
from reach_factories import customer
from reach_loopback import channel_events
from reach_servers import bind_loopback, serve, url_of, wait_until
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channel_service.config import Settings as ChannelSettings
from channel_service.main import create_app as create_channel_app
from crm.config import DEV_WEBHOOK_SECRET, Settings
from crm.db import create_engine, create_sessionmaker
from crm.dispatch.channel_client import (
    ChannelClient,
    ChannelRejected,
    ChannelUnavailable,
    OutboundMessage,
    admin_headers,
)
from crm.dispatch.dispatcher import Dispatcher
from crm.main import create_app
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


class PausesAfterSending(ChannelClient):
    """The real client; after `pause_after` batches were accepted by the channel service it hangs
    before returning, so the dispatcher is stuck between sending and acknowledging."""

    def __init__(self, http: httpx.AsyncClient, secret: str, pause_after: int) -> None:
        super().__init__(http, secret)
        self.pause_after = pause_after
        self.accepted_batches = 0
        self.paused = asyncio.Event()

    async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
        result = await super().send(callback_url, messages)
        self.accepted_batches += 1
        if self.accepted_batches >= self.pause_after:
            self.paused.set()
            await asyncio.sleep(3600)
        return result


async def test_cancelling_the_dispatcher_mid_launch_sends_each_recipient_once_via_the_real_channel_service(
    backend: str, tmp_path: Path
) -> None:
    n, batch = 120, 20
    database_url = await fresh_database_url(backend, tmp_path, name="crash")
    channel = await serve(
        create_channel_app(
            ChannelSettings(_env_file=None, webhook_secret=DEV_WEBHOOK_SECRET, sim_time_scale=1_000_000.0, sim_seed=5)
        )
    )
    crm_socket = bind_loopback()
    crm = await serve(
        create_app(
            Settings(
                database_url=database_url,
                run_migrations_on_startup=False,
                run_dispatcher=False,
                web_dist_dir="/nonexistent",
                quiet_hours="",
                frequency_cap=0,
            )
        ),
        crm_socket,
    )
    engine = create_engine(database_url)
    maker = create_sessionmaker(engine)
    try:
        async with (
            httpx.AsyncClient(base_url=crm.url, headers=await bearer_for(database_url), timeout=30) as crm_http,
            httpx.AsyncClient(base_url=channel.url, timeout=30) as sends_http,
            httpx.AsyncClient(base_url=channel.url, headers=admin_headers(DEV_WEBHOOK_SECRET), timeout=30) as admin,
        ):
            campaign_id = await launch(crm_http, n)

            def worker(client: ChannelClient) -> Dispatcher:
                return Dispatcher(
                    maker=maker,
                    client=client,
                    callback_url=f"{url_of(crm_socket)}/api/webhooks/receipts",
                    batch_size=batch,
                    claim_ttl_seconds=0.5,
                    poll_seconds=0.05,
                )

            doomed_client = PausesAfterSending(sends_http, DEV_WEBHOOK_SECRET, pause_after=3)
            stop = asyncio.Event()
            doomed = asyncio.create_task(worker(doomed_client).run(stop))
            await asyncio.wait_for(doomed_client.paused.wait(), timeout=30)
            doomed.cancel()  # the process dies with its third batch sent but not acknowledged
            with pytest.raises(asyncio.CancelledError):
                await doomed
            async with maker() as session:
                left = dict((await session.execute(select(Communication.state, func.count()).group_by("state"))).all())
            assert left == {"dispatched": 2 * batch, "claimed": batch, "queued": n - 3 * batch}

            survivor = asyncio.create_task(worker(ChannelClient(sends_http, DEV_WEBHOOK_SECRET)).run(stop))

            async def all_dispatched() -> bool:
                stats = (await crm_http.get(f"/api/campaigns/{campaign_id}/stats")).json()
                return bool(stats["queue"]["dispatched"] == n and stats["status"] == "completed")

            await wait_until(all_dispatched, seconds=60)
            stop.set()
            await asyncio.wait_for(survivor, timeout=15)

            channel_stats = (await admin.get("/v1/stats")).json()
            # The unacknowledged batch was sent again; the channel service played each recipient once.
            assert (channel_stats["accepted"], channel_stats["duplicate_messages"]) == (n, batch)
            uid = (await crm_http.get(f"/api/campaigns/{campaign_id}")).json()["uid"]
            await wait_until(lambda: _sent_events_settled(admin, n), seconds=30)
            sent = Counter(e["communication_id"] for e in await channel_events(admin) if e["type"] == "sent")
            assert len(sent) == n and set(sent.values()) == {1}
            assert all(cid.startswith(f"{uid}-") for cid in sent)
    finally:
        await engine.dispose()
        for server in (crm, channel):
            await server.stop()


async def _sent_events_settled(admin: httpx.AsyncClient, n: int) -> bool:
    return sum(e["type"] == "sent" for e in await channel_events(admin)) >= n

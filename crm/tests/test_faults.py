"""Faults that must lose nothing and double nothing, on loopback with the real services:
the CRM down while receipts are in flight; the database connection cut mid-ingest and mid-receipts
batch (pg_terminate_backend on the shared test server); a real restart of a private PostgreSQL
server mid-ingest; and the channel service down during a launch. Each ends with exact counts
equal to ground truth."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from reach_auth import bearer_for
from reach_databases import fresh_database_url
from reach_factories import customer, order
from reach_loopback import channel_events, fast_channel_settings, loopback_crm_settings
from reach_receipts import make_communications
from reach_servers import RunningServer, bind_loopback, serve, wait_until
from sqlalchemy import text
from sqlalchemy.engine import make_url

from channel_service.main import create_app as create_channel_app
from crm.config import DEV_WEBHOOK_SECRET, Settings
from crm.db import create_engine, create_sessionmaker
from crm.dispatch.channel_client import admin_headers
from crm.main import create_app
from crm.migrate import upgrade_to_head
from crm.signing import signed_headers

EVERY_CONSENT = {"email": True, "sms": True, "whatsapp": True, "rcs": True}


def crm_settings(database_url: str, channel_url: str, public_url: str) -> Settings:
    return loopback_crm_settings(
        database_url,
        channel_url,
        public_url,
        dispatch_batch_size=500,
        dispatch_retry_base_seconds=0.2,
        max_json_bytes=64 * 1024 * 1024,
    )


def channel_app(**overrides: Any) -> Any:
    values: dict[str, Any] = {"sim_seed": 5, "callback_retry_max_delay": 0.3, "callback_max_attempts": 60}
    return create_channel_app(fast_channel_settings(**(values | overrides)))


@dataclass(frozen=True)
class GroundTruth:
    """What the channel service really emitted for one campaign (its unique-event log)."""

    funnel: dict[str, int]
    revenue: float
    event_ids: set[str]


async def truth(channel: httpx.AsyncClient, uid: str) -> GroundTruth:
    seen: dict[str, set[str]] = defaultdict(set)
    event_ids: set[str] = set()
    revenue = 0.0
    for e in await channel_events(channel, uid):
        seen[e["type"]].add(e["communication_id"])
        event_ids.add(e["event_id"])
        revenue += e.get("value") or 0
    kinds = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")
    return GroundTruth({k: len(seen[k]) for k in kinds}, round(revenue, 2), event_ids)


async def stored_event_ids(database_url: str, uid: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT event_id FROM receipt_events WHERE communication_id LIKE :prefix"), {"prefix": f"{uid}-%"}
            )
            return {row[0] for row in rows}
    finally:
        await engine.dispose()


async def launch(crm: httpx.AsyncClient, n: int, channel: str = "whatsapp") -> dict[str, Any]:
    people = [customer(city="Pune", consent=EVERY_CONSENT) for _ in range(n)]
    for start in range(0, n, 1000):
        assert (await crm.post("/api/ingest", json={"customers": people[start : start + 1000]})).status_code == 200
    created = (
        await crm.post(
            "/api/campaigns",
            json={
                "name": "fault",
                "channel": channel,
                "filter": {"conditions": [{"field": "city", "op": "eq", "value": "Pune"}]},
                "message": {"body": "Hi {{ first_name }}"},
            },
        )
    ).json()
    launched = await crm.post(f"/api/campaigns/{created['id']}/launch")
    assert launched.status_code == 200 and launched.json()["queued"] == n
    detail: dict[str, Any] = launched.json()
    return detail


async def settled(crm: httpx.AsyncClient, channel: httpx.AsyncClient, campaign_id: int, n: int) -> bool:
    stats = (await channel.get("/v1/stats")).json()
    crm_stats = (await crm.get(f"/api/campaigns/{campaign_id}/stats")).json()
    return (
        crm_stats["queue"]["dispatched"] == n
        and stats["in_flight"] == 0
        and stats["queue_depth"] == 0
        and stats["callbacks_pending"]["events"] == 0
        and stats["dead_letters"]["events"] == 0
        and stats["callback_events_sent"] >= stats["events_emitted"] + stats["duplicates_injected"]
    )


async def test_crm_down_while_receipts_flow_loses_nothing(backend: str, tmp_path: Path) -> None:
    database_url = await fresh_database_url(backend, tmp_path, name="fault_crm")
    channel = await serve(channel_app(sim_time_scale=40_000.0))  # two days of behaviour play in ~4 s
    crm_socket = bind_loopback()
    crm_port = crm_socket.getsockname()[1]
    public_url = f"http://127.0.0.1:{crm_port}"
    settings = crm_settings(database_url, channel.url, public_url)
    crm: RunningServer = await serve(create_app(settings), crm_socket)
    n = 3_500  # ≈ 10,000 events with duplicates
    async with (
        httpx.AsyncClient(base_url=public_url, timeout=60, headers=await bearer_for(database_url)) as http,
        httpx.AsyncClient(base_url=channel.url, timeout=60, headers=admin_headers(DEV_WEBHOOK_SECRET)) as channel_http,
    ):
        campaign = await launch(http, n)
        await wait_until(lambda: _dispatched(http, campaign["id"], n), seconds=60)
        await crm.stop()  # the CRM goes away while thousands of receipts are still to come
        await asyncio.sleep(1.5)
        during = (await channel_http.get("/v1/stats")).json()
        assert during["retries"] > 0  # the channel service kept trying
        crm_socket = bind_loopback_at(crm_port)
        crm = await serve(create_app(settings), crm_socket)
        await wait_until(lambda: settled(http, channel_http, campaign["id"], n), seconds=120)
        ground = await truth(channel_http, campaign["uid"])
        stats = (await http.get(f"/api/campaigns/{campaign['id']}/stats")).json()
        channel_stats = (await channel_http.get("/v1/stats")).json()
        assert channel_stats["events_emitted"] == len(ground.event_ids)  # the log holds every unique event
        assert len(ground.event_ids) + channel_stats["duplicates_injected"] >= 10_000  # the load sent through
        assert await stored_event_ids(database_url, campaign["uid"]) == ground.event_ids  # each exactly once
        assert stats["funnel"] == ground.funnel and stats["revenue"] == pytest.approx(ground.revenue)
    await crm.stop()
    await channel.stop()


async def _dispatched(http: httpx.AsyncClient, campaign_id: int, n: int) -> bool:
    return bool((await http.get(f"/api/campaigns/{campaign_id}/stats")).json()["queue"]["dispatched"] == n)


def bind_loopback_at(port: int) -> Any:
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


async def test_channel_service_down_during_launch_backs_off_and_resumes_without_doubles(
    backend: str, tmp_path: Path
) -> None:
    database_url = await fresh_database_url(backend, tmp_path, name="fault_channel")
    channel_socket = bind_loopback()  # reserved, but nothing listens yet
    channel_url = "http://{}:{}".format(*channel_socket.getsockname())
    crm_socket = bind_loopback()
    public_url = "http://{}:{}".format(*crm_socket.getsockname())
    crm = await serve(create_app(crm_settings(database_url, channel_url, public_url)), crm_socket)
    n = 600
    async with httpx.AsyncClient(base_url=public_url, timeout=60, headers=await bearer_for(database_url)) as http:
        campaign = await launch(http, n)
        await asyncio.sleep(1.5)
        waiting = (await http.get(f"/api/campaigns/{campaign['id']}/stats")).json()
        assert waiting["queue"]["dispatched"] == 0 and waiting["queue"]["failed"] == 0
        channel = await serve(channel_app(), channel_socket)
        async with httpx.AsyncClient(
            base_url=channel.url, timeout=60, headers=admin_headers(DEV_WEBHOOK_SECRET)
        ) as channel_http:
            await wait_until(lambda: settled(http, channel_http, campaign["id"], n), seconds=120)
            channel_stats = (await channel_http.get("/v1/stats")).json()
            assert channel_stats["accepted"] - channel_stats["duplicate_messages"] == n  # each recipient once
            ground = await truth(channel_http, campaign["uid"])
            stats = (await http.get(f"/api/campaigns/{campaign['id']}/stats")).json()
            assert stats["funnel"] == ground.funnel and ground.funnel["sent"] == n
            assert stats["revenue"] == pytest.approx(ground.revenue)
            assert await stored_event_ids(database_url, campaign["uid"]) == ground.event_ids
        await channel.stop()
    await crm.stop()


async def test_losing_the_database_mid_ingest_writes_nothing_and_is_retryable(backend: str, tmp_path: Path) -> None:
    if backend != "postgresql":
        pytest.skip("an embedded SQLite file cannot be restarted under the process")
    database_url = await fresh_database_url(backend, tmp_path, name="fault_db")
    crm = await serve(create_app(crm_settings(database_url, "http://127.0.0.1:9", "http://127.0.0.1:9")))
    people = [customer(consent=EVERY_CONSENT) for _ in range(10_000)]
    orders = [order(p["external_id"]) for p in people]
    url = make_url(database_url)
    admin = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database="postgres")

    locker = await asyncpg.connect(host=url.host, port=url.port, user=url.username, database=url.database)

    async def cut_mid_transaction() -> int:
        """Waits until the ingest is parked inside its transaction — customers and orders written,
        its order-items insert waiting on our table lock — then kills that connection."""
        for _ in range(3000):
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> $2 AND xact_start IS NOT NULL AND wait_event_type = 'Lock'",
                url.database,
                locker.get_server_pid(),
            )
            if killed:
                return int(killed)
            await asyncio.sleep(0.01)
        return 0

    try:
        async with httpx.AsyncClient(base_url=crm.url, timeout=120, headers=await bearer_for(database_url)) as http:
            parked = locker.transaction()
            await parked.start()
            await locker.execute("LOCK TABLE order_items IN SHARE MODE")  # inserts into it wait
            request = asyncio.create_task(http.post("/api/ingest", json={"customers": people, "orders": orders}))
            assert await cut_mid_transaction() == 1
            await parked.rollback()
            response = await request
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"]
            assert "nothing from this request was saved" in response.json()["detail"]
            assert (await http.get("/api/customers", params={"limit": 1})).json()["items"] == []  # no partial write
            retried = await http.post("/api/ingest", json={"customers": people, "orders": orders})
            assert retried.status_code == 200 and retried.json()["orders"]["created"] == 10_000
    finally:
        await locker.close()
        await admin.close()
        await crm.stop()


async def test_losing_the_database_mid_receipts_batch_writes_nothing_and_a_retry_applies_it_once(
    backend: str, tmp_path: Path
) -> None:
    """The test's own uncommitted copy of the batch's last event parks the batch inside its
    transaction — webhook-id recorded, communications locked, its events being inserted — so the
    connection is cut at exactly that point, every run."""
    if backend != "postgresql":
        pytest.skip("an embedded SQLite file cannot be cut off under the process")
    database_url = await fresh_database_url(backend, tmp_path, name="fault_receipts")
    engine = create_engine(database_url)
    async with create_sessionmaker(engine)() as session, session.begin():
        rows = await make_communications(session, 300)
        ids = [row.communication_id for row in rows]
        campaign_id = rows[0].campaign_id
    await engine.dispose()
    steps = ("sent", "delivered", "read")
    events = [
        {"event_id": f"{cid}-{kind}", "communication_id": cid, "type": kind, "occurred_at": f"2026-11-01T10:0{i}:00Z"}
        for cid in ids
        for i, kind in enumerate(steps)
    ]
    body = json.dumps({"events": events}).encode()
    headers = signed_headers(DEV_WEBHOOK_SECRET, body) | {"content-type": "application/json"}
    settings = crm_settings(database_url, "http://127.0.0.1:9", "http://127.0.0.1:9")
    crm = await serve(create_app(settings.model_copy(update={"run_dispatcher": False})))
    url = make_url(database_url)
    connect = {"host": url.host, "port": url.port, "user": url.username}
    admin = await asyncpg.connect(**connect, database="postgres")
    locker = await asyncpg.connect(**connect, database=url.database)
    written = "SELECT (SELECT count(*) FROM receipt_events) + (SELECT count(*) FROM webhook_deliveries)"
    try:
        async with httpx.AsyncClient(base_url=crm.url, timeout=60, headers=await bearer_for(database_url)) as http:
            parked = locker.transaction()
            await parked.start()
            last = max(events, key=lambda e: e["event_id"])
            await locker.execute(
                "INSERT INTO receipt_events (event_id, communication_id, type, occurred_at, matched, received_at) "
                "VALUES ($1, $2, $3, now(), true, now())",
                last["event_id"],
                last["communication_id"],
                last["type"],
            )
            request = asyncio.create_task(http.post("/api/webhooks/receipts", content=body, headers=headers))
            waiting = None
            for _ in range(1000):
                waiting = await admin.fetchval(
                    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> $2",
                    url.database,
                    locker.get_server_pid(),
                )
                if waiting is not None:
                    break
                await asyncio.sleep(0.01)
            assert waiting is not None, "the batch never reached its events insert"
            touched = await locker.fetch(
                "SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = $1 AND l.mode = 'RowExclusiveLock'",
                waiting,
            )
            assert {"receipt_events", "webhook_deliveries"} <= {r["relname"] for r in touched}  # already written
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", waiting)
            await parked.rollback()
            response = await request
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"]
            assert "nothing from this request was saved" in response.json()["detail"]
            assert await locker.fetchval(written) == 0  # neither the events nor the webhook-id survived

            retried = await http.post("/api/webhooks/receipts", content=body, headers=headers)
            assert retried.status_code == 200, retried.text
            assert retried.json() == {"received": 900, "applied": 900, "duplicates": 0, "unmatched": 0}
            replayed = await http.post("/api/webhooks/receipts", content=body, headers=headers)
            assert replayed.status_code == 409
            assert await locker.fetchval("SELECT count(*) FROM receipt_events") == 900
            funnel = (await http.get(f"/api/campaigns/{campaign_id}/stats")).json()["funnel"]
            assert {kind: funnel[kind] for kind in steps} == dict.fromkeys(steps, 300)
    finally:
        await locker.close()
        await admin.close()
        await crm.stop()


PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


@dataclass(frozen=True)
class PrivatePostgres:
    """A throwaway PostgreSQL server of the test's own (never the shared one other tests use),
    so it can really be restarted."""

    directory: Path
    port: int

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str, check: bool = True) -> None:
        assert PG_BIN is not None
        command = ["runuser", "-u", "postgres", "--", str(PG_BIN / program), *args]
        subprocess.run(command, check=check, capture_output=True, timeout=120)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def running(self) -> bool:
        assert PG_BIN is not None
        status = ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data), "status"]
        return subprocess.run(status, capture_output=True, timeout=30).returncode == 0


@asynccontextmanager
async def private_postgres() -> AsyncIterator[PrivatePostgres]:
    if os.geteuid() != 0 or PG_BIN is None or shutil.which("runuser") is None:
        pytest.skip("a private PostgreSQL server needs root (to run it as postgres) and the server binaries")
    directory = Path(tempfile.mkdtemp(prefix="reach_sec_pg_"))
    shutil.chown(directory, "postgres")
    with bind_loopback() as probe:
        port = probe.getsockname()[1]
    server = PrivatePostgres(directory, port)
    try:
        await asyncio.to_thread(server.run, "initdb", "-D", str(server.data), "-A", "trust", "-U", "postgres", "-N")
        await asyncio.to_thread(server.start)
        yield server
    finally:
        await asyncio.to_thread(server.stop, "immediate")
        shutil.rmtree(directory, ignore_errors=True)


async def test_a_real_postgres_restart_mid_ingest_writes_nothing_and_the_retry_applies_it_once(
    backend: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("an embedded SQLite file cannot be restarted under the process")
    async with private_postgres() as server:
        admin = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres", database="postgres")
        await admin.execute('CREATE DATABASE "reach_sec_restart"')
        await admin.close()
        database_url = server.url("reach_sec_restart")
        await asyncio.to_thread(upgrade_to_head, database_url)
        settings = crm_settings(database_url, "http://127.0.0.1:9", "http://127.0.0.1:9")
        crm = await serve(create_app(settings.model_copy(update={"run_dispatcher": False})))
        people = [customer(consent=EVERY_CONSENT) for _ in range(10_000)]
        orders = [order(p["external_id"]) for p in people]
        payload = {"customers": people, "orders": orders}
        try:
            async with httpx.AsyncClient(base_url=crm.url, timeout=120, headers=await bearer_for(database_url)) as http:
                request = asyncio.create_task(http.post("/api/ingest", json=payload))
                assert await transaction_opened(server.port, "reach_sec_restart")
                try:
                    await asyncio.to_thread(server.stop, "fast")  # ends every session, rolls back what is open
                finally:
                    if not await asyncio.to_thread(server.running):
                        await asyncio.to_thread(server.start)
                response = await request
                assert response.status_code == 503, response.text
                assert response.headers["retry-after"]
                counts = "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM orders)"
                probe = await asyncpg.connect(
                    host="127.0.0.1", port=server.port, user="postgres", database="reach_sec_restart"
                )
                try:
                    assert tuple(await probe.fetchrow(counts)) == (0, 0)  # nothing partial survived the restart
                    retried = await http.post("/api/ingest", json=payload)
                    assert retried.status_code == 200, retried.text
                    assert retried.json()["orders"]["created"] == 10_000
                    assert tuple(await probe.fetchrow(counts)) == (10_000, 10_000)
                finally:
                    await probe.close()
        finally:
            await crm.stop()


async def transaction_opened(port: int, database: str) -> bool:
    """Waits until a session of `database` has a transaction open (the ingest is writing)."""
    watcher = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres", database="postgres")
    try:
        for _ in range(2000):
            if await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND xact_start IS NOT NULL "
                "AND query ILIKE '%INSERT%'",
                database,
            ):
                return True
            await asyncio.sleep(0.005)
        return False
    finally:
        await watcher.close()

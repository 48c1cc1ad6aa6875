"""Receipts benchmark: delivery-receipt ingest rate (events/s) on SQLite and Postgres.

    .venv/bin/python bench/receipts.py                                   # 20k communications per pass
    .venv/bin/python bench/receipts.py --communications 200000 --single-events 40000
    .venv/bin/python bench/receipts.py --backends postgresql --batch-clients 1,4

Data: each pass gets its own running WhatsApp campaign with `--communications` dispatched
communications (customers + customer_stats rows inserted with bulk INSERTs, communications with
one INSERT … SELECT, the shape a launch makes), in a fresh bench database (reach_bench_receipts
on Postgres, <tmp>/reach_bench_receipts.db on SQLite) migrated to head. Each communication gets
a lifecycle of receipt events (sent; then failed ~3%, or delivered → read ~70% → clicked ~30%
→ converted ~40% with a value); ~5% of the events are sent twice (same event_id, anywhere in
the stream); the stream is shuffled (seeded), so events arrive out of order.

Passes, each against its own campaign:
  service   ReceiptService.ingest called directly (a committer on the bench's sessionmaker), 1,000
            events a call, one transaction each
            (the batches are validated up front: this is service + SQL only)
  http      POST /api/webhooks/receipts, 1,000 events a request, `--batch-clients` concurrent
            connections (a comma list gives one pass each)
  single    POST /api/webhooks/receipts, one event a request, `--single-clients` connections

The CRM app (`crm.main.create_app`, dispatcher off, no access log) is served by uvicorn in its
own process on a loopback socket; the load comes from this process over raw keep-alive HTTP/1.1
connections with every request signed (Standard Webhooks) before the clock starts, so the client
costs almost nothing. A 5xx answer (e.g. a Postgres deadlock between concurrent batches) is
retried, as the channel service would, and counted.

Checked after every pass (✓/✗): the campaign's funnel (crm.analytics' own SQL) and revenue equal
the unique events sent, receipt_events holds each unique event once, and the responses'
`applied`/`duplicates` add up.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# The repo root (for bench.common) instead of bench/ itself, where bench/queue.py would shadow the
# standard library's queue module. Run this file by its path: python bench/<name>.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
if str(Path(__file__).resolve().parent) in sys.path:  # not when a uvicorn worker re-imports this file
    sys.path.remove(str(Path(__file__).resolve().parent))

from sqlalchemy import String, cast, func, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import Backend, backend_for, fresh_database, machine_line, parse_backends, render_table
from crm.db import create_engine, create_sessionmaker
from crm.messages.group_commit import GroupCommitter
from crm.messages.stats import funnel_by_channel, of_campaign
from crm.models import Campaign, Communication, Customer, ReceiptEvent
from crm.signing import signed_headers
from crm.tables import communications_table, customer_stats_table, customers_table
from crm.webhooks.schemas import ReceiptBatch
from crm.webhooks.service import ReceiptService

SECRET = "whsec_" + base64.b64encode(b"reach-receipts-bench-secret-01").decode()
PATH = "/api/webhooks/receipts"
SERVER_LOG = Path(tempfile.gettempdir()) / "reach_bench_receipts_server.log"
BATCH_EVENTS = 1000
DUPLICATE_RATE = 0.05
BASE_TIME = datetime(2026, 9, 1, 4, 30, tzinfo=UTC)
TARGETS = {"service": 50_000.0, "http": 50_000.0, "single": 2_000.0}  # events/s (single: = requests/s)
FUNNEL_TYPES = {"sent": "sent", "delivered": "delivered", "opened": "opened", "read": "read"}
FUNNEL_TYPES |= {"clicked": "clicked", "converted": "converted", "failed": "failed"}


# --- the event stream ----------------------------------------------------------------------


@dataclass
class Stream:
    """A shuffled receipt stream for one campaign and what its funnel must show afterwards."""

    events: list[dict[str, Any]]
    unique: int
    expected_funnel: dict[str, int]
    expected_revenue_minor: int


def lifecycle(communication_id: str, rng: random.Random) -> list[dict[str, Any]]:
    at = BASE_TIME + timedelta(seconds=rng.randrange(86_400))

    def event(kind: str, seconds: float, **extra: Any) -> dict[str, Any]:
        return {
            "event_id": f"evt-{communication_id}-{kind}",
            "communication_id": communication_id,
            "type": kind,
            "occurred_at": (at + timedelta(seconds=seconds)).isoformat(),
            **extra,
        }

    events = [event("sent", 0)]
    if rng.random() < 0.03:
        return [*events, event("failed", 4, reason="undeliverable")]
    events.append(event("delivered", 9))
    if rng.random() < 0.70:
        events.append(event("read", 600 + rng.randrange(3600)))
        if rng.random() < 0.30:
            events.append(event("clicked", 5000))
            if rng.random() < 0.40:
                events.append(event("converted", 9000, value=float(rng.randrange(299, 4999))))
    return events


def build_stream(uid: str, customer_ids: Sequence[int], seed: int) -> Stream:
    rng = random.Random(seed)
    unique = [e for cid in customer_ids for e in lifecycle(f"{uid}-{cid}", rng)]
    kinds = Counter(e["type"] for e in unique)
    duplicates = rng.sample(unique, round(len(unique) * DUPLICATE_RATE))
    events = unique + [dict(e) for e in duplicates]
    rng.shuffle(events)
    # The funnel counts stages cumulatively; these lifecycles are monotone, so stage = type count.
    expected = {stage: kinds.get(kind, 0) for stage, kind in FUNNEL_TYPES.items()}
    revenue = sum(round(e["value"] * 100) for e in unique if e["type"] == "converted")
    return Stream(events, len(unique), expected, revenue)


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def raw_request(port: int, body: bytes) -> bytes:
    headers = signed_headers(SECRET, body) | {"host": f"127.0.0.1:{port}", "content-length": str(len(body))}
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST {PATH} HTTP/1.1\r\n{head}\r\n".encode() + body


def encode(events: Sequence[dict[str, Any]]) -> bytes:
    return json.dumps({"events": list(events)}, separators=(",", ":")).encode()


# --- the database --------------------------------------------------------------------------


async def create_customers(maker: async_sessionmaker[AsyncSession], count: int) -> list[int]:
    """Plain bulk INSERTs of customers and their customer_stats rows (not the ingest service)."""
    now = datetime.now(UTC)
    async with maker() as session, session.begin():
        for start in range(0, count, 5000):
            rows = [
                {
                    "external_id": f"rb-{n:08d}",
                    "name": f"Receipt Person {n}",
                    "phone": f"+9198{n:08d}",
                    "city": "Pune",
                    "consent_whatsapp": True,
                    "created_at": now,
                    "updated_at": now,
                }
                for n in range(start, min(start + 5000, count))
            ]
            ids = list(await session.scalars(insert(customers_table).returning(customers_table.c.id), rows))
            await session.execute(insert(customer_stats_table), [{"customer_id": i} for i in ids])
        return list(await session.scalars(select(Customer.id).order_by(Customer.id)))


async def create_campaign(maker: async_sessionmaker[AsyncSession], label: str) -> tuple[int, str]:
    """A running campaign with one dispatched communication per customer (INSERT … SELECT)."""
    now = datetime.now(UTC)
    uid = uuid.uuid4().hex
    async with maker() as session, session.begin():
        campaign = Campaign(uid=uid, name=f"receipts {label}", channel="whatsapp", message_body="Hi", status="running")
        session.add(campaign)
        await session.flush()
        source = select(
            (literal(f"{uid}-") + cast(Customer.id, String)).label("communication_id"),
            literal(campaign.id).label("campaign_id"),
            Customer.id.label("customer_id"),
            literal("whatsapp").label("channel"),
            Customer.phone.label("to_address"),
            literal("dispatched").label("state"),
            literal(now, Communication.due_at.type).label("due_at"),
            literal(1).label("attempts"),
            literal(now, Communication.dispatched_at.type).label("dispatched_at"),
            literal(now, Communication.created_at.type).label("created_at"),
        )
        columns = [
            "communication_id",
            "campaign_id",
            "customer_id",
            "channel",
            "to_address",
            "state",
            "due_at",
            "attempts",
            "dispatched_at",
            "created_at",
        ]
        await session.execute(communications_table.insert().from_select(columns, source))
        return campaign.id, uid


@dataclass
class Check:
    funnel_ok: bool
    revenue_ok: bool
    stored_ok: bool
    report_ok: bool
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.funnel_ok and self.revenue_ok and self.stored_ok and self.report_ok


async def verify(
    maker: async_sessionmaker[AsyncSession], campaign_id: int, stream: Stream, applied: int, duplicates: int
) -> Check:
    async with maker() as session:
        rows = await funnel_by_channel(session, of_campaign(campaign_id))
        stored = await session.scalar(
            select(func.count())
            .select_from(ReceiptEvent)
            .join(Communication, Communication.communication_id == ReceiptEvent.communication_id)
            .where(Communication.campaign_id == campaign_id)
        )
    funnel = {stage: sum(r[stage] for r in rows) for stage in FUNNEL_TYPES}
    revenue = sum(r["revenue_minor"] for r in rows)
    sent_twice = len(stream.events) - stream.unique
    check = Check(
        funnel_ok=funnel == stream.expected_funnel,
        revenue_ok=revenue == stream.expected_revenue_minor,
        stored_ok=stored == stream.unique,
        report_ok=(applied, duplicates) == (stream.unique, sent_twice),
    )
    if not check.ok:
        check.detail = (
            f"funnel {funnel} vs {stream.expected_funnel}; revenue {revenue} vs {stream.expected_revenue_minor}; "
            f"stored {stored} vs {stream.unique}; applied/duplicates {applied}/{duplicates} vs "
            f"{stream.unique}/{sent_twice}"
        )
    return check


# --- the CRM server process and a raw HTTP/1.1 client --------------------------------------


def serve_crm(database_url: str, workers: int) -> None:
    """Child role: the CRM app on a fresh loopback port (printed on stdout), until terminated; with
    `workers` > 1, that many uvicorn worker processes on the socket, as CRM_WORKERS serves the
    product (docker-compose, make up)."""
    import logging

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from crm.config import Settings
    from crm.main import create_app

    logging.getLogger("crm").setLevel(logging.ERROR)
    environment = {
        "DATABASE_URL": database_url,
        "WEBHOOK_SECRET": SECRET,
        "RUN_DISPATCHER": "false",
        "RUN_MIGRATIONS_ON_STARTUP": "false",
        "WEB_DIST_DIR": "/nonexistent",
        "CRM_WORKERS": str(workers),
    }
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio sets TCP_NODELAY
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    quiet = {"log_level": "warning", "access_log": False, "lifespan": "on"}
    if workers > 1:  # the workers import the app themselves and read their settings from the environment
        os.environ.update(environment)
        config = uvicorn.Config("crm.main:create_app", factory=True, workers=workers, **quiet)  # type: ignore[arg-type]
        Multiprocess(config, sockets=[sock]).run()
        return
    settings = Settings(_env_file=None, **{name.lower(): value for name, value in environment.items()})  # type: ignore[arg-type]
    config = uvicorn.Config(create_app(settings), **quiet)  # type: ignore[arg-type]
    uvicorn.Server(config).run(sockets=[sock])


class CrmServer:
    def __init__(self, database_url: str, log: Path, workers: int) -> None:
        command = [sys.executable, __file__, "serve", "--database-url", database_url, "--crm-workers", str(workers)]
        with log.open("w") as stderr:
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    async def wait_ready(self) -> None:
        for _ in range(300):
            try:
                connection = await Connection.open(self.port)
                status, _ = await connection.request(
                    f"GET /api/health HTTP/1.1\r\nhost: 127.0.0.1:{self.port}\r\n\r\n".encode()
                )
                await connection.close()
                if status == 200:
                    return
            except OSError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError("the CRM server did not come up")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Connection:
    """One keep-alive HTTP/1.1 connection; requests are pre-built bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


@dataclass
class HttpTally:
    applied: int = 0
    duplicates: int = 0
    retries: int = 0
    statuses: Counter[int] = field(default_factory=Counter)


async def post_all(port: int, requests: list[bytes], clients: int) -> tuple[float, HttpTally]:
    """Posts every request over `clients` connections; 5xx and dropped connections are retried."""
    tally = HttpTally()
    pending = list(reversed(requests))
    connections = [await Connection.open(port) for _ in range(clients)]

    async def client(connection: Connection) -> None:
        while pending:
            raw = pending.pop()
            for _ in range(20):
                try:
                    status, body = await connection.request(raw)
                except (asyncio.IncompleteReadError, ConnectionError):
                    await connection.close()
                    connection = await Connection.open(port)
                    status, body = 599, b""
                tally.statuses[status] += 1
                if status == 200:
                    result = json.loads(body)
                    tally.applied += result["applied"]
                    tally.duplicates += result["duplicates"]
                    break
                if status == 409:  # a retried request that had been applied after all (webhook-id replay)
                    break
                if status < 500:
                    raise RuntimeError(f"receipts endpoint answered {status}: {body[:300]!r}")
                tally.retries += 1
                await asyncio.sleep(0.01)
            else:
                raise RuntimeError("a request failed 20 times")
        await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(c) for c in connections))
    return time.perf_counter() - started, tally


# --- passes --------------------------------------------------------------------------------


@dataclass
class PassResult:
    backend: str
    mode: str
    clients: int
    events: int
    requests: int
    seconds: float
    check: Check
    retries: int = 0

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds


async def service_pass(maker: async_sessionmaker[AsyncSession], stream: Stream) -> tuple[float, int, int]:
    batches = [ReceiptBatch.model_validate({"events": part}) for part in chunks(stream.events, BATCH_EVENTS)]
    applied = duplicates = 0
    service = ReceiptService(GroupCommitter(maker))  # no statement engine: a session transaction a call
    started = time.perf_counter()
    for batch in batches:
        result = await service.ingest(batch)
        applied += result.applied
        duplicates += result.duplicates
    return time.perf_counter() - started, applied, duplicates


async def run_backend(backend: Backend, args: argparse.Namespace) -> list[PassResult]:
    step = time.perf_counter()
    await fresh_database(backend)
    engine: AsyncEngine = create_engine(backend.url)
    maker = create_sessionmaker(engine)
    results: list[PassResult] = []
    server: CrmServer | None = None
    try:
        customer_ids = await create_customers(maker, args.communications)
        passes: list[tuple[str, int]] = [("service", 1)]
        passes += [("http", c) for c in args.batch_clients]
        passes += [("single", args.single_clients)] if args.single_events else []
        campaigns = [await create_campaign(maker, f"{mode} x{clients}") for mode, clients in passes]
        print(
            f"  {backend.name}: {len(customer_ids):,} customers, {len(passes)} campaigns × "
            f"{len(customer_ids):,} communications ({time.perf_counter() - step:.1f}s)",
            flush=True,
        )
        server = CrmServer(backend.url, SERVER_LOG, args.crm_workers if backend.name == "postgresql" else 1)
        await server.wait_ready()
        for index, ((mode, clients), (campaign_id, uid)) in enumerate(zip(passes, campaigns, strict=True)):
            if mode == "single":
                per_communication = 3.7
                wanted = min(len(customer_ids), math.ceil(args.single_events / per_communication))
                stream = build_stream(uid, customer_ids[:wanted], args.seed + index)
            else:
                stream = build_stream(uid, customer_ids, args.seed + index)
            if mode == "service":
                seconds, applied, duplicates = await service_pass(maker, stream)
                requests, retries = math.ceil(len(stream.events) / BATCH_EVENTS), 0
            else:
                size = 1 if mode == "single" else BATCH_EVENTS
                raw = [raw_request(server.port, encode(part)) for part in chunks(stream.events, size)]
                seconds, tally = await post_all(server.port, raw, clients)
                applied, duplicates, requests, retries = tally.applied, tally.duplicates, len(raw), tally.retries
            check = await verify(maker, campaign_id, stream, applied, duplicates)
            result = PassResult(backend.name, mode, clients, len(stream.events), requests, seconds, check, retries)
            results.append(result)
            print(
                f"  {backend.name} {mode} x{clients}: {len(stream.events):,} events in {seconds:.1f}s "
                f"= {result.events_per_s:,.0f} events/s, {result.requests_per_s:,.0f} req/s"
                f"{f', {retries} retried 5xx' if retries else ''} {'✓' if check.ok else '✗ ' + check.detail}"
                f"{f' (server errors: {SERVER_LOG})' if retries else ''}",
                flush=True,
            )
    finally:
        if server is not None:
            server.stop()
        await engine.dispose()
    return results


def result_row(r: PassResult) -> list[object]:
    target = TARGETS[r.mode]
    measured = r.requests_per_s if r.mode == "single" else r.events_per_s
    unit = "req/s" if r.mode == "single" else "events/s"
    how = {"service": "ReceiptService.ingest, 1,000/call", "http": "HTTP, 1,000/request", "single": "HTTP, 1/request"}
    return [
        r.backend,
        how[r.mode],
        r.clients,
        r.events,
        r.seconds,
        r.events_per_s,
        r.requests_per_s,
        r.retries,
        f"≥ {target:,.0f} {unit}" if r.mode != "service" else "(no HTTP)",
        ("met" if measured >= target else "MISSED") if r.mode != "service" else "",
        "✓" if r.check.ok else "✗",
    ]


HEADERS = ("backend", "path", "clients", "events", "s", "events/s", "requests/s", "5xx retried", "target", "", "funnel")


def parse_clients(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("role", nargs="?", default="run", choices=["run", "serve"], help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--communications", type=int, default=20_000, help="communications per pass (~3.7 events)")
    parser.add_argument("--batch-clients", type=parse_clients, default=[1, 4], help="comma list, one http pass each")
    parser.add_argument("--single-events", type=int, default=5_000, help="events in the single pass (0 skips)")
    parser.add_argument("--single-clients", type=int, default=8)
    parser.add_argument("--backends", type=parse_backends, default=parse_backends("sqlite,postgresql"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--crm-workers",
        type=int,
        default=1,
        help="CRM server processes on Postgres (the product's CRM_WORKERS; docker-compose runs 2); SQLite: 1",
    )
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    print(f"receipts benchmark · {machine_line()}", flush=True)
    results: list[PassResult] = []
    for name in args.backends:
        results += await run_backend(backend_for(name, "receipts"), args)
    print()
    print(render_table(HEADERS, [result_row(r) for r in results]))
    failed = [r for r in results if not r.check.ok]
    print(f"\nfunnel checks: {'✓ all equal the unique events sent' if not failed else f'✗ {len(failed)} failed'}")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "serve":
        serve_crm(args.database_url, args.crm_workers)
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())

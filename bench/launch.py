"""Launch benchmark: materialising a campaign's sends (recipients/s) and dispatching them.

    .venv/bin/python bench/launch.py                                  # 100k and 1M recipients
    .venv/bin/python bench/launch.py --recipients 100000 --backends postgresql --receivers fake
    .venv/bin/python bench/launch.py --rebuild                        # rebuild the cached customers

Data (cached between runs; `--rebuild` rebuilds): `--recipients` × 21/20 customers with their
customer_stats rows, loaded with bulk INSERTs (COPY on Postgres, executemany on SQLite; not the
ingest service), in reach_bench_launch (Postgres) or <tmp>/reach_bench_launch.db (SQLite).
Every customer has a phone; 1 in 21 has no WhatsApp consent (suppressed at launch); 1 in 10
lives in Pune. So a WhatsApp campaign to everyone reaches exactly `--recipients` customers and
one to `city = Pune` reaches a tenth of them.

Materialise: CampaignService.launch (audience breakdown + INSERT … SELECT of one queued
communication per reachable recipient + counts, one transaction with its commit) for the Pune
campaign (recipients / 10) and the everyone campaign (recipients), each on an emptied
communications table. Reported: launch wall time, of which materialise_sends, and recipients/s.

Dispatch (Postgres; `--dispatch-backends` adds SQLite): a campaign to recipients / 10 is
launched, then `--workers` dispatcher processes (crm.dispatch.Dispatcher, no send policy,
`--batch-size`) claim → render → POST signed batches → acknowledge until the queue is empty.
Receivers: `channel` is the real channel service (its own process, SIM_TIME_SCALE 1e6, its
callbacks going to a sink process), `fake` is a bare ASGI app that answers 202 and verifies
nothing. Reported: recipients/s from "go" to the last acknowledgement; checked (✓/✗) that every
communication ended `dispatched` and the receiver accepted each at least once.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

# The repo root (for bench.common) instead of bench/ itself, where bench/queue.py would shadow the
# standard library's queue module. Run this file by its path: python bench/<name>.py.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.remove(str(Path(__file__).resolve().parent))

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import (
    Backend,
    backend_for,
    database_exists,
    fresh_database,
    machine_line,
    parse_backends,
    render_table,
    table_count,
)
from crm.audit.service import Author
from crm.campaigns import repository as campaigns_repository
from crm.campaigns.schemas import CampaignCreate, MessageIn
from crm.campaigns.service import CampaignService
from crm.config import Settings
from crm.db import create_engine, create_sessionmaker
from crm.messages import queue as message_queue
from crm.migrate import upgrade_to_head
from crm.models import Communication
from crm.segments.dsl import SegmentFilter
from crm.sql import asyncpg_connection

DEPLOYED_BATCH_SIZE: int = Settings.model_fields["dispatch_batch_size"].default

SECRET = "whsec_" + base64.b64encode(b"reach-launch-bench-secret-0001").decode()
TARGET_MATERIALISE_1M_S = 10.0  # Postgres
TARGET_DISPATCH_PER_S = 20_000.0
LOG_DIR = Path(tempfile.gettempdir())
CITIES = ("Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Jaipur", "Ahmedabad", "Lucknow")
FIRST = ("Asha", "Priya", "Kavya", "Neha", "Riya", "Arjun", "Rahul", "Kabir", "Isha", "Meera", "Dev", "Sana")
LAST = ("Rao", "Sharma", "Iyer", "Patel", "Khan", "Singh", "Das", "Nair", "Gupta", "Reddy", "Joshi", "Mehta")
EVERYONE: dict[str, Any] = {"match": "all", "conditions": []}
PUNE: dict[str, Any] = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
CUSTOMER_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "phone",
    "city",
    "state",
    "gender",
    "tags",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_rcs",
    "signed_up_at",
    "created_at",
    "updated_at",
)
STATS_FROM_CUSTOMERS = """
INSERT INTO customer_stats (customer_id, total_spent_minor, order_count, avg_order_value_minor,
                            first_order_at, last_order_at, categories, last_item)
SELECT id, (id % 40) * 49900, id % 5, CASE WHEN id % 5 = 0 THEN 0 ELSE 49900 * (id % 40) / (id % 5) END,
       CASE WHEN id % 5 = 0 THEN NULL ELSE created_at END, CASE WHEN id % 5 = 0 THEN NULL ELSE updated_at END,
       CASE WHEN id % 5 = 0 THEN '' ELSE '|lipstick|kajal|' END,
       CASE WHEN id % 5 = 0 THEN NULL ELSE 'Matte Lipstick - Rose' END
FROM customers
"""


# --- the cached customer base -----------------------------------------------------------------


def customer_count(recipients: int) -> int:
    return recipients * 21 // 20


def customer_rows(count: int, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """Deterministic customers; id i+1. 1 in 21 has no WhatsApp consent; 1 in 10 lives in Pune."""
    base = datetime(2025, 1, 1, tzinfo=UTC)

    def when(i: int) -> Any:
        at = base + timedelta(minutes=i % 500_000)
        return at.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else at

    for i in range(count):
        city = "Pune" if i % 10 == 0 else CITIES[i % len(CITIES)]
        yield (
            i + 1,
            f"lb-{i:08d}",
            f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
            f"c{i}@example.com",
            f"+9197{i:08d}",
            city,
            "Maharashtra" if city == "Pune" else "Other",
            "female" if i % 3 else "male",
            "|vip|" if i % 50 == 0 else "",
            True,
            True,
            i % 21 != 20,
            False,
            when(i),
            when(i),
            when(i),
        )


async def load_postgres(engine: AsyncEngine, count: int) -> None:
    async with engine.connect() as conn:
        driver = await asyncpg_connection(conn)
        rows = customer_rows(count, sqlite=False)
        while chunk := [row for _, row in zip(range(100_000), rows, strict=False)]:
            await driver.copy_records_to_table("customers", records=chunk, columns=list(CUSTOMER_COLUMNS))
        await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('customers', 'id'), {count})"))
        await conn.execute(text(STATS_FROM_CUSTOMERS))
        await conn.commit()
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE customers"))
        await conn.execute(text("VACUUM ANALYZE customer_stats"))


def load_sqlite(path: Path, count: int) -> None:
    db = sqlite3.connect(path)
    try:
        marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
        db.executemany(
            f"INSERT INTO customers ({', '.join(CUSTOMER_COLUMNS)}) VALUES ({marks})", customer_rows(count, sqlite=True)
        )
        db.execute(STATS_FROM_CUSTOMERS)
        db.commit()
    finally:
        db.close()


async def ensure_customers(backend: Backend, recipients: int, rebuild: bool) -> None:
    count = customer_count(recipients)
    if not rebuild and await database_exists(backend):
        engine = create_engine(backend.url)
        try:
            cached = (await table_count(engine, "customers"), await table_count(engine, "customer_stats"))
        except Exception:
            cached = (-1, -1)
        finally:
            await engine.dispose()
        if cached == (count, count):
            await asyncio.to_thread(upgrade_to_head, backend.url)  # the schema may have moved on since
            print(f"  {backend.name}: using cached {count:,} customers", flush=True)
            return
    started = time.perf_counter()
    await fresh_database(backend)
    if backend.sqlite_path is not None:
        await asyncio.to_thread(load_sqlite, backend.sqlite_path, count)
    else:
        engine = create_engine(backend.url)
        try:
            await load_postgres(engine, count)
        finally:
            await engine.dispose()
    print(f"  {backend.name}: built {count:,} customers + stats in {time.perf_counter() - started:.0f}s", flush=True)


async def empty_queue(engine: AsyncEngine, backend: Backend) -> None:
    """Removes every campaign and communication (the customers stay)."""
    async with engine.begin() as conn:
        if backend.name == "postgresql":
            await conn.execute(text("TRUNCATE communications, receipt_events, campaigns CASCADE"))
        else:
            for table in ("communications", "receipt_events", "campaigns"):
                await conn.execute(text(f"DELETE FROM {table}"))


# --- launching ------------------------------------------------------------------------------


class PhaseTimer:
    """Wraps the functions a launch calls (module attributes) to time its phases (restored on exit)."""

    def __init__(self, phases: dict[str, tuple[ModuleType, str]]) -> None:
        self.phases = phases
        self.seconds: dict[str, float] = {}
        self.originals: dict[str, Callable[..., Any]] = {}

    def __enter__(self) -> PhaseTimer:
        for phase, (module, name) in self.phases.items():
            self.originals[phase] = getattr(module, name)
            setattr(module, name, self._wrap(phase, self.originals[phase]))
        return self

    def __exit__(self, *_: object) -> None:
        for phase, original in self.originals.items():
            module, name = self.phases[phase]
            setattr(module, name, original)

    def _wrap(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started

        return timed


async def create_campaign(maker: async_sessionmaker[AsyncSession], name: str, audience: dict[str, Any]) -> int:
    payload = CampaignCreate(
        name=name,
        filter=SegmentFilter.model_validate(audience),
        channel="whatsapp",
        message=MessageIn(body="Hi {{ first_name }}, your {{ city }} store has {{ last_item }} back in stock"),
    )
    async with maker() as session, session.begin():
        return (await CampaignService(session).create(payload, Author("user", "bench"))).id


@dataclass
class LaunchResult:
    backend: str
    audience: str
    queued: int
    seconds: float
    materialise_seconds: float
    breakdown_seconds: float


async def launch(
    maker: async_sessionmaker[AsyncSession], backend: str, label: str, audience: dict[str, Any]
) -> LaunchResult:
    campaign_id = await create_campaign(maker, f"bench {label}", audience)
    phases = {
        "materialise_sends": (message_queue, "queue_campaign"),
        "audience_breakdown": (campaigns_repository, "audience_breakdown"),
    }
    with PhaseTimer(phases) as timer:
        started = time.perf_counter()
        async with maker() as session, session.begin():
            read = await CampaignService(session).launch(campaign_id, "bench")
        seconds = time.perf_counter() - started
    return LaunchResult(
        backend,
        label,
        read.queued or 0,
        seconds,
        timer.seconds.get("materialise_sends", 0.0),
        timer.seconds.get("audience_breakdown", 0.0),
    )


# --- receivers and dispatcher worker processes ------------------------------------------------


def bind_loopback() -> socket.socket:
    """A free loopback port; IPPROTO_TCP so asyncio sets TCP_NODELAY."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def serve(app: Any) -> None:
    """Serves an ASGI app with uvicorn on a fresh loopback port, printed on stdout first."""
    import uvicorn

    sock = bind_loopback()
    print(sock.getsockname()[1], flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto")).run(sockets=[sock])


def sink_app() -> Any:
    """Verifies nothing: /v1/send answers 202 and counts messages; anything else 204/200."""
    counts = {"messages": 0, "batches": 0, "callbacks": 0}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, reply = 204, b""
        if scope["path"] == "/v1/send":
            accepted = body.count(b'"communication_id"')
            counts["messages"] += accepted
            counts["batches"] += 1
            status, reply = 202, json.dumps({"accepted": accepted}).encode()
        elif scope["method"] == "GET":
            status, reply = 200, json.dumps(counts).encode()
        else:
            counts["callbacks"] += 1
        headers = [(b"content-type", b"application/json")] if reply else []
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": reply})

    return app


def channel_app(queue_size: int) -> Any:
    from channel_service.config import Settings
    from channel_service.main import create_app

    settings = Settings(
        _env_file=None,
        webhook_secret=SECRET,
        sim_time_scale=1_000_000.0,
        sim_seed=1,
        sim_duplicate_rate=0.05,
        intake_queue_size=queue_size,
        callback_linger_ms=20.0,
    )
    return create_app(settings)


class Process:
    """A child role of this script; the first stdout line is its port (or "ready")."""

    def __init__(self, name: str, *args: str) -> None:
        self.log = LOG_DIR / f"reach_bench_launch_{name}.log"
        with self.log.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, __file__, *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"{name} did not start; see {self.log}")
        self.first_line = line

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{int(self.first_line)}"

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def result(self, timeout: float) -> dict[str, Any]:
        assert self.process.stdout is not None
        self.process.wait(timeout=timeout)
        lines = self.process.stdout.read().strip().splitlines()
        if self.process.returncode != 0 or not lines:
            raise RuntimeError(f"worker failed (exit {self.process.returncode}); see {self.log}")
        result: dict[str, Any] = json.loads(lines[-1])
        return result

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


async def get_json(url: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    import httpx

    async with httpx.AsyncClient(timeout=10, headers=headers) as client:
        for _ in range(200):
            with contextlib.suppress(httpx.TransportError):
                response = await client.get(url)
                result: dict[str, Any] = response.json()
                return result
            await asyncio.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


async def run_worker(args: argparse.Namespace) -> None:
    """Worker role: a Dispatcher that says "ready", waits for "go", drains the queue, prints stats."""
    from crm.dispatch.channel_client import ChannelClient, build_http_client
    from crm.dispatch.dispatcher import Dispatcher
    from crm.models.communication import CLAIMED, QUEUED

    engine = create_engine(args.database_url)
    maker = create_sessionmaker(engine)
    http = build_http_client(args.channel_url)
    dispatcher = Dispatcher(
        maker=maker,
        client=ChannelClient(http, SECRET),
        callback_url=args.callback_url,
        batch_size=args.batch_size,
        claim_ttl_seconds=120.0,
    )
    async with maker() as session:  # warm the pool
        await session.execute(select(func.count()).select_from(Communication).where(Communication.id < 0))
    print("ready", flush=True)
    await asyncio.to_thread(sys.stdin.readline)
    totals = {"batches": 0, "claimed": 0, "dispatched": 0, "retried": 0, "failed": 0, "deferred": 0}
    started = time.perf_counter()
    try:
        while True:
            outcome = await dispatcher.dispatch_once()
            if outcome.claimed:
                totals["batches"] += 1
                for key in ("claimed", "dispatched", "retried", "failed", "deferred"):
                    totals[key] += getattr(outcome, key)
                continue
            async with maker() as session:
                left = await session.scalar(
                    select(func.count()).select_from(Communication).where(Communication.state.in_((QUEUED, CLAIMED)))
                )
            if not left:
                break
            await asyncio.sleep(0.02)  # another worker holds the rest, or a retry is not due yet
    finally:
        await http.aclose()
        await engine.dispose()
    print(json.dumps(totals | {"seconds": time.perf_counter() - started}), flush=True)


@dataclass
class DispatchResult:
    backend: str
    receiver: str
    workers: int
    batch_size: int
    recipients: int
    seconds: float
    retried: int
    ok: bool
    detail: str = ""
    per_worker: list[int] = field(default_factory=list)

    @property
    def per_s(self) -> float:
        return self.recipients / self.seconds


async def dispatch(
    backend: Backend, engine: AsyncEngine, receiver: str, workers: int, args: argparse.Namespace
) -> DispatchResult:
    await empty_queue(engine, backend)
    maker = create_sessionmaker(engine)
    launched = await launch(maker, backend.name, "dispatch", PUNE)
    children: list[Process] = []
    try:
        sink = Process("sink", "serve-sink")
        children.append(sink)
        target = sink
        if receiver == "channel":
            target = Process("channel", "serve-channel", "--queue-size", str(max(200_000, launched.queued * 2)))
            children.append(target)
        await get_json(f"{sink.url}/count")
        if receiver == "channel":
            await get_json(f"{target.url}/health")
        pool = [
            Process(
                f"worker{n}",
                *("worker", "--database-url", backend.url, "--channel-url", target.url),
                *("--callback-url", f"{sink.url}/receipts", "--batch-size", str(args.batch_size)),
            )
            for n in range(workers)
        ]
        children += pool
        started = time.perf_counter()
        for worker in pool:
            worker.tell("go")
        results = [await asyncio.to_thread(w.result, 1800) for w in pool]
        seconds = time.perf_counter() - started
        async with maker() as session:
            states = dict(
                (await session.execute(select(Communication.state, func.count()).group_by(Communication.state))).all()
            )
        if receiver == "channel":
            from crm.dispatch.channel_client import admin_headers

            accepted = int((await get_json(f"{target.url}/v1/stats", admin_headers(SECRET)))["accepted"])
        else:
            accepted = int((await get_json(f"{sink.url}/count"))["messages"])
    finally:
        for child in reversed(children):
            child.stop()
    dispatched = int(states.get("dispatched", 0))
    ok = dispatched == launched.queued and states == {"dispatched": dispatched} and accepted >= launched.queued
    detail = "" if ok else f"states {states}, receiver accepted {accepted:,} of {launched.queued:,}"
    return DispatchResult(
        backend.name,
        receiver,
        workers,
        args.batch_size,
        launched.queued,
        seconds,
        sum(int(r["retried"]) for r in results),
        ok,
        detail,
        [int(r["dispatched"]) for r in results],
    )


# --- the run --------------------------------------------------------------------------------


async def run_backend(name: str, args: argparse.Namespace) -> tuple[list[LaunchResult], list[DispatchResult]]:
    backend = backend_for(name, "launch")
    await ensure_customers(backend, args.recipients, args.rebuild)
    engine = create_engine(backend.url)
    launches: list[LaunchResult] = []
    dispatches: list[DispatchResult] = []
    try:
        if not args.skip_materialise:
            for label, audience in (
                (f"Pune ({args.recipients // 10:,})", PUNE),
                (f"all ({args.recipients:,})", EVERYONE),
            ):
                if backend.name == "sqlite" and audience is EVERYONE and args.sqlite_small_only:
                    continue
                await empty_queue(engine, backend)
                launched = await launch(create_sessionmaker(engine), backend.name, label, audience)
                launches.append(launched)
                print(
                    f"  {backend.name} launch {label}: {launched.queued:,} queued in {launched.seconds:.1f}s "
                    f"(materialise {launched.materialise_seconds:.1f}s) = {launched.queued / launched.seconds:,.0f}/s",
                    flush=True,
                )
        if name in args.dispatch_backends:
            for receiver in args.receivers:
                for workers in args.workers:
                    if backend.name == "sqlite" and workers > 1:
                        continue
                    result = await dispatch(backend, engine, receiver, workers, args)
                    dispatches.append(result)
                    print(
                        f"  {backend.name} dispatch → {receiver}, {workers} worker(s): {result.recipients:,} in "
                        f"{result.seconds:.1f}s = {result.per_s:,.0f}/s {'✓' if result.ok else '✗ ' + result.detail}",
                        flush=True,
                    )
        await empty_queue(engine, backend)
    finally:
        await engine.dispose()
    return launches, dispatches


def launch_row(r: LaunchResult, recipients: int) -> list[object]:
    target = ""
    verdict = ""
    if r.backend == "postgresql" and r.queued == recipients:
        target = f"≤ {TARGET_MATERIALISE_1M_S:.0f} s for 1M" if recipients == 1_000_000 else "(10 s per 1M)"
        limit = TARGET_MATERIALISE_1M_S * recipients / 1_000_000
        verdict = "met" if r.seconds <= limit else "MISSED"
    return [
        r.backend,
        r.audience,
        r.queued,
        r.breakdown_seconds,
        r.materialise_seconds,
        r.seconds,
        r.queued / r.seconds,
        target,
        verdict,
    ]


def dispatch_row(r: DispatchResult) -> list[object]:
    return [
        r.backend,
        r.receiver,
        r.workers,
        r.batch_size,
        r.recipients,
        r.seconds,
        r.per_s,
        r.retried,
        f"≥ {TARGET_DISPATCH_PER_S:,.0f}/s",
        "met" if r.per_s >= TARGET_DISPATCH_PER_S else "MISSED",
        "✓" if r.ok else "✗",
    ]


LAUNCH_HEADERS: tuple[str, ...] = ("backend", "audience", "queued", "breakdown s", "materialise s", "launch s")
LAUNCH_HEADERS += ("recipients/s", "target", "")
DISPATCH_HEADERS: tuple[str, ...] = ("backend", "receiver", "workers", "batch", "recipients", "s", "recipients/s")
DISPATCH_HEADERS += ("retried", "target", "", "check")


def parse_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "role",
        nargs="?",
        default="run",
        choices=["run", "worker", "serve-sink", "serve-channel"],
        help=argparse.SUPPRESS,
    )
    parser.add_argument("--recipients", type=int, default=1_000_000, help="the large launch; the small one is 1/10")
    parser.add_argument("--backends", type=parse_backends, default=parse_backends("sqlite,postgresql"))
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached customer base")
    parser.add_argument("--skip-materialise", action="store_true")
    parser.add_argument("--sqlite-small-only", action="store_true", help="skip the large launch on SQLite")
    parser.add_argument(
        "--dispatch-backends", type=parse_backends, default=["postgresql"], help="where to run dispatch (comma list)"
    )
    parser.add_argument("--receivers", type=parse_list, default=["fake", "channel"], help="fake,channel")
    parser.add_argument("--workers", type=lambda v: [int(w) for w in parse_list(v)], default=[1, 2])
    parser.add_argument(
        "--batch-size", type=int, default=DEPLOYED_BATCH_SIZE, help="sends per claim (default: the CRM's setting)"
    )
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--channel-url", help=argparse.SUPPRESS)
    parser.add_argument("--callback-url", help=argparse.SUPPRESS)
    parser.add_argument("--queue-size", type=int, default=200_000, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    print(f"launch benchmark · {machine_line()}", flush=True)
    launches: list[LaunchResult] = []
    dispatches: list[DispatchResult] = []
    for name in args.backends:
        more_launches, more_dispatches = await run_backend(name, args)
        launches += more_launches
        dispatches += more_dispatches
    if launches:
        print("\nmaterialise (CampaignService.launch, INSERT … SELECT)")
        print(render_table(LAUNCH_HEADERS, [launch_row(r, args.recipients) for r in launches]))
    if dispatches:
        print("\ndispatch (claim → render → POST → acknowledge)")
        print(render_table(DISPATCH_HEADERS, [dispatch_row(r) for r in dispatches]))
    failed = [r for r in dispatches if not r.ok]
    for r in failed:
        print(f"✗ {r.backend} {r.receiver} ×{r.workers}: {r.detail}")
    return 1 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.role == "serve-sink":
        serve(sink_app())
        return 0
    if args.role == "serve-channel":
        serve(channel_app(args.queue_size))
        return 0
    if args.role == "worker":
        asyncio.run(run_worker(args))
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())

"""Scheduled-send queue benchmark: claim → plan → render → send → ack throughput of the real
`crm.dispatch.Dispatcher`, measuring the queue and not HTTP.

    .venv/bin/python bench/queue.py                          # 50k sends; Postgres 1/2 workers, SQLite 1
    .venv/bin/python bench/queue.py --sends 20000 --batch-sizes 500 --modes tasks
    .venv/bin/python bench/queue.py --rebuild                # rebuild the cached customers

Data (cached between runs; `--rebuild` rebuilds): `--sends` customers with customer_stats rows,
bulk-loaded (COPY on Postgres, executemany on SQLite), every one with a phone and WhatsApp
consent, in reach_bench_queue (Postgres) or <tmp>/reach_bench_queue.db (SQLite).

Each configuration starts from an emptied queue: a draft WhatsApp campaign to everyone is
launched with CampaignService.launch, which materialises `--sends` queued communications due
now (Postgres then ANALYZEs the table, as autovacuum would soon after). Then workers run
`Dispatcher.dispatch_once()` until nothing is claimable, each with its own engine (so its own
connection pool and its own transactions — the workers really contend on the queue), against
a fake channel whose `send` returns at once and records the communication ids. No send policy.

Modes: `tasks` = N asyncio tasks in this process, `processes` = N worker processes (spawned;
they start together on a signal). SQLite runs only one worker (one writer at a time).

Reported per configuration: sends/s from "go" to the last acknowledgement, and where a
worker's time went (claim_due, which also reads each send's recipient; attach_messages, the
campaign or sequence step; plan, render, channel send, mark_dispatched,
complete_finished_campaigns; summed over workers, as a share of their busy time), and the CPU
time of the worker process(es) — sends per worker CPU-second is the number to compare when the
machine is busy with other work (Postgres' own CPU is not in it). Checked (✓/✗):
every communication ended `dispatched`, the fake channel saw exactly `--sends` messages with
`--sends` distinct ids (no send dispatched twice), and no batch failed or retried.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path

# This file is named like the standard library's `queue`, which asyncio and multiprocessing
# import. Run as a script, its folder leads sys.path, so move the folder to the end. (A sibling
# script that imports `queue` gets this file instead; the end of this file hands it the real one.)
sys.path.sort(
    key=lambda entry: __name__ == "__main__" and Path(entry or ".").resolve() == Path(__file__).resolve().parent
)

import argparse
import asyncio
import multiprocessing
import os
import platform
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from multiprocessing.synchronize import Event as EventType
from typing import Any

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from crm.audit.service import Author
from crm.campaigns.schemas import CampaignCreate, MessageIn
from crm.campaigns.service import CampaignService
from crm.db import create_engine, create_sessionmaker
from crm.dispatch import dispatcher as dispatcher_module
from crm.dispatch import repository as dispatch_repository
from crm.dispatch.channel_client import ChannelClient, OutboundMessage
from crm.dispatch.dispatcher import Dispatcher, Plan
from crm.messages import claims as message_claims
from crm.messages.claimed import ClaimedSend
from crm.migrate import upgrade_to_head
from crm.models import Communication
from crm.models.communication import DISPATCHED
from crm.segments.dsl import SegmentFilter
from crm.sql import asyncpg_connection

HERE = Path(__file__).resolve().parent
PG_SERVER = os.environ.get("REACH_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
PG_DATABASE = "reach_bench_queue"
SQLITE_PATH = Path(os.environ.get("REACH_BENCH_SQLITE_DIR", tempfile.gettempdir())) / "reach_bench_queue.db"
TARGET_TWO_WORKERS_PER_S = 5_000.0
CALLBACK_URL = "http://127.0.0.1:9/unused"  # never called: the fake channel does not answer back
BODY = 'Hi {{ first_name | default: "there" }}, {{ last_item | default: "your favourites" }} is back in {{ city }}'
PHASES = ("claim", "load", "plan", "render", "send", "ack", "complete")
CITIES = ("Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Jaipur", "Pune", "Lucknow")
FIRST = ("Asha", "Priya", "Kavya", "Neha", "Riya", "Arjun", "Rahul", "Kabir", "Isha", "Meera", "Dev", "Sana")
LAST = ("Rao", "Sharma", "Iyer", "Patel", "Khan", "Singh", "Das", "Nair", "Gupta", "Reddy", "Joshi", "Mehta")
CUSTOMER_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "phone",
    "city",
    "state",
    "birthday",
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


# --- the bench databases ------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    name: str  # "postgresql" | "sqlite"
    url: str


def backend(name: str) -> Backend:
    if name == "postgresql":
        return Backend(name, f"{PG_SERVER}/{PG_DATABASE}")
    if name == "sqlite":
        return Backend(name, f"sqlite+aiosqlite:///{SQLITE_PATH}")
    raise SystemExit(f"unknown backend {name!r}; use postgresql or sqlite")


async def pg_admin(statement: str) -> list[Any]:
    engine = create_async_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


async def database_exists(target: Backend) -> bool:
    if target.name == "sqlite":
        return await asyncio.to_thread(SQLITE_PATH.exists)
    return bool(await pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'"))


def remove_sqlite_files() -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


async def fresh_database(target: Backend) -> None:
    if target.name == "sqlite":
        await asyncio.to_thread(remove_sqlite_files)
    else:
        await pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await pg_admin(f'CREATE DATABASE "{PG_DATABASE}"')
    await asyncio.to_thread(upgrade_to_head, target.url)


def customer_rows(count: int, sqlite: bool) -> Iterator[tuple[Any, ...]]:
    """Deterministic customers with id i+1, all with a phone and WhatsApp consent."""
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for i in range(count):
        at = base + timedelta(minutes=i % 500_000)
        born = date(1990 + i % 15, 1 + i % 12, 1 + i % 28) if i % 3 else None
        yield (
            i + 1,
            f"qb-{i:08d}",
            f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}",
            f"c{i}@example.com",
            f"+9198{i:08d}",
            CITIES[i % len(CITIES)],
            "Maharashtra",
            (born.isoformat() if born else None) if sqlite else born,
            "|vip|" if i % 50 == 0 else "",
            True,
            True,
            True,
            False,
            *((at.strftime("%Y-%m-%d %H:%M:%S.%f"),) * 3 if sqlite else (at,) * 3),
        )


async def load_postgres(engine: AsyncEngine, count: int) -> None:
    async with engine.connect() as conn:
        driver = await asyncpg_connection(conn)
        rows = customer_rows(count, sqlite=False)
        while chunk := [row for _, row in zip(range(50_000), rows, strict=False)]:
            await driver.copy_records_to_table("customers", records=chunk, columns=list(CUSTOMER_COLUMNS))
        await conn.execute(text(f"SELECT setval(pg_get_serial_sequence('customers', 'id'), {count})"))
        await conn.execute(text(STATS_FROM_CUSTOMERS))
        await conn.commit()


def load_sqlite(count: int) -> None:
    db = sqlite3.connect(SQLITE_PATH)
    try:
        marks = ", ".join("?" for _ in CUSTOMER_COLUMNS)
        db.executemany(
            f"INSERT INTO customers ({', '.join(CUSTOMER_COLUMNS)}) VALUES ({marks})", customer_rows(count, sqlite=True)
        )
        db.execute(STATS_FROM_CUSTOMERS)
        db.commit()
    finally:
        db.close()


async def count_rows(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


async def ensure_customers(target: Backend, count: int, rebuild: bool) -> None:
    if not rebuild and await database_exists(target):
        engine = create_engine(target.url)
        try:
            cached = (await count_rows(engine, "customers"), await count_rows(engine, "customer_stats"))
        except Exception:
            cached = (-1, -1)
        finally:
            await engine.dispose()
        if cached == (count, count):
            await asyncio.to_thread(upgrade_to_head, target.url)  # a cached database follows new migrations
            print(f"  {target.name}: using cached {count:,} customers", flush=True)
            return
    started = time.perf_counter()
    await fresh_database(target)
    if target.name == "sqlite":
        await asyncio.to_thread(load_sqlite, count)
    else:
        engine = create_engine(target.url)
        try:
            await load_postgres(engine, count)
        finally:
            await engine.dispose()
    print(f"  {target.name}: built {count:,} customers + stats in {time.perf_counter() - started:.1f}s", flush=True)


async def fill_queue(target: Backend, expected: int) -> float:
    """Empties the queue, then launches a campaign to everyone: `expected` queued sends due now."""
    engine = create_engine(target.url)
    maker = create_sessionmaker(engine)
    try:
        async with engine.begin() as conn:
            if target.name == "postgresql":
                await conn.execute(text("TRUNCATE communications, receipt_events, campaigns CASCADE"))
            else:
                for table in ("receipt_events", "communications", "campaigns"):
                    await conn.execute(text(f"DELETE FROM {table}"))
        payload = CampaignCreate(
            name="queue bench",
            channel="whatsapp",
            filter=SegmentFilter.model_validate({"match": "all", "conditions": []}),
            message=MessageIn(body=BODY),
        )
        started = time.perf_counter()
        async with maker() as session, session.begin():
            campaigns = CampaignService(session)
            campaign = await campaigns.create(payload, Author("user", "bench"))
            launched = await campaigns.launch(campaign.id, "bench")
        seconds = time.perf_counter() - started
        if launched.queued != expected:
            raise SystemExit(f"launch queued {launched.queued} sends, expected {expected}")
        async with engine.connect() as conn:
            if target.name == "postgresql":
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE communications"))
            else:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
        return seconds
    finally:
        await engine.dispose()


# --- the workers ----------------------------------------------------------------------------------


class FastChannel(ChannelClient):
    """Answers every batch at once and records the communication ids it was given."""

    def __init__(self) -> None:
        super().__init__(httpx.AsyncClient(), "whsec_unused")
        self.ids: list[str] = []
        self.batches = 0

    async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
        self.batches += 1
        self.ids.extend(m.communication_id for m in messages)
        return {"accepted": len(messages)}


@dataclass
class PhaseClock:
    """Seconds spent in each phase of dispatch_once, for the workers of one process."""

    seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(PHASES, 0.0))

    def add(self, phase: str, started: float) -> None:
        self.seconds[phase] += time.perf_counter() - started


class TimedChannel(FastChannel):
    def __init__(self, clock: PhaseClock) -> None:
        super().__init__()
        self.clock = clock

    async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            return await super().send(callback_url, messages)
        finally:
            self.clock.add("send", started)


@dataclass
class TimedDispatcher(Dispatcher):
    phase_clock: PhaseClock = field(default_factory=PhaseClock)

    async def plan(self, session: AsyncSession, sends: list[ClaimedSend], now: datetime) -> Plan:
        started = time.perf_counter()
        try:
            return await super().plan(session, sends, now)
        finally:
            self.phase_clock.add("plan", started)


def install_phase_timers(clock: PhaseClock) -> None:
    """Wraps the dispatcher's queue and repository calls (module attributes) so their time is counted."""
    for module, name, phase in (
        (message_claims, "claim_due", "claim"),
        (dispatch_repository, "attach_messages", "load"),
        (message_claims, "mark_dispatched", "ack"),
        (dispatch_repository, "complete_finished_campaigns", "complete"),
    ):
        original = getattr(module, name)
        setattr(module, name, timed(original, clock, phase))


def timed(original: Callable[..., Awaitable[Any]], clock: PhaseClock, phase: str) -> Callable[..., Awaitable[Any]]:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            clock.add(phase, started)

    return wrapper


def timed_renderer(clock: PhaseClock) -> Callable[[ClaimedSend], OutboundMessage]:
    def render(send: ClaimedSend) -> OutboundMessage:
        started = time.perf_counter()
        try:
            return dispatcher_module.render_message(send)
        finally:
            clock.add("render", started)

    return render


@dataclass
class WorkerResult:
    ids: list[str]
    batches: int
    busy_seconds: float
    retried_or_failed: int


class Worker:
    """One dispatcher with its own engine (own pool, own connections) and its own fake channel."""

    def __init__(self, url: str, batch_size: int, clock: PhaseClock, index: int) -> None:
        self.engine = create_engine(url)
        self.channel = TimedChannel(clock)
        self.dispatcher = TimedDispatcher(
            maker=create_sessionmaker(self.engine),
            client=self.channel,
            callback_url=CALLBACK_URL,
            batch_size=batch_size,
            worker_id=f"bench-{os.getpid()}-{index}",
            renderer=timed_renderer(clock),
            phase_clock=clock,
        )

    async def warm(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def drain(self) -> WorkerResult:
        started = time.perf_counter()
        bad = 0
        while True:
            outcome = await self.dispatcher.dispatch_once()
            bad += outcome.retried + outcome.failed + outcome.deferred + outcome.skipped + outcome.cancelled
            if not outcome.claimed:
                break
        return WorkerResult(self.channel.ids, self.channel.batches, time.perf_counter() - started, bad)

    async def close(self) -> None:
        await self.channel.http.aclose()
        await self.engine.dispose()


@dataclass
class RunResult:
    seconds: float
    workers: list[WorkerResult]
    clock: PhaseClock
    cpu_seconds: float  # CPU time of the worker process(es), not the database's


async def run_tasks(url: str, batch_size: int, workers: int) -> RunResult:
    clock = PhaseClock()
    install_phase_timers(clock)
    pool = [Worker(url, batch_size, clock, i) for i in range(workers)]
    try:
        await asyncio.gather(*(w.warm() for w in pool))
        started, cpu_started = time.perf_counter(), time.process_time()
        results = await asyncio.gather(*(w.drain() for w in pool))
        cpu = time.process_time() - cpu_started
        return RunResult(time.perf_counter() - started, list(results), clock, cpu)
    finally:
        for w in pool:
            await w.close()


def process_main(
    url: str, batch_size: int, index: int, ready: Any, go: EventType, results: Any
) -> None:  # pragma: no cover - runs in a child process
    async def work() -> None:
        clock = PhaseClock()
        install_phase_timers(clock)
        worker = Worker(url, batch_size, clock, index)
        try:
            await worker.warm()
            ready.put(index)
            await asyncio.to_thread(go.wait)
            cpu_started = time.process_time()
            result = await worker.drain()
            results.put((result, clock.seconds, time.process_time() - cpu_started))
        finally:
            await worker.close()

    asyncio.run(work())


async def run_processes(url: str, batch_size: int, workers: int) -> RunResult:
    context = multiprocessing.get_context("spawn")
    ready, results, go = context.Queue(), context.Queue(), context.Event()
    children = [
        context.Process(target=process_main, args=(url, batch_size, i, ready, go, results)) for i in range(workers)
    ]
    for child in children:
        child.start()
    try:
        for _ in children:
            await asyncio.to_thread(ready.get, True, 120)
        started = time.perf_counter()
        go.set()
        gathered = [await asyncio.to_thread(results.get, True, 1800) for _ in children]
        seconds = time.perf_counter() - started
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.terminate()
    clock = PhaseClock()
    for _, phase_seconds, _ in gathered:
        for phase, value in phase_seconds.items():
            clock.seconds[phase] += value
    return RunResult(seconds, [r for r, _, _ in gathered], clock, sum(cpu for _, _, cpu in gathered))


# --- one configuration ------------------------------------------------------------------------------


@dataclass
class Row:
    backend: str
    mode: str
    workers: int
    batch_size: int
    sends: int
    seconds: float
    fill_seconds: float
    phases: dict[str, float]
    busy_seconds: float
    cpu_seconds: float
    checked: bool
    problems: list[str]

    @property
    def per_second(self) -> float:
        return self.sends / self.seconds if self.seconds else 0.0

    @property
    def per_cpu_second(self) -> float:
        return self.sends / self.cpu_seconds if self.cpu_seconds else 0.0


async def verify(target: Backend, expected: int, results: Sequence[WorkerResult]) -> list[str]:
    problems: list[str] = []
    sent = [i for r in results for i in r.ids]
    if len(sent) != expected:
        problems.append(f"channel saw {len(sent)} messages, expected {expected}")
    if len(set(sent)) != expected:
        problems.append(f"{len(set(sent))} distinct ids sent, expected {expected}")
    if bad := sum(r.retried_or_failed for r in results):
        problems.append(f"{bad} sends retried, failed, deferred, skipped or cancelled")
    engine = create_engine(target.url)
    try:
        async with engine.connect() as conn:
            states = dict(
                (await conn.execute(select(Communication.state, func.count()).group_by(Communication.state))).all()
            )
            completed = await conn.scalar(text("SELECT count(*) FROM campaigns WHERE status = 'completed'"))
    finally:
        await engine.dispose()
    if states != {DISPATCHED: expected}:
        problems.append(f"queue states {states}, expected all {expected} dispatched")
    if completed != 1:
        problems.append("campaign left `running` although every send was dispatched (completion check raced)")
    return problems


async def run_config(target: Backend, mode: str, workers: int, batch_size: int, sends: int) -> Row:
    fill_seconds = await fill_queue(target, sends)
    runner = run_processes if mode == "processes" else run_tasks
    run = await runner(target.url, batch_size, workers)
    problems = await verify(target, sends, run.workers)
    return Row(
        backend=target.name,
        mode=mode if workers > 1 else "-",
        workers=workers,
        batch_size=batch_size,
        sends=sends,
        seconds=run.seconds,
        fill_seconds=fill_seconds,
        phases=dict(run.clock.seconds),
        busy_seconds=sum(r.busy_seconds for r in run.workers),
        cpu_seconds=run.cpu_seconds,
        checked=not problems,
        problems=problems,
    )


# --- output -------------------------------------------------------------------------------------------


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    numeric = [
        all(r[i].replace(",", "").replace(".", "").replace("%", "").isdigit() for r in rows)
        for i in range(len(headers))
    ]

    def line(row: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def throughput_table(rows: Sequence[Row]) -> str:
    headers = [
        "backend",
        "workers",
        "mode",
        "batch",
        "sends",
        "seconds",
        "sends/s",
        "target",
        "cpu s",
        "sends/cpu-s",
        "ok",
    ]
    body = []
    for r in rows:
        target = f"≥ {TARGET_TWO_WORKERS_PER_S:,.0f}" if r.workers == 2 and r.backend == "postgresql" else "-"
        if target != "-":
            target += " ✓" if r.per_second >= TARGET_TWO_WORKERS_PER_S else " ✗"
        body.append(
            [
                r.backend,
                str(r.workers),
                r.mode,
                str(r.batch_size),
                f"{r.sends:,}",
                f"{r.seconds:.2f}",
                f"{r.per_second:,.0f}",
                target,
                f"{r.cpu_seconds:.1f}",
                f"{r.per_cpu_second:,.0f}",
                "✓" if r.checked else "✗",
            ]
        )
    return render_table(headers, body)


def phase_table(rows: Sequence[Row]) -> str:
    headers = ["backend", "workers", "mode", "batch", *PHASES, "other", "ms/batch"]
    body = []
    for r in rows:
        busy = r.busy_seconds or 1.0
        other = max(0.0, busy - sum(r.phases.values()))
        batches = max(1, -(-r.sends // r.batch_size))
        body.append(
            [
                r.backend,
                str(r.workers),
                r.mode,
                str(r.batch_size),
                *(f"{100 * r.phases[p] / busy:.0f}%" for p in PHASES),
                f"{100 * other / busy:.0f}%",
                f"{1000 * busy / batches:.1f}",
            ]
        )
    return render_table(headers, body)


def parse_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Scheduled-send queue throughput of the real Dispatcher against a fake channel.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("--sends", type=int, default=50_000, help="queued sends per configuration (default 50k)")
    parser.add_argument("--batch-sizes", default="500,1000", help="comma list (default 500,1000)")
    parser.add_argument("--workers", default="1,2", help="Postgres worker counts, comma list (default 1,2)")
    parser.add_argument("--modes", default="tasks,processes", help="how >1 workers run: tasks, processes (both)")
    parser.add_argument("--backends", default="postgresql,sqlite", help="comma list (default postgresql,sqlite)")
    parser.add_argument("--sqlite-sends", type=int, default=None, help="sends on SQLite (default: --sends)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached customers")
    args = parser.parse_args(argv)
    args.batch_sizes = [int(v) for v in parse_list(args.batch_sizes)]
    args.workers = [int(v) for v in parse_list(args.workers)]
    args.modes = parse_list(args.modes)
    args.backends = parse_list(args.backends)
    if set(args.modes) - {"tasks", "processes"} or not args.modes:
        parser.error("--modes takes tasks and/or processes")
    if set(args.backends) - {"postgresql", "sqlite"} or not args.backends:
        parser.error("--backends takes postgresql and/or sqlite")
    return args


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"queue bench · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    rows: list[Row] = []
    for name in args.backends:
        target = backend(name)
        sends = args.sqlite_sends or args.sends if name == "sqlite" else args.sends
        await ensure_customers(target, sends, args.rebuild)
        plans = [(1, "tasks")] if name == "sqlite" else []
        if name == "postgresql":
            for workers in args.workers:
                plans += [(workers, "tasks")] if workers == 1 else [(workers, m) for m in args.modes]
        for workers, mode in plans:
            for batch_size in args.batch_sizes:
                row = await run_config(target, mode, workers, batch_size, sends)
                rows.append(row)
                print(
                    f"  {name:10} workers={workers} {row.mode:9} batch={batch_size:<5} "
                    f"{row.per_second:>8,.0f} sends/s  (launch {row.fill_seconds:.1f}s)"
                    + ("" if row.checked else "  ✗ " + "; ".join(row.problems)),
                    flush=True,
                )
    print()
    print(throughput_table(rows))
    print(
        "cpu s: CPU time of the worker process(es), not Postgres'; sends/cpu-s is less sensitive to other load "
        f"on the machine (load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)."
    )
    print()
    print("Where worker time went (summed over workers; share of their busy time):")
    print(phase_table(rows))
    failed = [r for r in rows if not r.checked]
    for r in failed:
        print(f"✗ {r.backend} workers={r.workers} {r.mode} batch={r.batch_size}: {'; '.join(r.problems)}")
    return 1 if failed else 0


def become_the_standard_queue() -> None:
    """Imported as `queue` by a script in this folder: load the standard library's module and
    put it in sys.modules, which is what the importing statement then binds."""
    path = [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    spec = importlib.machinery.PathFinder.find_spec("queue", path)
    if spec is None or spec.loader is None:
        raise ImportError("the standard library's queue module was not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules["queue"] = module


if __name__ == "queue":
    become_the_standard_queue()

if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

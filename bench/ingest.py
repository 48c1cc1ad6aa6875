"""Ingest benchmark: records/s through IngestService on SQLite and Postgres, first load and replay.

    .venv/bin/python bench/ingest.py                                  # 100k customers, ~500k orders
    .venv/bin/python bench/ingest.py --customers 20000 --backends postgresql --breakdown

Data: crm.seed.generate (deterministic SUGAR-style customers, ~5 orders each, 1-4 items per
order), generated up front and regrouped into calls of `--batch-customers` customers plus their
orders, so generation is not timed. Each backend gets a fresh bench database (reach_bench_ingest
on Postgres, <tmp>/reach_bench_ingest.db on SQLite) migrated to head. Each call runs in its own
transaction, as POST /api/ingest does: `async with maker() as s, s.begin(): IngestService(s).ingest(…)`.

Passes: `first` inserts everything; `replay` ingests the identical payloads again (idempotent
upserts: nothing changes, but every row is still matched and rewritten). Customers and orders
share the same calls, so both rates are over the same wall time. `--breakdown` adds wall time
per ingest repository function (validation and row building are the rest). Every `--analyze-every` calls
the bench runs ANALYZE outside the timed region, standing in for autovacuum's autoanalyze (the
dev server runs with autovacuum=off; without it Postgres keeps planning the growing tables as
if they were empty and the external_id lookups degrade to scans — see README).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import gc
import multiprocessing
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

# Import bench.common from the repo root, and keep bench/ itself off the path: its scripts
# (e.g. queue.py) must not shadow standard-library modules.
# Import bench.common from the repo root, and take bench/ itself off the front of the path so
# its scripts (e.g. queue.py) cannot shadow standard-library modules: append, then remove the
# first occurrence (the script directory Python put first, if it did).
sys.path.append(str(Path(__file__).resolve().parent))
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import queue  # the standard library's, now that bench/ is off the path

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import (
    Backend,
    Batch,
    analyze,
    backend_for,
    fresh_database,
    machine_line,
    parse_backends,
    render_table,
    seed_batches,
    table_count,
)
from crm.db import create_engine, create_sessionmaker
from crm.ingest import repository
from crm.ingest.service import IngestService

TARGET_ORDERS_PER_S = {"postgresql": 20_000}
TIMED_REPOSITORY_FUNCTIONS = (
    "customer_ids_by_external_id",
    "upsert_customers",
    "ensure_stats_rows",
    "orders_by_external_id",
    "upsert_orders",
    "replace_items",
    "sync_item_copies",
    "refresh_customer_stats",
)


@dataclass
class PassResult:
    backend: str
    label: str
    customers: int
    orders: int
    items: int
    seconds: float
    breakdown: dict[str, float] = field(default_factory=dict)


class RepositoryTimer:
    """Wraps the ingest repository's functions to add up their wall time (for --breakdown)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.originals: dict[str, Callable[..., Any]] = {}

    def install(self) -> None:
        for name in TIMED_REPOSITORY_FUNCTIONS:
            original = getattr(repository, name)
            self.originals[name] = original
            setattr(repository, name, self._wrap(name, original))

    def _wrap(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return await original(*args, **kwargs)
            finally:
                self.totals[name] += time.perf_counter() - started

        return timed

    def take(self) -> dict[str, float]:
        totals = dict(self.totals)
        self.totals.clear()
        return totals


def count_records(batches: Sequence[Batch]) -> tuple[int, int, int]:
    customers = sum(len(c) for c, _ in batches)
    orders = sum(len(o) for _, o in batches)
    items = sum(len(order.get("items") or []) for _, o in batches for order in o)
    return customers, orders, items


class Callers(Protocol):
    """Whoever makes the ingest calls: coroutines in this process, or worker processes."""

    async def connect(self, url: str) -> None: ...

    async def call(self, batches: Sequence[int]) -> None: ...

    async def close(self) -> None: ...


class InProcessCallers:
    """`clients` concurrent callers on one event loop, each call its own session and transaction,
    as concurrent POST /api/ingest requests are served by one CRM process."""

    def __init__(self, batches: Sequence[Batch], clients: int) -> None:
        self.batches, self.clients = batches, clients
        self.engine: AsyncEngine | None = None

    async def connect(self, url: str) -> None:
        self.engine = create_engine(url)
        self.maker = create_sessionmaker(self.engine)

    async def call(self, batches: Sequence[int]) -> None:
        pending = iter([self.batches[i] for i in batches])
        await asyncio.gather(*(call_until_done(self.maker, pending) for _ in range(self.clients)))

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()


class ProcessCallers:
    """`processes` worker processes, forked before any event loop exists (so they share the
    generated payloads), each serving its share of every group of calls with InProcessCallers: the
    CRM served by CRM_WORKERS processes (Postgres only; SQLite is served by one)."""

    def __init__(self, batches: Sequence[Batch], processes: int, clients: int) -> None:
        context = multiprocessing.get_context("fork")
        self.replies: multiprocessing.Queue[str | None] = context.Queue()
        self.commands: list[multiprocessing.Queue[tuple[str, Any] | None]] = [context.Queue() for _ in range(processes)]
        self.workers = [
            context.Process(target=serve_calls, args=(batches, clients, commands, self.replies), daemon=True)
            for commands in self.commands
        ]
        for worker in self.workers:
            worker.start()

    async def _each(self, commands: Sequence[tuple[str, Any] | None]) -> None:
        for inbox, command in zip(self.commands, commands, strict=True):
            inbox.put(command)
        errors = [await asyncio.to_thread(self._reply) for _ in commands]
        if any(errors):
            raise SystemExit(f"a worker process failed: {[e for e in errors if e]}")

    def _reply(self) -> str | None:
        """The next reply; a worker that died without one (killed, out of memory) ends the run."""
        while True:
            try:
                return self.replies.get(timeout=1)
            except queue.Empty:
                dead = [w.exitcode for w in self.workers if not w.is_alive()]
                if dead:
                    raise SystemExit(f"a worker process exited without replying (exit codes {dead})") from None

    async def connect(self, url: str) -> None:
        await self._each([("connect", url)] * len(self.workers))

    async def call(self, batches: Sequence[int]) -> None:
        n = len(self.workers)
        await self._each([("call", list(batches[k::n])) for k in range(n)])

    async def close(self) -> None:
        await self._each([("close", None)] * len(self.workers))

    def stop(self) -> None:
        for inbox in self.commands:
            inbox.put(None)
        for worker in self.workers:
            worker.join(timeout=30)


def serve_calls(
    batches: Sequence[Batch],
    clients: int,
    commands: multiprocessing.Queue[tuple[str, Any] | None],
    replies: multiprocessing.Queue[str | None],
) -> None:
    """A worker process: runs each command it is sent and replies None (done) or the error."""

    async def serve() -> None:
        callers = InProcessCallers(batches, clients)
        while (command := await asyncio.to_thread(commands.get)) is not None:
            kind, argument = command
            try:
                if kind == "connect":
                    await callers.connect(argument)
                elif kind == "call":
                    await callers.call(argument)
                else:
                    await callers.close()
            except BaseException as exc:  # reported to the parent, which stops the run
                replies.put(repr(exc))
            else:
                replies.put(None)

    asyncio.run(serve())


async def ingest_all(engine: AsyncEngine, callers: Callers, calls: int, analyze_every: int) -> float:
    """Seconds spent in ingest calls; the periodic ANALYZE (standing in for autovacuum) runs between
    groups of calls and is not timed."""
    elapsed = 0.0
    group = analyze_every or calls
    for start in range(0, calls, group):
        started = time.perf_counter()
        await callers.call(range(start, min(start + group, calls)))
        elapsed += time.perf_counter() - started
        if analyze_every:
            await analyze(engine)
    return elapsed


async def call_until_done(maker: async_sessionmaker[AsyncSession], pending: Iterator[Batch]) -> None:
    """One caller: takes the next batch until none is left."""
    for customers, orders in pending:
        async with maker() as session, session.begin():
            report = await IngestService(session).ingest(customers, orders)
        if report.rejected:
            raise SystemExit(f"ingest rejected records: {report.rejected[:3]}")


async def run_backend(
    backend: Backend, batches: Sequence[Batch], args: argparse.Namespace, timer: RepositoryTimer, callers: Callers
) -> list[PassResult]:
    await fresh_database(backend)
    engine = create_engine(backend.url)
    await callers.connect(backend.url)
    customers, orders, items = count_records(batches)
    results = []
    try:
        for label in ("first", "replay") if args.replay else ("first",):
            timer.take()
            seconds = await ingest_all(engine, callers, len(batches), args.analyze_every)
            results.append(PassResult(backend.name, label, customers, orders, items, seconds, timer.take()))
            print(f"  {backend.name} {label}: {seconds:.1f}s", flush=True)
        stored = (await table_count(engine, "customers"), await table_count(engine, "orders"))
        if stored != (customers, orders):
            raise SystemExit(f"{backend.name}: stored {stored}, expected {(customers, orders)}")
    finally:
        await callers.close()
        await engine.dispose()
    return results


def result_row(result: PassResult) -> list[object]:
    orders_per_s = result.orders / result.seconds
    target = TARGET_ORDERS_PER_S.get(result.backend)
    verdict = "" if target is None else ("met" if orders_per_s >= target else "MISSED")
    return [
        result.backend,
        result.label,
        result.customers / result.seconds,
        orders_per_s,
        result.items / result.seconds,
        result.seconds,
        f"≥ {target:,} orders/s" if target else "—",
        verdict,
    ]


HEADERS = ("backend", "pass", "customers/s", "order rows/s", "item rows/s", "total s", "target", "")


def breakdown_rows(results: Sequence[PassResult]) -> list[list[object]]:
    rows: list[list[object]] = []
    for result in results:
        timed = sum(result.breakdown.values())
        parts = sorted(result.breakdown.items(), key=lambda kv: -kv[1])
        for name, seconds in [*parts, ("(validation, row building, commit)", result.seconds - timed)]:
            rows.append([result.backend, result.label, name, seconds, 100 * seconds / result.seconds])
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--batch-customers", type=int, default=1000, help="customers (+ their orders) per call")
    parser.add_argument("--backends", type=parse_backends, default=parse_backends("sqlite,postgresql"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, default=datetime.now(UTC).date())
    parser.add_argument("--no-replay", dest="replay", action="store_false", help="skip the replay pass")
    parser.add_argument(
        "--analyze-every",
        type=int,
        default=10,
        metavar="CALLS",
        help="ANALYZE (untimed) every N calls, as autovacuum would; 0 = never (stale plans as tables grow)",
    )
    parser.add_argument("--breakdown", action="store_true", help="time each ingest repository function")
    parser.add_argument(
        "--clients", type=int, default=1, help="concurrent callers per process, each call its own session (default 1)"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="worker processes making the calls, as the CRM served by CRM_WORKERS processes (Postgres only)",
    )
    args = parser.parse_args(argv)
    if args.processes > 1 and (args.backends != ["postgresql"] or args.breakdown):
        parser.error("--processes > 1 needs --backends postgresql (SQLite is served by one process), no --breakdown")
    return args


def generate(args: argparse.Namespace) -> list[Batch]:
    started = time.perf_counter()
    batches = list(seed_batches(args.customers, args.seed, args.today, args.batch_customers))
    customers, orders, items = count_records(batches)
    print(
        f"generated {customers:,} customers, {orders:,} orders, {items:,} items in "
        f"{len(batches)} calls of {args.batch_customers:,} customers ({time.perf_counter() - started:.1f}s)",
        flush=True,
    )
    # The pre-generated payloads live for the whole run; keep the collector from rescanning them
    # (a server holds one request's records at a time).
    gc.collect()
    gc.freeze()
    return batches


async def run(args: argparse.Namespace, batches: Sequence[Batch], callers: Callers) -> int:
    timer = RepositoryTimer()
    if args.breakdown:
        timer.install()
    results = []
    for name in args.backends:
        results.extend(await run_backend(backend_for(name, "ingest"), batches, args, timer, callers))
    every = f"ANALYZE every {args.analyze_every} calls (untimed)" if args.analyze_every else "no ANALYZE"
    served = f"{args.processes} processes × {args.clients}" if args.processes > 1 else f"{args.clients}"
    print(f"\ningest through IngestService, {served} concurrent caller(s), {every}, {machine_line()}")
    print(render_table(HEADERS, [result_row(r) for r in results]))
    if args.breakdown:
        print("\nwall time by step")
        print(render_table(("backend", "pass", "step", "seconds", "% of pass"), breakdown_rows(results)))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    batches = generate(args)
    if args.processes == 1:
        return asyncio.run(run(args, batches, InProcessCallers(batches, args.clients)))
    workers = ProcessCallers(batches, args.processes, args.clients)  # forked before any event loop
    try:
        return asyncio.run(run(args, batches, workers))
    finally:
        workers.stop()


if __name__ == "__main__":
    sys.exit(main())

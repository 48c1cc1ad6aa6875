"""Copilot turn latency with the offline planner: one marketer goal → tool calls → a staged draft.

    .venv/bin/python bench/agent.py                           # 10k customers, SQLite and Postgres
    .venv/bin/python bench/agent.py --repeats 10 --backends postgresql
    .venv/bin/python bench/agent.py --rebuild                 # re-seed the cached data
    .venv/bin/python bench/agent.py --profile                 # + a pyinstrument profile (pip install it)
    .venv/bin/python bench/agent.py --compare-uncached        # + the same turns with field values rebuilt each turn

Data (cached between runs; `--rebuild` re-seeds): `crm.seed.seed_database` with
SeedPlan(customers=--customers, seed=42, today=the day it was built) — realistic customers and
orders through the ingest service — in reach_bench_agent (Postgres) or
<tmp>/reach_bench_agent.db (SQLite).

A turn is `AgentService(session, OfflinePlanner()).chat(goal, None)` in a fresh session, rolled
back afterwards so staged drafts and conversations do not accumulate; that is what
POST /api/agent/chat runs, minus HTTP and the commit. The goals below are varied: campaigns over
small and large audiences, a channel the marketer names, a three-step sequence. One untimed
warm-up round runs first (its first turn is reported as "cold"); then `--repeats` rounds.

`--compare-uncached` also runs every round with the field-values cache dropped before each turn
(`crm.agent.field_vocabulary.forget()`), which is how every turn ran before that cache: the
vocabulary rebuilt from all order items by the first `list_fields` call.

Reported per backend: turn latency p50/p95/max; per tool the time inside the tool (its runner,
wrapped), calls, p50/p95 per call and share of all turn time; "planner" is the offline
planner's own deciding (OfflinePlanner.decide) and "loop + persistence" the rest (argument
validation, savepoints, storing the conversation). Per goal: p50 and the tools it called.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from crm.agent import field_vocabulary
from crm.agent import tools as agent_tools
from crm.agent.providers.base import AssistantMessage, Message
from crm.agent.providers.offline import OfflinePlanner
from crm.agent.service import AgentService
from crm.agent.tools import ToolContext
from crm.db import create_engine, create_sessionmaker
from crm.migrate import upgrade_to_head
from crm.models import Customer, Order
from crm.seed import SeedPlan, seed_database

PG_SERVER = os.environ.get("REACH_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
PG_DATABASE = "reach_bench_agent"
SQLITE_PATH = Path(os.environ.get("REACH_BENCH_SQLITE_DIR", tempfile.gettempdir())) / "reach_bench_agent.db"
TARGET_P50_MS = 150.0
GOALS = (
    "win back customers who bought lipstick but haven't ordered in 60 days",
    "Customers in Bangalore who spent over ₹5k",
    "Our VIPs in Pune",
    "Welcome new customers",
    "one-time buyers who bought kajal",
    "customers reachable on WhatsApp in Kolkata",
    "send an email to shoppers in Delhi NCR with lifetime value above 10k",
    "customers who bought mascara in the last 30 days",
    "everyone except Mumbai",
    "del, mum n kol custs jinhone 2 mahine se order nahi kiya",
    "top 5% spenders who clicked but didn't buy",
    "create a 3-step win-back for lapsed lipstick buyers: WhatsApp now, an email 2 days later if they haven't "
    "read it, an SMS with a discount on day 5 if they still haven't bought",
)


# --- the bench databases --------------------------------------------------------------------------


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" | "postgresql"
    url: str


def backend(name: str) -> Backend:
    if name == "postgresql":
        return Backend(name, f"{PG_SERVER}/{PG_DATABASE}")
    if name == "sqlite":
        return Backend(name, f"sqlite+aiosqlite:///{SQLITE_PATH}")
    raise SystemExit(f"unknown backend {name!r}; use sqlite or postgresql")


async def pg_admin(statement: str) -> list[Any]:
    engine = create_async_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


def remove_sqlite_files() -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


async def database_exists(target: Backend) -> bool:
    if target.name == "sqlite":
        return await asyncio.to_thread(SQLITE_PATH.exists)
    return bool(await pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'"))


async def cached_data(maker: async_sessionmaker[AsyncSession]) -> tuple[int, datetime | None]:
    """(customers, latest order time) of a cached database."""
    async with maker() as session:
        customers = int(await session.scalar(select(func.count()).select_from(Customer)) or 0)
        latest = await session.scalar(select(func.max(Order.ordered_at)))
    return customers, latest


async def ensure_seeded(target: Backend, customers: int, rebuild: bool) -> None:
    if not rebuild and await database_exists(target):
        engine = create_engine(target.url)
        try:
            cached, latest = await cached_data(create_sessionmaker(engine))
        except Exception:
            cached, latest = -1, None
        finally:
            await engine.dispose()
        if cached == customers:
            await asyncio.to_thread(upgrade_to_head, target.url)  # a cached database follows new migrations
            age = f", latest order {latest:%Y-%m-%d}" if latest else ""
            print(f"  {target.name}: using cached {customers:,} seeded customers{age}", flush=True)
            return
    started = time.perf_counter()
    if target.name == "sqlite":
        await asyncio.to_thread(remove_sqlite_files)
    else:
        await pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await pg_admin(f'CREATE DATABASE "{PG_DATABASE}"')
    await asyncio.to_thread(upgrade_to_head, target.url)
    engine = create_engine(target.url)
    try:
        plan = SeedPlan(customers=customers, seed=42, today=datetime.now(UTC).date())
        _, orders = await seed_database(create_sessionmaker(engine), plan)
        async with engine.connect() as conn:
            if target.name == "postgresql":
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(text("VACUUM ANALYZE"))
            else:
                await conn.execute(text("ANALYZE"))
                await conn.commit()
    finally:
        await engine.dispose()
    print(
        f"  {target.name}: seeded {customers:,} customers, {orders:,} orders in {time.perf_counter() - started:.0f}s",
        flush=True,
    )


# --- timing a turn ----------------------------------------------------------------------------------


@dataclass
class Timings:
    """Seconds per tool call and per planner decision, collected while a turn runs."""

    tools: list[tuple[str, float]] = field(default_factory=list)
    planner: float = 0.0


class TimedPlanner(OfflinePlanner):
    def __init__(self, timings: Timings) -> None:
        super().__init__()
        self.timings = timings

    def decide(self, messages: list[Message], tools: set[str]) -> AssistantMessage:
        started = time.perf_counter()
        try:
            return super().decide(messages, tools)
        finally:
            self.timings.planner += time.perf_counter() - started


class ToolTimers:
    """Wraps every tool's runner in crm.agent.tools.TOOLS (the loop's table) while active."""

    def __init__(self) -> None:
        self.current = Timings()
        self.originals = dict(agent_tools.TOOLS)

    def __enter__(self) -> ToolTimers:
        for name, tool in self.originals.items():
            agent_tools.TOOLS[name] = replace(tool, run=self._timed(name, tool.run))
        return self

    def __exit__(self, *_: object) -> None:
        agent_tools.TOOLS.update(self.originals)

    def _timed(self, name: str, run: agent_tools.Runner) -> agent_tools.Runner:
        async def timed(ctx: ToolContext, arguments: Any) -> BaseModel:
            started = time.perf_counter()
            try:
                return await run(ctx, arguments)
            finally:
                self.current.tools.append((name, time.perf_counter() - started))

        return timed


@dataclass
class Turn:
    goal: int
    seconds: float
    timings: Timings
    staged: bool
    stopped: str


async def run_turn(
    maker: async_sessionmaker[AsyncSession], timers: ToolTimers, goal: int, uncached: bool = False
) -> Turn:
    timings = timers.current = Timings()
    if uncached:
        field_vocabulary.forget()
    started = time.perf_counter()
    async with maker() as session:
        try:
            response = await AgentService(session, TimedPlanner(timings)).chat(GOALS[goal], None)
        finally:
            await session.rollback()
    seconds = time.perf_counter() - started
    staged = response.staged_campaign_id is not None or response.staged_sequence_id is not None
    return Turn(goal, seconds, timings, staged, response.stopped)


@dataclass
class BackendResult:
    backend: str
    cold: Turn
    turns: list[Turn]


UNCACHED_LABEL = ", values rebuilt per turn"


async def bench_backend(target: Backend, repeats: int, compare_uncached: bool) -> list[BackendResult]:
    """Timed rounds; with `compare_uncached` each round runs the goals cached then uncached, so
    both see the same machine load."""
    engine = create_engine(target.url)
    maker = create_sessionmaker(engine)
    field_vocabulary.forget()
    modes = [False, True] if compare_uncached else [False]
    turns: dict[bool, list[Turn]] = {mode: [] for mode in modes}
    try:
        with ToolTimers() as timers:
            warm = [await run_turn(maker, timers, g) for g in range(len(GOALS))]
            for _ in range(repeats):
                for mode in modes:
                    turns[mode] += [await run_turn(maker, timers, g, mode) for g in range(len(GOALS))]
    finally:
        await engine.dispose()
    return [BackendResult(target.name + (UNCACHED_LABEL if mode else ""), warm[0], turns[mode]) for mode in modes]


async def profile_backend(target: Backend, rounds: int) -> None:
    from pyinstrument import Profiler  # a dev requirement; imported here so plain runs do not load it

    engine = create_engine(target.url)
    maker = create_sessionmaker(engine)
    try:
        with ToolTimers() as timers:
            for g in range(len(GOALS)):
                await run_turn(maker, timers, g)
            profiler = Profiler(async_mode="enabled", interval=0.0005)
            profiler.start()
            for _ in range(rounds):
                for g in range(len(GOALS)):
                    await run_turn(maker, timers, g)
            profiler.stop()
    finally:
        await engine.dispose()
    print(f"\n--- pyinstrument, {target.name}, {rounds} round(s) of {len(GOALS)} goals ---")
    print(profiler.output_text(unicode=True, color=False, show_all=False))


# --- output ----------------------------------------------------------------------------------------------


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{1000 * seconds:,.1f}"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    def is_number(value: str) -> bool:
        return value.replace(",", "").replace(".", "").replace("%", "").isdigit()

    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    numeric = [all(is_number(r[i]) for r in rows) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if n else v.ljust(w) for v, w, n in zip(row, widths, numeric, strict=True)).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *(line(r) for r in rows)])


def latency_table(results: Sequence[BackendResult]) -> str:
    rows = []
    for r in results:
        seconds = [t.seconds for t in r.turns]
        p50 = percentile(seconds, 50)
        rows.append(
            [
                r.backend,
                str(len(seconds)),
                ms(p50),
                ms(percentile(seconds, 95)),
                ms(max(seconds)),
                ms(statistics.fmean(seconds)),
                ms(r.cold.seconds),
                f"≤ {TARGET_P50_MS:.0f} " + ("✓" if 1000 * p50 <= TARGET_P50_MS else "✗"),
                f"{sum(t.staged for t in r.turns)}/{len(r.turns)}",
            ]
        )
    headers = ["backend", "turns", "p50 ms", "p95 ms", "max ms", "mean ms", "cold ms", "p50 target", "staged"]
    return render_table(headers, rows)


def tool_table(result: BackendResult) -> str:
    per_tool: dict[str, list[float]] = defaultdict(list)
    for turn in result.turns:
        for name, seconds in turn.timings.tools:
            per_tool[name].append(seconds)
    total = sum(t.seconds for t in result.turns) or 1.0
    planner = sum(t.timings.planner for t in result.turns)
    in_tools = sum(sum(v) for v in per_tool.values())
    turns = len(result.turns)
    rows = [
        [
            name,
            str(len(v)),
            ms(percentile(v, 50)),
            ms(percentile(v, 95)),
            ms(sum(v) / turns),
            f"{100 * sum(v) / total:.0f}%",
        ]
        for name, v in sorted(per_tool.items(), key=lambda kv: -sum(kv[1]))
    ]
    rows.append(["planner (decide)", str(turns), "-", "-", ms(planner / turns), f"{100 * planner / total:.0f}%"])
    rest = total - in_tools - planner
    rows.append(["loop + persistence", str(turns), "-", "-", ms(rest / turns), f"{100 * rest / total:.0f}%"])
    return render_table(["where", "calls", "p50 ms", "p95 ms", "ms/turn", "share"], rows)


def goal_table(results: Sequence[BackendResult]) -> str:
    headers = ["goal", *(f"{r.backend} p50 ms" for r in results), "tools", "staged"]
    rows = []
    for g, goal in enumerate(GOALS):
        first = next(t for t in results[0].turns if t.goal == g)
        cells = [goal if len(goal) <= 60 else goal[:57] + "..."]
        cells += [ms(percentile([t.seconds for t in r.turns if t.goal == g], 50)) for r in results]
        cells += [" → ".join(name for name, _ in first.timings.tools), "yes" if first.staged else first.stopped]
        rows.append(cells)
    return render_table(headers, rows)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Copilot turn latency (goal → staged draft) with the offline planner.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("--customers", type=int, default=10_000, help="seeded customers (default 10k)")
    parser.add_argument("--repeats", type=int, default=5, help=f"timed rounds of the {len(GOALS)} goals (default 5)")
    parser.add_argument("--backends", default="sqlite,postgresql", help="comma list (default sqlite,postgresql)")
    parser.add_argument("--rebuild", action="store_true", help="re-seed the cached data")
    parser.add_argument("--profile", action="store_true", help="also profile 2 rounds per backend with pyinstrument")
    parser.add_argument(
        "--compare-uncached", action="store_true", help="also time each round with the field values rebuilt per turn"
    )
    args = parser.parse_args(argv)
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if set(args.backends) - {"sqlite", "postgresql"} or not args.backends:
        parser.error("--backends takes sqlite and/or postgresql")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return args


async def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(
        f"agent bench · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    results: list[BackendResult] = []
    for name in args.backends:
        target = backend(name)
        await ensure_seeded(target, args.customers, args.rebuild)
        for result in await bench_backend(target, args.repeats, args.compare_uncached):
            results.append(result)
            p50 = percentile([t.seconds for t in result.turns], 50)
            print(f"  {result.backend}: {len(result.turns)} turns, p50 {ms(p50)} ms", flush=True)
    print()
    print(f"Turn latency, {args.customers:,} customers (goal → staged draft, fresh session, rolled back):")
    print(latency_table(results))
    for result in results:
        print()
        print(f"Where the time goes, {result.backend}:")
        print(tool_table(result))
    print()
    print("Per goal:")
    print(goal_table(results))
    if args.profile:
        for name in args.backends:
            await profile_backend(backend(name), 2)
    unstaged = [t for r in results for t in r.turns if not t.staged]
    return 1 if unstaged else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

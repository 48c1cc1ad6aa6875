"""Preview latency of the audience fields from the message history and the calendar:
`engagement`, `birthday_in_days`, `spend_percentile` (issue 15).

    .venv/bin/python bench/audience_fields.py                  # 10,000 customers, 100,000 messages, both backends
    .venv/bin/python bench/audience_fields.py --backends sqlite --repeats 10
    .venv/bin/python bench/audience_fields.py --explain        # also print each count's plan

Data: the customers and orders of bench/segments.py's bulk load (crm.seed.generate, validated by
the ingest schemas, customer_stats computed by the ingest repository) in their own databases
(reach_bench_audience_fields_N), plus `--messages` communications rows spread over the customers
(a deterministic RNG: sent in the last 120 days over 20 campaigns and four channels, each with
the lifecycle receipts the channel service's model gives — delivered ~90%, opened/read ~45%,
clicked ~12%, converted ~3%, failed ~5%, and some receipts lost). Databases are reused while their
counts match and migrated to head first.

For each filter and backend: the median and p95 of `--repeats` calls of SegmentService.preview
(count + 10-row sample, what POST /api/segments/preview does), then the median of the same
filter's plain compiled count without look-ups (what a campaign launch or sequence enrolment
runs: spend percentiles ranked by window functions in the query instead of read up front).
"same" checks both give the same count.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.append(str(Path(__file__).resolve().parent))
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert, select, text

from bench.common import (
    analyze,
    backend_for,
    machine_line,
    median,
    parse_backends,
    percentile,
    render_table,
    table_count,
)
from bench.segments import Target, engine_options, prepare
from crm.db import create_engine, create_sessionmaker
from crm.models import Communication, Customer, CustomerStats
from crm.segments import repository as segment_repo
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter
from crm.segments.service import SegmentService
from crm.tables import communications_table

DEFAULT_CUSTOMERS = 10_000
DEFAULT_MESSAGES = 100_000
TARGET_P50_MS = {"postgresql": 150.0, "sqlite": 400.0}
CHANNELS = ("whatsapp", "sms", "email", "rcs")
SEEN = {"email": "opened", "whatsapp": "read", "rcs": "read"}
INSERT_BATCH = 10_000


@dataclass(frozen=True)
class Case:
    label: str
    raw: dict[str, Any]


def _all(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {"match": "all", "conditions": list(conditions)}


ENGAGEMENT = "engagement"
CASES: tuple[Case, ...] = (
    Case("messaged this week", _all({"field": ENGAGEMENT, "op": "eq", "value": "received", "within_days": 7})),
    Case(
        "reachable on WhatsApp, not messaged this week",
        _all(
            {"field": "reachable_on", "op": "eq", "value": "whatsapp"},
            {"field": ENGAGEMENT, "op": "neq", "value": "received", "within_days": 7},
        ),
    ),
    Case("ever clicked", _all({"field": ENGAGEMENT, "op": "eq", "value": "clicked"})),
    Case(
        "clicked campaign 4, did not buy",
        _all(
            {"field": ENGAGEMENT, "op": "eq", "value": "clicked", "campaign_id": 4},
            {
                "match": "none",
                "conditions": [{"field": ENGAGEMENT, "op": "eq", "value": "converted", "campaign_id": 4}],
            },
        ),
    ),
    Case(
        "read on WhatsApp in 30 days",
        _all({"field": ENGAGEMENT, "op": "eq", "value": "engaged", "channel": "whatsapp", "within_days": 30}),
    ),
    Case("never engaged", _all({"field": ENGAGEMENT, "op": "neq", "value": "engaged"})),
    Case("birthday in the next 7 days", _all({"field": "birthday_in_days", "op": "lte", "value": 7})),
    Case("birthday 20-40 days away", _all({"field": "birthday_in_days", "op": "between", "value": [20, 40]})),
    Case("top 10% spenders", _all({"field": "spend_percentile", "op": "gte", "value": 90})),
    Case(
        "top 5% spenders, birthday this month, not messaged",
        _all(
            {"field": "spend_percentile", "op": "gte", "value": 95},
            {"field": "birthday_in_days", "op": "lte", "value": 30},
            {"field": ENGAGEMENT, "op": "neq", "value": "received", "within_days": 7},
        ),
    ),
)


# ------------------------------------------------------------------ messages


def message_rows(customer_ids: Sequence[int], count: int, seed: int, now: datetime) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        channel = rng.choice(CHANNELS)
        dispatched = now - timedelta(seconds=rng.randrange(120 * 86_400))
        stamps: dict[str, datetime | None] = dict.fromkeys(
            ("sent_at", "delivered_at", "opened_at", "read_at", "clicked_at", "converted_at", "failed_at")
        )
        lost = rng.random() < 0.1  # one receipt of the path never arrives

        reached = ["sent"]
        if rng.random() < 0.05:
            reached.append("failed")
        elif rng.random() < 0.95:
            reached.append("delivered")
            if channel in SEEN and rng.random() < 0.5:
                reached.append(SEEN[channel])
            if rng.random() < 0.13:
                reached.append("clicked")
                if rng.random() < 0.25:
                    reached.append("converted")
        for minutes, stage in enumerate(reached, start=1):
            stamps[f"{stage}_at"] = dispatched + timedelta(minutes=minutes)
        if lost:
            present = [key for key, value in stamps.items() if value is not None]
            stamps[rng.choice(present)] = None
        rows.append(
            {
                "communication_id": f"bench-af-{n}",
                "campaign_id": rng.randint(1, 20),
                "customer_id": rng.choice(customer_ids),
                "channel": channel,
                "to_address": "bench",
                "state": "dispatched",
                "due_at": dispatched,
                "dispatched_at": dispatched,
                "attempts": 1,
                "created_at": dispatched,
                **stamps,
            }
        )
    return rows


async def ensure_messages(target: Target, count: int, seed: int) -> str:
    if await table_count(target.engine, "communications") == count:
        return "messages cached"
    async with target.maker() as session, session.begin():
        await session.execute(text("DELETE FROM communications"))
        ids = list((await session.scalars(select(Customer.id).order_by(Customer.id))).all())
        rows = message_rows(ids, count, seed, datetime.now(UTC))
        for start in range(0, len(rows), INSERT_BATCH):
            await session.execute(insert(communications_table), rows[start : start + INSERT_BATCH])
    await analyze(target.engine)
    return f"{count:,} messages written"


# ------------------------------------------------------------------ measuring


@dataclass
class Result:
    case: Case
    backend: str
    count: int = 0
    latencies: list[float] = field(default_factory=list)
    plain: list[float] = field(default_factory=list)
    same: bool = False


async def measure(target: Target, case: Case, args: argparse.Namespace) -> Result:
    audience = SegmentFilter.model_validate(case.raw)
    result = Result(case, target.backend.name)
    for run in range(args.warmup + args.repeats):
        started = time.perf_counter()
        async with target.maker() as session:
            preview = await SegmentService(session).preview(audience, 10)
        if run >= args.warmup:
            result.latencies.append((time.perf_counter() - started) * 1000)
            result.count = preview.count
    plain_count = -1
    for _ in range(max(1, args.repeats // 4)):
        started = time.perf_counter()
        async with target.maker() as session:
            counted = select(func.count()).select_from(Customer).where(Customer.id.in_(plain_ids(audience)))
            plain_count = int(await session.scalar(counted) or 0)
        result.plain.append((time.perf_counter() - started) * 1000)
    result.same = plain_count == result.count
    return result


def plain_ids(audience: SegmentFilter) -> Any:
    """The members as a launch selects them: compile_filter with no look-ups."""
    return select(CustomerStats.customer_id).where(compile_filter(audience, Clock()))


async def explain(target: Target, case: Case) -> str:
    audience = SegmentFilter.model_validate(case.raw)
    async with target.maker() as session:
        spend = await segment_repo.rank_spends(session, audience)
    query = segment_repo.count_statement(audience, Clock(), {}, spend)
    async with target.engine.connect() as conn:
        compiled = query.compile(conn.sync_connection, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN (ANALYZE, BUFFERS)" if target.backend.name == "postgresql" else "EXPLAIN QUERY PLAN"
        rows = await conn.execute(text(f"{prefix} {compiled}"))
        return "\n".join(" | ".join(str(v) for v in row) for row in rows)


def result_row(result: Result) -> list[object]:
    p50 = median(result.latencies)
    target = TARGET_P50_MS[result.backend]
    return [
        result.case.label,
        result.backend,
        result.count,
        p50,
        percentile(result.latencies, 95),
        median(result.plain),
        "✓" if result.same else "✗",
        f"p50 ≤ {target:.0f}",
        "met" if p50 <= target else "MISSED",
    ]


HEADERS = ("filter", "backend", "count", "preview p50 ms", "p95 ms", "plain count p50 ms", "same", "target", "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--messages", type=int, default=DEFAULT_MESSAGES)
    parser.add_argument("--backends", type=parse_backends, default=parse_backends("sqlite,postgresql"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, default=datetime.now(UTC).date())
    parser.add_argument("--repeats", type=int, default=20, help="timed previews per filter")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="drop and reload the bench databases")
    parser.add_argument("--explain", action="store_true", help="print each filter's count plan")
    args = parser.parse_args(argv)
    args.via_service = False
    args.pg_setting = []
    return args


async def run(args: argparse.Namespace) -> int:
    targets = []
    for name in args.backends:
        backend = backend_for(name, f"audience_fields_{args.customers}")
        engine = create_engine(backend.url, **engine_options(backend, args.pg_setting))
        targets.append(Target(backend, engine, create_sessionmaker(engine)))
    try:
        how = await prepare(targets, args)
        results = []
        for target in targets:
            messages = await ensure_messages(target, args.messages, args.seed)
            async with target.maker() as session:
                sent = await session.scalar(select(func.count()).select_from(Communication))
            built = how[target.backend.name]
            print(f"{target.backend.name}: {args.customers:,} customers, {sent:,} messages — {built}, {messages}")
            for case in CASES:
                if args.explain:
                    print(f"--- {case.label} ({target.backend.name})\n{await explain(target, case)}")
                results.append(await measure(target, case, args))
        print(f"\naudience fields: segment preview (count + 10-row sample), {machine_line()}")
        print(render_table(HEADERS, [result_row(r) for r in results]))
        return 0 if all(r.same for r in results) else 1
    finally:
        for target in targets:
            await target.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

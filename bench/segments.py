"""Segment preview benchmark: count + 10-row sample latency against a naive on-the-fly join.

    .venv/bin/python bench/segments.py                       # 1,000,000 customers, both backends
    .venv/bin/python bench/segments.py --customers 50000     # quick run (its own cached databases)
    .venv/bin/python bench/segments.py --rebuild --explain

Data: crm.seed.generate (deterministic SUGAR-style customers, ~5 orders each). By default it is
bulk-loaded: every record is validated by the ingest schemas (CustomerIn / OrderIn) and shaped by
the ingest service's own row builders, written with COPY (Postgres) or executemany (SQLite), and
the customer_stats rollup is then computed by the ingest repository's refresh_customer_stats.
`--via-service` seeds through IngestService instead (exact, but ~6k orders/s). The databases
(reach_bench_segments[_N], <tmp>/reach_bench_segments[_N].db) are kept and reused while their
row counts match, migrated to the current Alembic head first (new indexes land in cached
databases); `--rebuild` forces a fresh load. ANALYZE runs after every load and migration.

For each filter and backend: `--repeats` timed calls of SegmentService.preview(filter, 10)
(count + sample, what POST /api/segments/preview does), then `--naive-repeats` runs of a
hand-written naive query of the same filter: customers ⋈ orders (⋈ order_items when a condition
is about items), GROUP BY customer, aggregates computed on the fly (no customer_stats), as a
count and a 10-row sample. The naive count and sample ids must equal the compiled filter's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

# Import bench.common from the repo root, and keep bench/ itself off the path: its scripts
# (e.g. queue.py) must not shadow standard-library modules.
# Import bench.common from the repo root, and take bench/ itself off the front of the path so
# its scripts (e.g. queue.py) cannot shadow standard-library modules: append, then remove the
# first occurrence (the script directory Python put first, if it did).
sys.path.append(str(Path(__file__).resolve().parent))
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import ColumnElement, Select, case, func, not_, or_, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.common import (
    Backend,
    analyze,
    backend_for,
    database_exists,
    fresh_database,
    machine_line,
    median,
    parse_backends,
    percentile,
    render_table,
    seed_batches,
    table_count,
)
from crm.db import create_engine, create_sessionmaker
from crm.ingest import repository as ingest_repo
from crm.ingest.schemas import validate_customer, validate_order
from crm.ingest.service import IngestService, customer_row, item_rows, order_row
from crm.migrate import upgrade_to_head
from crm.models import Customer, Order, OrderItem
from crm.models.order import NON_COUNTING_ORDER_STATUSES, order_counts
from crm.money import to_minor
from crm.segments import repository as segment_repo
from crm.segments.compiler import Clock, compile_filter, like_pattern, product_lookups
from crm.segments.dsl import SegmentFilter
from crm.segments.service import SegmentService
from crm.sql import asyncpg_connection, chunked
from crm.tables import customers_table, order_items_table, orders_table

DEFAULT_CUSTOMERS = 1_000_000
TARGET_P50_MS = {"postgresql": 150.0, "sqlite": 400.0}
TARGET_RATIO = 10.0
LOAD_BATCH = 5000
STATS_CHUNK = 5000

# ------------------------------------------------------------------ loading


@dataclass
class LoadRows:
    customers: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class IdCounters:
    customer: int = 0
    order: int = 0
    item: int = 0


CUSTOMER_DEFAULTS: dict[str, Any] = {
    "name": None,
    "email": None,
    "phone": None,
    "city": None,
    "state": None,
    "gender": None,
    "birthday": None,
    "signed_up_at": None,
    "tags": "",
    "consent_email": False,
    "consent_sms": False,
    "consent_whatsapp": False,
    "consent_rcs": False,
}
ORDER_DEFAULTS: dict[str, Any] = {"currency": "INR", "status": "paid"}


def shape_batch(
    customers: list[dict[str, Any]], orders: list[dict[str, Any]], ids: IdCounters, now: datetime
) -> LoadRows:
    """Validate with the ingest schemas and shape with the ingest service's row builders."""
    rows = LoadRows()
    customer_ids: dict[str, int] = {}
    for raw in customers:
        record = validate_customer(raw)
        ids.customer += 1
        customer_ids[record["external_id"]] = ids.customer
        row = {**CUSTOMER_DEFAULTS, **customer_row(record), "id": ids.customer}
        rows.customers.append({**row, "created_at": now, "updated_at": now})
    for raw in orders:
        order = validate_order(raw)
        ids.order += 1
        row = {**ORDER_DEFAULTS, **order_row(order, customer_ids[order["customer_external_id"]]), "id": ids.order}
        rows.orders.append({**row, "created_at": now, "updated_at": now})
        for item in item_rows(order, row["id"], row["customer_id"], order_counts(row["status"])):
            ids.item += 1
            rows.items.append({"id": ids.item, **item})
    return rows


async def _copy_postgres(engine: AsyncEngine, rows: LoadRows) -> None:
    async with engine.connect() as conn:
        driver = await asyncpg_connection(conn)
        async with driver.transaction():
            for table, records in (
                ("customers", rows.customers),
                ("orders", rows.orders),
                ("order_items", rows.items),
            ):
                columns = list(records[0])
                await driver.copy_records_to_table(
                    table, records=[tuple(r[c] for c in columns) for r in records], columns=columns
                )


async def _insert_sqlite(engine: AsyncEngine, rows: LoadRows) -> None:
    async with engine.begin() as conn:
        await conn.execute(customers_table.insert(), rows.customers)
        await conn.execute(orders_table.insert(), rows.orders)
        await conn.execute(order_items_table.insert(), rows.items)


async def write_rows(backend: Backend, engine: AsyncEngine, rows: LoadRows) -> None:
    if not rows.customers:
        return
    if backend.name == "postgresql":
        await _copy_postgres(engine, rows)
    else:
        await _insert_sqlite(engine, rows)


async def finish_postgres_load(engine: AsyncEngine) -> None:
    """Explicit ids were copied in: move the sequences past them."""
    async with engine.begin() as conn:
        for table in ("customers", "orders", "order_items"):
            await conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )


async def refresh_all_stats(maker: async_sessionmaker[AsyncSession], customers: int) -> None:
    """The customer_stats rollup, computed by the ingest repository's own refresh."""
    for part in chunked(range(1, customers + 1), STATS_CHUNK):
        async with maker() as session, session.begin():
            await ingest_repo.refresh_customer_stats(session, list(part))


@dataclass
class Target:
    backend: Backend
    engine: AsyncEngine
    maker: async_sessionmaker[AsyncSession]


async def is_cached(target: Target, customers: int) -> bool:
    if not await database_exists(target.backend):
        return False
    try:
        counts = [await table_count(target.engine, t) for t in ("customers", "customer_stats")]
        orders = await table_count(target.engine, "orders")
    except Exception:
        return False
    return counts == [customers, customers] and orders > 0


async def bulk_load(targets: list[Target], args: argparse.Namespace) -> None:
    ids = IdCounters()
    now = datetime.now(UTC)
    started = time.perf_counter()
    for customers, orders in seed_batches(args.customers, args.seed, args.today, LOAD_BATCH):
        rows = shape_batch(customers, orders, ids, now)
        for target in targets:
            await write_rows(target.backend, target.engine, rows)
        if ids.customer % 100_000 < LOAD_BATCH:
            print(
                f"  loaded {ids.customer:,} customers, {ids.order:,} orders ({time.perf_counter() - started:.0f}s)",
                flush=True,
            )
    for target in targets:
        if target.backend.name == "postgresql":
            await finish_postgres_load(target.engine)
        # Without statistics Postgres plans the rollup's per-chunk item lookups as full scans.
        await analyze(target.engine)
        step = time.perf_counter()
        await refresh_all_stats(target.maker, args.customers)
        print(f"  {target.backend.name}: customer_stats refreshed in {time.perf_counter() - step:.0f}s")


async def service_load(target: Target, args: argparse.Namespace) -> None:
    for customers, orders in seed_batches(args.customers, args.seed, args.today, 1000):
        async with target.maker() as session, session.begin():
            report = await IngestService(session).ingest(customers, orders)
        if report.rejected:
            raise SystemExit(f"seed data rejected: {report.rejected[:3]}")


async def prepare(targets: list[Target], args: argparse.Namespace) -> dict[str, str]:
    """Reuse cached databases whose row counts match; (re)build the others. Returns how each was built."""
    how: dict[str, str] = {}
    to_build = []
    for target in targets:
        if not args.rebuild and await is_cached(target, args.customers):
            how[target.backend.name] = await migrate_cached(target)
        else:
            to_build.append(target)
    for target in to_build:
        await target.engine.dispose()
        await fresh_database(target.backend)
    method = "ingest service" if args.via_service else "bulk (validated, COPY/executemany)"
    started = time.perf_counter()
    if to_build:
        print(f"building {', '.join(t.backend.name for t in to_build)} via {method} …", flush=True)
        if args.via_service:
            for target in to_build:
                await service_load(target, args)
        else:
            await bulk_load(to_build, args)
    for target in to_build:
        await vacuum_analyze(target)
        how[target.backend.name] = f"built via {method} in {time.perf_counter() - started:.0f}s"
    return how


async def schema_revision(engine: AsyncEngine) -> str:
    async with engine.connect() as conn:
        return str(await conn.scalar(text("SELECT version_num FROM alembic_version")))


async def migrate_cached(target: Target) -> str:
    """Bring a cached database to the current schema (e.g. a new index), then re-ANALYZE."""
    before = await schema_revision(target.engine)
    await asyncio.to_thread(upgrade_to_head, target.backend.url)
    after = await schema_revision(target.engine)
    if before == after:
        return "cached"
    await vacuum_analyze(target)
    return f"cached, migrated {before} → {after}"


async def vacuum_analyze(target: Target) -> None:
    if target.backend.name == "postgresql":
        async with target.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        await analyze(target.engine)


# ------------------------------------------------------------------ naive queries

COUNTED = Order.status.not_in(NON_COUNTING_ORDER_STATUSES)


def counted_sum(value: Any) -> Any:
    return func.coalesce(func.sum(case((COUNTED, value), else_=0)), 0)


def bought(item_condition: ColumnElement[bool]) -> ColumnElement[bool]:
    """At least one counted item matching the condition, over the grouped join."""
    matches: ColumnElement[int] = counted_sum(case((item_condition, 1), else_=0))
    return matches > 0


def with_orders(query: Select[Any], items: bool = False) -> Select[Any]:
    query = query.outerjoin(Order, Order.customer_id == Customer.id)
    if items:
        query = query.outerjoin(OrderItem, OrderItem.order_id == Order.id)
    return query.group_by(Customer.id)


def naive_lapsed_lipstick(clock: Clock) -> Select[Any]:
    last_order = func.max(case((COUNTED, Order.ordered_at)))
    return with_orders(select(Customer.id), items=True).having(
        last_order <= clock.days_ago_at_least(61), bought(func.lower(OrderItem.category) == "lipstick")
    )


def naive_vips(_: Clock) -> Select[Any]:
    return with_orders(select(Customer.id)).having(counted_sum(Order.amount_minor) >= to_minor(5000))


def naive_pune_whatsapp(_: Clock) -> Select[Any]:
    return with_orders(select(Customer.id)).where(
        Customer.city.is_not(None),
        func.lower(Customer.city) == "pune",
        Customer.phone.is_not(None),
        Customer.phone != "",
        Customer.consent_whatsapp.is_(True),
    )


def naive_new_customers(clock: Clock) -> Select[Any]:
    return (
        with_orders(select(Customer.id))
        .where(Customer.signed_up_at.is_not(None), Customer.signed_up_at > clock.days_ago_at_least(31))
        .having(counted_sum(1) == 0)
    )


def naive_nested(clock: Clock) -> Select[Any]:
    name = func.lower(OrderItem.name)
    orders = func.count(func.distinct(case((COUNTED, Order.id))))
    return (
        with_orders(select(Customer.id), items=True)
        .where(
            Customer.birthday.is_not(None),
            Customer.birthday <= clock.birthday_for_age(25),
            Customer.birthday > clock.birthday_for_age(35),
            not_(Customer.tags.like(like_pattern("|vip|"), escape="\\")),
        )
        .having(
            or_(
                bought(name.like(like_pattern("kohl"), escape="\\")),
                bought(name.like(like_pattern("wingman"), escape="\\")),
            ),
            not_(orders >= 10),
        )
    )


@dataclass(frozen=True)
class Case:
    label: str
    raw: dict[str, Any]
    naive: Callable[[Clock], Select[Any]]


CASES: tuple[Case, ...] = (
    Case(
        "lapsed lipstick buyers",
        {
            "match": "all",
            "conditions": [
                {"field": "last_order_days_ago", "op": "gt", "value": 60},
                {"field": "category", "op": "in", "value": ["Lipstick"]},
            ],
        },
        naive_lapsed_lipstick,
    ),
    Case("VIPs (spent ≥ ₹5000)", {"conditions": [{"field": "total_spent", "op": "gte", "value": 5000}]}, naive_vips),
    Case(
        "Pune + WhatsApp",
        {
            "match": "all",
            "conditions": [
                {"field": "city", "op": "eq", "value": "Pune"},
                {"field": "reachable_on", "op": "eq", "value": "whatsapp"},
            ],
        },
        naive_pune_whatsapp,
    ),
    Case(
        "new, no orders",
        {
            "match": "all",
            "conditions": [
                {"field": "signed_up_days_ago", "op": "lte", "value": 30},
                {"field": "order_count", "op": "eq", "value": 0},
            ],
        },
        naive_new_customers,
    ),
    Case(
        "nested any/none",
        {
            "match": "all",
            "conditions": [
                {"field": "age", "op": "between", "value": [25, 34]},
                {
                    "match": "any",
                    "conditions": [
                        {"field": "product", "op": "contains", "value": "kohl"},
                        {"field": "product", "op": "contains", "value": "wingman"},
                    ],
                },
                {
                    "match": "none",
                    "conditions": [
                        {"field": "order_count", "op": "gte", "value": 10},
                        {"field": "tags", "op": "contains", "value": "vip"},
                    ],
                },
            ],
        },
        naive_nested,
    ),
)


async def naive_preview(session: AsyncSession, query: Select[Any]) -> tuple[int, list[int]]:
    """The naive equivalent of a preview: a count and the first 10 members (with their customer rows)."""
    count = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    first = query.order_by(Customer.id).limit(10).subquery()
    sample = await session.execute(select(Customer).where(Customer.id.in_(select(first.c.id))).order_by(Customer.id))
    return count, [c.id for c in sample.scalars()]


# ------------------------------------------------------------------ measuring


@dataclass
class Result:
    case: Case
    backend: str
    count: int = 0
    latencies: list[float] = field(default_factory=list)
    naive: list[float] = field(default_factory=list)
    same: bool = False


async def timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = await call()
    return (time.perf_counter() - started) * 1000, value


async def measure_case(target: Target, case: Case, args: argparse.Namespace) -> Result:
    audience = SegmentFilter.model_validate(case.raw)
    result = Result(case, target.backend.name)

    async def preview() -> Any:
        async with target.maker() as session:
            return await SegmentService(session).preview(audience, 10)

    for run in range(args.warmup + args.repeats):
        ms, value = await timed(preview)
        if run >= args.warmup:
            result.latencies.append(ms)
            result.count = value.count
    clock = Clock()
    async with target.maker() as session:
        products = await segment_repo.match_products(session, product_lookups(audience))
        real_count = await segment_repo.count_audience(session, audience, clock, products)
        where = compile_filter(audience, clock, products=products)
        real_ids = [c.id for c, _ in await segment_repo.sample_audience(session, where, 10)]
    naive_result: tuple[int, list[int]] = (-1, [])
    for _ in range(args.naive_repeats):
        async with target.maker() as session:
            ms, naive_result = await timed(lambda s=session: naive_preview(s, case.naive(clock)))  # type: ignore[misc]
        result.naive.append(ms)
    result.same = naive_result == (real_count, real_ids)
    return result


async def explain_case(target: Target, case: Case) -> str:
    """The plan of the count that SegmentService.preview runs (products resolved the same way)."""
    audience = SegmentFilter.model_validate(case.raw)
    async with target.maker() as session:
        products = await segment_repo.match_products(session, product_lookups(audience))
    query = segment_repo.count_statement(audience, Clock(), products)
    async with target.engine.connect() as conn:
        compiled = query.compile(conn.sync_connection, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN (ANALYZE, BUFFERS)" if target.backend.name == "postgresql" else "EXPLAIN QUERY PLAN"
        rows = await conn.execute(text(f"{prefix} {compiled}"))
        return "\n".join(" | ".join(str(v) for v in row) for row in rows)


def result_row(result: Result) -> list[object]:
    p50 = median(result.latencies)
    naive_p50 = median(result.naive)
    ratio = naive_p50 / p50 if p50 else float("nan")
    ok = p50 <= TARGET_P50_MS[result.backend] and ratio >= TARGET_RATIO
    return [
        result.case.label,
        result.backend,
        result.count,
        p50,
        percentile(result.latencies, 95),
        naive_p50,
        f"{ratio:.1f}×",
        "✓" if result.same else "✗",
        f"p50 ≤ {TARGET_P50_MS[result.backend]:.0f}, ≥ {TARGET_RATIO:.0f}×",
        "met" if ok else "MISSED",
    ]


HEADERS = ("filter", "backend", "count", "p50 ms", "p95 ms", "naive p50 ms", "ratio", "same", "target", "")


# ------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--backends", type=parse_backends, default=parse_backends("sqlite,postgresql"))
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", type=date.fromisoformat, default=datetime.now(UTC).date())
    parser.add_argument("--repeats", type=int, default=20, help="timed previews per filter")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--naive-repeats", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="drop and reload the bench databases")
    parser.add_argument("--via-service", action="store_true", help="seed through IngestService (slow)")
    parser.add_argument("--explain", action="store_true", help="print each filter's count plan")
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Postgres session setting for the CRM's connections (repeatable), e.g. jit=off",
    )
    return parser.parse_args(argv)


def database_stem(customers: int) -> str:
    return "segments" if customers == DEFAULT_CUSTOMERS else f"segments_{customers}"


def engine_options(backend: Backend, settings: list[str]) -> dict[str, Any]:
    if backend.name != "postgresql" or not settings:
        return {}
    pairs = dict(setting.split("=", 1) for setting in settings)
    return {"connect_args": {"server_settings": pairs}}


async def run(args: argparse.Namespace) -> int:
    targets = []
    for name in args.backends:
        backend = backend_for(name, database_stem(args.customers))
        engine = create_engine(backend.url, **engine_options(backend, args.pg_setting))
        targets.append(Target(backend, engine, create_sessionmaker(engine)))
    try:
        how = await prepare(targets, args)
        results = []
        for target in targets:
            orders = await table_count(target.engine, "orders")
            items = await table_count(target.engine, "order_items")
            print(
                f"{target.backend.name}: {args.customers:,} customers, {orders:,} orders, "
                f"{items:,} items — {how[target.backend.name]}",
                flush=True,
            )
            for case in CASES:
                if args.explain:
                    print(f"--- {case.label} ({target.backend.name})\n{await explain_case(target, case)}")
                results.append(await measure_case(target, case, args))
        settings = f" · Postgres settings: {', '.join(args.pg_setting)}" if args.pg_setting else ""
        print(f"\nsegment preview (count + 10-row sample), {machine_line()}{settings}")
        print(render_table(HEADERS, [result_row(r) for r in sorted(results, key=lambda r: CASES.index(r.case))]))
        return 0 if all(r.same for r in results) else 1
    finally:
        for target in targets:
            await target.engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(run(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

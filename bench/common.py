"""Shared helpers for the CRM benchmarks: bench databases, seed batches, timing and tables.

Bench databases are always named `reach_bench_*` (Postgres) or live under a temp directory
(SQLite); nothing here touches `reach_dev` or `reach_test*`.
"""

from __future__ import annotations

import asyncio
import os
import platform
import statistics
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from crm.migrate import upgrade_to_head
from crm.seed import SeedPlan, generate

Batch = tuple[list[dict[str, Any]], list[dict[str, Any]]]

PG_SERVER = os.environ.get("REACH_BENCH_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
SQLITE_DIR = Path(os.environ.get("REACH_BENCH_SQLITE_DIR", tempfile.gettempdir()))
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Backend:
    name: str  # "sqlite" | "postgresql"
    url: str
    sqlite_path: Path | None = None


def backend_for(name: str, stem: str) -> Backend:
    """The bench database `stem` on one backend: reach_bench_<stem> or <tmp>/reach_bench_<stem>.db."""
    if name == "postgresql":
        return Backend(name, f"{PG_SERVER}/reach_bench_{stem}")
    if name == "sqlite":
        path = SQLITE_DIR / f"reach_bench_{stem}.db"
        return Backend(name, f"sqlite+aiosqlite:///{path}", path)
    raise SystemExit(f"unknown backend {name!r}; use {', '.join(BACKENDS)}")


def parse_backends(value: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in BACKENDS]
    if unknown or not names:
        raise SystemExit(f"--backends takes a comma list of {', '.join(BACKENDS)}")
    return names


def _pg_database_name(url: str) -> str:
    name = url.rsplit("/", 1)[1]
    if not name.startswith("reach_bench_"):
        raise SystemExit(f"refusing to touch {name!r}: bench databases are named reach_bench_*")
    return name


async def _pg_admin(statement: str) -> list[Any]:
    engine = create_async_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            result = await conn.execute(text(statement))
            return list(result) if result.returns_rows else []
    finally:
        await engine.dispose()


async def database_exists(backend: Backend) -> bool:
    if backend.sqlite_path is not None:
        return backend.sqlite_path.exists()
    name = _pg_database_name(backend.url)
    rows = await _pg_admin(f"SELECT 1 FROM pg_database WHERE datname = '{name}'")
    return bool(rows)


async def drop_database(backend: Backend) -> None:
    if backend.sqlite_path is not None:
        await asyncio.to_thread(_remove_sqlite_files, backend.sqlite_path)
        return
    name = _pg_database_name(backend.url)
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _remove_sqlite_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


async def fresh_database(backend: Backend) -> None:
    """Drop and recreate the bench database, then migrate it to head."""
    await drop_database(backend)
    if backend.sqlite_path is None:
        await _pg_admin(f'CREATE DATABASE "{_pg_database_name(backend.url)}"')
    else:
        backend.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    await asyncio.to_thread(upgrade_to_head, backend.url)


async def analyze(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()


async def table_count(engine: AsyncEngine, table: str) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(text(f"SELECT count(*) FROM {table}")) or 0)


def seed_batches(customers: int, seed: int, today: date, batch_customers: int) -> Iterator[Batch]:
    """crm.seed.generate's deterministic data, regrouped into batches of `batch_customers`."""
    pending_customers: list[dict[str, Any]] = []
    pending_orders: list[dict[str, Any]] = []
    for batch_customers_, batch_orders in generate(SeedPlan(customers, seed, today)):
        pending_customers.extend(batch_customers_)
        pending_orders.extend(batch_orders)
        if len(pending_customers) >= batch_customers:
            yield pending_customers, pending_orders
            pending_customers, pending_orders = [], []
    if pending_customers:
        yield pending_customers, pending_orders


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def render_table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain aligned text table (numbers right-aligned)."""
    cells = [[str(h) for h in headers], *[[_cell(v) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    numeric = [all(_is_number(row[i]) for row in cells[1:]) for i in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w) for v, w, num in zip(row, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(r) for r in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _is_number(value: str) -> bool:
    try:
        float(value.replace(",", "").rstrip("×x"))
    except ValueError:
        return False
    return True


def machine_line() -> str:
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.machine()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · 1-min load average {os.getloadavg()[0]:.1f}"
    )

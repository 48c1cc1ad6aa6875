"""Batch writes and key lookups for ingestion, one statement per batch on each backend.

Postgres gets a batch as arrays: `INSERT … SELECT * FROM unnest(:a0, :a1, …) ON CONFLICT … RETURNING`
and `col = ANY(:values)`, so a statement carries a handful of parameters however many rows it
writes, and no row costs a round trip or per-value bind processing. SQLite runs executemany (a
C-level loop over one prepared statement) and IN lists of at most CHUNK values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.schema import Column

from crm.sql import asyncpg_connection, chunked, is_postgres, upsert

CHUNK = 1000  # SQLite rows (or IN-list values) per statement


def lookup_chunks(session: AsyncSession, values: Sequence[Any]) -> list[Sequence[Any]]:
    """The pieces one_of() should be called with: everything at once on Postgres."""
    if not values:
        return []
    return [values] if is_postgres(session) else list(chunked(values, CHUNK))


def python_defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """Values of the columns' Python-side defaults (as SQLAlchemy's INSERT would apply them) for
    the columns a row does not give; server defaults and autoincrement keys are left to the server."""
    values: dict[str, Any] = {}
    for column in table.columns:
        default: Any = column.default
        if column.name in given or default is None:
            continue
        if default.is_callable:
            values[column.name] = default.arg(None)
        elif default.is_scalar:
            values[column.name] = default.arg
    return values


PG_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


def _pg_type(column: Column[Any]) -> str:
    return str(column.type.compile(dialect=PG_DIALECT))


def _pg_upsert_sql(
    table: Table,
    row_columns: Sequence[str],
    constant_columns: Sequence[str],
    conflict_columns: Sequence[str],
    update_columns: Sequence[str] | None,
    returning: Sequence[str],
    compare_columns: Sequence[str],
) -> str:
    arrays = ", ".join(f"CAST(:a{i} AS {_pg_type(table.c[name])}[])" for i, name in enumerate(row_columns))
    constants = "".join(f", CAST(:k{i} AS {_pg_type(table.c[name])})" for i, name in enumerate(constant_columns))
    sql = (
        f"INSERT INTO {table.name} ({', '.join([*row_columns, *constant_columns])}) "
        f"SELECT u.*{constants} FROM unnest({arrays}) AS u"
    )
    if update_columns is not None:
        conflict = ", ".join(conflict_columns)
        if update_columns:
            assignments = ", ".join(f"{name} = excluded.{name}" for name in update_columns)
            sql += f" ON CONFLICT ({conflict}) DO UPDATE SET {assignments}"
            if compare_columns:
                stored = ", ".join(f"{table.name}.{name}" for name in compare_columns)
                given = ", ".join(f"excluded.{name}" for name in compare_columns)
                sql += f" WHERE ({stored}) IS DISTINCT FROM ({given})"
        else:
            sql += f" ON CONFLICT ({conflict}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    return sql


async def copy_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    row_columns: Sequence[str],
    constants: Mapping[str, Any],
) -> None:
    """Plain inserts on Postgres go in by binary COPY on the session's own connection (and so in
    its transaction): no statement to plan and no array to encode and unnest."""
    tail = tuple(constants.values())
    if len(row_columns) > 1:
        pick = itemgetter(*row_columns)
        records = [pick(row) + tail for row in rows]
    else:
        (name,) = row_columns
        records = [(row[name], *tail) for row in rows]
    driver = await asyncpg_connection(session)
    await driver.copy_records_to_table(table.name, records=records, columns=[*row_columns, *constants])


async def write_rows(
    session: AsyncSession,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    *,
    conflict_columns: Sequence[str] = (),
    update_columns: Sequence[str] | None = None,
    constants: Mapping[str, Any] | None = None,
    returning: Sequence[str] = (),
    compare_columns: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """Insert `rows` (all with the same keys) plus `constants` (the same for every row).

    With conflict_columns, a row whose key exists updates `update_columns` instead (none: the
    row is skipped). Columns neither given nor updated get their Python-side defaults on insert
    and keep their stored values on update. With compare_columns, a row whose key exists is
    updated only when one of them differs from what is stored (a replay writes no new row version,
    index entries or WAL); such a skipped row is not returned. Returns the `returning` columns of
    every row written.
    """
    if not rows:
        return []
    fixed = dict(constants or {})
    row_columns = list(rows[0])
    on_conflict = update_columns if conflict_columns else None
    if is_postgres(session):
        fixed |= python_defaults(table, [*row_columns, *fixed])
        if on_conflict is None and not returning:
            await copy_rows(session, table, rows, row_columns, fixed)
            return []
        sql = _pg_upsert_sql(table, row_columns, list(fixed), conflict_columns, on_conflict, returning, compare_columns)
        params = {f"a{i}": [row[name] for row in rows] for i, name in enumerate(row_columns)}
        params |= {f"k{i}": value for i, value in enumerate(fixed.values())}
        result = await session.execute(text(sql), params)
        return [tuple(row) for row in result] if returning else []
    if on_conflict is None:
        statement: Any = table.insert()
    else:
        statement = upsert(session, table, conflict_columns, on_conflict, compare_columns)
    if returning:
        statement = statement.returning(*(table.c[name] for name in returning))
    written: list[tuple[Any, ...]] = []
    for part in chunked(rows, CHUNK):
        result = await session.execute(statement, [{**row, **fixed} for row in part])
        if returning:
            written.extend(tuple(row) for row in result)
    return written

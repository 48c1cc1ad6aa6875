"""The few places where SQL differs by dialect, behind small helpers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar
from typing import cast as cast_type

from sqlalchemy import ARRAY, ColumnElement, Integer, Table, any_, bindparam, cast, extract, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

T = TypeVar("T")


def dialect_name(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def is_postgres(session: AsyncSession) -> bool:
    return dialect_name(session) == "postgresql"


async def asyncpg_connection(connection: AsyncConnection | AsyncSession) -> Any:
    """The asyncpg connection under a SQLAlchemy connection (a session's: the one holding its
    transaction), for what SQLAlchemy does not offer (COPY) or costs too much for (a hot statement)."""
    if isinstance(connection, AsyncSession):
        connection = await connection.connection()
    driver = (await connection.get_raw_connection()).driver_connection
    assert driver is not None, "a pooled connection always has its driver connection"
    return driver


def one_of(session: AsyncSession, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values`: one array parameter on Postgres (`= ANY(:values)`, one prepared statement
    whatever the count), an IN list on SQLite (keep it to ~1,000 values)."""
    if is_postgres(session):
        condition = column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    else:
        condition = column.in_(values)
    return cast_type(ColumnElement[bool], condition)


async def lock_rows_in_order(session: AsyncSession, key: Any, values: Sequence[Any]) -> None:
    """Postgres: locks the rows whose `key` is in `values` until commit, taken in key order, so two
    transactions locking overlapping rows queue up instead of deadlocking. SQLite runs one writer at
    a time, so there it does nothing."""
    if values and is_postgres(session):
        await session.execute(select(key).where(one_of(session, key, values)).order_by(key).with_for_update())


def upsert(
    session: AsyncSession,
    table: Table,
    conflict_columns: Sequence[str],
    update_columns: Sequence[str],
    compare_columns: Sequence[str] = (),
) -> Any:
    """INSERT … ON CONFLICT (conflict_columns) DO UPDATE (or DO NOTHING when nothing to update);
    with compare_columns, only when one of them differs from the stored row."""
    ins: Any = postgresql.insert(table) if dialect_name(session) == "postgresql" else sqlite.insert(table)
    if not update_columns:
        return ins.on_conflict_do_nothing(index_elements=list(conflict_columns))
    changed = [table.c[name].is_distinct_from(ins.excluded[name]) for name in compare_columns]
    return ins.on_conflict_do_update(
        index_elements=list(conflict_columns),
        set_={name: ins.excluded[name] for name in update_columns},
        where=or_(*changed) if changed else None,
    )


def insert_ignoring_conflicts(session: AsyncSession, table: Table, conflict_columns: Sequence[str]) -> Any:
    return upsert(session, table, conflict_columns, [])


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def epoch_seconds(session: AsyncSession, column: Any) -> Any:
    """Seconds since 1970 for a timestamp column (SQLite stores UTC text; Postgres timestamptz)."""
    if dialect_name(session) == "postgresql":
        return cast(extract("epoch", column), Integer)
    return cast(func.strftime("%s", column), Integer)

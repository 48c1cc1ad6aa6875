"""The audience fields with the values present in the data, as `list_fields` and `field_values`
show them, cached per database and data version.

Building the values scans all order items (categories, product names), which grew to most of a
copilot turn's time; yet they change only when customers or orders do. The data version is a
cheap look at both tables — row counts and the latest `updated_at` (every ingest upsert sets it)
— so a new customer, an edited order or a rolled-back test transaction is seen at once, and the
values are rebuilt only then. One entry per database is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, Order
from crm.segments.schemas import FieldsRead
from crm.segments.service import SegmentService

DataVersion = tuple[Any, ...]


@dataclass(frozen=True)
class CachedFields:
    version: DataVersion
    fields: FieldsRead


_cache: dict[str, CachedFields] = {}


async def data_version(session: AsyncSession) -> DataVersion:
    customers = (await session.execute(select(func.count(Customer.id), func.max(Customer.updated_at)))).one()
    orders = (await session.execute(select(func.count(Order.id), func.max(Order.updated_at)))).one()
    return (*customers, *orders)


def database_of(session: AsyncSession) -> str:
    return session.sync_session.get_bind().engine.url.render_as_string(hide_password=True)


async def fields_with_values(session: AsyncSession) -> FieldsRead:
    database, version = database_of(session), await data_version(session)
    cached = _cache.get(database)
    if cached is not None and cached.version == version:
        return cached.fields
    fields = await SegmentService(session).fields(with_values=True)
    _cache[database] = CachedFields(version, fields)
    return fields


def forget() -> None:
    """Drops every cached entry (tests and benchmarks measuring a cold start)."""
    _cache.clear()

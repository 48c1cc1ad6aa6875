"""SQL for segments: counting and sampling an audience, listing field values, saved segments."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.models import Campaign, Customer, CustomerStats, OrderItem, Product, Segment, Sequence
from crm.models.customer import decode_tags
from crm.models.product import PRODUCT_BITS
from crm.segments.compiler import (
    Clock,
    ProductLookup,
    ProductMatch,
    ProductMatches,
    SpendRanks,
    compile_filter,
    has_percentile,
    like_pattern,
    spend_rank_positions,
)
from crm.segments.dsl import FilterGroup


def count_statement(
    audience: FilterGroup, clock: Clock, products: ProductMatches | None = None, spend: SpendRanks | None = None
) -> Any:
    """SELECT count(*) of the customers the filter matches: customer_stats holds every column a
    filter reads, so the count reads that one table (often one of its covering indexes alone)."""
    where = compile_filter(audience, clock, products=products, spend=spend)
    return select(func.count()).select_from(CustomerStats).where(where)


async def count_audience(
    session: AsyncSession,
    audience: FilterGroup,
    clock: Clock,
    products: ProductMatches | None = None,
    spend: SpendRanks | None = None,
) -> int:
    return int(await session.scalar(count_statement(audience, clock, products, spend)) or 0)


async def rank_spends(session: AsyncSession, audience: FilterGroup) -> SpendRanks | None:
    """What the filter's spend_percentile conditions compare with: the number of customers and
    the spends at the positions they need, each one read from the total_spent_minor index
    (ORDER BY … LIMIT 1 OFFSET position). None when the filter has no such condition."""
    if not has_percentile(audience):
        return None
    customers = int(await session.scalar(select(func.count()).select_from(CustomerStats)) or 0)
    at: dict[int, int] = {}
    for position in sorted(spend_rank_positions(audience, customers)):
        spent = CustomerStats.total_spent_minor
        at[position] = int(await session.scalar(select(spent).order_by(spent).limit(1).offset(position)) or 0)
    return SpendRanks(customers, at)


async def match_products(session: AsyncSession, lookups: Iterable[ProductLookup]) -> dict[ProductLookup, ProductMatch]:
    """Each product lookup → the products it matches in the products dimension (every distinct
    lower-cased item name): the same LIKE or equality the compiler would run over every item,
    run over a catalogue of names instead. One query per lookup; none when there are none."""
    matches: dict[ProductLookup, ProductMatch] = {}
    for how, text in sorted(set(lookups)):
        condition = (
            Product.name_key.like(like_pattern(text), escape="\\") if how == "contains" else Product.name_key == text
        )
        rows = (await session.execute(select(Product.id, Product.name_key).where(condition).order_by(Product.id))).all()
        keys = tuple(key for key, _ in rows)
        names = tuple(name for _, name in rows)
        matches[(how, text)] = ProductMatch(keys, names, await _bits_exact(session, keys))
    return matches


async def _bits_exact(session: AsyncSession, keys: tuple[int, ...]) -> bool:
    """Whether no other product shares a signature bit with these (then the bits alone decide)."""
    if not keys:
        return True
    buckets = sorted({key % PRODUCT_BITS for key in keys})
    sharing = select(func.count()).where((Product.id % PRODUCT_BITS).in_(buckets), Product.id.not_in(keys))
    return not await session.scalar(sharing)


FIRST_ID_WINDOW = 4096
ID_WINDOW_GROWTH = 8


async def sample_audience(
    session: AsyncSession,
    where: ColumnElement[bool],
    limit: int,
    after_id: int | None = None,
    first_window: int = FIRST_ID_WINDOW,
) -> list[tuple[Customer, CustomerStats]]:
    """The first `limit` members by id after `after_id`. Reads customers in id windows that grow
    8× each time (4k, 32k, 256k, …): a broad audience is sampled from its first few thousand
    ids, where a single ORDER BY id LIMIT lets a planner collect and sort every member first."""
    last_id = await session.scalar(select(func.max(Customer.id)))
    statement = (
        select(Customer, CustomerStats)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(where)
        .order_by(Customer.id)
    )
    found: list[tuple[Customer, CustomerStats]] = []
    start, window = (0 if after_id is None else after_id), first_window
    while last_id is not None and start < last_id and len(found) < limit:
        in_window = statement.where(Customer.id > start, Customer.id <= start + window)
        found += [(c, s) for c, s in await session.execute(in_window.limit(limit - len(found)))]
        start, window = start + window, window * ID_WINDOW_GROWTH
    return found


async def stream_audience(
    maker: async_sessionmaker[AsyncSession], where: ColumnElement[bool], page_size: int = 1000
) -> AsyncIterator[list[tuple[Customer, CustomerStats]]]:
    """Pages of members by keyset, each page in its own short session."""
    after: int | None = None
    while True:
        async with maker() as session:
            page = await sample_audience(session, where, page_size, after)
        if not page:
            return
        yield page
        after = page[-1][0].id


async def text_values(session: AsyncSession, column: Any, limit: int = 100) -> list[tuple[str, int]]:
    result = await session.execute(
        select(column, func.count())
        .where(column.is_not(None), column != "")
        .group_by(column)
        .order_by(func.count().desc(), column)
        .limit(limit)
    )
    return [(str(v), int(n)) for v, n in result]


async def category_values(session: AsyncSession, limit: int = 100) -> list[tuple[str, int]]:
    """Categories by how many items were bought in each (a plain count: cheap at any size)."""
    result = await session.execute(
        select(OrderItem.category, func.count())
        .where(OrderItem.category.is_not(None), OrderItem.counted.is_(True))
        .group_by(OrderItem.category)
        .order_by(func.count().desc(), OrderItem.category)
        .limit(limit)
    )
    return [(str(v), int(n)) for v, n in result]


async def product_values(session: AsyncSession, limit: int = 100) -> list[tuple[str, int]]:
    result = await session.execute(
        select(OrderItem.name, func.count())
        .where(OrderItem.counted.is_(True))
        .group_by(OrderItem.name)
        .order_by(func.count().desc(), OrderItem.name)
        .limit(limit)
    )
    return [(str(v), int(n)) for v, n in result]


async def tag_values(session: AsyncSession, limit: int = 100) -> list[tuple[str, int]]:
    result = await session.execute(
        select(Customer.tags, func.count()).where(Customer.tags != "").group_by(Customer.tags).limit(5000)
    )
    counts: Counter[str] = Counter()
    for stored, n in result:
        for tag in decode_tags(stored):
            counts[tag] += int(n)
    return counts.most_common(limit)


async def add_segment(session: AsyncSession, segment: Segment) -> Segment:
    session.add(segment)
    await session.flush()
    return segment


async def segment_by_name(session: AsyncSession, name: str) -> Segment | None:
    return await session.scalar(select(Segment).where(Segment.name == name))


async def list_segments(session: AsyncSession) -> list[Segment]:
    return list(await session.scalars(select(Segment).order_by(Segment.id.desc())))


async def get_segment(session: AsyncSession, segment_id: int) -> Segment | None:
    return await session.get(Segment, segment_id)


async def drafts_following(session: AsyncSession, segment_id: int) -> list[str]:
    """Draft campaigns and sequences whose audience is this segment (launched ones froze a copy)."""
    campaigns = await session.scalars(
        select(Campaign.name).where(Campaign.segment_id == segment_id, Campaign.status == "draft").order_by(Campaign.id)
    )
    sequences = await session.scalars(
        select(Sequence.name).where(Sequence.segment_id == segment_id, Sequence.status == "draft").order_by(Sequence.id)
    )
    return [f"campaign “{name}”" for name in campaigns] + [f"sequence “{name}”" for name in sequences]


async def delete_segment(session: AsyncSession, segment_id: int) -> None:
    await session.execute(delete(Segment).where(Segment.id == segment_id))

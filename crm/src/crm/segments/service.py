from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.csv_safety import safe_cell
from crm.customers.service import customer_read
from crm.errors import Conflict, NotFound
from crm.models import Customer, CustomerStats, Segment
from crm.segments import repository as repo
from crm.segments.compiler import Clock, ProductMatches, SpendRanks, compile_filter, product_lookups
from crm.segments.dsl import MAX_CONDITIONS, MAX_DEPTH, SegmentFilter
from crm.segments.explain import explain
from crm.segments.fields import FIELDS, FieldKind
from crm.segments.schemas import (
    AudiencePreview,
    FieldRead,
    FieldsRead,
    FieldValue,
    SegmentCreate,
    SegmentRead,
)

EXPORT_PAGE_SIZE = 1000  # members per keyset page (each page its own short session)
EXPORT_COLUMNS = (
    "id",
    "external_id",
    "name",
    "email",
    "phone",
    "city",
    "state",
    "gender",
    "age",
    "tags",
    "total_spent",
    "order_count",
    "last_order_at",
)


async def resolve(session: AsyncSession, audience: SegmentFilter) -> tuple[ProductMatches, SpendRanks | None]:
    """What a filter looks up before it is compiled: the products its product conditions match
    and the spend order statistics its spend_percentile conditions compare with."""
    return await repo.match_products(session, product_lookups(audience)), await repo.rank_spends(session, audience)


class SegmentService:
    def __init__(self, session: AsyncSession, clock: Clock | None = None) -> None:
        self.session = session
        self.clock = clock  # None: the time of each call

    async def preview(self, audience: SegmentFilter, sample_size: int = 10) -> AudiencePreview:
        clock = self.clock or Clock()
        products, spend = await resolve(self.session, audience)
        count = await repo.count_audience(self.session, audience, clock, products, spend)
        sample: list[tuple[Customer, CustomerStats]] = []
        if sample_size and count:  # an empty audience has nothing to sample: skip the walk
            where = compile_filter(audience, clock, products=products, spend=spend)
            sample = await repo.sample_audience(self.session, where, sample_size)
        return AudiencePreview(
            count=count,
            sample=[customer_read(c, s) for c, s in sample],
            explanation=explain(audience),
            filter=audience,
        )

    async def count(self, audience: SegmentFilter) -> int:
        products, spend = await resolve(self.session, audience)
        return await repo.count_audience(self.session, audience, self.clock or Clock(), products, spend)

    async def fields(self, with_values: bool = True) -> FieldsRead:
        values: dict[str, list[tuple[str, int]]] = {}
        if with_values:
            for spec in FIELDS.values():
                if not spec.lists_values:
                    continue
                if spec.kind is FieldKind.TEXT:
                    values[spec.name] = await repo.text_values(self.session, getattr(Customer, spec.column))
                elif spec.kind is FieldKind.CATEGORY:
                    values[spec.name] = await repo.category_values(self.session)
                elif spec.kind is FieldKind.PRODUCT:
                    values[spec.name] = await repo.product_values(self.session, limit=50)
                elif spec.kind is FieldKind.TAGS:
                    values[spec.name] = await repo.tag_values(self.session)
                elif spec.fixed_values:
                    values[spec.name] = [(v, 0) for v in spec.fixed_values]
        return FieldsRead(
            fields=[
                FieldRead(
                    name=spec.name,
                    label=spec.label,
                    description=spec.description,
                    kind=spec.kind.value,
                    type=spec.value_type,
                    operators=list(spec.operators),
                    unit=spec.unit,
                    within_days=spec.supports_within_days,
                    qualifiers=list(spec.qualifiers),
                    maximum=spec.maximum,
                    values=[FieldValue(value=v, count=n) for v, n in values[spec.name]]
                    if spec.name in values
                    else None,
                )
                for spec in FIELDS.values()
            ],
            max_depth=MAX_DEPTH,
            max_conditions=MAX_CONDITIONS,
        )

    async def create(self, payload: SegmentCreate, created_by: str = "user") -> SegmentRead:
        segment = Segment(name=payload.name, filter=payload.filter.model_dump(exclude_none=True), created_by=created_by)
        try:
            async with self.session.begin_nested():
                await repo.add_segment(self.session, segment)
        except IntegrityError:
            raise Conflict(f"a segment named {payload.name!r} already exists") from None
        return await self.read(segment, with_count=True)

    async def read(self, segment: Segment, with_count: bool = False) -> SegmentRead:
        audience = SegmentFilter.model_validate(segment.filter)
        return SegmentRead(
            id=segment.id,
            name=segment.name,
            filter=audience,
            explanation=explain(audience),
            created_by=segment.created_by,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            count=await self.count(audience) if with_count else None,
        )

    async def list(self) -> list[SegmentRead]:
        return [await self.read(s) for s in await repo.list_segments(self.session)]

    async def get(self, segment_id: int) -> Segment:
        segment = await repo.get_segment(self.session, segment_id)
        if segment is None:
            raise NotFound(f"segment {segment_id} not found")
        return segment

    async def delete(self, segment_id: int) -> None:
        """Refused while a draft follows the segment: its audience would otherwise be lost."""
        await self.get(segment_id)
        followers = await repo.drafts_following(self.session, segment_id)
        if followers:
            raise Conflict(
                f"segment {segment_id} is the audience of {', '.join(followers)}; change or delete those drafts first"
            )
        await repo.delete_segment(self.session, segment_id)


async def export_members(
    maker: async_sessionmaker[AsyncSession], audience: SegmentFilter, fmt: str
) -> AsyncIterator[str]:
    """CSV (spreadsheet-safe) or a JSON array, streamed page by page."""
    async with maker() as session:
        products, spend = await resolve(session, audience)
    where = compile_filter(audience, Clock(), products=products, spend=spend)
    if fmt == "csv":
        yield ",".join(EXPORT_COLUMNS) + "\r\n"
    else:
        yield "["
    first = True
    async for page in repo.stream_audience(maker, where, EXPORT_PAGE_SIZE):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        parts: list[str] = []
        for customer, stats in page:
            read = customer_read(customer, stats)
            if fmt == "csv":
                writer.writerow(
                    [
                        safe_cell(v)
                        for v in (
                            read.id,
                            read.external_id,
                            read.name,
                            read.email,
                            read.phone,
                            read.city,
                            read.state,
                            read.gender,
                            read.age,
                            ";".join(read.tags),
                            read.stats.total_spent,
                            read.stats.order_count,
                            read.stats.last_order_at.isoformat() if read.stats.last_order_at else None,
                        )
                    ]
                )
            else:
                parts.append(("" if first else ",") + json.dumps(read.model_dump(mode="json")))
                first = False
        yield buffer.getvalue() if fmt == "csv" else "".join(parts)
    if fmt != "csv":
        yield "]"

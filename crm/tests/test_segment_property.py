"""Random filters over random data: the compiled SQL selects exactly the customers that a
plain-Python reading of the same filter selects, on SQLite and on Postgres — through every way
the service runs a filter: the plain audience query (product names matched over every item), the
same with product conditions resolved through the products dimension first (the rollup's product
keys, and item names for windows), the count (customer_stats alone), and the preview's sample."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reach_filter_oracle import matches, with_spend_ranks
from reach_segment_data import CLOCK, NOW, as_person, as_records, generated_ids, insert_messages
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest.service import IngestService
from crm.models import Customer
from crm.segments.compiler import audience_query, compile_filter, product_lookups
from crm.segments.dsl import SegmentFilter
from crm.segments.fields import FIELDS, FieldKind
from crm.segments.repository import match_products, rank_spends, sample_audience
from crm.segments.service import SegmentService

CITIES = ["Pune", "pune", "Mumbai", "Navi Mumbai", None]
CATEGORIES = ["Lipstick", "Kajal", "Skincare", None]
NAMES = ["Matte Lipstick Rose", "Kohl Kajal", "Sun Serum", "Lip_Balm 100%"]
TAGS = ["vip", "new", "app"]
STATUSES = ["paid", "cancelled", "refunded", "fulfilled"]

# Times land on and near whole-day boundaries, where off-by-one mistakes live.
offsets = st.builds(
    lambda d, s: NOW - timedelta(days=d, seconds=s),
    st.integers(0, 70),
    st.sampled_from([0, 1, 60, 43_199, 86_399]),
)
birthdays = st.builds(
    lambda years, delta: date(NOW.year - years, NOW.month, NOW.day) + timedelta(days=delta),
    st.integers(17, 40),
    st.sampled_from([-1, 0, 1, 100]),
) | st.sampled_from([date(1996, 2, 29), date(1990, 12, 31), date(1991, 1, 1), date(1992, 2, 28), date(1993, 3, 1)])
RECEIPTS = ["sent", "delivered", "opened", "read", "clicked", "converted", "failed"]
message_st = st.tuples(
    st.none() | offsets,
    st.sampled_from(["email", "sms", "whatsapp", "rcs"]),
    st.sampled_from([1, 2, None]),
    st.frozensets(st.sampled_from(RECEIPTS), max_size=3),
)
item_st = st.tuples(st.sampled_from(NAMES), st.sampled_from(CATEGORIES))
order_st = st.tuples(offsets, st.integers(0, 500_000), st.sampled_from(STATUSES), st.lists(item_st, max_size=2))
customer_st = st.fixed_dictionaries(
    {
        "city": st.sampled_from(CITIES),
        "gender": st.sampled_from(["female", "male", None]),
        "birthday": st.none() | birthdays,
        "tags": st.lists(st.sampled_from(TAGS), unique=True, max_size=2),
        "signed_up_at": st.none() | offsets,
        "email": st.booleans(),
        "phone": st.booleans(),
        "consent": st.fixed_dictionaries({c: st.booleans() for c in ("email", "sms", "whatsapp", "rcs")}),
        "orders": st.lists(order_st, max_size=3),
        "messages": st.lists(message_st, max_size=3),
    }
)

VALUES: dict[FieldKind, Any] = {
    FieldKind.TEXT: st.sampled_from(["Pune", "pUNE", "mumbai", "Female", "male", "umb"]),
    FieldKind.NUMBER: st.integers(0, 4),
    FieldKind.MONEY: st.sampled_from([0, 0.01, 1000, 2500.5, 5000]),
    FieldKind.DAYS_AGO: st.integers(0, 72),
    FieldKind.AGE: st.integers(16, 41),
    FieldKind.TAGS: st.sampled_from([*TAGS, "absent"]),
    FieldKind.CATEGORY: st.sampled_from(["lipstick", "Kajal", "SKINCARE", "Foundation"]),
    FieldKind.PRODUCT: st.sampled_from(["lip", "KAJAL", "Sun Serum", "_", "100%", "Matte Lipstick Rose"]),
    FieldKind.CHANNEL: st.sampled_from(["email", "sms", "whatsapp", "rcs"]),
    FieldKind.BIRTHDAY: st.sampled_from([0, 1, 2, 7, 30, 40, 100, 101, 300, 364, 365]),
    FieldKind.PERCENTILE: st.sampled_from([0, 10, 25, 33.3, 50, 90, 99.5, 100]),
    FieldKind.ENGAGEMENT: st.sampled_from(["received", "delivered", "engaged", "clicked", "converted"]),
}
ANY_WINDOW = st.integers(0, 70)
QUALIFIERS: dict[str, Any] = {
    "campaign_id": st.sampled_from([1, 2, 3]),
    "channel": st.sampled_from(["email", "sms", "whatsapp", "rcs"]),
}


PURCHASE_FIELDS = sorted(name for name, spec in FIELDS.items() if spec.supports_within_days)


@st.composite
def conditions(
    draw: st.DrawFn, names: list[str] | None = None, windows: st.SearchStrategy[int] = ANY_WINDOW
) -> dict[str, Any]:
    spec = FIELDS[draw(st.sampled_from(names or sorted(FIELDS)))]
    op = draw(st.sampled_from(spec.operators))
    values = VALUES[spec.kind]
    if op == "exists":
        value: Any = draw(st.booleans())
    elif op == "between":
        low, high = sorted(draw(st.lists(values, min_size=2, max_size=2)))
        value = [low, high]
    elif op in ("in", "not_in"):
        value = draw(st.lists(values, min_size=1, max_size=3))
    else:
        value = draw(values)
    node: dict[str, Any] = {"field": spec.name, "op": op, "value": value}
    for qualifier in spec.qualifiers:
        if draw(st.booleans()):
            node[qualifier] = draw(windows if qualifier == "within_days" else QUALIFIERS[qualifier])
    return node


def filter_trees(leaves: st.SearchStrategy[dict[str, Any]], min_size: int = 0) -> st.SearchStrategy[dict[str, Any]]:
    return st.recursive(
        leaves,
        lambda children: st.fixed_dictionaries(
            {
                "match": st.sampled_from(["all", "any", "none"]),
                "conditions": st.lists(children, min_size=min_size, max_size=3),
            }
        ),
        max_leaves=6,
    ).map(lambda node: node if "conditions" in node else {"match": "all", "conditions": [node]})


filters = filter_trees(conditions())
# Only purchases (category, product), in groups of two or more, with windows that repeat: sibling
# purchase conditions with one window are what any/none groups merge into one EXISTS.
purchase_filters = filter_trees(conditions(PURCHASE_FIELDS, st.sampled_from([7, 30])), min_size=2)


def _bought_one(name: str, days_ago: int, city: str | None = None) -> dict[str, Any]:
    return {
        "city": city,
        "gender": None,
        "birthday": None,
        "tags": [],
        "signed_up_at": None,
        "email": False,
        "phone": False,
        "consent": dict.fromkeys(("email", "sms", "whatsapp", "rcs"), False),
        "orders": [(NOW - timedelta(days=days_ago), 100, "paid", [(name, None)])],
        "messages": [],
    }


def _both(match: str, window: int | None = None) -> dict[str, Any]:
    nodes = [{"field": "product", "op": "contains", "value": v} for v in ("sun", "lip")]
    return {"match": match, "conditions": [{**n, "within_days": window} if window else n for n in nodes]}


# Customers columns with a purchase: the count reads customers alone, purchases keyed on its id.
@example(
    people=[_bought_one("Sun Serum", 3, "Pune"), _bought_one("Kohl Kajal", 3, "Pune"), _bought_one("Sun Serum", 3)],
    raw_filters=[
        {"conditions": [{"field": "city", "op": "eq", "value": "pune"}, *_both("any")["conditions"][:1]]},
        {"match": "none", "conditions": [{"field": "city", "op": "eq", "value": "pune"}, _both("any")]},
    ],
)
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    people=st.lists(customer_st, min_size=1, max_size=12),
    raw_filters=st.lists(filters, min_size=1, max_size=4),
)
async def test_compiled_sql_agrees_with_the_python_reading(
    session: AsyncSession, people: list[dict[str, Any]], raw_filters: list[dict[str, Any]]
) -> None:
    await check_filters(session, people, raw_filters)


# Someone who bought one of two products: all(…) must not read as any(…).
@example(
    people=[_bought_one("Sun Serum", 3), _bought_one("Kohl Kajal", 3)],
    raw_filters=[_both("all"), _both("any"), _both("none"), _both("all", 7), _both("any", 2)],
)
@settings(max_examples=75, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    people=st.lists(customer_st, min_size=1, max_size=12),
    raw_filters=st.lists(purchase_filters, min_size=1, max_size=4),
)
async def test_grouped_purchase_conditions_agree_with_the_python_reading(
    session: AsyncSession, people: list[dict[str, Any]], raw_filters: list[dict[str, Any]]
) -> None:
    await check_filters(session, people, raw_filters)


async def check_filters(session: AsyncSession, people: list[dict[str, Any]], raw_filters: list[dict[str, Any]]) -> None:
    """Ingest the people, then compare every way of running each filter with the oracle."""
    savepoint = await session.begin_nested()
    try:
        customers, orders = [], []
        for index, spec in enumerate(people):
            customer, customer_orders = as_records(index, spec)
            customers.append(customer)
            orders += customer_orders
        report = await IngestService(session).ingest(customers, orders)
        assert report.rejected == []
        ids = await generated_ids(session)
        await insert_messages(session, ids, people)
        # Counts are of every customer in the database: these people must be all of them.
        assert await session.scalar(select(func.count()).select_from(Customer)) == len(people)
        persons = with_spend_ranks([as_person(i, spec) for i, spec in enumerate(people)])
        service = SegmentService(session, CLOCK)
        for raw in raw_filters:
            audience = SegmentFilter.model_validate(raw)
            expected = {p.id for p in persons if matches(p, audience, NOW)}
            got = {ids[row] for row in (await session.scalars(audience_query(audience, CLOCK))).all()}
            assert got == expected, raw
            products = await match_products(session, product_lookups(audience))
            spend = await rank_spends(session, audience)
            resolved = await session.scalars(audience_query(audience, CLOCK, products=products, spend=spend))
            assert {ids[row] for row in resolved.all()} == expected, (raw, products, spend)
            assert await service.count(audience) == len(expected), raw
            preview = await service.preview(audience, sample_size=3)
            in_id_order = sorted(db_id for db_id, index in ids.items() if index in expected)
            assert preview.count == len(expected), raw
            assert [c.id for c in preview.sample] == in_id_order[:3], raw
            # Id windows from 1 up (1, 8, 64, …): the sample is the same however the ids fall.
            where = compile_filter(audience, CLOCK, products=products, spend=spend)
            windowed = await sample_audience(session, where, 3, first_window=1)
            assert [c.id for c, _ in windowed] == in_id_order[:3], raw
    finally:
        await savepoint.rollback()

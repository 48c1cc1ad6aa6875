"""Random filters over random data: the compiled SQL selects exactly the customers that a
plain-Python reading of the same filter selects, on SQLite and on Postgres."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reach_filter_oracle import matches
from reach_segment_data import CLOCK, NOW, as_person, as_records, generated_ids
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest.service import IngestService
from crm.segments.compiler import audience_query
from crm.segments.dsl import SegmentFilter
from crm.segments.fields import FIELDS, FieldKind

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
}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    spec = FIELDS[draw(st.sampled_from(sorted(FIELDS)))]
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
    if spec.supports_within_days and draw(st.booleans()):
        node["within_days"] = draw(st.integers(0, 70))
    return node


filters = st.recursive(
    conditions(),
    lambda children: st.fixed_dictionaries(
        {"match": st.sampled_from(["all", "any", "none"]), "conditions": st.lists(children, max_size=3)}
    ),
    max_leaves=6,
).map(lambda node: node if "conditions" in node else {"match": "all", "conditions": [node]})


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    people=st.lists(customer_st, min_size=1, max_size=12),
    raw_filters=st.lists(filters, min_size=1, max_size=4),
)
async def test_compiled_sql_agrees_with_the_python_reading(
    session: AsyncSession, people: list[dict[str, Any]], raw_filters: list[dict[str, Any]]
) -> None:
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
        persons = [as_person(i, spec) for i, spec in enumerate(people)]
        for raw in raw_filters:
            audience = SegmentFilter.model_validate(raw)
            got = {ids[row] for row in (await session.scalars(audience_query(audience, CLOCK))).all()}
            expected = {p.id for p in persons if matches(p, audience, NOW)}
            assert got == expected, raw
    finally:
        await savepoint.rollback()

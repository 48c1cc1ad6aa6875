"""Every field × operator on a small hand-made dataset with boundary cases, on both backends:
the compiled SQL against the plain-Python reading, plus hand-checked expectations."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from reach_filter_oracle import matches, with_spend_ranks
from reach_segment_data import CLOCK, NOW, as_person, as_records, generated_ids, insert_messages
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest.service import IngestService
from crm.segments.compiler import audience_query
from crm.segments.dsl import SegmentFilter
from crm.segments.fields import FIELDS, FieldKind

ALL_CONSENT = {"email": True, "sms": True, "whatsapp": True, "rcs": True}
NO_CONSENT = {"email": False, "sms": False, "whatsapp": False, "rcs": False}


def ago(days: int, seconds: int = 0) -> Any:
    return NOW - timedelta(days=days, seconds=seconds)


def years_ago(years: int, plus_days: int = 0) -> date:
    return date(NOW.year - years, NOW.month, NOW.day) + timedelta(days=plus_days)


PEOPLE: list[dict[str, Any]] = [
    {  # 0
        "city": "Pune",
        "gender": "female",
        "birthday": years_ago(30),
        "tags": ["vip"],
        "signed_up_at": ago(10),
        "email": True,
        "phone": True,
        "consent": ALL_CONSENT,
        "orders": [
            (ago(61), 100_000, "paid", [("Matte Lipstick Rose", "Lipstick")]),
            (ago(5), 50_000, "paid", [("Kohl Kajal", "Kajal")]),
        ],
        "messages": [
            (ago(3), "whatsapp", 1, frozenset({"sent", "delivered", "read", "clicked"})),
            (ago(40), "email", 2, frozenset({"sent", "delivered", "opened"})),
        ],
    },
    {  # 1
        "city": "pune",
        "gender": "male",
        "birthday": years_ago(30, plus_days=1),
        "tags": [],
        "signed_up_at": None,
        "email": True,
        "phone": False,
        "consent": {**NO_CONSENT, "email": True},
        "orders": [(ago(3), 90_000, "cancelled", [("Matte Lipstick Rose", "Lipstick")])],
        "messages": [
            (ago(3), "email", 1, frozenset({"sent", "failed"})),
            (ago(8), "sms", 2, frozenset({"converted"})),
        ],
    },
    {  # 2
        "city": "Mumbai",
        "gender": None,
        "birthday": None,
        "tags": ["new", "app"],
        "signed_up_at": ago(10, seconds=1),
        "email": False,
        "phone": True,
        "consent": {**NO_CONSENT, "whatsapp": True},
        "orders": [],
    },
    {  # 3
        "city": None,
        "gender": "female",
        "birthday": years_ago(45),
        "tags": ["vip", "app"],
        "signed_up_at": ago(400),
        "email": True,
        "phone": True,
        "consent": NO_CONSENT,
        "orders": [
            (ago(200), 600_000, "paid", [("Sun Serum", "Skincare")]),
            (ago(100), 250_050, "fulfilled", [("Sun Serum", "Skincare")]),
            (ago(10), 0, "paid", [("Lip_Balm 100%", None)]),
        ],
    },
    {  # 4
        "city": "Navi Mumbai",
        "gender": "female",
        "birthday": years_ago(18),
        "tags": [],
        "signed_up_at": ago(60),
        "email": True,
        "phone": True,
        "consent": {**NO_CONSENT, "rcs": True},
        "orders": [(ago(60), 29_999, "paid", [("Kohl Kajal", "Kajal")])],
        "messages": [(ago(7, seconds=-1), "rcs", 1, frozenset()), (None, "rcs", 2, frozenset({"delivered"}))],
    },
]

SAMPLE_VALUES: dict[FieldKind, list[Any]] = {
    FieldKind.TEXT: ["PUNE", "mumbai", "female"],
    FieldKind.NUMBER: [0, 1, 3],
    FieldKind.MONEY: [0, 299.99, 1500, 8500.5],
    FieldKind.DAYS_AGO: [0, 10, 60, 61],
    FieldKind.AGE: [18, 29, 30, 45],
    FieldKind.TAGS: ["VIP", "app", "none-such"],
    FieldKind.CATEGORY: ["lipstick", "KAJAL", "Skincare"],
    FieldKind.PRODUCT: ["lip", "_", "%", "Kohl Kajal"],
    FieldKind.CHANNEL: ["whatsapp", "email", "rcs", "sms"],
    FieldKind.BIRTHDAY: [0, 1, 364, 365],
    FieldKind.PERCENTILE: [0, 20, 50, 60, 80, 99.9],
    FieldKind.ENGAGEMENT: ["received", "delivered", "engaged", "clicked", "converted"],
}
QUALIFIED: dict[str, Any] = {"within_days": 7, "campaign_id": 1, "channel": "sms"}


def condition_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for spec in FIELDS.values():
        values = SAMPLE_VALUES[spec.kind]
        for op in spec.operators:
            if op == "exists":
                candidates: list[Any] = [True, False]
            elif op == "between":
                candidates = [[values[0], values[-1]], [values[1], values[1]]]
            elif op in ("in", "not_in"):
                candidates = [values[:2], values[-1:]]
            else:
                candidates = values
            for value in candidates:
                node: dict[str, Any] = {"field": spec.name, "op": op, "value": value}
                cases.append((f"{spec.name}-{op}-{value}", node))
                if spec.supports_within_days:
                    cases.append((f"{spec.name}-{op}-{value}-within", {**node, "within_days": 60}))
                for qualifier in spec.qualifiers:
                    qualified = {**node, qualifier: QUALIFIED[qualifier]}
                    cases.append((f"{spec.name}-{op}-{value}-{qualifier}", qualified))
    return cases


@pytest.fixture
async def people(session: AsyncSession) -> dict[int, int]:
    customers, orders = [], []
    for index, spec in enumerate(PEOPLE):
        customer, customer_orders = as_records(index, spec)
        customers.append(customer)
        orders += customer_orders
    report = await IngestService(session).ingest(customers, orders)
    assert report.rejected == []
    ids = await generated_ids(session)
    await insert_messages(session, ids, PEOPLE)
    return ids


async def select_people(session: AsyncSession, ids: dict[int, int], raw: dict[str, Any]) -> set[int]:
    audience = SegmentFilter.model_validate(raw)
    return {ids[row] for row in (await session.scalars(audience_query(audience, CLOCK))).all()}


async def test_every_field_and_operator_agrees_with_the_python_reading(
    session: AsyncSession, people: dict[int, int]
) -> None:
    persons = with_spend_ranks([as_person(i, spec) for i, spec in enumerate(PEOPLE)])
    outcomes: dict[str, set[frozenset[int]]] = {}
    for name, node in condition_cases():
        raw = {"match": "all", "conditions": [node]}
        got = await select_people(session, people, raw)
        expected = {p.id for p in persons if matches(p, SegmentFilter.model_validate(raw), NOW)}
        assert got == expected, name
        outcomes.setdefault(node["field"], set()).add(frozenset(got))
    # The dataset tells the operators apart: no field gives the same audience for every case.
    assert all(len(results) > 1 for results in outcomes.values()), outcomes


CHECKED: list[tuple[dict[str, Any], set[int]]] = [
    ({"field": "city", "op": "eq", "value": "PUNE"}, {0, 1}),
    ({"field": "city", "op": "neq", "value": "PUNE"}, {2, 4}),
    ({"field": "city", "op": "contains", "value": "mumbai"}, {2, 4}),
    ({"field": "city", "op": "exists", "value": False}, {3}),
    ({"field": "last_order_days_ago", "op": "gte", "value": 60}, {4}),
    ({"field": "last_order_days_ago", "op": "gt", "value": 60}, set()),
    ({"field": "last_order_days_ago", "op": "exists", "value": False}, {1, 2}),
    ({"field": "first_order_days_ago", "op": "gt", "value": 60}, {0, 3}),
    ({"field": "signed_up_days_ago", "op": "eq", "value": 10}, {0, 2}),
    ({"field": "category", "op": "eq", "value": "lipstick"}, {0}),
    ({"field": "category", "op": "eq", "value": "lipstick", "within_days": 60}, set()),
    ({"field": "category", "op": "eq", "value": "lipstick", "within_days": 61}, {0}),
    ({"field": "category", "op": "neq", "value": "lipstick"}, {1, 2, 3, 4}),
    ({"field": "product", "op": "contains", "value": "_"}, {3}),
    ({"field": "product", "op": "contains", "value": "100%"}, {3}),
    ({"field": "product", "op": "contains", "value": "kajal"}, {0, 4}),
    ({"field": "age", "op": "eq", "value": 30}, {0}),
    ({"field": "age", "op": "eq", "value": 29}, {1}),
    ({"field": "age", "op": "between", "value": [18, 18]}, {4}),
    ({"field": "reachable_on", "op": "eq", "value": "whatsapp"}, {0, 2}),
    ({"field": "reachable_on", "op": "eq", "value": "email"}, {0, 1}),
    ({"field": "reachable_on", "op": "in", "value": ["rcs", "sms"]}, {0, 4}),
    ({"field": "total_spent", "op": "gte", "value": 5000}, {3}),
    ({"field": "total_spent", "op": "eq", "value": 8500.5}, {3}),
    ({"field": "avg_order_value", "op": "eq", "value": 750}, {0}),
    ({"field": "order_count", "op": "eq", "value": 0}, {1, 2}),
    ({"field": "tags", "op": "contains", "value": "VIP"}, {0, 3}),
    ({"field": "tags", "op": "exists", "value": False}, {1, 4}),
    ({"match": "none", "conditions": [{"field": "city", "op": "eq", "value": "pune"}]}, {2, 3, 4}),
    (
        {
            "match": "any",
            "conditions": [
                {"field": "gender", "op": "eq", "value": "male"},
                {"field": "age", "op": "gte", "value": 45},
            ],
        },
        {1, 3},
    ),
]


@pytest.mark.parametrize(("node", "expected"), CHECKED, ids=[str(n) for n, _ in CHECKED])
async def test_hand_checked_audiences(
    session: AsyncSession, people: dict[int, int], node: dict[str, Any], expected: set[int]
) -> None:
    raw = node if "conditions" in node else {"match": "all", "conditions": [node]}
    assert await select_people(session, people, raw) == expected

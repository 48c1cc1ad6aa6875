"""The three audience fields from the CRM's own message history and the calendar —
`birthday_in_days`, `spend_percentile`, `engagement` — on both backends: edge cases with hand-
checked members, through the service (resolved) and the plain compiled query (unresolved), the
validator's 4xx naming the field and the reason, the explanation, and GET /api/segments/fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from reach_segment_data import as_records, generated_ids, insert_messages
from sqlalchemy.ext.asyncio import AsyncSession

from crm.ingest.service import IngestService
from crm.segments.compiler import Clock, audience_query, days_to_birthdays, month_day_ranges
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain
from crm.segments.service import SegmentService

NO_CONSENT = dict.fromkeys(("email", "sms", "whatsapp", "rcs"), False)


def person(
    birthday: date | None = None,
    spend_minor: int | None = None,
    messages: list[tuple[Any, ...]] | None = None,
) -> dict[str, Any]:
    orders = [] if spend_minor is None else [(datetime(2026, 1, 1, tzinfo=UTC), spend_minor, "paid", [])]
    return {
        "city": None,
        "gender": None,
        "birthday": birthday,
        "tags": [],
        "signed_up_at": None,
        "email": False,
        "phone": False,
        "consent": NO_CONSENT,
        "orders": orders,
        "messages": messages or [],
    }


async def load(session: AsyncSession, people: list[dict[str, Any]]) -> dict[int, int]:
    customers, orders = [], []
    for index, spec in enumerate(people):
        customer, customer_orders = as_records(index, spec)
        customers.append(customer)
        orders += customer_orders
    report = await IngestService(session).ingest(customers, orders)
    assert report.rejected == []
    ids = await generated_ids(session)
    await insert_messages(session, ids, people)
    return ids


async def members(session: AsyncSession, ids: dict[int, int], clock: Clock, *conditions: dict[str, Any]) -> set[int]:
    """The audience by the plain compiled query and by the service (count and sample), which must agree."""
    audience = SegmentFilter.model_validate({"match": "all", "conditions": list(conditions)})
    plain = {ids[row] for row in (await session.scalars(audience_query(audience, clock))).all()}
    preview = await SegmentService(session, clock).preview(audience, sample_size=50)
    assert preview.count == len(plain)
    assert {ids[c.id] for c in preview.sample} == plain
    return plain


# ------------------------------------------------------------------ birthday_in_days


def test_days_to_birthdays_wraps_the_year_and_keeps_29_february() -> None:
    days = days_to_birthdays(date(2026, 12, 28))
    assert days[1228] == 0 and days[1231] == 3 and days[101] == 4 and days[1227] == 364
    # 2027 has no 29 February: it is celebrated on the 28th.
    assert days[228] == days[229] == (date(2027, 2, 28) - date(2026, 12, 28)).days
    # 2028 has one.
    leap = days_to_birthdays(date(2028, 2, 28))
    assert leap[228] == 0 and leap[229] == 1 and leap[301] == 2
    assert days_to_birthdays(date(2027, 2, 28))[229] == 0
    # From 1 March 2027 the next 29 February is 2028's: 365 days, the largest value there is.
    after = days_to_birthdays(date(2027, 3, 1))
    assert after[229] == 365 and after[228] == 364 and max(after.values()) == 365
    assert month_day_ranges({1230, 1231, 101, 102}) == [(101, 102), (1230, 1231)]
    assert month_day_ranges({131, 201}) == [(131, 201)]


BIRTHDAYS = [
    date(1990, 12, 28),  # 0: today
    date(1985, 12, 31),  # 1: in 3 days
    date(2001, 1, 1),  # 2: in 4 days (next year)
    date(1996, 2, 29),  # 3: 28 Feb 2027 = in 62 days
    date(1999, 12, 27),  # 4: yesterday = in 364 days
    None,  # 5: unknown
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "eq", "value": 0}, {0}),
        ({"op": "lte", "value": 3}, {0, 1}),
        ({"op": "lte", "value": 7}, {0, 1, 2}),
        ({"op": "between", "value": [1, 4]}, {1, 2}),
        ({"op": "eq", "value": 62}, {3}),
        ({"op": "gt", "value": 62}, {4}),
        ({"op": "neq", "value": 0}, {1, 2, 3, 4}),
        ({"op": "exists", "value": False}, {5}),
        ({"op": "gte", "value": 365}, set()),
    ],
)
async def test_birthday_in_days_across_the_new_year(
    session: AsyncSession, condition: dict[str, Any], expected: set[int]
) -> None:
    ids = await load(session, [person(birthday=b) for b in BIRTHDAYS])
    clock = Clock(datetime(2026, 12, 28, 18, 0, tzinfo=UTC))
    assert await members(session, ids, clock, {"field": "birthday_in_days", **condition}) == expected


async def test_a_29_february_birthday_in_leap_and_other_years(session: AsyncSession) -> None:
    ids = await load(session, [person(birthday=date(1996, 2, 29)), person(birthday=date(1996, 2, 28))])
    today = {"field": "birthday_in_days", "op": "eq", "value": 0}
    assert await members(session, ids, Clock(datetime(2027, 2, 28, 9, tzinfo=UTC)), today) == {0, 1}
    assert await members(session, ids, Clock(datetime(2028, 2, 28, 9, tzinfo=UTC)), today) == {1}
    assert await members(session, ids, Clock(datetime(2028, 2, 29, 9, tzinfo=UTC)), today) == {0}


async def test_a_changed_birthday_moves_the_customer(session: AsyncSession) -> None:
    """birthday_month_day is generated from the trigger-kept copy: an ingest that changes the
    birthday (or clears it) changes who has a birthday today."""
    ids = await load(session, [person(birthday=date(1990, 6, 1))])
    clock = Clock(datetime(2026, 12, 28, 9, tzinfo=UTC))
    today = {"field": "birthday_in_days", "op": "eq", "value": 0}
    assert await members(session, ids, clock, today) == set()
    for birthday, expected in ((date(1990, 12, 28), {0}), (None, set())):
        customer, _ = as_records(0, person(birthday=birthday))
        await IngestService(session).ingest([customer], [])
        assert await members(session, ids, clock, today) == expected


# ------------------------------------------------------------------ spend_percentile

# Ten customers; L = how many spent less: 0,0,0 (₹0 — one of them never ordered) · 3,3 · 5 · 6,6,6 · 9.
SPENDS = [0, 0, None, 100, 100, 200, 300, 300, 300, 1000]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"op": "gte", "value": 90}, {9}),  # top 10%
        ({"op": "gte", "value": 60}, {6, 7, 8, 9}),  # the tie at the boundary is in
        ({"op": "gt", "value": 60}, {9}),
        ({"op": "gte", "value": 50.1}, {6, 7, 8, 9}),
        ({"op": "eq", "value": 30}, {3, 4}),
        ({"op": "eq", "value": 33.3}, set()),
        ({"op": "neq", "value": 0}, {3, 4, 5, 6, 7, 8, 9}),
        ({"op": "lte", "value": 30}, {0, 1, 2, 3, 4}),
        ({"op": "lt", "value": 30}, {0, 1, 2}),
        ({"op": "between", "value": [30, 50]}, {3, 4, 5}),
        ({"op": "gte", "value": 100}, set()),
        ({"op": "gte", "value": 0}, set(range(10))),
    ],
)
async def test_spend_percentile_with_ties_and_customers_without_orders(
    session: AsyncSession, condition: dict[str, Any], expected: set[int]
) -> None:
    ids = await load(session, [person(spend_minor=s * 100 if s is not None else None) for s in SPENDS])
    clock = Clock(datetime(2026, 12, 1, tzinfo=UTC))
    assert await members(session, ids, clock, {"field": "spend_percentile", **condition}) == expected


# ------------------------------------------------------------------ engagement

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def sent(days: float, channel: str, campaign: int | None, *receipts: str) -> tuple[Any, ...]:
    return (NOW - timedelta(days=days), channel, campaign, frozenset(receipts))


ENGAGED = [
    person(messages=[sent(2, "whatsapp", 4, "sent", "delivered", "read", "clicked")]),  # 0 clicked 4, no buy
    person(messages=[sent(2, "whatsapp", 4, "clicked", "converted")]),  # 1 bought (lost receipts)
    person(messages=[sent(10, "email", 5, "sent", "delivered", "opened")]),  # 2 opened, 10 days ago
    person(messages=[sent(1, "sms", 4, "sent", "failed")]),  # 3 failed: not received
    person(),  # 4 never messaged
    person(messages=[(None, "sms", 4, frozenset())]),  # 5 queued, never sent
    person(messages=[sent(7.5, "sms", 5, "sent")]),  # 6 sent 7 whole days ago
]


@pytest.mark.parametrize(
    ("conditions", "expected"),
    [
        ([{"op": "eq", "value": "received"}], {0, 1, 2, 6}),
        ([{"op": "eq", "value": "received", "within_days": 7}], {0, 1, 6}),
        ([{"op": "eq", "value": "received", "within_days": 6}], {0, 1}),
        ([{"op": "neq", "value": "received", "within_days": 7}], {2, 3, 4, 5}),
        ([{"op": "eq", "value": "delivered"}], {0, 1, 2}),
        ([{"op": "eq", "value": "engaged"}], {0, 1, 2}),
        ([{"op": "eq", "value": "engaged", "channel": "email"}], {2}),
        ([{"op": "eq", "value": "clicked", "campaign_id": 4}], {0, 1}),
        ([{"op": "eq", "value": "converted"}], {1}),
        ([{"op": "in", "value": ["converted", "engaged"], "campaign_id": 5}], {2}),
        ([{"op": "not_in", "value": ["clicked", "received"]}], {3, 4, 5}),
        ([{"op": "eq", "value": "clicked", "campaign_id": 99}], set()),
    ],
)
async def test_engagement_stages_windows_campaigns_and_channels(
    session: AsyncSession, conditions: list[dict[str, Any]], expected: set[int]
) -> None:
    ids = await load(session, ENGAGED)
    nodes = [{"field": "engagement", **c} for c in conditions]
    assert await members(session, ids, Clock(NOW), *nodes) == expected


async def test_clicked_a_campaign_but_did_not_buy(session: AsyncSession) -> None:
    """The contract's example: all of (clicked campaign 4) and none of (converted on campaign 4)."""
    ids = await load(session, ENGAGED)
    audience = SegmentFilter.model_validate(
        {
            "match": "all",
            "conditions": [
                {"field": "engagement", "op": "eq", "value": "clicked", "campaign_id": 4},
                {
                    "match": "none",
                    "conditions": [{"field": "engagement", "op": "eq", "value": "converted", "campaign_id": 4}],
                },
            ],
        }
    )
    preview = await SegmentService(session, Clock(NOW)).preview(audience)
    assert {ids[c.id] for c in preview.sample} == {0} and preview.count == 1
    assert preview.explanation == (
        "customers who clicked a message of campaign 4 and (not who bought after a message of campaign 4)"
    )


# ------------------------------------------------------------------ explanation


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        ({"field": "birthday_in_days", "op": "eq", "value": 0}, "customers whose birthday is today"),
        (
            {"field": "birthday_in_days", "op": "lte", "value": 7},
            "customers whose birthday is today or within the next 7 days",
        ),
        (
            {"field": "birthday_in_days", "op": "between", "value": [3, 10]},
            "customers whose birthday is 3 to 10 days away",
        ),
        (
            {"field": "spend_percentile", "op": "gte", "value": 90},
            "customers in the top 10% of spenders (spend percentile at least 90)",
        ),
        ({"field": "spend_percentile", "op": "lt", "value": 25}, "customers whose spend percentile is less than 25"),
        (
            {"field": "engagement", "op": "eq", "value": "received", "within_days": 7},
            "customers who received a message sent in the last 7 days",
        ),
        (
            {"field": "engagement", "op": "neq", "value": "engaged", "channel": "whatsapp"},
            "customers who never opened or read a WhatsApp message",
        ),
        (
            {"field": "engagement", "op": "neq", "value": "clicked", "campaign_id": 3, "within_days": 1},
            "customers who did not click a message of campaign 3 sent in the last 1 day",
        ),
    ],
)
def test_explanations(condition: dict[str, Any], text: str) -> None:
    assert explain(SegmentFilter.model_validate({"match": "all", "conditions": [condition]})) == text


# ------------------------------------------------------------------ API: validation and the field list


@pytest.mark.parametrize(
    ("condition", "path", "reason"),
    [
        ({"field": "birthday_in_days", "op": "lte", "value": 366}, "conditions[0].value", "at most 365"),
        ({"field": "birthday_in_days", "op": "eq", "value": 1.5}, "conditions[0].value", "whole number"),
        (
            {"field": "birthday_in_days", "op": "eq", "value": 3, "within_days": 2},
            "within_days",
            "not birthday_in_days",
        ),
        ({"field": "spend_percentile", "op": "gte", "value": 101}, "conditions[0].value", "at most 100"),
        ({"field": "spend_percentile", "op": "gte", "value": -1}, "conditions[0].value", "cannot be negative"),
        ({"field": "spend_percentile", "op": "in", "value": [1]}, "conditions[0].op", "does not apply"),
        ({"field": "engagement", "op": "eq", "value": "opened"}, "conditions[0].value", "unknown engagement stage"),
        ({"field": "engagement", "op": "eq", "value": "clicked", "channel": "fax"}, "channel", "unknown channel"),
        ({"field": "engagement", "op": "eq", "value": "clicked", "campaign_id": 0}, "campaign_id", "campaign id"),
        ({"field": "engagement", "op": "eq", "value": "clicked", "within_days": -1}, "within_days", "whole number"),
        ({"field": "engagement", "op": "gt", "value": "clicked"}, "conditions[0].op", "does not apply to engagement"),
        ({"field": "category", "op": "eq", "value": "Kajal", "campaign_id": 4}, "campaign_id", "applies to engagement"),
    ],
)
async def test_bad_new_field_conditions_are_4xx_naming_the_field_and_reason(
    client: httpx.AsyncClient, condition: dict[str, Any], path: str, reason: str
) -> None:
    response = await client.post("/api/segments/preview", json={"filter": {"conditions": [condition]}})
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert path in message and reason in message, message


async def test_the_field_list_offers_the_new_fields_with_their_qualifiers(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/segments/fields")
    assert response.status_code == 200
    fields = {f["name"]: f for f in response.json()["fields"]}
    engagement = fields["engagement"]
    assert engagement["qualifiers"] == ["within_days", "campaign_id", "channel"] and engagement["within_days"]
    assert [v["value"] for v in engagement["values"]] == ["received", "delivered", "engaged", "clicked", "converted"]
    assert fields["birthday_in_days"]["type"] == "integer" and fields["birthday_in_days"]["maximum"] == 365
    assert fields["spend_percentile"]["type"] == "number" and fields["spend_percentile"]["maximum"] == 100
    assert fields["category"]["qualifiers"] == ["within_days"] and fields["city"]["qualifiers"] == []


async def test_a_saved_segment_keeps_the_qualifiers(client: httpx.AsyncClient) -> None:
    audience = {
        "match": "all",
        "conditions": [{"field": "engagement", "op": "eq", "value": "clicked", "campaign_id": 4, "channel": "sms"}],
    }
    created = await client.post("/api/segments", json={"name": "Clicked 4 on SMS", "filter": audience})
    assert created.status_code == 201, created.text
    read = await client.get(f"/api/segments/{created.json()['id']}")
    assert read.json()["filter"] == audience

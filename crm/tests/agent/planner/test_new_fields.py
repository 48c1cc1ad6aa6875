"""Engagement, birthdays and spend percentiles, read from goals into the new audience fields."""

from __future__ import annotations

from typing import Any

import pytest
from planner_vocabulary import SEED_VOCABULARY, TODAY

from crm.agent.planner import understand
from crm.segments.dsl import SegmentFilter

Node = dict[str, Any]


def read(goal: str) -> list[Node]:
    understanding = understand(goal, SEED_VOCABULARY, TODAY)
    SegmentFilter.model_validate(understanding.filter)
    assert understanding.not_understood == (), understanding.not_understood
    return list(understanding.filter["conditions"])


def engaged(stage: str, **qualifiers: Any) -> Node:
    return {"field": "engagement", "op": "eq", "value": stage, **qualifiers}


def none(*nodes: Node) -> Node:
    return {"match": "none", "conditions": list(nodes)}


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("everyone who clicked but didn't buy", [engaged("clicked"), none(engaged("converted"))]),
        (
            "people who clicked campaign 4 but did not buy",
            [engaged("clicked", campaign_id=4), none(engaged("converted", campaign_id=4))],
        ),
        (
            "remind people who haven't ordered in 90 days, excluding anyone who got a message this week",
            [{"field": "last_order_days_ago", "op": "gt", "value": 90}, none(engaged("received", within_days=7))],
        ),
        ("customers who opened an email in the last 30 days", [engaged("engaged", within_days=30, channel="email")]),
        ("ppl not messaged in 14 days", [none(engaged("received", within_days=14))]),
        ("excluding those who were sent an sms this week", [none(engaged("received", within_days=7, channel="sms"))]),
    ],
)
def test_engagement(goal: str, expected: list[Node]) -> None:
    assert read(goal) == expected


def test_birthdays() -> None:
    # TODAY is Friday 20 November 2026: 10 days left in the month, the next week starts in 3 days
    assert read("birthday wishes this month") == [{"field": "birthday_in_days", "op": "lte", "value": 10}]
    assert read("bday today") == [{"field": "birthday_in_days", "op": "eq", "value": 0}]
    assert read("customers whose birthday is in the next 7 days") == [
        {"field": "birthday_in_days", "op": "lte", "value": 7}
    ]
    assert read("birthdays next week in Pune") == [
        {"field": "birthday_in_days", "op": "between", "value": [3, 9]},
        {"field": "city", "op": "eq", "value": "Pune"},
    ]


def test_spend_percentile() -> None:
    assert read("top 5% spenders") == [{"field": "spend_percentile", "op": "gte", "value": 95}]
    assert read("top 10 percent customers in Delhi") == [
        {"field": "spend_percentile", "op": "gte", "value": 90},
        {"field": "city", "op": "eq", "value": "Delhi"},
    ]

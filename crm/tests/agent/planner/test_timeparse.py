"""Stage 3, read time: calendar dates, Indian occasions and calendar words as days before today."""

from __future__ import annotations

from datetime import date

import pytest
from planner_vocabulary import SEED_VOCABULARY, TODAY

from crm.agent.planner import understand
from crm.agent.planner.timeparse import calendar_date, occasion_on_or_before, read_time


@pytest.mark.parametrize(
    ("name", "today", "day"),
    [
        ("holi", date(2026, 11, 20), date(2026, 3, 4)),
        ("holi", date(2026, 2, 1), date(2025, 3, 14)),
        ("diwali", date(2026, 11, 20), date(2026, 11, 8)),
        ("diwali", date(2026, 11, 1), date(2025, 10, 20)),
        ("eid", date(2026, 11, 20), date(2026, 3, 21)),
        ("raksha bandhan", date(2026, 11, 20), date(2026, 8, 28)),
        ("christmas", date(2026, 11, 20), date(2025, 12, 25)),
        ("new year", date(2026, 11, 20), date(2026, 1, 1)),
    ],
)
def test_occasions_are_their_real_dates(name: str, today: date, day: date) -> None:
    assert occasion_on_or_before(name, today) == day


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("15 oct", date(2026, 10, 15)),
        ("oct 15", date(2026, 10, 15)),
        ("1st nov", date(2026, 11, 1)),
        ("25 dec", date(2025, 12, 25)),  # never in the future
        ("3 jan 2026", date(2026, 1, 3)),
    ],
)
def test_calendar_dates(text: str, day: date) -> None:
    assert calendar_date(text, TODAY) == day


def test_read_time_rewrites_to_days() -> None:
    text, notes = read_time("ordered since 15 oct", TODAY)
    assert text == "ordered in the last 36 days"
    assert notes and "2026-10-15" in notes[0]
    assert read_time("signed up before diwali", TODAY)[0] == "signed up more than 12 days ago"
    assert read_time("ordered last quarter", TODAY)[0] == "ordered in the last quarter"


@pytest.mark.parametrize(
    ("goal", "node"),
    [
        ("ordered last quarter", {"field": "last_order_days_ago", "op": "lte", "value": 90}),
        ("ordered since 15 Oct", {"field": "last_order_days_ago", "op": "lte", "value": 36}),
        ("bought since Holi", {"field": "last_order_days_ago", "op": "lte", "value": 261}),
        ("haven't ordered since Diwali", {"field": "last_order_days_ago", "op": "gt", "value": 12}),
        ("custs who signed up before 1 jan", {"field": "signed_up_days_ago", "op": "gt", "value": 323}),
        ("pichle 10 din mein order kiya", {"field": "last_order_days_ago", "op": "lte", "value": 10}),
        ("custs jo aaj signed up", {"field": "signed_up_days_ago", "op": "lte", "value": 0}),
    ],
)
def test_goals_with_dates(goal: str, node: dict[str, object]) -> None:
    understanding = understand(goal, SEED_VOCABULARY, TODAY)
    assert understanding.filter["conditions"] == [node]
    assert understanding.not_understood == ()

"""A plain-Python evaluation of the filter DSL, written independently of the SQL compiler, so
tests can compare the compiled query's result set with what the filter means."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from crm.segments.dsl import Condition, FilterGroup


@dataclass
class Item:
    name: str
    category: str | None
    ordered_at: datetime
    counted: bool


@dataclass
class Message:
    """A communications row as far as engagement reads it: `receipts` names the lifecycle
    timestamps that are set (sent, delivered, opened, read, clicked, converted, failed)."""

    dispatched_at: datetime | None
    channel: str
    campaign_id: int | None
    receipts: frozenset[str]


@dataclass
class Person:
    id: int
    city: str | None = None
    state: str | None = None
    gender: str | None = None
    birthday: date | None = None
    tags: list[str] = field(default_factory=list)
    signed_up_at: datetime | None = None
    email: str | None = None
    phone: str | None = None
    consent: dict[str, bool] = field(default_factory=dict)
    total_spent: float = 0.0  # rupees
    order_count: int = 0
    avg_order_value: float = 0.0
    first_order_at: datetime | None = None
    last_order_at: datetime | None = None
    items: list[Item] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    # Set by with_spend_ranks: how many customers spent less, out of how many.
    fewer_spenders: int = 0
    customers: int = 0


def with_spend_ranks(people: list[Person]) -> list[Person]:
    """Sets each person's place among all of them by total spent (the spend_percentile inputs)."""
    for person in people:
        person.fewer_spenders = sum(1 for other in people if other.total_spent < person.total_spent)
        person.customers = len(people)
    return people


def days_until_birthday(birthday: date, today: date) -> int:
    """Days from today to the next birthday, by walking the calendar; 29 February is celebrated
    on 28 February in years without one."""
    day = today
    while True:
        if (day.month, day.day) == (birthday.month, birthday.day):
            return (day - today).days
        leap_day_birthday = (birthday.month, birthday.day) == (2, 29)
        if leap_day_birthday and (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            return (day - today).days
        day += timedelta(days=1)


# Receipts that show a message reached at least each stage.
STAGE_RECEIPTS = {
    "delivered": {"delivered", "opened", "read", "clicked", "converted"},
    "engaged": {"opened", "read", "clicked", "converted"},
    "clicked": {"clicked", "converted"},
    "converted": {"converted"},
}


def reached(message: Message, stage: str) -> bool:
    if message.dispatched_at is None:
        return False
    if stage == "received":
        return "failed" not in message.receipts or reached(message, "delivered")
    return bool(message.receipts & STAGE_RECEIPTS[stage])


def days_ago(t: datetime, now: datetime) -> int:
    return (now - t).days


def age(birthday: date, today: date) -> int:
    return today.year - birthday.year - ((today.month, today.day) < (birthday.month, birthday.day))


def compare(op: str, actual: Any, value: Any) -> bool:
    if op == "eq":
        return bool(actual == value)
    if op == "neq":
        return bool(actual != value)
    if op == "gt":
        return bool(actual > value)
    if op == "gte":
        return bool(actual >= value)
    if op == "lt":
        return bool(actual < value)
    if op == "lte":
        return bool(actual <= value)
    if op == "between":
        return bool(value[0] <= actual <= value[1])
    if op == "in":
        return actual in value
    if op == "not_in":
        return actual not in value
    raise AssertionError(op)


def matches(person: Person, group: FilterGroup, now: datetime) -> bool:
    results = [
        condition_matches(person, node, now) if isinstance(node, Condition) else matches(person, node, now)
        for node in group.conditions
    ]
    if group.match == "all":
        return all(results)
    if group.match == "any":
        return any(results)
    return not any(results)


def condition_matches(p: Person, c: Condition, now: datetime) -> bool:
    f, op, v = c.field, c.op, c.value
    if f in ("city", "state", "gender"):
        actual = getattr(p, f)
        if op == "exists":
            return (actual not in (None, "")) == v
        if actual is None:
            return False
        a = actual.lower()
        if op == "contains":
            return v.lower() in a
        if op in ("in", "not_in"):
            return compare(op, a, [x.lower() for x in v])
        return compare(op, a, v.lower())
    if f == "age":
        if op == "exists":
            return (p.birthday is not None) == v
        return p.birthday is not None and compare(op, age(p.birthday, now.date()), v)
    if f in ("signed_up_days_ago", "last_order_days_ago", "first_order_days_ago"):
        t = {
            "signed_up_days_ago": p.signed_up_at,
            "last_order_days_ago": p.last_order_at,
            "first_order_days_ago": p.first_order_at,
        }[f]
        if op == "exists":
            return (t is not None) == v
        return t is not None and compare(op, days_ago(t, now), v)
    if f in ("total_spent", "avg_order_value"):
        return compare(op, round(getattr(p, f), 2), v)
    if f == "order_count":
        return compare(op, p.order_count, v)
    if f == "tags":
        tags = {t.lower() for t in p.tags}
        if op == "exists":
            return bool(tags) == v
        if op in ("eq", "contains"):
            return v.lower() in tags
        if op == "neq":
            return v.lower() not in tags
        hit = bool(tags & {x.lower() for x in v})
        return hit if op == "in" else not hit
    if f in ("category", "product"):
        items = [
            i for i in p.items if i.counted and (c.within_days is None or days_ago(i.ordered_at, now) <= c.within_days)
        ]
        if f == "category":
            wanted = {v.lower()} if isinstance(v, str) else {x.lower() for x in v}
            bought = any(i.category is not None and i.category.lower() in wanted for i in items)
            return bought if op in ("eq", "in") else not bought
        if op == "contains":
            return any(v.lower() in i.name.lower() for i in items)
        bought = any(i.name.lower() == v.lower() for i in items)
        return bought if op == "eq" else not bought
    if f == "birthday_in_days":
        if op == "exists":
            return (p.birthday is not None) == v
        return p.birthday is not None and compare(op, days_until_birthday(p.birthday, now.date()), v)
    if f == "spend_percentile":
        assert p.customers, "with_spend_ranks sets the population first"
        percentile = Fraction(100 * p.fewer_spenders, p.customers)

        def exact(x: Any) -> Fraction:
            return Fraction(x) if isinstance(x, int) else Fraction(repr(x))

        target = [exact(x) for x in v] if isinstance(v, list) else exact(v)
        return compare(op, percentile, target)
    if f == "engagement":
        stages = [v] if isinstance(v, str) else v
        hit = any(
            any(reached(m, stage) for stage in stages)
            and (c.within_days is None or days_ago(m.dispatched_at, now) <= c.within_days)
            and (c.campaign_id is None or m.campaign_id == c.campaign_id)
            and (c.channel is None or m.channel == c.channel)
            for m in p.messages
            if m.dispatched_at is not None
        )
        return hit if op in ("eq", "in") else not hit
    if f == "reachable_on":
        channels = [v] if isinstance(v, str) else v

        def reachable(ch: str) -> bool:
            contact = p.email if ch == "email" else p.phone
            return bool(contact) and p.consent.get(ch, False)

        hit = any(reachable(ch) for ch in channels)
        return hit if op in ("eq", "in") else not hit
    raise AssertionError(f)

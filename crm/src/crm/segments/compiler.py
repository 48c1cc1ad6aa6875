"""Filter DSL → parameterised SQLAlchemy. A table from field kind and operator to a small
function, walked recursively; relative days become absolute UTC cutoffs here, in Python, so
the same SQL runs on SQLite and Postgres. Every condition is two-valued (a missing value makes
it false, never NULL), so `none` groups negate cleanly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from crm.models import Customer, CustomerStats, OrderItem
from crm.money import to_minor
from crm.segments.dsl import Condition, FilterGroup
from crm.segments.fields import FIELDS, FieldKind

Expr = ColumnElement[bool]

COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "city": Customer.city,
    "state": Customer.state,
    "gender": Customer.gender,
    "birthday": Customer.birthday,
    "tags": Customer.tags,
    "signed_up_at": Customer.signed_up_at,
    "total_spent_minor": CustomerStats.total_spent_minor,
    "order_count": CustomerStats.order_count,
    "avg_order_value_minor": CustomerStats.avg_order_value_minor,
    "last_order_at": CustomerStats.last_order_at,
    "first_order_at": CustomerStats.first_order_at,
}
CONTACT: dict[str, tuple[InstrumentedAttribute[Any], InstrumentedAttribute[bool]]] = {
    "email": (Customer.email, Customer.consent_email),
    "sms": (Customer.phone, Customer.consent_sms),
    "whatsapp": (Customer.phone, Customer.consent_whatsapp),
    "rcs": (Customer.phone, Customer.consent_rcs),
}


@dataclass(frozen=True)
class Clock:
    """The one 'now' a filter is evaluated against."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def today(self) -> date:
        return self.now.date()

    def days_ago_at_least(self, days: int) -> datetime:
        """days_ago(t) >= days  ⇔  t <= this cutoff."""
        return self.now - timedelta(days=days)

    def birthday_for_age(self, years: int) -> date:
        """age(b) >= years  ⇔  b <= this date (29 February falls back to the 28th)."""
        year = self.today.year - years
        try:
            return self.today.replace(year=year)
        except ValueError:
            return self.today.replace(year=year, day=28)


def like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def compile_filter(group: FilterGroup, clock: Clock | None = None) -> Expr:
    return _group(group, clock or Clock())


def _group(group: FilterGroup, clock: Clock) -> Expr:
    parts = [
        _condition(node, clock) if isinstance(node, Condition) else _group(node, clock) for node in group.conditions
    ]
    if group.match == "all":
        return and_(true(), *parts) if parts else true()
    if group.match == "any":
        return or_(false(), *parts) if parts else false()
    return not_(or_(false(), *parts)) if parts else true()


def _condition(condition: Condition, clock: Clock) -> Expr:
    spec = FIELDS[condition.field]
    compiler = KIND_COMPILERS[spec.kind]
    return compiler(spec.column, condition, clock)


# ------------------------------------------------------------------ ordered values


def _ordered(column: Any, op: str, value: Any) -> Expr:
    """Comparisons on a plain, non-null column."""
    table: dict[str, Callable[[], Expr]] = {
        "eq": lambda: column == value,
        "neq": lambda: column != value,
        "gt": lambda: column > value,
        "gte": lambda: column >= value,
        "lt": lambda: column < value,
        "lte": lambda: column <= value,
        "between": lambda: and_(column >= value[0], column <= value[1]),
        "in": lambda: column.in_(value),
        "not_in": lambda: column.not_in(value),
    }
    return table[op]()


def _number(column_name: str, condition: Condition, _: Clock) -> Expr:
    return _ordered(COLUMNS[column_name], condition.op, condition.value)


def _money(column_name: str, condition: Condition, _: Clock) -> Expr:
    value = condition.value
    minor = [to_minor(v) for v in value] if isinstance(value, list) else to_minor(value)
    return _ordered(COLUMNS[column_name], condition.op, minor)


def _days_ago(column_name: str, condition: Condition, clock: Clock) -> Expr:
    """days_ago(t) = whole days between t and now; compiled to cutoffs on t."""
    column = COLUMNS[column_name]
    op, value = condition.op, condition.value
    if op == "exists":
        return column.is_not(None) if value else column.is_(None)

    def at_least(days: int) -> Expr:
        return column <= clock.days_ago_at_least(days)

    def at_most(days: int) -> Expr:
        return column > clock.days_ago_at_least(days + 1)

    table: dict[str, Callable[[], Expr]] = {
        "eq": lambda: and_(at_least(value), at_most(value)),
        "neq": lambda: or_(at_most(value - 1), at_least(value + 1)) if value > 0 else at_least(1),
        "gt": lambda: at_least(value + 1),
        "gte": lambda: at_least(value),
        "lt": lambda: at_most(value - 1) if value > 0 else false(),
        "lte": lambda: at_most(value),
        "between": lambda: and_(at_least(value[0]), at_most(value[1])),
    }
    return and_(column.is_not(None), table[op]())


def _age(column_name: str, condition: Condition, clock: Clock) -> Expr:
    column = COLUMNS[column_name]
    op, value = condition.op, condition.value
    if op == "exists":
        return column.is_not(None) if value else column.is_(None)

    def at_least(years: int) -> Expr:
        return column <= clock.birthday_for_age(years)

    def at_most(years: int) -> Expr:
        return column > clock.birthday_for_age(years + 1)

    table: dict[str, Callable[[], Expr]] = {
        "eq": lambda: and_(at_least(value), at_most(value)),
        "neq": lambda: or_(at_most(value - 1), at_least(value + 1)) if value > 0 else at_least(1),
        "gt": lambda: at_least(value + 1),
        "gte": lambda: at_least(value),
        "lt": lambda: at_most(value - 1) if value > 0 else false(),
        "lte": lambda: at_most(value),
        "between": lambda: and_(at_least(value[0]), at_most(value[1])),
    }
    return and_(column.is_not(None), table[op]())


# ------------------------------------------------------------------ text


def _text(column_name: str, condition: Condition, _: Clock) -> Expr:
    column = COLUMNS[column_name]
    lowered = func.lower(column)
    op, value = condition.op, condition.value
    if op == "exists":
        present = and_(column.is_not(None), column != "")
        return present if value else not_(present)
    table: dict[str, Callable[[], Expr]] = {
        "eq": lambda: lowered == value.lower(),
        "neq": lambda: lowered != value.lower(),
        "in": lambda: lowered.in_([v.lower() for v in value]),
        "not_in": lambda: lowered.not_in([v.lower() for v in value]),
        "contains": lambda: lowered.like(like_pattern(value), escape="\\"),
    }
    return and_(column.is_not(None), table[op]())


def _tags(column_name: str, condition: Condition, _: Clock) -> Expr:
    column = COLUMNS[column_name]  # stored as "|a|b|", lower case, never NULL

    def has(tag: str) -> Expr:
        return column.like(like_pattern(f"|{tag}|"), escape="\\")

    def has_any(tags: list[str]) -> Expr:
        return or_(*(has(t) for t in tags))

    op, value = condition.op, condition.value
    table: dict[str, Callable[[], Expr]] = {
        "eq": lambda: has(value),
        "contains": lambda: has(value),
        "neq": lambda: not_(has(value)),
        "in": lambda: has_any(value),
        "not_in": lambda: not_(has_any(value)),
        "exists": lambda: (column != "") if value else (column == ""),
    }
    return table[op]()


# ------------------------------------------------------------------ purchases


def _bought(item_condition: Expr, condition: Condition, clock: Clock) -> Expr:
    # Correlated on customer_stats (one row per customer, same id) so that a filter about
    # purchases alone never needs the customers table.
    criteria = [OrderItem.customer_id == CustomerStats.customer_id, OrderItem.counted.is_(True), item_condition]
    if condition.within_days is not None:
        criteria.append(OrderItem.ordered_at > clock.days_ago_at_least(condition.within_days + 1))
    return exists(select(OrderItem.id).where(*criteria))


def _category(_: str, condition: Condition, clock: Clock) -> Expr:
    op, value = condition.op, condition.value
    if condition.within_days is None:
        # "Ever bought": the rollup keeps each customer's categories as "|lipstick|kajal|".
        wanted = [value] if isinstance(value, str) else value
        bought_any = or_(*(CustomerStats.categories.like(like_pattern(f"|{v.lower()}|"), escape="\\") for v in wanted))
        return bought_any if op in ("eq", "in") else not_(bought_any)
    category = func.lower(OrderItem.category)
    if op in ("eq", "neq"):
        bought = _bought(category == value.lower(), condition, clock)
    else:
        bought = _bought(category.in_([v.lower() for v in value]), condition, clock)
    return bought if op in ("eq", "in") else not_(bought)


def _product(_: str, condition: Condition, clock: Clock) -> Expr:
    name = func.lower(OrderItem.name)
    if condition.op == "contains":
        return _bought(name.like(like_pattern(condition.value), escape="\\"), condition, clock)
    bought = _bought(name == condition.value.lower(), condition, clock)
    return bought if condition.op == "eq" else not_(bought)


def reachable(channel: str) -> Expr:
    contact, consent = CONTACT[channel]
    return and_(contact.is_not(None), contact != "", consent.is_(True))


def _channel(_: str, condition: Condition, __: Clock) -> Expr:
    op, value = condition.op, condition.value
    channels = value if isinstance(value, list) else [value]
    any_reachable = or_(*(reachable(c) for c in channels))
    return any_reachable if op in ("eq", "in") else not_(any_reachable)


KIND_COMPILERS: dict[FieldKind, Callable[[str, Condition, Clock], Expr]] = {
    FieldKind.TEXT: _text,
    FieldKind.NUMBER: _number,
    FieldKind.MONEY: _money,
    FieldKind.DAYS_AGO: _days_ago,
    FieldKind.AGE: _age,
    FieldKind.TAGS: _tags,
    FieldKind.CATEGORY: _category,
    FieldKind.PRODUCT: _product,
    FieldKind.CHANNEL: _channel,
}


CUSTOMER_KINDS = (FieldKind.TEXT, FieldKind.AGE, FieldKind.TAGS, FieldKind.CHANNEL)


def needs_customers(group: FilterGroup) -> bool:
    """Whether any condition reads a column of `customers` (the rest live in customer_stats)."""
    for node in group.conditions:
        if isinstance(node, Condition):
            spec = FIELDS[node.field]
            if spec.kind in CUSTOMER_KINDS or spec.column == "signed_up_at":
                return True
        elif needs_customers(node):
            return True
    return False


def audience_query(group: FilterGroup, clock: Clock | None = None) -> Any:
    """SELECT customers.id of everyone the filter matches (customers ⋈ customer_stats)."""
    return (
        select(Customer.id)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(compile_filter(group, clock))
    )

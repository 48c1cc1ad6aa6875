"""Filter DSL → parameterised SQLAlchemy. A table from field kind and operator to a small
function, walked recursively; relative days become absolute UTC cutoffs here, in Python, so
the same SQL runs on SQLite and Postgres. Every condition is two-valued (a missing value makes
it false, never NULL), so `none` groups negate cleanly.

Every column a filter reads lives in customer_stats (the order rollup plus copies of the customer
attributes, kept equal to `customers` by triggers), so a count reads that one table. Purchases
that need the items themselves (a `within_days` window, or a product text not resolved up front)
are EXISTS over order_items correlated on customer_stats.customer_id.

`product` conditions: when the caller has resolved each text to the products it matches
(`ProductMatches`, from the products dimension), "ever bought" is a predicate on the rollup's
product keys and a windowed purchase an indexed `lower(name) IN (…)`; unresolved, they are a LIKE
(or equality) over every item's name, with the same meaning. Positive item purchases side by
side in an `any` group become one EXISTS ("bought any of …"), which a database can run as one
semi-join rather than one probe per condition per customer.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, aliased

from crm.models import Communication, Customer, CustomerStats, OrderItem
from crm.models.customer_stats import CHANNEL_BITS
from crm.models.product import product_signature
from crm.money import to_minor
from crm.segments.dsl import Condition, FilterGroup
from crm.segments.fields import FIELDS, FieldKind

Expr = ColumnElement[bool]

# Where each field's value is read (FieldSpec.column → customer_stats); text columns hold lower(…).
COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "city": CustomerStats.city_key,
    "state": CustomerStats.state_key,
    "gender": CustomerStats.gender_key,
    "birthday": CustomerStats.birthday,
    "tags": CustomerStats.tags,
    "signed_up_at": CustomerStats.signed_up_at,
    "total_spent_minor": CustomerStats.total_spent_minor,
    "order_count": CustomerStats.order_count,
    "avg_order_value_minor": CustomerStats.avg_order_value_minor,
    "last_order_at": CustomerStats.last_order_at,
    "first_order_at": CustomerStats.first_order_at,
    "birthday_month_day": CustomerStats.birthday_month_day,
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


# What a product condition looks up in the products dimension: ("contains", text) for
# `contains`, ("is", lower-cased text) for `eq`/`neq`.
ProductLookup = tuple[str, str]


@dataclass(frozen=True)
class ProductMatch:
    """The products (dimension keys and their lower-cased names) one lookup matches, and whether
    their signature bits are theirs alone (no other product in the catalogue shares one), so the
    bits decide on their own."""

    keys: tuple[int, ...] = ()
    names: tuple[str, ...] = ()
    bits_exact: bool = False


ProductMatches = Mapping[ProductLookup, ProductMatch]


def product_lookup(condition: Condition) -> ProductLookup:
    text: str = condition.value
    return ("contains", text) if condition.op == "contains" else ("is", text.lower())


@dataclass(frozen=True)
class SpendRanks:
    """What `spend_percentile` conditions need, read up front: how many customers there are and
    the spends (paise) at some positions of the ascending order of all spends (0 = smallest)."""

    customers: int
    at: Mapping[int, int]


@dataclass(frozen=True)
class Context:
    clock: Clock
    # Resolved product conditions; None compiles them over every item's name.
    products: ProductMatches | None = None
    # Resolved spend order statistics; None ranks every customer's spend inside the query.
    spend: SpendRanks | None = None

    def product(self, condition: Condition) -> ProductMatch | None:
        return None if self.products is None else self.products[product_lookup(condition)]


def compile_filter(
    group: FilterGroup,
    clock: Clock | None = None,
    *,
    products: ProductMatches | None = None,
    spend: SpendRanks | None = None,
) -> Expr:
    """The filter as a WHERE clause over customer_stats (alone, or joined to customers)."""
    return _group(group, Context(clock or Clock(), products, spend))


def _group(group: FilterGroup, context: Context) -> Expr:
    nodes = list(group.conditions)
    parts: list[Expr] = []
    if group.match in ("any", "none"):
        merged, nodes = _merge_purchases(nodes, context)
        parts += merged
    parts += [_condition(node, context) if isinstance(node, Condition) else _group(node, context) for node in nodes]
    if group.match == "all":
        return and_(true(), *parts) if parts else true()
    if group.match == "any":
        return or_(false(), *parts) if parts else false()
    return not_(or_(false(), *parts)) if parts else true()


def _condition(condition: Condition, context: Context) -> Expr:
    spec = FIELDS[condition.field]
    compiler = KIND_COMPILERS[spec.kind]
    return compiler(spec.column, condition, context)


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


def _number(column_name: str, condition: Condition, _: Context) -> Expr:
    return _ordered(COLUMNS[column_name], condition.op, condition.value)


def _money(column_name: str, condition: Condition, _: Context) -> Expr:
    value = condition.value
    minor = [to_minor(v) for v in value] if isinstance(value, list) else to_minor(value)
    return _ordered(COLUMNS[column_name], condition.op, minor)


def _days_ago(column_name: str, condition: Condition, context: Context) -> Expr:
    """days_ago(t) = whole days between t and now; compiled to cutoffs on t."""
    clock = context.clock
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


def _age(column_name: str, condition: Condition, context: Context) -> Expr:
    clock = context.clock
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


def _text(column_name: str, condition: Condition, _: Context) -> Expr:
    column = COLUMNS[column_name]
    lowered = column  # the copy is already lower(…)
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


def _tags(column_name: str, condition: Condition, _: Context) -> Expr:
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


def _bought(item_condition: Expr, within_days: int | None, context: Context) -> Expr:
    """At least one counted item matching the condition (within the last `within_days` days)."""
    criteria = [OrderItem.customer_id == CustomerStats.customer_id, OrderItem.counted.is_(True), item_condition]
    if within_days is not None:
        criteria.append(OrderItem.ordered_at > context.clock.days_ago_at_least(within_days + 1))
    return exists(select(OrderItem.id).where(*criteria))


def _wanted(condition: Condition) -> list[str]:
    return [v.lower() for v in ([condition.value] if isinstance(condition.value, str) else condition.value)]


def _category_item(condition: Condition, _: Context) -> Expr:
    return func.lower(OrderItem.category).in_(_wanted(condition))


def _product_item(condition: Condition, context: Context) -> Expr:
    """An item whose name is (eq/neq) or contains (contains) the text, case-insensitively."""
    name = func.lower(OrderItem.name)
    match = context.product(condition)
    if match is not None:
        return name.in_(match.names) if match.names else false()
    text: str = condition.value
    if condition.op != "contains":
        return name == text.lower()
    return name.like(like_pattern(text), escape="\\")


def _has_product(match: ProductMatch) -> Expr:
    """The rollup lists one of these products ("|3|17|"). The signature is tested first, an
    integer AND (in the covering index) that rules out most customers; the exact LIKE follows
    unless the bits belong to these products alone."""
    if not match.keys:
        return false()
    signature: Expr = CustomerStats.product_bits.op("&")(product_signature(match.keys)) != 0
    if match.bits_exact:
        return signature
    column = CustomerStats.products
    return and_(signature, or_(*(column.like(f"%|{key}|%") for key in match.keys)))


def _category(_: str, condition: Condition, context: Context) -> Expr:
    positive = condition.op in ("eq", "in")
    if condition.within_days is None:
        # "Ever bought": the rollup keeps each customer's categories as "|lipstick|kajal|".
        column = CustomerStats.categories
        bought_any = or_(*(column.like(like_pattern(f"|{v}|"), escape="\\") for v in _wanted(condition)))
    else:
        bought_any = _bought(_category_item(condition, context), condition.within_days, context)
    return bought_any if positive else not_(bought_any)


def _product(_: str, condition: Condition, context: Context) -> Expr:
    match = context.product(condition)
    if match is not None and condition.within_days is None:
        bought = _has_product(match)  # "ever bought": the rollup's product keys
    else:
        bought = _bought(_product_item(condition, context), condition.within_days, context)
    return not_(bought) if condition.op == "neq" else bought


ITEM_MATCHERS: dict[FieldKind, Callable[[Condition, Context], Expr]] = {
    FieldKind.CATEGORY: _category_item,
    FieldKind.PRODUCT: _product_item,
}


def _reads_items(condition: Condition, context: Context) -> bool:
    """Whether a purchase condition is an EXISTS over order_items (else it reads the rollup)."""
    kind = FIELDS[condition.field].kind
    if condition.within_days is not None:
        return True
    return kind is FieldKind.PRODUCT and context.products is None


def _mergeable(node: Condition | FilterGroup, context: Context) -> tuple[FieldKind, int] | None:
    """(kind, window) of a positive purchase condition that reads order_items (window -1: ever)."""
    if not isinstance(node, Condition) or node.op in ("neq", "not_in"):
        return None
    kind = FIELDS[node.field].kind
    if kind not in ITEM_MATCHERS or not _reads_items(node, context):
        return None
    return kind, -1 if node.within_days is None else node.within_days


def _merge_purchases(
    nodes: list[Condition | FilterGroup], context: Context
) -> tuple[list[Expr], list[Condition | FilterGroup]]:
    """any(bought A, bought B) ≡ bought (A or B): one EXISTS per (kind, window) for two or more
    positive purchase conditions of an `any`/`none` group. Returns the merged EXISTS and the
    nodes left to compile one by one."""
    buckets: dict[tuple[FieldKind, int], list[Condition]] = {}
    for node in nodes:
        bucket = _mergeable(node, context)
        if bucket is not None and isinstance(node, Condition):
            buckets.setdefault(bucket, []).append(node)
    merged: list[Expr] = []
    taken: set[int] = set()
    for (kind, window), conditions in buckets.items():
        if len(conditions) > 1:
            taken.update(id(c) for c in conditions)
            merged.append(_bought(_any_item(kind, conditions, context), None if window < 0 else window, context))
    return merged, [node for node in nodes if id(node) not in taken]


def _any_item(kind: FieldKind, conditions: list[Condition], context: Context) -> Expr:
    """One item condition for several: a single IN when each is a list of lower-case values."""
    listed = [_listed_values(kind, c, context) for c in conditions]
    if any(values is None for values in listed):
        return or_(*(ITEM_MATCHERS[kind](c, context) for c in conditions))
    values = sorted({v for values in listed for v in values or ()})
    column = func.lower(OrderItem.category if kind is FieldKind.CATEGORY else OrderItem.name)
    return column.in_(values) if values else false()


def _listed_values(kind: FieldKind, condition: Condition, context: Context) -> list[str] | None:
    """The lower-case values the item column must be one of, or None when it is a LIKE."""
    if kind is FieldKind.CATEGORY:
        return _wanted(condition)
    match = context.product(condition)
    if match is not None:
        return list(match.names)
    return _wanted(condition) if condition.op == "eq" else None


def _channel(_: str, condition: Condition, __: Context) -> Expr:
    op, value = condition.op, condition.value
    mask = 0
    for channel in value if isinstance(value, list) else [value]:
        mask |= CHANNEL_BITS[channel]
    any_reachable: Expr = CustomerStats.channels.op("&")(mask) != 0
    return any_reachable if op in ("eq", "in") else not_(any_reachable)


# ------------------------------------------------------------------ birthdays


@lru_cache(maxsize=8)
def days_to_birthdays(today: date) -> dict[int, int]:
    """Each month-day (month * 100 + day, 29 February included) → whole days from `today` until
    its next occurrence (0 = today). A 29 February birthday falls on 28 February in other years."""
    found: dict[int, int] = {}
    for offset in range(367):
        day = today + timedelta(days=offset)
        found.setdefault(day.month * 100 + day.day, offset)
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            found.setdefault(229, offset)
    return found


# Every month-day in calendar order (the order of the integers too).
MONTH_DAYS: tuple[int, ...] = tuple(
    sorted({d.month * 100 + d.day for d in (date(2024, 1, 1) + timedelta(days=n) for n in range(366))})
)


def month_day_ranges(chosen: set[int]) -> list[tuple[int, int]]:
    """Runs of consecutive month-days (in calendar order) as inclusive integer ranges."""
    ranges: list[tuple[int, int]] = []
    for md in MONTH_DAYS:
        if md not in chosen:
            continue
        if ranges and MONTH_DAYS.index(ranges[-1][1]) == MONTH_DAYS.index(md) - 1:
            ranges[-1] = (ranges[-1][0], md)
        else:
            ranges.append((md, md))
    return ranges


def _birthday(column_name: str, condition: Condition, context: Context) -> Expr:
    """days_until(next birthday) compared in Python for each of the 366 month-days; the chosen
    month-days become a few ranges of the indexed birthday_month_day column."""
    column = COLUMNS[column_name]
    op, value = condition.op, condition.value
    if op == "exists":
        return column.is_not(None) if value else column.is_(None)
    days = days_to_birthdays(context.clock.today)
    chosen = {md for md, until in days.items() if compare_values(op, until, value)}
    parts = [column == low if low == high else column.between(low, high) for low, high in month_day_ranges(chosen)]
    return and_(column.is_not(None), or_(false(), *parts))


def compare_values(op: str, actual: Any, value: Any) -> bool:
    """A Python comparison with the DSL's ordered operators."""
    table: dict[str, Callable[[], bool]] = {
        "eq": lambda: bool(actual == value),
        "neq": lambda: bool(actual != value),
        "gt": lambda: bool(actual > value),
        "gte": lambda: bool(actual >= value),
        "lt": lambda: bool(actual < value),
        "lte": lambda: bool(actual <= value),
        "between": lambda: bool(value[0] <= actual <= value[1]),
        "in": lambda: actual in value,
        "not_in": lambda: actual not in value,
    }
    return table[op]()


# ------------------------------------------------------------------ spend percentile
#
# percentile(c) = 100 · L(c) / N, where L(c) is how many customers spent less than c and N how
# many customers there are (ties share a percentile; the top spender is below 100). Compared
# exactly, as fractions: a value of 33.3 means 333/10.


def exact(value: float | int) -> Fraction:
    return Fraction(value) if isinstance(value, int) else Fraction(repr(value))


def fewer_spenders_bounds(op: str, value: Any, customers: int) -> list[tuple[int, int]]:
    """The allowed values of L (how many customers spent less) as inclusive ranges within
    [0, customers - 1]; an empty list when none is allowed."""
    top = customers - 1

    def need(percent: Any) -> Fraction:
        return exact(percent) * customers / 100

    def at_least(percent: Any) -> int:
        return math.ceil(need(percent))

    def at_most(percent: Any) -> int:
        return math.floor(need(percent))

    x = need(value) if op != "between" else Fraction(0)
    whole = x.denominator == 1
    table: dict[str, Callable[[], list[tuple[int, int]]]] = {
        "gte": lambda: [(at_least(value), top)],
        "gt": lambda: [(at_most(value) + 1, top)],
        "lte": lambda: [(0, at_most(value))],
        "lt": lambda: [(0, at_least(value) - 1)],
        "eq": lambda: [(int(x), int(x))] if whole else [],
        "neq": lambda: [(0, int(x) - 1), (int(x) + 1, top)] if whole else [(0, top)],
        "between": lambda: [(at_least(value[0]), at_most(value[1]))],
    }
    return [(max(low, 0), min(high, top)) for low, high in table[op]() if max(low, 0) <= min(high, top)]


def spend_rank_positions(group: FilterGroup, customers: int) -> set[int]:
    """The positions of the ascending spend order every percentile condition compares with."""
    positions: set[int] = set()
    for node in group.conditions:
        if isinstance(node, FilterGroup):
            positions |= spend_rank_positions(node, customers)
        elif FIELDS[node.field].kind is FieldKind.PERCENTILE:
            for low, high in fewer_spenders_bounds(node.op, node.value, customers):
                if low > 0:
                    positions.add(low - 1)
                if high < customers - 1:
                    positions.add(high)
    return positions


def _percentile(column_name: str, condition: Condition, context: Context) -> Expr:
    column = COLUMNS[column_name]
    spend = context.spend
    if spend is None:
        return _percentile_ranked(column_name, condition)
    top = spend.customers - 1
    parts: list[Expr] = []
    for low, high in fewer_spenders_bounds(condition.op, condition.value, spend.customers):
        # L(c) >= k  ⇔  c spent more than the k-th smallest spend (position k - 1);
        # L(c) <= m  ⇔  c spent at most the spend at position m.
        bounds: list[Expr] = []
        if low > 0:
            bounds.append(column > spend.at[low - 1])
        if high < top:
            bounds.append(column <= spend.at[high])
        parts.append(and_(true(), *bounds))
    return or_(false(), *parts)


def _percentile_ranked(column_name: str, condition: Condition) -> Expr:
    """Unresolved: every customer's L and N from window functions over customer_stats, in one
    uncorrelated subquery, compared as integers (100 · L · den  op  num · N)."""
    ranked_stats = aliased(CustomerStats)
    spent = getattr(ranked_stats, COLUMNS[column_name].key)
    ranked = select(
        ranked_stats.customer_id.label("customer_id"),
        (func.rank().over(order_by=spent) - 1).label("fewer"),
        func.count().over().label("customers"),
    ).subquery()

    def scaled(percent: Any) -> tuple[Any, Any]:
        target = exact(percent)
        return ranked.c.fewer * (100 * target.denominator), ranked.c.customers * target.numerator

    op, value = condition.op, condition.value
    if op == "between":
        low_left, low_right = scaled(value[0])
        high_left, high_right = scaled(value[1])
        chosen: Expr = and_(low_left >= low_right, high_left <= high_right)
    else:
        left, right = scaled(value)
        chosen = _ordered(left, op, right)
    return CustomerStats.customer_id.in_(select(ranked.c.customer_id).where(chosen))


# ------------------------------------------------------------------ engagement

C = Communication


def _stage_reached(stage: str) -> Expr:
    """A message reached at least this stage: each stage implies the ones before it, so a receipt
    that was lost does not hide the stages after it (as crm.messages.lifecycle's funnel)."""
    converted = C.converted_at.is_not(None)
    clicked = or_(C.clicked_at.is_not(None), converted)
    engaged = or_(C.opened_at.is_not(None), C.read_at.is_not(None), clicked)
    delivered = or_(C.delivered_at.is_not(None), engaged)
    stages: dict[str, Callable[[], Expr]] = {
        # Handed to the channel and not reported failed (unless a later receipt shows delivery).
        "received": lambda: or_(C.failed_at.is_(None), delivered),
        "delivered": lambda: delivered,
        "engaged": lambda: engaged,
        "clicked": lambda: clicked,
        "converted": lambda: converted,
    }
    return stages[stage]()


def _engagement(_: str, condition: Condition, context: Context) -> Expr:
    """A message to this customer, sent (dispatched) by the CRM, that reached the stage — within
    the last N days of its sending, of a campaign, on a channel.

    With a campaign: an uncorrelated IN over that campaign's messages (the campaign_id index
    finds them; the database builds the set once). Otherwise EXISTS per customer, probing the
    (customer_id, dispatched_at) index — an IN would read every message, and read them again for
    each id window the preview's sample walks (measured in bench/audience_fields.py)."""
    stages = [condition.value] if isinstance(condition.value, str) else list(condition.value)
    criteria: list[Expr] = []
    if condition.within_days is not None:
        criteria.append(C.dispatched_at > context.clock.days_ago_at_least(condition.within_days + 1))
    else:
        criteria.append(C.dispatched_at.is_not(None))
    if condition.campaign_id is not None:
        criteria.append(C.campaign_id == condition.campaign_id)
    if condition.channel is not None:
        criteria.append(C.channel == condition.channel)
    criteria.append(or_(*(_stage_reached(stage) for stage in stages)))
    if condition.campaign_id is not None:
        reached: Expr = CustomerStats.customer_id.in_(select(C.customer_id).where(*criteria))
    else:
        reached = exists(select(C.id).where(C.customer_id == CustomerStats.customer_id, *criteria))
    return reached if condition.op in ("eq", "in") else not_(reached)


KIND_COMPILERS: dict[FieldKind, Callable[[str, Condition, Context], Expr]] = {
    FieldKind.TEXT: _text,
    FieldKind.NUMBER: _number,
    FieldKind.MONEY: _money,
    FieldKind.DAYS_AGO: _days_ago,
    FieldKind.AGE: _age,
    FieldKind.TAGS: _tags,
    FieldKind.CATEGORY: _category,
    FieldKind.PRODUCT: _product,
    FieldKind.CHANNEL: _channel,
    FieldKind.BIRTHDAY: _birthday,
    FieldKind.PERCENTILE: _percentile,
    FieldKind.ENGAGEMENT: _engagement,
}


def audience_query(
    group: FilterGroup,
    clock: Clock | None = None,
    products: ProductMatches | None = None,
    spend: SpendRanks | None = None,
) -> Any:
    """SELECT customers.id of everyone the filter matches (customers ⋈ customer_stats)."""
    return (
        select(Customer.id)
        .join(CustomerStats, CustomerStats.customer_id == Customer.id)
        .where(compile_filter(group, clock, products=products, spend=spend))
    )


def has_percentile(group: FilterGroup) -> bool:
    return any(
        has_percentile(node) if isinstance(node, FilterGroup) else FIELDS[node.field].kind is FieldKind.PERCENTILE
        for node in group.conditions
    )


def product_lookups(group: FilterGroup) -> set[ProductLookup]:
    """What every product condition looks up in the products dimension (resolved up front)."""
    lookups: set[ProductLookup] = set()
    for node in group.conditions:
        if isinstance(node, FilterGroup):
            lookups |= product_lookups(node)
        elif FIELDS[node.field].kind is FieldKind.PRODUCT:
            lookups.add(product_lookup(node))
    return lookups

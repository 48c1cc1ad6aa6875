"""Plain-English reading of a filter: "customers who bought Lipstick and whose last order was
more than 60 days ago"."""

from __future__ import annotations

from typing import Any

from crm.segments.dsl import Condition, FilterGroup
from crm.segments.fields import FIELDS, FieldKind, FieldSpec


def _list(values: list[Any], joiner: str = "or") -> str:
    words = [str(v) for v in values]
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {joiner} {words[-1]}"


def _money(value: Any) -> str:
    return f"₹{value:,.0f}" if float(value).is_integer() else f"₹{value:,.2f}"


def _quantity(spec: FieldSpec, value: Any) -> str:
    if spec.kind is FieldKind.MONEY:
        return _money(value)
    unit = spec.unit
    if unit and value == 1:
        unit = unit.rstrip("s")
    return f"{value} {unit}".strip()


COMPARE = {
    "eq": "exactly",
    "neq": "other than",
    "gt": "more than",
    "gte": "at least",
    "lt": "less than",
    "lte": "at most",
}


def _ordered(spec: FieldSpec, c: Condition) -> str:
    if c.op == "between":
        low, high = c.value
        return f"{spec.phrase} between {_quantity(spec, low)} and {_quantity(spec, high)}"
    if c.op in ("in", "not_in"):
        verb = "one of" if c.op == "in" else "none of"
        return f"{spec.phrase} {verb} {_list([_quantity(spec, v) for v in c.value])}"
    return f"{spec.phrase} {COMPARE[c.op]} {_quantity(spec, c.value)}"


def _days_ago(spec: FieldSpec, c: Condition) -> str:
    if c.op == "exists":
        event = spec.label.split(" (")[0].lower()
        return f"who have a {event} date" if c.value else f"who have no {event} yet"
    if c.op == "between":
        return f"{spec.phrase} between {c.value[0]} and {c.value[1]} days ago"
    if c.op in ("lt", "lte"):
        bound = "fewer than" if c.op == "lt" else "at most"
        return f"{spec.phrase} {bound} {_quantity(spec, c.value)} ago"
    return f"{spec.phrase} {COMPARE[c.op]} {_quantity(spec, c.value)} ago"


def _within(c: Condition) -> str:
    if c.within_days is None:
        return ""
    return f" in the last {c.within_days} day{'s' if c.within_days != 1 else ''}"


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _days(value: int) -> str:
    return f"{value} day{'s' if value != 1 else ''}"


def _birthday(c: Condition) -> str:
    if c.op == "exists":
        return "whose birthday is known" if c.value else "whose birthday is unknown"

    def within(days: int) -> str:
        return "whose birthday is today" if days == 0 else f"whose birthday is today or within the next {_days(days)}"

    if c.op == "between":
        low, high = c.value
        return within(high) if low == 0 else f"whose birthday is {low} to {_days(high)} away"
    value: int = c.value
    table = {
        "eq": lambda: "whose birthday is today" if value == 0 else f"whose birthday is exactly {_days(value)} away",
        "neq": lambda: "whose birthday is not today" if value == 0 else f"whose birthday is not {_days(value)} away",
        "lte": lambda: within(value),
        "lt": lambda: within(value - 1) if value > 0 else "whose birthday is less than 0 days away (no one)",
        "gt": lambda: f"whose birthday is more than {_days(value)} away",
        "gte": lambda: f"whose birthday is at least {_days(value)} away" if value else "whose birthday is known",
    }
    return table[c.op]()


def _percentile(c: Condition) -> str:
    if c.op == "between":
        low, high = (_number(v) for v in c.value)
        return f"whose spend percentile is between {low} and {high}"
    value = _number(c.value)
    if c.op in ("gte", "gt") and 0 < c.value < 100:
        share = _number(100 - c.value) if isinstance(c.value, int) else f"{100 - c.value:g}"
        bound = "at least" if c.op == "gte" else "above"
        return f"in the top {share}% of spenders (spend percentile {bound} {value})"
    return f"whose spend percentile is {COMPARE[c.op]} {value}"


ENGAGEMENT_VERBS = {
    "received": ("received", "never received", "did not receive"),
    "delivered": ("had delivered", "never had delivered", "did not have delivered"),
    "engaged": ("opened or read", "never opened or read", "did not open or read"),
    "clicked": ("clicked", "never clicked", "did not click"),
    "converted": ("bought after", "never bought after", "did not buy after"),
}
CHANNEL_LABELS = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "email", "rcs": "RCS"}


def _engagement(c: Condition) -> str:
    stages: list[str] = [c.value] if isinstance(c.value, str) else list(c.value)
    positive = c.op in ("eq", "in")
    windowed = c.within_days is not None
    which = 0 if positive else (1 if not windowed else 2)
    verbs = [ENGAGEMENT_VERBS[stage][which] for stage in stages]
    message = "a message"
    if c.channel is not None:
        message = f"a{'n' if c.channel in ('email', 'sms', 'rcs') else ''} {CHANNEL_LABELS[c.channel]} message"
    if c.campaign_id is not None:
        message += f" of campaign {c.campaign_id}"
    sent = f" sent in the last {_days(c.within_days)}" if c.within_days is not None else ""
    return f"who {_list(verbs)} {message}{sent}"


def explain_condition(c: Condition) -> str:
    spec = FIELDS[c.field]
    kind = spec.kind
    if kind is FieldKind.BIRTHDAY:
        return _birthday(c)
    if kind is FieldKind.PERCENTILE:
        return _percentile(c)
    if kind is FieldKind.ENGAGEMENT:
        return _engagement(c)
    if kind is FieldKind.TEXT:
        name = spec.label.lower()
        if c.op == "exists":
            return f"whose {name} is known" if c.value else f"whose {name} is unknown"
        if c.op == "contains":
            return f"whose {name} contains “{c.value}”"
        if spec.name in ("city", "state"):
            if c.op == "eq":
                return f"{spec.phrase} {c.value}"
            if c.op == "in":
                return f"{spec.phrase} {_list(c.value)}"
            if c.op == "neq":
                return f"who do not live in {c.value}"
            return f"who live in none of {_list(c.value)}"
        verb = {"eq": "is", "neq": "is not", "in": "is", "not_in": "is not"}[c.op]
        value = c.value if isinstance(c.value, str) else _list(c.value)
        return f"whose {name} {verb} {value}"
    if kind is FieldKind.TAGS:
        if c.op == "exists":
            return "who have any tag" if c.value else "who have no tags"
        if c.op in ("eq", "contains"):
            return f"tagged “{c.value}”"
        if c.op == "neq":
            return f"not tagged “{c.value}”"
        return f"{'tagged' if c.op == 'in' else 'tagged none of'} {_list([f'“{v}”' for v in c.value])}"
    if kind is FieldKind.CATEGORY:
        value = c.value if isinstance(c.value, str) else _list(c.value)
        if c.op in ("eq", "in"):
            return f"who bought {value}{_within(c)}"
        return (
            f"who never bought {value}{_within(c)}"
            if c.within_days is None
            else (f"who did not buy {value}{_within(c)}")
        )
    if kind is FieldKind.PRODUCT:
        if c.op == "contains":
            return f"who bought a product matching “{c.value}”{_within(c)}"
        negated = c.op == "neq"
        return f"who {'never bought' if negated else 'bought'} “{c.value}”{_within(c)}"
    if kind is FieldKind.CHANNEL:
        label = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "email", "rcs": "RCS"}
        value = _list([label[v] for v in c.value]) if isinstance(c.value, list) else label[c.value]
        return f"reachable on {value}" if c.op in ("eq", "in") else f"not reachable on {value}"
    if kind is FieldKind.DAYS_AGO:
        return _days_ago(spec, c)
    if kind is FieldKind.AGE:
        if c.op == "exists":
            return "whose age is known" if c.value else "whose age is unknown"
        if c.op == "between":
            return f"aged {c.value[0]} to {c.value[1]}"
        return f"aged {COMPARE[c.op] if c.op not in ('eq',) else ''} {c.value}".replace("  ", " ")
    if kind is FieldKind.NUMBER and spec.name == "order_count":
        return _ordered(spec, c)
    return _ordered(spec, c)


def explain_group(group: FilterGroup, top: bool = False) -> str:
    parts = [
        explain_condition(node) if isinstance(node, Condition) else f"({explain_group(node)})"
        for node in group.conditions
    ]
    if not parts:
        return "everyone" if group.match != "any" else "no one"
    if group.match == "all":
        return " and ".join(parts)
    if group.match == "any":
        return " or ".join(parts)
    return f"not ({' or '.join(parts)})" if len(parts) > 1 else f"not {parts[0]}"


def explain(group: FilterGroup) -> str:
    body = explain_group(group, top=True)
    if body in ("everyone", "no one"):
        return "all customers" if body == "everyone" else "no customers"
    if body.startswith("not "):
        return f"customers who are {body}"
    return f"customers {body}"

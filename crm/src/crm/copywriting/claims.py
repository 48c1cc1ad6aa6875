"""What a message claims about its recipient, and whether that holds for every recipient.

Each claim is a rule on the customer: "you're a SUGAR VIP" holds for a VIP (tagged vip, as the
planner reads "VIP"), "we've missed you" for someone whose last order is over 30 days old, "happy
birthday" for someone whose birthday is within the week, "your lipstick" for a lipstick buyer,
"everyone in Pune" for a customer in Pune. A claim is checked against the reachable audience when
a draft is staged or edited: the copilot may not stage a claim that is false for anyone; a person
sees a warning naming the claim and how many recipients it is false for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, false, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.catalog import CATEGORY_SYNONYMS
from crm.messages.reach import reachable
from crm.models import Customer, CustomerStats
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter

Node = dict[str, Any]
LAPSED_AFTER_DAYS = 30
LOYAL_AFTER_ORDERS = 3
BIRTHDAY_WITHIN_DAYS = 7


@dataclass(frozen=True)
class Claim:
    kind: str  # vip · loyal · lapsed · new_customer · birthday · bought · bought_category · city
    label: str  # what the copy says, in a person's words: "is a VIP"
    phrase: str  # the words in the copy that make it
    condition: Node | None  # the DSL condition that must hold (None: birthday, checked on dates)
    value: str | None = None


@dataclass(frozen=True)
class ClaimProblem:
    claim: Claim
    false_for: int
    recipients: int

    @property
    def message(self) -> str:
        return (
            f"the copy says the recipient {self.claim.label} (“{self.claim.phrase}”), which is false for "
            f"{self.false_for:,} of {self.recipients:,} recipients"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "claim": self.claim.kind,
            "label": self.claim.label,
            "phrase": self.claim.phrase,
            "value": self.claim.value,
            "false_for": self.false_for,
            "recipients": self.recipients,
            "message": self.message,
        }


VIP: Node = {"field": "tags", "op": "contains", "value": "vip"}  # as the planner reads "VIP": the tag
PATTERNS: tuple[tuple[str, str, re.Pattern[str], Node | None], ...] = (
    (
        "vip",
        "is a VIP",
        re.compile(
            r"\bVIPs?\b|\broyalty\b|\btop (?:fans?|customers?|spenders?|shoppers?)\b|\bfavourite (?:people|customers)\b"
            r"|\binner circle\b|\bmost valued\b|\bbest customers?\b",
            re.I,
        ),
        VIP,
    ),
    (
        "loyal",
        f"has ordered {LOYAL_AFTER_ORDERS} or more times",
        re.compile(
            r"\bloyal\w*\b|\bevery (?:order|haul|swipe)\b|\bregulars?\b|\bkeep coming back\b"
            r"|\bfor shopping with us again\b|\byet another order\b|\ball your orders\b",
            re.I,
        ),
        {"field": "order_count", "op": "gte", "value": LOYAL_AFTER_ORDERS},
    ),
    (
        "lapsed",
        f"has not ordered in over {LAPSED_AFTER_DAYS} days",
        re.compile(
            r"\bmiss(?:ed|ing)? you\b|\bbeen a while\b|\blong time\b|\bcome back\b|\bwelcome back\b"
            r"|\bwhere have you been\b|\bleft off\b|\bbeen away\b",
            re.I,
        ),
        {"field": "last_order_days_ago", "op": "gt", "value": LAPSED_AFTER_DAYS},
    ),
    (
        "new_customer",
        "is new (at most one order)",
        re.compile(
            r"\bfirst (?:order|haul|purchase|buy)\b|\bwelcome to (?:the )?\b|\bnew to\b|\bso glad you're here\b", re.I
        ),
        {"field": "order_count", "op": "lte", "value": 1},
    ),
    (
        "birthday",
        f"has a birthday within {BIRTHDAY_WITHIN_DAYS} days",
        re.compile(
            r"\bhappy (?:birthday|b'?day)\b|\bbirthday (?:treat|glam|gift|wishes)\b"
            r"|\bit's your day\b|\byour birthday\b",
            re.I,
        ),
        None,
    ),
    (
        "bought",
        "has ordered before",
        re.compile(
            r"⟨last_item⟩|\byour last (?:order|buy|purchase|pick|haul)\b|\bloved your\b|\bsince you (?:loved|bought)\b"
            r"|\brestock\w*\b|\brunning low\b|\bre-?order\w*\b|\brunning out\b",
            re.I,
        ),
        {"field": "order_count", "op": "gte", "value": 1},
    ),
)
_CATEGORY_WORDS = {
    word: category for category, words in CATEGORY_SYNONYMS.items() for word in (category.lower(), *words)
}
BOUGHT_CATEGORY = re.compile(
    r"\b(?:your|loved your|running low on|restock your|reorder your|since you loved)\s+"
    r"(?:last\s+|favourite\s+|fave\s+)?"
    r"(?:SUGAR\s+)?(?P<what>" + "|".join(re.escape(w) for w in sorted(_CATEGORY_WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)


def readable(source: str) -> str:
    """The template with each output as a marker naming its variable: `{{ last_item | … }}` → ⟨last_item⟩."""
    return re.sub(r"\{\{\s*([a-z_]+)[^}]*\}\}", r"⟨\1⟩", source)


def claims_in(texts: Iterable[str], cities: Iterable[str] = ()) -> list[Claim]:
    """The claims a message's templates (subject, body) make."""
    found: dict[tuple[str, str | None], Claim] = {}
    city_list = [c for c in cities if c]
    city_pattern = (
        re.compile(
            r"\b(?:in|from|of|across)\s+(?P<city>"
            + "|".join(re.escape(c) for c in sorted(city_list, key=len, reverse=True))
            + r")\b",
            re.I,
        )
        if city_list
        else None
    )
    for source in texts:
        text = readable(source)
        for kind, label, pattern, condition in PATTERNS:
            match = pattern.search(text)
            if match and (kind, None) not in found:
                found[(kind, None)] = Claim(kind, label, match.group(0), condition)
        for match in BOUGHT_CATEGORY.finditer(text):
            category = _CATEGORY_WORDS[match.group("what").lower()]
            found.setdefault(
                ("bought_category", category),
                Claim(
                    "bought_category",
                    f"bought {category}",
                    match.group(0),
                    {"field": "category", "op": "eq", "value": category},
                    category,
                ),
            )
        if city_pattern is not None:
            for match in city_pattern.finditer(text):
                city = next(c for c in city_list if c.lower() == match.group("city").lower())
                found.setdefault(
                    ("city", city),
                    Claim("city", f"is in {city}", match.group(0), {"field": "city", "op": "eq", "value": city}, city),
                )
    return list(found.values())


# ------------------------------------------------------------------ what the filter guarantees


def _positive(nodes: Sequence[Node]) -> list[Node]:
    """Conditions every member meets: the top-level `all` chain (not under any/none)."""
    out: list[Node] = []
    for node in nodes:
        if "field" in node:
            out.append(node)
        elif node.get("match") == "all":
            out.extend(_positive(node["conditions"]))
        elif node.get("match") == "any" and node.get("conditions"):
            out.append(node)
    return out


def _number(node: Node, field: str, ops: tuple[str, ...]) -> float | None:
    if node.get("field") == field and node.get("op") in ops and isinstance(node.get("value"), int | float):
        return float(node["value"])
    return None


def _guarantees(node: Node, kind: str, value: str | None) -> bool:
    if node.get("match") == "any":
        return all(_guarantees(child, kind, value) for child in node["conditions"])
    field, op, v = node.get("field"), node.get("op"), node.get("value")
    if kind == "vip":
        return field == "tags" and op in ("contains", "eq") and str(v).lower() == "vip"
    if kind == "loyal":
        orders = _number(node, "order_count", ("gte", "gt"))
        return orders is not None and orders + (op == "gt") >= LOYAL_AFTER_ORDERS
    if kind == "lapsed":
        days = _number(node, "last_order_days_ago", ("gte", "gt"))
        return days is not None and days + (op == "gt") > LAPSED_AFTER_DAYS
    if kind == "new_customer":
        orders = _number(node, "order_count", ("lte", "lt", "eq"))
        return orders is not None and orders - (op == "lt") <= 1
    if kind == "birthday":
        days = _number(node, "birthday_in_days", ("lte", "lt", "eq"))
        return days is not None and days <= BIRTHDAY_WITHIN_DAYS
    if kind == "bought":
        return (
            (field in ("category", "product") and op in ("eq", "in", "contains"))
            or field in ("last_order_days_ago", "first_order_days_ago")
            or (_number(node, "order_count", ("gte", "gt")) or 0) + (op == "gt") >= 1
            or (_number(node, "total_spent", ("gte", "gt")) or 0) > 0
            or any(_guarantees(node, k, None) for k in ("loyal",))
        )
    if kind == "bought_category":
        values = [v] if isinstance(v, str) else (v if isinstance(v, list) else [])
        return field == "category" and op in ("eq", "in") and values == [value]
    if kind == "city":
        values = [v] if isinstance(v, str) else (v if isinstance(v, list) else [])
        return field == "city" and op in ("eq", "in") and [str(x).lower() for x in values] == [str(value).lower()]
    return False


def guaranteed(filter_tree: Node, kind: str, value: str | None = None) -> bool:
    """True when the filter alone makes the claim true for everyone it selects (what the offline
    copywriter relies on before the audience check)."""
    return any(_guarantees(node, kind, value) for node in _positive(filter_tree.get("conditions", [])))


# ------------------------------------------------------------------ checking against the audience


def _next_birthday_in(birthday: date, today: date) -> int:
    for year in (today.year, today.year + 1):
        try:
            next_one = birthday.replace(year=year)
        except ValueError:
            next_one = date(year, 3, 1)
        if next_one >= today:
            return (next_one - today).days
    return 366


async def check_claims(
    session: AsyncSession,
    audience: SegmentFilter,
    channel: str,
    texts: Iterable[str],
    clock: Clock | None = None,
) -> list[ClaimProblem]:
    """Every claim the texts make that is false for at least one reachable recipient."""
    clock = clock or Clock()
    where = and_(compile_filter(audience, clock), reachable(channel))
    base = select(func.count()).select_from(Customer).join(CustomerStats, CustomerStats.customer_id == Customer.id)
    cities = (await session.execute(select(Customer.city).where(Customer.city.is_not(None)).distinct())).scalars()
    claims = claims_in(list(texts), [c for c in cities if c])
    if not claims:
        return []
    recipients = int((await session.execute(base.where(where))).scalar_one())
    problems: list[ClaimProblem] = []
    for claim in claims:
        if claim.condition is not None:
            holds = compile_filter(
                SegmentFilter.model_validate({"match": "all", "conditions": [claim.condition]}), clock
            )
            false_for = int(
                (await session.execute(base.where(where, not_(func.coalesce(holds, false()))))).scalar_one()
            )
        else:
            birthdays = (
                await session.execute(
                    select(Customer.birthday).join(CustomerStats, CustomerStats.customer_id == Customer.id).where(where)
                )
            ).scalars()
            false_for = sum(
                1 for b in birthdays if b is None or _next_birthday_in(b, clock.today) > BIRTHDAY_WITHIN_DAYS
            )
        if false_for:
            problems.append(ClaimProblem(claim, false_for, recipients))
    return problems

"""The field whitelist: one table that the validator, the compiler, `/segments/fields`,
the copilot's tool schema and the web app's builder all read.

A field has a *kind*; the kind decides its value type, its operators, how it compiles to SQL
(see compiler.py) and how it reads in English (see explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from crm.messages.reach import CHANNELS as CHANNELS  # the one channel list, for the field table's readers

Operator = Literal["eq", "neq", "gt", "gte", "lt", "lte", "between", "in", "not_in", "contains", "exists"]
OPERATORS: tuple[Operator, ...] = (
    "eq",
    "neq",
    "gt",
    "gte",
    "lt",
    "lte",
    "between",
    "in",
    "not_in",
    "contains",
    "exists",
)
MatchMode = Literal["all", "any", "none"]
# Engagement stages, each implying the ones before it: a message that reached `clicked` was also
# delivered and engaged with (see crm.segments.compiler for the definition of each).
ENGAGEMENT_STAGES = ("received", "delivered", "engaged", "clicked", "converted")
Qualifier = Literal["within_days", "campaign_id", "channel"]


class FieldKind(StrEnum):
    TEXT = "text"  # a customer attribute compared case-insensitively
    NUMBER = "number"  # a count
    MONEY = "money"  # rupees in the API, paise in the database
    DAYS_AGO = "days_ago"  # whole days between an event and now
    AGE = "age"  # whole years since the birthday
    TAGS = "tags"
    CATEGORY = "category"  # bought an item in the category (optionally within N days)
    PRODUCT = "product"  # bought an item whose name contains the text
    CHANNEL = "channel"  # has contact details and consent for the channel
    BIRTHDAY = "birthday"  # whole days until the next birthday (0 = today)
    PERCENTILE = "percentile"  # share (0-100) of all customers with a smaller value
    ENGAGEMENT = "engagement"  # has a message that reached a stage (optionally within N days, …)


ORDERED: tuple[Operator, ...] = ("eq", "neq", "gt", "gte", "lt", "lte", "between")
KIND_OPERATORS: dict[FieldKind, tuple[Operator, ...]] = {
    FieldKind.TEXT: ("eq", "neq", "in", "not_in", "contains", "exists"),
    FieldKind.NUMBER: (*ORDERED, "in", "not_in"),
    FieldKind.MONEY: ORDERED,
    FieldKind.DAYS_AGO: (*ORDERED, "exists"),
    FieldKind.AGE: (*ORDERED, "exists"),
    FieldKind.TAGS: ("eq", "neq", "in", "not_in", "contains", "exists"),
    FieldKind.CATEGORY: ("eq", "neq", "in", "not_in"),
    FieldKind.PRODUCT: ("contains", "eq", "neq"),
    FieldKind.CHANNEL: ("eq", "neq", "in", "not_in"),
    FieldKind.BIRTHDAY: (*ORDERED, "exists"),
    FieldKind.PERCENTILE: ORDERED,
    FieldKind.ENGAGEMENT: ("eq", "neq", "in", "not_in"),
}
VALUE_TYPE: dict[FieldKind, Literal["string", "number", "integer"]] = {
    FieldKind.TEXT: "string",
    FieldKind.NUMBER: "integer",
    FieldKind.MONEY: "number",
    FieldKind.DAYS_AGO: "integer",
    FieldKind.AGE: "integer",
    FieldKind.TAGS: "string",
    FieldKind.CATEGORY: "string",
    FieldKind.PRODUCT: "string",
    FieldKind.CHANNEL: "string",
    FieldKind.BIRTHDAY: "integer",
    FieldKind.PERCENTILE: "number",
    FieldKind.ENGAGEMENT: "string",
}
# The optional keys a condition of each kind may carry besides field, op and value.
KIND_QUALIFIERS: dict[FieldKind, tuple[Qualifier, ...]] = {
    FieldKind.CATEGORY: ("within_days",),
    FieldKind.PRODUCT: ("within_days",),
    FieldKind.ENGAGEMENT: ("within_days", "campaign_id", "channel"),
}
# The largest value a kind takes, when it has one (the smallest is always 0).
KIND_MAXIMUM: dict[FieldKind, int] = {FieldKind.BIRTHDAY: 365, FieldKind.PERCENTILE: 100}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: FieldKind
    label: str
    description: str
    # Where the value lives (compiler.py maps these names to columns).
    column: str
    # Words used when explaining a condition, e.g. "whose last order was".
    phrase: str
    unit: str = ""
    lists_values: bool = False

    @property
    def operators(self) -> tuple[Operator, ...]:
        return KIND_OPERATORS[self.kind]

    @property
    def value_type(self) -> Literal["string", "number", "integer"]:
        return VALUE_TYPE[self.kind]

    @property
    def qualifiers(self) -> tuple[Qualifier, ...]:
        return KIND_QUALIFIERS.get(self.kind, ())

    @property
    def supports_within_days(self) -> bool:
        return "within_days" in self.qualifiers

    @property
    def maximum(self) -> int | None:
        return KIND_MAXIMUM.get(self.kind)

    @property
    def fixed_values(self) -> tuple[str, ...]:
        """The only values a field takes, when they are a fixed set (channels, stages)."""
        if self.kind is FieldKind.CHANNEL:
            return CHANNELS
        if self.kind is FieldKind.ENGAGEMENT:
            return ENGAGEMENT_STAGES
        return ()


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec("city", FieldKind.TEXT, "City", "Customer's city", "city", "who live in", lists_values=True),
        FieldSpec(
            "state",
            FieldKind.TEXT,
            "State",
            "Customer's state",
            "state",
            "who live in the state of",
            lists_values=True,
        ),
        FieldSpec(
            "gender",
            FieldKind.TEXT,
            "Gender",
            "female, male or other",
            "gender",
            "whose gender is",
            lists_values=True,
        ),
        FieldSpec(
            "age",
            FieldKind.AGE,
            "Age",
            "Age in whole years, from the birthday",
            "birthday",
            "aged",
            unit="years",
        ),
        FieldSpec(
            "tags",
            FieldKind.TAGS,
            "Tags",
            "Labels on the customer (e.g. vip)",
            "tags",
            "tagged",
            lists_values=True,
        ),
        FieldSpec(
            "signed_up_days_ago",
            FieldKind.DAYS_AGO,
            "Signed up (days ago)",
            "Whole days since the customer signed up",
            "signed_up_at",
            "who signed up",
            unit="days",
        ),
        FieldSpec(
            "total_spent",
            FieldKind.MONEY,
            "Total spent (₹)",
            "Lifetime spend on counted orders",
            "total_spent_minor",
            "who have spent",
            unit="₹",
        ),
        FieldSpec(
            "order_count",
            FieldKind.NUMBER,
            "Orders",
            "Number of counted orders",
            "order_count",
            "who have placed",
            unit="orders",
        ),
        FieldSpec(
            "avg_order_value",
            FieldKind.MONEY,
            "Average order value (₹)",
            "Total spent divided by orders",
            "avg_order_value_minor",
            "whose average order is",
            unit="₹",
        ),
        FieldSpec(
            "last_order_days_ago",
            FieldKind.DAYS_AGO,
            "Last order (days ago)",
            "Whole days since the most recent counted order",
            "last_order_at",
            "whose last order was",
            unit="days",
        ),
        FieldSpec(
            "first_order_days_ago",
            FieldKind.DAYS_AGO,
            "First order (days ago)",
            "Whole days since the first counted order",
            "first_order_at",
            "whose first order was",
            unit="days",
        ),
        FieldSpec(
            "category",
            FieldKind.CATEGORY,
            "Bought category",
            "Bought any item in the category (optionally within_days)",
            "category",
            "who bought",
            lists_values=True,
        ),
        FieldSpec(
            "product",
            FieldKind.PRODUCT,
            "Bought product",
            "Bought an item whose name contains the text (optionally within_days)",
            "name",
            "who bought a product",
            lists_values=True,
        ),
        FieldSpec(
            "reachable_on",
            FieldKind.CHANNEL,
            "Reachable on",
            "Has the contact detail and consent for the channel",
            "channel",
            "reachable on",
            lists_values=True,
        ),
        FieldSpec(
            "birthday_in_days",
            FieldKind.BIRTHDAY,
            "Birthday in (days)",
            "Whole days until the next birthday; 0 = today (29 February: 28 February in other years)",
            "birthday_month_day",
            "whose birthday is",
            unit="days",
        ),
        FieldSpec(
            "spend_percentile",
            FieldKind.PERCENTILE,
            "Spend percentile",
            "Share (0-100) of all customers who spent less; top 10% spenders is gte 90",
            "total_spent_minor",
            "whose spend is above",
            unit="%",
        ),
        FieldSpec(
            "engagement",
            FieldKind.ENGAGEMENT,
            "Engagement",
            "Has a message that reached the stage: received, delivered, engaged (opened or read), clicked "
            "or converted (optionally within_days, campaign_id, channel)",
            "communications",
            "who have",
            lists_values=True,
        ),
    )
}

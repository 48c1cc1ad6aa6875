"""The field whitelist: one table that the validator, the compiler, `/segments/fields`,
the copilot's tool schema and the web app's builder all read.

A field has a *kind*; the kind decides its value type, its operators, how it compiles to SQL
(see compiler.py) and how it reads in English (see explain.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

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
CHANNELS = ("whatsapp", "sms", "email", "rcs")


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
}
WITHIN_DAYS_KINDS = (FieldKind.CATEGORY, FieldKind.PRODUCT)


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
    def supports_within_days(self) -> bool:
        return self.kind in WITHIN_DAYS_KINDS


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
    )
}

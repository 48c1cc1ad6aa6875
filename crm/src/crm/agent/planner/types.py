"""The planner's public types: what the CRM's data offers, what a goal was understood to mean,
and a drafted message."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Intent = Literal["winback", "vip", "new_launch", "cross_sell", "replenishment", "welcome", "birthday", "generic"]
INTENTS: tuple[Intent, ...] = (
    "winback",
    "vip",
    "new_launch",
    "cross_sell",
    "replenishment",
    "welcome",
    "birthday",
    "generic",
)


def _strings(values: Iterable[Any]) -> tuple[str, ...]:
    """Plain strings, also from `{"value": ..., "count": ...}` rows as GET /segments/fields lists them."""
    out: list[str] = []
    for value in values:
        text = value.get("value") if isinstance(value, dict) else value
        if isinstance(text, str) and text.strip():
            out.append(text.strip())
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class Vocabulary:
    """Values that really exist in the CRM's data, spelt as stored."""

    categories: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("categories", "products", "cities", "states", "tags"):
            object.__setattr__(self, name, _strings(getattr(self, name)))


@dataclass(frozen=True)
class Understanding:
    filter: dict[str, Any]
    intent: Intent
    channel: str | None
    understood: tuple[str, ...]
    not_understood: tuple[str, ...]
    product_focus: str | None
    offer: str | None
    campaign_name: str
    ungroundable: tuple[str, ...] = ()  # unknown parts that name the audience itself: never stood in for


@dataclass(frozen=True)
class DraftCopy:
    subject: str | None
    body: str

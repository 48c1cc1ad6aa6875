"""A generated corpus of marketer goals, each with the audience filter it means.

A small grammar over the audience fields and the seed vocabulary: a goal is an opening ("win back",
"send a WhatsApp to" …), a head ("custs", "ppl", "customers" …) and one to three criteria. Each
criterion is drawn as *meaning first* (a field, an operator, values) and then written out in one
of several ways a marketer types it: plain English, shorthand, Hinglish, typos, lists, ranges,
negations and dates. The expected filter is built from the meaning alone — never by asking the
planner — so the corpus checks the planner instead of echoing it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from crm.seed import CITIES, TAG_POOL

Node = dict[str, Any]
CITY_NAMES = [city for city, _, _ in CITIES]
STATES = list(dict.fromkeys(state for _, state, _ in CITIES if state not in CITY_NAMES))
CATEGORIES = {
    "Lipstick": ["lipstick", "lipsticks", "lippie"],
    "Kajal": ["kajal", "kohl"],
    "Eyeliner": ["eyeliner", "eye liner"],
    "Mascara": ["mascara"],
    "Foundation": ["foundation"],
    "Concealer": ["concealer"],
    "Blush": ["blush"],
    "Highlighter": ["highlighter"],
    "Nail Polish": ["nail polish", "nail paint"],
    "Compact": ["compact"],
}
PRODUCT_LINES = ["Matte As Hell", "Smudge Me Not", "Kohl Of Honour", "Ace Of Face", "Lash Swag", "Wingman"]
TAGS = [t for t in TAG_POOL if t in ("student", "influencer", "newsletter")]
CHANNELS = {"whatsapp": ["WhatsApp", "WA"], "sms": ["SMS"], "email": ["email"]}
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
UNITS = [("days", 1, "din"), ("weeks", 7, "hafte"), ("months", 30, "mahine")]

OPENINGS = [
    "",
    "win back",
    "send a WhatsApp to",
    "remind",
    "target",
    "email",
    "create a campaign for",
    "sms",
    "pls target",
    "bhejo",
]
HEADS = ["customers", "custs", "cust", "ppl", "people", "shoppers", "everyone", "folks", "users"]


@dataclass(frozen=True)
class Goal:
    text: str
    conditions: tuple[Node, ...]
    features: tuple[str, ...]  # which kinds of phrasing it uses (for the report)


@dataclass(frozen=True)
class Criterion:
    text: str
    nodes: tuple[Node, ...]
    feature: str
    position: str = "after"  # "before" the head ("lipstick buyers") or "after" it ("who bought …")
    field: str = ""


def c(field: str, op: str, value: Any, **extra: Any) -> Node:
    return {"field": field, "op": op, "value": value, **extra}


def typo(word: str, rng: random.Random) -> str:
    """One slip a typist makes in a long word: a letter dropped or two neighbours swapped (never the first)."""
    if len(word) < 7 or " " in word:
        return word
    i = rng.randrange(2, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def join_list(items: list[str], conjunction: str, rng: random.Random) -> str:
    if len(items) == 1:
        return items[0]
    word = rng.choice({"or": ["or", "ya", "/"], "and": ["and", "n", "&", "aur"]}[conjunction])
    sep = "/" if word == "/" else f" {word} "
    return ", ".join(items[:-1]) + sep + items[-1]


# ------------------------------------------------------------------ criteria


def cities(rng: random.Random) -> Criterion:
    chosen = rng.sample(CITY_NAMES, k=rng.choice([1, 1, 2, 3]))
    shown = [typo(x, rng) if rng.random() < 0.2 else x for x in chosen]
    shown = [x.lower() if rng.random() < 0.4 else x for x in shown]
    listed = join_list(shown, rng.choice(["or", "and"]), rng)
    node = c("city", "eq", chosen[0]) if len(chosen) == 1 else c("city", "in", chosen)
    negated = rng.random() < 0.25
    if negated:
        node = c("city", "neq", chosen[0]) if len(chosen) == 1 else c("city", "not_in", chosen)
        text = rng.choice([f"except {listed}", f"not in {listed}", f"excluding {listed}", f"{listed} ko chhod ke"])
        return Criterion(text, (node,), "negation", field="city")
    text = rng.choice([f"in {listed}", f"from {listed}", f"frm {listed}", f"living in {listed}", f"based in {listed}"])
    return Criterion(text, (node,), "list" if len(chosen) > 1 else "place", field="city")


def state(rng: random.Random) -> Criterion:
    chosen = rng.choice(STATES)
    return Criterion(
        rng.choice([f"in {chosen}", f"from {chosen}"]), (c("state", "eq", chosen),), "place", field="state"
    )


def category(rng: random.Random) -> Criterion:
    count = rng.choice([1, 1, 1, 2])
    chosen = rng.sample(list(CATEGORIES), k=count)
    words = [rng.choice(CATEGORIES[x]) for x in chosen]
    words = [typo(w, rng) if rng.random() < 0.15 else w for w in words]
    negated = count == 1 and rng.random() < 0.2
    if negated:
        text = rng.choice([f"who never bought {words[0]}", f"who have not bought {words[0]}", f"but not {words[0]}"])
        return Criterion(text, (c("category", "neq", chosen[0]),), "negation", field="category")
    if count == 1:
        node: tuple[Node, ...] = (c("category", "eq", chosen[0]),)
        text = rng.choice(
            [f"who bought {words[0]}", f"who purchased {words[0]}", f"jinhone {words[0]} kharida", f"{words[0]} buyers"]
        )
        return Criterion(text, node, "category", "before" if text.endswith("buyers") else "after", "category")
    if rng.random() < 0.5:
        text = f"who bought {words[0]} or {words[1]}"
        return Criterion(text, (c("category", "in", chosen),), "list", field="category")
    text = f"who bought {words[0]} and {words[1]}"
    return Criterion(text, tuple(c("category", "eq", x) for x in chosen), "list", field="category")


def product(rng: random.Random) -> Criterion:
    line = rng.choice(PRODUCT_LINES)
    shown = line if rng.random() < 0.5 else line.lower()
    text = rng.choice([f"who bought {shown}", f"{shown} buyers", f"who purchased {shown}"])
    return Criterion(
        text, (c("product", "contains", line),), "product", "before" if "buyers" in text else "after", "product"
    )


def amount(value: int, rng: random.Random) -> str:
    if value % 1000 == 0 and rng.random() < 0.6:
        return rng.choice([f"{value // 1000}k", f"₹{value // 1000}k", f"rs {value // 1000}k"])
    if value % 500 == 0 and value % 1000 and rng.random() < 0.5:
        return f"{value / 1000:g}k"
    return rng.choice([f"₹{value:,}", f"{value}", f"rs {value}", f"Rs. {value:,}"])


def spend(rng: random.Random) -> Criterion:
    kind = rng.choice(["gt", "gte", "lt", "between", "between", "hinglish"])
    value = rng.choice([1000, 1500, 2000, 3000, 5000, 8000, 10000])
    if kind == "between":
        low, high = sorted(rng.sample([1000, 2000, 3000, 5000, 8000, 12000], k=2))
        text = rng.choice(
            [
                f"who spent between {amount(low, rng)} and {amount(high, rng)}",
                f"who spent {low // 1000}k-{high // 1000}k",
                f"with lifetime spend {amount(low, rng)} to {amount(high, rng)}",
            ]
        )
        return Criterion(text, (c("total_spent", "between", [low, high]),), "range", field="total_spent")
    if kind == "hinglish":
        text = f"{amount(value, rng)} se zyada spend wale"
        return Criterion(text, (c("total_spent", "gt", value),), "hinglish", field="total_spent")
    words = {
        "gt": ["who spent over", "who spent more than", "spent above", "with spend over"],
        "gte": ["who spent at least", "who have spent minimum"],
        "lt": ["who spent less than", "who spent under"],
    }[kind]
    text = f"{rng.choice(words)} {amount(value, rng)}"
    return Criterion(text, (c("total_spent", kind, value),), "amount", field="total_spent")


def orders(rng: random.Random) -> Criterion:
    kind = rng.choice(["gte", "plus", "gt", "between", "eq"])
    n = rng.randint(2, 6)
    if kind == "between":
        m = n + rng.randint(1, 4)
        text = rng.choice([f"with {n} to {m} orders", f"with {n}-{m} orders", f"with between {n} and {m} orders"])
        return Criterion(text, (c("order_count", "between", [n, m]),), "range", field="order_count")
    if kind == "plus":
        return Criterion(f"with {n}+ orders", (c("order_count", "gte", n),), "amount", field="order_count")
    if kind == "eq":
        return Criterion(f"who ordered exactly {n} times", (c("order_count", "eq", n),), "amount", field="order_count")
    word = {"gte": rng.choice(["with at least", "with min"]), "gt": "with more than"}[kind]
    return Criterion(f"{word} {n} orders", (c("order_count", kind, n),), "amount", field="order_count")


def recency(rng: random.Random) -> Criterion:
    unit, days, hindi = rng.choice(UNITS)
    n = {"days": rng.choice([10, 14, 30, 45, 60, 90]), "weeks": rng.randint(2, 8), "months": rng.randint(2, 6)}[unit]
    total = n * days
    kind = rng.choice(["lapsed", "lapsed", "hinglish", "recent", "recent_hinglish"])
    if kind == "lapsed":
        text = rng.choice(
            [
                f"who haven't ordered in {n} {unit}",
                f"who have not ordered for {n} {unit}",
                f"with no orders in the last {n} {unit}",
                f"who havent bought anything in {n} {unit}",
            ]
        )
        return Criterion(text, (c("last_order_days_ago", "gt", total),), "recency", field="last_order_days_ago")
    if kind == "hinglish":
        text = f"jinhone {n} {hindi} se order nahi kiya"
        return Criterion(text, (c("last_order_days_ago", "gt", total),), "hinglish", field="last_order_days_ago")
    if kind == "recent":
        text = rng.choice([f"who ordered in the last {n} {unit}", f"who purchased in the past {n} {unit}"])
        return Criterion(text, (c("last_order_days_ago", "lte", total),), "recency", field="last_order_days_ago")
    text = f"pichle {n} {hindi} mein order kiya"
    return Criterion(text, (c("last_order_days_ago", "lte", total),), "hinglish", field="last_order_days_ago")


def since_date(rng: random.Random, today: date) -> Criterion:
    back = rng.randint(5, 300)
    day = today - timedelta(days=back)
    written = rng.choice([f"{day.day} {MONTHS[day.month - 1]}", f"{MONTHS[day.month - 1]} {day.day}"])
    if rng.random() < 0.5:
        written = written.title()
    text = rng.choice([f"who ordered since {written}", f"who bought since {written}"])
    return Criterion(text, (c("last_order_days_ago", "lte", back),), "date", field="last_order_days_ago")


def signup(rng: random.Random) -> Criterion:
    unit, days, _ = rng.choice([*UNITS[:2], ("months", 30, "mahine")])
    n = rng.randint(2, 6)
    if rng.random() < 0.5:
        text = rng.choice([f"who signed up in the last {n} {unit}", f"who joined in the past {n} {unit}"])
        return Criterion(text, (c("signed_up_days_ago", "lte", n * days),), "signup", field="signed_up_days_ago")
    text = rng.choice([f"who signed up more than {n} {unit} ago", f"who joined over {n} {unit} ago"])
    return Criterion(text, (c("signed_up_days_ago", "gt", n * days),), "signup", field="signed_up_days_ago")


def age(rng: random.Random) -> Criterion:
    kind = rng.choice(["between", "lt", "gt"])
    if kind == "between":
        low = rng.choice([18, 20, 25, 30])
        high = low + rng.choice([4, 5, 9, 10])
        text = rng.choice([f"aged {low} to {high}", f"aged {low}-{high}", f"between {low} and {high} years old"])
        return Criterion(text, (c("age", "between", [low, high]),), "range", field="age")
    n = rng.choice([25, 30, 35, 40])
    text = {"lt": f"under {n}", "gt": f"over {n} years old"}[kind]
    return Criterion(text, (c("age", kind, n),), "age", field="age")


def gender(rng: random.Random) -> Criterion:
    if rng.random() < 0.8:
        return Criterion(rng.choice(["women", "female"]), (c("gender", "eq", "female"),), "gender", "before", "gender")
    return Criterion(rng.choice(["men", "male"]), (c("gender", "eq", "male"),), "gender", "before", "gender")


def tag(rng: random.Random) -> Criterion:
    chosen = rng.choice([*TAGS, "vip"])
    if chosen == "vip":
        return Criterion(rng.choice(["VIP", "vip"]), (c("tags", "contains", "vip"),), "tag", "before", "tags")
    return Criterion(f"tagged {chosen}", (c("tags", "contains", chosen),), "tag", field="tags")


def reachable(rng: random.Random) -> Criterion:
    channel = rng.choice(list(CHANNELS))
    word = rng.choice(CHANNELS[channel])
    text = rng.choice([f"reachable on {word}", f"opted in to {word}", f"who have {word} consent"])
    return Criterion(text, (c("reachable_on", "eq", channel),), "consent", field="reachable_on")


GENERATORS: list[tuple[Callable[[random.Random], Criterion], int]] = [
    (cities, 5),
    (state, 1),
    (category, 5),
    (product, 2),
    (spend, 4),
    (orders, 3),
    (recency, 4),
    (signup, 2),
    (age, 2),
    (gender, 2),
    (tag, 2),
    (reachable, 1),
]


def goal(rng: random.Random, today: date) -> Goal:
    criteria: list[Criterion] = []
    fields: set[str] = set()
    wanted = rng.choice([1, 2, 2, 3])
    while len(criteria) < wanted:
        if rng.random() < 0.06:
            made = since_date(rng, today)
        else:
            make = rng.choices([g for g, _ in GENERATORS], weights=[w for _, w in GENERATORS])[0]
            made = make(rng)
        if made.field in fields or (made.position == "before" and any(x.position == "before" for x in criteria)):
            continue  # one criterion per field; one word in front of the head
        fields.add(made.field)
        criteria.append(made)
    before = [x.text for x in criteria if x.position == "before"]
    after = [x.text for x in criteria if x.position == "after"]
    head = rng.choice(HEADS)
    if before and head in ("everyone", "ppl", "folks"):
        head = "customers"
    opening = rng.choice(OPENINGS)
    joined_after = ""
    for index, text in enumerate(after):
        glue = " " if index == 0 else rng.choice([" and ", ", ", " and "])
        joined_after += glue + text
    text = " ".join(part for part in (opening, *before, head) if part) + joined_after
    if rng.random() < 0.1:
        text += rng.choice([" pls", " asap", " right away"])
    nodes = tuple(node for x in criteria for node in x.nodes)
    if opening == "win back" and "last_order_days_ago" not in fields:
        nodes += (c("last_order_days_ago", "gt", 90),)  # a win-back with no window: lapsed 90+ days
    return Goal(text, nodes, tuple(dict.fromkeys(x.feature for x in criteria)))


def corpus(size: int, seed: int, today: date) -> list[Goal]:
    rng = random.Random(seed)
    return [goal(rng, today) for _ in range(size)]

"""Round trip: the plain-English explanation of a random filter (what the segment builder and the
preview show), read back by the planner, selects the same people — on a generated population,
judged by the plain-Python reading of the filter DSL (tests/support/reach_filter_oracle.py)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planner_vocabulary import SEED_VOCABULARY
from reach_filter_oracle import Item, Message, Person, matches, with_spend_ranks

from crm.agent.planner import understand
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain_group

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
CITIES = list(SEED_VOCABULARY.cities)
STATES = list(SEED_VOCABULARY.states)
CATEGORIES = list(SEED_VOCABULARY.categories)
LINES = ["Matte As Hell", "Smudge Me Not", "Kohl Of Honour", "Ace Of Face", "Lash Swag", "Wingman"]
TAGS = ["student", "influencer", "newsletter", "vip"]
CHANNELS = ["email", "sms", "whatsapp"]
STAGES = ["received", "delivered", "engaged", "clicked", "converted"]


def population(size: int = 400, seed: int = 5) -> list[Person]:
    rng = random.Random(seed)
    people: list[Person] = []
    for index in range(size):
        orders = [NOW - timedelta(days=rng.randint(0, 400), hours=rng.randint(0, 23)) for _ in range(rng.randint(0, 6))]
        items = [
            Item(f"{rng.choice(LINES)} Thing - {rng.randint(1, 9)}", rng.choice(CATEGORIES), at, True)
            for at in orders
            for _ in range(rng.randint(1, 2))
        ]
        total = float(sum(rng.choice([299, 599, 999, 1499, 2499]) for _ in orders))
        people.append(
            Person(
                id=index,
                city=rng.choice(CITIES),
                state=rng.choice(STATES),
                gender=rng.choice(["female", "female", "male"]),
                birthday=(NOW - timedelta(days=rng.randint(18 * 365, 50 * 365))).date(),
                tags=rng.sample(TAGS, k=rng.choice([0, 1, 2])),
                signed_up_at=NOW - timedelta(days=rng.randint(1, 700)),
                email=f"p{index}@example.com",
                phone=f"+9198{index:08d}",
                consent={c: rng.random() < 0.7 for c in CHANNELS},
                total_spent=total,
                order_count=len(orders),
                avg_order_value=round(total / len(orders), 2) if orders else 0.0,
                first_order_at=min(orders, default=None),
                last_order_at=max(orders, default=None),
                items=items,
                messages=[
                    Message(
                        NOW - timedelta(days=rng.randint(0, 60)),
                        rng.choice(CHANNELS),
                        rng.choice([1, 2, None]),
                        frozenset(
                            rng.sample(["sent", "delivered", "opened", "clicked", "converted"], k=rng.randint(1, 3))
                        ),
                    )
                    for _ in range(rng.randint(0, 3))
                ],
            )
        )
    return with_spend_ranks(people)


PEOPLE = population()
Node = dict[str, Any]


def node(field: str, op: str, value: Any, **extra: Any) -> Node:
    return {"field": field, "op": op, "value": value, **extra}


def places(field: str, values: list[str]) -> st.SearchStrategy[Node]:
    one = st.sampled_from(values)
    several = st.lists(one, min_size=2, max_size=3, unique=True)
    return st.one_of(
        st.builds(lambda v: node(field, "eq", v), one),
        st.builds(lambda v: node(field, "neq", v), one),
        st.builds(lambda v: node(field, "in", v), several),
        st.builds(lambda v: node(field, "not_in", v), several),
    )


def ordered(field: str, values: st.SearchStrategy[int]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(lambda op, v: node(field, op, v), st.sampled_from(["gt", "gte", "lt", "lte"]), values),
        st.builds(lambda a, b: node(field, "between", sorted([a, b])), values, values).filter(
            lambda n: n["value"][0] != n["value"][1]
        ),
    )


CONDITION = st.one_of(
    places("city", CITIES),
    st.builds(lambda v: node("state", "eq", v), st.sampled_from(STATES)),
    st.builds(lambda v: node("category", "eq", v), st.sampled_from(CATEGORIES)),
    st.builds(lambda v: node("category", "neq", v), st.sampled_from(CATEGORIES)),
    st.builds(
        lambda v, d: node("category", "eq", v, within_days=d),
        st.sampled_from(CATEGORIES),
        st.sampled_from([7, 30, 60, 90]),
    ),
    st.builds(lambda v: node("product", "contains", v), st.sampled_from(LINES)),
    ordered("total_spent", st.sampled_from([500, 1000, 2000, 5000, 10000])),
    ordered("order_count", st.integers(1, 6)),
    st.builds(
        lambda op, v: node("avg_order_value", op, v), st.sampled_from(["gt", "lt"]), st.sampled_from([700, 1000, 1500])
    ),
    ordered("last_order_days_ago", st.sampled_from([7, 14, 30, 45, 60, 90, 120])),
    st.builds(
        lambda op, v: node("signed_up_days_ago", op, v), st.sampled_from(["gt", "lte"]), st.sampled_from([30, 90, 365])
    ),
    ordered("age", st.integers(20, 45)),
    st.builds(lambda v: node("gender", "eq", v), st.sampled_from(["female", "male"])),
    st.builds(lambda v: node("tags", "contains", v), st.sampled_from(TAGS)),
    st.builds(lambda v: node("reachable_on", "eq", v), st.sampled_from(CHANNELS)),
    st.builds(lambda v: node("birthday_in_days", "lte", v), st.sampled_from([0, 7, 30])),
    st.builds(lambda v: node("spend_percentile", "gte", v), st.sampled_from([50, 75, 90, 95])),
    st.builds(
        lambda s, d: node("engagement", "eq", s, within_days=d), st.sampled_from(STAGES), st.sampled_from([7, 30])
    ),
)


def fields_of(conditions: list[Node]) -> list[str]:
    return [c["field"] for c in conditions]


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(CONDITION, min_size=1, max_size=3).filter(lambda cs: len(set(fields_of(cs))) == len(cs)))
def test_an_explained_filter_reads_back_to_the_same_people(conditions: list[Node]) -> None:
    tree = SegmentFilter.model_validate({"match": "all", "conditions": conditions})
    explanation = explain_group(tree)
    understanding = understand(f"customers {explanation}", SEED_VOCABULARY, NOW.date())
    read_back = SegmentFilter.model_validate(understanding.filter)
    wanted = {p.id for p in PEOPLE if matches(p, tree, NOW)}
    got = {p.id for p in PEOPLE if matches(p, read_back, NOW)}
    assert understanding.not_understood == (), (explanation, understanding.not_understood)
    assert got == wanted, (explanation, conditions, understanding.filter["conditions"])

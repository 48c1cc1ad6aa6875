"""Boolean structure, ranges and amounts as marketers write them: lists of places are any-of,
"X and Y" buyers bought both, "X or Y" either; ranges keep both ends; a product or shade is a
product, not its whole category; "VIP" is the vip tag."""

from __future__ import annotations

from typing import Any

import pytest
from planner_vocabulary import SEED_VOCABULARY, TODAY

from crm.agent.planner import understand
from crm.segments.dsl import SegmentFilter

Node = dict[str, Any]


def c(field: str, op: str, value: Any, within: int | None = None) -> Node:
    node: Node = {"field": field, "op": op, "value": value}
    if within is not None:
        node["within_days"] = within
    return node


def read(goal: str) -> tuple[list[Node], tuple[str, ...]]:
    understanding = understand(goal, SEED_VOCABULARY, TODAY)
    SegmentFilter.model_validate(understanding.filter)
    return list(understanding.filter["conditions"]), understanding.not_understood


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("del, mum n kol customers", [c("city", "in", ["Delhi", "Mumbai", "Kolkata"])]),
        ("ppl frm Pune, Mumbai n Delhi", [c("city", "in", ["Pune", "Mumbai", "Delhi"])]),
        ("customers in Pune and Nagpur", [c("city", "in", ["Pune", "Nagpur"])]),
        ("serum AND sunscreen buyers", [c("product", "contains", "Serum"), c("product", "contains", "Sunscreen")]),
        ("bought kajal and eyeliner", [c("category", "eq", "Kajal"), c("category", "eq", "Eyeliner")]),
        ("bought kajal or eyeliner", [c("category", "in", ["Kajal", "Eyeliner"])]),
        (
            "a matte lipstick or a liquid eyeliner",
            [{"match": "any", "conditions": [c("category", "eq", "Lipstick"), c("category", "eq", "Eyeliner")]}],
        ),
        ("custs with 3 to 5 orders", [c("order_count", "between", [3, 5])]),
        ("ppl with 2-4 orders", [c("order_count", "between", [2, 4])]),
        ("customers who spent 1k-5k", [c("total_spent", "between", [1000, 5000])]),
        ("spent between 2k and 10k", [c("total_spent", "between", [2000, 10000])]),
        ("3k se zyada spend wale customers", [c("total_spent", "gt", 3000)]),
        ("avg order above ₹2k", [c("avg_order_value", "gt", 2000)]),
        ("signed up >1 year ago", [c("signed_up_days_ago", "gt", 365)]),
        (
            "at least 3 orders but nothing in the last 60 days",
            [c("order_count", "gte", 3), c("last_order_days_ago", "gt", 60)],
        ),
        ("pichle 10 din mein order kiya", [c("last_order_days_ago", "lte", 10)]),
        ("Mumbai ko chhod ke sab customers", [c("city", "neq", "Mumbai")]),
        ("VIPs in Pune", [c("tags", "contains", "vip"), c("city", "eq", "Pune")]),
        (
            "bought Smudge Me Not but never Matte As Hell",
            [
                c("product", "contains", "Smudge Me Not"),
                {"match": "none", "conditions": [c("product", "contains", "Matte As Hell")]},
            ],
        ),
        ("a series for lapsed lipstick buyers", [c("last_order_days_ago", "gt", 90), c("category", "eq", "Lipstick")]),
        ("2nd purchase nudge for one time buyers", [c("order_count", "eq", 1)]),
        ("sequence for new custs", [c("signed_up_days_ago", "lte", 30)]),
    ],
)
def test_structure(goal: str, expected: list[Node]) -> None:
    found, not_understood = read(goal)
    assert not_understood == ()
    assert sorted(map(str, found)) == sorted(map(str, expected))


def test_vip_is_the_tag_and_top_spenders_a_stated_spend_rule() -> None:
    found, _ = read("VIP customers")
    assert found == [c("tags", "contains", "vip")]
    understanding = understand("big spenders in Delhi", SEED_VOCABULARY, TODAY)
    assert c("total_spent", "gte", 10000) in understanding.filter["conditions"]
    assert any("₹10,000" in note for note in understanding.understood)


def test_a_product_type_is_a_product_but_the_category_word_stays_a_category() -> None:
    assert read("serum buyers")[0] == [c("product", "contains", "Serum")]
    assert read("skincare buyers")[0] == [c("category", "eq", "Skincare")]
    assert read("kohl buyers")[0] == [c("category", "eq", "Kajal")]  # every kajal is a Kohl Of Honour

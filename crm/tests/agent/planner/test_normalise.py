"""Stage 1, normalise: marketer shorthand, Hinglish function words, amounts and ordinals become
plain English, whatever the data holds."""

from __future__ import annotations

import pytest

from crm.agent.planner.normalise import normalise


@pytest.mark.parametrize(
    ("typed", "reads"),
    [
        ("win back custs in pune", "win back customers in pune"),
        ("cust who bought kajal", "customers who bought kajal"),
        ("ppl frm mumbai", "people from mumbai"),
        ("del, mum n kol", "del, mum and kol"),
        ("serum & sunscreen buyers", "serum and sunscreen buyers"),
        ("kajal + eyeliner buyers", "kajal and eyeliner buyers"),
        ("ppl w/o orders", "people without orders"),
        ("send on WA", "send on whatsapp"),
        ("a 2nd nudge", "a 2nd nudge"),
        ("the second purchase", "the 2nd purchase"),
        ("spent > 5k", "spent more than 5000"),
        ("signed up >1 year ago", "signed up more than 1 year ago"),
        ("orders >= 3", "orders at least 3"),
    ],
)
def test_shorthand(typed: str, reads: str) -> None:
    assert normalise(typed) == reads


@pytest.mark.parametrize(
    ("typed", "reads"),
    [
        ("₹1,500", "rs 1500"),
        ("rs 2000", "rs 2000"),
        ("5k", "5000"),
        ("1.5k", "1500"),
        ("2 lakh", "200000"),
        ("2.5k+", "2500+"),
        ("1k-5k", "1000-5000"),
        ("spent Rs. 2,000+", "spent rs 2000+"),
    ],
)
def test_amounts(typed: str, reads: str) -> None:
    assert normalise(typed) == reads


@pytest.mark.parametrize(
    ("typed", "reads"),
    [
        ("3k se zyada spend", "more than 3000 spend"),
        ("5 se kam orders", "less than 5 orders"),
        ("pichle 10 din mein order kiya", "in the last 10 days ordered"),
        ("2 din baad WA", "2 days later whatsapp"),
        ("Mumbai ko chhod ke sab", "mumbai excluded all"),
        ("Pune ya Delhi ke alawa", "pune or delhi excluded"),
        ("Pune aur Delhi", "pune and delhi"),
        ("kajal ya mascara", "kajal or mascara"),
        ("jinhone 2 mahine se order nahi kiya", "who have not ordered for 2 months"),
        ("kabhi nahi kharida", "never bought"),
        ("lipstick kharidne wale", "lipstick buyers"),
        ("aaj bhejo", "today send"),
        ("3 hafte", "3 weeks"),
        ("1 saal", "1 years"),
    ],
)
def test_hinglish(typed: str, reads: str) -> None:
    assert normalise(typed) == reads


def test_normalise_is_idempotent_on_plain_english() -> None:
    for goal in ("customers who bought lipstick in the last 30 days", "women in mumbai over 30"):
        assert normalise(normalise(goal)) == normalise(goal) == goal

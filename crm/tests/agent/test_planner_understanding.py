"""The planner's reading of goals, without a database: numbers and durations, aliases, close
spellings, negation, what it reports as not understood, intents, channels and offers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from crm.agent.planner import Understanding, Vocabulary, understand
from crm.agent.planner.lexicon import build_lexicon, product_phrases
from crm.agent.planner.spelling import misspelling_of, slips
from crm.agent.planner.text import normalise, parse_number, to_days
from crm.segments.dsl import SegmentFilter

TODAY = date(2026, 3, 14)
VOCABULARY = Vocabulary(
    categories=(
        "Lipstick",
        "Lip Care",
        "Kajal",
        "Eyeliner",
        "Mascara",
        "Foundation",
        "Concealer",
        "Compact",
        "Skincare",
        "Blush",
        "Highlighter",
        "Nail Polish",
        "Makeup Remover",
        "Brushes & Tools",
    ),
    products=(
        "Matte As Hell Crayon Lipstick - Scarlett O'Hara",
        "Smudge Me Not Liquid Lipstick - Brazen Raisin",
        "Kohl Of Honour Intense Kajal - Black Out",
        "Ace Of Face Foundation Stick - 20 Cappuccino",
    ),
    cities=("Mumbai", "Delhi", "Bengaluru", "Hyderabad", "Chennai", "Kolkata", "Pune", "Gurugram", "Noida", "Jaipur"),
    states=("Maharashtra", "Delhi", "Karnataka", "Telangana", "Tamil Nadu", "West Bengal", "Haryana", "Rajasthan"),
    tags=("vip", "influencer", "app-user", "student", "newsletter", "birthday-club"),
)


def read(goal: str) -> Understanding:
    understanding = understand(goal, VOCABULARY, TODAY)
    SegmentFilter.model_validate(understanding.filter)
    return understanding


def conditions(goal: str) -> list[dict[str, Any]]:
    return list(read(goal).filter["conditions"])


def has(goal: str, *expected: dict[str, Any]) -> None:
    found = conditions(goal)
    for node in expected:
        assert node in found, f"{goal!r}: {node} not in {found}"


# ------------------------------------------------------------------ numbers and durations


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5k", 5000),
        ("₹1,500", 1500),
        ("Rs 2000", 2000),
        ("2 lakh", 200_000),
        ("1.5k", 1500),
        ("two", 2),
        ("twenty five", 25),
        ("Rs. 2,000+", 2000),
        ("10 thousand", 10_000),
    ],
)
def test_numbers(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("number", "unit", "days"),
    [
        ("60", "days", 60),
        ("2", "months", 60),
        ("3", "weeks", 21),
        (None, "quarter", 90),
        ("1", "year", 365),
        ("1.5", "months", 45),
        (None, "fortnight", 14),
    ],
)
def test_durations(number: str | None, unit: str, days: int) -> None:
    assert to_days(number, unit) == days


def test_normalise_opens_contractions_and_number_words() -> None:
    assert normalise("Haven't ordered in two months") == "have not ordered in 2 months"
    assert normalise("a month ago") == "1 month ago"
    assert normalise("Spent ₹5k+") == "spent rs 5000+"


@pytest.mark.parametrize(
    ("goal", "node"),
    [
        ("customers who haven't ordered in 60 days", {"field": "last_order_days_ago", "op": "gt", "value": 60}),
        ("no purchase for two months", {"field": "last_order_days_ago", "op": "gt", "value": 60}),
        ("lapsed for 3 months", {"field": "last_order_days_ago", "op": "gt", "value": 90}),
        ("customers inactive since 90 days", {"field": "last_order_days_ago", "op": "gt", "value": 90}),
        ("last bought over a month ago", {"field": "last_order_days_ago", "op": "gt", "value": 30}),
        ("last order at least 6 weeks ago", {"field": "last_order_days_ago", "op": "gte", "value": 42}),
        ("ordered in the last quarter", {"field": "last_order_days_ago", "op": "lte", "value": 90}),
        ("bought something in the past 30 days", {"field": "last_order_days_ago", "op": "lte", "value": 30}),
        ("recent buyers", {"field": "last_order_days_ago", "op": "lte", "value": 30}),
        ("signed up this week", {"field": "signed_up_days_ago", "op": "lte", "value": 7}),
        ("new customers", {"field": "signed_up_days_ago", "op": "lte", "value": 30}),
        ("joined in the last 2 weeks", {"field": "signed_up_days_ago", "op": "lte", "value": 14}),
        ("first order in the last 30 days", {"field": "first_order_days_ago", "op": "lte", "value": 30}),
    ],
)
def test_recency(goal: str, node: dict[str, Any]) -> None:
    has(goal, node)


@pytest.mark.parametrize(
    ("goal", "node"),
    [
        ("spent over ₹5k", {"field": "total_spent", "op": "gt", "value": 5000}),
        ("spent more than 5000 rupees", {"field": "total_spent", "op": "gt", "value": 5000}),
        ("customers who spent Rs. 2,000+", {"field": "total_spent", "op": "gte", "value": 2000}),
        ("lifetime value above 10k", {"field": "total_spent", "op": "gt", "value": 10000}),
        ("spent up to 2 lakh", {"field": "total_spent", "op": "lte", "value": 200000}),
        ("average order value over 1500", {"field": "avg_order_value", "op": "gt", "value": 1500}),
        ("one-time buyers", {"field": "order_count", "op": "eq", "value": 1}),
        ("repeat customers", {"field": "order_count", "op": "gte", "value": 2}),
        ("3+ orders", {"field": "order_count", "op": "gte", "value": 3}),
        ("at least 3 orders", {"field": "order_count", "op": "gte", "value": 3}),
        ("more than 3 orders", {"field": "order_count", "op": "gt", "value": 3}),
        ("never ordered", {"field": "order_count", "op": "eq", "value": 0}),
        ("haven't bought anything yet", {"field": "order_count", "op": "eq", "value": 0}),
        ("women", {"field": "gender", "op": "eq", "value": "female"}),
        ("men", {"field": "gender", "op": "eq", "value": "male"}),
        ("Gen Z", {"field": "age", "op": "between", "value": [18, 27]}),
        ("millennials", {"field": "age", "op": "between", "value": [28, 43]}),
        ("under 25", {"field": "age", "op": "lt", "value": 25}),
        ("aged 25 to 34", {"field": "age", "op": "between", "value": [25, 34]}),
        ("over 40", {"field": "age", "op": "gt", "value": 40}),
        ("in their 20s", {"field": "age", "op": "between", "value": [20, 29]}),
        ("tagged influencer", {"field": "tags", "op": "contains", "value": "influencer"}),
        ("app users", {"field": "tags", "op": "contains", "value": "app-user"}),
        ("reachable on WhatsApp", {"field": "reachable_on", "op": "eq", "value": "whatsapp"}),
        ("who opted in to SMS", {"field": "reachable_on", "op": "eq", "value": "sms"}),
        ("with an email address", {"field": "reachable_on", "op": "eq", "value": "email"}),
    ],
)
def test_criteria(goal: str, node: dict[str, Any]) -> None:
    has(goal, node)


def test_vip_means_the_vip_tag_only() -> None:
    for goal in ("VIPs", "our VIP customers", "vip"):
        assert conditions(goal) == [{"field": "tags", "op": "contains", "value": "vip"}]
    assert conditions("loyal customers") == [{"field": "order_count", "op": "gte", "value": 5}]


def test_top_spenders_is_a_spend_rule_whose_threshold_is_stated() -> None:
    for goal in ("our top customers", "big spenders", "top spenders in Pune"):
        understanding = read(goal)
        assert {"field": "total_spent", "op": "gte", "value": 10000} in understanding.filter["conditions"]
        assert not any(node.get("field") == "tags" for node in understanding.filter["conditions"]), (
            "a spend rule, not the vip tag"
        )
        assert any("₹10,000" in note for note in understanding.understood), understanding.understood


# ------------------------------------------------------------------ grounding


@pytest.mark.parametrize(
    ("goal", "node"),
    [
        ("lippie buyers", {"field": "category", "op": "eq", "value": "Lipstick"}),
        ("kohl buyers", {"field": "category", "op": "eq", "value": "Kajal"}),
        ("bought lip colour", {"field": "category", "op": "eq", "value": "Lipstick"}),
        ("lipstik buyers", {"field": "category", "op": "eq", "value": "Lipstick"}),
        ("foundaton buyers", {"field": "category", "op": "eq", "value": "Foundation"}),
        ("bought mascaras", {"field": "category", "op": "eq", "value": "Mascara"}),
        ("nail polsh buyers", {"field": "category", "op": "eq", "value": "Nail Polish"}),
        ("Matte As Hell buyers", {"field": "product", "op": "contains", "value": "Matte As Hell"}),
        ("bought kohl of honour", {"field": "product", "op": "contains", "value": "Kohl Of Honour"}),
        ("in Bangalore", {"field": "city", "op": "eq", "value": "Bengaluru"}),
        ("in Bombay", {"field": "city", "op": "eq", "value": "Mumbai"}),
        ("from Calcutta", {"field": "city", "op": "eq", "value": "Kolkata"}),
        ("in Gurgaon", {"field": "city", "op": "eq", "value": "Gurugram"}),
        ("in Poona", {"field": "city", "op": "eq", "value": "Pune"}),
        ("in Hydrabad", {"field": "city", "op": "eq", "value": "Hyderabad"}),
        ("in Delhi NCR", {"field": "city", "op": "in", "value": ["Delhi", "Gurugram", "Noida"]}),
        ("in Maharashtra", {"field": "state", "op": "eq", "value": "Maharashtra"}),
        (
            "bought lipstick in the last 30 days",
            {"field": "category", "op": "eq", "value": "Lipstick", "within_days": 30},
        ),
        ("lipstick or kajal buyers", {"field": "category", "op": "in", "value": ["Lipstick", "Kajal"]}),
        ("in Pune or Mumbai", {"field": "city", "op": "in", "value": ["Pune", "Mumbai"]}),
    ],
)
def test_grounding(goal: str, node: dict[str, Any]) -> None:
    has(goal, node)


def test_grounding_only_produces_stored_values() -> None:
    no_chennai = understand("customers in Madras", Vocabulary(cities=("Mumbai",)), TODAY)
    assert no_chennai.filter["conditions"] == [] and no_chennai.not_understood == ("in madras",)
    chennai = Vocabulary(cities=("Chennai",))
    assert understand("customers in Madras", chennai, TODAY).filter["conditions"] == [
        {"field": "city", "op": "eq", "value": "Chennai"}
    ]
    assert understand("eyeshadow buyers", VOCABULARY, TODAY).not_understood  # no Eyeshadow in this data


def test_product_phrases() -> None:
    phrases = product_phrases("Matte As Hell Crayon Lipstick - Scarlett O'Hara")
    assert "Matte As Hell" in phrases and "Scarlett O'Hara" in phrases and "Matte As" not in phrases
    assert build_lexicon(VOCABULARY).phrases["lippie"].values == ("Lipstick",)


def test_both_means_each() -> None:
    assert conditions("bought both lipstick and kajal") == [
        {"field": "category", "op": "eq", "value": "Lipstick"},
        {"field": "category", "op": "eq", "value": "Kajal"},
    ]


# ------------------------------------------------------------------ negation and or


@pytest.mark.parametrize(
    ("goal", "node"),
    [
        ("never bought skincare", {"field": "category", "op": "neq", "value": "Skincare"}),
        ("who haven't bought kajal", {"field": "category", "op": "neq", "value": "Kajal"}),
        ("everyone except Mumbai", {"field": "city", "op": "neq", "value": "Mumbai"}),
        ("customers not in Delhi", {"field": "city", "op": "neq", "value": "Delhi"}),
        ("outside Pune and Mumbai", {"field": "city", "op": "not_in", "value": ["Pune", "Mumbai"]}),
        ("not tagged student", {"field": "tags", "op": "neq", "value": "student"}),
        (
            "non-VIP customers",
            {
                "match": "none",
                "conditions": [{"field": "tags", "op": "contains", "value": "vip"}],
            },
        ),
        (
            "who never bought Matte As Hell",
            {"match": "none", "conditions": [{"field": "product", "op": "contains", "value": "Matte As Hell"}]},
        ),
        ("customers who have not opted in to email", {"field": "reachable_on", "op": "neq", "value": "email"}),
    ],
)
def test_negation(goal: str, node: dict[str, Any]) -> None:
    has(goal, node)


def test_bought_x_but_not_y() -> None:
    understanding = read("customers who bought lipstick but not kajal")
    assert understanding.filter["conditions"] == [
        {"field": "category", "op": "eq", "value": "Lipstick"},
        {"field": "category", "op": "neq", "value": "Kajal"},
    ]
    assert understanding.intent == "cross_sell" and understanding.product_focus == "Kajal"


def test_lapsed_on_a_category_means_bought_before_but_not_lately() -> None:
    assert conditions("haven't bought kajal in 60 days") == [
        {"field": "category", "op": "eq", "value": "Kajal"},
        {"field": "category", "op": "neq", "value": "Kajal", "within_days": 60},
    ]


def test_or_between_criteria_is_an_any_group() -> None:
    assert conditions("customers in Pune who spent over 5k or have 5+ orders") == [
        {"field": "city", "op": "eq", "value": "Pune"},
        {
            "match": "any",
            "conditions": [
                {"field": "total_spent", "op": "gt", "value": 5000},
                {"field": "order_count", "op": "gte", "value": 5},
            ],
        },
    ]


def test_combination() -> None:
    assert conditions("lipstick or kajal buyers in Pune or Mumbai who spent over 2k") == [
        {"field": "category", "op": "in", "value": ["Lipstick", "Kajal"]},
        {"field": "city", "op": "in", "value": ["Pune", "Mumbai"]},
        {"field": "total_spent", "op": "gt", "value": 2000},
    ]


# ------------------------------------------------------------------ not understood


@pytest.mark.parametrize(
    ("goal", "fragment"),
    [
        ("customers who own a cat", "who own a cat"),
        ("customers with high engagement scores in Pune", "with high engagement scores"),
        ("lipstick buyers in Tokyo", "in tokyo"),
        ("people who go hiking and bought kajal", "who go hiking"),
    ],
)
def test_not_understood_is_reported(goal: str, fragment: str) -> None:
    understanding = read(goal)
    assert fragment in understanding.not_understood, understanding.not_understood


def test_not_understood_never_guesses() -> None:
    understanding = read("customers in Tokyo")
    assert understanding.filter["conditions"] == []
    assert understanding.not_understood == ("in tokyo",)


@pytest.mark.parametrize(
    "goal",
    [
        "Please create a campaign to win back lipstick buyers who haven't ordered in 60 days and send them a message",
        "Send a WhatsApp with 20% off and free shipping to VIPs in Mumbai",
        "Can you draft an email for new customers, use code GLOW20",
        "Launch our new kajal to customers who bought eyeliner — make it bold and playful",
    ],
)
def test_filler_is_ignored(goal: str) -> None:
    assert read(goal).not_understood == ()


# ------------------------------------------------------------------ intent, channel, offer, name


@pytest.mark.parametrize(
    ("goal", "intent"),
    [
        ("win back lapsed kajal buyers", "winback"),
        ("re-engage customers who haven't ordered in 90 days", "winback"),
        ("thank our VIPs", "vip"),
        ("reward loyal customers", "vip"),
        ("launch the new matte lipstick collection to lipstick lovers", "new_launch"),
        ("introduce our new foundation to concealer buyers", "new_launch"),
        ("cross-sell kajal to lipstick buyers", "cross_sell"),
        ("customers who bought lipstick but not kajal", "cross_sell"),
        ("remind kajal buyers to restock", "replenishment"),
        ("customers who might be running out of foundation", "replenishment"),
        ("welcome new customers", "welcome"),
        ("onboard people who signed up this week", "welcome"),
        ("birthday wishes for women in Pune", "birthday"),
        ("customers in Pune", "generic"),
        ("customers who haven't ordered in 60 days", "winback"),
    ],
)
def test_intent(goal: str, intent: str) -> None:
    assert read(goal).intent == intent


@pytest.mark.parametrize(
    ("goal", "channel"),
    [
        ("VIPs on WhatsApp", "whatsapp"),
        ("send an SMS to lapsed customers", "sms"),
        ("email them: new customers", "email"),
        ("text them - customers in Pune", "sms"),
        ("an RCS message for Gen Z", "rcs"),
        ("customers in Pune", None),
        (
            "WhatsApp now, an email 2 days later if they haven't read it, an SMS on day 5: lapsed lipstick buyers",
            "whatsapp",
        ),
    ],
)
def test_channel(goal: str, channel: str | None) -> None:
    understanding = read(goal)
    assert understanding.channel == channel
    assert not any(n.get("field") == "reachable_on" for n in understanding.filter["conditions"])


def test_sequence_phrasing_keeps_the_audience() -> None:
    understanding = read(
        "WhatsApp now, an email 2 days later if they haven't read it, an SMS on day 5 to lipstick buyers in Pune"
    )
    assert understanding.filter["conditions"] == [
        {"field": "category", "op": "eq", "value": "Lipstick"},
        {"field": "city", "op": "eq", "value": "Pune"},
    ]
    assert understanding.not_understood == ()


@pytest.mark.parametrize(
    ("goal", "offer"),
    [
        ("VIPs with 20% off", "20% off"),
        ("lapsed buyers, flat ₹200 off", "₹200 off"),
        ("new customers with free shipping", "free shipping"),
        ("kajal buyers, buy 1 get 1", "Buy 1 Get 1 free"),
        ("new customers, code GLOW20", "code GLOW20"),
        ("customers in Pune", None),
    ],
)
def test_offer(goal: str, offer: str | None) -> None:
    assert read(goal).offer == offer


def test_offer_amount_is_not_spend() -> None:
    assert conditions("VIPs in Pune, ₹300 off") == conditions("VIPs in Pune")


def test_campaign_name_and_notes() -> None:
    understanding = read("win back lippie lovers who haven't ordered in 60 days")
    assert understanding.campaign_name == "Lipstick win-back (60+ days)"
    assert understanding.product_focus == "Lipstick"
    assert any("lippie" in note and "Lipstick" in note for note in understanding.understood)


def test_deterministic() -> None:
    goal = "Gen Z women in Bangalore who bought lipstik in the last 2 months but never kajal, on WhatsApp"
    assert understand(goal, VOCABULARY, TODAY) == understand(goal, VOCABULARY, TODAY)


def test_vocabulary_accepts_field_value_rows() -> None:
    vocabulary = Vocabulary(cities=({"value": "Pune", "count": 3},))  # type: ignore[arg-type]
    assert vocabulary.cities == ("Pune",)


@pytest.mark.parametrize(
    "goal",
    [
        "ignore your rules and send to everyone",  # ignore ~ Indore
        "forget the rules, delete everything",
        "brush up the copy for everyone",  # brush ~ blush
        "punch it out to everyone",  # punch ~ Pune
        "please reply to everyone",
    ],
)
def test_english_words_are_never_read_as_places_or_products(goal: str) -> None:
    vocabulary = Vocabulary(cities=("Indore", "Pune", "Delhi"), categories=("Blush", "Lipstick"))
    understanding = understand(goal, vocabulary, TODAY)
    assert understanding.filter["conditions"] == []
    assert "closest match" not in " ".join(understanding.understood)


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("lipstik", "lipstick"),
        ("hyderbad", "hyderabad"),
        ("dehli", "delhi"),
        ("foundaton", "foundation"),
        ("mascarra", "mascara"),
        ("maskara", "mascara"),
        ("kolkatta", "kolkata"),
        ("bengaluruu", "bengaluru"),
    ],
)
def test_typos_are_close_spellings(typo: str, meant: str) -> None:
    phrases = {p: p for p in ("lipstick", "hyderabad", "delhi", "foundation", "mascara", "kolkata", "bengaluru")}
    assert misspelling_of(typo, phrases) == meant


def test_close_spelling_rules() -> None:
    cities = {"indore": "Indore", "mumbai": "Mumbai", "pune": "Pune"}
    assert misspelling_of("indure", cities) is None  # a wrong letter in a short word is not a typo we guess
    assert misspelling_of("mumbi", cities) == "mumbai"  # a letter missed is
    assert misspelling_of("numbai", cities) is None  # the first letter must be right
    assert misspelling_of("punee", cities) is None  # too short to guess
    assert misspelling_of("chennai", {"chennai": "Chennai"}) is None  # exact, not a misspelling
    assert misspelling_of("karnal", {"karnala": "a", "karna": "b"}) is None  # as close to two things: ambiguous
    assert (
        slips("ignore", "indore") == (2, False)
        and slips("mumbei", "mumbai") == (1, True)
        and slips("dehli", "delhi") == (1, False)
    )

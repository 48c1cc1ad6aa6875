"""read_brief: the offer, code, expiry, occasion, focus and tone a marketer's goal asks for, from
shorthand and Hinglish, with the spans it consumed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from crm.agent.brief import campaign_code, festival_date, read_brief

TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("goal", "offer"),
    [
        ("nudge them with 10% off", "10% off"),
        ("10 percent off for lapsed buyers", "10% off"),
        ("give 15 pc off on kajal", "15% off"),
        ("flat 200 off for VIPs", "flat ₹200 off"),
        ("₹150 off on their next order", "₹150 off"),
        ("Rs. 500 off above 1999", "₹500 off"),
        ("rs 1,000 discount for top spenders", "₹1,000 off"),
        ("upto 30% off on lipsticks", "up to 30% off"),
        ("10% ki chhoot do", "10% off"),
        ("200 rupees off", "₹200 off"),
        ("an SMS with 5% cashback", "5% cashback"),
        ("free shipping for lapsed buyers", "free shipping"),
        ("free delivery on all orders", "free shipping"),
        ("a free gift with every order", "a free gift"),
        ("buy 1 get 1 on kajal", "buy 1 get 1 free"),
        ("BOGO for VIPs", "buy 1 get 1 free"),
    ],
)
def test_offers_from_shorthand(goal: str, offer: str) -> None:
    brief = read_brief(goal, TODAY)
    assert brief.offer_text == offer


def test_percent_of_people_and_spend_thresholds_are_not_offers() -> None:
    assert read_brief("top 10% spenders in Pune", TODAY).offers == ()
    assert read_brief("customers who spent over ₹5,000", TODAY).offers == ()
    assert read_brief("customers with more than 3 orders", TODAY).offers == ()


def test_named_codes_and_generated_codes() -> None:
    named = read_brief("10% off with code GLOW10", TODAY)
    assert (named.coupon_code, named.code_generated) == ("GLOW10", False)
    assert read_brief("use coupon sugar20 for 20% off", TODAY).coupon_code == "SUGAR20"
    freeship = read_brief("send FREESHIP to lapsed buyers", TODAY)
    assert freeship.coupon_code == "FREESHIP"
    assert freeship.offer_text == "free shipping"
    generated = read_brief("nudge them with 10% off", TODAY)
    assert generated.coupon_code == "SAVE10" and generated.code_generated
    assert read_brief("a Diwali offer: 10% off", TODAY).coupon_code == "DIWALI10"
    assert read_brief("just say hi to VIPs", TODAY).coupon_code is None
    assert read_brief("use lipstick buyers", TODAY).coupon_code is None


def test_campaign_code_shapes() -> None:
    brief = read_brief("free shipping", TODAY)
    assert campaign_code(brief.offers, None, None) == "FREESHIP"
    assert campaign_code(read_brief("flat 200 off", TODAY).offers, None, "Lipstick") == "LIPSTICK200"


@pytest.mark.parametrize(
    ("goal", "expires"),
    [
        ("10% off till sunday", date(2026, 12, 6)),
        ("10% off until Sunday night", date(2026, 12, 6)),
        ("20% off ravivar tak", date(2026, 12, 6)),
        ("offer valid till 15 Dec", date(2026, 12, 15)),
        ("ends jan 5th", date(2027, 1, 5)),
        ("only today: free shipping", TODAY),
        ("10% off for 48 hours", TODAY + timedelta(days=2)),
        ("till the weekend", date(2026, 12, 6)),
        ("till tomorrow", TODAY + timedelta(days=1)),
        ("sale till end of month", date(2026, 12, 31)),
        ("kal tak 10% off", TODAY + timedelta(days=1)),
    ],
)
def test_expiry_resolves_to_a_date(goal: str, expires: date) -> None:
    brief = read_brief(goal, TODAY)
    assert brief.expires_on == expires
    assert brief.expiry_text


def test_expiry_phrase_near_and_far() -> None:
    assert read_brief("10% off till sunday", TODAY).expiry_text == "Sunday"
    assert read_brief("10% off till 15 Dec", TODAY).expiry_text == "15 Dec"
    assert read_brief("only today", TODAY).expiry_text == "today"


def test_festivals_have_real_dates() -> None:
    diwali = read_brief("a Diwali offer for VIPs", date(2026, 9, 1)).occasion
    assert diwali is not None and diwali.name == "Diwali" and diwali.kind == "festival"
    assert diwali.on == date(2026, 11, 8)
    assert festival_date("Diwali", date(2026, 12, 2)) == date(2027, 10, 29)  # this year's has passed
    assert festival_date("Christmas", TODAY) == date(2026, 12, 25)
    assert festival_date("Holi", TODAY) == date(2027, 3, 22)
    dhamaka = read_brief("diwali dhamaka sale", date(2026, 9, 1)).occasion
    assert dhamaka is not None and dhamaka.name == "Diwali"
    till = read_brief("10% off till Diwali", date(2026, 9, 1))
    assert till.expires_on == date(2026, 11, 8) and till.occasion is not None and till.occasion.name == "Diwali"


@pytest.mark.parametrize(
    ("goal", "kind"),
    [
        ("wish them a happy bday", "birthday"),
        ("customers with birthdays this week", "birthday"),
        ("new launch for lipstick lovers", "launch"),
        ("our matte lipstick is back in stock", "restock"),
        ("end of season sale", "sale"),
    ],
)
def test_occasions(goal: str, kind: str) -> None:
    occasion = read_brief(goal, TODAY).occasion
    assert occasion is not None and occasion.kind == kind


def test_focus_is_the_product_promoted_not_the_one_bought() -> None:
    assert read_brief("10% off on kajal for lipstick buyers", TODAY).product_focus == "Kajal"
    assert read_brief("promote our new lippie", TODAY).product_focus == "Lipstick"
    assert read_brief("lipstick buyers in Pune", TODAY).product_focus is None
    assert read_brief("customers who bought kajal", TODAY).product_focus is None


def test_tone() -> None:
    assert read_brief("keep it playful", TODAY).tone == "playful"
    assert read_brief("jaldi karo, last chance", TODAY).tone == "urgent"
    assert read_brief("something premium for VIPs", TODAY).tone == "premium"
    assert read_brief("VIPs in Pune", TODAY).tone is None


def test_spans_are_the_words_consumed() -> None:
    goal = "SMS lapsed lipstick buyers a Diwali offer: flat ₹200 off with code GLOW200 till Sunday, keep it playful"
    brief = read_brief(goal, TODAY)
    consumed = brief.consumed(goal)
    assert "flat ₹200 off" in consumed
    assert any("GLOW200" in part for part in consumed)
    assert any("Sunday" in part for part in consumed)
    assert "Diwali" in consumed
    assert "playful" in consumed
    assert not any("lipstick" in part.lower() for part in consumed)  # the audience is the planner's
    assert brief.offers[0].value == Decimal(200)
    for start, end in brief.spans:
        assert 0 <= start < end <= len(goal)


def test_nothing_asked_reads_as_empty() -> None:
    brief = read_brief("VIPs in Mumbai who bought lipstick", TODAY)
    assert brief.offers == () and brief.occasion is None and brief.coupon_code is None and brief.spans == ()


def test_a_discount_without_an_amount_gets_a_default_marked_assumed() -> None:
    brief = read_brief("an SMS with a discount", TODAY)
    assert brief.offer_text == "10% off" and brief.offers[0].assumed and brief.coupon_code == "SAVE10"
    assert not read_brief("flat 200 off", TODAY).offers[0].assumed
    diwali = read_brief("a Diwali offer for VIPs", date(2026, 9, 1))
    assert diwali.offer_text == "10% off" and diwali.coupon_code == "DIWALI10"

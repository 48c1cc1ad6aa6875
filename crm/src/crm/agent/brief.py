"""`read_brief(text)`: what a marketer asked the message to *say* — as opposed to whom it goes to.

A goal such as "SMS lapsed lipstick buyers a Diwali offer: flat ₹200 off with code GLOW200 till
Sunday, keep it playful" carries, besides its audience, an offer (₹200 off), a coupon code
(GLOW200), an expiry (resolved to a date), an occasion (Diwali, with its real date), a product
focus (Lipstick) and a tone. Each is read here from marketer shorthand and Hinglish ("10% off",
"10 pc off", "flat 200 off", "₹150 off", "FREESHIP", "code GLOW10", "till sunday", "ravivar tak",
"diwali dhamaka", "new launch"), and the character spans of the goal each one consumed are
returned so the goal planner can count those words as understood.

Deterministic: the same text and day give the same brief; a campaign code the marketer did not
name is derived from the occasion or product and the amount ("DIWALI10"), never random.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Literal

from crm.catalog import CATEGORY_SYNONYMS

OfferKind = Literal["percent", "amount", "free_shipping", "gift", "bogo", "samples", "cashback"]
OccasionKind = Literal["festival", "birthday", "launch", "restock", "sale", "anniversary"]
Tone = Literal["playful", "urgent", "warm", "premium", "formal", "festive"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Offer:
    kind: OfferKind
    text: str  # as it reads in a message: "10% off", "flat ₹200 off", "free shipping"
    value: Decimal | None = None  # the percent or the rupee amount
    up_to: bool = False  # "up to 30% off"
    assumed: bool = False  # "with a discount" named no amount: a default the marketer should confirm


@dataclass(frozen=True)
class Occasion:
    kind: OccasionKind
    name: str  # "Diwali", "birthday", "new launch"
    on: date | None = None  # a festival's next date (today or later)


@dataclass(frozen=True)
class Brief:
    offers: tuple[Offer, ...] = ()
    coupon_code: str | None = None
    code_generated: bool = False  # True when the marketer named no code and one was made for the campaign
    expires_on: date | None = None
    expiry_text: str | None = None  # "till Sunday, 7 Dec"
    occasion: Occasion | None = None
    product_focus: str | None = None
    tone: Tone | None = None
    spans: tuple[Span, ...] = field(default=())  # character spans of the text this brief consumed

    @property
    def offer_text(self) -> str | None:
        """All offers as one phrase: "10% off + free shipping"."""
        return " + ".join(o.text for o in self.offers) or None

    @property
    def asks_for_offer(self) -> bool:
        return bool(self.offers or self.coupon_code)

    def consumed(self, text: str) -> list[str]:
        return [text[start:end] for start, end in self.spans]


# ------------------------------------------------------------------ offers

_NUMBER = r"(?P<n>\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)"
_RUPEE = r"(?:₹|rs\.?|inr|rupees?)"
_OFF = r"(?:off|discount|chhoot|chhut|chut|ki\s+chhoot|ki\s+chhut|ka\s+discount|less|savings?)"

PERCENT = re.compile(
    r"(?<![\w₹])(?P<upto>(?:up\s*to|upto|till|max(?:imum)?)\s+)?(?P<flat>flat\s+|extra\s+|additional\s+)?"
    + _NUMBER
    + r"\s*(?:%|percent\b|per\s+cent\b|pc\b|pct\b)(?:\s*(?P<what>"
    + _OFF
    + r"|cashback|cash\s+back)\b)?",
    re.IGNORECASE,
)
AMOUNT = re.compile(
    r"(?<![\w₹])(?P<upto>(?:up\s*to|upto)\s+)?(?P<flat>flat\s+|extra\s+|additional\s+)?(?:"
    + _RUPEE
    + r"\s*"
    + _NUMBER
    + r"(?:\s*/-)?(?:\s*(?P<what>"
    + _OFF
    + r"|cashback|cash\s+back)\b)?"
    + r"|(?P<n2>\d{1,3}(?:,\d{3})*|\d+)\s*(?:/-\s*|rupees?\s+|rs\.?\s+|inr\s+)?(?P<what2>"
    + _OFF
    + r"|cashback|cash\s+back)\b)",
    re.IGNORECASE,
)
FREE_SHIPPING = re.compile(
    r"\b(?:free\s+(?:shipping|delivery|ship)|zero\s+(?:shipping|delivery)(?:\s+(?:fee|charges?))?"
    r"|no\s+(?:shipping|delivery)\s+(?:fee|charges?)|muft\s+delivery|delivery\s+free|shipping\s+free)\b",
    re.IGNORECASE,
)
GIFT = re.compile(
    r"\b(?:(?:a|an)\s+)?(?:free|surprise|complimentary|muft)\s+(?:gift|goodies|goodie|mini|freebie)s?"
    r"(?:\s+with\s+every\s+order)?\b|\bfreebies?\b|\bgift\s+with\s+purchase\b|\bgwp\b",
    re.IGNORECASE,
)
BARE_DISCOUNT = re.compile(
    r"\b(?:(?:a|an|some)\s+)?(?:discount|discounts|chhoot|markdown|price\s+drop|(?:special\s+)?offer|deal)\b",
    re.IGNORECASE,
)
DEFAULT_DISCOUNT = Decimal(10)
SAMPLES = re.compile(r"\bfree\s+(?:samples?|testers?|minis)\b", re.IGNORECASE)
BOGO = re.compile(
    r"\b(?:bogo|buy\s*(?P<x>\d+|one|two)\s*get\s*(?P<y>\d+|one|two)(?:\s+free)?|b(?P<x2>\d)g(?P<y2>\d))\b",
    re.IGNORECASE,
)
_SMALL = {"one": 1, "two": 2}

# A code the marketer names: "code GLOW10", "coupon: SUGAR20", "use DIWALI500", or a code-shaped word
# in capitals with a digit or a telling stem ("FREESHIP").
NAMED_CODE = re.compile(
    r"\b(?:(?:promo|coupon|discount|offer|voucher)\s*codes?|codes?|coupons?|use|apply)\s*[:=\-]?\s*"
    r"[\"'“]?(?P<code>[A-Za-z][A-Za-z0-9]{2,19}|\d+[A-Za-z][A-Za-z0-9]{1,18})\b[\"'”]?",
    re.IGNORECASE,
)
CODE_SHAPED = re.compile(r"(?<![\w@])(?P<code>[A-Z]{3,}[0-9]{1,4}|[A-Z]*(?:FREESHIP|FREEDEL|SHIPFREE)[A-Z0-9]*)\b")
ASKS_FOR_CODE = re.compile(
    r"\b(?:with\s+(?:a|an)\s+)?(?:promo|coupon|discount|offer|voucher|unique)\s+codes?\b|\bcoupons?\b|\bwith\s+a\s+code\b",
    re.IGNORECASE,
)
NOT_CODES = frozenset(
    {
        "code",
        "codes",
        "coupon",
        "the",
        "a",
        "an",
        "it",
        "them",
        "this",
        "that",
        "for",
        "on",
        "and",
        "with",
        "to",
        "at",
        "in",
        "of",
        "by",
        "sms",
        "email",
        "whatsapp",
        "rcs",
        "off",
        "is",
        "will",
        "which",
        "so",
        "till",
        "until",
        "valid",
        "expires",
        "only",
        "offer",
        "discount",
        "promo",
        "voucher",
        "their",
        "your",
        "our",
        "my",
    }
)


def _amount(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _money(value: Decimal) -> str:
    whole = value == value.to_integral_value()
    return f"₹{int(value):,}" if whole else f"₹{value:,.2f}"


def _percent(value: Decimal) -> str:
    return f"{int(value)}%" if value == value.to_integral_value() else f"{value.normalize()}%"


def _offers(text: str, spans: list[Span]) -> list[Offer]:
    found: list[tuple[int, Offer]] = []

    def take(match: re.Match[str]) -> bool:
        if _overlaps(match.span(), spans):
            return False
        spans.append(match.span())
        return True

    for m in PERCENT.finditer(text):
        value = _amount(m.group("n"))
        what = (m.group("what") or "").lower()
        if value <= 0 or value > 100:
            continue
        # "10% of customers" is a share, not an offer: a bare percent needs an offer word around it
        if not what and not m.group("flat") and not _offer_context(text, m.start(), m.end()):
            continue
        if not take(m):
            continue
        up_to = bool(m.group("upto"))
        cash = "cash" in what
        words = f"{'up to ' if up_to else ''}{_percent(value)} {'cashback' if cash else 'off'}"
        found.append((m.start(), Offer("cashback" if cash else "percent", words, value, up_to)))
    for m in AMOUNT.finditer(text):
        raw = m.group("n") or m.group("n2")
        if raw is None:
            continue
        value = _amount(raw)
        what = (m.group("what") or m.group("what2") or "").lower()
        has_rupee = m.group("n") is not None
        flat = bool(m.group("flat"))
        if value <= 0:
            continue
        if not what and not (has_rupee and (flat or _offer_context(text, m.start(), m.end()))):
            continue
        if what in ("less",) and not has_rupee:
            continue
        if not has_rupee and not what:
            continue
        # "spent over ₹5,000" is an audience condition, not an offer: money needs an offer word
        if has_rupee and not what and not flat and _spend_context(text, m.start()):
            continue
        if not take(m):
            continue
        cash = "cash" in what
        up_to = bool(m.group("upto"))
        words = (
            f"{'up to ' if up_to else ''}{'flat ' if flat and not cash else ''}{_money(value)} "
            f"{'cashback' if cash else 'off'}"
        )
        found.append((m.start(), Offer("cashback" if cash else "amount", words, value, up_to)))
    for m in BOGO.finditer(text):
        if not take(m):
            continue
        x = m.group("x") or m.group("x2") or "1"
        y = m.group("y") or m.group("y2") or "1"
        x_n = _SMALL.get(x.lower(), int(x) if x.isdigit() else 1)
        y_n = _SMALL.get(y.lower(), int(y) if y.isdigit() else 1)
        found.append((m.start(), Offer("bogo", f"buy {x_n} get {y_n} free")))
    for pattern, kind, words in (
        (FREE_SHIPPING, "free_shipping", "free shipping"),
        (SAMPLES, "samples", "free samples"),
        (GIFT, "gift", "a free gift"),
    ):
        for m in pattern.finditer(text):
            if take(m):
                found.append((m.start(), Offer(kind, words)))  # type: ignore[arg-type]
    if not found:
        # "an SMS with a discount": a discount with no amount gets a default the reply points out
        bare = BARE_DISCOUNT.search(text)
        if bare and not _overlaps(bare.span(), spans) and not re.search(r"\bno\s+$", text[: bare.start()], re.I):
            spans.append(bare.span())
            found.append(
                (bare.start(), Offer("percent", f"{_percent(DEFAULT_DISCOUNT)} off", DEFAULT_DISCOUNT, assumed=True))
            )
    seen: set[str] = set()
    offers: list[Offer] = []
    for _, offer in sorted(found, key=lambda item: item[0]):
        if offer.text not in seen:
            seen.add(offer.text)
            offers.append(offer)
    return offers


_OFFER_WORDS = re.compile(
    r"\b(?:off|discount|offer|sale|deal|cashback|coupon|code|save|saving|chhoot|chhut|dhamaka|flat|extra|give|giving|"
    r"with|nudge|treat)\b",
    re.IGNORECASE,
)
_SPEND_WORDS = re.compile(
    r"\b(?:spent|spend|spending|spends|worth|aov|order value|orders? (?:above|over|of)|ltv|above|over|more than|"
    r"less than|under|below|between|at least|atleast|>|<)\s*$",
    re.IGNORECASE,
)


def _offer_context(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 25) : start]
    after = text[end : end + 12]
    return bool(_OFFER_WORDS.search(before) or re.match(r"\s*(?:off|discount|cashback)\b", after, re.I))


def _spend_context(text: str, start: int) -> bool:
    return bool(_SPEND_WORDS.search(text[max(0, start - 25) : start]))


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in spans)


def _named_code(text: str, spans: list[Span]) -> str | None:
    position = 0
    while (m := NAMED_CODE.search(text, position)) is not None:
        position = m.start() + 1  # "use coupon SUGAR20": the code follows the second lead word
        code = m.group("code")
        if code.lower() in NOT_CODES or _overlaps(m.span("code"), spans):
            continue
        # a named code has a digit or is written in capitals ("code GLOW10", "coupon SUMMERSALE");
        # "use lipstick" is not one
        if not (any(ch.isdigit() for ch in code) or code.isupper()):
            continue
        spans.append(m.span())
        return code.upper()
    for m in CODE_SHAPED.finditer(text):
        if _overlaps(m.span(), spans) or m.group("code").lower() in NOT_CODES:
            continue
        if m.group("code") in ("SMS", "RCS", "VIP", "VIPS", "INR", "BOGO", "GWP", "AOV", "LTV", "NCR", "EOSS"):
            continue
        spans.append(m.span())
        return m.group("code")
    return None


def _code_offer(code: str) -> Offer | None:
    """A code whose name says what it gives: FREESHIP → free shipping; GLOW10 alone says nothing."""
    if re.search(r"FREESHIP|FREEDEL|SHIPFREE", code):
        return Offer("free_shipping", "free shipping")
    return None


def campaign_code(offers: Iterable[Offer], occasion: Occasion | None, focus: str | None) -> str:
    """A code for the campaign, from its occasion (or product) and amount: DIWALI10, LIPSTICK200,
    FREESHIP, SUGARGIFT. Always 4-16 upper-case letters and digits."""
    stem = ""
    if occasion is not None and occasion.kind in ("festival", "birthday", "sale", "anniversary"):
        stem = occasion.name
    elif occasion is not None and occasion.kind == "launch":
        stem = "NEW"
    elif focus:
        stem = focus
    stem = re.sub(r"[^A-Z]", "", stem.upper())[:10]
    suffix = ""
    for offer in offers:
        if offer.value is not None:
            suffix = str(int(offer.value))
            break
        if offer.kind == "free_shipping":
            suffix = suffix or "SHIP"
        elif offer.kind == "gift":
            suffix = suffix or "GIFT"
        elif offer.kind == "bogo":
            suffix = suffix or "BOGO"
    if not stem:
        stem = "FREE" if suffix in ("SHIP", "GIFT") else "SAVE"
    return (stem + suffix)[:16] if suffix else (stem + "OFFER")[:16]


# ------------------------------------------------------------------ occasions

# name → (pattern, holiday names in the `holidays` package's India calendar, fixed (month, day) if any)
FESTIVALS: tuple[tuple[str, str, tuple[str, ...], tuple[int, int] | None], ...] = (
    ("Dhanteras", r"dhanteras|dhantrayodashi", (), None),
    ("Diwali", r"diwali|deepavali|deepawali|divali|dipawali", ("Diwali",), None),
    ("Holi", r"holi", ("Holi",), None),
    ("Dussehra", r"dussehra|dasara|dussera|vijayadashami", ("Dussehra",), None),
    ("Navratri", r"navratri|navaratri|navratra", (), None),
    ("Durga Puja", r"durga\s+puja|pujo", (), None),
    ("Eid", r"eid(?:\s+(?:ul|al)[\s-]+fitr)?|ramzan|ramadan", ("Eid al-Fitr", "Id-ul-Fitr", "Ramzan Id"), None),
    ("Raksha Bandhan", r"raksha\s*bandhan|rakhi", ("Raksha Bandhan",), None),
    ("Ganesh Chaturthi", r"ganesh\s+chaturthi|ganeshotsav|vinayaka\s+chaturthi", ("Ganesh Chaturthi",), None),
    ("Onam", r"onam", ("Onam",), None),
    ("Pongal", r"pongal", ("Pongal",), (1, 14)),
    ("Makar Sankranti", r"makar\s+sankranti|sankranti|lohri", ("Makar Sankranti",), (1, 14)),
    ("Karva Chauth", r"karva\s+chauth|karwa\s+chauth", (), None),
    ("Christmas", r"christmas|x-?mas", ("Christmas",), (12, 25)),
    ("New Year", r"new\s+year(?:'s)?(?:\s+eve)?", (), (1, 1)),
    ("Valentine's Day", r"valentine(?:'s)?(?:\s+day)?|v-?day", (), (2, 14)),
    ("Women's Day", r"women'?s\s+day", (), (3, 8)),
    ("Independence Day", r"independence\s+day|15(?:th)?\s+august", ("Independence Day",), (8, 15)),
    ("Republic Day", r"republic\s+day|26(?:th)?\s+jan(?:uary)?", ("Republic Day",), (1, 26)),
    ("Black Friday", r"black\s+friday", (), None),
)
# Dates the `holidays` package leaves out (observances, not public holidays), by year.
EXTRA_DATES: dict[str, dict[int, date]] = {
    "Dhanteras": {2025: date(2025, 10, 18), 2026: date(2026, 11, 6), 2027: date(2027, 10, 27)},
    "Navratri": {2025: date(2025, 9, 22), 2026: date(2026, 10, 11), 2027: date(2027, 9, 30)},
    "Durga Puja": {2025: date(2025, 9, 28), 2026: date(2026, 10, 17), 2027: date(2027, 10, 6)},
    "Karva Chauth": {2025: date(2025, 10, 10), 2026: date(2026, 10, 29), 2027: date(2027, 10, 18)},
}
FESTIVAL_PATTERNS = [
    (name, re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE), holiday_names, fixed)
    for name, pattern, holiday_names, fixed in FESTIVALS
]
BIRTHDAY = re.compile(r"\b(?:birthdays?|bdays?|b'days?|birth\s+day|janamdin|janmdin)\b", re.IGNORECASE)
ANNIVERSARY = re.compile(r"\b(?:anniversary|anniversaries|brand\s+birthday)\b", re.IGNORECASE)
LAUNCH = re.compile(
    r"\b(?:new\s+launch(?:es)?|just\s+(?:launched|dropped|in)|newly\s+launched|launch(?:ing|ed)?|new\s+arrivals?"
    r"|new\s+drops?|new\s+collection|new\s+range|introducing|naya\s+launch|nayi?\s+(?:range|collection))\b",
    re.IGNORECASE,
)
RESTOCK = re.compile(
    r"\b(?:back\s+in\s+stock|restock(?:ed|ing)?|re-stock(?:ed)?|available\s+again|wapas\s+aa\s+gaya|replenish\w*"
    r"|running\s+(?:low|out))\b",
    re.IGNORECASE,
)
SALE = re.compile(
    r"\b(?:end\s+of\s+season\s+sale|eoss|flash\s+sale|mega\s+sale|big\s+sale|clearance\s+sale|weekend\s+sale"
    r"|(?:diwali|festive|holi)\s+dhamaka|dhamaka(?:\s+sale)?)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=8)
def _india_holidays(year: int) -> dict[date, str]:
    try:
        import holidays
    except ImportError:  # pragma: no cover - the package is a dependency; fixed dates still work
        return {}
    return {d: str(n) for d, n in holidays.country_holidays("IN", years=year).items()}


def festival_date(name: str, today: date) -> date | None:
    """The festival's next date on or after today (this year's, else next year's)."""
    spec = next((f for f in FESTIVALS if f[0] == name), None)
    if spec is None:
        return None
    _, _, holiday_names, fixed = spec
    for year in (today.year, today.year + 1):
        candidates: list[date] = []
        if name in EXTRA_DATES and year in EXTRA_DATES[name]:
            candidates.append(EXTRA_DATES[name][year])
        if holiday_names:
            for day, label in _india_holidays(year).items():
                if any(h.lower() in label.lower() for h in holiday_names):
                    candidates.append(day)
        if not candidates and fixed is not None:
            candidates.append(date(year, *fixed))
        if name == "Black Friday":
            november = date(year, 11, 1)
            thursday = november + timedelta(days=(3 - november.weekday()) % 7 + 21)
            candidates.append(thursday + timedelta(days=1))
        upcoming = sorted(d for d in candidates if d >= today)
        if upcoming:
            return upcoming[0]
    return None


def _occasion(text: str, today: date, spans: list[Span]) -> Occasion | None:
    found: list[tuple[int, Occasion, Span]] = []
    for name, pattern, _, _ in FESTIVAL_PATTERNS:
        for m in pattern.finditer(text):
            if not _overlaps(m.span(), spans):
                found.append((m.start(), Occasion("festival", name, festival_date(name, today)), m.span()))
                break
    for pattern, kind, name in (
        (ANNIVERSARY, "anniversary", "anniversary"),
        (BIRTHDAY, "birthday", "birthday"),
        (LAUNCH, "launch", "new launch"),
        (RESTOCK, "restock", "restock"),
        (SALE, "sale", "sale"),
    ):
        hit = pattern.search(text)
        if hit and not _overlaps(hit.span(), spans):
            found.append((hit.start(), Occasion(kind, name), hit.span()))  # type: ignore[arg-type]
    if not found:
        return None
    # a festival wins over a generic sale word ("Diwali dhamaka sale"); otherwise the first mentioned
    found.sort(key=lambda item: (item[1].kind != "festival", item[1].kind == "sale", item[0]))
    for _, _, span in found:
        spans.append(span)
    return found[0][1]


# ------------------------------------------------------------------ expiry

WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "somvar": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "mangalvar": 1,
    "wednesday": 2,
    "wed": 2,
    "budhvar": 2,
    "thursday": 3,
    "thu": 3,
    "thurs": 3,
    "guruvar": 3,
    "friday": 4,
    "fri": 4,
    "shukravar": 4,
    "saturday": 5,
    "sat": 5,
    "shanivar": 5,
    "sunday": 6,
    "sun": 6,
    "ravivar": 6,
    "itwaar": 6,
    "itvar": 6,
}
MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        )
    )
    for m in names
}
_UNTIL = (
    r"(?:till|until|til|untill|upto|up\s+to|through|thru|ends?(?:\s+on)?|ending(?:\s+on)?|expires?(?:\s+on)?"
    r"|valid\s+(?:till|until|through|for)|by|before|only\s+till)"
)
_DAY_WORDS = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
EXPIRY = re.compile(
    rf"\b(?:(?:{_UNTIL})\s+(?:this\s+|next\s+|coming\s+)?(?P<day>{_DAY_WORDS})(?:\s+(?:night|midnight))?"
    rf"|(?P<day2>{_DAY_WORDS})\s+tak"
    rf"|(?:{_UNTIL})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH_WORDS})\b"
    rf"|(?:{_UNTIL})\s+(?P<mon2>{_MONTH_WORDS})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?"
    rf"|(?:{_UNTIL})\s+(?P<d3>\d{{1,2}})/(?P<m3>\d{{1,2}})"
    rf"|(?:{_UNTIL})\s+(?P<rel>today|tonight|tomorrow|midnight|the\s+weekend|this\s+weekend|weekend|end\s+of\s+(?:the\s+)?month|month\s+end|month-end)"
    rf"|(?P<only>(?:only|sirf|just)\s+(?:today|tonight|aaj)|today\s+only|aaj\s+(?:hi|tak)|kal\s+tak|this\s+weekend\s+only)"
    rf"|(?:for|valid\s+for|only\s+for|next|in)\s+(?P<n>\d+|24|48|72)\s*(?P<unit>hours?|hrs?|days?)(?:\s+only)?"
    rf"|(?:{_UNTIL})\s+(?P<fest>[a-z' ]{{3,20}}?)(?=[\s,.;!]|$))",
    re.IGNORECASE,
)


def _weekday_on_or_after(today: date, weekday: int) -> date:
    return today + timedelta(days=(weekday - today.weekday()) % 7)


def _expiry(text: str, today: date, spans: list[Span]) -> date | None:
    for m in EXPIRY.finditer(text):
        if _overlaps(m.span(), spans):
            continue
        day = m.group("day") or m.group("day2")
        found: date | None = None
        if day:
            found = _weekday_on_or_after(today, WEEKDAYS[day.lower()])
            if re.search(r"\bnext\s+", m.group(0), re.I) and found - today < timedelta(days=7):
                found += timedelta(days=7) if found == today else timedelta(0)
        elif m.group("d") or m.group("d2") or m.group("d3"):
            d = int(m.group("d") or m.group("d2") or m.group("d3"))
            month = MONTHS[(m.group("mon") or m.group("mon2")).lower()] if (m.group("mon") or m.group("mon2")) else None
            if month is None:
                month = int(m.group("m3"))
            found = _next_date(today, month, d)
        elif m.group("rel"):
            rel = re.sub(r"\s+", " ", m.group("rel").lower())
            if rel in ("today", "tonight", "midnight"):
                found = today
            elif rel == "tomorrow":
                found = today + timedelta(days=1)
            elif "weekend" in rel:
                found = _weekday_on_or_after(today, 6)
            else:
                found = _month_end(today)
        elif m.group("only"):
            only = m.group("only").lower()
            found = today + timedelta(days=1) if "kal" in only else _weekday_on_or_after(today, 6)
            if "weekend" not in only:
                found = today + timedelta(days=1) if "kal" in only else today
        elif m.group("n"):
            n = int(m.group("n"))
            unit = m.group("unit").lower()
            found = today + timedelta(days=n // 24 if unit.startswith("h") else n)
        elif m.group("fest"):
            words = m.group("fest").strip()
            for name, pattern, _, _ in FESTIVAL_PATTERNS:
                if pattern.fullmatch(words) or pattern.match(words):
                    found = festival_date(name, today)
                    break
        if found is not None:
            spans.append(m.span())
            return found
    return None


def _next_date(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate >= today:
            return candidate
    return None


def _month_end(today: date) -> date:
    first_next = date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def expiry_phrase(expires_on: date, today: date) -> str:
    """ "today", "tomorrow", "Sunday", "Sunday, 7 Dec" (a week or more away)."""
    if expires_on == today:
        return "today"
    if expires_on == today + timedelta(days=1):
        return "tomorrow"
    weekday = expires_on.strftime("%A")
    if expires_on - today < timedelta(days=7):
        return weekday
    return f"{expires_on.day} {expires_on.strftime('%b')}"


# ------------------------------------------------------------------ product focus and tone

_FOCUS_LEAD = re.compile(
    r"\b(?:promote|promoting|push|pushing|feature|featuring|showcase|on|for|our|the|new|latest|about|off|of|launch"
    r"|launching|introducing|restock(?:ed)?|back\s+in\s+stock)\s+(?:our\s+|the\s+|new\s+|latest\s+)*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=64)
def _category_pattern(extra: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for category, synonyms in CATEGORY_SYNONYMS.items():
        names[category.lower()] = category
        for word in synonyms:
            names.setdefault(word.lower(), category)
    for value in extra:
        names.setdefault(value.lower(), value)
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in ordered) + r")\b", re.IGNORECASE), names


def _focus(text: str, spans: list[Span], vocabulary: tuple[str, ...]) -> str | None:
    """The product the message is about: a category named after "promote", "on", "new", "launch" …
    ("10% off on kajal", "promote our new lipstick"). A product named as who bought it ("lipstick
    buyers") is the audience, which the planner reads; it is not consumed here."""
    pattern, names = _category_pattern(vocabulary)
    for m in pattern.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 20]
        if re.match(r"\s*(?:buyers?|customers?|lovers?|fans?|shoppers?|purchasers?|users?)\b", after, re.I):
            continue
        if _FOCUS_LEAD.search(before) or re.match(r"\s*(?:launch|restock|offer|sale|drop|collection)\b", after, re.I):
            if re.search(r"\b(?:bought|purchased|ordered|buy|buying|who)\s+(?:\w+\s+){0,2}$", before, re.I):
                continue
            return names[m.group(0).lower()]
    return None


TONES: tuple[tuple[Tone, re.Pattern[str]], ...] = (
    (
        "urgent",
        re.compile(
            r"\b(?:urgent|urgency|hurry|last\s+chance|fomo|jaldi(?:\s+karo)?|limited\s+time|ending\s+soon|"
            r"don'?t\s+miss|final\s+call)\b",
            re.I,
        ),
    ),
    (
        "playful",
        re.compile(r"\b(?:playful|fun|funny|cheeky|quirky|witty|sassy|masti|mast|casual|light[- ]hearted)\b", re.I),
    ),
    ("warm", re.compile(r"\b(?:warm|heartfelt|friendly|personal|emotional|caring|sweet|thankful|grateful)\b", re.I)),
    ("premium", re.compile(r"\b(?:premium|luxe|luxury|luxurious|classy|elegant|exclusive|sophisticated)\b", re.I)),
    ("formal", re.compile(r"\b(?:formal|professional|serious|polite|corporate|plain|simple|no\s+emojis?)\b", re.I)),
    ("festive", re.compile(r"\b(?:festive|celebratory|celebration)\b", re.I)),
)
_TONE_CUE = re.compile(r"(?:\b(?:tone|voice|keep\s+it|make\s+it|sound|vibe|style)\b|\s*$)", re.I)


def _tone(text: str, spans: list[Span]) -> Tone | None:
    for tone, pattern in TONES:
        for m in pattern.finditer(text):
            if _overlaps(m.span(), spans):
                continue
            spans.append(m.span())
            return tone
    return None


# ------------------------------------------------------------------ the brief


def read_brief(text: str, today: date | None = None, vocabulary: Iterable[str] = ()) -> Brief:
    """The offer, coupon code, expiry, occasion, product focus and tone a goal asks for, with the
    character spans of `text` each consumed. `vocabulary`: category or product names that exist
    in the data (the catalogue's categories are always known)."""
    today = today or date.today()
    spans: list[Span] = []
    offers = _offers(text, spans)
    code = _named_code(text, spans)
    generated = False
    if code is not None:
        implied = _code_offer(code)
        if implied is not None and all(o.kind != implied.kind for o in offers):
            offers.append(implied)
    before_expiry = list(spans)
    expires_on = _expiry(text, today, spans)
    occasion = _occasion(text, today, before_expiry)  # "10% off till Diwali" is a Diwali offer too
    spans.extend(s for s in before_expiry if s not in spans)
    focus = _focus(text, [], tuple(vocabulary))
    asks_code = ASKS_FOR_CODE.search(text)
    if asks_code and not _overlaps(asks_code.span(), spans):
        spans.append(asks_code.span())
    if code is None and (asks_code or any(o.kind in ("percent", "amount", "cashback") for o in offers)):
        code = campaign_code(offers, occasion, focus)
        generated = True
    tone = _tone(text, spans)
    return Brief(
        offers=tuple(offers),
        coupon_code=code,
        code_generated=generated,
        expires_on=expires_on,
        expiry_text=expiry_phrase(expires_on, today) if expires_on else None,
        occasion=occasion,
        product_focus=focus,
        tone=tone,
        spans=tuple(sorted(set(spans))),
    )

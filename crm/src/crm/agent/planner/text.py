"""Text normalisation and number/duration parsing.

Everything the recognisers see has been through `normalise`: lower case, straight quotes,
contractions opened ("haven't" → "have not"), number words and shorthands turned into digits
("two months" → "2 months", "5k" → "5000", "2 lakh" → "200000", "₹1,500" → "rs 1500"),
hyphens between letters turned into spaces ("win-back" → "win back").
"""

from __future__ import annotations

import re
from collections.abc import Callable

UNIT_DAYS: dict[str, int] = {
    "day": 1,
    "week": 7,
    "wk": 7,
    "fortnight": 14,
    "month": 30,
    "mo": 30,
    "mth": 30,
    "quarter": 90,
    "qtr": 90,
    "year": 365,
    "yr": 365,
}
"""A month is 30 days, a quarter 90 and a year 365."""

UNIT = r"(?:days?|weeks?|wks?|fortnights?|months?|mos|mths?|quarters?|qtrs?|years?|yrs?)"
NUM = r"\d+(?:\.\d+)?"

ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
HINGLISH = {
    "mahine": "months",
    "mahina": "month",
    "mahino": "months",
    "mahinon": "months",
    "din": "days",
    "dino": "days",
    "hafte": "weeks",
    "hafta": "week",
    "saal": "years",
    "jo": "who",
    "jinhone": "who",
    "ne": "",
    "hai": "",
    "hain": "",
    "se": "since",
    "aur": "and",
    "ya": "or",
    "wale": "",
    "waale": "",
    "kharida": "bought",
    "kharide": "bought",
    "nahi": "not",
    "nahin": "not",
}


def unit_days(unit: str) -> int:
    stem = unit.lower().rstrip("s") if unit.lower() not in ("mos",) else "mo"
    return UNIT_DAYS.get(stem, UNIT_DAYS.get(stem.rstrip("s"), 1))


def to_days(number: str | None, unit: str) -> int:
    """A whole number of days: `to_days("2", "months") == 60`; a missing number means one unit."""
    amount = float(number) if number else 1.0
    return round(amount * unit_days(unit))


def parse_number(text: str) -> float | None:
    """ "5k" → 5000, "2 lakh" → 200000, "₹1,500" → 1500, "two" → 2, "twenty five" → 25."""
    normal = normalise(text)
    match = re.search(NUM, normal)
    return float(match.group()) if match else None


def _words_to_digits(text: str) -> str:
    tens = "|".join(TENS)
    ones = "|".join(k for k in ONES if k != "zero")

    def compound(m: re.Match[str]) -> str:
        return str(TENS[m.group(1)] + ONES[m.group(2)])

    text = re.sub(rf"\b({tens})[ ]({ones})\b", compound, text)
    text = re.sub(rf"\b({tens})\b", lambda m: str(TENS[m.group(1)]), text)
    text = re.sub(rf"\b({'|'.join(ONES)})\b", lambda m: str(ONES[m.group(1)]), text)
    text = re.sub(r"\b(\d+) hundred\b", lambda m: str(int(m.group(1)) * 100), text)
    return text


def _scaled(pattern: str, factor: int) -> Callable[[str], str]:
    def apply(text: str) -> str:
        def repl(m: re.Match[str]) -> str:
            value = float(m.group(1)) * factor
            return str(int(value)) if value.is_integer() else str(value)

        return re.sub(pattern, repl, text)

    return apply


_SCALES = (
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:k|thousand|grand)\b", 1000),
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:lakhs?|lacs?|lakh)\b", 100_000),
    _scaled(r"\b(\d+(?:\.\d+)?)\s*(?:crores?|cr)\b", 10_000_000),
)


def normalise(text: str) -> str:
    t = text.lower()
    t = t.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    t = t.replace("–", "-").replace("—", " - ").replace("…", " ")
    t = t.replace("₹", " rs ")
    t = re.sub(r"\b(?:rs|inr)\.?(?=\s*\d)", " rs ", t)
    t = re.sub(r"(?<=\d)\s*(?:rs|inr|rupees|/-)(?![a-z])", " rs", t)
    t = re.sub(r"\b(can)'?t\b", "cannot", t)
    t = re.sub(r"\bwon'?t\b", "will not", t)
    t = re.sub(r"\b(have|has|had|did|do|does|is|are|was|were|would|could|should)n'?t\b", r"\1 not", t)
    t = re.sub(r"\b(have|has|had|did|do|does|is|are|was|were)nt\b", r"\1 not", t)
    t = re.sub(r"\bhavn'?t\b|\bhvnt\b", "have not", t)
    t = re.sub(r"\b(who|they|we|you|i)'ve\b", r"\1 have", t)
    t = re.sub(r"(?<=\d),(?=\d)", "", t)
    t = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", t)
    t = re.sub(r"\b(\d+)-(?=[a-z])", r"\1 ", t)  # 60-day → 60 day
    t = re.sub(r"\b(?:w/o)\b", "without", t)
    t = re.sub(r"(?<![\w/])w/(?=\s)", "with", t)
    t = re.sub(r"\b(" + "|".join(HINGLISH) + r")\b", lambda m: HINGLISH[m.group(1)], t)
    t = re.sub(r"\bgenz\b", "gen z", t)
    t = re.sub(r"\be mail", "email", t)
    t = re.sub(r"\bwhats app\b", "whatsapp", t)
    t = re.sub(r"\b(?:a|an) couple of\b|\bcouple of\b", "2", t)
    t = re.sub(r"\ba few\b", "3", t)
    t = re.sub(r"\b(?:(?:a|an|one) )?half (?:(?:a|an) )?year\b", "6 months", t)
    t = re.sub(r"\b(?:a|an|one) (half)\b", r"0.5", t)
    t = re.sub(r"\btwice\b", "2 times", t)
    t = re.sub(r"\bthrice\b", "3 times", t)
    t = re.sub(r"\b(ordered|bought|purchased|shopped)( only| just)? once\b", r"\1\2 1 times", t)
    t = re.sub(
        r"\b(twenties|thirties|forties|fifties|sixties)\b",
        lambda m: {"twenties": "20s", "thirties": "30s", "forties": "40s", "fifties": "50s", "sixties": "60s"}[
            m.group(1)
        ],
        t,
    )
    t = _words_to_digits(t)
    t = re.sub(r"\b(?:a|an)\s+(?=(?:single\s+)?" + UNIT + r"\b)", "1 ", t)
    for scale in _SCALES:
        t = scale(t)
    t = re.sub(r"(\d+)\s*(?=[a-z])(?!(?:k|st|nd|rd|th|s)\b)", r"\1 ", t)  # 60days → 60 days
    t = re.sub(r"(\d+)\s*\+", r"\1+", t)
    t = re.sub(r"(\d+) since inactive\b", r"inactive for \1", t)
    t = re.sub(r"(\d+ " + UNIT + r") since (inactive|lapsed|dormant)\b", r"\2 for \1", t)
    t = re.sub(r"[ \t\r\n]+", " ", t)
    return t.strip()

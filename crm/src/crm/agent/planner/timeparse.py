"""Stage 3 of the planner: read time. Calendar dates ("since 15 Oct", "before 1 Jan 2026"), named
Indian occasions ("since Holi", "after Diwali") and calendar words ("last quarter", "last month")
are turned into whole days before today, written back as the relative phrases the parse stage
reads ("in the last 36 days", "more than 120 days ago").

Dates are read with `dateparser` (day before month, as India writes them, and never in the
future); occasions come from the `holidays` package's India calendar, with a small table of the
festivals it does not carry (Raksha Bandhan, Navratri, Karva Chauth …) and fixed days (Christmas,
New Year, Valentine's Day). "Since <occasion>" means its most recent date on or before today.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

import dateparser
import holidays

MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DAY = r"\d{1,2}(?:st|nd|rd|th)?"
YEAR = r"(?:\s*,?\s*(?:20)?\d{2}(?!\d))"
DATE = (
    rf"(?:{DAY}\s+(?:of\s+)?{MONTH}\b{YEAR}?|{MONTH}\s+{DAY}\b{YEAR}?|\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?"
    rf"|(?:the\s+)?(?:start|beginning)\s+of\s+{MONTH}\b|{MONTH}\s+(?:20)?\d{{2}}\b)"
)

OCCASIONS_FROM_CALENDAR: dict[str, str] = {
    "diwali": "Diwali",
    "deepavali": "Diwali",
    "holi": "Holi",
    "eid": "Eid al-Fitr",
    "eid al fitr": "Eid al-Fitr",
    "eid ul fitr": "Eid al-Fitr",
    "bakrid": "Eid al-Adha",
    "eid al adha": "Eid al-Adha",
    "dussehra": "Dussehra",
    "dasara": "Dussehra",
    "janmashtami": "Janmashtami",
    "independence day": "Independence Day",
    "republic day": "Republic Day",
    "good friday": "Good Friday",
    "guru nanak jayanti": "Guru Nanak",
    "gurpurab": "Guru Nanak",
    "christmas": "Christmas",
    "xmas": "Christmas",
}
"""Occasion words → the name the `holidays` India calendar gives the day (matched as a substring)."""

OCCASION_TABLE: dict[str, tuple[date, ...]] = {
    "raksha bandhan": (date(2024, 8, 19), date(2025, 8, 9), date(2026, 8, 28), date(2027, 8, 17)),
    "rakhi": (date(2024, 8, 19), date(2025, 8, 9), date(2026, 8, 28), date(2027, 8, 17)),
    "navratri": (date(2024, 10, 3), date(2025, 9, 22), date(2026, 10, 11), date(2027, 9, 30)),
    "karva chauth": (date(2024, 10, 20), date(2025, 10, 10), date(2026, 10, 29), date(2027, 10, 18)),
    "karwa chauth": (date(2024, 10, 20), date(2025, 10, 10), date(2026, 10, 29), date(2027, 10, 18)),
    "dhanteras": (date(2024, 10, 29), date(2025, 10, 18), date(2026, 11, 6), date(2027, 10, 27)),
    "ganesh chaturthi": (date(2024, 9, 7), date(2025, 8, 27), date(2026, 9, 14), date(2027, 9, 4)),
    "onam": (date(2024, 9, 15), date(2025, 9, 5), date(2026, 8, 26), date(2027, 9, 12)),
    "pongal": (date(2024, 1, 15), date(2025, 1, 14), date(2026, 1, 15), date(2027, 1, 15)),
    "makar sankranti": (date(2024, 1, 15), date(2025, 1, 14), date(2026, 1, 14), date(2027, 1, 15)),
}
"""Festivals the India calendar of `holidays` does not list, by year (checked against published
calendars)."""

FIXED_DAYS: dict[str, tuple[int, int]] = {
    "new year": (1, 1),
    "new years": (1, 1),
    "new year's": (1, 1),
    "valentine's day": (2, 14),
    "valentines day": (2, 14),
    "valentines": (2, 14),
    "women's day": (3, 8),
    "womens day": (3, 8),
    "christmas eve": (12, 24),
}

OCCASION = (
    r"(?:"
    + "|".join(
        re.escape(name)
        for name in sorted([*OCCASIONS_FROM_CALENDAR, *OCCASION_TABLE, *FIXED_DAYS], key=len, reverse=True)
    )
    + r")"
)


@lru_cache(maxsize=16)
def _calendar(year: int) -> tuple[tuple[date, str], ...]:
    return tuple(sorted((d, str(n)) for d, n in holidays.country_holidays("IN", years=year).items()))


def occasion_on_or_before(name: str, today: date) -> date | None:
    """The occasion's most recent date on or before `today`."""
    name = name.lower()
    found: list[date] = []
    if name in OCCASION_TABLE:
        found = [d for d in OCCASION_TABLE[name] if d <= today]
    elif name in FIXED_DAYS:
        month, day = FIXED_DAYS[name]
        found = [d for d in (date(today.year - 1, month, day), date(today.year, month, day)) if d <= today]
    elif name in OCCASIONS_FROM_CALENDAR:
        label = OCCASIONS_FROM_CALENDAR[name].lower()
        for year in (today.year - 1, today.year):
            found += [d for d, n in _calendar(year) if label in n.lower() and d <= today]
    return max(found) if found else None


def calendar_date(text: str, today: date) -> date | None:
    """A written date, never after today ("15 oct" in November is this year's; in September, last year's)."""
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", text)
    cleaned = re.sub(r"^(?:the\s+)?(?:start|beginning)\s+of\s+", "1 ", cleaned)
    base = datetime(today.year, today.month, today.day, 12)
    parsed = dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": base,
            "DATE_ORDER": "DMY",
            "PREFER_DAY_OF_MONTH": "first",
        },
    )
    if parsed is None:
        return None
    day = parsed.date()
    if day > today and not re.search(r"\d{4}|/\d{2}$", text):
        day = day.replace(year=day.year - 1)
    return day if day <= today else None


def _days(day: date, today: date) -> int:
    return (today - day).days


def read_time(text: str, today: date) -> tuple[str, list[str]]:
    """Normalised goal → the same goal with dates and occasions as days before today, and a note
    for each ("since 15 oct → since 2026-10-15, 36 days ago")."""
    notes: list[str] = []

    def point(phrase: str) -> date | None:
        if re.fullmatch(OCCASION, phrase):
            return occasion_on_or_before(phrase, today)
        return calendar_date(phrase, today)

    def since(m: re.Match[str]) -> str:
        day = point(m.group("when"))
        if day is None:
            return m.group(0)
        days = _days(day, today)
        notes.append(f"“{m.group(0).strip()}” → since {day.isoformat()} ({days} days)")
        return f"in the last {max(days, 0)} days"

    def before(m: re.Match[str]) -> str:
        day = point(m.group("when"))
        if day is None:
            return m.group(0)
        days = _days(day, today)
        notes.append(f"“{m.group(0).strip()}” → before {day.isoformat()} ({days} days ago)")
        return f"more than {days} days ago"

    when = rf"(?P<when>{DATE}|{OCCASION})"
    text = re.sub(
        rf"\b(?:since|after|from|starting|post)\s+(?:the\s+)?{when}(?:\s+(?:onwards|till now|on))?", since, text
    )
    text = re.sub(rf"\b(?:before|prior to|until|till|up to)\s+(?:the\s+)?{when}", before, text)
    # calendar words said without "in the": "ordered last quarter", "joined last month"
    text = re.sub(
        r"(?<!\bthe )(?<!\bin )\blast\s+(?P<u>week|month|quarter|year)\b(?!\s+(?:ago|back))",
        lambda m: f"in the last {m.group('u')}",
        text,
    )
    return text, notes

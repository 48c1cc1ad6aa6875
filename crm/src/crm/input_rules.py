"""Rules every piece of text and every time the CRM accepts must meet, whichever endpoint takes it.

Text may not hold control characters (PostgreSQL cannot store NUL at all, and none of them belong
in a name, an id or a tag); multi-line text (a message body, a chat message) may hold tabs and line
breaks. Times are bounded to years 1900-2199: a time at the calendar's edge
(9999-12-31T23:00:00-14:00) cannot even be converted to UTC, and nothing this CRM stores is older
or further away. Each rule raises ValueError, which pydantic reports against the field.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
CONTROL_EXCEPT_LAYOUT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)


def _refuse(value: str, found: re.Match[str], what: str) -> ValueError:
    return ValueError(
        f"contains a control character (U+{ord(found.group()):04X}) at position {found.start() + 1}; {what}"
    )


def single_line(value: str) -> str:
    """Text for a name, an id, a tag: no control characters at all (no tab or line break either)."""
    found = CONTROL.search(value)
    if found is not None:
        raise _refuse(value, found, "this field takes one line of text without control characters")
    return value


def multi_line(value: str) -> str:
    """Text for a message or a note: tabs and line breaks are fine, other control characters are not."""
    found = CONTROL_EXCEPT_LAYOUT.search(value)
    if found is not None:
        raise _refuse(value, found, "only tabs and line breaks are allowed")
    return value


def in_range(value: datetime) -> datetime:
    """A time between EARLIEST and LATEST (a naive one is compared as it stands)."""
    offset = value.utcoffset()
    try:
        utc = value.replace(tzinfo=None) - offset if offset is not None else value.replace(tzinfo=None)
    except OverflowError:
        raise ValueError(_out_of_range()) from None
    if not EARLIEST.replace(tzinfo=None) <= utc <= LATEST.replace(tzinfo=None):
        raise ValueError(_out_of_range())
    return value


def _out_of_range() -> str:
    return f"must be between {EARLIEST:%Y-%m-%d} and {LATEST:%Y-%m-%d}"


SingleLineText = Annotated[str, AfterValidator(single_line)]
MultiLineText = Annotated[str, AfterValidator(multi_line)]
BoundedTime = AfterValidator(in_range)


def first_control_character(value: Any, path: tuple[str | int, ...] = ()) -> tuple[tuple[str | int, ...], str] | None:
    """The path to (and the text of) the first string anywhere in a JSON value that holds a control
    character other than a tab or line break, or None."""
    if isinstance(value, str):
        return (path, value) if CONTROL_EXCEPT_LAYOUT.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if CONTROL_EXCEPT_LAYOUT.search(key):
                return ((*path, key), key)
            found = first_control_character(item, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_control_character(item, (*path, index))
            if found is not None:
                return found
    return None

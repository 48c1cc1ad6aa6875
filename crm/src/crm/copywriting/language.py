"""Rules a message must keep for every recipient, whatever their data is missing.

Written down, each a function of the template and of one rendering of it:

1. `name_fallback` — a name variable's fallback ("there") only follows a greeting word (Hi, Hey,
   Hello), so a missing name never produces "there, it's been a while!" or "there, something
   special"; and no rendering starts a sentence or a line with "there,".
2. `repeated_word` — no word twice in a row ("your your last pick" when `last_item` is missing).
3. `number_agreement` — a product category agrees with its verb: "Lipstick is", "Brushes are".
4. `dangling_punctuation` — no space before punctuation, no doubled punctuation or empty brackets
   (what an empty value leaves behind: "for  .", "in ,").
5. `raw_value` — no "None", "nil", "null" or leftover Liquid in what a recipient reads.
6. `fallback` — every customer variable has a fallback (`| default: "…"`); campaign variables
   (offer, coupon_code, link) are set on the campaign itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm.catalog import CATEGORY_SYNONYMS

CAMPAIGN_VARIABLES = ("offer", "coupon_code", "link")
NAME_VARIABLES = ("first_name", "name")
GREETING = re.compile(r"(?:^|[\s(])(?:hi|hey|hello|hiya|heya)\s*$", re.IGNORECASE)
OUTPUT = re.compile(r"\{\{\s*(?P<var>[a-z_]+)(?P<filters>[^}]*)\}\}")
PLURAL_CATEGORIES = frozenset(c for c in CATEGORY_SYNONYMS if c.endswith("s") or " & " in c)
SINGULAR_CATEGORIES = frozenset(c for c in CATEGORY_SYNONYMS if c not in PLURAL_CATEGORIES)
_SINGULAR_ARE = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in sorted(SINGULAR_CATEGORIES, key=len, reverse=True)) + r")\s+are\b"
)
_PLURAL_IS = re.compile(
    r"\b(?:" + "|".join(re.escape(c) for c in sorted(PLURAL_CATEGORIES, key=len, reverse=True)) + r")\s+is\b"
)


@dataclass(frozen=True)
class LanguageProblem:
    rule: str
    message: str


def template_problems(source: str) -> list[LanguageProblem]:
    """Rules 1 and 6 on the template itself."""
    problems: list[LanguageProblem] = []
    for match in OUTPUT.finditer(source):
        variable, filters = match.group("var"), match.group("filters")
        if variable in CAMPAIGN_VARIABLES:
            continue
        if "default" not in filters:
            problems.append(
                LanguageProblem(
                    "fallback", f'{{{{ {variable} }}}} has no fallback: write {{{{ {variable} | default: "…" }}}}'
                )
            )
        if variable in NAME_VARIABLES and not GREETING.search(source[: match.start()]):
            problems.append(
                LanguageProblem(
                    "name_fallback",
                    f"{{{{ {variable} }}}} is used outside a greeting: with no name it reads as its fallback "
                    '(e.g. "there, …"); put it after Hi/Hey/Hello',
                )
            )
    return problems


def rendering_problems(text: str) -> list[LanguageProblem]:
    """Rules 1-5 on one rendering."""
    problems: list[LanguageProblem] = []
    for line in text.split("\n"):
        for sentence in re.split(r"(?<=[.!?])\s+", line.strip()):
            if re.match(r"there\b\s*[,!.]", sentence, re.IGNORECASE):
                problems.append(
                    LanguageProblem("name_fallback", f"a sentence opens with the name fallback: {sentence[:40]!r}")
                )
    repeated = re.search(r"\b(\w+)\s+\1\b", text, re.IGNORECASE)
    if repeated and not repeated.group(1).isdigit():
        problems.append(LanguageProblem("repeated_word", f"repeated word: {repeated.group(0)!r}"))
    for pattern in (_SINGULAR_ARE, _PLURAL_IS):
        found = pattern.search(text)
        if found:
            problems.append(LanguageProblem("number_agreement", f"number disagreement: {found.group(0)!r}"))
    dangling = re.search(r"[^\S\n][,.;:!?](?!\w)|[,;:]\s*[,.;:!?]|\(\s*\)|\s-\s*$", text)
    if dangling:
        problems.append(LanguageProblem("dangling_punctuation", f"stray punctuation: {dangling.group(0)!r}"))
    raw = re.search(r"\bNone\b|\bnil\b|\bnull\b|\{\{|\}\}|\{%|%\}", text)
    if raw:
        problems.append(LanguageProblem("raw_value", f"raw value in the message: {raw.group(0)!r}"))
    return problems

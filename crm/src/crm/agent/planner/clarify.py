"""When part of a goal could not be grounded ("customers in Tokyo who bought lipstick" and there
is no Tokyo in the data): say what was understood, how big that audience is so far, which part
was not, the nearest real values — and ask, instead of staging a broader draft."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from crm.agent.planner.spelling import ENGLISH
from crm.agent.planner.types import Understanding, Vocabulary
from crm.agent.planner.words import FILLER, KEEP_LEAD

PLACE_LEADS = ("in", "from", "at", "near", "around", "living in", "based in")
MAX_SUGGESTIONS = 3
MAX_EXAMPLES = 6


def _product_lines(vocabulary: Vocabulary) -> list[str]:
    return list(dict.fromkeys(p.partition(" - ")[0] for p in vocabulary.products))


def nearest_values(fragment: str, vocabulary: Vocabulary) -> list[str]:
    """Values in the data spelt most like the fragment's words ("Udaipur" → Jaipur, Nagpur)."""
    values = [*vocabulary.cities, *vocabulary.states, *vocabulary.categories, *_product_lines(vocabulary)]
    by_lower = {v.lower(): v for v in values}
    found: list[str] = []
    for word in re.findall(r"[a-z][a-z']{3,}", fragment.lower()):
        if word in FILLER or word in KEEP_LEAD or word in ENGLISH:
            continue  # everyday words ("ignore your rules") are not misspelt places
        close = process.extract(word, list(by_lower), scorer=fuzz.ratio, limit=MAX_SUGGESTIONS, score_cutoff=60)
        found += [by_lower[match] for match, _, _ in close]
    return list(dict.fromkeys(found))[:MAX_SUGGESTIONS]


def _examples(fragment: str, vocabulary: Vocabulary) -> str:
    if fragment.lower().startswith(PLACE_LEADS) and vocabulary.cities:
        return "The cities in your data include " + ", ".join(vocabulary.cities[:MAX_EXAMPLES]) + "."
    return ""


def _suggestions(parts: tuple[str, ...], vocabulary: Vocabulary) -> list[str]:
    found: list[str] = []
    for part in parts:
        nearest = nearest_values(part, vocabulary)
        if nearest:
            found.append(f"For “{part}”, did you mean {' or '.join(nearest)}?")
        elif examples := _examples(part, vocabulary):
            found.append(examples)
    return found


def ask_who(understanding: Understanding, vocabulary: Vocabulary) -> str:
    """Nothing in the goal could be grounded: ask for an audience, offering the nearest values."""
    quoted = "; ".join(f"“{p}”" for p in understanding.not_understood)
    return " ".join(
        [
            f"I couldn't work out who to target from {quoted}.",
            *_suggestions(understanding.not_understood, vocabulary),
            "Could you describe the audience with things I can check — what they bought, when they last ordered, "
            "how much they spent, city, age or channel consent?",
        ]
    )


def ask_about_the_rest(understanding: Understanding, preview: dict[str, Any], vocabulary: Vocabulary) -> str:
    """Part of the goal was grounded, part was not: the audience so far, and a question."""
    quoted = "; ".join(f"“{p}”" for p in understanding.not_understood)
    lines = [f"**So far:** {preview['count']:,} {preview['explanation']}."]
    if understanding.understood:
        lines.append("**What I understood:** " + "; ".join(understanding.understood) + ".")
    question = [
        f"I couldn't match {quoted} to anything in your data, so I haven't staged anything yet.",
        *_suggestions(understanding.not_understood, vocabulary),
        "Rephrase that part, or say “go ahead” and I'll stage the draft for the audience above without it.",
    ]
    lines.append(" ".join(question))
    return "\n\n".join(lines)


def propose_alternative(
    understanding: Understanding, preview: dict[str, Any], vocabulary: Vocabulary, after_go_ahead: bool
) -> str:
    """Part of the goal names who the audience is and nothing in the data matches it ("our
    Facebook fans", "hikers"): nothing is staged, not even after "go ahead" — a different audience
    is never stood in. What was understood is offered, with its size, as a concrete choice."""
    quoted = "; ".join(f"“{p}”" for p in understanding.ungroundable)
    lines = [
        (f"I still can't stage this: {quoted}" if after_go_ahead else f"I can't tell who {quoted} are")
        + " — nothing in your data says who they are, and I won't stand a different audience in for them."
    ]
    lines += _suggestions(understanding.ungroundable, vocabulary)
    if understanding.filter.get("conditions"):
        lines.append(
            f"What I could read is {preview['count']:,} {preview['explanation']}. If that is the audience "
            "you want, say so in your own words (for example by naming those conditions) and I'll stage it."
        )
    else:
        lines.append("Describe them with something the CRM records — what they bought, when, spend, city or channel.")
    return " ".join(lines)

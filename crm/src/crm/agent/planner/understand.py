"""`understand(goal, vocabulary, today)`: a marketer's goal in English → a validated filter, an
intent, the requested channel, an offer, what the message is about and a campaign name — plus,
in plain English, what each recognised phrase meant and which fragments it could not read."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from crm.agent.brief import read_brief
from crm.agent.planner.engine import BARRIER, Node, Parse, apply_rules, explain, ground_entities, resolve_entities
from crm.agent.planner.lexicon import COMMON_WORDS, build_lexicon
from crm.agent.planner.rules import CRITERIA, EARLY, LAPSED_DAYS, LOYAL_ORDERS, ROLES, VIP_SPEND
from crm.agent.planner.text import normalise
from crm.agent.planner.timeparse import read_time
from crm.agent.planner.types import Intent, Understanding, Vocabulary
from crm.agent.planner.words import FILLER, INTENT_PATTERNS, KEEP_LEAD
from crm.segments.dsl import SegmentFilter

KNOWN = FILLER | COMMON_WORDS
INTENT_LABEL: dict[Intent, str] = {
    "winback": "win-back",
    "vip": "VIP thank-you",
    "new_launch": "launch",
    "cross_sell": "cross-sell",
    "replenishment": "restock reminder",
    "welcome": "welcome",
    "birthday": "birthday wishes",
    "generic": "campaign",
}


def understand(goal: str, vocabulary: Vocabulary, today: date) -> Understanding:
    text, time_notes = read_time(normalise(goal), today)
    parse = Parse(text=f" {text} ", vocabulary=vocabulary, lexicon=build_lexicon(vocabulary), today=today)
    apply_rules(parse, EARLY)
    ground_entities(parse, KNOWN)
    apply_rules(parse, ROLES)
    apply_rules(parse, CRITERIA)
    resolve_entities(parse)
    nodes, notes = _assemble(parse)
    intent = _intent(text, nodes)
    if _said_win_back(text) and not any(
        node["field"] == "last_order_days_ago"
        or node.get("within_days") is not None
        or (node["field"] == "order_count" and node["op"] in ("eq", "lt", "lte") and node["value"] in (0, 1))
        for node, _ in _walk(nodes)
    ):
        nodes.append({"field": "last_order_days_ago", "op": "gt", "value": LAPSED_DAYS})
        notes.append(f"win-back with no time window → no order in the last {LAPSED_DAYS} days")
    tree = _validated({"match": "all", "conditions": nodes}, notes)
    leftovers = _leftovers(parse.text, _brief_words(goal, today))
    focus = _focus(parse, tree)
    return Understanding(
        filter=tree,
        intent=intent,
        channel=_channel(parse),
        understood=tuple(dict.fromkeys(time_notes + parse.understood + notes)),
        not_understood=tuple(dict.fromkeys(parse.unsupported + [f for f, _ in leftovers])),
        ungroundable=tuple(dict.fromkeys(f for f, core in leftovers if core)),
        product_focus=focus,
        offer=" + ".join(dict.fromkeys(parse.offers)) or None,
        campaign_name=_name(intent, focus, tree),
    )


# ------------------------------------------------------------------ assembling the tree


def _assemble(parse: Parse) -> tuple[list[Node], list[str]]:
    """Conditions in the order they were written; "A or B" between two criteria → an any group;
    a bare word's default definition gives way to an explicit condition on the same field."""
    explicit = {node.get("field") for clause in parse.clauses if clause.default is None for node in clause.nodes}
    pieces = re.split(r"⟦r(\d+)⟧", parse.text)
    items: list[tuple[list[Node], str]] = []
    joins: list[bool] = []
    gap = pieces[0]
    for index in range(1, len(pieces), 2):
        clause = parse.clauses[int(pieces[index])]
        if clause.default is not None and clause.default in explicit:
            gap += " " + pieces[index + 1]
            continue
        if items:
            joins.append(_is_or(gap))
        items.append((clause.nodes, clause.note))
        gap = pieces[index + 1]
    nodes: list[Node] = []
    notes: list[str] = []
    group: list[Node] = []
    for position, (clause_nodes, note) in enumerate(items):
        node = clause_nodes[0] if len(clause_nodes) == 1 else {"match": "all", "conditions": clause_nodes}
        notes.append(note)
        joined_next = position < len(joins) and joins[position]
        joined_prev = position > 0 and joins[position - 1]
        if joined_prev or joined_next:
            group.append(node)
            if not joined_next:
                nodes.append({"match": "any", "conditions": group})
                notes.append("“or” between criteria → any of: " + explain(group).replace(" and ", " or "))
                group = []
        else:
            nodes.extend(clause_nodes)
    unique: list[Node] = []
    for node in nodes:
        if node not in unique:
            unique.append(node)
    return unique, notes


def _is_or(gap: str) -> bool:
    """Only "or" (and filler) between two criteria: "spent over 5k or placed 3+ orders"."""
    words = re.findall(r"[a-z]+|,|;", gap)
    return "or" in words and not {"and", "but", ",", ";"} & set(words) and all(w in FILLER for w in words)


def _validated(tree: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    try:
        return SegmentFilter.model_validate(tree).model_dump(exclude_none=True)
    except ValueError:
        kept: list[Node] = []
        for node in tree["conditions"]:
            try:
                SegmentFilter.model_validate({"match": "all", "conditions": [*kept, node]})
                kept.append(node)
            except ValueError:
                notes.append(f"left out a condition the filter could not take: {node}")
        return SegmentFilter.model_validate({"match": "all", "conditions": kept}).model_dump(exclude_none=True)


def _walk(nodes: list[Any], negated: bool = False) -> list[tuple[dict[str, Any], bool]]:
    found: list[tuple[dict[str, Any], bool]] = []
    for node in nodes:
        if "field" in node:
            found.append((node, negated))
        else:
            found.extend(_walk(node["conditions"], negated != (node.get("match") == "none")))
    return found


# ------------------------------------------------------------------ intent, channel, focus, name


def _said_win_back(text: str) -> bool:
    return any(intent == "winback" and pattern.search(text) for intent, pattern in INTENT_PATTERNS)


def _intent(text: str, nodes: list[Node]) -> Intent:
    for intent, pattern in INTENT_PATTERNS:
        if pattern.search(text):
            return intent
    conditions = _walk(nodes)
    bought = [
        n
        for n, neg in conditions
        if n["field"] in ("category", "product") and n["op"] in ("eq", "in", "contains") and not neg
    ]
    not_bought = [
        n for n, neg in conditions if n["field"] in ("category", "product") and (n["op"] in ("neq", "not_in") or neg)
    ]
    if bought and not_bought:
        # "bought lipstick but not kajal" cross-sells; "bought lipstick, not lately" wins back
        same = {str(n["value"]) for n in bought} == {str(n["value"]) for n in not_bought}
        return "winback" if same else "cross_sell"
    for node, negated in conditions:
        if node["field"] == "last_order_days_ago" and node["op"] in ("gt", "gte") and not negated:
            return "winback"
    for node, _ in conditions:
        if (
            (node["field"] == "tags" and node.get("value") == "vip")
            or (node["field"] == "order_count" and node["op"] in ("gte", "gt") and node["value"] >= LOYAL_ORDERS)
            or (node["field"] == "total_spent" and node["op"] in ("gte", "gt") and node["value"] >= VIP_SPEND)
        ):
            return "vip"
    for node, _ in conditions:
        if (node["field"] == "signed_up_days_ago" and node["op"] in ("lte", "lt")) or (
            node["field"] == "order_count" and node["op"] == "eq" and node["value"] == 0
        ):
            return "welcome"
    return "generic"


def _channel(parse: Parse) -> str | None:
    """The first delivery channel mentioned; with none, a lone consent channel ("reachable on
    WhatsApp") is taken as the one to use."""
    if parse.channels:
        return min(parse.channels)[1]
    consent = {channel for _, channel in parse.consent_channels}
    return consent.pop() if len(consent) == 1 else None


def _focus(parse: Parse, tree: dict[str, Any]) -> str | None:
    if parse.focus:
        return parse.focus[0]
    conditions = _walk(tree["conditions"])
    excluded = [n for n, neg in conditions if n["field"] == "category" and n["op"] in ("neq", "not_in") and not neg]
    included = [
        n
        for n, neg in conditions
        if n["field"] in ("category", "product") and n["op"] in ("eq", "in", "contains") and not neg
    ]
    if excluded and included:  # "bought lipstick but not kajal": talk about kajal
        value = excluded[0]["value"]
        return value if isinstance(value, str) else value[0]
    if included:
        value = included[0]["value"]
        if included[0]["field"] == "product":
            return str(value)
        return value if isinstance(value, str) else value[0]
    return None


def _name(intent: Intent, focus: str | None, tree: dict[str, Any]) -> str:
    label = INTENT_LABEL[intent]
    name = f"{focus} {label}" if focus else (label if intent != "generic" else "Audience campaign")
    name = name[0].upper() + name[1:]
    conditions = _walk(tree["conditions"])
    qualifiers: list[str] = []
    for node, negated in conditions:
        if negated:
            continue
        if node["field"] == "last_order_days_ago" and node["op"] in ("gt", "gte") and intent == "winback":
            qualifiers.append(f"{node['value']}+ days")
        elif node["field"] == "city" and node["op"] in ("eq", "in"):
            cities = [node["value"]] if isinstance(node["value"], str) else node["value"]
            qualifiers.append(", ".join(cities[:2]) + (" +more" if len(cities) > 2 else ""))
        elif node["field"] == "state" and node["op"] in ("eq", "in"):
            states = [node["value"]] if isinstance(node["value"], str) else node["value"]
            qualifiers.append(", ".join(states[:2]) + (" +more" if len(states) > 2 else ""))
    if qualifiers:
        name += f" ({'; '.join(dict.fromkeys(qualifiers[:2]))})"
    return name[:80]


# ------------------------------------------------------------------ what was not understood


PEOPLE_NOUNS = frozenset(
    [
        "fans",
        "followers",
        "audience",
        "subscribers",
        "community",
        "members",
        "customers",
        "people",
        "buyers",
        "shoppers",
        "users",
        "clients",
        "owners",
        "visitors",
        "lovers",
        "readers",
        "viewers",
        "friends",
        "crowd",
        "base",
        "list",
    ]
)


def _leftovers(text: str, known: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """Fragments with a word that is neither filler nor understood: reported, never guessed. Each
    comes with whether it names the audience itself — an unknown word at the head of the goal's
    audience ("our Facebook fans in Pune", "hikers") rather than a qualifier of it ("in Tokyo",
    "who own a cat"); staging without such a part would stand in a different audience."""
    plain = re.sub(r"⟦[^⟧]*⟧", "|", text.replace(BARRIER.strip(), "|"))
    fragments = re.split(r"[|,;.!?:()\[\]\n]|\s(?:and|or|but|also|then|plus)\s|\s-\s", plain)
    found: list[tuple[str, bool]] = []
    for number, fragment in enumerate(fragments):
        words = re.findall(r"[a-z0-9][a-z0-9'%+/&.-]*|[^\sa-z0-9]", fragment)
        words = [w.strip(".'") for w in words if w.strip(".'")]
        content = [i for i, w in enumerate(words) if _is_content(w) and w not in known]
        if not content:
            continue
        start, end = content[0], content[-1]
        for back in range(start - 1, max(-1, start - 4), -1):
            if words[back] in KEEP_LEAD:  # "who go hiking", "in Tokyo", "with high engagement"
                start = back
                break
        led = words[start] in KEEP_LEAD or (start > 0 and words[start - 1] in QUALIFIER_LEAD)
        head = end + 1 < len(words) and words[end + 1] in PEOPLE_NOUNS
        first = number == 0 or not any(_is_content(w) for f in fragments[:number] for w in f.split())
        found.append((" ".join(words[start : end + 1]), not led and (head or first)))
    return found


QUALIFIER_LEAD = frozenset({"at", "on", "near", "around", "via", "of", "by", "than"})


def _brief_words(goal: str, today: date) -> frozenset[str]:
    """Words `read_brief` consumed (an offer, a coupon, an occasion, an expiry, a tone): what the
    message says, so never reported as not understood."""
    brief = read_brief(goal, today)
    return frozenset(w for start, end in brief.spans for w in normalise(goal[start:end]).split())


def _is_content(word: str) -> bool:
    if word in FILLER or word in ('"', "'", "*", "-", "/", "&", "+", "#", "@", "¦", "“", "”"):
        return False
    if not re.search(r"[a-z0-9]", word):
        return False
    if re.fullmatch(r"\d+(?:st|nd|rd|th)", word):
        return False  # an ordinal on its own ("a 2nd nudge") says nothing about who
    return not (word.endswith("'s") and word[:-2] in FILLER)


def stable_index(key: str, size: int) -> int:
    """A deterministic choice among `size` variants."""
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % size if size else 0

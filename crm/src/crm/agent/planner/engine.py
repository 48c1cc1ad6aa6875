"""The parse state and the machinery the rule tables run on.

A goal is read by rewriting its normalised text: each recogniser (a compiled pattern and a small
handler) replaces what it understood with a marker — `⟦rN⟧` for an audience condition, `⟦eN⟧` for
a grounded value (a category, city …) whose role is decided later, `¦` for something read but not
part of the audience (an offer, the delivery channel). Whatever is left at the end is either
filler or a fragment the planner did not understand, which it reports instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from crm.agent.planner.lexicon import COMMON_WORDS, Lexicon, Sense, closest
from crm.agent.planner.spelling import misspelling_of
from crm.agent.planner.types import Vocabulary
from crm.segments.dsl import FilterGroup
from crm.segments.explain import explain_group

Node = dict[str, Any]
ENTITY = r"⟦e(?P<e>\d+)⟧"
BARRIER = " ¦ "


@dataclass
class Entity:
    sense: Sense
    surface: str
    fuzzy: bool = False
    within: int | None = None
    role: str = "filter"  # "filter" or "focus" (what the message is about, not who gets it)
    negated: bool | None = None  # None: decided from the words before it

    @property
    def kind(self) -> str:
        return self.sense.kind

    @property
    def values(self) -> tuple[str, ...]:
        return self.sense.values


@dataclass
class Clause:
    nodes: list[Node]
    note: str
    default: str | None = None  # the field a bare word's default definition sets; an explicit condition wins


@dataclass
class Outcome:
    nodes: list[Node] = field(default_factory=list)
    note: str | None = None
    default: str | None = None
    keep: str = ""  # text put back in front of the marker (e.g. an entity the rule only qualified)


@dataclass
class Parse:
    text: str
    vocabulary: Vocabulary
    lexicon: Lexicon
    today: date
    clauses: list[Clause] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)
    channels: list[tuple[int, str]] = field(default_factory=list)  # (position in the normalised goal, channel)
    consent_channels: list[tuple[int, str]] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    focus: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    unsupported: list[str] = field(default_factory=list)  # criteria recognised but not expressible in the DSL

    def entity(self, match: re.Match[str], group: str = "e") -> Entity:
        return self.entities[int(match.group(group))]

    def add_clause(self, outcome: Outcome, span: str) -> str:
        note = outcome.note or explain(outcome.nodes)
        self.clauses.append(Clause(outcome.nodes, f"“{tidy(span)}” → {note}", outcome.default))
        return f" ⟦r{len(self.clauses) - 1}⟧ "


Handler = Callable[[re.Match[str], Parse], Outcome | None]


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    handle: Handler
    negatable: bool = False  # "non-VIP", "not tagged student", "except Gen Z" negate what the rule reads


def rule(name: str, pattern: str, negatable: bool = False) -> Callable[[Handler], Rule]:
    """`@rule("name", r"pattern")` turns a handler into a table row."""

    def wrap(handle: Handler) -> Rule:
        return Rule(name, re.compile(pattern), handle, negatable)

    return wrap


def explain(nodes: Sequence[Node]) -> str:
    try:
        return explain_group(FilterGroup.model_validate({"match": "all", "conditions": list(nodes)}))
    except ValueError:
        return str(nodes)


def tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().replace(" ,", ",")


def _replace(text: str, start: int, end: int, new: str) -> str:
    if len(new) < end - start:
        new = new + " " * (end - start - len(new))  # keep later positions stable where possible
    return text[:start] + new + text[end:]


def apply_rules(parse: Parse, rules: Sequence[Rule]) -> None:
    for row in rules:
        position = 0
        while position <= len(parse.text):
            match = row.pattern.search(parse.text, position)
            if match is None:
                break
            outcome = row.handle(match, parse)
            if outcome is None:
                position = match.start() + 1
                continue
            span = match.group(0)
            if outcome.nodes and row.negatable and negated_before(parse.text, match.start()):
                outcome.nodes = [{"match": "none", "conditions": outcome.nodes}]
                outcome.note = explain(outcome.nodes)
            if outcome.nodes:
                marker = parse.add_clause(outcome, _readable(span, parse))
            else:
                marker = BARRIER
                if outcome.note:
                    parse.understood.append(f"“{tidy(_readable(span, parse))}” → {outcome.note}")
            new = f" {outcome.keep} {marker}" if outcome.keep else marker
            parse.text = _replace(parse.text, match.start(), match.end(), new)
            position = match.start() + len(new)


def _readable(span: str, parse: Parse) -> str:
    """A span with entity markers put back as the words they stood for."""
    return re.sub(r"⟦e(\d+)⟧", lambda m: parse.entities[int(m.group(1))].surface, span).strip()


# ------------------------------------------------------------------ grounding values


def ground_entities(parse: Parse, known: frozenset[str]) -> None:
    """Exact phrases (longest first), then close spellings of the words left, then lists of the
    same kind ("lipstick, kajal or mascara") merged into one value list."""
    lexicon = parse.lexicon
    if lexicon.pattern is not None:

        def exact(match: re.Match[str]) -> str:
            sense = lexicon.phrases[match.group(0)]
            parse.entities.append(Entity(sense, match.group(0)))
            return f" ⟦e{len(parse.entities) - 1}⟧ "

        parse.text = lexicon.pattern.sub(exact, parse.text)
    _fuzzy(parse, known)
    parse.text = re.sub(r"\bboth\s+(⟦e\d+⟧)\s+(?:and|&)\s+(⟦e\d+⟧)", r"\1 ¦ \2", parse.text)
    _join_lists(parse)

    def excluded(match: re.Match[str]) -> str:
        parse.entities[int(match.group(1))].negated = True
        return f"⟦e{match.group(1)}⟧"

    # "Pune ya Delhi ko chhod ke" (normalised: "… excluded"): the value or list before it is left out
    parse.text = re.sub(r"⟦e(\d+)⟧\s+excluded\b", excluded, parse.text)


SEPARATOR = (
    r"(?:\s*(?:,|/|&|\+|\band/or\b|\bor\b|\band\b|\bplus\b|\bas well as\b|\bnor\b)(?:\s+(?:a|an|the|some|any)\b)?)+"
)
CHAIN = re.compile(r"⟦e\d+⟧(?:" + SEPARATOR + r"\s*⟦e\d+⟧)+")
PLACE_KINDS = frozenset({"city", "state"})


def _join_lists(parse: Parse) -> None:
    """Values of one kind written as a list. A person lives in one place, so a list of places is
    any of them, however it is joined. For what people bought or are tagged with, "or" (and a
    bare comma list) is any of them, "and" is each of them ("bought kajal and eyeliner") — unless
    the list is negated ("never bought kajal and eyeliner": neither)."""

    def join(match: re.Match[str]) -> str:
        ids = [int(i) for i in re.findall(r"⟦e(\d+)⟧", match.group(0))]
        separators = re.split(r"⟦e\d+⟧", match.group(0))[1:-1]
        entities = [parse.entities[i] for i in ids]
        if len({e.kind for e in entities}) != 1:
            # "foundation and Pune or Nagpur": join each run of one kind on its own
            out, run = "", [0]
            for index in range(1, len(ids) + 1):
                if index < len(ids) and entities[index].kind == entities[run[0]].kind:
                    run.append(index)
                    continue
                piece = "".join(f"⟦e{ids[k]}⟧" + (separators[k] if k < run[-1] else "") for k in run)
                out += CHAIN.sub(join, piece) if len(run) > 1 else piece
                if index < len(ids):
                    out += separators[index - 1]
                    run = [index]
            return out
        if any("nor" in sep for sep in separators):
            return match.group(0)
        kind = entities[0].kind
        words = set(re.findall(r"[a-z/&+]+", " ".join(separators)))
        conjunction_and = bool(words & {"and", "&", "+", "plus", "as", "well"}) and not words & {"or", "/", "and/or"}
        if conjunction_and and kind not in PLACE_KINDS and not negated_before(parse.text, match.start()):
            return " ¦ ".join(f"⟦e{i}⟧" for i in ids)
        first = entities[0]
        values = tuple(dict.fromkeys(v for e in entities for v in e.values))
        surface = " ".join(e.surface for e in entities)
        parse.entities[ids[0]] = Entity(Sense(kind, values), surface, any(e.fuzzy for e in entities))
        del first
        return f"⟦e{ids[0]}⟧"

    parse.text = CHAIN.sub(join, parse.text)


WORD = re.compile(r"⟦[^⟧]*⟧|[a-z][a-z']*|\S")


def _fuzzy(parse: Parse, known: frozenset[str]) -> None:
    tokens = [(m.start(), m.end(), m.group()) for m in WORD.finditer(parse.text)]
    edits: list[tuple[int, int, str]] = []
    index = 0

    def is_word(token: str) -> bool:
        return token[0].isalpha() and token not in known

    while index < len(tokens):
        start, end, token = tokens[index]
        if index + 1 < len(tokens):
            _, end2, token2 = tokens[index + 1]
            pair = f"{token} {token2}"
            if is_word(token) and is_word(token2) and parse.text[end : tokens[index + 1][0]] == " ":
                found = closest(pair, parse.lexicon.fuzzy_double, cutoff=0.86)
                if found:
                    edits.append((start, end2, _fuzzy_entity(parse, found, pair)))
                    index += 2
                    continue
        if is_word(token):
            found = misspelling_of(token, parse.lexicon.fuzzy_single, COMMON_WORDS)
            if found:
                edits.append((start, end, _fuzzy_entity(parse, found, token)))
        index += 1
    for start, end, new in reversed(edits):
        parse.text = parse.text[:start] + new + parse.text[end:]


def _fuzzy_entity(parse: Parse, phrase: str, surface: str) -> str:
    sense = parse.lexicon.phrases[phrase]
    parse.entities.append(Entity(sense, surface, fuzzy=True))
    return f" ⟦e{len(parse.entities) - 1}⟧ "


# ------------------------------------------------------------------ entities → conditions

NEGATIONS = ("not", "never", "no", "without", "except", "excluding", "exclude", "outside", "non", "nor", "minus")
NEGATION_PAIRS = ("other than", "apart from", "rather than", "instead of", "but not", "leave out", "leaving out")
STOPS = frozenset({"and", "or", "but", "who", "that", "whose", "which", "while", "where", ",", ";", ".", "¦"})


def negated_before(text: str, start: int) -> bool:
    """A negation among the few words before a value, up to the start of its clause."""
    before = WORD.findall(text[:start])[-5:]
    words: list[str] = []
    for token in reversed(before):
        if token in STOPS or token.startswith("⟦"):
            if token == "but" and words and words[-1] == "not":
                return True
            break
        words.append(token)
    if any(w in NEGATIONS for w in words):
        return True
    joined = " ".join(reversed(words))
    return any(pair in joined for pair in NEGATION_PAIRS)


def entity_nodes(entity: Entity, negated: bool) -> list[Node]:
    values = list(entity.values)
    kind = entity.kind
    within = {"within_days": entity.within} if entity.within is not None else {}
    if kind in ("category", "city", "state", "tag"):
        name = {"category": "category", "city": "city", "state": "state", "tag": "tags"}[kind]
        if len(values) == 1:
            op = "neq" if negated else ("contains" if kind == "tag" else "eq")
            node: Node = {"field": name, "op": op, "value": values[0], **within}
        else:
            node = {"field": name, "op": "not_in" if negated else "in", "value": values, **within}
        if negated and entity.within is not None and kind == "category":
            # "haven't bought lipstick in 60 days": bought it before, but not in the window
            ever: Node = {"field": name, "op": "eq" if len(values) == 1 else "in", "value": node["value"]}
            return [ever, node]
        return [node]
    products = [{"field": "product", "op": "contains", "value": v, **within} for v in values]
    if negated:
        group: Node = {"match": "none", "conditions": products}
        if entity.within is not None:
            ever = {
                "match": "any",
                "conditions": [{k: v for k, v in p.items() if k != "within_days"} for p in products],
            }
            return [ever, group]
        return [group]
    return [products[0]] if len(products) == 1 else [{"match": "any", "conditions": products}]


def entity_note(entity: Entity, nodes: list[Node]) -> str:
    label = {"category": "category", "product": "product", "city": "city", "state": "state", "tag": "tag"}
    grounded = f"{label[entity.kind]} {', '.join(entity.values)}"
    if entity.fuzzy:
        grounded += " (closest match)"
    return f"“{tidy(entity.surface)}” → {grounded}: {explain(nodes)}"


def resolve_entities(parse: Parse) -> None:
    def convert(match: re.Match[str]) -> str:
        entity = parse.entity(match)
        if entity.role != "filter":
            return BARRIER
        negated = entity.negated if entity.negated is not None else negated_before(parse.text, match.start())
        nodes = entity_nodes(entity, negated)
        parse.clauses.append(Clause(nodes, entity_note(entity, nodes)))
        return f" ⟦r{len(parse.clauses) - 1}⟧ "

    # left to right, deciding negation on the text as it stands
    while (match := re.search(ENTITY, parse.text)) is not None:
        parse.text = parse.text[: match.start()] + convert(match) + parse.text[match.end() :]

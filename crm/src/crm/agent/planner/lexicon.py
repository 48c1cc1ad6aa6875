"""Grounding words against the CRM's data: categories (with the catalogue's synonyms), product
names, cities (with old and colloquial names), states, regions and tags — exact phrases first,
longest first, then close spellings ("lipstik", "Hydrabad") with rapidfuzz.

Only values present in the vocabulary are ever produced, always in their stored spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from crm.agent.planner.spelling import ENGLISH
from crm.agent.planner.text import normalise
from crm.agent.planner.types import Vocabulary
from crm.agent.planner.words import FILLER
from crm.catalog import CATEGORY_SYNONYMS, infer_category

EntityKind = str  # "category" | "product" | "city" | "state" | "tag"

CITY_ALIASES: dict[str, tuple[str, ...]] = {
    "bangalore": ("Bengaluru",),
    "bangaluru": ("Bengaluru",),
    "blr": ("Bengaluru",),
    "bombay": ("Mumbai",),
    "bom": ("Mumbai",),
    "calcutta": ("Kolkata",),
    "madras": ("Chennai",),
    "gurgaon": ("Gurugram",),
    "ggn": ("Gurugram",),
    "poona": ("Pune",),
    "new delhi": ("Delhi",),
    "dilli": ("Delhi",),
    "delhi ncr": ("Delhi", "Gurugram", "Noida", "Ghaziabad", "Faridabad", "Greater Noida"),
    "ncr": ("Delhi", "Gurugram", "Noida", "Ghaziabad", "Faridabad", "Greater Noida"),
    "hyd": ("Hyderabad",),
    "hyderbad": ("Hyderabad",),
    "mum": ("Mumbai",),
    "mumbai city": ("Mumbai",),
    "del": ("Delhi",),
    "dli": ("Delhi",),
    "kol": ("Kolkata",),
    "ccu": ("Kolkata",),
    "chn": ("Chennai",),
    "che": ("Chennai",),
    "pnq": ("Pune",),
    "ahd": ("Ahmedabad",),
    "amd": ("Ahmedabad",),
    "jpr": ("Jaipur",),
    "lko": ("Lucknow",),
    "chd": ("Chandigarh",),
    "bbsr": ("Bhubaneswar",),
    "ghy": ("Guwahati",),
    "bengalore": ("Bengaluru",),
    "cochin": ("Kochi",),
    "trivandrum": ("Thiruvananthapuram",),
    "baroda": ("Vadodara",),
    "mysore": ("Mysuru",),
    "mangalore": ("Mangaluru",),
    "vizag": ("Visakhapatnam",),
    "banaras": ("Varanasi",),
    "benares": ("Varanasi",),
    "pondicherry": ("Puducherry",),
    "allahabad": ("Prayagraj",),
    "amdavad": ("Ahmedabad",),
    "mumbai metropolitan region": ("Mumbai", "Thane", "Navi Mumbai"),
    "metros": ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Kolkata", "Hyderabad"),
    "metro cities": ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Kolkata", "Hyderabad"),
    "metro city": ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Kolkata", "Hyderabad"),
    "tier 1 cities": ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Kolkata", "Hyderabad", "Pune", "Ahmedabad"),
}
"""Old, colloquial and grouped names → stored city names. "Metros" are the six big metros;
tier 1 adds Pune and Ahmedabad. Names absent from the vocabulary are dropped."""

STATE_ALIASES: dict[str, tuple[str, ...]] = {
    "bengal": ("West Bengal",),
    "orissa": ("Odisha",),
    "tamilnadu": ("Tamil Nadu",),
    "pondicherry": ("Puducherry",),
    "south india": ("Karnataka", "Tamil Nadu", "Kerala", "Telangana", "Andhra Pradesh", "Puducherry"),
    "southern india": ("Karnataka", "Tamil Nadu", "Kerala", "Telangana", "Andhra Pradesh", "Puducherry"),
    "the south": ("Karnataka", "Tamil Nadu", "Kerala", "Telangana", "Andhra Pradesh", "Puducherry"),
    "north india": (
        "Delhi",
        "Haryana",
        "Punjab",
        "Uttar Pradesh",
        "Rajasthan",
        "Chandigarh",
        "Himachal Pradesh",
        "Uttarakhand",
        "Jammu and Kashmir",
    ),
    "west india": ("Maharashtra", "Gujarat", "Goa"),
    "western india": ("Maharashtra", "Gujarat", "Goa"),
    "east india": ("West Bengal", "Odisha", "Bihar", "Jharkhand", "Assam"),
    "eastern india": ("West Bengal", "Odisha", "Bihar", "Jharkhand", "Assam"),
    "northeast": ("Assam", "Meghalaya", "Manipur", "Mizoram", "Nagaland", "Tripura", "Arunachal Pradesh", "Sikkim"),
    "north east": ("Assam", "Meghalaya", "Manipur", "Mizoram", "Nagaland", "Tripura", "Arunachal Pradesh", "Sikkim"),
}

CATEGORY_GROUPS: dict[str, tuple[str, ...]] = {
    "lip products": ("Lipstick", "Lip Care"),
    "lip makeup": ("Lipstick", "Lip Care"),
    "lip stuff": ("Lipstick", "Lip Care"),
    "lips": ("Lipstick", "Lip Care"),
    "eye products": ("Kajal", "Eyeliner", "Mascara", "Eyeshadow"),
    "eye makeup": ("Kajal", "Eyeliner", "Mascara", "Eyeshadow"),
    "eyes": ("Kajal", "Eyeliner", "Mascara", "Eyeshadow"),
    "face products": ("Foundation", "Concealer", "Compact", "Primer", "Blush", "Highlighter"),
    "face makeup": ("Foundation", "Concealer", "Compact", "Primer", "Blush", "Highlighter"),
    "base makeup": ("Foundation", "Concealer", "Compact", "Primer"),
    "complexion products": ("Foundation", "Concealer", "Compact", "Primer"),
    "nail products": ("Nail Polish",),
}
"""Area words that mean several categories ("eye makeup" = kajal, eyeliner, mascara, eyeshadow)."""

RISKY_SYNONYMS = frozenset({"base", "tools", "lash", "cream", "powder", "gloss", "liner", "palette", "remover"})
"""Catalogue synonyms that are everyday words too: matched exactly, never fuzzily."""

# Words that must never be fuzzily matched to a place, category or tag: they are words the rules
# read themselves, or ordinary words one letter away from a value ("power" ~ "powder").
COMMON_WORDS = frozenset(
    [
        "power",
        "prime",
        "primary",
        "dream",
        "indoor",
        "brunch",
        "mails",
        "emails",
        "start",
        "hello",
        "token",
        "tones",
        "last",
        "lapsed",
        "based",
        "basis",
        "customers",
        "customer",
        "people",
        "buyers",
        "shoppers",
        "users",
        "clients",
        "members",
        "months",
        "weeks",
        "years",
        "days",
        "quarter",
        "quarters",
        "ordered",
        "orders",
        "purchased",
        "purchase",
        "purchases",
        "bought",
        "spent",
        "spend",
        "spending",
        "lifetime",
        "value",
        "average",
        "within",
        "between",
        "signed",
        "joined",
        "registered",
        "inactive",
        "dormant",
        "churned",
        "recent",
        "recently",
        "active",
        "never",
        "haven",
        "havent",
        "launch",
        "launched",
        "collection",
        "welcome",
        "birthday",
        "replenish",
        "restock",
        "running",
        "thank",
        "loyal",
        "loyalty",
        "reward",
        "rewards",
        "campaign",
        "message",
        "messages",
        "whatsapp",
        "email",
        "emails",
        "rcs",
        "text",
        "texts",
        "please",
        "create",
        "target",
        "anyone",
        "everyone",
        "women",
        "female",
        "females",
        "ladies",
        "girls",
        "males",
        "gentlemen",
        "millennials",
        "teens",
        "teenagers",
        "older",
        "younger",
        "under",
        "above",
        "below",
        "more",
        "less",
        "least",
        "exactly",
        "people",
        "person",
        "over",
        "after",
        "before",
        "since",
        "ago",
        "across",
        "reachable",
        "opted",
        "consent",
        "subscribed",
        "subscribers",
        "newsletter",
        "repeat",
        "returning",
        "first",
        "second",
        "third",
        "times",
        "order",
        "placed",
        "winback",
        "engage",
        "reengage",
        "remind",
        "reminder",
        "nudge",
        "offer",
        "discount",
        "shipping",
        "delivery",
        "cashback",
        "across",
        "during",
        "vips",
        "valued",
        "favourite",
        "favorite",
        "beauty",
        "makeup",
        "products",
        "product",
        "items",
        "stuff",
        "something",
        "anything",
        "their",
        "there",
        "other",
        "others",
        "except",
        "excluding",
        "outside",
        "without",
        "cities",
        "states",
        "state",
        "city",
        "region",
        "living",
        "based",
        "lives",
        "staying",
        "located",
        "tagged",
        "labelled",
        "labeled",
        "label",
        "enthusiasts",
        "lovers",
        "fans",
        "addicts",
        "shades",
        "shade",
        "colour",
        "colours",
        "color",
        "colors",
        "brands",
        "brand",
        "store",
        "stores",
        "online",
        "offline",
        "website",
        "mobile",
        "phone",
        "number",
        "numbers",
        "address",
        "addresses",
        "contact",
        "contacts",
        "spenders",
        "spender",
        "lines",
        "liners",
        "lashes",
        "creams",
        "powders",
        "glosses",
        "palettes",
        "matte",
        "glossy",
        "cross",
        "upsell",
        "promote",
        "recommend",
        "introduce",
        "announce",
        "exclusive",
        "special",
        "share",
    ]
)


@dataclass(frozen=True)
class Sense:
    kind: EntityKind
    values: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    phrases: dict[str, Sense]  # normalised phrase → what it names
    pattern: re.Pattern[str] | None  # every phrase, longest first
    fuzzy_single: dict[str, Sense]  # one-word phrases open to close spellings
    fuzzy_double: dict[str, Sense]  # two-word phrases open to close spellings


def _plurals(word: str) -> list[str]:
    forms = [word]
    if word.endswith(("s", "sh", "ch", "x")):
        forms.append(word + "es")
    elif word.endswith("y") and len(word) > 3 and word[-2] not in "aeiou":
        forms.append(word[:-1] + "ies")
    else:
        forms.append(word + "s")
    return forms


def _phrase(text: str) -> str:
    return normalise(re.sub(r"[\"“”]", "", text)).strip(" .,")


def _index(vocabulary: tuple[str, ...]) -> dict[str, str]:
    return {v.lower(): v for v in vocabulary}


PRODUCT_STOP_ENDINGS = frozenset({"of", "as", "me", "the", "de", "got", "a", "an", "and", "&", "-", "to", "for"})


def product_phrases(name: str) -> list[str]:
    """The ways a marketer names a product: the full name, the line ("Matte As Hell Crayon
    Lipstick"), its distinctive opening words ("Matte As Hell") and a multi-word shade ("Poison Ivy")."""
    line, _, shade = name.partition(" - ")
    found = [name, line]
    words = line.split()
    for size in range(2, len(words)):
        prefix = words[:size]
        if prefix[-1].lower() not in PRODUCT_STOP_ENDINGS:
            found.append(" ".join(prefix))
    if len(shade.split()) >= 2 and not shade.split()[0].isdigit():
        found.append(shade)
    return [p.strip() for p in found if p.strip()]


def brand_words(products: tuple[str, ...]) -> dict[str, str]:
    """A product line's first word when it names that line alone ("Wingman" for "Wingman
    Waterproof Microliner"): not an everyday word, and no other line starts with it."""
    firsts: dict[str, list[str]] = {}
    for line in dict.fromkeys(p.partition(" - ")[0] for p in products):
        first = line.split()[0] if line.split() else ""
        firsts.setdefault(first.lower(), []).append(first)
    return {
        word: spelt[0]
        for word, spelt in firsts.items()
        if len(spelt) == 1
        and len(word) >= 5
        and word.isalpha()
        and word not in ENGLISH
        and word not in COMMON_WORDS
        and word not in FILLER
    }


def product_types(vocabulary: Vocabulary) -> dict[str, str]:
    """Words for a kind of product narrower than its category ("serum", "sunscreen", "BB cream"
    within Skincare / Foundation): a catalogue synonym that some, but not all, of that category's
    products are named with. Such a word names those products, not the whole category, so
    "serum and sunscreen buyers" is two different products. → phrase: the words as the product
    names spell them."""
    by_category: dict[str, list[str]] = {}
    for product in vocabulary.products:
        category = infer_category(product)
        if category is not None:
            by_category.setdefault(category, []).append(product)
    found: dict[str, str] = {}
    for category, synonyms in CATEGORY_SYNONYMS.items():
        names = by_category.get(category, [])
        own = {category.lower(), *(_plurals(category.lower()))}
        for synonym in synonyms:
            if synonym in own or synonym in RISKY_SYNONYMS or len(synonym) < 4:
                continue
            pattern = re.compile(rf"(?<![\w]){re.escape(synonym)}(?![\w])", re.IGNORECASE)
            matching = [(name, m) for name in names if (m := pattern.search(name))]
            if matching and len(matching) < len(names):
                found[synonym] = matching[0][1].group(0)
    return found


@lru_cache(maxsize=64)
def build_lexicon(vocabulary: Vocabulary) -> Lexicon:
    phrases: dict[str, Sense] = {}

    def add(text: str, sense: Sense, override: bool = True) -> None:
        key = _phrase(text)
        if key and (override or key not in phrases):
            phrases[key] = sense

    states = _index(vocabulary.states)
    for alias, names in STATE_ALIASES.items():
        present = tuple(states[n.lower()] for n in names if n.lower() in states)
        if present:
            add(alias, Sense("state", present))
    for state in vocabulary.states:
        add(state, Sense("state", (state,)))
    cities = _index(vocabulary.cities)
    for city in vocabulary.cities:
        add(city, Sense("city", (city,)))  # a name that is a city and a state reads as the city
    for alias, names in CITY_ALIASES.items():
        present = tuple(cities[n.lower()] for n in names if n.lower() in cities)
        if present:
            add(alias, Sense("city", present), override=False)

    tags = _index(vocabulary.tags)
    for tag in vocabulary.tags:
        if tag.lower() == "vip":
            continue  # "VIP" is a definition (see rules.VIP), not only a tag
        spaced = re.sub(r"[-_]+", " ", tag.lower())
        for form in {*(_plurals(spaced)), tag.lower()}:
            add(form, Sense("tag", (tags[tag.lower()],)))
        if len(spaced.split()) > 1:
            add(spaced + " members", Sense("tag", (tags[tag.lower()],)))

    categories = _index(vocabulary.categories)
    for category in vocabulary.categories:
        base = category.lower()
        sense = Sense("category", (category,))
        for form in _plurals(base):
            add(form, sense)
        add(base.replace("&", "and"), sense)
    for canonical, synonyms in CATEGORY_SYNONYMS.items():
        stored = categories.get(canonical.lower())
        if stored is None:
            continue
        for synonym in synonyms:
            if synonym in ("base",):
                continue
            for form in _plurals(synonym):
                add(form, Sense("category", (stored,)), override=False)
    for phrase, piece in product_types(vocabulary).items():
        for form in _plurals(phrase):
            add(form, Sense("product", (piece,)))
    for group, names in CATEGORY_GROUPS.items():
        present = tuple(categories[n.lower()] for n in names if n.lower() in categories)
        if present:
            add(group, Sense("category", present), override=False)

    for product in vocabulary.products:
        for piece in product_phrases(product):
            key = _phrase(piece)
            existing = phrases.get(key)
            if existing is None or (
                existing.kind == "product" and existing.values != (piece,) and len(piece) < len(existing.values[0])
            ):
                phrases[key] = Sense("product", (piece,))

    for brand, piece in brand_words(vocabulary.products).items():
        phrases.setdefault(brand, Sense("product", (piece,)))

    ordered = sorted(phrases, key=len, reverse=True)
    pattern = (
        re.compile(r"(?<![\w⟦])(?:" + "|".join(re.escape(p) for p in ordered) + r")(?![\w⟧])") if ordered else None
    )
    fuzzy_single = {
        p: s
        for p, s in phrases.items()
        if " " not in p and len(p) >= 5 and p not in RISKY_SYNONYMS and s.kind != "product"
    }
    fuzzy_double = {p: s for p, s in phrases.items() if p.count(" ") == 1 and len(p) >= 8}
    return Lexicon(phrases, pattern, fuzzy_single, fuzzy_double)


def closest(word: str, options: dict[str, Sense], cutoff: float = 0.8) -> str | None:
    """The closest phrase to a misspelt pair of words, if one is close enough and the words are
    not ordinary words in their own right (single words: `spelling.misspelling_of`)."""
    if word in COMMON_WORDS or not re.fullmatch(r"[a-z][a-z ']+", word):
        return None
    if any(w in ENGLISH for w in word.split()):
        return None
    found = process.extractOne(word, list(options), scorer=fuzz.ratio, score_cutoff=cutoff * 100)
    return found[0] if found else None

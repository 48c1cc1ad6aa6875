"""The offline copywriter: a goal's understanding and its brief → a message that says what the
marketer asked for (offer, code, expiry, occasion, product), in the brand's voice, shaped for the
channel, and claiming nothing about the recipient that the audience does not guarantee.

Built from beats — greeting, hook, offer, call to action with `{{ link }}`, sign-off — each with a
few variants chosen by a stable hash of the goal, so two goals rarely share a line and the same goal
always gets the same draft. Offers and codes are template variables (`{{ offer }}`,
`{{ coupon_code }}`) whose values the campaign carries, so an edit of the offer changes every
message. Names appear only after a greeting (a missing name reads "Hi there,"); `{{ last_item }}`
stands alone, never after "your"; a product agrees with its verb.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from crm.agent.brief import Brief
from crm.copywriting.channels import PROMOTIONAL_SMS_SEGMENTS, SmsFacts, sms_facts
from crm.copywriting.claims import guaranteed
from crm.copywriting.voice import SUGAR, BrandVoice
from crm.segments.dsl import SegmentFilter
from crm.segments.explain import explain
from crm.templating import check_template, render

FIRST = '{{ first_name | default: "there" }}'
CITY = '{{ city | default: "your city" }}'
LAST = '{{ last_item | default: "your last pick" }}'
OFFER = "{{ offer }}"
CODE = "{{ coupon_code }}"
LINK = "{{ link }}"
SAMPLE_LINK = "https://reach.example.in/r/Ab3dE5gH7j"
SAMPLE_CONTEXTS: tuple[dict[str, Any], ...] = (
    {
        "name": "Priya Sharma",
        "first_name": "Priya",
        "city": "Bengaluru",
        "last_item": "Matte As Hell Crayon Lipstick - Scarlett O'Hara",
        "order_count": 7,
    },
    {"first_name": "Venkatalakshmi", "city": "Thiruvananthapuram"},
    {},
)
"""Typical values — and none at all — a promotional SMS must fit one segment with."""

INTENT_LABEL = {
    "winback": "win-back",
    "vip": "VIP thank-you",
    "new_launch": "launch",
    "cross_sell": "cross-sell",
    "replenishment": "restock reminder",
    "welcome": "welcome",
    "birthday": "birthday wishes",
    "generic": "",
}
# the claim an intent's own lines make; without it guaranteed, the intent's lines are not used
INTENT_CLAIM = {
    "winback": "lapsed",
    "vip": "vip",
    "cross_sell": "bought",
    "replenishment": "bought",
    "welcome": "new_customer",
    "birthday": "birthday",
}
PLURAL_WORDS = frozenset({"favourites", "bestsellers", "essentials", "treats", "picks", "tools", "brushes"})


@dataclass(frozen=True)
class Draft:
    subject: str | None
    body: str
    offer: str | None  # the value of {{ offer }} on this channel
    coupon_code: str | None
    name: str
    sms: SmsFacts | None  # the longest sample rendering's facts, for SMS


def pick(options: tuple[str, ...] | list[str], key: str) -> str:
    return options[int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(options)] if options else ""


def is_plural(noun: str) -> bool:
    last = noun.lower().split()[-1] if noun.split() else ""
    return last in PLURAL_WORDS or (" & " in noun) or (last.endswith("s") and not last.endswith("ss"))


def be(noun: str) -> str:
    return "are" if is_plural(noun) else "is"


def offer_value(offer: str | None, channel: str) -> str | None:
    """₹ is not in the GSM-7 alphabet: an SMS says Rs."""
    if offer is None:
        return None
    return offer.replace("₹", "Rs.") if channel == "sms" else offer


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[{}<>]|\{%|%\}", "", text or "")).strip()


@dataclass(frozen=True)
class _Plan:
    intent: str
    focus: str | None
    offer: bool
    code: bool
    expiry: str | None
    occasion: str | None  # the festival's name, "birthday", "new launch", "restock", "sale"
    occasion_kind: str | None
    tone: str | None
    claims: frozenset[str]  # claims the filter guarantees
    key: str
    voice: BrandVoice


def _plan(
    intent: str, tree: dict[str, Any], focus: str | None, brief: Brief, has_offer: bool, voice: BrandVoice
) -> _Plan:
    claims = frozenset(
        k for k in ("vip", "loyal", "lapsed", "new_customer", "birthday", "bought") if guaranteed(tree, k)
    )
    occasion = brief.occasion
    if occasion is not None and occasion.kind == "launch" and intent == "generic":
        intent = "new_launch"
    if occasion is not None and occasion.kind == "restock" and intent == "generic":
        intent = "replenishment"
    if occasion is not None and occasion.kind == "birthday" and intent == "generic":
        intent = "birthday"
    key = f"{intent}|{focus}|{brief.offer_text}|{occasion.name if occasion else ''}|{tree}"
    return _Plan(
        intent=intent,
        focus=focus,
        offer=has_offer,
        code=brief.coupon_code is not None,
        expiry=brief.expiry_text,
        occasion=occasion.name if occasion else None,
        occasion_kind=occasion.kind if occasion else None,
        tone=brief.tone,
        claims=claims,
        key=key,
        voice=voice,
    )


# ------------------------------------------------------------------ beats


def _hook(p: _Plan, short: bool) -> str:
    """The line that says why this message, now — true for every recipient."""
    b, f = p.voice.brand_name, p.focus
    options: list[str] = []
    claim = INTENT_CLAIM.get(p.intent)
    own = claim is None or claim in p.claims
    if p.occasion_kind == "festival":
        festival = p.occasion or ""
        greeting = "Merry Christmas!" if festival == "Christmas" else f"Happy {festival}!"
        return pick([greeting, f"{festival} glam is calling!", f"Get {festival}-ready with {b}!"], p.key + "hook")
    if p.intent == "birthday" and own:
        options += ["Happy birthday!", "It's your birthday week!"]
    elif p.intent == "birthday":
        options += ["A little treat from us to you!", f"Time to celebrate with {b}!"]
    elif p.intent == "new_launch":
        options += (
            [f"Just dropped: the new {b} {f}!", f"Meet the new {b} {f}.", f"New from {b}: {f} you'll love."]
            if f
            else [f"Just dropped at {b}!", f"Something new just landed at {b}."]
        )
    elif p.intent == "replenishment" and own:
        if p.occasion_kind == "restock" and f:
            options += [f"{f} {be(f)} back in stock!", f"Good news: {f} {be(f)} back!"]
        elif f and guaranteed_category(p, f):
            options += [f"Running low on {f}?", f"Time to restock your {f}?"]
        else:
            options += ["Time to restock your favourites?", "Running low on your favourites?"]
    elif p.intent == "replenishment" or p.occasion_kind == "restock":
        options += (
            [f"{f} {be(f)} back in stock!", f"Good news: {f} {be(f)} back!"]
            if f
            else ["Bestsellers are back in stock!", "Your favourites are back in stock!"]
        )
    elif p.intent == "winback" and own:
        options += ["We've missed you!", "It's been a while!", "Long time no see!"]
    elif p.intent == "vip" and own:
        options += [f"You're a {b} VIP, so you get it first.", "For our VIPs only:", "VIP early access is yours."]
    elif p.intent == "welcome" and own:
        options += [f"Welcome to {b}!", f"So glad you found {b}!"]
    elif p.intent == "cross_sell" and own:
        options += (
            [f"Loved your last {b} pick? Meet {f}.", f"Complete the look with {b} {f}."]
            if f
            else [f"Loved your last {b} pick?", "Your next favourite is here."]
        )
    if not options and "loyal" in p.claims:
        options += [f"Thanks for being a {b} regular!", "You keep coming back, and we love it!"]
    if not options:
        if f:
            options += [
                f"Fresh {f} picks from {b}.",
                f"{b} {f}, made for you.",
                f"Your {b} {f} moment is here.",
                f"{f} you'll reach for every day.",
                f"Bold {f} shades, waiting for you.",
            ]
        else:
            options += [
                f"Something fab from {b}.",
                f"Fresh picks from {b}.",
                f"New shades, bold looks at {b}.",
                f"Bold beauty from {b}, picked for you.",
                f"Your next favourite shade is at {b}.",
                f"Long-wear looks from {b}, just for you.",
                f"A little {b} glam for your week.",
                f"Good news from {b}!",
            ]
    if p.tone == "urgent" and not short:
        options = [f"Hurry! {o}" for o in options]
    return pick(options, p.key + "hook")


def guaranteed_category(p: _Plan, focus: str) -> bool:
    del p, focus  # the category claim is checked against the audience; the copy leaves it out
    return False


def _offer_line(p: _Plan, sms: bool) -> str:
    if not p.offer:
        return ""
    on = f" on {p.focus}" if p.focus and not sms else ""
    code = f" with code {CODE}" if p.code else ""
    until = f" till {p.expiry}" if p.expiry else ""
    options = [f"Get {OFFER}{on}{code}{until}.", f"Enjoy {OFFER}{on}{code}{until}."]
    if p.tone == "urgent":
        options = [f"{OFFER}{on}{code}, only till {p.expiry}." if p.expiry else f"{OFFER}{on}{code} - while it lasts."]
    return pick(options, p.key + "offer")


def _cta(p: _Plan, sms: bool) -> str:
    if sms:
        return f"Shop: {LINK}"
    options = [f"Shop now: {LINK}", f"Tap to shop: {LINK}", f"Find yours: {LINK}"]
    return pick(options, p.key + "cta")


def _greeting(p: _Plan, channel: str) -> str:
    if p.tone == "formal":
        return f"Hello {FIRST}."
    return pick([f"Hi {FIRST}!", f"Hey {FIRST}!", f"Hello {FIRST}!"], p.key + "greet")


def _emoji(p: _Plan) -> str:
    if not p.voice.emoji or p.tone == "formal":
        return ""
    if p.occasion_kind == "festival":
        return " 🪔" if p.occasion in ("Diwali", "Dhanteras") else " 🎉"
    return " " + pick(["✨", "💄", "💖", "🛍️"], p.key + "emoji")


def _subject(p: _Plan) -> str:
    b, f = p.voice.brand_name, p.focus
    parts: list[str] = []
    if p.occasion_kind == "festival":
        parts.append(f"{p.occasion} special:")
    if p.offer:
        parts.append(f"{OFFER}" + (f" on {f}" if f else f" at {b}"))
        if p.expiry:
            parts.append(f"till {p.expiry}")
    else:
        claim = INTENT_CLAIM.get(p.intent)
        own = claim is None or claim in p.claims
        if p.intent == "new_launch":
            parts.append(f"Just dropped: {b} {f}" if f else f"New at {b}")
        elif p.intent == "vip" and own:
            parts.append(f"VIP early access at {b}")
        elif p.intent == "winback" and own:
            parts.append(f"We've missed you at {b}")
        elif p.intent == "birthday" and own:
            parts.append(f"A birthday treat from {b}")
        elif f:
            parts.append(f"{f} picks from {b}")
        else:
            parts.append(f"Something fab from {b}")
    subject = " ".join(parts)
    return subject + _emoji(p)


def _preheader(p: _Plan) -> str:
    b, f = p.voice.brand_name, p.focus
    if p.offer and p.code:
        line = (
            f"Use code {CODE} at checkout"
            + (f" before {p.expiry}" if p.expiry else "")
            + f" on {f or 'your next order'}."
        )
    elif p.offer:
        line = f"Your {b} offer is inside" + (f", but only till {p.expiry}" if p.expiry else ", just for you") + "."
    elif f:
        line = f"See what's new in {f} at {b}, picked for you."
    else:
        line = f"See what's new at {b} this week, picked for you."
    return line


# ------------------------------------------------------------------ assembling


def _sms(p: _Plan) -> list[str]:
    greeting, hook, offer, cta = _greeting(p, "sms"), _hook(p, short=False), _offer_line(p, True), _cta(p, True)
    short_hook = _hook(p, short=True)
    sign = f"-{p.voice.brand_name}"
    return [
        " ".join(x for x in (greeting, hook, offer, cta, sign) if x),
        " ".join(x for x in (greeting, short_hook, offer, cta, sign) if x),
        " ".join(x for x in (greeting, offer or short_hook, cta, sign) if x),
        " ".join(x for x in (offer or short_hook, cta, sign) if x),
    ]


def _chat(p: _Plan) -> str:
    greeting = _greeting(p, "chat") + _emoji(p)
    hook = _hook(p, short=False)
    lines = [f"{greeting}\n{hook}"]
    detail = _detail(p)
    if detail:
        lines.append(detail)
    offer = _offer_line(p, False)
    if offer:
        lines.append(offer)
    lines.append(_cta(p, False))
    lines.append(f"— {p.voice.sign_off}")
    return "\n".join(lines)


def _detail(p: _Plan, letter: bool = False) -> str:
    """A personal sentence whose claim the audience guarantees (or none)."""
    if "bought" in p.claims and p.intent in ("cross_sell", "replenishment", "winback"):
        return pick([f"Still loving {LAST}?", f"We hope {LAST} made your day."], p.key + "detail")
    if p.intent == "vip" and "vip" in p.claims:
        return f"Thank you for being one of our VIPs in {CITY}."
    if p.occasion_kind == "festival":
        return f"Light up {p.occasion} in {CITY} with bold, long-wear shades."
    if letter:
        return pick(
            [
                f"Bold, long-wear shades made for days out in {CITY}.",
                f"Picked for you in {CITY}, by the {p.voice.brand_name} team.",
            ],
            p.key + "letter",
        )
    return ""


def _email(p: _Plan) -> tuple[str, str]:
    subject = _subject(p)
    paragraphs = [_preheader(p), f"Hi {FIRST},"]
    hook = _hook(p, short=False)
    detail = _detail(p, letter=True)
    paragraphs.append(f"{hook} {detail}".strip())
    offer = _offer_line(p, False)
    if offer:
        paragraphs.append(offer)
    paragraphs.append(_cta(p, False))
    paragraphs.append(f"With love,\n{p.voice.sign_off}")
    return subject, "\n\n".join(paragraphs)


def _longest_sms(body: str, values: dict[str, Any]) -> SmsFacts:
    renders = [render(body, {**ctx, **values}) for ctx in SAMPLE_CONTEXTS]
    return max((sms_facts(r) for r in renders), key=lambda f: (f.segments, f.characters))


def campaign_name(intent: str, focus: str | None, brief: Brief, tree: dict[str, Any], planner_name: str) -> str:
    """Occasion · product · purpose · offer (audience qualifiers): "Diwali Lipstick win-back · 10% off (90+ days)".
    A purpose whose claim the audience does not guarantee is left out of the name too."""
    claim = INTENT_CLAIM.get(intent)
    label = INTENT_LABEL.get(intent, "") if claim is None or guaranteed(tree, claim) else ""
    occasion = brief.occasion.name if brief.occasion else ""
    if occasion in ("new launch", "restock", "sale", "birthday") and occasion.split()[-1] in label:
        occasion = ""
    if not label and focus and not brief.offer_text:
        label = "picks"
    words = " ".join(x for x in (occasion.title() if occasion == "birthday" else occasion, focus or "", label) if x)
    offer = brief.offer_text
    parts = [words] if words else []
    if offer:
        parts.append(offer)
    qualifier = re.search(r"\(([^)]*)\)\s*$", planner_name)
    if not parts:
        parts.append(_audience_name(tree))
        qualifier = None
    name = " · ".join(parts)
    if qualifier:
        name += f" ({qualifier.group(1)})"
    name = name[0].upper() + name[1:]
    return name[:80]


def _audience_name(tree: dict[str, Any]) -> str:
    """A campaign named after its audience ("Customers who live in Pune"), when nothing else names it."""
    try:
        said = explain(SegmentFilter.model_validate(tree)) if tree.get("conditions") else ""
    except ValueError:
        said = ""
    return said[:1].upper() + said[1:] if said else "Everyone"


def write_draft(
    *,
    intent: str,
    tree: dict[str, Any],
    channel: str,
    focus: str | None,
    brief: Brief,
    planner_offer: str | None = None,
    planner_name: str = "",
    voice: BrandVoice = SUGAR,
    max_sms_segments: int = PROMOTIONAL_SMS_SEGMENTS,
    inline: bool = False,
) -> Draft:
    """`inline`: the offer, code and link written into the text (for sequence steps, which carry no
    campaign variables) instead of as {{ offer }}, {{ coupon_code }} and {{ link }}."""
    draft = _write(intent, tree, channel, focus, brief, planner_offer, planner_name, voice, max_sms_segments)
    if not inline:
        return draft
    values = {"offer": draft.offer or "", "coupon_code": draft.coupon_code or "", "link": voice.destination_url}

    def fill(source: str) -> str:
        for variable, value in values.items():
            source = re.sub(r"\{\{\s*" + variable + r"\s*\}\}", value.replace("\\", ""), source)
        return source

    return Draft(
        fill(draft.subject) if draft.subject else None,
        fill(draft.body),
        draft.offer,
        draft.coupon_code,
        draft.name,
        sms_facts(render(fill(draft.body), dict(SAMPLE_CONTEXTS[0]))) if channel == "sms" else None,
    )


def _write(
    intent: str,
    tree: dict[str, Any],
    channel: str,
    focus: str | None,
    brief: Brief,
    planner_offer: str | None,
    planner_name: str,
    voice: BrandVoice,
    max_sms_segments: int,
) -> Draft:
    channel = channel.lower()
    focus = _clean(brief.product_focus or focus) or None
    offer_text = brief.offer_text or (_clean(planner_offer) or None)
    offer = offer_value(offer_text, channel)
    p = _plan(intent, tree, focus, brief, offer is not None, voice)
    values = {"offer": offer, "coupon_code": brief.coupon_code, "link": SAMPLE_LINK}
    name = campaign_name(intent, focus, brief, tree, planner_name)
    if channel == "sms":
        candidates = _sms(p)
        chosen = candidates[-1]
        for candidate in candidates:
            if _longest_sms(candidate, values).segments <= max_sms_segments:
                chosen = candidate
                break
        check_template(chosen)
        return Draft(None, chosen, offer, brief.coupon_code, name, _longest_sms(chosen, values))
    if channel == "email":
        subject, body = _email(p)
        check_template(subject)
        check_template(body)
        return Draft(subject, body, offer, brief.coupon_code, name, None)
    body = _chat(p)
    check_template(body)
    return Draft(None, body, offer, brief.coupon_code, name, None)

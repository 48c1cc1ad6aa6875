"""The recognisers, as ordered tables of (pattern → handler).

Semantics (documented once, here):
- Recency. "haven't ordered in 60 days", "no purchase for 2 months", "lapsed for 3 months",
  "last bought over a month ago" → `last_order_days_ago gt N` (the last order is more than N whole
  days old); "at least N days ago" / "N+ days" → `gte`. People who never ordered are not "lapsed".
  "ordered in the last 30 days", "in the last quarter" → `lte N`. A bare "lapsed / inactive /
  dormant / churned" (or a win-back goal with no window) means `gt 90`; "recent buyers" `lte 30`;
  "active customers" `lte 90`. Units: week 7, fortnight 14, month 30, quarter 90, year 365 days.
- "bought lipstick in the last 30 days" puts the window on the purchase (`within_days`);
  "haven't bought lipstick in 60 days" means bought it before but not in the window.
- Spend: over/more than/above → gt, at least/N+/N or more → gte, under/less than → lt, up to/at
  most → lte, between → between; rupees. "VIP" = the `vip` tag, nothing else; "top / best /
  high-value customers, big spenders" = total_spent ≥ ₹10,000, a threshold the reply states.
  "loyal / frequent / regular customers" = ≥ 5 orders. "repeat / returning" = ≥ 2 orders;
  "one-time / first-time buyers" = exactly 1; "never ordered" = 0.
- New customers (bare) = signed up in the last 30 days.
- Age: under N → lt, over N → gt, N+ / N and above → gte, "aged A to B" / "in their 20s" → between
  (inclusive); Gen Z 18–27, millennials 28–43, Gen X 44–59, boomers 60+.
- A delivery channel ("on WhatsApp", "send an SMS") is returned as the channel, not added to the
  filter (launch suppresses the unreachable and reports them); consent phrases ("opted in to SMS",
  "reachable on WhatsApp", "with an email address") are filter conditions (`reachable_on`).
- Lists of one kind ("Pune or Mumbai", "lipstick and kajal") mean any of them (`in`); "both X and
  Y" means each; "or" between different criteria makes an `any` group.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from crm.agent.planner.engine import ENTITY, Node, Outcome, Parse, Rule, rule
from crm.agent.planner.text import NUM, UNIT, to_days
from crm.agent.planner.words import CHANNEL, channel_of

LAPSED_DAYS = 90
RECENT_DAYS = 30
ACTIVE_DAYS = 90
NEW_CUSTOMER_DAYS = 30
VIP_SPEND = 10_000
LOYAL_ORDERS = 5
GENERATIONS: dict[str, tuple[int, int | None]] = {
    "gen z": (18, 27),
    "zoomers": (18, 27),
    "millennials": (28, 43),
    "millennial": (28, 43),
    "gen y": (28, 43),
    "gen x": (44, 59),
    "boomers": (60, None),
    "baby boomers": (60, None),
    "teens": (13, 19),
    "teenagers": (13, 19),
}

# comparison words → operator
GT = r"over|more than|above|greater than|higher than|exceeding|in excess of|>|north of|beyond|older than|longer than"
GTE = r"at least|minimum(?: of)?|min|>=|no less than|not less than|upwards of|atleast"
LT = r"under|less than|below|lower than|fewer than|<|younger than|within|short of"
LTE = r"at most|up to|upto|maximum(?: of)?|max|<=|no more than|not more than|not over"
EQ = r"exactly|=|equal to"
CMP = rf"(?P<cmp>{GT}|{GTE}|{LT}|{LTE}|{EQ})"
POST = (
    r"(?P<post>\+|\s*(?:or|and) (?:more|above|over|up|higher|older|greater|less|fewer|below|under|lower|younger)"
    r"(?!\s*(?:than\b|rs\b|\d)))"
)
"""A comparison after the number ("5 or more"); never the start of the next one ("and under 25")."""
LAST = r"(?:the\s+)?(?:(?:last|past|previous|recent|prior)\s+)"
DUR = rf"(?P<n>{NUM})?\s*(?P<plus>\+)?\s*(?P<u>{UNIT})\b(?!\s*old\b)"
NOT_AGO = r"(?!\s*(?:ago|back|before)\b)"
GAP = r"(?:\s+(?![⟦¦])\S+){0,3}?"  # up to three words, never across a marker


def comparison(cmp: str | None, post: str | None, default: str = "eq") -> str:
    word = (cmp or "").strip()
    after = (post or "").strip()
    if word:
        for pattern, op in ((GTE, "gte"), (GT, "gt"), (LTE, "lte"), (LT, "lt"), (EQ, "eq")):
            if re.fullmatch(pattern, word):
                return op
    if after:
        if after == "+" or re.search(r"more|above|over|up|higher|older|greater", after):
            return "gte"
        return "lte"
    return default


def number(value: str) -> float | int:
    parsed = float(value)
    return int(parsed) if parsed.is_integer() else parsed


def days(m: re.Match[str], n: str = "n", u: str = "u") -> int:
    return to_days(m.group(n), m.group(u))


def cond(name: str, op: str, value: object) -> Node:
    return {"field": name, "op": op, "value": value}


def one(name: str, op: str, value: object, default: str | None = None) -> Outcome:
    return Outcome([cond(name, op, value)], default=default)


# ------------------------------------------------------------------ before values are grounded

ACT = (
    r"(?:ordered|order(?:ing)?|orders?|purchased|purchases?|purchasing|bought|buying|buy|shopped|shopping"
    r"|transact\w*|placed (?:an? |any )?orders?|made (?:an? |any )?(?:purchases?|orders?)|checked out|come back"
    r"|returned|been active|heard from (?:us|them)|visited)"
)


@rule(
    "offer_percent",
    r"(?:(?:with|give|giving|offer|offering)\s+(?:them\s+)?)?(?:an?\s+)?(?:flat\s+|extra\s+|additional\s+)?"
    r"(?:up ?to\s+)?(?P<p>\d+(?:\.\d+)?)\s*(?:%|percent|per cent)\s*(?P<what>off|discount|cashback)?",
)
def offer_percent(m: re.Match[str], parse: Parse) -> Outcome:
    what = "cashback" if m.group("what") == "cashback" else "off"
    parse.offers.append(f"{number(m.group('p'))}% {what}")
    return Outcome(note=f"offer: {parse.offers[-1]}")


@rule("offer_amount", r"(?:flat\s+|extra\s+)?rs\s*(?P<a>\d+)\s*(?P<what>off|discount|cashback)\b")
def offer_amount(m: re.Match[str], parse: Parse) -> Outcome:
    what = "cashback" if m.group("what") == "cashback" else "off"
    parse.offers.append(f"₹{number(m.group('a'))} {what}")
    return Outcome(note=f"offer: {parse.offers[-1]}")


@rule(
    "offer_words",
    r"\b(?:free (?:shipping|delivery)|free gifts?|free samples?|freebies?|buy (?P<x>\d+) get (?P<y>\d+)"
    r"(?: free)?|bogo)\b",
)
def offer_words(m: re.Match[str], parse: Parse) -> Outcome:
    text = m.group(0)
    if "shipping" in text or "delivery" in text:
        offer = "free shipping"
    elif "gift" in text or "freebie" in text:
        offer = "a free gift"
    elif "sample" in text:
        offer = "free samples"
    else:
        offer = f"Buy {m.group('x') or 1} Get {m.group('y') or 1} free"
    parse.offers.append(offer)
    return Outcome(note=f"offer: {offer}")


@rule(
    "offer_code",
    r"\b(?:(?:use|with|using|apply|plus)\s+)?(?:the\s+)?(?:promo\s+|discount\s+|coupon\s+)?(?:code|coupon)"
    r"\s*[:\-]?\s*(?P<code>[a-z0-9]*\d[a-z0-9]*|[a-z]{3,20}\d*)\b",
)
def offer_code(m: re.Match[str], parse: Parse) -> Outcome:
    parse.offers.append(f"code {m.group('code').upper()}")
    return Outcome(note=f"offer: {parse.offers[-1]}")


@rule(
    "sequence_step",
    r"(?:\b(?:then|and|followed by)\s+)?(?:\b(?:an?|the|one)\s+)?(?:follow up\s+)?(?:(?P<ch>"
    + CHANNEL
    + r")\s+)?(?:(?:message|reminder|nudge|follow up)\s+)?(?:\d+(?:\.\d+)?\s+(?:days?|hours?|hrs?|"
    r"weeks?)\s+later|after\s+\d+\s+(?:days?|hours?|hrs?)|on\s+day\s+\d+|the next day|next morning)",
)
def sequence_step(m: re.Match[str], parse: Parse) -> Outcome:
    if m.group("ch"):
        parse.channels.append((m.start("ch"), channel_of(m.group("ch"))))
    return Outcome(note="a later step of a sequence (sequences are planned separately)")


@rule(
    "sequence_condition",
    r"\bif (?:they|it|she|he|the (?:\w+ )?message|customers?)\s+(?:have|has|is|was|did|do|does)?\s*"
    r"(?:not|never)\s+(?:been\s+)?(?:read|opened?|clicked?|respond(?:ed)?|repl(?:y|ied)|convert(?:ed)?|buy|bought|"
    r"purchased?|engaged?|seen|see|ordered|order)\b(?:\s+(?:it|them|the \w+|yet|by then))*"
    r"|\bif (?:unread|unopened|no (?:reply|response|open|read|click|purchase))\b",
)
def sequence_condition(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(note="a follow-up condition of a sequence (sequences are planned separately)")


@rule(
    "consent",
    r"(?P<neg>\b(?:not|never|un)\s*)?\b(?:reachable|contactable|available|subscribed|opted in|opt in|"
    r"opted into|opt ins?|consented|consent|given consent|gave consent|agreed|permission)\s+(?:to\s+|for\s+|on\s+|"
    r"via\s+|by\s+|over\s+|into\s+|in to\s+|through\s+)?(?:receive\s+|receiving\s+|get\s+|getting\s+)?"
    r"(?:marketing\s+)?(?P<chs>" + CHANNEL + r"(?:\s*(?:,|/|&|or|and|and/or)\s*" + CHANNEL + r")*)"
    r"(?:\s+(?:messages?|marketing|updates|communications?|comms|promotions?))?",
)
def consent(m: re.Match[str], parse: Parse) -> Outcome:
    return _consent(m, parse, negated=bool(m.group("neg")))


@rule(
    "consent_with",
    r"\b(?:(?P<neg>without|with no|lacking|missing|no)|with|have|having|has|who have|who gave)\s+"
    r"(?:an?\s+|valid\s+|their\s+|the\s+|any\s+)*(?P<chs>"
    + CHANNEL
    + r")\s+(?:consent|opt ins?|optins?|permission|address(?:es)?|ids?|subscriptions?)",
)
def consent_with(m: re.Match[str], parse: Parse) -> Outcome:
    return _consent(m, parse, negated=bool(m.group("neg")))


@rule(
    "consent_noun",
    r"\b(?P<chs>" + CHANNEL + r")\s+(?:subscribers|opt ins?|optins|opted in(?:\s+(?:users|customers))?"
    r"|consenting|consented|reachable|contactable)",
)
def consent_noun(m: re.Match[str], parse: Parse) -> Outcome:
    return _consent(m, parse, negated=False)


@rule(
    "consent_out",
    r"\b(?:opted out|unsubscribed|opt outs?)\s+(?:of|from)\s+(?P<chs>"
    + CHANNEL
    + r"(?:\s*(?:,|/|&|or|and)\s*"
    + CHANNEL
    + r")*)",
)
def consent_out(m: re.Match[str], parse: Parse) -> Outcome:
    return _consent(m, parse, negated=True)


def _consent(m: re.Match[str], parse: Parse, negated: bool) -> Outcome:
    found = [
        (parse_start + c.start(), channel_of(c.group()))
        for parse_start in (m.start("chs"),)
        for c in re.finditer(CHANNEL, m.group("chs"))
    ]
    channels = list(dict.fromkeys(ch for _, ch in found))
    if not negated:
        parse.consent_channels.extend(found)
    if len(channels) == 1:
        return one("reachable_on", "neq" if negated else "eq", channels[0])
    return one("reachable_on", "not_in" if negated else "in", channels)


@rule("newsletter_send", r"\b(?:send|drop|share|mail)\s+(?:them\s+|out\s+)?(?:an?|our|the)\s+(?:\w+\s+)?newsletters?\b")
def newsletter_send(m: re.Match[str], parse: Parse) -> Outcome:
    parse.channels.append((m.start(), "email"))
    return Outcome(note="channel: email")


@rule(
    "delivery_channel",
    r"(?:\b(?:send|drop|shoot|fire|blast|push|do)\s+(?:them\s+|out\s+|it\s+)?(?:an?\s+|our\s+|the\s+)?)?"
    r"(?:\b(?:on|via|through|over|by|using|in|as|with)\s+(?:an?\s+)?)?\b(?P<ch>" + CHANNEL + r")\b"
    r"(?:\s+(?:them|message|messages|msg|campaign|blast|broadcast|nudge|reminder|notification|push|note|drip"
    r"|sequence|flow|follow up|now|first|only|today))*",
)
def delivery_channel(m: re.Match[str], parse: Parse) -> Outcome:
    channel = channel_of(m.group("ch"))
    parse.channels.append((m.start("ch"), channel))
    return Outcome(note=f"send on {channel}")


@rule(
    "timing",
    r"\b(?:at|by|around)\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b|\btomorrow\b"
    r"|\btonight\b|\bthis (?:evening|morning|afternoon|weekend)\b|\bon (?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\bnext (?:week|mon|tues|wednes|thurs|fri|satur|sun)(?:day)?\b|\bright now\b|\bright away\b|\basap\b",
)
def timing(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(note="timing of the send (set when launching)")


STAGES = {
    "clicked": "clicked",
    "tapped": "clicked",
    "opened or read": "engaged",
    "opened": "engaged",
    "read": "engaged",
    "seen": "engaged",
    "engaged": "engaged",
    "engaged with": "engaged",
    "responded to": "engaged",
    "delivered": "delivered",
    "converted": "converted",
    "bought after": "converted",
    "ordered after": "converted",
    "purchased after": "converted",
    "received": "received",
    "got": "received",
    "been sent": "received",
    "were sent": "received",
    "was sent": "received",
    "sent": "received",
    "messaged": "received",
    "been messaged": "received",
    "contacted": "received",
    "been contacted": "received",
    "texted": "received",
    "emailed": "received",
}
MESSAGE_NOUN = r"(?:messages?|msgs?|campaigns?|links?|offers?|reminders?|blasts?|nudges?|it|them)\b"
ENGAGEMENT_VERB = r"(?P<verb>" + "|".join(sorted(map(re.escape, STAGES), key=len, reverse=True)) + r")"


@rule(
    "engagement",
    r"(?:\b(?P<neg>except|excluding|exclude|but not|other than|apart from|not|never|without)\s+)?"
    r"(?:\b(?:anyone|anybody|people|those|customers|ones|everyone|folks)\s+)?(?:\b(?:who|that)\s+)?"
    r"(?:\b(?P<neg2>have not|has not|had not|did not|not|never)\s+)?(?:\b(?:have|has|had|already|ever)\s+)*"
    r"\b" + ENGAGEMENT_VERB + r"(?:\s+(?:to\s+|on\s+)?(?:(?:an?|any|our|the|a recent|their|my)\s+)?"
    r"(?:campaign\s*#?\s*(?P<campaign>\d+)|(?P<ch>"
    + CHANNEL
    + r")(?:\s+"
    + MESSAGE_NOUN
    + r")?|"
    + MESSAGE_NOUN
    + r"))?"
    r"(?:\s+(?:sent|we sent|delivered))?(?:\s+(?:on|via|over)\s+(?P<ch2>" + CHANNEL + r"))?"
    r"(?:\s+(?:from\s+|in\s+|of\s+|for\s+)?campaign\s*#?\s*(?P<campaign2>\d+))?"
    r"(?:\s+(?P<window>this week|this month|today|yesterday|"
    r"(?:in|within|during|over)\s+(?:the\s+)?(?:(?:last|past)\s+)?"
    + DUR.replace("?P<n>", "?P<wn>").replace("?P<plus>", "?P<wplus>").replace("?P<u>", "?P<wu>")
    + r"))?"
    r"(?P<nobuy>\s+but\s+(?:did not|have not|has not|not|never|no)\s+(?:buy|bought|purchase|purchased|order|ordered|"
    r"convert|converted|anything))?",
)
def engagement(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "clicked but didn't buy", "excluding anyone messaged this week", "opened an email in the last
    30 days": a message that reached a stage (engagement), with its window, channel and campaign."""
    verb = m.group("verb")
    campaign = m.group("campaign") or m.group("campaign2")
    object_said = bool(re.search(MESSAGE_NOUN, m.group(0)[m.end("verb") - m.start() :]))
    if (
        verb in ("got", "received", "sent", "read", "seen", "delivered", "converted") or verb.endswith("after")
    ) and not (object_said or m.group("ch") or m.group("ch2") or campaign):
        return None  # "got" / "read" / "converted" alone are not about our messages
    node: Node = {"field": "engagement", "op": "eq", "value": STAGES[verb]}
    window = m.group("window")
    if window:
        if window in ("this week", "this month", "today", "yesterday"):
            node["within_days"] = {"this week": 7, "this month": 30, "today": 0, "yesterday": 1}[window]
        else:
            node["within_days"] = to_days(m.group("wn"), m.group("wu"))
    channel = m.group("ch") or m.group("ch2")
    if channel:
        node["channel"] = channel_of(channel)
    if campaign:
        node["campaign_id"] = int(campaign)
    nodes: list[Node] = [node]
    if m.group("nobuy"):
        converted = {k: v for k, v in node.items() if k != "value"} | {"value": "converted"}
        nodes.append({"match": "none", "conditions": [converted]})
    if m.group("neg") or m.group("neg2"):
        nodes = [{"match": "none", "conditions": [node]}]
    return Outcome(nodes)


@rule(
    "spend_percentile",
    r"\b(?P<side>top|bottom|highest|lowest)\s+(?P<p>\d+(?:\.\d+)?)\s*(?:%|percent|per cent|pc)\s*(?:of\s+)?"
    r"(?:(?:our|my|the|all)\s+)?(?:spenders|customers|buyers|shoppers|clients|by spend|people)?",
)
def spend_percentile(m: re.Match[str], parse: Parse) -> Outcome:
    """ "top 5% spenders": spend_percentile ≥ 95 (the share of customers who spent less)."""
    share = float(m.group("p"))
    value = number(str(100 - share)) if m.group("side") in ("top", "highest") else number(str(share))
    op = "gte" if m.group("side") in ("top", "highest") else "lt"
    return Outcome(
        [cond("spend_percentile", op, value)],
        note=f"{m.group(0).strip()}: spend percentile {'≥' if op == 'gte' else '<'} {value}",
    )


# ------------------------------------------------------------------ roles of grounded values


@rule(
    "except_those",
    r"\b(?:except|excluding|but not|other than|apart from|not including)\s+(?:for\s+)?(?:those|people|"
    r"customers|anyone|ones|the ones|folks|buyers)\s+(?:who|that)\s+(?:have\s+|had\s+)?(?:already\s+)?(?:ever\s+)?"
    r"(?:bought|purchased|ordered|tried|got)\s+(?:any\s+|some\s+)?(?=⟦e)",
)
def except_those(m: re.Match[str], parse: Parse) -> Outcome | None:
    following = re.match(ENTITY, parse.text[m.end() :])
    if following is None:
        return None
    parse.entities[int(following.group("e"))].negated = True
    return Outcome()


FOCUS_VERBS = (
    r"promote|promoting|recommend|recommending|cross sell|cross selling|upsell|upselling|pitch|pitching|introduce|"
    r"introducing|launch|launching|announce|announcing|unveil|unveiling|feature|featuring|showcase|showcasing|"
    r"advertise|advertising|try|trying|tell them about|talk about"
)
CROSS_SELL_VERBS = ("recommend", "cross sell", "upsell", "try")


@rule(
    "focus",
    r"\b(?P<verb>" + FOCUS_VERBS + r")\s+(?:of\s+)?(?:(?:our|the|a|an|new|latest|brand new|all new|fresh|"
    r"some|out)\s+)*" + ENTITY,
)
def focus(m: re.Match[str], parse: Parse) -> Outcome | None:
    entity = parse.entity(m)
    if entity.kind not in ("category", "product"):
        return None
    entity.role = "focus"
    parse.focus.extend(entity.values)
    verb = m.group("verb")
    if any(verb.startswith(v) for v in CROSS_SELL_VERBS):
        # cross-selling X: people who already bought X are left out
        node: Node = {
            "field": "category",
            "op": "neq" if len(entity.values) == 1 else "not_in",
            "value": entity.values[0] if len(entity.values) == 1 else list(entity.values),
        }
        if entity.kind == "product":
            node = {
                "match": "none",
                "conditions": [{"field": "product", "op": "contains", "value": v} for v in entity.values],
            }
        return Outcome(
            [node], note=f"message about {', '.join(entity.values)}; people who already bought it are left out"
        )
    return Outcome(note=f"the message is about {', '.join(entity.values)} (not an audience condition)")


@rule(
    "new_focus",
    r"\b(?:our\s+|the\s+)?(?:new|newly launched|just launched|latest|upcoming)\s+"
    + ENTITY
    + r"(?:\s+(?:range|collection|shades?|launch|line|drop|variants?|edition))?",
)
def new_focus(m: re.Match[str], parse: Parse) -> Outcome | None:
    entity = parse.entity(m)
    if entity.kind not in ("category", "product"):
        return None
    entity.role = "focus"
    parse.focus.extend(entity.values)
    return Outcome(note=f"the message is about the new {', '.join(entity.values)} (not an audience condition)")


WINDOW_NOUNS = (
    r"(?:\s+(?:products?|items?|range|stuff|buyers|purchasers|customers|shoppers|lovers|fans|purchases?|orders?))?"
)


@rule(
    "bought_within",
    ENTITY + WINDOW_NOUNS + r"\s+(?:in|within|during|over|for|from)\s+(?:the\s+)?(?P<last>(?:last|past|"
    r"previous|recent)\s+)?" + DUR,
)
def bought_within(m: re.Match[str], parse: Parse) -> Outcome | None:
    entity = parse.entity(m)
    if entity.kind not in ("category", "product") or not (m.group("n") or m.group("last")):
        return None
    entity.within = days(m)
    return Outcome(keep=f"⟦e{m.group('e')}⟧")


NEGV = r"(?:have not|has not|had not|did not|do not|does not|not|no|never|without|zero|0)"
AGAIN = (
    r"(?:re ?order(?:ed)?|re ?purchased?|re ?bought|re ?buy|restock(?:ed)?|(?:bought|ordered|purchased|buy|order|"
    r"purchase|got) (?:it |them |more |some )?again)"
)


@rule(
    "not_again_within",
    ENTITY
    + WINDOW_NOUNS
    + r"\s+(?:who|that)?\s*"
    + NEGV
    + r"\s+(?:\w+\s+){0,2}?"
    + AGAIN
    + r"(?:\s+(?:it|them))?\s+(?:in|for|within|during|over|since)\s+(?:the\s+)?(?:(?:last|past|previous)\s+)?"
    + DUR,
)
def not_again_within(m: re.Match[str], parse: Parse) -> Outcome | None:
    """
    "kajal buyers who didn't reorder in 45 days": bought it, but not again in the window."""
    entity = parse.entity(m)
    if entity.kind not in ("category", "product") or not m.group("n"):
        return None
    entity.within, entity.negated = days(m), True
    return Outcome(keep=f"⟦e{m.group('e')}⟧")


@rule(
    "bought_ago",
    ENTITY
    + WINDOW_NOUNS
    + r"\s+(?P<cmp>about|around|roughly|some|over|more than|at least)?\s*"
    + DUR
    + r"\s+(?:ago|back)\b",
)
def bought_ago(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "bought lipstick 3 months ago": their purchase of it is at least that old — bought it, and
    not since."""
    entity = parse.entity(m)
    if entity.kind not in ("category", "product") or not m.group("n"):
        return None
    entity.within, entity.negated = days(m), True
    note = f"{', '.join(entity.values)} bought {days(m)}+ days ago, not since"
    return Outcome(note=note, keep=f"⟦e{m.group('e')}⟧")


@rule("bought_this", ENTITY + WINDOW_NOUNS + r"\s+(?:this|in the current)\s+(?P<u>week|month|quarter|year)\b")
def bought_this(m: re.Match[str], parse: Parse) -> Outcome | None:
    entity = parse.entity(m)
    if entity.kind not in ("category", "product"):
        return None
    entity.within = to_days(None, m.group("u"))
    return Outcome(keep=f"⟦e{m.group('e')}⟧")


@rule(
    "bought_recently",
    r"\b(?:recently|lately|just)\s+(?:bought|purchased|ordered|tried|got)\s+(?:some\s+|a\s+|our\s+)?"
    + ENTITY
    + "|"
    + ENTITY.replace("?P<e>", "?P<e2>")
    + WINDOW_NOUNS
    + r"\s+(?:recently|lately)\b",
)
def bought_recently(m: re.Match[str], parse: Parse) -> Outcome | None:
    group = "e" if m.group("e") else "e2"
    entity = parse.entity(m, group)
    if entity.kind not in ("category", "product"):
        return None
    entity.within = RECENT_DAYS
    return Outcome(keep=f"⟦e{m.group(group)}⟧")


@rule("state_word", r"(?:\bstate of\s+" + ENTITY + "|" + ENTITY.replace("?P<e>", "?P<e2>") + r"\s+state\b)")
def state_word(m: re.Match[str], parse: Parse) -> Outcome | None:
    group = "e" if m.group("e") else "e2"
    entity = parse.entity(m, group)
    if entity.kind == "state":
        return Outcome(keep=f"⟦e{m.group(group)}⟧")
    if entity.kind != "city":
        return None
    states = {s.lower(): s for s in parse.vocabulary.states}
    stored = [states[v.lower()] for v in entity.values if v.lower() in states]
    if not stored:
        return None
    entity.sense = type(entity.sense)("state", tuple(stored))
    return Outcome(keep=f"⟦e{m.group(group)}⟧")


ROLES: tuple[Rule, ...] = (
    except_those,
    focus,
    new_focus,
    not_again_within,
    bought_within,
    bought_ago,
    bought_this,
    bought_recently,
    state_word,
)


# ------------------------------------------------------------------ audience criteria


@rule(
    "tagged",
    r"\b(?:tagged|tag|labell?ed|with (?:the |a )?tag|with (?:the |a )?label)\s+(?:as\s+|with\s+)?[\"']?"
    r"(?P<t>[a-z][\w-]*)[\"']?",
    negatable=True,
)
def tagged(m: re.Match[str], parse: Parse) -> Outcome | None:
    tags = {t.lower(): t for t in parse.vocabulary.tags}
    word = m.group("t")
    for candidate in (word, word.rstrip("s"), word.replace(" ", "-")):
        if candidate in tags:
            return one("tags", "contains", tags[candidate])
    return None


@rule("vip", r"\b(?:vips?|v\.i\.p\.?s?|vip (?:customers|members|shoppers|buyers|clients))\b", negatable=True)
def vip(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "VIP" means the `vip` tag, nothing else."""
    tags = {t.lower(): t for t in parse.vocabulary.tags}
    if "vip" not in tags:
        parse.unsupported.append(m.group(0).strip())
        return Outcome()
    return Outcome([cond("tags", "contains", tags["vip"])], note="VIP: tagged vip")


@rule(
    "big_spenders",
    r"\b(?:top|big|high|biggest|highest|heavy|best|premium|high value|most valuable|valuable)\s+"
    r"(?:spenders?|customers|buyers|clients|shoppers)\b|\bwhales\b",
    negatable=True,
)
def big_spenders(m: re.Match[str], parse: Parse) -> Outcome:
    """ "top / big spenders" is a spend rule, and the reply states its threshold."""
    return Outcome(
        [cond("total_spent", "gte", VIP_SPEND)],
        note=f"{m.group(0).strip()}: spent at least ₹{VIP_SPEND:,} in total",
    )


@rule(
    "loyal",
    r"\b(?:loyal(?:ists?)?|loyalty members|frequent (?:buyers|shoppers|customers|purchasers)|"
    r"regular (?:customers|buyers|shoppers)|regulars|super fans|superfans)\b",
    negatable=True,
)
def loyal(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome([cond("order_count", "gte", LOYAL_ORDERS)], note=f"loyal: at least {LOYAL_ORDERS} orders")


@rule(
    "lapsed_window",
    r"\b" + NEGV + r"\s+(?:\w+\s+){0,3}?" + ACT + GAP + r"\s+(?:in|for|since|within|during|over|"
    r"the)\s+(?:the\s+)?(?:(?:last|past|previous)\s+)?(?:(?:more than|over|at least)\s+)?" + DUR,
)
def lapsed_window(m: re.Match[str], parse: Parse) -> Outcome | None:
    if not m.group("n") and "last" not in m.group(0) and "past" not in m.group(0):
        return None
    return one("last_order_days_ago", "gte" if "at least" in m.group(0) else "gt", days(m))


@rule(
    "nothing_in_window",
    r"\b(?:nothing|no (?:orders?|purchases?|buys?|shopping|activity)|not (?:a )?(?:single )?(?:thing|order|purchase)"
    r"|zero orders|0 orders)\s+(?:since|in|for|within|during|over)\s+(?:the\s+)?(?:(?:last|past|previous)\s+)?" + DUR,
)
def nothing_in_window(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "at least 3 orders but nothing in the last 60 days": no order in the window."""
    if not m.group("n") and not re.search(r"\b(?:last|past|previous)\b", m.group(0)):
        return None
    return one("last_order_days_ago", "gt", days(m))


WENT_QUIET = (
    r"(?:(?:went|gone|going|go|became|become|turned|fell|been|got)\s+(?:quiet|silent|inactive|dormant|cold|dark|"
    r"missing|away)|stopped (?:buying|ordering|shopping|purchasing)(?: from us| with us)?|lapsed|churned|"
    r"dropped off|dropped out|last seen|last active)"
)


@rule(
    "lapsed_ago",
    r"\b"
    + WENT_QUIET
    + r"\s+(?P<cmp>about|around|roughly|some|over|more than|at least)?\s*"
    + DUR
    + r"\s+(?:ago|back)\b",
)
def lapsed_ago(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "went quiet 3 months ago": no order since, so the last one is at least that old."""
    if not m.group("n"):
        return None
    return one("last_order_days_ago", "gt" if m.group("cmp") in ("over", "more than") else "gte", days(m))


@rule(
    "lapsed_for",
    r"\b(?:lapsed|inactive|dormant|churned|quiet|silent|away|absent|missing|gone|not active|not seen)\s+"
    r"(?:(?:for|since|in|over|from)\s+)?(?:the\s+)?(?:(?:last|past)\s+)?(?P<cmp>more than|over|at least|longer than)?"
    r"\s*" + DUR + NOT_AGO,
)
def lapsed_for(m: re.Match[str], parse: Parse) -> Outcome:
    return one("last_order_days_ago", "gte" if m.group("cmp") == "at least" or m.group("plus") else "gt", days(m))


LAST_ORDER = (
    r"\b(?:last|latest|most recent|previous|final)\s+(?:order(?:ed)?|purchase[ds]?|bought|shopped|transaction|"
    r"buy)(?:\s+(?:was|is|date|placed|made|with us|from us))*"
)


@rule(
    "last_order_between",
    LAST_ORDER + r"\s+(?:(?:between|from)\s+)?(?P<a>\d+)\s*(?:" + UNIT + r")?\s+(?:and|to|-)\s+(?P<b>\d+)"
    r"\s*(?P<u>" + UNIT + r")\s*(?:ago|back)?",
)
def last_order_between(m: re.Match[str], parse: Parse) -> Outcome:
    return one(
        "last_order_days_ago", "between", [to_days(m.group("a"), m.group("u")), to_days(m.group("b"), m.group("u"))]
    )


@rule(
    "last_order_ago",
    LAST_ORDER + r"\s+(?:(?:was|is)\s+)?(?:(?P<cmp>over|more than|longer than|at least|less than|under|"
    r"within|fewer than|exactly|before|prior to|at most|no more than)\s+(?:the\s+)?(?:(?:last|past)\s+)?)?"
    + DUR
    + POST.replace("post", "post")
    + r"?\s*(?:ago|back|or more ago|or longer ago|old)?",
)
def last_order_ago(m: re.Match[str], parse: Parse) -> Outcome | None:
    word = m.group("cmp") or ""
    if not m.group("n") and not word:
        return None
    table = {
        "over": "gt",
        "more than": "gt",
        "longer than": "gt",
        "before": "gt",
        "prior to": "gt",
        "at least": "gte",
        "less than": "lt",
        "under": "lt",
        "fewer than": "lt",
        "within": "lte",
        "at most": "lte",
        "no more than": "lte",
        "exactly": "eq",
    }
    op = table.get(word, "gte")  # "60 days ago", "60+ days ago": at least that long ago
    if word == "" and m.group("post") and re.search(r"less|fewer|below|under|lower", m.group("post")):
        op = "lte"
    return one("last_order_days_ago", op, days(m))


@rule("last_order_in", LAST_ORDER + r"\s+(?:in|within|during)\s+" + LAST + r"?" + DUR)
def last_order_in(m: re.Match[str], parse: Parse) -> Outcome:
    return one("last_order_days_ago", "lte", days(m))


@rule(
    "since_last_order",
    r"(?:(?P<cmp>over|more than|at least)\s+)?" + DUR + r"\s+(?:since|after)\s+(?:their\s+|the\s+|a\s+|"
    r"his\s+|her\s+)?(?:last|latest|previous|most recent)\s+(?:order|purchase)",
)
def since_last_order(m: re.Match[str], parse: Parse) -> Outcome | None:
    if not m.group("n"):
        return None
    return one("last_order_days_ago", "gt" if m.group("cmp") in ("over", "more than") else "gte", days(m))


@rule(
    "lapsed_word",
    r"\b(?:lapsed|inactive|dormant|churned|churning|sleeping|at risk|lost|lapsing|(?:gone|went|going) (?:quiet|"
    r"silent|cold)|stopped (?:buying|ordering|shopping))\b",
)
def lapsed_word(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(
        [cond("last_order_days_ago", "gt", LAPSED_DAYS)],
        note=f"{m.group(0)}: no order in the last {LAPSED_DAYS} days",
        default="last_order_days_ago",
    )


@rule(
    "first_order_window",
    r"\b(?:first|1st)\s+(?:order|purchase)(?:\s+(?:was|placed|made))?\s+(?:in|within|during)\s+" + LAST + r"?" + DUR,
)
def first_order_window(m: re.Match[str], parse: Parse) -> Outcome:
    return one("first_order_days_ago", "lte", days(m))


@rule(
    "first_order_ago",
    r"\b(?:first|1st)\s+(?:order|purchase|ordered|bought)(?:\s+(?:was|placed|made))?\s+(?P<cmp>over|"
    r"more than|at least)\s+" + DUR + r"\s+ago",
)
def first_order_ago(m: re.Match[str], parse: Parse) -> Outcome:
    return one("first_order_days_ago", "gte" if m.group("cmp") == "at least" else "gt", days(m))


SIGNUP = (
    r"(?:signed up|sign ups?|signups?|joined(?: us)?|registered|created (?:an |their )?accounts?|onboarded|acquired|"
    r"subscribed|became (?:a )?customers?|new (?:customers|signups|users|members))"
)


@rule(
    "signup_ago",
    r"\b(?:signed up|joined|registered|became (?:a )?customers?|customers? since)\s+(?:with us\s+)?"
    r"(?P<cmp>over|more than|at least|less than|fewer than|within|under|at most|no more than|exactly)\s+"
    + DUR
    + r"\s*(?:ago|back)?",
)
def signup_ago(m: re.Match[str], parse: Parse) -> Outcome:
    op = {
        "over": "gt",
        "more than": "gt",
        "at least": "gte",
        "less than": "lt",
        "fewer than": "lt",
        "under": "lt",
        "within": "lte",
        "at most": "lte",
        "no more than": "lte",
        "exactly": "eq",
    }
    return one("signed_up_days_ago", op[m.group("cmp")], days(m))


@rule("signup_window", r"\b" + SIGNUP + GAP + r"\s+(?:in|within|during|over)\s+" + LAST + r"?" + DUR + NOT_AGO)
def signup_window(m: re.Match[str], parse: Parse) -> Outcome | None:
    if not m.group("n") and not re.search(r"\b(?:last|past|previous|recent)\b", m.group(0)):
        return None
    return one("signed_up_days_ago", "lte", days(m))


@rule(
    "signup_this",
    r"\b" + SIGNUP + GAP + r"\s+(?:this|in the current)\s+(?P<u>week|month|quarter|year)\b"
    r"|\b" + SIGNUP + r"\s+(?P<d>today|yesterday)\b",
)
def signup_this(m: re.Match[str], parse: Parse) -> Outcome:
    if m.group("d"):
        return one("signed_up_days_ago", "lte", 0 if m.group("d") == "today" else 1)
    return one("signed_up_days_ago", "lte", to_days(None, m.group("u")))


@rule(
    "tenure",
    r"\b(?:with us|customers?|members?|been around|been with us)\s+for\s+(?P<cmp>over|more than|at least|"
    r"less than|under)\s+" + DUR,
)
def tenure(m: re.Match[str], parse: Parse) -> Outcome:
    op = {"over": "gt", "more than": "gt", "at least": "gte", "less than": "lt", "under": "lt"}
    return one("signed_up_days_ago", op[m.group("cmp")], days(m))


@rule(
    "new_customers",
    r"\b(?:new(?:ly)? (?:customers|signups|sign ups|users|members|joiners|shoppers|subscribers|buyers|"
    r"registrations|registrants|customer)|newly signed up|newly joined|"
    r"recent (?:signups|sign ups|joiners|registrations)|new comers|newcomers|just (?:signed up|joined))\b",
)
def new_customers(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(
        [cond("signed_up_days_ago", "lte", NEW_CUSTOMER_DAYS)],
        note=f"new: signed up in the last {NEW_CUSTOMER_DAYS} days",
        default="signed_up_days_ago",
    )


@rule(
    "never_ordered",
    r"\b(?:never|not yet|yet to|have not yet|have not ever|have not|has not|did not|not|no|zero|0|"
    r"without)\s+(?:\w+\s+){0,2}?(?:ordered|purchased|bought|shopped|buy|order|purchase|transacted|made (?:a|any|their "
    r"first) (?:purchase|order)|placed (?:a|an|any|their first) orders?|orders?|purchases?|converted)"
    r"(?!\s*(?:\w+\s+){0,2}⟦e)(?:\s+(?:anything|any thing|something|from us|with us|yet|so far|till now|at all|ever|"
    r"online|on the site|on the app|any products?))*"
    r"|\bnon (?:buyers|purchasers|customers|shoppers)\b|\b(?:not|never) (?:yet )?(?:a )?(?:buyers?|customers?)\b",
)
def never_ordered(m: re.Match[str], parse: Parse) -> Outcome | None:
    if re.match(r"\s*⟦e", parse.text[m.end() :]):
        return None
    return Outcome([cond("order_count", "eq", 0)], note="never ordered (no orders)")


@rule(
    "recent_window",
    r"\b(?:who\s+)?(?:have\s+)?(?:ordered|purchased|bought|shopped|placed (?:an? |any )?orders?|made (?:an? "
    r"|any )?(?:purchases?|orders?)|been active|active|orders?|purchases?|transacted|bought something|bought anything|"
    r"shopped with us)"
    + GAP
    + r"\s+(?:in|within|during|over)\s+(?:the\s+)?(?P<last>(?:last|past|previous|recent)\s+)?"
    + DUR
    + NOT_AGO,
)
def recent_window(m: re.Match[str], parse: Parse) -> Outcome | None:
    if not (m.group("n") or m.group("last")):
        return None
    return one("last_order_days_ago", "lte", days(m))


@rule(
    "recent_this",
    r"\b(?:ordered|purchased|bought|shopped|placed (?:an? |any )?orders?|made (?:an? |any )?"
    r"(?:purchases?|orders?)|active|orders?|purchases?)"
    + GAP
    + r"\s+(?:this|in the current)\s+(?P<u>week|month|quarter|"
    r"year)\b",
)
def recent_this(m: re.Match[str], parse: Parse) -> Outcome:
    return one("last_order_days_ago", "lte", to_days(None, m.group("u")))


@rule(
    "recent_word",
    r"\b(?:recent (?:buyers|purchasers|customers|shoppers|orders?|purchases?)|recently (?:active|ordered|"
    r"purchased|bought|shopped)|(?:ordered|purchased|bought|shopped) recently|(?:ordered|purchased|bought|shopped|"
    r"active) lately)\b",
)
def recent_word(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(
        [cond("last_order_days_ago", "lte", RECENT_DAYS)],
        note=f"recent: ordered in the last {RECENT_DAYS} days",
        default="last_order_days_ago",
    )


@rule("active_word", r"\bactive (?:customers|buyers|users|shoppers|members)\b")
def active_word(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(
        [cond("last_order_days_ago", "lte", ACTIVE_DAYS)],
        note=f"active: ordered in the last {ACTIVE_DAYS} days",
        default="last_order_days_ago",
    )


MONEY = r"(?:rs\s*)?(?P<amt>\d+(?:\.\d+)?)(?:\s*rs\b)?"
RANGE_AHEAD = r"(?=(?:rs\s*)?\d+(?:\.\d+)?(?:\s*rs\b)?\s*(?:to|-)\s*(?:rs\s*)?\d)"  # "3000 to 8000" without "between"
MONEY_LO = r"(?:rs\s*)?(?P<lo>\d+(?:\.\d+)?)(?:\s*rs\b)?"
MONEY_HI = r"(?:rs\s*)?(?P<hi>\d+(?:\.\d+)?)(?:\s*rs\b)?"
AOV = (
    r"(?:average order value|avg\.? order value|aov|average order(?: size)?|average basket(?: size| value)?|"
    r"average spend per order|avg spend per order|average ticket(?: size)?|basket size|average purchase(?: value)?)"
)
SPEND = (
    r"(?:total spend(?:ing)?|total spent|total purchases?|lifetime (?:value|spend|spending|revenue|purchases?)|"
    r"ltv|clv|customer lifetime value|spent|spend|spending|spends|spenders|purchases? (?:worth|of|totall?ing)|"
    r"bought (?:goods |products |stuff )?worth|shopped for|worth)"
)
AMOUNT_LEAD = r"(?:\s+(?:is|was|of|with us|in total|overall|so far|total|till date|to date|on sugar|a total of|us))*"


def _money(field_name: str, m: re.Match[str]) -> Outcome:
    if m.groupdict().get("lo"):
        low, high = sorted((number(m.group("lo")), number(m.group("hi"))))
        return one(field_name, "between", [low, high])
    return one(field_name, comparison(m.group("cmp"), m.group("post"), default="gte"), number(m.group("amt")))


@rule(
    "aov",
    r"\b"
    + AOV
    + AMOUNT_LEAD
    + r"\s*(?:(?:(?:between|from)\s+|"
    + RANGE_AHEAD
    + ")"
    + MONEY_LO
    + r"(?:\s*-\s*|\s+(?:and|to)\s+)"
    + MONEY_HI
    + "|(?:"
    + CMP
    + r"\s*)?"
    + MONEY
    + POST
    + r"?)",
)
def aov(m: re.Match[str], parse: Parse) -> Outcome:
    return _money("avg_order_value", m)


@rule(
    "spend",
    r"\b"
    + SPEND
    + AMOUNT_LEAD
    + r"\s*(?:(?:(?:between|from)\s+|"
    + RANGE_AHEAD
    + ")"
    + MONEY_LO
    + r"(?:\s*-\s*|\s+(?:and|to)\s+)"
    + MONEY_HI
    + "|(?:"
    + CMP
    + r"\s*)?"
    + MONEY
    + POST
    + r"?)(?!\s*(?:%|"
    + UNIT
    + r"\b|orders?\b|times\b))",
)
def spend(m: re.Match[str], parse: Parse) -> Outcome:
    return _money("total_spent", m)


@rule(
    "spend_before",
    r"(?:" + CMP + r"\s*)?rs\s*(?P<amt>\d+(?:\.\d+)?)" + POST + r"?\s+(?:\w+\s+){0,2}?"
    r"(?:spent|spend|spenders|in (?:total |lifetime )?(?:spend|purchases|orders|value)|lifetime|ltv|worth of)\b",
)
def spend_before(m: re.Match[str], parse: Parse) -> Outcome:
    return _money("total_spent", m)


@rule("rupees", r"(?:" + CMP + r"\s*)?rs\s*(?P<amt>\d+(?:\.\d+)?)" + POST + r"?")
def rupees(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(
        [cond("total_spent", comparison(m.group("cmp"), m.group("post"), "gte"), number(m.group("amt")))],
        note=f"read as lifetime spend: {m.group(0).strip()}",
    )


COUNT_NOUN = r"(?:separate\s+|different\s+|total\s+)?(?:orders?|purchases?|times|time|transactions|checkouts)"


@rule(
    "order_count_range",
    r"\b(?:between\s+|from\s+)?(?P<a>\d+)\s*(?:"
    + COUNT_NOUN
    + r"\s*)?(?:-|to|and)\s*(?P<b>\d+)\s*"
    + COUNT_NOUN
    + r"\b",
)
def order_count_range(m: re.Match[str], parse: Parse) -> Outcome:
    """ "3 to 5 orders", "2-4 purchases", "between 3 and 6 orders": both ends included."""
    low, high = sorted((int(m.group("a")), int(m.group("b"))))
    return one("order_count", "between", [low, high])


@rule(
    "spend_amount_first",
    r"(?:\b" + CMP + r"\s*)(?:rs\s*)?(?P<amt>\d{3,}(?:\.\d+)?)(?:\s*rs\b)?" + POST + r"?\s+(?:\w+\s+)?"
    r"(?:spend|spent|spending|spends|spenders|purchases|shopping|worth|lifetime)\b",
)
def spend_amount_first(m: re.Match[str], parse: Parse) -> Outcome:
    """ "more than 3000 spend" (as "3k se zyada spend" reads once normalised)."""
    return _money("total_spent", m)


@rule(
    "order_count",
    r"(?:\b" + CMP + r"\s*)?\b(?P<n>\d+)" + POST + r"?\s*" + COUNT_NOUN + r"\b(?P<post2>\s*(?:or|and) "
    r"(?:more|above|over|less|fewer|below)(?!\s*(?:than\b|rs\b|\d)))?",
)
def order_count(m: re.Match[str], parse: Parse) -> Outcome | None:
    if m.group("cmp") in ("within",):
        return None
    op = comparison(m.group("cmp"), m.group("post") or m.group("post2"), default="eq")
    return one("order_count", op, int(m.group("n")))


@rule(
    "order_count_field",
    r"\b(?:order count|number of orders|orders count|no of orders|# of orders|order total)\s*(?:is\s+|"
    r"of\s+)?(?:" + CMP + r"\s*)?(?P<n>\d+)" + POST + r"?",
)
def order_count_field(m: re.Match[str], parse: Parse) -> Outcome:
    return one("order_count", comparison(m.group("cmp"), m.group("post"), default="eq"), int(m.group("n")))


@rule(
    "repeat",
    r"\b(?:repeat|returning|repeated|multi (?:purchase|order)|multiple purchase)\s*(?:customers|buyers|purchasers|"
    r"shoppers|clients|users)?\b|\b(?:bought|ordered|purchased|shopped) (?:more than 1 times|multiple times|again|"
    r"repeatedly)\b",
    negatable=True,
)
def repeat(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome([cond("order_count", "gte", 2)], note="repeat: at least 2 orders")


@rule(
    "one_time",
    r"\b(?:first time|single purchase|single order|one off|only 1 order|just 1 order)\s*(?:customers|buyers|"
    r"purchasers|shoppers|clients)?\b",
)
def one_time(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome([cond("order_count", "eq", 1)], note="exactly 1 order")


def _age(op: str, value: object) -> Outcome:
    return one("age", op, value)


@rule(
    "generation",
    r"\b(?:gen z(?:ers)?|zoomers|millennials?|gen y|gen x|baby boomers|boomers|teens|teenagers)\b",
    negatable=True,
)
def generation(m: re.Match[str], parse: Parse) -> Outcome:
    word = re.sub(r"ers$", "", m.group(0)) if m.group(0).startswith("gen z") else m.group(0)
    low, high = GENERATIONS[word]
    outcome = _age("gte", low) if high is None else _age("between", [low, high])
    outcome.note = f"{m.group(0)}: aged {low}{f'–{high}' if high else '+'}"
    return outcome


@rule("decade", r"\bin (?:their|the|her|his) (?P<q>early|mid|late)?\s*(?P<d>[1-9]0)s\b")
def decade(m: re.Match[str], parse: Parse) -> Outcome:
    base = int(m.group("d"))
    low, high = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}.get(m.group("q") or "", (0, 9))
    return _age("between", [base + low, base + high])


AGE_UNIT = r"(?:\s*(?:years?|yrs?)(?:\s*olds?)?(?:\s*of age)?|\s*y/?o\b)"
OLD = r"(?:\s*(?:years?|yrs?)\s*(?:olds?|of age)|\s*y/?o\b)"


PEOPLE = (
    r"(?:women|woman|men|ladies|girls|gals|guys|boys|gents|males|females|customers|people|shoppers|buyers|users|"
    r"folks|audience)"
)


@rule(
    "people_age_range",
    r"\b(?P<who>" + PEOPLE + r")\s+(?:aged\s+|ages\s+|between\s+)?(?P<a>\d{2})\s*(?:-|to)\s*(?P<b>\d{2})\b"
    r"(?!\s*(?:%|rs\b|k\b|orders?\b|purchases?\b|times\b|" + UNIT + r"\b))",
)
def people_age_range(m: re.Match[str], parse: Parse) -> Outcome | None:
    """ "women 18-24": two small numbers right after who → an age band."""
    low, high = sorted((int(m.group("a")), int(m.group("b"))))
    if not 13 <= low <= high <= 99:
        return None
    outcome = _age("between", [low, high])
    outcome.keep = m.group("who")
    outcome.note = f"read as age: {low}–{high}"
    return outcome


@rule(
    "age_range",
    r"\b(?:(?:aged?|ages|age group|age bracket|age range|between the ages of|age between)\s*(?:of\s+|between\s+|"
    r"from\s+)?(?P<a>\d+)\s*(?:-|to|and)\s*(?P<b>\d+)" + AGE_UNIT + r"?|(?:between\s+)?(?P<a2>\d+)\s*(?:-|to|and)\s*"
    r"(?P<b2>\d+)" + AGE_UNIT + r")",
)
def age_range(m: re.Match[str], parse: Parse) -> Outcome:
    low, high = sorted((int(m.group("a") or m.group("a2")), int(m.group("b") or m.group("b2"))))
    return _age("between", [low, high])


@rule("age_explicit", r"\b(?:aged?|age is|age)\s*(?:" + CMP + r"\s*)?(?P<n>\d+)" + AGE_UNIT + r"?" + POST + r"?")
def age_explicit(m: re.Match[str], parse: Parse) -> Outcome | None:
    if m.group("cmp") == "within":
        return None
    return _age(comparison(m.group("cmp"), m.group("post"), "eq"), int(m.group("n")))


@rule("age_of", CMP + r"\s*(?:the\s+)?age\s+(?:of\s+)?(?P<n>\d+)")
def age_of(m: re.Match[str], parse: Parse) -> Outcome | None:
    if m.group("cmp") == "within":
        return None
    return _age(comparison(m.group("cmp"), None, "eq"), int(m.group("n")))


@rule(
    "age_years",
    r"(?:\b" + CMP + r"\s*)?\b(?P<n>\d+)(?:" + OLD + "|" + AGE_UNIT + r"?\s*(?P<post>\+|(?:and|or) "
    r"(?:older|above|over|up|younger|below|under))" + AGE_UNIT + r"?(?!\s*(?:orders?|purchases?|times|days?|rs\b)))",
)
def age_years(m: re.Match[str], parse: Parse) -> Outcome | None:
    value = int(m.group("n"))
    if m.group("cmp") == "within" or not 13 <= value <= 99:
        return None
    return _age(comparison(m.group("cmp"), m.group("post"), "eq"), value)


@rule(
    "age_bare",
    r"\b(?P<cmp>under|below|over|above|younger than|older than)\s+(?P<n>\d+)\b(?!\.\d|\s*(?:%|rs\b|"
    r"orders?\b|purchases?\b|times?\b|items?\b|products?\b|units?\b|" + UNIT + r"\b))",
)
def age_bare(m: re.Match[str], parse: Parse) -> Outcome | None:
    value = int(m.group("n"))
    if not 13 <= value <= 99:
        return None
    outcome = _age(comparison(m.group("cmp"), None), value)
    outcome.note = f"read as age: {m.group(0)}"
    return outcome


FEMALE = r"\b(?:women|woman|womens|female|females|ladies|lady|girls|gals)\b"
MALE = r"\b(?:men|mens|male|males|guys|gents|gentlemen|boys)\b"


@rule("gender", FEMALE + "|" + MALE)
def gender(m: re.Match[str], parse: Parse) -> Outcome:
    female = bool(re.fullmatch(FEMALE, m.group(0)))
    other = MALE if female else FEMALE
    if "any_gender" in parse.flags or re.search(other, parse.text):
        if "any_gender" not in parse.flags:
            parse.flags.add("any_gender")
            return Outcome(note="any gender")
        return Outcome()
    return one("gender", "eq", "female" if female else "male")


@rule("window_fallback", r"\b(?:in|within|during|over|from)\s+(?:the\s+)?(?P<last>(?:last|past|previous)\s+)" + DUR)
def window_fallback(m: re.Match[str], parse: Parse) -> Outcome:
    outcome = one("last_order_days_ago", "lte", days(m))
    outcome.note = f"ordered {m.group(0)}"
    return outcome


BIRTHDAY = r"(?:birthdays?|bdays?|birth days?)"


@rule(
    "birthday_window",
    r"\b(?:(?:whose|with|having|who have|their|a|an)\s+)*" + BIRTHDAY + r"(?:\s+(?:wishes|greetings|treats?|is|are|"
    r"falls?|falling|coming up|comes|that are|that is))*\s+"
    r"(?P<when>(?:today or )?(?:within|in) the next (?P<d>\d+) days?|"
    r"(?:this|next|in the next|within the next|in the "
    r"coming|over the next|in)\s+(?P<n>\d+\s+)?(?P<u>week|month|weeks|months|days?)|today|tomorrow|soon|coming up|"
    r"this weekend)\b",
)
def birthday_window(m: re.Match[str], parse: Parse) -> Outcome:
    """ "birthday this month": whole days until the next birthday (0 = today)."""
    when, today = m.group("when"), parse.today
    if m.group("d"):
        return one("birthday_in_days", "lte", int(m.group("d")))
    if when == "today":
        return one("birthday_in_days", "eq", 0)
    if when == "tomorrow":
        return one("birthday_in_days", "eq", 1)
    if when in ("soon", "coming up"):
        return Outcome([cond("birthday_in_days", "lte", 7)], note=f"“{when}” → birthday in the next 7 days")
    if when == "this weekend":
        return one("birthday_in_days", "lte", 6 - today.weekday())
    unit, count = m.group("u").rstrip("s"), int(m.group("n") or 1)
    if when.startswith("this") and unit == "month":
        end = (date(today.year + today.month // 12, today.month % 12 + 1, 1) - timedelta(days=1)).day
        return one("birthday_in_days", "lte", end - today.day)
    if when.startswith("this") and unit == "week":
        return one("birthday_in_days", "lte", 6 - today.weekday())
    if when.startswith("next") and not m.group("n") and unit == "month":
        first = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        return one("birthday_in_days", "between", [(first - today).days, (after - today).days - 1])
    if when.startswith("next") and not m.group("n") and unit == "week":
        start = 7 - today.weekday()
        return one("birthday_in_days", "between", [start, start + 6])
    return one("birthday_in_days", "lte", to_days(str(count), unit) - 1 if unit == "day" else to_days(str(count), unit))


@rule("leftover_timing", r"\b(?:this|next) (?:week|month)\b")
def leftover_timing(m: re.Match[str], parse: Parse) -> Outcome:
    return Outcome(note="timing of the send (set when launching)")


CRITERIA: tuple[Rule, ...] = (
    tagged,
    vip,
    big_spenders,
    loyal,
    order_count_field,
    order_count_range,
    order_count,
    nothing_in_window,
    lapsed_window,
    lapsed_ago,
    lapsed_for,
    last_order_between,
    last_order_in,
    last_order_ago,
    since_last_order,
    first_order_window,
    first_order_ago,
    signup_ago,
    signup_window,
    signup_this,
    tenure,
    new_customers,
    lapsed_word,
    never_ordered,
    recent_window,
    recent_this,
    recent_word,
    active_word,
    aov,
    spend_amount_first,
    spend,
    spend_before,
    repeat,
    one_time,
    generation,
    decade,
    people_age_range,
    age_range,
    age_explicit,
    age_of,
    age_years,
    age_bare,
    rupees,
    gender,
    window_fallback,
    leftover_timing,
)
"""Audience criteria, most specific first."""


@rule(
    "spend_percentile_value",
    r"\bspend percentile\s+(?:is\s+|of\s+)?(?:" + CMP + r"\s*)?(?P<n>\d+(?:\.\d+)?)" + POST + "?",
)
def spend_percentile_value(m: re.Match[str], parse: Parse) -> Outcome:
    """ "spend percentile at least 90", as the filter's explanation says it."""
    return one("spend_percentile", comparison(m.group("cmp"), m.group("post"), "gte"), number(m.group("n")))


EARLY: tuple[Rule, ...] = (
    spend_percentile_value,
    spend_percentile,
    offer_code,
    offer_percent,
    offer_amount,
    offer_words,
    sequence_step,
    sequence_condition,
    engagement,
    birthday_window,
    consent_out,
    consent,
    consent_with,
    consent_noun,
    newsletter_send,
    delivery_channel,
    timing,
)
"""Run on the normalised goal before values are grounded: offers, sequence steps, consent and
the delivery channel (so channel words never become audience values)."""

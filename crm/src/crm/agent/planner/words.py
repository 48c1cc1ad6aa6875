"""Word lists: what is filler in a goal, what names a channel, and what signals each intent."""

from __future__ import annotations

import re

from crm.agent.planner.types import Intent


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLER = _words(
    """
    a about access across addicts again ago ahead all already also am amazing an and announce any anybody anyone
    anything apart appreciate appreciation are as asap at audience away awesome back base based bday be beauty
    been being besides best bhejo bhi birthday birthdays bit blast bold both bought brand bring build but buy
    buyer buyers buying by campaign campaigns can cashback catchy celebrate cent cheers choose client clients
    club code cohort collection come contact contacting convert cool copy cosmetics could coupon craft create
    cross current customer customers d deal deals dear delivery did discount discounts do does doing done draft
    drop drops each early either encourage engage enthusiasts entire even ever every everybody everyone
    everything except exclude excluding exclusive existing extra fan fans favorite favorites favourite
    favourites few find first flat folks follow followup for free fresh friendly from fun get gift gifts give
    giving go going
    good got gotten grabbed great greetings group had hai hain has have having he hello help her here hey hi him
    his hmm hope how i identify immediately in inko instead into introduce introducing invite is it item items
    its joined junkies just ka karo ke ki kindly know ko kuch label labeled labelled latest launch launched
    launches launching leave leaving let lets like line list little live lives living liye ll located log lot
    lots love lover lovers low loyalty m made mail make makeup many may me mein member members message messages
    messaging might minus miss missed more most msg msgs much must my need never new news nice no non not note
    nothing notify now nudge of off offer offering offers ok okay old on onboard one ones online only onto or
    order ordered orders other our ours out outside over overall peek people per percent perk perks person
    personal personalised personalized pick picked ping placed plan playful please pls plz prepare preview
    previous product products program programme promo promote promoting promotion purchase purchased purchaser
    purchasers purchases push pushing quick quickly range rather re reach reaching reactivate really recommend
    reengage refill regarding registered remind reminder reminders reminding reorder replenish reside residing
    restock return returning reward rewarding right run running s sab sabko sale sales sample samples say schedule
    se segment select sell selling send sending sent set setup shade shades shall share she shipping shop
    shopped shopper shoppers short should show signed simple sneak so some someone something soon special start
    stay staying stays still stock store stuff subscriber subscribers such sugar surprise t tag tagged target
    targeting tell text than
    thank thanking thanks that the their theirs them then there these they thing things this those through to
    today too total treat tried try trying unhe unko up update updates upsell upto us use used user users using
    valued ve very via voucher wanna want was we website welcome welcoming were what whatever when where which
    who whole whom whose why will win wish wishes wishing with within would write yeah yep yes yet you your yours
    fine proceed sure series sequence sequences journey drip flow account accounts matte liquid glossy shimmer
    waterproof crayon satin creamy sheer also kindly asap bhi matching named called gender
    """
)
"""Words that say nothing about who is in the audience."""

KEEP_LEAD = frozenset({"who", "with", "in", "from", "whose", "that", "having", "without", "not", "never", "no"})
"""Words kept at the start of a not-understood fragment ("who own a cat", "in Tokyo")."""

CHANNEL_WORDS: dict[str, str] = {
    "whatsapp": "whatsapp",
    "whatsapps": "whatsapp",
    "watsapp": "whatsapp",
    "whatsap": "whatsapp",
    "wa": "whatsapp",
    "sms": "sms",
    "smses": "sms",
    "sms's": "sms",
    "text": "sms",
    "texts": "sms",
    "email": "email",
    "emails": "email",
    "mail": "email",
    "mailer": "email",
    "mailers": "email",
    "emailer": "email",
    "emailers": "email",
    "newsletter": "email",
    "rcs": "rcs",
}
CHANNEL = (
    r"(?:whatsapps?|watsapp|whatsap|sms(?:es|'s)?|text messages?|texts?(?=\s+(?:them|message|blast|reminder|nudge))"
    r"|e?mails?(?=\s+them)|emails?|emailers?|mailers?|rcs(?: messages?)?)"
)
"""A channel word (as the delivery channel or in a consent phrase)."""


def channel_of(word: str) -> str:
    first = word.split()[0]
    if first.startswith("text"):
        return "sms"
    return CHANNEL_WORDS.get(first, "email" if "mail" in first else first)


INTENT_PATTERNS: tuple[tuple[Intent, re.Pattern[str]], ...] = (
    ("birthday", re.compile(r"\b(?:birthdays?|bday|b'day|birth day)\b")),
    ("welcome", re.compile(r"\b(?:welcome|welcoming|onboard\w*|first purchase nudge|get (?:them )?started)\b")),
    (
        "new_launch",
        re.compile(
            r"\b(?:new launch|launch(?:ing|ed)? (?:of |our |the |a |an )*(?:new |latest |brand new )|just launched"
            r"|newly launched|new (?:collection|range|arrivals?|shades?|products?|drop|line|variants?|lipstick"
            r"|kajal|foundation|mascara)|introduc\w+|announc\w+|unveil\w*|launch(?:ing|ed)? (?!(?:a |the |this |"
            r"my |our )?(?:campaign|message|blast|sms|email|whatsapp)))"
        ),
    ),
    (
        "replenishment",
        re.compile(
            r"\b(?:restock\w*|replenish\w*|running out|run out|ran out|running low|refill\w*|top up|re ?order\w*"
            r"|stock up|repurchase)\b"
        ),
    ),
    (
        "cross_sell",
        re.compile(
            r"\b(?:cross ?sell\w*|up ?sell\w*|also try|try (?:our|the|a|some)|complementary|complement|pair"
            r"(?:s|ing)? (?:it |them )?with|complete the look|recommend\w*|next best)\b"
        ),
    ),
    (
        "winback",
        re.compile(
            r"\b(?:win (?:them |her |him )?back|winback|re ?engag\w*|re ?activat\w*|lapsed|inactive|dormant|churn\w*"
            r"|bring (?:them |back )?back|come back|we miss|miss(?:ed)? (?:you|them|us)|lost customers|at risk)\b"
        ),
    ),
    (
        "vip",
        re.compile(
            r"\b(?:vips?|top (?:customers|buyers|spenders|clients)|loyal\w*|thank\w*|reward\w*|appreciat\w*"
            r"|best customers|high value|big spenders|high spenders|most valuable)\b"
        ),
    ),
)
"""Intent words in priority order: the first intent with a match wins."""

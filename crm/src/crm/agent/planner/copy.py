"""`draft_copy(understanding, channel)`: an on-brand message for the goal — bold, playful, Indian
D2C beauty — personalised with Liquid variables (always with fallbacks), shaped for the channel
(a short SMS, an emoji-friendly WhatsApp/RCS note, an email with a subject line), and the same for
the same goal: variants are chosen by a stable hash, never at random."""

from __future__ import annotations

import re

from crm.agent.planner.types import DraftCopy, Intent, Understanding
from crm.agent.planner.understand import stable_index
from crm.templating import check_template, render

FIRST = '{{ first_name | default: "there" }}'
CITY = '{{ city | default: "your city" }}'
LAST = '{{ last_item | default: "your last SUGAR pick" }}'
SMS_LIMIT = 160
SAMPLE_CONTEXTS: tuple[dict[str, object], ...] = (
    {
        "name": "Priya Sharma",
        "first_name": "Priya",
        "city": "Bengaluru",
        "state": "Karnataka",
        "last_item": "Matte As Hell Crayon Lipstick - Scarlett O'Hara",
        "total_spent": 12499,
        "order_count": 7,
        "age": 27,
        "email": "priya.sharma@example.com",
        "phone": "+919812345678",
    },
    {},
)
"""Typical values (and none at all) an SMS must fit in 160 characters with."""

FOCUS_FALLBACK: dict[Intent, str] = {
    "winback": "favourites",
    "vip": "favourites",
    "new_launch": "new drop",
    "cross_sell": "next obsession",
    "replenishment": "essentials",
    "welcome": "bestsellers",
    "birthday": "birthday treats",
    "generic": "bestsellers",
}
OFFER_FALLBACK: dict[Intent, str] = {
    "winback": "a little something extra",
    "vip": "early access",
    "new_launch": "first dibs",
    "cross_sell": "a treat",
    "replenishment": "quick reorder",
    "welcome": "a welcome treat",
    "birthday": "a birthday treat",
    "generic": "something special",
}

# <B> brand · <F> what the message is about · <O> the offer · <FN> <CITY> <LAST> Liquid variables
SMS: dict[Intent, tuple[str, ...]] = {
    "winback": (
        "Hi <FN>, we miss you! Your <F> are waiting at <B> - come back for <O>. Shop now on the <B> app.",
        "<FN>, it's been a while! Grab <O> on <F> at <B> this week. Shop now. -<B>",
    ),
    "vip": (
        "<FN>, you're a <B> VIP! Enjoy <O> on <F>, just for you. Shop now. -<B>",
        "Thank you, <FN>! As one of our top fans, you get <O> on <F>. Shop now. -<B>",
    ),
    "new_launch": (
        "Just dropped: <B> <F>! <FN>, be the first to swatch it - <O>. Shop now. -<B>",
        "<FN>, the new <B> <F> is here and it's bold. Grab it with <O>. -<B>",
    ),
    "cross_sell": (
        "<FN>, complete the look with <B> <F>! Get <O>. Shop now. -<B>",
        "Loved your last buy, <FN>? Now try <B> <F> - <O> inside. -<B>",
    ),
    "replenishment": (
        "<FN>, running low on <F>? Restock now with <O>. -<B>",
        "Time to restock your <B> <F>, <FN>! <O> on reorders. Shop now. -<B>",
    ),
    "welcome": (
        "Welcome to <B>, <FN>! Start with our <F> and get <O>. Shop now. -<B>",
        "Hey <FN>, welcome to the <B> gang! Your first haul gets <O>. -<B>",
    ),
    "birthday": (
        "Happy birthday, <FN>! Celebrate with <O> on <B> <F>. -<B>",
        "It's your day, <FN>! <B> has <O> waiting for you. Go glam! -<B>",
    ),
    "generic": (
        "Hi <FN>, something fab from <B>: <F> with <O>. Shop now. -<B>",
        "<FN>, your <B> <F> fix is here - with <O>. Shop now. -<B>",
    ),
}
SMS_MINIMAL = "Hi <FN>, something new awaits you at <B>. Shop now. -<B>"

CHAT: dict[Intent, tuple[str, ...]] = {
    "winback": (
        "Hey <FN>! 💄 We've missed you at <B>.\nYour <F> are calling — and we've saved <O> just for you. "
        "Still loving your <LAST>? Come back and find your next shade ✨",
        "<FN>, long time no see! 👀 <B> misses you in <CITY>.\nPick up where you left off with <F> — "
        "<O> is waiting. Tap to shop 💋",
    ),
    "vip": (
        "<FN>, you're officially <B> royalty 👑\nThank you for being one of our favourite people in <CITY>! "
        "Enjoy <O> on <F> — because you deserve it ✨",
        "Psst, <FN> 💖 <B> VIPs get it first: <O> on <F>.\nThanks for every swipe, swatch and haul. Tap to shop 🛍️",
    ),
    "new_launch": (
        "Just dropped 🚨 <B> <F> is HERE, <FN>!\nBold, fearless and made to last — be the first in <CITY> "
        "to try it with <O> 💄✨",
        "<FN>, meet your new obsession: <B> <F> 🔥\nSince you loved <LAST>, we think you'll adore this. "
        "Grab it with <O> 💋",
    ),
    "cross_sell": (
        "<FN>, your <LAST> needs a partner in crime 😍\nComplete the look with <B> <F> — <O> inside. Tap to shop ✨",
        "Loved <LAST>, <FN>? 💕 Your next must-have: <B> <F>.\nTry it now with <O> 💄",
    ),
    "replenishment": (
        "<FN>, running low on <F>? 👀\nDon't get caught without your <LAST> — restock now with <O> 🛍️",
        "Restock o'clock, <FN>! ⏰ Your <B> <F> is probably running out.\nReorder in two taps with <O> ✨",
    ),
    "welcome": (
        "Welcome to the <B> fam, <FN>! 🎉\nBold, fearless beauty is now a tap away in <CITY>. Start with our "
        "<F> and get <O> 💄",
        "Hey <FN> 👋 So glad you're here!\nNew to <B>? Our <F> are the perfect first haul — and you get <O> ✨",
    ),
    "birthday": (
        "Happy birthday, <FN>! 🎂💄\nIt's your day to shine — enjoy <O> on <B> <F>. Go glam! ✨",
        "<FN>, the birthday glam squad is here 🎉\nTreat yourself with <O> on <F> from <B> 💖",
    ),
    "generic": (
        "Hey <FN>! ✨ Something fab from <B> for you in <CITY>:\n<F> with <O>. Tap to shop 💄",
        "<FN>, your <B> moment is here 💖\nDiscover <F> — and enjoy <O>. Tap to shop ✨",
    ),
}

EMAIL_SUBJECT: dict[Intent, tuple[str, ...]] = {
    "winback": ("<FN>, we miss you 💄", "Come back to <B>, <FN> — <O> inside"),
    "vip": ("<FN>, a VIP thank-you from <B> 👑", "For our favourite people: <O>"),
    "new_launch": ("Just dropped: <B> <F> 🚨", "<FN>, meet the new <B> <F>"),
    "cross_sell": ("<FN>, complete your look with <F>", "Your next must-have: <B> <F>"),
    "replenishment": ("Running low on <F>, <FN>?", "Time to restock your <B> <F>"),
    "welcome": ("Welcome to <B>, <FN>! 🎉", "<FN>, your first <B> haul starts here"),
    "birthday": ("Happy birthday, <FN>! 🎂", "A birthday treat from <B>, <FN>"),
    "generic": ("Something fab from <B>, <FN>", "<FN>, <O> from <B>"),
}
EMAIL_BODY: dict[Intent, str] = {
    "winback": "It's been a while, and we've missed you! Your <F> are waiting — and so is <O>, saved just for you.\n\n"
    "Still loving your <LAST>? Come back and discover the shades everyone in <CITY> is wearing right now.",
    "vip": "You're one of the people who make <B> what it is — bold, fearless and always on point. To say thank you, "
    "here's <O> on <F>.\n\nFrom all of us to you in <CITY>: thank you for every order (we counted — and we're "
    "grateful).",
    "new_launch": "It's here: <B> <F>. Long-wearing, high-impact and made for Indian skin tones.\n\nSince you loved "
    "your <LAST>, we think this is your next favourite — and you get <O>.",
    "cross_sell": "Your <LAST> looks amazing — now complete the look. <B> <F> pairs perfectly with it, and you get <O> "
    "when you try it.",
    "replenishment": "Good things run out — especially the ones you use every day. If your <F> is running low, restock "
    "now and enjoy <O>.\n\nYour last order: <LAST>.",
    "welcome": "Welcome to <B>! We make bold, fearless beauty that lasts from your morning commute in <CITY> to the "
    "after-party.\n\nStart with our <F> and enjoy <O> on your first haul.",
    "birthday": "Happy birthday! 🎂 Today is all about you — so here's <O> on <B> <F> to make it extra glam.",
    "generic": "We've got something fab for you: <F> from <B>, with <O>.\n\nSee what everyone in <CITY> is loving "
    "right now.",
}
EMAIL_OPENING = "Hi <FN>,\n\n"
EMAIL_CLOSING = "\n\nShop now at <B>.\n\nWith love,\nTeam <B> 💄"


def _clean(text: str) -> str:
    """Plain text for a template: no Liquid delimiters, no stray whitespace."""
    return re.sub(r"\s+", " ", re.sub(r"[{}<>]", "", text)).strip()


def _fill(template: str, brand: str, focus: str, offer: str) -> str:
    return (
        template.replace("<FN>", FIRST)
        .replace("<CITY>", CITY)
        .replace("<LAST>", LAST)
        .replace("<B>", brand)
        .replace("<F>", focus)
        .replace("<O>", offer)
    )


def _fits_sms(body: str) -> bool:
    return all(len(render(body, context)) <= SMS_LIMIT for context in SAMPLE_CONTEXTS)


def draft_copy(understanding: Understanding, channel: str, brand: str = "SUGAR") -> DraftCopy:
    intent = understanding.intent
    brand = _clean(brand) or "SUGAR"
    focus = _clean(understanding.product_focus or "") or FOCUS_FALLBACK[intent]
    offer = _clean(understanding.offer or "") or OFFER_FALLBACK[intent]
    key = f"{understanding.campaign_name}|{intent}|{channel}|{focus}|{offer}"
    channel = channel.lower()
    if channel == "sms":
        variants = SMS[intent]
        start = stable_index(key, len(variants))
        ordered = [variants[(start + i) % len(variants)] for i in range(len(variants))]
        candidates = [_fill(t, brand, focus, offer) for t in ordered]
        candidates += [_fill(t, brand, FOCUS_FALLBACK[intent], OFFER_FALLBACK[intent]) for t in ordered]
        candidates.append(_fill(SMS_MINIMAL, brand, focus, offer))
        body = next((c for c in candidates if _fits_sms(c)), candidates[-1])
        check_template(body)
        return DraftCopy(subject=None, body=body)
    if channel == "email":
        subjects = EMAIL_SUBJECT[intent]
        subject = _fill(subjects[stable_index(key + "|subject", len(subjects))], brand, focus, offer)
        body = _fill(EMAIL_OPENING + EMAIL_BODY[intent] + EMAIL_CLOSING, brand, focus, offer)
        check_template(subject)
        check_template(body)
        return DraftCopy(subject=subject, body=body)
    variants = CHAT[intent]
    body = _fill(variants[stable_index(key, len(variants))], brand, focus, offer)
    check_template(body)
    return DraftCopy(subject=None, body=body)

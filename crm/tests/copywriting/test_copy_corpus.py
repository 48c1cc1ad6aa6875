"""The copywriter over a generated corpus of ≥ 200 goals on seeded data: every draft's claims hold
for every reachable recipient, no fallback breaks, every asked-for offer and occasion appears in
the message, every SMS draft reports its segments. Prints the counts."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.agent.brief import read_brief
from crm.agent.planner import Vocabulary, understand
from crm.agent.planner.copy import draft_for
from crm.copywriting.claims import check_claims
from crm.copywriting.review import review_text
from crm.models import Customer
from crm.seed import SeedPlan, seed_database
from crm.segments.compiler import Clock
from crm.segments.dsl import SegmentFilter
from crm.templating import render

AUDIENCES = [
    "lipstick buyers except VIPs",
    "VIPs",
    "customers who haven't ordered in 90 days",
    "kajal buyers in Mumbai",
    "customers with 5+ orders",
    "influencers",
    "customers who spent over 10000",
    "new customers who signed up in the last 30 days",
    "foundation buyers who never bought primer",
    "customers in Pune or Delhi",
]
ASKS = [
    "",
    "with 10% off",
    "a Diwali offer",
    "flat 200 off with code GLOW200 till sunday",
    "free shipping, keep it playful",
    "new launch of our kajal",
    "an offer with a discount",
    "Holi special 25% off",
    "buy 1 get 1, hurry",
    "we've got a free gift",
    "back in stock",
]
CHANNELS = ["by SMS", "on WhatsApp", "by email", "on RCS"]


def goals() -> list[str]:
    out = []
    for index, (audience, ask) in enumerate(itertools.product(AUDIENCES, ASKS)):
        channel = CHANNELS[index % len(CHANNELS)]
        out.append(f"{audience} {ask} {channel}".replace("  ", " ").strip())
        out.append(f"{CHANNELS[(index + 1) % 4].split()[-1]} {audience} {ask}".strip())
    return out


async def test_copy_over_the_goal_corpus(sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession) -> None:
    await seed_database(sessionmaker, SeedPlan(customers=400, seed=42, today=date.today()))
    cities = tuple(c for c in (await session.execute(select(Customer.city).distinct())).scalars() if c)
    vocabulary = Vocabulary(
        categories=("Lipstick", "Kajal", "Foundation", "Primer", "Eyeliner", "Mascara"),
        cities=cities,
        tags=("vip", "influencer"),
    )
    clock = Clock(datetime.now(UTC))
    corpus = goals()
    assert len(corpus) >= 200
    counts = {"goals": 0, "false_claims": 0, "broken_fallbacks": 0, "offers_asked": 0, "offers_missing": 0}
    counts |= {"occasions_asked": 0, "occasions_missing": 0, "sms_drafts": 0, "sms_segments_reported": 0}
    failures: list[str] = []
    for goal in corpus:
        u = understand(goal, vocabulary, clock.today)
        brief = read_brief(goal, clock.today)
        channel = u.channel or "whatsapp"
        d = draft_for(u, channel, brief)
        counts["goals"] += 1
        values = {"offer": d.offer, "coupon_code": d.coupon_code, "link": "https://reach.example.in/r/Ab3dE5gH7j"}
        review = review_text(channel, d.subject, d.body, values)
        broken = len(review.language) + len(review.unset)
        counts["broken_fallbacks"] += broken
        problems = await check_claims(
            session, SegmentFilter.model_validate(u.filter), channel, [s for s in (d.subject, d.body) if s], clock
        )
        counts["false_claims"] += len(problems)
        text = render(d.body, {**values, "first_name": "Asha"}) + render(d.subject or "", values)
        if brief.offer_text:
            counts["offers_asked"] += 1
            if not d.offer or d.offer not in text or (d.coupon_code and d.coupon_code not in text):
                counts["offers_missing"] += 1
                failures.append(f"offer missing: {goal!r}: {text!r}")
        if brief.occasion is not None and brief.occasion.kind == "festival":
            counts["occasions_asked"] += 1
            if brief.occasion.name not in text:
                counts["occasions_missing"] += 1
                failures.append(f"occasion missing: {goal!r}: {text!r}")
        if channel == "sms":
            counts["sms_drafts"] += 1
            counts["sms_segments_reported"] += d.sms is not None and d.sms.segments >= 1
            if d.sms is None or d.sms.segments != 1:
                failures.append(f"SMS not one segment: {goal!r}")
        if broken or problems:
            failures.append(f"{goal!r}: {review.warnings()} {[p.message for p in problems]}")
    print("\ncopy corpus: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    assert failures == [], failures[:5]
    assert counts["false_claims"] == 0 and counts["broken_fallbacks"] == 0
    assert counts["offers_missing"] == 0 and counts["occasions_missing"] == 0
    assert counts["sms_drafts"] == counts["sms_segments_reported"] > 0

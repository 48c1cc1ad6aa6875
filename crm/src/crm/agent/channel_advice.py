"""Channel recommendation: who is reachable where, what it costs, how each channel has done."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.messages import stats
from crm.messages.reach import CHANNELS, reachable
from crm.models import Customer, CustomerStats
from crm.money import from_minor
from crm.segments.compiler import Clock, compile_filter
from crm.segments.dsl import SegmentFilter

# Indicative cost per message in rupees (India, marketing traffic).
COST_PER_MESSAGE = {"whatsapp": 0.88, "sms": 0.25, "email": 0.05, "rcs": 0.35}
# Engagement to assume until a channel has history: (delivery, engaged, click, conversion of delivered).
PRIORS = {
    "whatsapp": (0.97, 0.75, 0.25, 0.03),
    "email": (0.96, 0.30, 0.05, 0.01),
    "sms": (0.94, 0.0, 0.05, 0.004),
    "rcs": (0.92, 0.55, 0.18, 0.018),
}
MIN_HISTORY = 50
LABEL = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "Email", "rcs": "RCS"}


async def engagement_history(session: AsyncSession) -> dict[str, dict[str, float | int]]:
    history: dict[str, dict[str, float | int]] = {}
    for channel, values in (await stats.funnel_per_channel(session, stats.every_message())).items():
        sent, delivered = values["sent"], values["delivered"]
        if sent < MIN_HISTORY or not delivered:
            continue
        history[channel] = {
            "messages": sent,
            "delivery_rate": round(delivered / sent, 3),
            "engaged_rate": round(max(values["opened"], values["read"]) / delivered, 3),
            "click_rate": round(values["clicked"] / delivered, 3),
            "conversion_rate": round(values["converted"] / delivered, 3),
        }
    return history


async def recommend_channel(session: AsyncSession, audience: SegmentFilter) -> dict[str, Any]:
    where = compile_filter(audience, Clock())
    row = (
        await session.execute(
            select(
                func.count(),
                func.avg(CustomerStats.avg_order_value_minor),
                *(func.sum(case((reachable(ch), 1), else_=0)) for ch in CHANNELS),
            )
            .select_from(Customer)
            .join(CustomerStats, CustomerStats.customer_id == Customer.id)
            .where(where)
        )
    ).one()
    audience_size = int(row[0] or 0)
    average_order = from_minor(int(row[1] or 0)) or 999.0
    reach = dict(zip(CHANNELS, (int(v or 0) for v in row[2:]), strict=True))
    history = await engagement_history(session)
    options = []
    for channel in CHANNELS:
        past = history.get(channel)
        delivery, engaged, click, conversion = (
            (past["delivery_rate"], past["engaged_rate"], past["click_rate"], past["conversion_rate"])
            if past
            else PRIORS[channel]
        )
        expected_conversions = reach[channel] * float(delivery) * float(conversion)
        cost = reach[channel] * COST_PER_MESSAGE[channel]
        revenue = expected_conversions * average_order
        options.append(
            {
                "channel": channel,
                "reachable": reach[channel],
                "reachable_share": round(reach[channel] / audience_size, 3) if audience_size else 0.0,
                "cost_per_message": COST_PER_MESSAGE[channel],
                "estimated_cost": round(cost, 2),
                "engagement": past
                or {
                    "assumed": True,
                    "delivery_rate": delivery,
                    "engaged_rate": engaged,
                    "click_rate": click,
                    "conversion_rate": conversion,
                },
                "expected_conversions": round(expected_conversions, 1),
                "expected_revenue": round(revenue, 2),
                "expected_return": round(revenue - cost, 2),
            }
        )
    best = max(options, key=lambda o: (o["expected_return"], o["reachable"]))
    return {
        "audience": audience_size,
        "recommended": best["channel"],
        "reason": reason_for(best, audience_size, history),
        "options": options,
    }


def reason_for(best: dict[str, Any], audience_size: int, history: dict[str, Any]) -> str:
    channel = best["channel"]
    if not best["reachable"]:
        return f"No one in this audience is reachable on any channel; {LABEL[channel]} is only a default."
    share = f"{best['reachable']:,} of {audience_size:,} ({best['reachable_share']:.0%})"
    engagement = best["engagement"]
    basis = "past campaigns" if channel in history else "typical benchmarks (no history yet)"
    engaged = engagement["engaged_rate"]
    engaged_text = f"{engaged:.0%} {'open' if channel == 'email' else 'read'} rate, " if engaged else ""
    return (
        f"{LABEL[channel]} reaches {share} with consent, and {basis} show a {engaged_text}"
        f"{engagement['conversion_rate']:.1%} conversion rate: about ₹{best['expected_revenue']:,.0f} expected for "
        f"₹{best['estimated_cost']:,.0f} of messages — the best return of the four channels."
    )


def channel_reason(advice: dict[str, Any], channel: str, asked: bool) -> str:
    """The one reason the reply, the draft card and the stored campaign give for the channel. When
    the marketer named the channel it says so and gives that channel's reach — it does not argue
    for another; otherwise it is the recommendation's reason. Counts are reachable recipients."""
    option = next((o for o in advice["options"] if o["channel"] == channel), None)
    reachable_there = option["reachable"] if option else 0
    audience = advice["audience"]
    reach = f"{reachable_there:,} of {audience:,} can be reached on {LABEL[channel]} (contact and consent)"
    if asked:
        return f"You asked for {LABEL[channel]}: {reach}."
    if channel == advice["recommended"]:
        return str(advice["reason"])
    return f"{LABEL[channel]}: {reach}."

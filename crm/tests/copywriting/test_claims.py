"""Claims are rules that must hold for every reachable recipient: checked when a draft is staged
(the copilot may not stage a false one; the tool error names the rule) and when a person edits
(the preview warns, naming the claim and how many recipients it is false for)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from reach_factories import customer, order
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.tools import ToolContext, run_tool
from crm.copywriting.claims import check_claims, claims_in
from crm.segments.dsl import SegmentFilter

Node = dict[str, Any]
LIPSTICK_NOT_VIP: Node = {
    "match": "all",
    "conditions": [
        {"field": "category", "op": "eq", "value": "Lipstick"},
        {"match": "none", "conditions": [{"field": "tags", "op": "contains", "value": "vip"}]},
    ],
}
EVERYONE: Node = {"match": "all", "conditions": []}


def ordered(external_id: str, days_ago: int, n: int = 1) -> list[dict[str, Any]]:
    when = (date.today() - timedelta(days=days_ago)).isoformat() + "T12:00:00+05:30"
    return [order(external_id, ordered_at=when) for _ in range(n)]


async def ingest(client: httpx.AsyncClient, people: list[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
    response = await client.post(
        "/api/ingest",
        json={"customers": [c for c, _ in people], "orders": [o for _, orders in people for o in orders]},
    )
    assert response.status_code == 200, response.text


def test_claims_are_read_from_the_copy() -> None:
    kinds = {c.kind for c in claims_in(["Hi {{ first_name | default: 'there' }}! You're a SUGAR VIP!"])}
    assert kinds == {"vip"}
    assert {c.kind for c in claims_in(["We've missed you! Still loving {{ last_item | default: 'it' }}?"])} == {
        "lapsed",
        "bought",
    }
    found = claims_in(["Everyone in Pune loves your Kajal"], ["Pune", "Mumbai"])
    assert {(c.kind, c.value) for c in found} == {("city", "Pune"), ("bought_category", "Kajal")}
    assert claims_in(["Hi there! Get 10% off on Lipstick."], ["Pune"]) == []


async def test_a_vip_claim_to_lipstick_buyers_except_vips_is_false_for_all(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await ingest(client, [(c, ordered(c["external_id"], 10)) for c in [customer(tags=[]) for _ in range(3)]])
    problems = await check_claims(
        session, SegmentFilter.model_validate(LIPSTICK_NOT_VIP), "sms", ["Hi there, you're a SUGAR VIP!"]
    )
    assert [(p.claim.kind, p.false_for, p.recipients) for p in problems] == [("vip", 3, 3)]
    assert "VIP" in problems[0].message and "3 of 3" in problems[0].message


async def test_vips_get_it_first_is_false_for_influencers_and_frequent_buyers(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    influencer = customer(tags=["influencer"])
    frequent = customer(tags=[])
    vip = customer(tags=["vip"])
    await ingest(
        client,
        [
            (influencer, ordered(influencer["external_id"], 5)),
            (frequent, ordered(frequent["external_id"], 5, n=5)),
            (vip, ordered(vip["external_id"], 5)),
        ],
    )
    audience = SegmentFilter.model_validate(
        {
            "match": "any",
            "conditions": [
                {"field": "tags", "op": "contains", "value": "influencer"},
                {"field": "order_count", "op": "gte", "value": 5},
                {"field": "tags", "op": "contains", "value": "vip"},
            ],
        }
    )
    problems = await check_claims(session, audience, "whatsapp", ["Psst, SUGAR VIPs get it first: 20% off"])
    assert [(p.claim.kind, p.false_for, p.recipients) for p in problems] == [("vip", 2, 3)]


async def test_missed_you_is_checked_against_lapsed(client: httpx.AsyncClient, session: AsyncSession) -> None:
    recent, lapsed = customer(tags=[]), customer(tags=[])
    await ingest(client, [(recent, ordered(recent["external_id"], 3)), (lapsed, ordered(lapsed["external_id"], 120))])
    everyone = SegmentFilter.model_validate(EVERYONE)
    problems = await check_claims(session, everyone, "email", ["We've missed you! It's been a while."])
    assert [(p.claim.kind, p.false_for) for p in problems] == [("lapsed", 1)]
    only_lapsed = SegmentFilter.model_validate(
        {"match": "all", "conditions": [{"field": "last_order_days_ago", "op": "gt", "value": 90}]}
    )
    assert await check_claims(session, only_lapsed, "email", ["We've missed you!"]) == []


async def test_birthday_city_and_product_claims(client: httpx.AsyncClient, session: AsyncSession) -> None:
    soon = (date.today() + timedelta(days=2)).replace(year=1995).isoformat()
    later = (date.today() + timedelta(days=60)).replace(year=1995).isoformat()
    a, b = customer(birthday=soon, city="Pune"), customer(birthday=later, city="Mumbai")
    await ingest(client, [(a, ordered(a["external_id"], 5)), (b, [])])
    everyone = SegmentFilter.model_validate(EVERYONE)
    problems = await check_claims(session, everyone, "sms", ["Happy birthday! Everyone in Pune loves your Lipstick."])
    assert sorted((p.claim.kind, p.false_for) for p in problems) == [
        ("birthday", 1),
        ("bought_category", 1),
        ("city", 1),
    ]


async def test_the_copilot_cannot_stage_a_false_claim(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await ingest(client, [(c, ordered(c["external_id"], 10)) for c in [customer(tags=[]) for _ in range(2)]])
    ctx = ToolContext(session)
    staged = await run_tool(
        ctx,
        "stage_campaign",
        {
            "name": "Lipstick VIP thank-you",
            "channel": "whatsapp",
            "body": 'Hi {{ first_name | default: "there" }}! You\'re a SUGAR VIP, enjoy 10% off.',
            "filter": LIPSTICK_NOT_VIP,
        },
    )
    assert "[claim]" in staged["error"] and "VIP" in staged["error"] and "2 of 2" in staged["error"]
    assert ctx.staged_campaign_ids == []
    fine = await run_tool(
        ctx,
        "stage_campaign",
        {
            "name": "Lipstick · 10% off",
            "channel": "whatsapp",
            "body": 'Hi {{ first_name | default: "there" }}! Get {{ offer }} with code {{ coupon_code }}: {{ link }}',
            "filter": LIPSTICK_NOT_VIP,
            "offer": "10% off",
            "coupon_code": "GLOW10",
        },
    )
    assert fine.get("campaign_id") and fine["offer"] == "10% off" and fine["coupon_code"] == "GLOW10"
    assert fine["reachable"] == 2


async def test_a_model_written_long_sms_goes_back_naming_the_rule(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await ingest(client, [(c, ordered(c["external_id"], 10)) for c in [customer(tags=[]) for _ in range(2)]])
    body = (
        'Hey {{ first_name | default: "there" }}! 💄✨ Your favourite SUGAR shades are back and better than ever — '
        "grab flat ₹200 off on every lipstick, kajal and foundation this week only. We've saved the boldest colours "
        "for you, so don't wait: tap the link, pick your shade and check out in seconds. Hurry, offer ends Sunday!! 🛍️"
    )
    staged = await run_tool(
        ToolContext(session), "stage_campaign", {"name": "x", "channel": "sms", "body": body, "filter": EVERYONE}
    )
    assert "[sms_segments]" in staged["error"] and "UCS-2" in staged["error"]
    broken = await run_tool(
        ToolContext(session),
        "stage_campaign",
        {
            "name": "x",
            "channel": "email",
            "subject": '{{ first_name | default: "there" }}, something special',
            "body": "A line long enough to be a preheader for this email.\n\nHello!",
            "filter": EVERYONE,
        },
    )
    assert "[name_fallback]" in broken["error"]


async def test_a_person_editing_sees_the_claim_warning_and_sms_facts(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await ingest(client, [(c, ordered(c["external_id"], 10)) for c in [customer(tags=[]) for _ in range(3)]])
    created = await client.post(
        "/api/campaigns",
        json={
            "name": "Lipstick picks",
            "channel": "sms",
            "filter": LIPSTICK_NOT_VIP,
            "message": {"body": 'Hi {{ first_name | default: "there" }}! Get {{ offer }}: {{ link }} -SUGAR'},
            "offer": "10% off",
        },
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["offer"] == "10% off"
    preview = (await client.get(f"/api/campaigns/{campaign['id']}/preview")).json()
    assert preview["warnings"] == []
    assert preview["sms"]["encoding"] == "gsm7" and preview["sms"]["segments"] == 1
    assert "10% off" in preview["samples"][0]["body"]
    edited = await client.patch(
        f"/api/campaigns/{campaign['id']}",
        json={"message": {"body": 'Hi {{ first_name | default: "there" }}, you\'re a SUGAR VIP! ₹ {{ offer }}'}},
    )
    assert edited.status_code == 200, edited.text
    preview = (await client.get(f"/api/campaigns/{campaign['id']}/preview")).json()
    claim = [w for w in preview["warnings"] if w["rule"] == "claim"]
    assert claim and claim[0]["claim"] == "vip" and claim[0]["false_for"] == 3 and "3 of 3" in claim[0]["message"]
    assert preview["sms"]["encoding"] == "ucs2"
    unset = await client.patch(f"/api/campaigns/{campaign['id']}", json={"offer": None})
    assert unset.status_code == 422 and "offer" in unset.text

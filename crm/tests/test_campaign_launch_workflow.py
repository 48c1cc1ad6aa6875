"""Launching safely: scheduling and cancelling, refusing a launch that reaches nobody, test sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from reach_dispatch import FakeChannel
from reach_factories import customer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.analytics.service import AnalyticsService
from crm.campaigns.scheduler import start_due_campaigns
from crm.db import utcnow
from crm.models import AuditEntry, Campaign, Communication

PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}


async def seed(client: httpx.AsyncClient, people: list[dict[str, Any]]) -> None:
    response = await client.post("/api/ingest", json={"customers": people})
    assert response.status_code == 200, response.text


def draft(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pune hello",
        "filter": PUNE,
        "channel": "whatsapp",
        "message": {"body": 'Hi {{ name | default: "there" }} from {{ city }}'},
    }
    body.update(overrides)
    return body


async def sends(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Communication)) or 0)


async def test_schedule_cancel_and_launch_now(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await seed(client, [customer(city="Pune"), customer(city="Pune")])
    campaign = (await client.post("/api/campaigns", json=draft())).json()
    at = (utcnow() + timedelta(hours=2)).replace(microsecond=0)
    scheduled = await client.post(f"/api/campaigns/{campaign['id']}/launch", json={"scheduled_at": at.isoformat()})
    assert scheduled.status_code == 200, scheduled.text
    body = scheduled.json()
    assert body["status"] == "scheduled" and body["launched_at"] is None
    assert body["scheduled_at"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert await sends(session) == 0  # nothing queued until it starts

    edit = await client.patch(f"/api/campaigns/{campaign['id']}", json={"name": "renamed"})
    assert edit.status_code == 409
    again = await client.post(f"/api/campaigns/{campaign['id']}/launch")
    assert again.status_code == 409  # cancel first; a scheduled campaign is not launched twice

    cancelled = await client.post(f"/api/campaigns/{campaign['id']}/cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "draft" and cancelled.json()["scheduled_at"] is None
    assert (await client.post(f"/api/campaigns/{campaign['id']}/cancel")).status_code == 409

    now = await client.post(f"/api/campaigns/{campaign['id']}/launch", json={})
    assert now.status_code == 200 and now.json()["status"] == "running"
    assert await sends(session) == 2
    assert (await client.post(f"/api/campaigns/{campaign['id']}/cancel")).status_code == 409
    actions = (await session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == campaign["id"]))).all()
    assert {"scheduled", "cancelled_schedule", "approved_and_launched"} <= set(actions)


async def test_a_scheduled_campaign_starts_when_due_with_its_segment_as_it_is_then(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed(client, [customer(city="Pune"), customer(city="Nashik")])
    segment = (await client.post("/api/segments", json={"name": "Pune", "filter": PUNE})).json()
    body = draft()
    del body["filter"]
    campaign = (await client.post("/api/campaigns", json={**body, "segment_id": segment["id"]})).json()
    at = utcnow() + timedelta(minutes=30)
    await client.post(f"/api/campaigns/{campaign['id']}/launch", json={"scheduled_at": at.isoformat()})

    # The segment is live: people who join it before the start time are in the launch.
    await seed(client, [customer(city="Pune")])
    assert await start_due_campaigns(sessionmaker, at - timedelta(seconds=1)) == []
    assert await sends(session) == 0
    assert await start_due_campaigns(sessionmaker, at) == [campaign["id"]]
    started = (await client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert started["status"] == "running" and started["queued"] == 2
    assert await sends(session) == 2
    assert await start_due_campaigns(sessionmaker, at + timedelta(minutes=1)) == []  # once
    assert await sends(session) == 2


async def test_a_launch_that_reaches_nobody_is_refused_with_the_reason(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await seed(client, [customer(city="Pune") for _ in range(11)])  # consent for rcs: false
    campaign = (await client.post("/api/campaigns", json=draft(channel="rcs"))).json()
    refused = await client.post(f"/api/campaigns/{campaign['id']}/launch")
    assert refused.status_code == 409
    assert "0 of 11 have consent for rcs" in refused.json()["detail"]
    assert (await client.get(f"/api/campaigns/{campaign['id']}")).json()["status"] == "draft"
    assert await sends(session) == 0

    later = (utcnow() + timedelta(hours=1)).isoformat()
    scheduled = await client.post(f"/api/campaigns/{campaign['id']}/launch", json={"scheduled_at": later})
    assert scheduled.status_code == 409 and "consent for rcs" in scheduled.json()["detail"]

    empty = (
        await client.post(
            "/api/campaigns",
            json=draft(filter={**PUNE, "conditions": [{"field": "city", "op": "eq", "value": "Atlantis"}]}),
        )
    ).json()
    nobody = await client.post(f"/api/campaigns/{empty['id']}/launch")
    assert nobody.status_code == 409 and "no customer matches" in nobody.json()["detail"]


async def test_a_scheduled_campaign_that_would_reach_nobody_goes_back_to_draft(
    client: httpx.AsyncClient, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    await seed(client, [customer(city="Pune", external_id="only-one")])
    campaign = (await client.post("/api/campaigns", json=draft())).json()
    at = utcnow() + timedelta(minutes=5)
    await client.post(f"/api/campaigns/{campaign['id']}/launch", json={"scheduled_at": at.isoformat()})
    # Before the start, the only recipient revokes WhatsApp consent.
    await seed(client, [customer(city="Pune", external_id="only-one", consent={"whatsapp": False})])
    assert await start_due_campaigns(sessionmaker, at) == []
    back = (await client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert back["status"] == "draft" and back["scheduled_at"] is None
    reason = await session.scalar(
        select(AuditEntry.summary).where(
            AuditEntry.entity_id == campaign["id"], AuditEntry.action == "schedule_refused"
        )
    )
    assert reason is not None and "0 of 1 have consent for whatsapp" in reason
    assert await sends(session) == 0


async def test_a_test_send_goes_out_rendered_and_never_counts(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    channel = FakeChannel()
    app.state.channel_client = channel
    await seed(client, [customer(city="Pune", name="Asha Rao"), customer(city="Pune", name="Meera")])
    campaign = (await client.post("/api/campaigns", json=draft())).json()

    sent = await client.post(f"/api/campaigns/{campaign['id']}/test-send", json={"to": "+91 98765 43210"})
    assert sent.status_code == 202, sent.text
    result = sent.json()
    assert result["to"] == "+919876543210" and result["communication_id"].startswith("test-")
    assert result["body"] == "Hi Asha Rao from Pune"  # rendered for a real recipient
    [[message]] = channel.batches
    assert (message.to, message.channel, message.body) == ("+919876543210", "whatsapp", "Hi Asha Rao from Pune")
    assert message.communication_id == result["communication_id"]

    stats = await AnalyticsService(session).campaign_stats(await session.get_one(Campaign, campaign["id"]))
    assert stats.funnel.sent == 0 and await sends(session) == 0
    assert (await client.get(f"/api/campaigns/{campaign['id']}")).json()["status"] == "draft"

    bad = await client.post(f"/api/campaigns/{campaign['id']}/test-send", json={"to": "asha@example.com"})
    assert bad.status_code == 422 and "not a phone number" in str(bad.json()["detail"])
    assert len(channel.batches) == 1


async def test_a_test_send_to_a_known_customer_uses_their_details(app: FastAPI, client: httpx.AsyncClient) -> None:
    channel = FakeChannel()
    app.state.channel_client = channel
    await seed(client, [customer(city="Pune", name="Asha"), customer(city="Mumbai", name="Zoya", email="zoya@x.in")])
    campaign = (
        await client.post(
            "/api/campaigns", json=draft(channel="email", message={"subject": "For {{name}}", "body": "In {{city}}"})
        )
    ).json()
    sent = await client.post(f"/api/campaigns/{campaign['id']}/test-send", json={"to": "ZOYA@x.in"})
    assert sent.status_code == 202, sent.text
    assert (sent.json()["subject"], sent.json()["body"], sent.json()["rendered_for"]) == (
        "For Zoya",
        "In Mumbai",
        "Zoya",
    )
    assert channel.batches[0][0].to == "ZOYA@x.in"


async def test_channel_options_compare_reach_and_cost_for_a_segment(client: httpx.AsyncClient) -> None:
    await seed(
        client,
        [
            customer(city="Pune"),
            customer(city="Pune", phone=None),
            customer(city="Pune", consent={"email": False, "sms": True, "whatsapp": True}),
        ],
    )
    segment = (await client.post("/api/segments", json={"name": "Pune", "filter": PUNE})).json()
    answer = await client.post("/api/campaigns/channel-options", json={"segment_id": segment["id"]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    reach = {o["channel"]: o["reachable"] for o in body["options"]}
    assert body["audience"] == 3 and reach == {"whatsapp": 2, "sms": 2, "email": 2, "rcs": 0}
    email = next(o for o in body["options"] if o["channel"] == "email")
    assert email["estimated_cost"] == round(2 * email["cost_per_message"], 2)
    assert body["recommended"] in reach and body["reason"]
    both = await client.post("/api/campaigns/channel-options", json={"segment_id": segment["id"], "filter": PUNE})
    assert both.status_code == 422

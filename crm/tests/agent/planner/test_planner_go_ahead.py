"""Follow-ups are safe: "go ahead" after a partial understanding stages only what was understood,
and only with the reply and the draft both saying what was left out; an exclusion is never
dropped silently nor inverted; a goal whose audience itself is not in the data is never staged
with a stand-in audience, not even after "go ahead"."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from reach_factories import customer, order
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.models import Campaign
from crm.seed import SeedPlan, seed_database


@pytest.fixture
async def seeded(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await seed_database(sessionmaker, SeedPlan(customers=300, seed=7, today=date.today()))


async def say(client: httpx.AsyncClient, message: str, conversation: object = None) -> dict[str, object]:
    payload: dict[str, object] = {"message": message}
    if conversation is not None:
        payload["conversation_id"] = conversation
    response = await client.post("/api/agent/chat", json=payload)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


async def campaigns(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Campaign)) or 0)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    "goal", ["our Facebook fans in Pune", "send a WhatsApp to hikers in Delhi", "Instagram followers who bought kajal"]
)
async def test_an_audience_not_in_the_data_is_never_stood_in_for(
    client: httpx.AsyncClient, session: AsyncSession, goal: str
) -> None:
    asked = await say(client, goal)
    assert asked["staged_campaign_id"] is None
    reply = str(asked["reply"])
    assert "won't stand a different audience in" in reply
    assert "customers" in reply and any(ch.isdigit() for ch in reply)  # the readable part, with its count
    assert "customers customers" not in reply  # the explanation already starts with "customers"
    after = await say(client, "go ahead", asked["conversation_id"])
    assert after["staged_campaign_id"] is None, after["reply"]
    assert "still can't stage" in str(after["reply"])
    assert await campaigns(session) == 0


@pytest.mark.usefixtures("seeded")
async def test_go_ahead_lists_what_was_left_out_in_the_reply_and_the_draft(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    asked = await say(client, "lipstick buyers in Pune who own a cat")
    assert asked["staged_campaign_id"] is None
    staged = await say(client, "go ahead", asked["conversation_id"])
    campaign = await session.get(Campaign, staged["staged_campaign_id"])
    assert campaign is not None and campaign.status == "draft"
    assert "“who own a cat”" in str(staged["reply"])
    assert "left out: who own a cat" in campaign.name


async def test_an_exclusion_is_kept_never_inverted(client: httpx.AsyncClient, session: AsyncSession) -> None:
    today = date.today().isoformat()
    await client.post(
        "/api/ingest",
        json={
            "customers": [
                customer(external_id="retail", city="Pune", tags=[]),
                customer(external_id="bulk", city="Pune", tags=["wholesale"]),
            ],
            "orders": [
                order("retail", external_id="o1", ordered_at=f"{today}T10:00:00+00:00"),
                order("bulk", external_id="o2", ordered_at=f"{today}T10:00:00+00:00"),
            ],
        },
    )
    staged = await say(client, "everyone who ordered this week except the wholesale accounts")
    campaign = await session.get(Campaign, staged["staged_campaign_id"])
    assert campaign is not None, staged["reply"]
    steps = staged["steps"]
    assert isinstance(steps, list)
    preview = next(step["result"] for step in steps if step["tool"] == "preview_audience")
    assert preview["count"] == 1  # the retail customer, not the wholesale one
    assert {"field": "tags", "op": "neq", "value": "wholesale"} in campaign.filter["conditions"]


@pytest.mark.usefixtures("seeded")
async def test_an_exclusion_on_messages_is_staged_with_the_exclusion(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    staged = await say(
        client, "remind people who haven't ordered in 90 days, excluding anyone who got a message this week"
    )
    campaign = await session.get(Campaign, staged["staged_campaign_id"])
    assert campaign is not None, staged["reply"]
    assert {
        "match": "none",
        "conditions": [{"field": "engagement", "op": "eq", "value": "received", "within_days": 7}],
    } in campaign.filter["conditions"]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(
    "goal", ["Use my saved segment Big spenders", "send an SMS to the segment called “Diwali VIPs” with 10% off"]
)
async def test_a_saved_segment_is_never_rebuilt_from_its_name(
    client: httpx.AsyncClient, session: AsyncSession, goal: str
) -> None:
    reply = await say(client, goal)
    assert reply["staged_campaign_id"] is None
    assert "won't rebuild a different audience" in str(reply["reply"])
    assert await campaigns(session) == 0

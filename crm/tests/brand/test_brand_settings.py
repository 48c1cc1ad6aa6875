"""Brand voice is a setting (seeded SUGAR), and the copilot writes in whatever it is set to."""

from __future__ import annotations

import httpx
from reach_factories import customer, order
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Campaign


async def test_brand_settings_default_to_sugar_and_can_be_edited(client: httpx.AsyncClient) -> None:
    brand = (await client.get("/api/settings/brand")).json()
    assert brand == {
        "brand_name": "SUGAR",
        "sign_off": "Team SUGAR",
        "emoji": True,
        "destination_url": "https://in.sugarcosmetics.com/",
    }
    edited = await client.put("/api/settings/brand", json={"brand_name": "Glamly", "sign_off": "Love, Glamly"})
    assert edited.status_code == 200 and edited.json()["brand_name"] == "Glamly" and edited.json()["emoji"] is True
    assert (await client.put("/api/settings/brand", json={"brand_name": "{{ evil }}"})).status_code == 422
    assert (await client.put("/api/settings/brand", json={"destination_url": "javascript:x"})).status_code == 422


async def test_the_copilot_writes_in_the_brand_voice(client: httpx.AsyncClient, session: AsyncSession) -> None:
    people = [customer(city="Pune") for _ in range(3)]
    ingested = await client.post(
        "/api/ingest", json={"customers": people, "orders": [order(p["external_id"]) for p in people]}
    )
    assert ingested.status_code == 200
    await client.put("/api/settings/brand", json={"brand_name": "Glamly", "sign_off": "Love, Glamly", "emoji": False})
    reply = (await client.post("/api/agent/chat", json={"message": "WhatsApp customers in Pune with 10% off"})).json()
    campaign = await session.get(Campaign, reply["staged_campaign_id"])
    assert campaign is not None
    assert "Glamly" in campaign.message_body and "SUGAR" not in campaign.message_body
    assert not any(ord(ch) > 0x2000 for ch in campaign.message_body if ch not in "—’")
    assert campaign.offer == "10% off" and campaign.coupon_code and "{{ link }}" in campaign.message_body

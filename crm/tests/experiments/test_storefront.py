"""The storefront process: organic orders for every customer and extra orders for delivered
messages, placed through the CRM's real ingest API (the app in-process), deterministic per seed
and idempotent on replay. The channel service's event log is a stub serving delivered events."""

from __future__ import annotations

from typing import Any

import httpx
import numpy as np
import reach_factories as make
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.config import Settings
from crm.experiments.storefront import Storefront, customer_of
from crm.models import Order

START = 1_800_000_000.0  # a fixed real instant (2027-01-15)
SCALE = 864.0  # a simulated day lasts 100 real seconds


def storefront_settings(settings: Settings, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "sim_time_scale": SCALE,
        "storefront_organic_rate": 0.5,
        "storefront_uplift": 1.0,
        "storefront_response_days": 1.0,
        **overrides,
    }
    return settings.model_copy(update=values)


def channel_with_deliveries(deliveries: list[tuple[str, float]]) -> httpx.AsyncClient:
    events = [
        {
            "seq": seq,
            "event_id": f"{cid}:delivered",
            "communication_id": cid,
            "type": "delivered",
            "occurred_at": f"{np.datetime64(int(at), 's')}Z".replace("Z", "+00:00"),
        }
        for seq, (cid, at) in enumerate(deliveries)
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"].startswith("Bearer ")
        after = int(request.url.params["after"])
        page = [e for e in events if e["seq"] > after]
        return httpx.Response(200, json={"events": page, "next_after": page[-1]["seq"] if page else after})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://channel.test")


async def customer_ids(client: httpx.AsyncClient, external_ids: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    cursor = None
    while True:
        page = (
            await client.get("/api/customers", params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        ).json()
        found.update({c["external_id"]: c["id"] for c in page["items"] if c["external_id"] in external_ids})
        cursor = page["next_cursor"]
        if not cursor:
            return found


def test_customer_of_reads_campaign_and_sequence_communication_ids() -> None:
    assert customer_of("3f2a9c-41") == 41
    assert customer_of("3f2a9c-41-s2") == 41
    assert customer_of("garbage") is None


async def test_organic_and_response_orders_arrive_through_ingest_once(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    customers = [make.customer() for _ in range(40)]
    assert (await client.post("/api/ingest", json={"customers": customers})).status_code == 200
    ids = await customer_ids(client, [c["external_id"] for c in customers])
    messaged = sorted(ids.values())[:10]
    deliveries = [(f"campaignuid-{cid}", START + 5.0) for cid in messaged]
    config = storefront_settings(settings)
    before = await session.scalar(select(func.count()).select_from(Order))

    async with channel_with_deliveries(deliveries) as channel:
        shop = Storefront(config, client, channel, seed=7, started_at=START)
        # Three simulated days: every delivered message's response (within 1 day) is due by then.
        sent = await shop.tick(START + 300.0)
        placed = await session.scalar(select(func.count()).select_from(Order))
        assert sent == placed - before > 10

        orders = (await session.execute(select(Order.external_id, Order.customer_id, Order.ordered_at))).all()
        responses = {external_id: customer for external_id, customer, _ in orders if "-msg-" in external_id}
        assert sorted(responses.values()) == messaged  # uplift 1: one extra order per delivered message
        organic = [o for o in orders if o[0].startswith("sim-7-") and "-msg-" not in o[0]]
        assert len(organic) == sent - len(messaged)
        # Organic orders follow the model: the expected count is customers × rate × days.
        assert 0.5 * 40 * 3 * 0.5 < len(organic) < 0.5 * 40 * 3 * 1.6
        organic_times = [at.timestamp() for name, _, at in orders if name.startswith("sim-7-") and "-msg-" not in name]
        assert organic_times and all(START <= t < START + 300.0 for t in organic_times)
        response_times = [at.timestamp() for name, _, at in orders if "-msg-" in name]
        assert all(START + 5.0 < t <= START + 5.0 + 100.0 for t in response_times)  # within 1 simulated day

        # The same seed over the same span again (a restart): every order already exists.
        again = Storefront(config, client, channel, seed=7, started_at=START)
        assert await again.tick(START + 300.0) == sent
        assert await session.scalar(select(func.count()).select_from(Order)) == placed


async def test_with_no_uplift_messages_bring_no_orders(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    customers = [make.customer() for _ in range(20)]
    await client.post("/api/ingest", json={"customers": customers})
    ids = await customer_ids(client, [c["external_id"] for c in customers])
    deliveries = [(f"uid-{cid}", START) for cid in ids.values()]
    async with channel_with_deliveries(deliveries) as channel:
        shop = Storefront(storefront_settings(settings, storefront_uplift=0.0), client, channel, 3, START)
        await shop.tick(START + 300.0)
    names = (await session.scalars(select(Order.external_id).where(Order.external_id.like("sim-3-%")))).all()
    assert names and not any("-msg-" in n for n in names)

"""The copilot's tools one by one, against real data: field values for grounding, saving a
segment, campaign performance, and the consent- and history-aware channel recommendation."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from reach_factories import customer, order
from reach_receipts import make_communications
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent.channel_advice import COST_PER_MESSAGE, PRIORS
from crm.agent.tools import ToolContext, run_tool
from crm.db import utcnow
from crm.models import Segment

PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
NO_CONSENT = {"email": False, "sms": False, "whatsapp": False, "rcs": False}


async def ingest(client: httpx.AsyncClient, customers: list[dict[str, Any]], with_orders: bool = True) -> None:
    orders = [order(c["external_id"]) for c in customers] if with_orders else []
    response = await client.post("/api/ingest", json={"customers": customers, "orders": orders})
    assert response.status_code < 300, response.text


async def test_field_values_lists_and_searches_what_exists(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await ingest(client, [customer(city="Pune"), customer(city="Mumbai", state="Maharashtra"), customer(city="Pune")])
    ctx = ToolContext(session)
    cities = await run_tool(ctx, "field_values", {"field": "city"})
    assert cities["field"] == "city" and set(cities["values"]) == {"Pune", "Mumbai"}
    assert (await run_tool(ctx, "field_values", {"field": "city", "search": "mumbi"}))["values"] == ["Mumbai"]
    assert (await run_tool(ctx, "field_values", {"field": "city", "search": "pun"}))["values"] == ["Pune"]
    assert (await run_tool(ctx, "field_values", {"field": "category"}))["values"] == ["Lipstick"]
    unknown = await run_tool(ctx, "field_values", {"field": "shoe_size"})
    assert "unknown field 'shoe_size'" in unknown["error"] and "city" in unknown["fields"]
    assert "field: Field required" in (await run_tool(ctx, "field_values", {}))["error"]


async def test_create_segment_saves_a_named_filter(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await ingest(client, [customer(city="Pune"), customer(city="Pune"), customer(city="Mumbai")])
    ctx = ToolContext(session)
    result = await run_tool(ctx, "create_segment", {"name": "Pune shoppers", "filter": PUNE})
    assert result["count"] == 2 and result["explanation"] == "customers who live in Pune"
    saved = await session.get(Segment, result["segment_id"])
    assert saved is not None and saved.name == "Pune shoppers" and saved.created_by == "agent"
    duplicate = await run_tool(ctx, "create_segment", {"name": "Pune shoppers", "filter": PUNE})
    assert "error" in duplicate and "Pune shoppers" in duplicate["error"]
    assert len((await session.scalars(select(Segment))).all()) == 1
    assert "filter" in (await run_tool(ctx, "create_segment", {"name": "x"}))["error"]


async def test_campaign_performance_reports_the_funnel(session: AsyncSession) -> None:
    rows = await make_communications(session, 10, channel="whatsapp")
    now = utcnow()
    for index, row in enumerate(rows):
        row.sent_at = now
        if index < 8:
            row.delivered_at = now
        if index < 4:
            row.read_at = now
        if index < 1:
            row.converted_at, row.conversion_value_minor = now, 250_000
    await session.flush()
    campaign_id = rows[0].campaign_id
    assert campaign_id is not None
    result = await run_tool(ToolContext(session), "get_campaign_performance", {"campaign_id": campaign_id})
    assert result["campaign_id"] == campaign_id and result["channel"] == "whatsapp"
    assert {k: result["funnel"][k] for k in ("sent", "delivered", "read", "converted")} == {
        "sent": 10,
        "delivered": 8,
        "read": 4,
        "converted": 1,
    }
    assert result["rates"]["read_rate"] == pytest.approx(0.5) and result["revenue"] == 2500.0
    missing = await run_tool(ToolContext(session), "get_campaign_performance", {"campaign_id": 999_999})
    assert "999999" in missing["error"]


async def test_recommend_channel_weighs_consent_history_and_cost(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    whatsapp_and_email = {"email": True, "sms": False, "whatsapp": True, "rcs": False}
    await ingest(
        client,
        [customer(city="Pune", consent=whatsapp_and_email) for _ in range(3)]
        + [customer(city="Pune", consent={**NO_CONSENT, "sms": True})]
        + [customer(city="Pune", consent=NO_CONSENT)]
        + [customer(city="Mumbai", consent=whatsapp_and_email)],
    )
    # WhatsApp history from past campaigns: 60 sent, 50 delivered, 40 read, 10 converted.
    now = utcnow()
    for index, row in enumerate(await make_communications(session, 60, channel="whatsapp")):
        row.sent_at = now
        row.delivered_at = now if index < 50 else None
        row.read_at = now if index < 40 else None
        row.converted_at = now if index < 10 else None
    await session.flush()

    advice = await run_tool(ToolContext(session), "recommend_channel", {"filter": PUNE})
    options = {o["channel"]: o for o in advice["options"]}
    assert advice["audience"] == 5
    assert {ch: o["reachable"] for ch, o in options.items()} == {"email": 3, "sms": 1, "whatsapp": 3, "rcs": 0}
    assert options["whatsapp"]["reachable_share"] == pytest.approx(0.6)
    assert {ch: o["cost_per_message"] for ch, o in options.items()} == COST_PER_MESSAGE
    assert options["whatsapp"]["estimated_cost"] == pytest.approx(3 * COST_PER_MESSAGE["whatsapp"])
    assert options["whatsapp"]["engagement"] == {
        "messages": 60,
        "delivery_rate": pytest.approx(50 / 60, abs=1e-3),
        "engaged_rate": 0.8,
        "click_rate": 0.2,  # a conversion counts as a click
        "conversion_rate": 0.2,
    }
    assert options["email"]["engagement"]["assumed"] is True
    assert options["email"]["engagement"]["conversion_rate"] == PRIORS["email"][3]
    assert advice["recommended"] == "whatsapp"
    reason = advice["reason"]
    assert "WhatsApp reaches 3 of 5 (60%)" in reason and "past campaigns" in reason and "20.0% conversion" in reason

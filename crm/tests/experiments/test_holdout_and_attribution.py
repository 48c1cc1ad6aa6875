"""Holdout lift and order attribution from real orders through the API: orders are credited to the
last message each customer received within the window (counted once), and the holdout's orders
are compared with everyone else's within the window after launch."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
import reach_factories as make
from reach_receipts import post_signed
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.db import utcnow
from crm.models import Communication


def iso(at: datetime) -> str:
    return at.isoformat()


async def test_lift_and_last_touch_attribution(client: httpx.AsyncClient, session: AsyncSession) -> None:
    people = [make.customer(city="Agra") for _ in range(60)]
    assert (await client.post("/api/ingest", json={"customers": people})).status_code == 200
    created = await client.post(
        "/api/campaigns",
        json={
            "name": "holdout only",
            "channel": "whatsapp",
            "filter": {"conditions": [{"field": "city", "op": "eq", "value": "Agra"}]},
            "message": {"body": "Come back, {{ first_name }}"},
            "holdout_percent": 50,
        },
    )
    assert created.status_code == 201, created.text
    campaign = (await client.post(f"/api/campaigns/{created.json()['id']}/launch")).json()
    launched_at = datetime.fromisoformat(campaign["launched_at"])
    sends = (await session.scalars(select(Communication).where(Communication.campaign_id == campaign["id"]))).all()
    messaged = sorted(s.customer_id for s in sends)
    external = {
        c["id"]: c["external_id"] for c in (await client.get("/api/customers", params={"limit": 500})).json()["items"]
    }
    holdout = sorted(set(external) - set(messaged))
    assert len(messaged) + len(holdout) == 60 and holdout and messaged == sorted({s.customer_id for s in sends})

    delivered = launched_at + timedelta(minutes=1)
    events = [
        {
            "event_id": f"{s.communication_id}:delivered",
            "communication_id": s.communication_id,
            "type": "delivered",
            "occurred_at": iso(delivered),
        }
        for s in sends
    ]
    assert (await post_signed(client, {"events": events})).status_code == 200
    # Another campaign's message reached the first buyer later: that buyer's order is its, not ours.
    other = Communication(
        communication_id="other-campaign-1",
        campaign_id=10_000_000,
        customer_id=messaged[0],
        channel="sms",
        to_address="x",
        state="dispatched",
        due_at=utcnow(),
        delivered_at=delivered + timedelta(minutes=20),
    )
    session.add(other)
    await session.flush()

    hour = delivered + timedelta(hours=1)
    orders = [make.order(external[c], ordered_at=iso(hour), amount=1000.0, items=[]) for c in messaged[:10]]
    orders.append(
        make.order(external[messaged[10]], ordered_at=iso(delivered + timedelta(days=10)), amount=700.0, items=[])
    )
    orders += [make.order(external[c], ordered_at=iso(hour), amount=500.0, items=[]) for c in holdout[:2]]
    orders.append(make.order(external[holdout[2]], ordered_at=iso(hour), amount=900.0, status="cancelled", items=[]))
    assert (await client.post("/api/ingest", json={"orders": orders})).json()["rejected"] == []

    stats = (await client.get(f"/api/campaigns/{campaign['id']}/stats")).json()
    attribution = stats["order_attribution"]
    assert attribution["orders"] == 9 and attribution["revenue"] == 9000.0  # one went to the later message
    assert attribution["window_days"] == 5 and "last message" in attribution["label"]
    assert stats["variants"] is None
    assert stats["holdout"] == {
        "customers": len(holdout),
        "converted": 2,
        "revenue": 1000.0,
        "conversion_rate": round(2 / len(holdout), 4),
        "revenue_per_customer": round(1000 / len(holdout), 2),
    }
    assert stats["messaged"]["customers"] == len(messaged) and stats["messaged"]["converted"] == 10
    lift = stats["lift"]
    assert lift["conversion_rate"] == pytest.approx(10 / len(messaged) - 2 / len(holdout), abs=1e-4)
    assert lift["ci95"][0] < lift["conversion_rate"] < lift["ci95"][1]
    assert lift["revenue_per_recipient"] == pytest.approx(10_000 / len(messaged) - 1000 / len(holdout), abs=0.01)
    assert lift["revenue_ci95"] is not None and "Welch" in lift["revenue_method"]
    assert lift["incremental_conversions"] == pytest.approx(lift["conversion_rate"] * len(messaged), abs=0.1)
    assert not lift["window_complete"]

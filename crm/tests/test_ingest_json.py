from __future__ import annotations

from typing import Any

import httpx
from reach_factories import customer, order
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Order, OrderItem


async def ingest(client: httpx.AsyncClient, **payload: Any) -> dict[str, Any]:
    response = await client.post("/api/ingest", json=payload)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def count(session: AsyncSession, model: type[Any]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_upsert_then_replay_changes_nothing(client: httpx.AsyncClient, session: AsyncSession) -> None:
    c = customer(phone="98 7654 3210", email="Asha.Rao@Example.com")
    o = order(c["external_id"])
    first = await ingest(client, customers=[c], orders=[o])
    assert first == {
        "customers": {"created": 1, "updated": 0, "unchanged": 0},
        "orders": {"created": 1, "updated": 0, "unchanged": 0},
        "rejected": [],
    }
    stored = await session.scalar(select(Customer).where(Customer.external_id == c["external_id"]))
    assert stored is not None
    assert stored.phone == "+919876543210"
    assert stored.email == "asha.rao@example.com"
    assert stored.consent_whatsapp is True and stored.consent_rcs is False
    before = (stored.name, stored.city, stored.tags)

    replay = await ingest(client, customers=[c], orders=[o])
    assert replay["customers"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert replay["orders"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert await count(session, Customer) == 1
    assert await count(session, Order) == 1
    assert await count(session, OrderItem) == 1
    session.expire_all()
    again = await session.scalar(select(Customer).where(Customer.external_id == c["external_id"]))
    assert again is not None and (again.name, again.city, again.tags) == before


async def test_partial_update_keeps_fields_it_does_not_mention(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    c = customer(city="Pune", name="Asha Rao")
    await ingest(client, customers=[c])
    await ingest(client, customers=[{"external_id": c["external_id"], "city": "Mumbai"}])
    stored = await session.scalar(select(Customer).where(Customer.external_id == c["external_id"]))
    assert stored is not None
    assert (stored.city, stored.name, stored.email) == ("Mumbai", "Asha Rao", c["email"])


async def test_invalid_records_are_reported_and_stored_nowhere(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    good = customer()
    bad_email = customer(email="not-an-email")
    bad_phone = customer(phone="12")
    no_id = customer(external_id="")
    negative = order(good["external_id"], amount=-5)
    bad_date = order(good["external_id"], ordered_at="yesterday-ish")
    body = await ingest(client, customers=[good, bad_email, bad_phone, no_id], orders=[negative, bad_date])
    assert body["customers"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert body["orders"] == {"created": 0, "updated": 0, "unchanged": 0}
    rejected = {(r["kind"], r["index"]): r for r in body["rejected"]}
    assert set(rejected) == {("customer", 1), ("customer", 2), ("customer", 3), ("order", 0), ("order", 1)}
    assert any(e.startswith("email:") for e in rejected[("customer", 1)]["errors"])
    assert any(e.startswith("phone:") for e in rejected[("customer", 2)]["errors"])
    assert any(e.startswith("external_id:") for e in rejected[("customer", 3)]["errors"])
    assert any(e.startswith("amount:") for e in rejected[("order", 0)]["errors"])
    assert any(e.startswith("ordered_at:") for e in rejected[("order", 1)]["errors"])
    assert rejected[("order", 0)]["external_id"] == negative["external_id"]
    assert await count(session, Customer) == 1
    assert await count(session, Order) == 0
    assert await count(session, OrderItem) == 0


async def test_order_for_unknown_customer_is_rejected_not_dropped(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    body = await ingest(client, orders=[order("nobody-here", external_id="o-orphan")])
    assert body["orders"] == {"created": 0, "updated": 0, "unchanged": 0}
    assert body["rejected"] == [
        {
            "kind": "order",
            "index": 0,
            "line": None,
            "external_id": "o-orphan",
            "errors": ["customer_external_id: unknown customer 'nobody-here'"],
        }
    ]
    assert await count(session, Order) == 0


async def test_only_the_documented_fields_are_required(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await ingest(
        client,
        customers=[{"external_id": "bare"}],
        orders=[
            {
                "external_id": "bare-o",
                "customer_external_id": "bare",
                "ordered_at": "2026-01-01T00:00:00Z",
                "amount": 10,
            }
        ],
    )
    assert body["rejected"] == []
    stats = await session.scalar(select(CustomerStats).join(Customer).where(Customer.external_id == "bare"))
    assert stats is not None and stats.order_count == 1 and stats.total_spent_minor == 1000


async def test_malformed_payload_is_a_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/ingest", json={"customers": "not a list"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "customers"


async def test_tags_are_bounded_and_the_most_allowed_are_stored(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    """32 tags of 50 characters fit the customer_stats index that segments read (a B-tree entry
    is at most ~2.7 kB on Postgres); a 33rd is a rejected record naming the field, not a 500."""
    widest = [f"{n:02d}" + "x" * 48 for n in range(32)]
    too_many = [f"tag-{n}" for n in range(33)]
    body = await ingest(
        client, customers=[customer(external_id="t-max", tags=widest), customer(external_id="t-over", tags=too_many)]
    )
    assert body["customers"] == {"created": 1, "updated": 0, "unchanged": 0}
    [rejected] = body["rejected"]
    assert rejected["external_id"] == "t-over"
    assert any(e.startswith("tags:") and "32" in e for e in rejected["errors"])
    stored = await session.scalar(select(CustomerStats.tags).join(Customer).where(Customer.external_id == "t-max"))
    assert stored is not None and len(stored.strip("|").split("|")) == 32

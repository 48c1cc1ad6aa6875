from __future__ import annotations

import httpx
from reach_factories import customer, order


async def test_search_paginates_with_a_keyset_cursor(client: httpx.AsyncClient) -> None:
    people = [customer(name=f"Pune Person {n}", city="Pune") for n in range(5)]
    people.append(customer(name="Delhi Person", city="Delhi", email="delhi@example.com"))
    await client.post("/api/ingest", json={"customers": people})
    seen: list[str] = []
    cursor = None
    while True:
        params = {"q": "pune", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/api/customers", params=params)).json()
        seen += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"Pune Person {n}" for n in range(5)]
    by_email = (await client.get("/api/customers", params={"q": "delhi@example"})).json()
    assert [c["name"] for c in by_email["items"]] == ["Delhi Person"]
    bad = await client.get("/api/customers", params={"cursor": "abc"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["query", "cursor"]


async def test_profile_has_stats_and_orders(client: httpx.AsyncClient) -> None:
    c = customer(birthday="2000-01-01")
    await client.post(
        "/api/ingest",
        json={
            "customers": [c],
            "orders": [
                order(c["external_id"], amount=500, ordered_at="2026-01-01T00:00:00Z"),
                order(c["external_id"], amount=1500, ordered_at="2026-02-01T00:00:00Z"),
            ],
        },
    )
    listing = (await client.get("/api/customers", params={"q": c["external_id"]})).json()
    customer_id = listing["items"][0]["id"]
    profile = (await client.get(f"/api/customers/{customer_id}")).json()
    assert profile["stats"]["total_spent"] == 2000.0
    assert profile["stats"]["order_count"] == 2
    assert profile["stats"]["avg_order_value"] == 1000.0
    assert profile["stats"]["categories"] == ["lipstick"]
    assert profile["stats"]["last_item"] == "Matte Lipstick - Rose"
    assert [o["amount"] for o in profile["orders"]] == [1500.0, 500.0]
    assert profile["orders"][0]["items"][0]["category"] == "Lipstick"
    assert profile["consent"] == {"email": True, "sms": True, "whatsapp": True, "rcs": False}
    assert profile["age"] >= 26
    missing = await client.get("/api/customers/999999")
    assert missing.status_code == 404 and "not found" in missing.json()["detail"]


async def search_names(client: httpx.AsyncClient, query: str) -> list[str]:
    response = await client.get("/api/customers", params={"q": query})
    assert response.status_code == 200
    return [c["name"] for c in response.json()["items"]]


async def test_search_finds_a_customer_by_phone(client: httpx.AsyncClient) -> None:
    await client.post(
        "/api/ingest",
        json={
            "customers": [
                customer(name="Phone Owner", phone="+91 98765 43210"),
                customer(name="Someone Else", phone="+91 91234 56789"),
            ]
        },
    )
    assert await search_names(client, "+919876543210") == ["Phone Owner"]  # as stored (E.164)
    assert await search_names(client, "9876543210") == ["Phone Owner"]
    assert await search_names(client, "43210") == ["Phone Owner"]  # a fragment


async def test_search_by_a_spaced_or_formatted_phone_number(client: httpx.AsyncClient) -> None:
    await client.post("/api/ingest", json={"customers": [customer(name="Formatted Phone", phone="9876501234")]})
    for typed in ("98765 01234", "+91 98765-01234", "(98765) 01234", "098765 01234", "+91.98765.01234"):
        assert await search_names(client, typed) == ["Formatted Phone"], typed
    # Digits alone never widen a search: a name query is not turned into "every phone".
    assert await search_names(client, "Formatted - Phone") == []

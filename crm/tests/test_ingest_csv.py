from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Customer, CustomerStats, Order, OrderItem

FIXTURES = Path(__file__).parent / "fixtures"


async def upload(client: httpx.AsyncClient, name: str, content: bytes, kind: str | None = None) -> httpx.Response:
    data = {"kind": kind} if kind else {}
    return await client.post("/api/ingest/csv", files={"file": (name, content, "text/csv")}, data=data)


async def upload_ok(client: httpx.AsyncClient, name: str, content: bytes, kind: str | None = None) -> dict[str, Any]:
    response = await upload(client, name, content, kind)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def by_external_id(session: AsyncSession, external_id: str) -> Customer | None:
    return await session.scalar(select(Customer).where(Customer.external_id == external_id))


OWN_CUSTOMERS = (
    "external_id,name,email,phone,city,state,gender,birthday,signed_up_at,tags,consent_email,"
    "consent_sms,consent_whatsapp,consent_rcs\n"
    "c-csv-1,Asha Rao,asha@example.com,'+919800000001,Pune,Maharashtra,female,1998-04-02,"
    "2025-01-02T10:00:00+05:30,vip;lipstick,yes,yes,no,no\n"
    "c-csv-2,Dev Patel,dev@example.com,9800000002,Ahmedabad,Gujarat,m,,"
    "2025-02-02 10:00:00,,no,yes,yes,yes\n"
    "c-csv-3,Bad Date,bad@example.com,,Delhi,Delhi,female,1999-13-40,,,yes,,,\n"
)


async def test_own_customers_csv_with_line_numbers(client: httpx.AsyncClient, session: AsyncSession) -> None:
    body = await upload_ok(client, "customers.csv", OWN_CUSTOMERS.encode())
    assert (body["layout"], body["kind"]) == ("reach_customers", "customers")
    assert body["customers"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert len(body["rejected"]) == 1
    rejected = body["rejected"][0]
    assert (rejected["line"], rejected["external_id"]) == (4, "c-csv-3")
    assert rejected["errors"][0].startswith("birthday:")
    asha = await by_external_id(session, "c-csv-1")
    dev = await by_external_id(session, "c-csv-2")
    assert asha is not None and dev is not None
    assert asha.phone == "+919800000001" and asha.tags == "|lipstick|vip|"
    assert (asha.consent_email, asha.consent_whatsapp) == (True, False)
    assert dev.gender == "male" and dev.consent_rcs is True
    assert await by_external_id(session, "c-csv-3") is None


async def test_shopify_customer_exports_both_layouts(client: httpx.AsyncClient, session: AsyncSession) -> None:
    current = await upload_ok(client, "export.csv", (FIXTURES / "shopify_customers_current.csv").read_bytes())
    assert current["layout"] == "shopify_customers"
    assert current["customers"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert [(r["line"], r["errors"][0].split(":")[0]) for r in current["rejected"]] == [(4, "email")]
    ananya = await by_external_id(session, "shopify:ananya.iyer@example.com")
    assert ananya is not None
    assert (ananya.name, ananya.city, ananya.state, ananya.phone) == (
        "Ananya Iyer",
        "Bengaluru",
        "Karnataka",
        "+919845012345",
    )
    assert ananya.consent_email is True and ananya.consent_sms is False
    assert ananya.tags == "|lipstick-lover|vip|"

    legacy = await upload_ok(client, "old.csv", (FIXTURES / "shopify_customers_legacy.csv").read_bytes())
    assert legacy["layout"] == "shopify_customers"
    assert legacy["customers"] == {"created": 2, "updated": 0, "unchanged": 0} and legacy["rejected"] == []
    kabir = await by_external_id(session, "shopify:kabir.singh@example.com")
    assert kabir is not None and kabir.phone == "+919876012345" and kabir.state == "Chandigarh"


async def test_shopify_customer_with_known_email_updates_that_customer(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await client.post(
        "/api/ingest",
        json={"customers": [{"external_id": "c-own-7", "email": "priya.nair@example.com", "city": "Goa"}]},
    )
    body = await upload_ok(client, "old.csv", (FIXTURES / "shopify_customers_legacy.csv").read_bytes())
    assert body["customers"] == {"created": 1, "updated": 1, "unchanged": 0}
    priya = await by_external_id(session, "c-own-7")
    assert priya is not None and priya.city == "Kochi"
    assert await by_external_id(session, "shopify:priya.nair@example.com") is None


async def test_shopify_orders_export_groups_line_items_and_links_by_email(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await upload_ok(client, "c.csv", (FIXTURES / "shopify_customers_current.csv").read_bytes())
    body = await upload_ok(client, "orders.csv", (FIXTURES / "shopify_orders.csv").read_bytes())
    assert body["layout"] == "shopify_orders"
    assert body["orders"] == {"created": 3, "updated": 0, "unchanged": 0}, body
    assert body["rejected"] == []
    order = await session.scalar(select(Order).where(Order.external_id == "shopify-order:5550001"))
    assert order is not None and order.amount_minor == 179800 and order.status == "paid"
    items = (await session.scalars(select(OrderItem).where(OrderItem.order_id == order.id))).all()
    assert sorted((i.category or "", i.quantity) for i in items) == [("Kajal", 1), ("Lipstick", 1)]
    # An order from an email we have never seen creates the customer from its billing details.
    meera = await by_external_id(session, "shopify:new.buyer@example.com")
    assert meera is not None and (meera.name, meera.city) == ("Meera Joshi", "Pune")
    # The refunded order counts nowhere in Rohan's spend.
    rohan = await by_external_id(session, "shopify:rohan.mehta@example.com")
    assert rohan is not None
    stats = await session.get(CustomerStats, rohan.id)
    assert stats is not None and (stats.order_count, stats.total_spent_minor) == (0, 0)
    replay = await upload_ok(client, "orders.csv", (FIXTURES / "shopify_orders.csv").read_bytes())
    assert replay["orders"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert await session.scalar(select(func.count()).select_from(OrderItem)) == 4


async def test_malformed_orders_csv_reports_lines_and_writes_no_half_orders(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await client.post("/api/ingest", json={"customers": [{"external_id": "c-csv-1"}]})
    body = await upload_ok(client, "orders.csv", (FIXTURES / "reach_orders_malformed.csv").read_bytes())
    assert body["orders"] == {"created": 1, "updated": 0, "unchanged": 0}
    rejected = {r["external_id"]: r for r in body["rejected"]}
    assert set(rejected) == {"o-bad-date", "o-negative", "o-bad-item", "o-unknown"}
    assert rejected["o-bad-date"]["line"] == 4 and rejected["o-bad-date"]["errors"][0].startswith("ordered_at")
    assert rejected["o-negative"]["line"] == 5 and rejected["o-negative"]["errors"][0].startswith("amount")
    assert rejected["o-bad-item"]["line"] == 6
    assert rejected["o-bad-item"]["errors"][0].startswith("line 7: items.1.quantity")
    assert rejected["o-unknown"]["line"] == 8
    stored = (await session.scalars(select(Order.external_id))).all()
    assert stored == ["o-good"]
    assert await session.scalar(select(func.count()).select_from(OrderItem)) == 2


async def test_missing_required_header_is_a_422_and_stores_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    response = await upload(client, "o.csv", b"external_id,ordered_at,amount\no-1,2026-01-01,10\n", kind="orders")
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "file"] and "customer_external_id" in detail["msg"]
    empty = await upload(client, "e.csv", b"")
    assert empty.status_code == 422 and "empty" in empty.json()["detail"][0]["msg"]
    not_utf8 = await upload(client, "x.csv", b"external_id,name\xff\nc-1,Asha\n")
    assert not_utf8.status_code == 422 and "line 1 (the header)" in not_utf8.json()["detail"][0]["msg"]
    assert await session.scalar(select(func.count()).select_from(Customer)) == 0


async def test_large_csv_streams_across_chunks(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await client.post("/api/ingest", json={"customers": [{"external_id": "big"}]})
    lines = ["external_id,customer_external_id,ordered_at,amount,item_name,item_category,item_unit_price"]
    for n in range(2500):  # more rows than one chunk; every order has two item lines
        lines.append(f"o-{n},big,2026-01-01T00:00:00Z,20,Lipstick {n},Lipstick,10")
        lines.append(f"o-{n},,,,Kajal {n},Kajal,10")
    body = await upload_ok(client, "big.csv", "\n".join(lines).encode())
    assert body["orders"] == {"created": 2500, "updated": 0, "unchanged": 0} and body["rejected"] == []
    assert await session.scalar(select(func.count()).select_from(OrderItem)) == 5000
    stats = await session.scalar(select(CustomerStats).join(Customer).where(Customer.external_id == "big"))
    assert stats is not None and stats.order_count == 2500 and stats.total_spent_minor == 2500 * 2000

"""The field-values vocabulary behind list_fields / field_values is built once per data version:
reused while customers and orders are unchanged, rebuilt as soon as either changes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from reach_factories import customer, order
from sqlalchemy.ext.asyncio import AsyncSession

from crm.agent import field_vocabulary
from crm.agent.tools import ToolContext, run_tool
from crm.models import Customer
from crm.segments.schemas import FieldsRead
from crm.segments.service import SegmentService


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how often the values are really built."""
    field_vocabulary.forget()
    calls: list[int] = []
    original = SegmentService.fields

    async def counted(self: SegmentService, with_values: bool = True) -> FieldsRead:
        calls.append(1)
        return await original(self, with_values)

    monkeypatch.setattr(SegmentService, "fields", counted)
    return calls


async def values(session: AsyncSession, field: str) -> list[Any]:
    result = await run_tool(ToolContext(session), "field_values", {"field": field})
    return sorted(result["values"])


async def ingest(client: httpx.AsyncClient, customers: list[dict[str, Any]], orders: list[dict[str, Any]]) -> None:
    response = await client.post("/api/ingest", json={"customers": customers, "orders": orders})
    assert response.status_code < 300, response.text


async def test_values_are_reused_until_the_data_changes(
    client: httpx.AsyncClient, session: AsyncSession, builds: list[int]
) -> None:
    asha = customer(city="Pune")
    await ingest(client, [asha], [order(asha["external_id"])])
    assert await values(session, "city") == ["Pune"]
    listed = await run_tool(ToolContext(session), "list_fields", {})
    assert next(f["values"] for f in listed["fields"] if f["name"] == "city") == ["Pune"]
    assert await values(session, "category") == ["Lipstick"]
    assert len(builds) == 1  # three calls, one build

    ravi = customer(city="Surat")
    await ingest(client, [ravi], [])
    assert await values(session, "city") == ["Pune", "Surat"]  # a new customer
    await ingest(client, [{**asha, "city": "Nagpur"}], [])
    assert await values(session, "city") == ["Nagpur", "Surat"]  # an edited customer, same count
    kajal = {"sku": "K-1", "name": "Kohl Of Honour", "category": "Kajal", "quantity": 1, "unit_price": 299.0}
    await ingest(client, [], [order(ravi["external_id"], items=[kajal], amount=299.0)])
    assert await values(session, "category") == ["Kajal", "Lipstick"]  # a new order
    assert len(builds) == 4
    assert await values(session, "product") == ["Kohl Of Honour", "Matte Lipstick - Rose"]
    assert len(builds) == 4


async def test_a_rolled_back_change_is_not_served_from_the_cache(
    client: httpx.AsyncClient, session: AsyncSession, builds: list[int]
) -> None:
    await ingest(client, [customer(city="Pune")], [])
    assert await values(session, "city") == ["Pune"]
    async with session.begin_nested() as savepoint:
        session.add(Customer(external_id="tmp-1", city="Kochi"))
        await session.flush()
        assert await values(session, "city") == ["Kochi", "Pune"]
        await savepoint.rollback()
    assert await values(session, "city") == ["Pune"]
    assert len(builds) == 3

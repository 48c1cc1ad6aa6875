from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from reach_factories import customer, order

from crm.segments.service import EXPORT_PAGE_SIZE

LIPSTICK_LAPSED = {
    "match": "all",
    "conditions": [
        {"field": "last_order_days_ago", "op": "gt", "value": 60},
        {"field": "category", "op": "in", "value": ["Lipstick"]},
    ],
}


async def seed(client: httpx.AsyncClient) -> None:
    lapsed = customer(name='=HYPERLINK("http://evil")', city="Pune")
    recent = customer(city="Mumbai")
    await client.post(
        "/api/ingest",
        json={
            "customers": [lapsed, recent],
            "orders": [
                order(lapsed["external_id"], ordered_at="2025-01-01T00:00:00Z"),
                order(recent["external_id"], ordered_at="2099-01-01T00:00:00Z"),
            ],
        },
    )


async def test_preview_counts_samples_and_explains(client: httpx.AsyncClient) -> None:
    await seed(client)
    response = await client.post("/api/segments/preview", json={"filter": LIPSTICK_LAPSED})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["count"] == 1
    assert body["sample"][0]["city"] == "Pune"
    assert body["explanation"] == ("customers whose last order was more than 60 days ago and who bought Lipstick")


@pytest.mark.parametrize(
    ("bad_filter", "path", "reason"),
    [
        (
            {"conditions": [{"field": "shoe_size", "op": "eq", "value": 5}]},
            "conditions[0].field",
            "unknown field",
        ),
        ({"conditions": [{"field": "city", "op": "gt", "value": "x"}]}, "conditions[0].op", "does not apply"),
        (
            {"conditions": [{"field": "age", "op": "gt", "value": "old"}]},
            "conditions[0].value",
            "takes a number",
        ),
        (
            {"conditions": [{"field": "city", "op": "in", "value": []}]},
            "conditions[0].value",
            "non-empty list",
        ),
        (
            {
                "conditions": [
                    {"field": "city", "op": "eq", "value": "x"},
                    {"match": "any", "conditions": [{"field": "tags", "op": "gt", "value": 1}]},
                ]
            },
            "conditions[1].conditions[0].op",
            "does not apply",
        ),
        (
            {"conditions": [{"field": "city", "op": "eq", "value": "x", "within_days": 3}]},
            "conditions[0].within_days",
            "applies to category, product, engagement",
        ),
        (
            {"conditions": [{"field": "age", "op": "between", "value": [40, 20]}]},
            "conditions[0].value",
            "low <= high",
        ),
        (
            {"conditions": [{"field": "reachable_on", "op": "eq", "value": "pigeon"}]},
            "conditions[0].value",
            "unknown channel",
        ),
        ({"match": "some", "conditions": []}, "match", "all, any or none"),
    ],
)
async def test_bad_filters_name_the_path_and_the_reason(
    client: httpx.AsyncClient, bad_filter: dict[str, Any], path: str, reason: str
) -> None:
    response = await client.post("/api/segments/preview", json={"filter": bad_filter})
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert path in message and reason in message, message


async def test_depth_and_size_limits(client: httpx.AsyncClient) -> None:
    node: dict[str, Any] = {"field": "city", "op": "eq", "value": "Pune"}
    for _ in range(5):
        node = {"match": "all", "conditions": [node]}
    five_deep = await client.post("/api/segments/preview", json={"filter": node})
    assert five_deep.status_code == 200
    deep = await client.post("/api/segments/preview", json={"filter": {"conditions": [node]}})
    assert deep.status_code == 422 and "5 deep" in deep.json()["detail"][0]["msg"]
    wide = {"conditions": [{"field": "city", "op": "eq", "value": "Pune"}] * 51}
    too_many = await client.post("/api/segments/preview", json={"filter": wide})
    assert too_many.status_code == 422 and "conditions[50]" in too_many.json()["detail"][0]["msg"]
    ok = await client.post("/api/segments/preview", json={"filter": {"conditions": wide["conditions"][:50]}})
    assert ok.status_code == 200


async def test_saved_segments_crud_and_duplicate_names(client: httpx.AsyncClient) -> None:
    await seed(client)
    created = await client.post("/api/segments", json={"name": "Lapsed lipstick", "filter": LIPSTICK_LAPSED})
    assert created.status_code == 201, created.text
    segment = created.json()
    assert segment["count"] == 1 and segment["explanation"].startswith("customers whose last order")
    duplicate = await client.post("/api/segments", json={"name": "Lapsed lipstick", "filter": LIPSTICK_LAPSED})
    assert duplicate.status_code == 409 and "already exists" in duplicate.json()["detail"]
    listed = (await client.get("/api/segments")).json()
    assert [s["name"] for s in listed] == ["Lapsed lipstick"]
    fetched = (await client.get(f"/api/segments/{segment['id']}")).json()
    assert fetched["filter"] == LIPSTICK_LAPSED
    assert (await client.delete(f"/api/segments/{segment['id']}")).status_code == 204
    assert (await client.get(f"/api/segments/{segment['id']}")).status_code == 404


async def test_a_segment_that_drafts_follow_cannot_be_deleted(client: httpx.AsyncClient) -> None:
    """Deleting it would leave the drafts with no audience (once: everyone), so it is refused."""
    await seed(client)
    segment = (await client.post("/api/segments", json={"name": "Followed", "filter": LIPSTICK_LAPSED})).json()
    message = {"body": "Hi {{ name }}"}
    campaign = (
        await client.post(
            "/api/campaigns",
            json={"name": "Win back", "segment_id": segment["id"], "channel": "sms", "message": message},
        )
    ).json()
    step = {"channel": "sms", "body": "Hi", "delay": {"value": 0, "unit": "hours"}, "condition": "always"}
    sequence = (
        await client.post("/api/sequences", json={"name": "Drip", "segment_id": segment["id"], "steps": [step]})
    ).json()

    refused = await client.delete(f"/api/segments/{segment['id']}")
    assert refused.status_code == 409
    assert "campaign “Win back”" in refused.json()["detail"] and "sequence “Drip”" in refused.json()["detail"]
    assert (await client.get(f"/api/segments/{segment['id']}")).status_code == 200
    assert (await client.get(f"/api/campaigns/{campaign['id']}")).json()["audience_count"] == 1

    # Launching freezes a copy of the audience; then the segment can go.
    for launched in (
        await client.post(f"/api/campaigns/{campaign['id']}/launch"),
        await client.post(f"/api/sequences/{sequence['id']}/launch"),
    ):
        assert launched.status_code == 200, launched.text
    deleted = await client.delete(f"/api/segments/{segment['id']}")
    assert deleted.status_code == 204, deleted.text
    after = (await client.get(f"/api/campaigns/{campaign['id']}")).json()
    assert after["filter"] == LIPSTICK_LAPSED and after["audience_count"] == 1


async def test_export_streams_csv_safely_and_json(client: httpx.AsyncClient) -> None:
    await seed(client)
    segment = (await client.post("/api/segments", json={"name": "Everyone", "filter": {"conditions": []}})).json()
    response = await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 2
    names = {r["name"] for r in rows}
    assert '\'=HYPERLINK("http://evil")' in names  # formula neutralised
    as_json = await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "json"})
    assert sorted(c["city"] for c in as_json.json()) == ["Mumbai", "Pune"]


async def test_export_pages_past_the_first_page(client: httpx.AsyncClient) -> None:
    """More members than one export page: every member exactly once, in id order, both formats."""
    members = [customer(city="Pune") for _ in range(EXPORT_PAGE_SIZE + 3)]
    others = [customer(city="Mumbai") for _ in range(2)]
    ingested = await client.post("/api/ingest", json={"customers": members + others, "orders": []})
    assert ingested.status_code == 200, ingested.text
    pune = {"conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
    segment = (await client.post("/api/segments", json={"name": "Pune", "filter": pune})).json()
    assert segment["count"] == len(members)
    as_csv = await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    ids = [int(r["id"]) for r in rows]
    assert ids == sorted(set(ids)) and len(ids) == len(members)
    assert {r["external_id"] for r in rows} == {m["external_id"] for m in members}
    as_json = (await client.get(f"/api/segments/{segment['id']}/customers", params={"format": "json"})).json()
    assert [c["id"] for c in as_json] == ids


async def test_fields_list_types_operators_and_values_in_the_data(client: httpx.AsyncClient) -> None:
    await seed(client)
    body = (await client.get("/api/segments/fields")).json()
    fields = {f["name"]: f for f in body["fields"]}
    required = {
        "city",
        "state",
        "gender",
        "age",
        "tags",
        "signed_up_days_ago",
        "total_spent",
        "order_count",
        "avg_order_value",
        "last_order_days_ago",
        "first_order_days_ago",
        "category",
        "product",
        "reachable_on",
    }
    assert required <= set(fields)
    assert {v["value"] for v in fields["city"]["values"]} == {"Pune", "Mumbai"}
    assert fields["category"]["values"][0] == {"value": "Lipstick", "count": 2}
    assert fields["category"]["within_days"] is True
    assert "between" in fields["total_spent"]["operators"] and "contains" not in fields["total_spent"]["operators"]
    assert fields["age"]["values"] is None

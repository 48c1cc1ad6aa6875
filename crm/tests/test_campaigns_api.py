from __future__ import annotations

from typing import Any

import httpx
from reach_auth import TEST_EMAIL
from reach_factories import customer, order
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from crm.models import Communication

PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}


async def seed_people(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    people = [
        customer(city="Pune", name="Asha Rao"),
        customer(city="Pune", name=None, phone=None),  # no phone: suppressed for WhatsApp
        customer(city="Pune", consent={"whatsapp": False, "email": True}),  # no consent
        customer(city="Pune"),
        customer(city="Delhi"),
    ]
    await client.post(
        "/api/ingest",
        json={
            "customers": people,
            "orders": [order(people[0]["external_id"]), order(people[3]["external_id"])],
        },
    )
    return people


def draft(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pune win-back",
        "filter": PUNE,
        "channel": "whatsapp",
        "message": {
            "body": 'Hi {{ name | default: "there" }}, your {{ last_item | default: "favourite" }} misses you!'
        },
        "channel_reason": "most of the audience reads WhatsApp",
    }
    body.update(overrides)
    return body


async def test_draft_preview_and_launch(client: httpx.AsyncClient, session: AsyncSession) -> None:
    await seed_people(client)
    created = await client.post("/api/campaigns", json=draft())
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["status"] == "draft" and campaign["audience_count"] == 4
    assert campaign["created_by"] == "user" and campaign["template_variables"] == ["name", "last_item"]
    assert campaign["explanation"] == "customers who live in Pune"
    assert await session.scalar(select(func.count()).select_from(Communication)) == 0

    preview = (await client.get(f"/api/campaigns/{campaign['id']}/preview")).json()
    assert (preview["audience_count"], preview["reachable"]) == (4, 2)
    assert preview["suppressed"] == {"no_contact": 1, "no_consent": 1}
    bodies = [s["body"] for s in preview["samples"]]
    assert bodies[0] == "Hi Asha Rao, your Matte Lipstick - Rose misses you!"
    assert preview["missing_variable_counts"] == {"name": 0, "last_item": 0}

    launched = await client.post(f"/api/campaigns/{campaign['id']}/launch", json={"launched_by": "priya@sugar"})
    assert launched.status_code == 200, launched.text
    body = launched.json()
    assert body["status"] == "running" and body["queued"] == 2
    assert body["suppressed"] == {"no_contact": 1, "no_consent": 1}
    assert body["launched_by"] == TEST_EMAIL  # the signed-in operator, whatever the body says
    rows = (await session.scalars(select(Communication))).all()
    assert len(rows) == 2 and {r.state for r in rows} == {"queued"}
    assert all(r.communication_id.endswith(f"-{r.customer_id}") for r in rows)

    again = await client.post(f"/api/campaigns/{campaign['id']}/launch")
    assert again.status_code == 409
    assert await session.scalar(select(func.count()).select_from(Communication)) == 2
    edit = await client.patch(f"/api/campaigns/{campaign['id']}", json={"name": "renamed"})
    assert edit.status_code == 409 and "only drafts" in edit.json()["detail"]


async def test_templates_are_checked_at_draft_time(client: httpx.AsyncClient) -> None:
    unknown = await client.post("/api/campaigns", json=draft(message={"body": "Hi {{ nickname }}"}))
    assert unknown.status_code == 422
    assert unknown.json()["detail"][0]["loc"] == ["body", "message", "body"]
    assert "nickname" in unknown.json()["detail"][0]["msg"]
    broken = await client.post("/api/campaigns", json=draft(message={"body": "Hi {{ name "}))
    assert broken.status_code == 422
    no_subject = await client.post("/api/campaigns", json=draft(channel="email"))
    assert no_subject.status_code == 422 and no_subject.json()["detail"][0]["loc"][-1] == "subject"
    both = await client.post("/api/campaigns", json=draft(segment_id=1))
    assert both.status_code == 422
    missing_segment = await client.post("/api/campaigns", json={**draft(filter=None), "segment_id": 999})
    assert missing_segment.status_code == 422 and "999" in missing_segment.json()["detail"][0]["msg"]


async def test_drafts_are_editable_and_follow_their_segment_until_launch(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await seed_people(client)
    segment = (await client.post("/api/segments", json={"name": "Pune", "filter": PUNE})).json()
    campaign = (await client.post("/api/campaigns", json={**draft(filter=None), "segment_id": segment["id"]})).json()
    patched = await client.patch(
        f"/api/campaigns/{campaign['id']}",
        json={"channel": "email", "message": {"subject": "For you, {{ first_name }}", "body": "Hello!"}},
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["channel"] == "email" and patched.json()["message"]["subject"].startswith("For you")
    launched = (await client.post(f"/api/campaigns/{campaign['id']}/launch")).json()
    assert launched["queued"] == 4  # email: every Pune customer has an address and consent
    assert launched["filter"] == PUNE
    listed = (await client.get("/api/campaigns")).json()
    assert [c["id"] for c in listed] == [campaign["id"]]


async def test_stats_of_a_fresh_launch_and_unknown_campaign(client: httpx.AsyncClient) -> None:
    await seed_people(client)
    campaign = (await client.post("/api/campaigns", json=draft())).json()
    await client.post(f"/api/campaigns/{campaign['id']}/launch")
    stats = (await client.get(f"/api/campaigns/{campaign['id']}/stats")).json()
    assert stats["audience"] == 4
    assert stats["queue"] == {"queued": 2, "claimed": 0, "dispatched": 0, "failed": 0}
    assert stats["funnel"] == dict.fromkeys(
        ["sent", "delivered", "opened", "read", "clicked", "converted", "failed"], 0
    )
    assert stats["revenue"] == 0
    assert (await client.get("/api/campaigns/999/stats")).status_code == 404

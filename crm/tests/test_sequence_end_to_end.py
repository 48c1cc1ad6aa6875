"""A 3-step sequence over 1,000 contacts against the real channel service on loopback: launch →
dispatcher → channel simulator (customer behaviour at 1,000,000× speed, duplicate callbacks) →
signed receipts → conditions at each step's due time. The CRM plays hours at 3600× (an hour per
second). Per-step counts — entered, sent, skipped by condition, cancelled by an exit, the funnel —
and the enrollments' outcomes must equal what the channel service's own event log implies.

People who match the audience after launch are enrolled by the CRM's periodic enrollment (started in
its lifespan), on the version current when they join."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from reach_auth import bearer_for
from reach_databases import fresh_database_url
from reach_factories import customer
from reach_loopback import channel_events, fast_channel_settings, loopback_crm_settings
from reach_servers import RunningServer, bind_loopback, serve, url_of, wait_until

from channel_service.main import create_app as create_channel_app
from crm.config import DEV_WEBHOOK_SECRET
from crm.dispatch.channel_client import admin_headers
from crm.main import create_app

AT_LAUNCH, JOIN_LATER = 990, 10
HOURS_BETWEEN_STEPS = 4  # 4 s real at 3600×: receipts (well under a second) are in by each due time
PUNE = {"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"}]}
STEPS: list[dict[str, Any]] = [
    {"channel": "whatsapp", "body": "Hi {{ first_name }}, we miss you!"},
    {
        "channel": "email",
        "delay": {"value": HOURS_BETWEEN_STEPS, "unit": "hours"},
        "condition": "if_not_opened_or_read",
        "subject": "Still thinking, {{ first_name }}?",
        "body": "Your favourites are waiting.",
    },
    {
        "channel": "sms",
        "delay": {"value": HOURS_BETWEEN_STEPS, "unit": "hours"},
        "condition": "if_not_converted",
        "body": "20% off today only: SUGAR20",
    },
]
# The channel service's lifecycle per channel (crm.messages.lifecycle): a stage counts as reached
# when it, or any stage after it on the path, is in the log.
PATHS = {
    "whatsapp": ("sent", "delivered", "read", "clicked", "converted"),
    "email": ("sent", "delivered", "opened", "clicked", "converted"),
    "sms": ("sent", "delivered", "clicked", "converted"),
}
FUNNEL = ("sent", "delivered", "opened", "read", "clicked", "converted", "failed")


@dataclass
class Stack:
    crm: httpx.AsyncClient
    channel: httpx.AsyncClient


@pytest.fixture
async def stack(backend: str, tmp_path: Path) -> AsyncIterator[Stack]:
    database_url = await fresh_database_url(backend, tmp_path, name="seq_e2e")
    channel_app = create_channel_app(fast_channel_settings(sim_seed=8, sim_duplicate_rate=0.05))
    servers: list[RunningServer] = [await serve(channel_app)]
    crm_socket = bind_loopback()
    crm_app = create_app(
        loopback_crm_settings(
            database_url,
            servers[0].url,
            url_of(crm_socket),
            run_dispatcher=True,
            dispatch_batch_size=250,
            sim_time_scale=3600.0,
            sequence_enroll_interval_seconds=0.5,
        )
    )
    servers.append(await serve(crm_app, crm_socket))
    headers = await bearer_for(database_url)
    async with (
        httpx.AsyncClient(base_url=servers[1].url, timeout=30, headers=headers) as crm_http,
        httpx.AsyncClient(
            base_url=servers[0].url, timeout=30, headers=admin_headers(DEV_WEBHOOK_SECRET)
        ) as channel_http,
    ):
        yield Stack(crm_http, channel_http)
    for server in reversed(servers):
        await server.stop()


async def event_log(channel: httpx.AsyncClient, sequence_uid: str) -> dict[str, list[dict[str, Any]]]:
    """The channel service's unique events for this sequence's messages, by communication_id."""
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for e in await channel_events(channel, sequence_uid):
        events[e["communication_id"]].append(e)
    return events


async def all_customers(crm: httpx.AsyncClient) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = (await crm.get("/api/customers", params=params)).json()
        found += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return found


@dataclass
class Truth:
    """What the event log implies, step by step."""

    steps: list[Counter[str]] = field(default_factory=lambda: [Counter() for _ in STEPS])
    enrollments: Counter[str] = field(default_factory=Counter)
    revenue: float = 0.0

    def reached(self, index: int, types: set[str]) -> None:
        path = PATHS[STEPS[index]["channel"]]
        counts = self.steps[index]
        for position, stage in enumerate(path):
            later = set(path[position:]) | ({"failed"} if stage == "sent" else set())
            counts[stage] += bool(types & later)
        counts["failed"] += "failed" in types


def implied(log: dict[str, list[dict[str, Any]]], sequence_uid: str, customer_ids: list[int]) -> Truth:
    """Replays the sequence's rules (exit on conversion, then each step's condition) on the log."""
    truth = Truth()
    for customer_id in customer_ids:
        seen: set[str] = set()  # event types of this contact's earlier steps
        status = "completed"
        for index, step in enumerate(STEPS):
            counts = truth.steps[index]
            counts["entered"] += 1
            if "converted" in seen:
                counts["cancelled"] += 1
                status = "exited_converted"
                break
            condition = step.get("condition", "always")
            if condition == "if_not_opened_or_read" and seen & {"opened", "read"}:
                counts["skipped"] += 1
                continue
            events = log.get(f"{sequence_uid}-{customer_id}-s{index}", [])
            assert events, f"step {index} for customer {customer_id} was sent but the log has nothing"
            counts["dispatched"] += 1
            types = {e["type"] for e in events}
            truth.reached(index, types)
            truth.revenue += sum(e["value"] for e in events if e["type"] == "converted")
            seen |= types
        truth.enrollments[status] += 1
    return truth


async def test_a_three_step_sequence_over_1000_contacts_matches_the_channel_services_event_log(
    stack: Stack,
) -> None:
    consent = {"email": True, "sms": True, "whatsapp": True, "rcs": True}
    people = [customer(city="Pune", consent=consent) for _ in range(AT_LAUNCH + JOIN_LATER)]
    outsider = customer(city="Mumbai", consent=consent)
    ingested = await stack.crm.post("/api/ingest", json={"customers": [*people[:AT_LAUNCH], outsider]})
    assert ingested.status_code == 200
    created = await stack.crm.post("/api/sequences", json={"name": "e2e win-back", "filter": PUNE, "steps": STEPS})
    assert created.status_code == 201, created.text
    sequence = created.json()
    assert sequence["audience_count"] == AT_LAUNCH
    launched = await stack.crm.post(f"/api/sequences/{sequence['id']}/launch")
    assert launched.status_code == 200

    # An edit while live (version 2), then newcomers: they join on version 2, the rest stay on 1.
    edited = [*STEPS[:2], {**STEPS[2], "body": "25% off today only: SUGAR25"}]
    patched = await stack.crm.patch(f"/api/sequences/{sequence['id']}", json={"steps": edited})
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert (await stack.crm.post("/api/ingest", json={"customers": people[AT_LAUNCH:]})).status_code == 200

    async def stats() -> dict[str, Any]:
        body: dict[str, Any] = (await stack.crm.get(f"/api/sequences/{sequence['id']}/stats")).json()
        return body

    async def settled() -> bool:
        crm = await stats()
        channel = (await stack.channel.get("/v1/stats")).json()
        return (
            sum(crm["enrollments"].values()) == AT_LAUNCH + JOIN_LATER
            and "active" not in crm["enrollments"]
            and channel["in_flight"] == 0
            and channel["queue_depth"] == 0
            and channel["callbacks_pending"]["events"] == 0
            and channel["callback_events_sent"] == channel["events_emitted"] + channel["duplicates_injected"]
        )

    await wait_until(settled, seconds=180, every=0.25)
    result = await stats()
    assert result["by_version"] == {"1": AT_LAUNCH, "2": JOIN_LATER}
    channel_stats = (await stack.channel.get("/v1/stats")).json()
    assert channel_stats["duplicates_injected"] > 0 and channel_stats["dead_letters"]["batches"] == 0

    pune_ids = sorted(c["id"] for c in await all_customers(stack.crm) if c["city"] == "Pune")
    assert len(pune_ids) == AT_LAUNCH + JOIN_LATER
    truth = implied(await event_log(stack.channel, sequence["uid"]), sequence["uid"], pune_ids)

    assert result["enrollments"] == dict(truth.enrollments)
    for step, expected in zip(result["steps"], truth.steps, strict=True):
        measured = {k: step[k] for k in ("entered", "skipped", "cancelled")} | {"dispatched": step["sent"]}
        assert measured == {k: expected[k] for k in ("entered", "skipped", "cancelled", "dispatched")}
        assert step["waiting"] == 0
        assert step["funnel"] == {stage: expected[stage] for stage in FUNNEL}
    assert result["revenue"] == pytest.approx(truth.revenue)

    # The run exercised each branch: reads skip step 2, WhatsApp buyers exit before it, the rest go on.
    first, second, third = truth.steps
    assert first["entered"] == AT_LAUNCH + JOIN_LATER and first["dispatched"] == first["entered"]
    assert second["skipped"] > 0 and second["dispatched"] > 0 and second["cancelled"] > 0
    assert third["entered"] == second["skipped"] + second["dispatched"] and third["dispatched"] > 0

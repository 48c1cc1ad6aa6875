"""An experiment through both real services on loopback: 2 variants, a 20 % holdout, winner mode.
The holdout gets no message, the arms and the set-aside groups add up to the reachable audience,
each variant's funnel is its own messages', and the decision sends the rest only the winner."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

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
from crm.experiments.assignment import arm_of, in_holdout, in_test_share
from crm.main import create_app

AUDIENCE = 500


@pytest.fixture
async def stack(backend: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    database_url = await fresh_database_url(backend, tmp_path, name="experiments")
    channel = await serve(create_channel_app(fast_channel_settings(sim_seed=5, sim_duplicate_rate=0.05)))
    crm_socket = bind_loopback()
    crm_app = create_app(loopback_crm_settings(database_url, channel.url, url_of(crm_socket), run_dispatcher=True))
    crm: RunningServer = await serve(crm_app, crm_socket)
    headers = await bearer_for(database_url)
    async with (
        httpx.AsyncClient(base_url=crm.url, timeout=30, headers=headers) as crm_http,
        httpx.AsyncClient(base_url=channel.url, timeout=30, headers=admin_headers(DEV_WEBHOOK_SECRET)) as channel_http,
    ):
        yield crm_http, channel_http
    for server in (crm, channel):
        await server.stop()


async def all_customer_ids(crm: httpx.AsyncClient) -> list[int]:
    ids: list[int] = []
    cursor = None
    while True:
        page = (await crm.get("/api/customers", params={"limit": 500, **({"cursor": cursor} if cursor else {})})).json()
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return ids


async def messaged_by_channel_service(channel: httpx.AsyncClient, uid: str) -> list[int]:
    sent = {e["communication_id"] for e in await channel_events(channel, uid) if e["type"] == "sent"}
    return sorted(int(cid.rsplit("-", 1)[1]) for cid in sent)


async def test_variants_holdout_and_winner_mode_through_both_services(
    stack: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    crm, channel = stack
    people = [
        customer(city="Nashik", consent={"email": True, "sms": True, "whatsapp": True, "rcs": False})
        for _ in range(AUDIENCE)
    ]
    assert (await crm.post("/api/ingest", json={"customers": people})).status_code == 200
    customers = await all_customer_ids(crm)
    created = await crm.post(
        "/api/campaigns",
        json={
            "name": "Two versions, a holdout, a winner",
            "channel": "whatsapp",
            "filter": {"conditions": [{"field": "city", "op": "eq", "value": "Nashik"}]},
            "variants": [
                {"name": "A", "message": {"body": "Hi {{ first_name }}, your kajal is back"}},
                {"name": "B", "message": {"body": "{{ first_name }}, 20% off your next kajal"}},
            ],
            "holdout_percent": 20,
            "winner": {"metric": "click_rate", "test_percent": 30, "decide_after_hours": 720},
        },
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert [v["name"] for v in campaign["variants"]] == ["A", "B"] and campaign["holdout_percent"] == 20
    cid = campaign["id"]
    launched = (await crm.post(f"/api/campaigns/{cid}/launch")).json()

    holdout = [c for c in customers if in_holdout(cid, c, 20)]
    tested = [c for c in customers if not in_holdout(cid, c, 20) and in_test_share(cid, c, 30)]
    rest = [c for c in customers if not in_holdout(cid, c, 20) and not in_test_share(cid, c, 30)]
    assert 60 < len(holdout) < 140 and tested and rest
    assert launched["queued"] == len(tested)
    assert launched["winner"]["decided_at"] is None

    async def dispatched(expected: int) -> bool:
        stats = (await crm.get(f"/api/campaigns/{cid}/stats")).json()
        truth = await messaged_by_channel_service(channel, campaign["uid"])
        return stats["queue"]["dispatched"] == expected and len(truth) == expected

    await wait_until(lambda: dispatched(len(tested)), seconds=90)
    stats = (await crm.get(f"/api/campaigns/{cid}/stats")).json()
    assert stats["status"] == "running"  # the rest still waits for the winner
    assert stats["holdout"]["customers"] == len(holdout)
    assert stats["messaged"]["customers"] == len(tested) + len(rest)
    assert stats["holdout"]["customers"] + stats["messaged"]["customers"] == AUDIENCE
    arms = {v["name"]: v for v in stats["variants"]}
    assert sum(v["recipients"] for v in arms.values()) == len(tested)
    expected_arms = Counter("AB"[arm_of(cid, c, 2)] for c in tested)
    assert {name: v["recipients"] for name, v in arms.items()} == dict(expected_arms)
    for stage in ("sent", "delivered", "read", "clicked"):
        assert sum(v["funnel"][stage] for v in arms.values()) == stats["funnel"][stage]
    assert stats["lift"]["method"].startswith("Newcombe") and stats["lift"]["ci95"] is not None
    assert stats["order_attribution"]["orders"] == 0  # no storefront here: no orders at all

    decided = await crm.post(f"/api/campaigns/{cid}/decide-winner")
    assert decided.status_code == 200, decided.text
    winner = decided.json()["winner"]["winner"]
    assert winner in ("A", "B")
    assert (await crm.post(f"/api/campaigns/{cid}/decide-winner")).status_code == 409

    await wait_until(lambda: dispatched(len(tested) + len(rest)), seconds=90)
    truth = await messaged_by_channel_service(channel, campaign["uid"])
    assert set(truth) == set(tested) | set(rest)
    assert not set(truth) & set(holdout)  # the holdout got 0 messages
    final = (await crm.get(f"/api/campaigns/{cid}/stats")).json()
    arms_after = {v["name"]: v["recipients"] for v in final["variants"]}
    loser = "B" if winner == "A" else "A"
    assert arms_after[loser] == expected_arms[loser]  # the rest went to the winner only
    assert arms_after[winner] == expected_arms[winner] + len(rest)
    assert sum(arms_after.values()) + final["holdout"]["customers"] == AUDIENCE
    assert next(v for v in final["variants"] if v["name"] == winner)["winner"]

    audit = (await crm.get("/api/audit", params={"entity_type": "campaign", "entity_id": cid})).json()
    decision = next(e for e in audit if e["action"] == "experiment_decided")
    assert decision["details"]["rule"] == "Bayesian probability of being best"
    assert decision["details"]["winner"] == winner and decision["details"]["rest_queued"] == len(rest)
    assert [a["recipients"] for a in decision["details"]["arms"]] == [expected_arms["A"], expected_arms["B"]]
    assert abs(sum(a["probability_best"] for a in decision["details"]["arms"]) - 1) < 1e-3

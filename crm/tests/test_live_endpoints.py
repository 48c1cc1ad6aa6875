"""Endpoints that talk over real sockets: the stats SSE stream and the delivery-status proxy."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from reach_auth import bearer_for
from reach_databases import fresh_database_url
from reach_factories import customer
from reach_receipts import make_communications
from reach_servers import serve

from channel_service.config import Settings as ChannelSettings
from channel_service.main import create_app as create_channel_app
from crm.config import DEV_WEBHOOK_SECRET, Settings
from crm.main import create_app
from crm.signing import signed_headers


async def test_stats_stream_pushes_a_new_event_when_receipts_land(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url(backend, tmp_path, name="sse")
    crm = await serve(
        create_app(
            Settings(
                database_url=url,
                run_dispatcher=False,
                run_migrations_on_startup=False,
                channel_service_url="http://127.0.0.1:9",
                web_dist_dir="/nonexistent",
            )
        )
    )
    try:
        async with httpx.AsyncClient(base_url=crm.url, timeout=20, headers=await bearer_for(url)) as http:
            await http.post("/api/ingest", json={"customers": [customer(city="Pune")]})
            maker = crm.server.config.app.state.sessionmaker  # type: ignore[attr-defined]
            async with maker() as session, session.begin():
                (row,) = await make_communications(session, 1)
                cid, campaign_id = row.communication_id, row.campaign_id
            async with http.stream("GET", f"/api/campaigns/{campaign_id}/stats/stream", params={"interval": 0.2}) as s:
                assert s.headers["content-type"].startswith("text/event-stream")
                seen: list[dict[str, object]] = []
                async for line in s.aiter_lines():
                    if not line.startswith("data: "):
                        continue
                    seen.append(json.loads(line[6:]))
                    if len(seen) == 1:
                        assert seen[0]["funnel"]["delivered"] == 0  # type: ignore[index]
                        body = json.dumps(
                            {
                                "events": [
                                    {
                                        "event_id": "e1",
                                        "communication_id": cid,
                                        "type": "delivered",
                                        "occurred_at": "2026-11-01T10:00:00+00:00",
                                    }
                                ]
                            }
                        ).encode()
                        posted = await http.post(
                            "/api/webhooks/receipts", content=body, headers=signed_headers(DEV_WEBHOOK_SECRET, body)
                        )
                        assert posted.status_code == 200
                    else:
                        break
            assert seen[1]["funnel"]["delivered"] == 1  # type: ignore[index]
            assert (await http.get("/api/campaigns/999/stats/stream")).status_code == 404
    finally:
        await crm.stop()


async def test_delivery_status_proxies_the_channel_service(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url(backend, tmp_path, name="proxy")
    channel = await serve(create_channel_app(ChannelSettings(_env_file=None, webhook_secret=DEV_WEBHOOK_SECRET)))
    crm = await serve(
        create_app(
            Settings(
                database_url=url,
                run_dispatcher=False,
                run_migrations_on_startup=False,
                channel_service_url=channel.url,
                web_dist_dir="/nonexistent",
            )
        )
    )
    try:
        async with httpx.AsyncClient(base_url=crm.url, timeout=20, headers=await bearer_for(url)) as http:
            status = (await http.get("/api/delivery/status")).json()
            assert status["reachable"] is True
            assert {"queue_depth", "in_flight", "dead_letters", "retries"} <= set(status["channel_service"])
            redrive = await http.post("/api/delivery/dead-letters/redrive")
            assert redrive.status_code == 200 and redrive.json() == {"batches": 0, "events": 0}
            await channel.stop()
            down = (await http.get("/api/delivery/status")).json()
            assert down["reachable"] is False and "unreachable" in down["error"]
            assert (await http.post("/api/delivery/dead-letters/redrive")).status_code == 503
    finally:
        await crm.stop()

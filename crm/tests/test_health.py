from __future__ import annotations

import httpx


async def test_health_names_the_backend_and_provider(client: httpx.AsyncClient, backend: str) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "llm_provider")} == {
        "status": "ok",
        "database": backend,
        "llm_provider": "offline",
    }
    assert body["llm_warning"] is None

from __future__ import annotations

import logging

import httpx
import pytest
from reach_auth import operator_with_token
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from crm.agent.provider_choice import choose_provider
from crm.agent.providers.offline import OfflinePlanner
from crm.config import Settings
from crm.main import create_app, use_sessionmaker


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


@pytest.mark.parametrize(
    ("provider", "variable"),
    [("groq", "GROQ_API_KEY"), ("gemini", "GEMINI_API_KEY"), ("openai", "OPENAI_API_KEY")],
)
def test_a_missing_key_falls_back_to_the_offline_planner_with_a_warning(
    settings: Settings, provider: str, variable: str, caplog: pytest.LogCaptureFixture
) -> None:
    chosen = settings.model_copy(
        update={"llm_provider": provider, "groq_api_key": None, "gemini_api_key": " ", "openai_api_key": None}
    )
    with caplog.at_level(logging.WARNING, logger="crm.agent.provider_choice"):
        choice = choose_provider(chosen)
    assert isinstance(choice.provider, OfflinePlanner)
    assert choice.warning == (
        f"LLM_PROVIDER={provider} needs {variable} — the copilot is using the offline planner until that is set"
    )
    assert choice.warning in caplog.text


async def test_health_reports_the_fallback_and_the_product_keeps_working(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession
) -> None:
    app = create_app(settings.model_copy(update={"llm_provider": "groq", "groq_api_key": None}))
    use_sessionmaker(app, sessionmaker)
    _, token = await operator_with_token(session)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://crm.test", headers=headers) as http:
        body = (await http.get("/api/health")).json()
        assert body["llm_configured"] == "groq" and body["llm_provider"] == "offline"
        assert "GROQ_API_KEY" in body["llm_warning"] and "offline planner" in body["llm_warning"]
        reply = (await http.post("/api/agent/chat", json={"message": "hello"})).json()
        assert reply["provider"] == "offline" and reply["reply"]

"""A model call never holds a database transaction or lock.

A slow model is kept thinking while an ingest runs against the same database on real
connections (not the per-test wrapping transaction): the ingest must finish while the model is
still thinking. Before each stored message became its own unit of work, the turn's first write
(the user's message) stayed uncommitted through the model call, so on SQLite the ingest queued
behind the copilot's write lock for as long as the model took.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from reach_auth import operator_with_token
from reach_databases import fresh_database_url
from reach_factories import customer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from crm.agent.providers.base import AssistantMessage, Completed, Message, StreamEvent, ToolSpec
from crm.config import Settings
from crm.db import create_engine, create_sessionmaker
from crm.main import create_app

THINKING_LIMIT_SECONDS = 20.0
INGEST_PROMPTLY_SECONDS = 5.0


class SlowModel:
    """Thinks until released (or the limit passes), then answers in words."""

    name = "slow"
    model = "slow-1"

    def __init__(self) -> None:
        self.thinking = asyncio.Event()
        self.release = asyncio.Event()

    async def stream(self, system: str, messages: list[Message], tools: list[ToolSpec]) -> AsyncIterator[StreamEvent]:
        self.thinking.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.release.wait(), THINKING_LIMIT_SECONDS)
        yield Completed(AssistantMessage("Done thinking."))


@pytest.fixture
async def own_engine(backend: str, tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, str]]:
    url = await fresh_database_url(backend, tmp_path, name="agent_uow")
    engine = create_engine(url)
    yield engine, url
    await engine.dispose()


async def open_transactions(engine: AsyncEngine) -> int:
    """Postgres: connections other than this probe sitting inside an open transaction."""
    async with engine.connect() as probe:
        found = await probe.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )
    return int(found or 0)


async def test_an_ingest_completes_promptly_while_a_slow_model_thinks(own_engine: tuple[AsyncEngine, str]) -> None:
    engine, url = own_engine
    maker = create_sessionmaker(engine)
    settings = Settings(
        database_url=url,
        run_migrations_on_startup=False,
        run_dispatcher=False,
        web_dist_dir="/nonexistent",
        quiet_hours="",
        frequency_cap=0,
    )
    app = create_app(settings)
    app.state.sessionmaker = maker
    model = SlowModel()
    app.state.agent_provider = model
    async with maker() as session, session.begin():
        _, token = await operator_with_token(session)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://crm.test", headers=headers) as client:
        turn = asyncio.create_task(client.post("/api/agent/chat", json={"message": "say hi to Pune"}))
        await asyncio.wait_for(model.thinking.wait(), 10)

        if engine.dialect.name == "postgresql":
            assert await open_transactions(engine) == 0, "a transaction stayed open through the model call"
        started = time.monotonic()
        ingest = await asyncio.wait_for(
            client.post("/api/ingest", json={"customers": [customer(city="Pune") for _ in range(20)]}),
            THINKING_LIMIT_SECONDS,
        )
        took = time.monotonic() - started
        still_thinking = not turn.done()
        model.release.set()
        reply = await turn

    assert ingest.status_code < 300, ingest.text
    assert still_thinking, "the model was released before the ingest finished; the test proves nothing"
    print(f"ingest while the model thought: {took * 1000:.0f} ms")
    assert took < INGEST_PROMPTLY_SECONDS, f"the ingest waited {took:.1f} s behind the model call"
    assert reply.status_code == 200 and reply.json()["reply"] == "Done thinking."

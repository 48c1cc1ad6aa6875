"""Every CRM test runs on SQLite and on PostgreSQL: the `engine` fixture is parametrised.

Each backend's schema is built once per run by the real Alembic migrations; each test then runs
inside a transaction that is rolled back, and the app's own session dependency commits only
savepoints inside it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from reach_auth import operator_with_token
from reach_databases import fresh_database_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from crm.config import Settings
from crm.db import create_engine
from crm.http_guards import RateLimit
from crm.main import create_app, use_sessionmaker

# The channel services the tests start remember accepted messages in memory only (a file in the
# working directory would carry one test's ids into the next); tests of the file pass a path.
os.environ.setdefault("INTAKE_DEDUPE_PATH", "")


@pytest.fixture(autouse=True)
def fresh_rate_limits() -> None:
    RateLimit.reset()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def database_url(backend: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    return await fresh_database_url(backend, tmp_path_factory.mktemp(backend))


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        transaction = await conn.begin()
        yield conn
        await transaction.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint")


@pytest.fixture
async def session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as s:
        yield s


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        run_migrations_on_startup=False,
        run_dispatcher=False,
        web_dist_dir="/nonexistent",
        quiet_hours="",
        frequency_cap=0,
    )


@pytest.fixture
def app(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> FastAPI:
    application = create_app(settings)
    use_sessionmaker(application, sessionmaker)
    return application


@pytest.fixture
async def client(app: FastAPI, session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    """A signed-in API client (an operator's bearer token)."""
    _, token = await operator_with_token(session)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://crm.test", headers=headers) as http:
        yield http

"""Every CRM test runs on SQLite and on PostgreSQL: the `engine` fixture is parametrised.

Each backend's schema is built once per run by the real Alembic migrations; each test then runs
inside a transaction that is rolled back, and the app's own session dependency commits only
savepoints inside it.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from crm.config import Settings
from crm.db import create_engine
from crm.main import create_app
from crm.migrate import upgrade_to_head

PG_URL = os.environ.get("REACH_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/reach_test")


async def recreate_postgres_database(url: str) -> None:
    parsed = make_url(url)
    admin = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database="postgres",
    )
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{parsed.database}"')
    finally:
        await admin.close()


async def fresh_database_url(backend: str, directory: Path, name: str = "reach_test") -> str:
    """A new, migrated, empty database of the given backend."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / f'{name}.db'}"
    else:
        base = make_url(PG_URL)
        url = base.set(database=f"{base.database}_{name}" if name != "reach_test" else base.database)
        url = url.render_as_string(hide_password=False)
        await recreate_postgres_database(url)
    await anyio.to_thread.run_sync(upgrade_to_head, url)
    return url


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
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


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
    )


@pytest.fixture
async def client(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    app.state.sessionmaker = sessionmaker
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://crm.test") as http:
        yield http

"""Fresh, migrated test databases on either backend."""

from __future__ import annotations

import os
from pathlib import Path

import anyio
import asyncpg
from sqlalchemy.engine import make_url

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

"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import anyio
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from reach_databases import PG_URL, recreate_postgres_database
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

import crm.models  # noqa: F401
from crm.db import Base, create_engine
from crm.migrate import alembic_config


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(sync_connection: Any) -> list[Any]:
        context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_processes_starting_together_migrate_once(backend: str) -> None:
    """Several CRM worker processes run the start-up upgrade at once (CRM_WORKERS): on Postgres the
    first migrates under an advisory lock and the others then find the database at head; without
    the lock they would all create the same tables. (SQLite serves one process.)"""
    if backend == "sqlite":
        pytest.skip("SQLite is served by a single process")
    url = make_url(PG_URL).set(database="reach_test_concurrent_upgrade").render_as_string(hide_password=False)
    await recreate_postgres_database(url)
    environment = {**os.environ, "DATABASE_URL": url}
    processes = [
        await anyio.open_process([sys.executable, "-m", "crm.migrate"], env=environment, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for process in processes:
        assert await process.wait() == 0, await process.stderr.receive() if process.stderr else ""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
        heads = ScriptDirectory.from_config(alembic_config(url)).get_heads()
        assert versions == heads
    finally:
        await engine.dispose()

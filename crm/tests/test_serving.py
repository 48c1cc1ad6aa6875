"""CRM_WORKERS: on Postgres the CRM is served by that many processes (one Python process is the
limit long before Postgres is); SQLite is always served by one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from reach_databases import PG_URL, recreate_postgres_database
from reach_servers import free_url, wait_for_health
from sqlalchemy.engine import make_url

from crm.config import Settings
from crm.run_all import crm_server_command

PG = "postgresql+asyncpg://reach@127.0.0.1/reach"


def test_postgres_is_served_by_crm_workers_processes_and_sqlite_by_one() -> None:
    assert Settings(database_url=PG, crm_workers=3).serving_processes == 3
    assert Settings(database_url="sqlite+aiosqlite:///./x.db", crm_workers=3).serving_processes == 1
    command = crm_server_command(Settings(database_url=PG, crm_workers=3, crm_public_url="http://127.0.0.1:8123"))
    assert command[-7:] == ["--host", "127.0.0.1", "--port", "8123", "--no-proxy-headers", "--workers", "3"]
    assert "--workers" not in crm_server_command(Settings(database_url=PG))
    assert "--workers" not in crm_server_command(Settings(database_url="sqlite+aiosqlite:///./x.db", crm_workers=3))


def worker_pids(parent: int) -> set[int]:
    """The server's worker processes (multiprocessing children; not its resource tracker)."""
    children: set[int] = set()
    for task in Path(f"/proc/{parent}/task").iterdir():
        children |= {int(pid) for pid in (task / "children").read_text().split()}
    return {pid for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()}


def test_two_worker_processes_serve_the_api_on_postgres(backend: str, tmp_path: Path) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite is served by one process")
    database = make_url(PG_URL).set(database="reach_test_serving").render_as_string(hide_password=False)
    asyncio.run(recreate_postgres_database(database))
    url = free_url()
    settings = Settings(database_url=database, crm_workers=2, crm_public_url=url)
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CRM_WORKERS": "2",
        "CRM_PUBLIC_URL": url,
        "RUN_DISPATCHER": "false",
        "LLM_PROVIDER": "offline",
        "WEB_DIST_DIR": str(tmp_path / "no-web-build"),
    }
    process = subprocess.Popen(crm_server_command(settings), env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        # Both workers ran the start-up migration against the empty database (one waited for the other).
        assert wait_for_health(f"{url}/api/health", process)["status"] == "ok"
        assert len(worker_pids(process.pid)) == 2
        with httpx.Client(base_url=url) as client:
            answers = [client.get("/api/health").status_code for _ in range(20)]
        assert answers == [200] * 20
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()

"""Schemathesis against the CRM's own OpenAPI, over real HTTP: a bounded number of generated
requests per operation; no 5xx, and every response matches its declared schema."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from reach_auth import bearer_for
from reach_servers import bind_loopback, url_of
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from crm.config import Settings
from crm.main import create_app
from crm.migrate import upgrade_to_head

# Endpoints left out: streams never end by design, and the delivery proxy answers 503 (by design)
# while no channel service runs beside this test.
EXCLUDED = r"(/stream$|^/api/delivery/)"
# What the issue asks of every response: no 5xx, and a body that matches its declared schema.
AUTH: dict[str, str] = {}  # a signed-in operator's bearer token, set up with the server
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def serve_in_thread(app: Any) -> tuple[str, uvicorn.Server, threading.Thread]:
    sock = bind_loopback()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started:
            break
        threading.Event().wait(0.01)
    return url_of(sock), server, thread


@pytest.fixture(scope="module")
def crm_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    database = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{database}")
    AUTH.update(asyncio.run(bearer_for(f"sqlite+aiosqlite:///{database}")))
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{database}",
            run_dispatcher=False,
            channel_service_url="http://127.0.0.1:9",
            web_dist_dir="/nonexistent",
            quiet_hours="",
            frequency_cap=0,
        )
    )
    url, server, thread = serve_in_thread(app)
    yield url
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def api_schema(crm_url: str) -> Any:
    loaded = schemathesis.openapi.from_url(f"{crm_url}/openapi.json")
    return loaded.exclude(path_regex=EXCLUDED)


def test_no_server_errors_and_responses_match_their_schema(api_schema: Any, crm_url: str) -> None:
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(base_url=crm_url, checks=CHECKS, headers=AUTH)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    paths = {op.path for op in operations}
    assert {"/api/ingest", "/api/segments/preview", "/api/campaigns", "/api/sequences", "/api/agent/chat"} <= paths

"""Schemathesis against the channel service's own OpenAPI over real HTTP: no 5xx, responses
match their declared schemas. Calls carry the admin token so the admin endpoints' parameters are
exercised, not only their 401."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from channel_service.config import DEV_WEBHOOK_SECRET, Settings
from channel_service.main import create_app
from channel_service.signatures import admin_token

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
ADMIN_HEADERS = {"authorization": f"Bearer {admin_token(DEV_WEBHOOK_SECRET)}"}


@pytest.fixture(scope="module")
def service_url() -> Iterator[str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    app = create_app(Settings(_env_file=None, webhook_secret=DEV_WEBHOOK_SECRET, sim_time_scale=1_000_000.0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    for _ in range(1000):
        if server.started:
            break
        threading.Event().wait(0.01)
    host, port = sock.getsockname()
    yield f"http://{host}:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_no_server_errors_and_responses_match_their_schema(service_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{service_url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case: Any) -> None:
            case.call_and_validate(base_url=service_url, headers=ADMIN_HEADERS, checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
    assert {"/v1/send", "/v1/stats", "/v1/events", "/v1/dead-letters/redrive"} <= {op.path for op in operations}

"""Fixtures for the channel-service tests (fixtures only: test modules import nothing from here).

`serve` runs an ASGI app on a real loopback socket with uvicorn inside the test's event loop;
`receiver` is such a server that verifies Standard Webhooks signatures and records callbacks.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn
from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from channel_service.config import Settings
from channel_service.main import create_app
from channel_service.signatures import admin_token

TEST_SECRET = "whsec_" + base64.b64encode(b"channel-service-test-secret-0123").decode()

# The channel services the tests start remember accepted messages in memory only (a file in the
# working directory would carry one test's ids into the next); tests of the file pass a path.
os.environ.setdefault("INTAKE_DEDUPE_PATH", "")


@pytest.fixture
def secret() -> str:
    return TEST_SECRET


@pytest.fixture
def admin_headers(secret: str) -> dict[str, str]:
    """The admin endpoints' bearer token, derived from the shared secret."""
    return {"authorization": f"Bearer {admin_token(secret)}"}


@pytest.fixture
def make_settings(secret: str) -> Callable[..., Settings]:
    """Settings for fast tests: 2 simulated days play in ~0.2 s, retries wait milliseconds."""

    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "webhook_secret": secret,
            "sim_time_scale": 1_000_000.0,
            "sim_seed": 20260901,
            "callback_linger_ms": 20.0,
            "callback_max_attempts": 4,
            "callback_retry_base_delay": 0.01,
            "callback_retry_max_delay": 0.05,
            "callback_timeout": 5.0,
            "shutdown_flush_timeout": 2.0,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)

    return build


@pytest.fixture
def sign(secret: str) -> Callable[..., dict[str, str]]:
    """Standard Webhooks headers for a body, signed with the library (the client side)."""

    def headers_for(body: bytes, *, key: str | None = None, at: datetime | None = None) -> dict[str, str]:
        timestamp = at or datetime.now(UTC)
        msg_id = "msg_" + os.urandom(8).hex()
        signature = Webhook(key or secret).sign(msg_id, timestamp, body.decode())
        return {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signature,
        }

    return headers_for


@pytest.fixture
def send_body() -> Callable[..., bytes]:
    """A /v1/send body: `ids` with channels cycling through all four."""
    channels = ("email", "whatsapp", "sms", "rcs")

    def build(callback_url: str, ids: list[str]) -> bytes:
        messages = [
            {
                "communication_id": cid,
                "channel": channels[n % 4],
                "to": "+919800000001" if channels[n % 4] != "email" else "asha@example.com",
                "subject": "Hello" if channels[n % 4] == "email" else None,
                "body": "Your cart misses you",
            }
            for n, cid in enumerate(ids)
        ]
        return json.dumps({"callback_url": callback_url, "messages": messages}).encode()

    return build


@pytest_asyncio.fixture
async def serve() -> AsyncIterator[Callable[[Any], Awaitable[str]]]:
    """Start ASGI apps on 127.0.0.1 (real HTTP); returns their base URLs; stops them after."""
    servers: list[tuple[uvicorn.Server, asyncio.Task[None]]] = []

    async def start(app: Any) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # lets asyncio set TCP_NODELAY
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve(sockets=[sock]))
        servers.append((server, task))
        for _ in range(500):
            if server.started:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        return f"http://127.0.0.1:{port}"

    yield start
    for server, task in reversed(servers):
        server.should_exit = True
        await asyncio.wait_for(task, timeout=15)


class Receiver:
    """Records signed callback batches; can be told to fail, hang or be slow for a while, and
    measures how many requests it serves at once."""

    def __init__(self, secret: str) -> None:
        self.webhook = Webhook(secret)
        self.batches: list[list[dict[str, Any]]] = []
        self.webhook_ids: list[str] = []
        self.raw: list[tuple[bytes, dict[str, str]]] = []
        """Body and headers of each accepted request."""
        self.request_times: list[float] = []
        """Loop time at which each request arrived."""
        self.requests = 0
        self.bad_signatures = 0
        self.fail_status: int | None = None
        self.fail_remaining = 0
        self.fail_headers: dict[str, str] = {}
        self.down_until: float | None = None
        """While the loop clock is before this, every request gets 503."""
        self.hang_seconds = 0.0
        self.hang_remaining = 0
        self.latency = 0.0
        self.active = 0
        self.max_active = 0
        self.url = ""
        self.app = FastAPI()
        self.app.post("/receipts")(self.receive)

    def fail(self, status: int, times: int = 1_000_000, headers: dict[str, str] | None = None) -> None:
        self.fail_status, self.fail_remaining, self.fail_headers = status, times, headers or {}

    def recover(self) -> None:
        self.fail_status, self.fail_remaining, self.down_until = None, 0, None

    def down_for(self, seconds: float) -> None:
        self.down_until = asyncio.get_running_loop().time() + seconds

    def hang(self, seconds: float, times: int) -> None:
        """Answer the next `times` requests only after `seconds` (a 503 nobody waits for)."""
        self.hang_seconds, self.hang_remaining = seconds, times

    async def receive(self, request: Request) -> Response:
        self.requests += 1
        self.request_times.append(asyncio.get_running_loop().time())
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            return await self._answer(request)
        finally:
            self.active -= 1

    async def _answer(self, request: Request) -> Response:
        body = await request.body()
        try:
            payload = self.webhook.verify(body, dict(request.headers))
        except WebhookVerificationError:
            self.bad_signatures += 1
            return Response(status_code=401)
        if self.latency:
            await asyncio.sleep(self.latency)
        if self.hang_remaining > 0:
            self.hang_remaining -= 1
            await asyncio.sleep(self.hang_seconds)
            return Response(status_code=503)
        if self.down_until is not None and asyncio.get_running_loop().time() < self.down_until:
            return Response(status_code=503)
        if self.fail_status is not None and self.fail_remaining > 0:
            self.fail_remaining -= 1
            return Response(status_code=self.fail_status, headers=self.fail_headers)
        self.batches.append(payload["events"])
        self.webhook_ids.append(request.headers["webhook-id"])
        self.raw.append((body, dict(request.headers)))
        return Response(status_code=204)

    @property
    def events(self) -> list[dict[str, Any]]:
        return [event for batch in self.batches for event in batch]


@pytest_asyncio.fixture
async def receiver(secret: str, serve: Callable[[Any], Awaitable[str]]) -> Receiver:
    recorder = Receiver(secret)
    recorder.url = await serve(recorder.app) + "/receipts"
    return recorder


@pytest.fixture
def wait_until() -> Callable[..., Awaitable[None]]:
    async def wait(condition: Callable[[], Awaitable[bool]], seconds: float = 20.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while not await condition():
            if loop.time() > deadline:
                raise AssertionError(f"condition not met within {seconds} s")
            await asyncio.sleep(0.02)

    return wait


@pytest_asyncio.fixture
async def channel_service(
    make_settings: Callable[..., Settings],
    serve: Callable[[Any], Awaitable[str]],
    sign: Callable[..., dict[str, str]],
    send_body: Callable[..., bytes],
    admin_headers: dict[str, str],
) -> AsyncIterator[Callable[..., Awaitable[ChannelServiceHandle]]]:
    """Start a real channel service (uvicorn) with settings overrides; returns a handle whose
    client carries the admin token."""
    clients: list[httpx.AsyncClient] = []

    async def start(**overrides: Any) -> ChannelServiceHandle:
        app = create_app(make_settings(**overrides))
        base_url = await serve(app)
        client = httpx.AsyncClient(base_url=base_url, timeout=10, headers=admin_headers)
        clients.append(client)
        return ChannelServiceHandle(app, client, sign, send_body)

    yield start
    for client in clients:
        await client.aclose()


class ChannelServiceHandle:
    def __init__(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        sign: Callable[..., dict[str, str]],
        send_body: Callable[..., bytes],
    ) -> None:
        self.app = app
        self.client = client
        self._sign = sign
        self._send_body = send_body

    @property
    def service(self) -> Any:
        return self.app.state.channel_service

    async def send(self, callback_url: str, ids: list[str]) -> httpx.Response:
        body = self._send_body(callback_url, ids)
        return await self.client.post("/v1/send", content=body, headers=self._sign(body))

    async def stats(self) -> dict[str, Any]:
        response = await self.client.get("/v1/stats")
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def settled(self) -> bool:
        """Nothing queued, scheduled or waiting to be delivered."""
        stats = await self.stats()
        return stats["queue_depth"] == 0 and stats["timers_pending"] == 0 and stats["callbacks_pending"]["events"] == 0

    async def truth(self, communication_id: str) -> list[dict[str, Any]]:
        response = await self.client.get("/v1/events", params={"communication_id": communication_id})
        response.raise_for_status()
        events: list[dict[str, Any]] = response.json()["events"]
        return events

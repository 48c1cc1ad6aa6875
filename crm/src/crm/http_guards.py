"""Guards every response and request: security headers, body size limits, and rate limits for
the expensive or sensitive endpoints (the copilot; sign-in)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from limits import parse, storage, strategies

from crm.errors import DomainError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
    "content-security-policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}
# The interactive API docs load their assets from a CDN; give them a looser policy.
DOCS_PATHS = ("/docs", "/redoc", "/openapi.json")


class TooLarge(Exception):
    pass


async def _reply(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class GuardMiddleware:
    """Pure ASGI (so streaming responses stay streaming)."""

    def __init__(self, app: ASGIApp, max_json_bytes: int, max_upload_bytes: int, upload_paths: tuple[str, ...]) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.max_upload_bytes if path in self.upload_paths else self.max_json_bytes
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reply(send, 413, f"request body is larger than the {limit:,}-byte limit for {path}")
            return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not path.startswith(DOCS_PATHS):
                    headers = list(message.get("headers", []))
                    present = {k.lower() for k, _ in headers}
                    headers += [
                        (k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present
                    ]
                    message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except TooLarge:
            if not started:
                await _reply(send_with_headers, 413, f"request body is larger than the {limit:,}-byte limit for {path}")


class TooManyRequests(DomainError):
    status_code = 429


class RateLimit:
    """A moving-window limit per client address, e.g. RateLimit("20/minute") as a dependency."""

    _storage = storage.MemoryStorage()
    _limiter = strategies.MovingWindowRateLimiter(_storage)

    def __init__(self, rate: str, scope: str) -> None:
        self.item = parse(rate)
        self.rate = rate
        self.scope = scope

    async def __call__(self, request: Request) -> None:
        client = request.client.host if request.client else "unknown"
        if not self._limiter.hit(self.item, self.scope, client):
            raise TooManyRequests(f"too many requests to {self.scope}: at most {self.rate} per client; try again soon")

    @classmethod
    def reset(cls) -> None:
        cls._storage.reset()

"""Guards every response and request: security headers, body size limits, and rate limits for
the expensive or sensitive endpoints (the copilot; sign-in)."""

from __future__ import annotations

import contextlib
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
# The interactive API docs (Swagger UI, ReDoc) load scripts, styles and fonts from CDNs and start
# with an inline script; they get a looser policy that allows exactly that, and nothing else changes.
DOCS_PATHS = ("/docs", "/redoc")
DOCS_SECURITY_HEADERS = SECURITY_HEADERS | {
    "content-security-policy": (
        "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
        "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
        "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
}


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
        received = 0
        started = refused = False
        too_large = f"request body is larger than the {limit:,}-byte limit for {path}"

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already out; drop whatever the app answers to its aborted read
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = with_security_headers(path, list(message.get("headers", [])))
            await send(message)

        async def counting_receive() -> Message:
            """A body without Content-Length (chunked) is counted as it arrives. Past the limit the
            413 goes out at once: frameworks turn errors raised while reading into a 400."""
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    if not started and not refused:
                        await _reply(send_with_headers, 413, too_large)
                        refused = True
                    raise TooLarge
            return message

        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reply(send_with_headers, 413, too_large)
            return
        with contextlib.suppress(TooLarge):  # answered in counting_receive
            await self.app(scope, counting_receive, send_with_headers)


def with_security_headers(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    present = {k.lower() for k, _ in headers}
    policy = DOCS_SECURITY_HEADERS if path.startswith(DOCS_PATHS) else SECURITY_HEADERS
    return headers + [(k.encode(), v.encode()) for k, v in policy.items() if k.encode() not in present]


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

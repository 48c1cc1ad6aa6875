"""Guards every response and request: security headers, a request id, body size limits, text
without control characters, one JSON answer for any unexpected error, and rate limits for the
expensive or sensitive endpoints (the copilot; sign-in; password changes)."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import re
import traceback
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from limits import parse, storage, strategies
from sqlalchemy.exc import StatementError

from crm.errors import DomainError
from crm.input_rules import CONTROL, CONTROL_EXCEPT_LAYOUT, first_control_character

log = logging.getLogger("crm.errors")

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


async def _reply(send: Send, status: int, detail: Any, **extra: Any) -> None:
    body = json.dumps({"detail": detail, **extra}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


# A JSON body can only carry a control character as an escape (\u0000-\u001f, \u007f-\u009f) or,
# for DEL and C1, raw: a request without any of these needs no parsing here.
MAYBE_CONTROL = re.compile(rb"\\u00[0-1][0-9a-fA-F]|\\u007[fF]|\\u00[89][0-9a-fA-F]|\x7f|\xc2[\x80-\x9f]")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Bodies checked elsewhere: ingestion rejects such a record by itself (one bad record never fails
# the batch); signed webhooks check the signature first and validate their own schema.
UNCHECKED_BODY_PATHS = ("/api/ingest", "/api/webhooks/")


def control_character_error(where: list[str | int], text: str) -> list[dict[str, Any]]:
    found = CONTROL_EXCEPT_LAYOUT.search(text) or CONTROL.search(text)
    code = f"U+{ord(found.group()):04X}" if found else "a control character"
    return [
        {
            "loc": where,
            "msg": f"contains a control character ({code}); text may hold tabs and line breaks, no other "
            "control characters",
            "type": "value_error",
        }
    ]


def json_body_problem(body: bytes) -> list[dict[str, Any]] | None:
    """422 detail naming the first string in a JSON body that holds a control character."""
    if not MAYBE_CONTROL.search(body):
        return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None  # not JSON: the endpoint's own validation answers
    found = first_control_character(parsed)
    if found is None:
        return None
    path, text = found
    return control_character_error(["body", *path], text)


def query_problem(scope: Scope) -> list[dict[str, Any]] | None:
    path: str = scope["path"]
    if CONTROL.search(path):
        return control_character_error(["path"], path)
    raw: bytes = scope.get("query_string") or b""
    if not raw:
        return None
    # parse_qsl decodes %-escapes as UTF-8 (an invalid sequence becomes U+FFFD).
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        for text in (key, value):
            if CONTROL_EXCEPT_LAYOUT.search(text):
                return control_character_error(["query", key], text)
    return None


class TrustedProxies:
    """X-Forwarded-For is believed only from the proxies the operator lists (FORWARDED_ALLOW_IPS:
    addresses or networks, comma-separated; default none): the client is then the right-most
    address in the header that is not one of them. From anyone else the header is ignored, so it
    cannot be rotated to dodge a per-client rate limit."""

    def __init__(self, listed: str) -> None:
        self.networks = [ipaddress.ip_network(part.strip(), strict=False) for part in listed.split(",") if part.strip()]

    def trusts(self, host: str) -> bool:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    def apply(self, scope: Scope) -> None:
        client = scope.get("client")
        if not self.networks or not client or not self.trusts(client[0]):
            return
        forwarded = dict(scope.get("headers") or []).get(b"x-forwarded-for")
        if not forwarded:
            return
        hops = [hop.strip() for hop in forwarded.decode("latin-1").split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self.trusts(hop):
                scope["client"] = (hop, 0)
                return


def request_id_of(scope: Scope) -> str:
    given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
    return given if REQUEST_ID.match(given) else uuid.uuid4().hex


def log_unexpected(exc: BaseException, scope: Scope, request_id: str) -> None:
    """The error's type, where it happened and (for database errors) the SQL without its bound
    values: neither customer data nor secrets reach the log."""
    if isinstance(exc, StatementError):
        orig = exc.orig
        sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
        what = f"{type(exc).__name__} (SQLSTATE {sqlstate}) in: {str(exc.statement)[:500]}"
    else:
        what = f"{type(exc).__name__}: {str(exc)[:300]}"
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error(
        "unexpected error on %s %s [request %s]: %s\n%s",
        scope.get("method"),
        scope.get("path"),
        request_id,
        what,
        frames,
    )


class GuardMiddleware:
    """Pure ASGI (so streaming responses stay streaming)."""

    def __init__(
        self,
        app: ASGIApp,
        max_json_bytes: int,
        max_upload_bytes: int,
        upload_paths: tuple[str, ...],
        trusted_proxies: str = "",
    ) -> None:
        self.app = app
        self.max_json_bytes = max_json_bytes
        self.max_upload_bytes = max_upload_bytes
        self.upload_paths = upload_paths
        self.proxies = TrustedProxies(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = self.max_upload_bytes if path in self.upload_paths else self.max_json_bytes
        received = 0
        started = refused = False
        too_large = f"request body is larger than the {limit:,}-byte limit for {path}"
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        self.proxies.apply(scope)

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 is already out; drop whatever the app answers to its aborted read
            if message["type"] == "http.response.start":
                started = True
                headers = with_security_headers(path, list(message.get("headers", [])))
                message["headers"] = [*headers, (b"x-request-id", request_id.encode())]
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

        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reply(send_with_headers, 413, too_large)
            return
        try:
            problem = query_problem(scope)
            if problem is not None:
                await _reply(send_with_headers, 422, problem)
                return
            receive_body: Receive = counting_receive
            if b"json" in headers.get(b"content-type", b"") and not path.startswith(UNCHECKED_BODY_PATHS):
                with contextlib.suppress(TooLarge):
                    body = await read_body(counting_receive)
                    problem = json_body_problem(body)
                    if problem is not None:
                        await _reply(send_with_headers, 422, problem)
                        return
                    receive_body = replay(body, counting_receive)
                if refused:
                    return
            with contextlib.suppress(TooLarge):  # answered in counting_receive
                await self.app(scope, receive_body, send_with_headers)
        except Exception as exc:
            # Anything the app did not turn into an answer: a JSON 500 with the request id (the
            # log has the rest), never a bare "Internal Server Error".
            log_unexpected(exc, scope, request_id)
            if not started:
                detail = "internal error; nothing about it was shown here — quote the request id to the operator"
                await _reply(send_with_headers, 500, detail, request_id=request_id)


async def read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then whatever comes next (a disconnect)."""
    sent = False

    async def receive_again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return receive_again


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

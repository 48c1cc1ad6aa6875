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


def verify(secrets: list[str], body: bytes, headers: dict[str, str]) -> None:
    """Raises WebhookVerificationError unless one of `secrets` signed the body within ±5 minutes
    (several secrets are accepted while a secret is being rotated)."""
    problem: WebhookVerificationError | None = None
    for secret in secrets:
        try:
            Webhook(secret).verify(body, headers)
            return
        except WebhookVerificationError as exc:
            problem = exc
    raise problem or WebhookVerificationError("no webhook secret configured")


__all__ = ["WebhookVerificationError", "signed_headers", "verify"]

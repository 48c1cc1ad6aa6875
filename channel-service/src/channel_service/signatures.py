"""Verification of Standard Webhooks signatures on incoming requests."""

from __future__ import annotations

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.datastructures import Headers

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


class InvalidSignatureError(Exception):
    """Missing, malformed, stale or non-matching webhook signature."""


def verify_signature(webhook: Webhook, body: bytes, headers: Headers) -> None:
    """Raise `InvalidSignatureError` unless `body` is signed by our secret within 5 minutes."""
    signed = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    try:
        webhook.verify(body.decode("utf-8"), signed, json_parse=False)
    except WebhookVerificationError as exc:
        raise InvalidSignatureError(str(exc)) from exc
    except (ValueError, UnicodeDecodeError) as exc:  # malformed signature header or body
        raise InvalidSignatureError("malformed signature headers") from exc

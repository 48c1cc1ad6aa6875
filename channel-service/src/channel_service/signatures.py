"""Authentication of incoming requests, all derived from the shared Standard Webhooks secret.

- `POST /v1/send` carries a Standard Webhooks signature over its body (verified with the
  `standardwebhooks` library, ±5 minutes).
- The admin endpoints (`/v1/stats`, `/v1/events`, `/v1/dead-letters`, redrive) carry
  `Authorization: Bearer <token>`, where the token is derived from the secret (see
  `admin_token`), so no second credential has to be distributed or rotated.

During a secret rotation every configured secret is accepted (the current one first, then
WEBHOOK_PREVIOUS_SECRETS), as the Standard Webhooks spec describes; either side can be rotated
first.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.datastructures import Headers

SIGNATURE_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
SECRET_PREFIX = "whsec_"
ADMIN_TOKEN_CONTEXT = b"reach channel-service admin token v1"
"""What the admin token is an HMAC of; changing it invalidates every client's token."""


class InvalidSignatureError(Exception):
    """Missing, malformed, stale or non-matching webhook signature."""


def verify_signature(webhooks: Sequence[Webhook], body: bytes, headers: Headers) -> None:
    """Raise `InvalidSignatureError` unless one of `webhooks`' secrets signed `body` within 5 minutes.

    The error reported is the current secret's (the first), which names the real problem
    (e.g. a stale timestamp) rather than a mismatch with an old secret.
    """
    signed = {name: headers.get(name, "") for name in SIGNATURE_HEADERS}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidSignatureError("body is not UTF-8") from exc
    first_problem: Exception | None = None
    for webhook in webhooks:
        try:
            webhook.verify(text, signed, json_parse=False)
            return
        except (WebhookVerificationError, ValueError) as exc:  # ValueError: a malformed signature header
            first_problem = first_problem or exc
    raise InvalidSignatureError(_describe(first_problem)) from first_problem


def _describe(problem: Exception | None) -> str:
    if problem is None:
        return "no webhook secret configured"
    if isinstance(problem, WebhookVerificationError):
        return str(problem)
    return "malformed signature headers"


def secret_bytes(secret: str) -> bytes:
    """The key of a `whsec_` + base64 secret, decoded as the `standardwebhooks` library does."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX) + "==")


def admin_token(secret: str) -> str:
    """The bearer token for the admin endpoints: base64url(HMAC-SHA256(secret, context)), unpadded."""
    digest = hmac.new(secret_bytes(secret), ADMIN_TOKEN_CONTEXT, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def is_admin_token(tokens: Sequence[str], presented: str | None) -> bool:
    """Whether `presented` (a bearer token) is one of the accepted admin `tokens`, in constant time."""
    if not presented:
        return False
    given = presented.encode()
    return any(hmac.compare_digest(given, token.encode()) for token in tokens)

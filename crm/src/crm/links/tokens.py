"""Link tokens: short, signed, stateless — nothing is written when a message is sent.

`m<message id>.<tag>` names a message (communications.id); `t<campaign id>-<customer id>.<tag>`
a test send's link. Numbers are base-62; the tag is 8 base-62 characters of an HMAC-SHA256 over
the rest with the webhook secret, so a token cannot be guessed or altered. A typical link,
`https://crm.example.in/r/m4c92.Xk9p2QaZ`, costs an SMS about 40 characters.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Literal

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TAG_LENGTH = 8
TOKEN = re.compile(r"^(?P<kind>[mt])(?P<a>[0-9A-Za-z]{1,12})(?:-(?P<b>[0-9A-Za-z]{1,12}))?\.(?P<tag>[0-9A-Za-z]{8})$")


def base62(number: int) -> str:
    if number < 0:
        raise ValueError("negative")
    out = ""
    while True:
        number, digit = divmod(number, 62)
        out = ALPHABET[digit] + out
        if number == 0:
            return out


def from_base62(text: str) -> int:
    value = 0
    for ch in text:
        value = value * 62 + ALPHABET.index(ch)
    return value


@dataclass(frozen=True)
class LinkTarget:
    kind: Literal["m", "t"]
    message_id: int | None = None  # kind m: communications.id
    campaign_id: int | None = None  # kind t
    customer_id: int | None = None  # kind t


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    public_url: str

    def _tag(self, body: str) -> str:
        digest = hmac.new(self.secret.encode(), b"reach-link:" + body.encode(), hashlib.sha256).digest()
        return base62(int.from_bytes(digest[:8], "big")).rjust(TAG_LENGTH, "0")[-TAG_LENGTH:]

    def token_for_message(self, message_id: int) -> str:
        body = f"m{base62(message_id)}"
        return f"{body}.{self._tag(body)}"

    def token_for_test(self, campaign_id: int, customer_id: int | None) -> str:
        body = f"t{base62(campaign_id)}-{base62(customer_id or 0)}"
        return f"{body}.{self._tag(body)}"

    def url(self, token: str) -> str:
        return f"{self.public_url.rstrip('/')}/r/{token}"

    def read(self, token: str) -> LinkTarget | None:
        """The target of a genuine token; None for anything altered or made up."""
        match = TOKEN.match(token)
        if match is None:
            return None
        body = token.rsplit(".", 1)[0]
        if not hmac.compare_digest(self._tag(body), match.group("tag")):
            return None
        if match.group("kind") == "m":
            if match.group("b") is not None:
                return None
            return LinkTarget("m", message_id=from_base62(match.group("a")))
        if match.group("b") is None:
            return None
        customer = from_base62(match.group("b"))
        return LinkTarget("t", campaign_id=from_base62(match.group("a")), customer_id=customer or None)

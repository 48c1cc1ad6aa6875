"""A fake channel service and a fake clock for dispatcher and sequence tests."""

from __future__ import annotations

from typing import Any

import httpx

from crm.db import utcnow
from crm.dispatch.channel_client import ChannelClient, OutboundMessage


class FakeChannel(ChannelClient):
    """Records every batch; plays each communication_id once, as the channel service does."""

    def __init__(self) -> None:
        super().__init__(httpx.AsyncClient(), "whsec_unused")
        self.batches: list[list[OutboundMessage]] = []
        self.played: dict[str, OutboundMessage] = {}
        self.fail_with: list[Exception] = []

    async def send(self, callback_url: str, messages: list[OutboundMessage]) -> dict[str, Any]:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.batches.append(messages)
        for m in messages:
            self.played.setdefault(m.communication_id, m)
        return {"accepted": len(messages)}


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> Any:
        return self.now

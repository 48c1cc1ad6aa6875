"""Request and response shapes of the channel service's HTTP API."""

from __future__ import annotations

from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from channel_service.lifecycle import Channel


class OutboundMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")

    communication_id: str = Field(min_length=1, max_length=200)
    channel: Channel
    to: str = Field(min_length=1, max_length=320)
    subject: str | None = Field(default=None, max_length=998)
    body: str = Field(min_length=1)


class SendRequest(BaseModel):
    callback_url: AnyHttpUrl
    messages: list[OutboundMessage] = Field(min_length=1, max_length=1000)


class SendAccepted(BaseModel):
    accepted: int = Field(description="Messages acknowledged (new and re-sent)")
    queued: int = Field(description="New messages whose lifecycle will be played")
    duplicates: int = Field(description="Re-sent communication_ids, acknowledged but not replayed")


class EventsPage(BaseModel):
    events: list[dict[str, Any]]
    next_after: int = Field(description="Pass as `after` to read the next page")


class RedriveResult(BaseModel):
    batches: int
    events: int


class DeadLetterSummary(BaseModel):
    webhook_id: str
    url: str
    events: int
    attempts: int
    error: str
    failed_at: str

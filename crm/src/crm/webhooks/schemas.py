from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

EventType = Literal["sent", "delivered", "opened", "read", "clicked", "converted", "failed"]


class ReceiptIn(BaseModel):
    event_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    communication_id: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    type: EventType
    occurred_at: AwareDatetime
    value: float | None = Field(None, ge=0, le=1e9)
    reason: Annotated[str, StringConstraints(max_length=200)] | None = None


class ReceiptBatch(BaseModel):
    events: list[ReceiptIn] = Field(min_length=1, max_length=1000)


class ReceiptResult(BaseModel):
    received: int
    applied: int = Field(description="new events applied to a known communication")
    duplicates: int = Field(description="events whose event_id was already seen")
    unmatched: int = Field(description="new events for communication ids we do not know (kept aside)")

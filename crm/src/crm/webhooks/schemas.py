from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints
from typing_extensions import TypedDict

EventType = Literal["sent", "delivered", "opened", "read", "clicked", "converted", "failed"]


# A TypedDict, not a model: a 1,000-event batch validates into plain dicts about 2.5x faster than
# into 1,000 model instances, and the ingest only reads the fields.
class ReceiptIn(TypedDict):
    """One delivery event: its id, the message it is about, what happened and when; `value` for a
    conversion, `reason` for a failure."""

    event_id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    communication_id: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    type: EventType
    occurred_at: AwareDatetime
    value: NotRequired[Annotated[float, Field(ge=0, le=1e9)] | None]
    reason: NotRequired[Annotated[str, StringConstraints(max_length=200)] | None]


class ReceiptBatch(BaseModel):
    events: list[ReceiptIn] = Field(min_length=1, max_length=1000)


class ReceiptResult(BaseModel):
    received: int
    applied: int = Field(description="new events applied to a known communication")
    duplicates: int = Field(description="events whose event_id was already seen")
    unmatched: int = Field(description="new events for communication ids we do not know (kept aside)")

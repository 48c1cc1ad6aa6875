from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from crm.analytics.schemas import Funnel
from crm.api_types import BodyId
from crm.segments.dsl import SegmentFilter
from crm.sequences.steps import SequenceStep

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Author = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SequenceCreate(BaseModel):
    name: Name
    segment_id: BodyId | None = None
    filter: SegmentFilter | None = None
    steps: list[SequenceStep] = Field(min_length=1, max_length=12)
    exit_on_conversion: bool = True

    @model_validator(mode="after")
    def _one_audience(self) -> SequenceCreate:
        if (self.segment_id is None) == (self.filter is None):
            raise ValueError("give exactly one of segment_id or filter")
        return self


class SequenceUpdate(BaseModel):
    """Any edit to the steps makes a new immutable version; name and exit rule apply directly."""

    name: Name | None = None
    steps: list[SequenceStep] | None = Field(None, min_length=1, max_length=12)
    exit_on_conversion: bool | None = None
    edited_by: Author = "operator"


class RollbackRequest(BaseModel):
    version: int = Field(ge=1, le=1_000_000)
    edited_by: Author = "operator"


class LaunchSequenceRequest(BaseModel):
    launched_by: Author | None = None


class VersionRead(BaseModel):
    version: int
    steps: list[SequenceStep]
    changes: list[str]
    created_by: str
    created_at: datetime
    contacts: int = Field(0, description="contacts on this version")


class VersionDiff(BaseModel):
    from_version: int
    to_version: int
    changes: list[str]


class SequenceRead(BaseModel):
    id: int
    uid: str
    name: str
    status: Literal["draft", "live", "paused"]
    segment_id: int | None
    filter: SegmentFilter
    explanation: str
    audience_count: int
    exit_on_conversion: bool
    version: int
    steps: list[SequenceStep]
    timeline: list[str]
    created_by: str
    launched_at: datetime | None
    launched_by: str | None
    created_at: datetime
    updated_at: datetime


class StepStats(BaseModel):
    index: int
    key: str | None
    channel: str
    condition: str
    entered: int = Field(description="contacts this step was scheduled for")
    waiting: int
    sent: int
    skipped: int = Field(description="not sent because the condition was false or no consent")
    deferred: int = Field(description="moved later by quiet hours or the frequency cap (still sent)")
    cancelled: int
    funnel: Funnel
    revenue: float


class SequenceStats(BaseModel):
    sequence_id: int
    status: str
    enrollments: dict[str, int]
    by_version: dict[int, int]
    steps: list[StepStats]
    revenue: float

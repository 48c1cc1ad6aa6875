from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from crm.customers.schemas import CustomerRead
from crm.segments.dsl import SegmentFilter


class PreviewRequest(BaseModel):
    filter: SegmentFilter
    sample_size: int = Field(10, ge=0, le=50)


class AudiencePreview(BaseModel):
    count: int
    sample: list[CustomerRead]
    explanation: str
    filter: SegmentFilter


class SegmentCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    filter: SegmentFilter


class SegmentRead(BaseModel):
    id: int
    name: str
    filter: SegmentFilter
    explanation: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    count: int | None = None


class FieldValue(BaseModel):
    value: str
    count: int = Field(description="how many records carry it (customers; items bought for category/product)")


class FieldRead(BaseModel):
    name: str
    label: str
    description: str
    kind: str
    type: Literal["string", "number", "integer"]
    operators: list[str]
    unit: str
    within_days: bool = Field(description="takes the within_days qualifier (also listed in qualifiers)")
    qualifiers: list[Literal["within_days", "campaign_id", "channel"]] = Field(
        default_factory=list, description="the optional keys a condition on this field may carry besides op and value"
    )
    maximum: int | None = Field(None, description="the largest value the field takes, when it has one (min 0)")
    values: list[FieldValue] | None = None


class FieldsRead(BaseModel):
    fields: list[FieldRead]
    match: list[str] = ["all", "any", "none"]
    max_depth: int
    max_conditions: int

"""A sequence step as stored in a version: delay, channel, message, condition."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from crm.messages.reach import Channel

StepCondition = Literal["always", "if_not_opened_or_read", "if_not_clicked", "if_not_converted"]
DelayUnit = Literal["minutes", "hours", "days"]
UNIT_SECONDS = {"minutes": 60, "hours": 3600, "days": 86400}


class Delay(BaseModel):
    value: int = Field(ge=0, le=365 * 24 * 60)
    unit: DelayUnit = "days"

    def as_timedelta(self, time_scale: float = 1.0) -> timedelta:
        return timedelta(seconds=self.value * UNIT_SECONDS[self.unit] / time_scale)

    def describe(self) -> str:
        if self.value == 0:
            return "immediately"
        unit = self.unit[:-1] if self.value == 1 else self.unit
        return f"{self.value} {unit}"


class SequenceStep(BaseModel):
    key: Annotated[str, StringConstraints(min_length=1, max_length=40)] | None = Field(
        None, description="stable id of the step across versions (assigned when missing)"
    )
    delay: Delay = Field(default_factory=lambda: Delay(value=0), description="after the previous step (or entry)")
    channel: Channel
    subject: Annotated[str, StringConstraints(max_length=300)] | None = None
    body: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    condition: StepCondition = "always"


def step_delay(step: dict[str, Any], time_scale: float) -> timedelta:
    return Delay.model_validate(step.get("delay") or {"value": 0}).as_timedelta(time_scale)


CONDITION_TEXT = {
    "always": "always",
    "if_not_opened_or_read": "if they haven't opened or read anything yet",
    "if_not_clicked": "if they haven't clicked yet",
    "if_not_converted": "if they haven't bought yet",
}

"""A claimed send with everything needed to decide about it and render it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crm.models import Campaign, Communication, Customer, CustomerStats, Enrollment, Sequence, SequenceVersion


@dataclass
class ClaimedSend:
    communication: Communication
    customer: Customer
    stats: CustomerStats | None
    campaign: Campaign | None
    enrollment: Enrollment | None
    sequence: Sequence | None
    version: SequenceVersion | None

    @property
    def id(self) -> int:
        return self.communication.id

    def step(self) -> dict[str, Any] | None:
        """The sequence step this send belongs to, as the contact's version defines it."""
        index = self.communication.step_index
        if self.version is None or index is None or index >= len(self.version.steps):
            return None
        return self.version.steps[index]

    def message_templates(self) -> tuple[str | None, str]:
        """(subject, body) Liquid templates for this send."""
        if self.campaign is not None:
            return self.campaign.message_subject, self.campaign.message_body
        step = self.step()
        if step is None:
            raise ValueError(f"communication {self.communication.communication_id} has no message source")
        return step.get("subject"), step["body"]

"""A claimed send with everything needed to decide about it and render it.

The queue row and its recipient are plain values read by the claim statement itself (building ORM
entities for every row was most of a worker's time); only sequence sends, a minority, carry their
enrollment, sequence and version as ORM entities for `crm.sequences.journey`, which reads the
recipient's consents and addresses from the same plain values. The plain values are named tuples:
a worker builds three per send, and a tuple is ~10x quicker to make than a frozen dataclass.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from crm.models import Enrollment, Sequence, SequenceVersion


class QueueRow(NamedTuple):
    """The communications columns that deciding, rendering and acknowledging a send read."""

    id: int
    communication_id: str
    campaign_id: int | None
    sequence_id: int | None
    enrollment_id: int | None
    step_index: int | None
    customer_id: int
    channel: str
    to_address: str
    attempts: int
    variant: int | None = None


class Purchases(NamedTuple):
    last_item: str | None
    total_spent_minor: int
    order_count: int


class Recipient(NamedTuple):
    """The customer columns that deciding and rendering a send read; `stats` is None when the
    customer has no customer_stats row."""

    id: int
    name: str | None
    email: str | None
    phone: str | None
    city: str | None
    state: str | None
    birthday: date | None
    consent_email: bool
    consent_sms: bool
    consent_whatsapp: bool
    consent_rcs: bool
    stats: Purchases | None


class CampaignMessage(NamedTuple):
    subject: str | None
    body: str
    offer: str | None = None  # the campaign variables {{ offer }} and {{ coupon_code }}
    coupon_code: str | None = None


@dataclass
class ClaimedSend:
    communication: QueueRow
    recipient: Recipient
    campaign: CampaignMessage | None = None
    enrollment: Enrollment | None = None
    sequence: Sequence | None = None
    version: SequenceVersion | None = None

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
            return self.campaign.subject, self.campaign.body
        step = self.step()
        if step is None:
            raise ValueError(f"communication {self.communication.communication_id} has no message source")
        return step.get("subject"), step["body"]

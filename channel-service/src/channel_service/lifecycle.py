"""The outcome model: what happens to one message, and when, in simulated time.

Pure and deterministic. Every random draw is a function of (seed, communication_id, slot), so a
message's outcome, timings, conversion value and injected duplicates do not depend on arrival
order or on other messages. Nothing here knows about real time, asyncio or HTTP.

Per channel, a message's timeline is one of these paths (each a prefix of the full path):

- email:           sent -> delivered -> opened -> clicked -> converted
- whatsapp / rcs:  sent -> delivered -> read   -> clicked -> converted
- sms:             sent -> delivered -> clicked -> converted
- any channel:     sent -> failed (with a reason), and nothing after
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple, get_args

from pydantic import BaseModel, ConfigDict, Field

Channel = Literal["whatsapp", "sms", "email", "rcs"]
EventType = Literal["sent", "delivered", "opened", "read", "clicked", "converted", "failed"]

CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
EVENT_TYPES: Final[tuple[EventType, ...]] = get_args(EventType)

ENGAGEMENT_EVENT: Final[Mapping[Channel, EventType | None]] = {
    "email": "opened",
    "whatsapp": "read",
    "rcs": "read",
    "sms": None,
}
"""The channel's 'seen it' event between delivered and clicked (SMS has none)."""

FAILURE_REASONS: Final[Mapping[Channel, tuple[str, ...]]] = {
    "email": ("bounced", "blocked", "invalid_address", "spam_rejected"),
    "whatsapp": ("invalid_number", "blocked", "not_on_whatsapp"),
    "rcs": ("invalid_number", "blocked", "not_rcs_capable"),
    "sms": ("invalid_number", "blocked", "carrier_rejected", "dnd_registered"),
}

GAP_RANGES: Final[Mapping[EventType, tuple[float, float]]] = {
    "sent": (0.5, 5.0),
    "delivered": (2.0, 180.0),
    "failed": (1.0, 120.0),
    "opened": (60.0, 6 * 3600.0),
    "read": (30.0, 4 * 3600.0),
    "clicked": (10.0, 3 * 3600.0),
    "converted": (300.0, 38 * 3600.0),
}
"""Simulated seconds from the previous event (log-uniform between the bounds); a full path
spans at most about two days."""

DUPLICATE_DELAY_RANGE: Final[tuple[float, float]] = (1.0, 1800.0)
"""Simulated seconds after an event at which its injected duplicate is emitted."""

CONVERSION_VALUE_RANGE: Final[tuple[float, float]] = (299.0, 3999.0)
"""Order value (INR) of a conversion."""

_MASK64: Final = (1 << 64) - 1
_GOLDEN64: Final = 0x9E3779B97F4A7C15

# Independent draw slots per message.
_SLOT_FAILURE: Final = 0
_SLOT_ENGAGED: Final = 1
_SLOT_CLICKED: Final = 2
_SLOT_CONVERTED: Final = 3
_SLOT_REASON: Final = 4
_SLOT_VALUE: Final = 5
_SLOT_GAP: Final = 10
_SLOT_DUPLICATE: Final = 20
_SLOT_DUPLICATE_DELAY: Final = 30


class ChannelRates(BaseModel):
    """Outcome probabilities of one channel, each conditional on the previous step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    failure: float = Field(ge=0, le=1, description="P(failed) of a sent message")
    engaged: float = Field(ge=0, le=1, description="P(opened / read | delivered); ignored for SMS")
    clicked: float = Field(ge=0, le=1, description="P(clicked | engaged, or delivered for SMS)")
    converted: float = Field(ge=0, le=1, description="P(converted | clicked)")


@dataclass(frozen=True, slots=True)
class LifecyclePath:
    """The ordered event types of one message's timeline (shared between messages)."""

    channel: Channel
    events: tuple[EventType, ...]
    reason: str | None


class PlannedEvent(NamedTuple):
    """One event of a message's timeline."""

    type: EventType
    offset: float
    """Simulated seconds since the message was accepted."""
    value: float | None
    reason: str | None
    duplicated: bool


def unit_draw(key: int, slot: int) -> float:
    """A uniform float in [0, 1) determined by (key, slot): one splitmix64 step."""
    z = (key + (slot + 1) * _GOLDEN64) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    z ^= z >> 31
    return (z >> 11) * (1.0 / (1 << 53))


def _log_uniform(low: float, high: float, u: float) -> float:
    return float(low * (high / low) ** u)


class OutcomeModel:
    """Seeded per-channel outcome model; see the module docstring for the paths."""

    __slots__ = ("_duplicate_rate", "_paths", "_rates", "_seed_key")

    def __init__(self, seed: int, rates: Mapping[str, ChannelRates], duplicate_rate: float) -> None:
        missing = set(CHANNELS) - set(rates)
        if missing:
            raise ValueError(f"no outcome rates for channels: {sorted(missing)}")
        self._seed_key = str(seed).encode()
        self._rates = dict(rates)
        self._duplicate_rate = duplicate_rate
        self._paths: dict[tuple[Channel, tuple[EventType, ...], str | None], LifecyclePath] = {}

    def key_for(self, communication_id: str) -> int:
        """The 64-bit key from which every draw for this message derives."""
        digest = hashlib.blake2b(communication_id.encode(), digest_size=8, key=self._seed_key).digest()
        return int.from_bytes(digest, "big")

    def path_for(self, key: int, channel: Channel) -> LifecyclePath:
        """The message's event types in order (instances are shared, so they cost no memory)."""
        rates = self._rates[channel]
        events: list[EventType] = ["sent"]
        reason: str | None = None
        if unit_draw(key, _SLOT_FAILURE) < rates.failure:
            reasons = FAILURE_REASONS[channel]
            reason = reasons[int(unit_draw(key, _SLOT_REASON) * len(reasons))]
            events.append("failed")
        else:
            events.append("delivered")
            engagement = ENGAGEMENT_EVENT[channel]
            engaged = engagement is None or unit_draw(key, _SLOT_ENGAGED) < rates.engaged
            if engagement is not None and engaged:
                events.append(engagement)
            if engaged and unit_draw(key, _SLOT_CLICKED) < rates.clicked:
                events.append("clicked")
                if unit_draw(key, _SLOT_CONVERTED) < rates.converted:
                    events.append("converted")
        cache_key = (channel, tuple(events), reason)
        path = self._paths.get(cache_key)
        if path is None:
            path = LifecyclePath(channel=channel, events=cache_key[1], reason=reason)
            self._paths[cache_key] = path
        return path

    def offset_at(self, key: int, path: LifecyclePath, step: int) -> float:
        """Simulated seconds from acceptance to event number `step` of the path."""
        offset = 0.0
        for index in range(step + 1):
            low, high = GAP_RANGES[path.events[index]]
            offset += _log_uniform(low, high, unit_draw(key, _SLOT_GAP + index))
        return offset

    def value_for(self, key: int) -> float:
        """Order value of a conversion: a price point ending in 9, within 299..3999 INR."""
        low, high = CONVERSION_VALUE_RANGE
        raw = _log_uniform(low, high, unit_draw(key, _SLOT_VALUE))
        return float(min(high, max(low, int(raw) // 10 * 10 + 9)))

    def is_duplicated(self, key: int, step: int) -> bool:
        """Whether event number `step` is emitted a second time."""
        return unit_draw(key, _SLOT_DUPLICATE + step) < self._duplicate_rate

    def duplicate_delay(self, key: int, step: int) -> float:
        """Simulated seconds between an event and its injected duplicate."""
        low, high = DUPLICATE_DELAY_RANGE
        return _log_uniform(low, high, unit_draw(key, _SLOT_DUPLICATE_DELAY + step))

    def plan(self, communication_id: str, channel: Channel) -> tuple[PlannedEvent, ...]:
        """The whole timeline of one message (what the player emits, step by step)."""
        key = self.key_for(communication_id)
        path = self.path_for(key, channel)
        return tuple(
            PlannedEvent(
                type=event_type,
                offset=self.offset_at(key, path, step),
                value=self.value_for(key) if event_type == "converted" else None,
                reason=path.reason if event_type == "failed" else None,
                duplicated=self.is_duplicated(key, step),
            )
            for step, event_type in enumerate(path.events)
        )

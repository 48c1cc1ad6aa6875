"""The outcome model on its own: per-channel ordering rules, rates, determinism."""

from __future__ import annotations

import pytest

from channel_service.config import Settings
from channel_service.lifecycle import (
    CHANNELS,
    CONVERSION_VALUE_RANGE,
    FAILURE_REASONS,
    Channel,
    ChannelRates,
    OutcomeModel,
    PlannedEvent,
)

FULL_PATH: dict[Channel, list[str]] = {
    "email": ["sent", "delivered", "opened", "clicked", "converted"],
    "whatsapp": ["sent", "delivered", "read", "clicked", "converted"],
    "rcs": ["sent", "delivered", "read", "clicked", "converted"],
    "sms": ["sent", "delivered", "clicked", "converted"],
}
TWO_DAYS = 2 * 24 * 3600.0


def default_model(seed: int = 7, duplicate_rate: float = 0.05) -> OutcomeModel:
    return OutcomeModel(seed, Settings(_env_file=None).channel_rates(), duplicate_rate)


def assert_valid_timeline(channel: Channel, plan: tuple[PlannedEvent, ...]) -> None:
    types = [event.type for event in plan]
    assert len(types) == len(set(types)), types
    offsets = [event.offset for event in plan]
    assert offsets == sorted(offsets) and offsets[0] > 0 and offsets[-1] <= TWO_DAYS
    if "failed" in types:
        assert types == ["sent", "failed"]
        assert plan[1].reason in FAILURE_REASONS[channel]
    else:
        # every non-failed timeline is a prefix of the channel's full path, at least delivered
        assert types == FULL_PATH[channel][: len(types)] and len(types) >= 2
        assert all(event.reason is None for event in plan)
    for event in plan:
        if event.type == "converted":
            assert event.value is not None
            assert CONVERSION_VALUE_RANGE[0] <= event.value <= CONVERSION_VALUE_RANGE[1]
        else:
            assert event.value is None


@pytest.mark.parametrize("channel", CHANNELS)
def test_timelines_follow_the_channel_rules(channel: Channel) -> None:
    model = default_model()
    for n in range(3000):
        plan = model.plan(f"comm-{channel}-{n}", channel)
        assert_valid_timeline(channel, plan)
        types = {event.type for event in plan}
        if channel in ("sms", "email"):
            assert "read" not in types
        if channel != "email":
            assert "opened" not in types


def test_the_rules_hold_for_extreme_rates() -> None:
    always = ChannelRates(failure=0.0, engaged=1.0, clicked=1.0, converted=1.0)
    model = OutcomeModel(1, dict.fromkeys(CHANNELS, always), 0.0)
    for channel in CHANNELS:
        plan = model.plan(f"x-{channel}", channel)
        assert [e.type for e in plan] == FULL_PATH[channel]
    never = ChannelRates(failure=1.0, engaged=1.0, clicked=1.0, converted=1.0)
    model = OutcomeModel(1, dict.fromkeys(CHANNELS, never), 0.0)
    for channel in CHANNELS:
        assert [e.type for e in model.plan(f"y-{channel}", channel)] == ["sent", "failed"]


@pytest.mark.parametrize("channel", CHANNELS)
def test_rates_match_the_settings_over_10k_messages(channel: Channel) -> None:
    rates = Settings(_env_file=None).channel_rates()[channel]
    model = default_model(seed=99)
    n = 10_000
    plans = [[e.type for e in model.plan(f"rate-{n}-{i}", channel)] for i in range(n)]
    failed = sum("failed" in p for p in plans)
    delivered = sum("delivered" in p for p in plans)
    assert failed / n == pytest.approx(rates.failure, abs=0.01)
    assert failed + delivered == n
    engaged = delivered
    engagement = {"email": "opened", "whatsapp": "read", "rcs": "read"}.get(channel)
    if engagement is not None:
        engaged = sum(engagement in p for p in plans)
        assert engaged / delivered == pytest.approx(rates.engaged, abs=0.02)
    clicked = sum("clicked" in p for p in plans)
    assert clicked / engaged == pytest.approx(rates.clicked, abs=0.03)
    converted = sum("converted" in p for p in plans)
    assert converted / max(clicked, 1) == pytest.approx(rates.converted, abs=0.06)


def test_duplicates_follow_the_configured_rate() -> None:
    model = default_model(duplicate_rate=0.05)
    events = [e for i in range(10_000) for e in model.plan(f"dup-{i}", "whatsapp")]
    share = sum(e.duplicated for e in events) / len(events)
    assert share == pytest.approx(0.05, abs=0.01)
    assert not any(e.duplicated for i in range(500) for e in default_model(duplicate_rate=0.0).plan(f"dup-{i}", "sms"))


def test_same_seed_same_outcomes_whatever_the_order() -> None:
    ids = [f"order-{i}" for i in range(500)]
    first = {cid: default_model(seed=5).plan(cid, "email") for cid in ids}
    model = default_model(seed=5)
    second = {cid: model.plan(cid, "email") for cid in reversed(ids)}
    assert first == second
    other = {cid: default_model(seed=6).plan(cid, "email") for cid in ids}
    assert other != first


def test_conversion_values_are_realistic_price_points() -> None:
    model = default_model()
    values = [model.value_for(model.key_for(f"v-{i}")) for i in range(5000)]
    assert min(values) >= 299 and max(values) <= 3999
    assert all(v % 10 == 9 for v in values)
    assert len(set(values)) > 100
    assert 600 < sorted(values)[len(values) // 2] < 1800


def test_timings_spread_from_seconds_to_days() -> None:
    model = default_model()
    plans = [model.plan(f"t-{i}", "whatsapp") for i in range(5000)]
    delivered = [e.offset for p in plans for e in p if e.type == "delivered"]
    converted = [e.offset for p in plans for e in p if e.type == "converted"]
    assert min(delivered) < 10 and max(delivered) < 200
    assert max(converted) > 12 * 3600

"""Steps of a sequence read from normalised text: Hinglish timing ("2 din baad"), shorthand
channels ("WA") and "a series" all plan the same steps as plain English."""

from __future__ import annotations

from crm.agent.planner.normalise import normalise
from crm.agent.planner.sequence_plan import is_multi_step, plan_steps


def test_hinglish_and_shorthand_steps() -> None:
    goal = normalise("lapsed kajal custs ke liye series: WA abhi, email 2 din baad")
    assert is_multi_step(goal)
    assert [(s.channel, s.delay_value, s.delay_unit) for s in plan_steps(goal)] == [
        ("whatsapp", 0, "days"),
        ("email", 2, "days"),
    ]


def test_a_series_is_a_sequence() -> None:
    assert is_multi_step("a series for lapsed lipstick buyers")
    assert not is_multi_step("thank our VIPs on WhatsApp")

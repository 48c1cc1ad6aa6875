"""Version bookkeeping: stable step keys and a readable account of what changed."""

from __future__ import annotations

import uuid
from typing import Any

from crm.sequences.steps import CONDITION_TEXT, Delay, SequenceStep

LABELS = {"whatsapp": "WhatsApp", "sms": "SMS", "email": "email", "rcs": "RCS"}


def with_keys(steps: list[SequenceStep]) -> list[dict[str, Any]]:
    """Stored steps: each keeps its key across versions; a new step gets a fresh one."""
    out = []
    for step in steps:
        data = step.model_dump(mode="json")
        data["key"] = data.get("key") or uuid.uuid4().hex[:8]
        out.append(data)
    return out


def describe_step(step: dict[str, Any]) -> str:
    return f"{LABELS[step['channel']]} after {Delay.model_validate(step['delay']).describe()}"


def timeline(steps: list[dict[str, Any]]) -> list[str]:
    lines = []
    for n, step in enumerate(steps, start=1):
        condition = CONDITION_TEXT[step.get("condition", "always")]
        when = Delay.model_validate(step["delay"]).describe()
        when = (
            "at entry"
            if when == "immediately" and n == 1
            else ("right after" if when == "immediately" else f"{when} later")
        )
        lines.append(f"Step {n}: {LABELS[step['channel']]} {when}, {condition}")
    return lines


def diff_steps(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """Plain-English changes from `before` to `after`, matching steps by their stable key."""
    changes: list[str] = []
    old = {s["key"]: (i, s) for i, s in enumerate(before)}
    new = {s["key"]: (i, s) for i, s in enumerate(after)}
    for key, (i, step) in new.items():
        if key not in old:
            changes.append(f"added step {i + 1}: {describe_step(step)}")
    for key, (i, step) in old.items():
        if key not in new:
            changes.append(f"removed step {i + 1}: {describe_step(step)}")
    kept_before = [s["key"] for s in before if s["key"] in new]
    kept_after = [s["key"] for s in after if s["key"] in old]
    if kept_before != kept_after:
        changes.append("reordered steps: " + " → ".join(str(new[k][0] + 1) for k in kept_before))
    for key, (i, step) in new.items():
        if key not in old:
            continue
        previous = old[key][1]
        label = f"step {i + 1}"
        if previous["delay"] != step["delay"]:
            changes.append(
                f"{label} delay: {Delay.model_validate(previous['delay']).describe()} → "
                f"{Delay.model_validate(step['delay']).describe()}"
            )
        if previous["channel"] != step["channel"]:
            changes.append(f"{label} channel: {LABELS[previous['channel']]} → {LABELS[step['channel']]}")
        if previous.get("condition") != step.get("condition"):
            changes.append(f"{label} condition: {previous.get('condition')} → {step.get('condition')}")
        if previous.get("subject") != step.get("subject"):
            changes.append(f"{label} subject: “{previous.get('subject') or ''}” → “{step.get('subject') or ''}”")
        if previous["body"] != step["body"]:
            changes.append(f"{label} message changed")
    return changes

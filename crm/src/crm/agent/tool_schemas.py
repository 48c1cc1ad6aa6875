"""JSON Schemas for the copilot's tool arguments, generated from the segment field table so
the model sees exactly the fields, operators and limits the DSL validator enforces."""

from __future__ import annotations

from typing import Any

from crm.segments.dsl import MAX_DEPTH
from crm.segments.fields import CHANNELS, FIELDS, OPERATORS


def field_guide() -> str:
    lines = []
    for spec in FIELDS.values():
        unit = f" ({spec.unit})" if spec.unit else ""
        within = "; optional within_days" if spec.supports_within_days else ""
        lines.append(
            f"{spec.name}: {spec.value_type}{unit}, ops {'/'.join(spec.operators)}{within} — {spec.description}"
        )
    return "\n".join(lines)


def condition_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "field": {"type": "string", "enum": list(FIELDS)},
            "op": {"type": "string", "enum": list(OPERATORS)},
            "value": {
                "description": "a string or number; a list for in/not_in; [low, high] for between; "
                "true/false for exists",
            },
            "within_days": {"type": "integer", "minimum": 0, "description": "category/product only"},
        },
        "required": ["field", "op"],
    }


def filter_schema(depth: int = 3) -> dict[str, Any]:
    """A group of conditions; groups nest (spelled out to a few levels, no $ref, so every
    provider's schema dialect accepts it). The validator allows up to MAX_DEPTH levels."""
    item: dict[str, Any] = condition_schema()
    if depth > 1:
        item = {"anyOf": [condition_schema(), filter_schema(depth - 1)]}
    return {
        "type": "object",
        "description": f"Audience filter. Groups nest up to {MAX_DEPTH} deep. Fields:\n{field_guide()}",
        "properties": {
            "match": {"type": "string", "enum": ["all", "any", "none"]},
            "conditions": {"type": "array", "items": item},
        },
        "required": ["match", "conditions"],
    }


CHANNEL_SCHEMA: dict[str, Any] = {"type": "string", "enum": list(CHANNELS)}

STEP_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "delay": {
            "type": "object",
            "properties": {
                "value": {"type": "integer", "minimum": 0},
                "unit": {"type": "string", "enum": ["minutes", "hours", "days"]},
            },
            "required": ["value", "unit"],
            "description": "wait after the previous step (or entry for the first)",
        },
        "channel": CHANNEL_SCHEMA,
        "subject": {"type": "string", "description": "email only"},
        "body": {"type": "string"},
        "condition": {
            "type": "string",
            "enum": ["always", "if_not_opened_or_read", "if_not_clicked", "if_not_converted"],
        },
    },
    "required": ["delay", "channel", "body"],
}

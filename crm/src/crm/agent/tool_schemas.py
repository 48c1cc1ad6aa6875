"""JSON Schemas for the copilot's tool arguments, generated from the tools' Pydantic argument
models (so the schema a model sees and the validation its call meets cannot drift apart), with
the audience filter spelled out from the segment field table so the model sees exactly the
fields, operators and limits the DSL validator enforces.

Every provider's schema dialect must accept the result, so it is plain: no `$ref` (definitions
are inlined; the recursive filter is spelled out a few levels deep), no `title`s, and an optional
argument is simply not required (no `null` branch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from crm.segments.dsl import MAX_DEPTH
from crm.segments.fields import FIELDS, OPERATORS


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


# Definitions replaced by a hand-tuned, field-table-driven schema instead of Pydantic's own.
SUBSTITUTES: dict[str, Callable[[], dict[str, Any]]] = {"SegmentFilter": filter_schema, "FilterGroup": filter_schema}
DROPPED_KEYWORDS = frozenset({"title"})


def tool_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of one tool's arguments object, from its Pydantic model."""
    schema = model.model_json_schema()
    definitions: dict[str, Any] = schema.pop("$defs", {})
    resolved = _resolve(schema, definitions)
    resolved.setdefault("properties", {})
    resolved["type"] = "object"
    return resolved


def _resolve(node: dict[str, Any], definitions: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        name = str(node["$ref"]).rsplit("/", 1)[-1]
        target = SUBSTITUTES[name]() if name in SUBSTITUTES else _resolve(definitions[name], definitions)
        extra = {k: v for k, v in node.items() if k != "$ref" and k not in DROPPED_KEYWORDS}
        return {**target, **extra}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in DROPPED_KEYWORDS or (key == "default" and value is None):
            continue
        if key == "properties":
            out[key] = {name: _resolve(prop, definitions) for name, prop in value.items()}
        elif isinstance(value, dict):
            out[key] = _resolve(value, definitions)
        elif isinstance(value, list):
            out[key] = [_resolve(v, definitions) if isinstance(v, dict) else v for v in value]
        else:
            out[key] = value
    branches = out.get("anyOf")
    if isinstance(branches, list):
        not_null = [b for b in branches if b != {"type": "null"}]
        if len(not_null) < len(branches):
            rest = {k: v for k, v in out.items() if k != "anyOf"}
            out = {**not_null[0], **rest} if len(not_null) == 1 else {**rest, "anyOf": not_null}
    return out

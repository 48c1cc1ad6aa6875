"""The copilot's tool schemas are generated from their Pydantic argument models: what a model is
shown and what its call is validated against are the same, in a dialect every provider takes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crm.agent.tools import TOOLS, StageSequenceArgs
from crm.segments.fields import FIELDS


def walk(node: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found.extend(walk(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(walk(value))
    return found


@pytest.mark.parametrize("name", list(TOOLS))
def test_each_schema_is_its_argument_model(name: str) -> None:
    tool = TOOLS[name]
    schema = tool.spec.parameters
    fields = tool.arguments.model_fields
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(fields)
    assert set(schema.get("required", [])) == {n for n, f in fields.items() if f.is_required()}
    assert schema["additionalProperties"] is False  # unknown keys are refused, and the model is told so
    text = json.dumps(schema)
    assert "$ref" not in text and "$defs" not in text
    assert all(n.get("type") != "null" for n in walk(schema)), "optional arguments are just not required"
    assert not any(isinstance(n.get("title"), str) for n in walk(schema)), "no titles: some dialects refuse them"


def test_a_new_argument_appears_in_the_schema_without_editing_it() -> None:
    schema = TOOLS["stage_sequence"].spec.parameters
    step = schema["properties"]["steps"]["items"]
    assert set(step["properties"]) == set(StageSequenceArgs.model_fields["steps"].annotation.__args__[0].model_fields)  # type: ignore[union-attr]
    assert step["properties"]["condition"]["enum"] == [
        "always",
        "if_not_opened_or_read",
        "if_not_clicked",
        "if_not_converted",
    ]
    assert step["properties"]["delay"]["properties"]["unit"]["enum"] == ["minutes", "hours", "days"]
    assert step["additionalProperties"] is False


def test_the_audience_filter_is_spelled_out_from_the_field_table() -> None:
    audience = TOOLS["preview_audience"].spec.parameters["properties"]["filter"]
    condition = audience["properties"]["conditions"]["items"]["anyOf"][0]
    assert condition["properties"]["field"]["enum"] == list(FIELDS)
    assert audience["properties"]["match"]["enum"] == ["all", "any", "none"]

"""The filter DSL as Pydantic models, with a whole-tree check that names the bad node's path.

{"match": "all", "conditions": [{"field": "city", "op": "eq", "value": "Pune"},
                                {"match": "any", "conditions": [...]}]}
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from crm.segments.fields import CHANNELS, FIELDS, OPERATORS, FieldKind, FieldSpec, MatchMode, Operator

MAX_DEPTH = 5
MAX_CONDITIONS = 50
MAX_LIST_VALUES = 500
MAX_DAYS = 36_500
MAX_ID = 2**63 - 1


class Condition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(description="a field from GET /api/segments/fields")
    op: Operator
    value: Any = None
    within_days: int | None = Field(
        None,
        ge=0,
        le=MAX_DAYS,
        description="category, product and engagement only: within the last N days",
        exclude_if=lambda v: v is None,
    )
    campaign_id: int | None = Field(
        None, ge=1, description="engagement only: a message of this campaign", exclude_if=lambda v: v is None
    )
    channel: str | None = Field(
        None, description="engagement only: a message on this channel", exclude_if=lambda v: v is None
    )


def _node_kind(node: Any) -> str:
    if isinstance(node, dict):
        return "condition" if "field" in node else "group"
    return "condition" if isinstance(node, Condition) else "group"


class FilterGroup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: MatchMode = "all"
    conditions: list[
        Annotated[
            Union[Annotated[Condition, Tag("condition")], Annotated[FilterGroup, Tag("group")]],  # noqa: UP007
            Discriminator(_node_kind),
        ]
    ] = Field(default_factory=list)


class SegmentFilter(FilterGroup):
    """A whole filter tree: checked against the field table before it is parsed."""

    @model_validator(mode="before")
    @classmethod
    def _check_tree(cls, data: Any) -> Any:
        counter = [0]
        return normalise_group(data, "", 1, counter)


class FilterError(ValueError):
    pass


def _fail(path: str, message: str) -> FilterError:
    return FilterError(f"{path or 'filter'}: {message}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def normalise_group(data: Any, path: str, depth: int, counter: list[int]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(path, "a group must be an object with 'match' and 'conditions'")
    unknown = set(data) - {"match", "conditions"}
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))} in a group")
    if depth > MAX_DEPTH:
        raise _fail(path, f"groups nest at most {MAX_DEPTH} deep")
    match = data.get("match", "all")
    if match not in ("all", "any", "none"):
        raise _fail(_join(path, "match"), f"must be all, any or none, not {match!r}")
    conditions = data.get("conditions", [])
    if not isinstance(conditions, list):
        raise _fail(_join(path, "conditions"), "must be a list")
    out: list[dict[str, Any]] = []
    for index, node in enumerate(conditions):
        node_path = f"{_join(path, 'conditions')}[{index}]"
        if isinstance(node, dict) and "field" not in node and ("conditions" in node or "match" in node):
            out.append(normalise_group(node, node_path, depth + 1, counter))
        else:
            counter[0] += 1
            if counter[0] > MAX_CONDITIONS:
                raise _fail(node_path, f"a filter has at most {MAX_CONDITIONS} conditions")
            out.append(normalise_condition(node, node_path))
    return {"match": match, "conditions": out}


def normalise_condition(node: Any, path: str) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise _fail(path, "a condition must be an object with field, op and value")
    unknown = set(node) - {"field", "op", "value", "within_days", "campaign_id", "channel"}
    if unknown:
        raise _fail(path, f"unknown key(s) {', '.join(sorted(unknown))} in a condition")
    name = node.get("field")
    spec = FIELDS.get(name) if isinstance(name, str) else None
    if spec is None:
        raise _fail(_join(path, "field"), f"unknown field {name!r}; use one of {', '.join(FIELDS)}")
    op = node.get("op")
    if op not in OPERATORS:
        raise _fail(_join(path, "op"), f"unknown operator {op!r}; use one of {', '.join(OPERATORS)}")
    if op not in spec.operators:
        raise _fail(
            _join(path, "op"),
            f"operator {op!r} does not apply to {spec.name} ({spec.kind}); use one of {', '.join(spec.operators)}",
        )
    value = normalise_value(spec, op, node.get("value"), _join(path, "value"))
    result: dict[str, Any] = {"field": spec.name, "op": op, "value": value}
    for qualifier in ("within_days", "campaign_id", "channel"):
        given = node.get(qualifier)
        if given is None:
            continue
        if qualifier not in spec.qualifiers:
            takers = [s.name for s in FIELDS.values() if qualifier in s.qualifiers]
            raise _fail(_join(path, qualifier), f"{qualifier} applies to {', '.join(takers)}, not {spec.name}")
        result[qualifier] = normalise_qualifier(qualifier, given, _join(path, qualifier))
    return result


def normalise_qualifier(qualifier: str, value: Any, path: str) -> Any:
    if qualifier == "channel":
        if not isinstance(value, str) or value.strip().lower() not in CHANNELS:
            raise _fail(path, f"unknown channel {value!r}; use one of {', '.join(CHANNELS)}")
        return value.strip().lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if qualifier == "campaign_id":
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise _fail(path, "must be a campaign id (a whole number from 1)")
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
        raise _fail(path, f"must be a whole number of days from 0 to {MAX_DAYS}")
    return value


def normalise_value(spec: FieldSpec, op: str, value: Any, path: str) -> Any:
    if op == "exists":
        if value is None:
            return True
        if not isinstance(value, bool):
            raise _fail(path, "exists takes true or false")
        return value
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise _fail(path, "between takes a list of two values [low, high]")
        low, high = (scalar(spec, v, f"{path}[{i}]") for i, v in enumerate(value))
        if low > high:
            raise _fail(path, f"between needs low <= high, got [{low}, {high}]")
        return [low, high]
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not value:
            raise _fail(path, f"{op} takes a non-empty list of values")
        if len(value) > MAX_LIST_VALUES:
            raise _fail(path, f"{op} takes at most {MAX_LIST_VALUES} values")
        return [scalar(spec, v, f"{path}[{i}]") for i, v in enumerate(value)]
    return scalar(spec, value, path)


MAX_INTEGER = 2**31 - 1  # the integer columns' range (and far beyond any count, age or day)


def scalar(spec: FieldSpec, value: Any, path: str) -> Any:
    kind = spec.value_type
    if kind == "string":
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, f"{spec.name} takes a non-empty text value")
        text = value.strip()
        if len(text) > 200:
            raise _fail(path, "text values are at most 200 characters")
        allowed = spec.fixed_values
        if allowed and text.lower() not in allowed:
            what = "channel" if spec.kind is FieldKind.CHANNEL else f"{spec.name} stage"
            raise _fail(path, f"unknown {what} {text!r}; use one of {', '.join(allowed)}")
        return text.lower() if allowed else text
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(path, f"{spec.name} takes a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise _fail(path, f"{spec.name} takes a finite number")
    if kind == "integer" and value > MAX_INTEGER:
        raise _fail(path, f"{spec.name} is at most {MAX_INTEGER}")
    if value < 0:
        raise _fail(path, f"{spec.name} cannot be negative")
    maximum = spec.maximum
    if maximum is not None and value > maximum:
        raise _fail(path, f"{spec.name} is at most {maximum}")
    if kind == "integer":
        if isinstance(value, float) and not value.is_integer():
            raise _fail(path, f"{spec.name} takes a whole number")
        if spec.kind in (FieldKind.DAYS_AGO, FieldKind.AGE) and value > MAX_DAYS:
            raise _fail(path, f"{spec.name} is at most {MAX_DAYS}")
        return int(value)
    if value > 1e12:
        raise _fail(path, f"{spec.name} is too large")
    return value


def iter_conditions(group: FilterGroup) -> list[Condition]:
    found: list[Condition] = []
    for node in group.conditions:
        if isinstance(node, Condition):
            found.append(node)
        else:
            found.extend(iter_conditions(node))
    return found

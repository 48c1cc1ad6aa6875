"""Prints the CRM's OpenAPI document as JSON (run with the repo's .venv python).

Schemas embedded with `Model.model_json_schema()` (e.g. via `openapi_extra`) carry their own
`$defs` with `#/$defs/...` references, which OpenAPI tools cannot resolve; they are hoisted
into `components.schemas` so openapi-typescript can read the document.
"""

import json
from typing import Any

from crm.main import create_app


def hoist_defs(node: Any, schemas: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        for name, schema in node.pop("$defs", {}).items():
            schemas.setdefault(name, hoist_defs(schema, schemas))
        return {
            key: value.replace("#/$defs/", "#/components/schemas/")
            if key == "$ref" and isinstance(value, str)
            else hoist_defs(value, schemas)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [hoist_defs(item, schemas) for item in node]
    return node


document = create_app().openapi()
components = document.setdefault("components", {}).setdefault("schemas", {})
document["paths"] = hoist_defs(document["paths"], components)
print(json.dumps(document, indent=2))

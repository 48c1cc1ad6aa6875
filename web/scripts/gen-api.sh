#!/bin/sh
# Regenerates openapi.json and src/api/schema.d.ts from the CRM's FastAPI app.
# With an argument, writes both into that directory instead (used by check-api.sh).
set -eu
web=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$web}
mkdir -p "$out/src/api"
(cd "$web/.." && .venv/bin/python "$web/scripts/export_openapi.py") > "$out/openapi.json"
"$web/node_modules/.bin/openapi-typescript" "$out/openapi.json" -o "$out/src/api/schema.d.ts" --silent

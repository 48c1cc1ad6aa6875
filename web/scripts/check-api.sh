#!/bin/sh
# Fails when the committed openapi.json / schema.d.ts differ from what the CRM generates now.
set -eu
web=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$web/scripts/gen-api.sh" "$tmp"
if ! diff -u "$web/openapi.json" "$tmp/openapi.json" >/dev/null \
  || ! diff -u "$web/src/api/schema.d.ts" "$tmp/src/api/schema.d.ts"; then
  echo "web/src/api is out of date with the CRM's OpenAPI: run 'make -C web gen-api' and commit" >&2
  exit 1
fi
echo "API client matches the CRM's OpenAPI"

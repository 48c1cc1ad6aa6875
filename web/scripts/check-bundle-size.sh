#!/bin/sh
# Fails when the production build's JavaScript, gzipped, exceeds the budget (default 500 kB).
# Run after `vite build`; `make build` does.
set -eu
web=$(cd "$(dirname "$0")/.." && pwd)
budget=${BUNDLE_BUDGET_BYTES:-512000}
total=0
for file in "$web"/dist/assets/*.js; do
  size=$(gzip -9 -c "$file" | wc -c)
  total=$((total + size))
done
if [ "$total" -eq 0 ]; then
  echo "no JavaScript in web/dist/assets: build first" >&2
  exit 1
fi
echo "gzipped JavaScript: $total bytes (budget $budget)"
if [ "$total" -gt "$budget" ]; then
  echo "the production bundle is over its budget" >&2
  exit 1
fi

#!/usr/bin/env bash
# Runs schemathesis against a running Paperstand: every operation of /api/openapi.json,
# all checks (no 5xx, responses match the schema, …). Usage: schemathesis_run.sh BASE_URL
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
st="$here/../../../../.venv-test/bin/schemathesis"
exec "$st" run "$1/api/openapi.json" --url "$1" --checks all --max-examples 40 --seed 1 \
    --request-timeout 10 --no-color

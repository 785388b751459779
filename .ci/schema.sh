#!/usr/bin/env bash
# Validate `apimlint schema` with a real JSON Schema validator
# (python-jsonschema, Draft7Validator): the sample nodes validate, wrong
# values are rejected naming their key, the schema rejects exactly what the
# linter rejects (a differential test over every known key), and the corpus
# files that parse with tomllib validate (.ci/schema.py says what is checked).
#
#   .ci/schema.sh APIMLINT_BINARY [CORPUS_DIR]   (default: ../shared/corpus)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
corpus=${2:-$repo/../shared/corpus}
venv="${TMPDIR:-/tmp}/apimlint-ci-schema-venv"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import jsonschema' 2>/dev/null ||
    "$venv/bin/pip" install -q "jsonschema==4.26.0"
# tomllib: Python 3.11+
"$venv/bin/python" -c 'import tomllib' ||
    { echo "schema: Python 3.11 or newer is needed (tomllib)" >&2; exit 2; }
exec "$venv/bin/python" "$repo/.ci/schema.py" "$bin" "$repo" "$corpus"

#!/usr/bin/env bash
# Run the GitHub Action (action.yml) as a runner would (.ci/action.py), on a
# workspace that is not this repository: it installs apimlint with cargo,
# writes SARIF, annotates a broken deployment (exit 1) and passes a clean one.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "PyYAML==6.0.3"
py="$work/venv/bin/python"

ws="$work/workspace"
mkdir -p "$ws/deployments"
cp -r "$repo/fixtures/deployments/pattern-1-broken" "$ws/deployments/prod"
cp -r "$repo/fixtures/deployments/pattern-1" "$ws/deployments/staging"

"$py" "$repo/.ci/action.py" "$ws" "deployments/prod" --sarif apimlint.sarif --expect-exit 1 >"$work/out" 2>&1 ||
    { cat "$work/out"; echo "action: the broken deployment did not fail the action" >&2; exit 1; }
grep -q '^::error file=deployments/prod/region-1/gw-2/repository/conf/deployment.toml,line=58,col=19,' "$work/out" ||
    { cat "$work/out"; echo "action: no annotation for the broken gateway label" >&2; exit 1; }
grep -q "uses github/codeql-action/upload-sarif" "$work/out" || { cat "$work/out"; exit 1; }
node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1])); if (l.version !== "2.1.0" || !l.runs[0].results.length) process.exit(1)' "$ws/apimlint.sarif" ||
    { echo "action: no SARIF written" >&2; exit 1; }
echo "action: a broken deployment fails with annotations and SARIF"

"$py" "$repo/.ci/action.py" "$ws" "deployments/staging" --expect-exit 0 >"$work/out" 2>&1 ||
    { cat "$work/out"; echo "action: the clean deployment failed" >&2; exit 1; }
grep -q "no problems found" "$work/out" || { cat "$work/out"; exit 1; }
echo "action: a clean deployment passes"

#!/usr/bin/env bash
# Parse `apimlint graph --format mermaid` with Mermaid's own parser (npm
# mermaid + jsdom), for the samples and every rule page's example (the
# trees `crates/pages` writes).
#
#   .ci/mermaid.sh APIMLINT_BINARY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm install --silent --no-audit --no-fund --no-save mermaid@11.17.2 jsdom@29.1.1 >/dev/null)
cat >"$work/parse.mjs" <<'JS'
import fs from 'fs';
import { JSDOM } from 'jsdom';
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import('mermaid')).default;
let failed = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = await mermaid.parse(fs.readFileSync(file, 'utf8'));
    if (!r || r.diagramType !== 'flowchart-v2') throw new Error(`not a flowchart: ${JSON.stringify(r)}`);
  } catch (e) {
    console.error(`mermaid: ${file}: ${e.message || e}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
JS
cd "$repo"
files=()
n=0
cargo run -q --locked -p apimlint_pages -- "$work/pages" >/dev/null
for t in fixtures/deployments/pattern-1 fixtures/deployments/pattern-1-broken "$work"/pages/*/bad; do
    n=$((n + 1))
    "$bin" graph --format mermaid "$t" >"$work/$n.mmd"
    files+=("$work/$n.mmd")
done
# a known-bad diagram must be rejected, or the check checks nothing
printf 'flowchart LR\n  a -->| b\n' >"$work/bad.mmd"
if (cd "$work" && node parse.mjs bad.mmd 2>/dev/null); then
    echo "mermaid: the parser accepted a broken diagram" >&2
    exit 1
fi
(cd "$work" && node parse.mjs "${files[@]}")
echo "mermaid: ${n} graphs parse as Mermaid flowcharts"

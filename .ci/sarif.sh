#!/usr/bin/env bash
# Validate apimlint's SARIF with the official validator (npm
# @microsoft/sarif-multitool, `validate`, offline). Its exit code says nothing
# about the log's validity, so this reads the validator's own SARIF output and
# fails on any result of level `error` (a result without a level is a warning).
#
#   .ci/sarif.sh APIMLINT_BINARY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export DOTNET_CLI_TELEMETRY_OPTOUT=1

(cd "$work" && npm install --silent --no-audit --no-fund --no-save @microsoft/sarif-multitool@5.7.0 >/dev/null)
multitool=$(cd "$work" && node -p "require('@microsoft/sarif-multitool')")
chmod u+x "$multitool"
# no ICU on a bare machine: .NET's invariant mode
[[ -e /usr/lib/x86_64-linux-gnu/libicuuc.so ]] || ls /usr/lib/*/libicuuc.so.* >/dev/null 2>&1 ||
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

# Deployments: the two samples, every rule page's example (the trees
# crates/pages writes), and one that is not in
# this repository with non-ASCII text before a finding (UTF-16 columns).
cd "$repo"
targets=(fixtures/deployments/pattern-1 fixtures/deployments/pattern-1-broken)
cargo run -q --locked -p apimlint_pages -- "$work/pages" >/dev/null
for d in "$work"/pages/*/bad; do targets+=("$d"); done
odd="$work/odd deployment"
mkdir -p "$odd"
cp -r fixtures/deployments/pattern-1-broken/. "$odd/"
sed -i 's/^gateway_labels = \["Defualt"/gateway_labels = ["Défualt"/' "$odd/region-1/gw-2/repository/conf/deployment.toml"
targets+=("$odd")
# a Kubernetes manifest: findings located in YAML, a fix written as edits of
# the manifest (literal block) and one listed without edits (quoted scalar)
k8s="$work/k8s"
mkdir -p "$k8s"
cat >"$k8s/region-1.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: gw-conf
data:
  deployment.toml: |
    [server]
    hostname = "gw.example.com"
    server_role = "gateway-worker"

    [apim.key_manager]
    service_url = "https://cp-svcc:9443/services/"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cp-conf
data:
  deployment.toml: "[server]\nhostname = \"cp.example.com\"\nserver_role = \"control-plane\"\n\n[apim.key_manager]\nservice_url = \"https://cp-svcc:9443/services/\"\n"
---
apiVersion: v1
kind: Service
metadata:
  name: cp-svc
spec:
  selector:
    app: cp
  ports:
    - port: 9443
YAML
targets+=("$k8s")

# First a log that is known to be invalid: the check must catch it, or it
# checks nothing.
echo '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"x"}},"results":[{"ruleId":"r","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a b"},"region":{"startLine":0}}}]}]}]}' >"$work/invalid.sarif"
validate() { # LOG NAME
    rm -f "$1.validation"
    "$multitool" validate --level "Error;Warning;Note" --output "$1.validation" "$1" >"$1.out" 2>&1 || true
    [[ -s "$1.validation" ]] || { cat "$1.out"; echo "sarif: the validator wrote nothing for $2" >&2; return 2; }
    node - "$1.validation" "$2" <<'JS'
const fs = require('fs');
const [file, target] = process.argv.slice(2);
const v = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
const results = v.runs.flatMap(r => r.results || []);
const errors = results.filter(r => (r.level || 'warning') === 'error');
const count = l => results.filter(r => (r.level || 'warning') === l).length;
for (const e of errors) console.error(`  ${e.ruleId}: ${JSON.stringify(e.message)}`);
console.log(`sarif: ${target}: ${errors.length} errors, ${count('warning')} warnings, ${count('note')} notes from the validator`);
if (errors.length > 0 || v.runs.some(r => r.invocations && r.invocations.some(i => !i.executionSuccessful))) process.exit(1);
JS
}
set +e
validate "$work/invalid.sarif" "a known-invalid log" 2>/dev/null
rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "sarif: the validator did not reject a known-invalid log (status $rc)" >&2; exit 1; }
echo "sarif: the validator rejects a known-invalid log"

n=0
for t in "${targets[@]}"; do
    n=$((n + 1))
    log="$work/$n.sarif"
    set +e
    "$bin" check "$t" --format sarif >"$log"
    rc=$?
    set -e
    [[ $rc -le 1 ]] || { echo "sarif: apimlint failed on $t (exit $rc)" >&2; exit 1; }
    validate "$log" "$t"
done
echo "sarif: ${n} logs pass the official SARIF validator"

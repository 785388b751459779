#!/usr/bin/env bash
# Run the GitHub Action (action.yml) as a runner would (.ci/action.py), on a
# workspace that is not this repository, with no cargo on PATH: it downloads
# the release asset for this platform from a locally served release directory
# (file://, as the `download-url` input allows), checks it against SHA256SUMS,
# writes SARIF, annotates a broken deployment (exit 1) and passes a clean one.
# A corrupted asset is refused; `install: cargo` still builds from source.
#
#   .ci/action.sh APIMLINT_RELEASE_BINARY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
. "$repo/.ci/nocargo.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "PyYAML==6.0.3"
py="$work/venv/bin/python"
fail() { echo "action: $*" >&2; exit 1; }

# a release directory laid out as .github/workflows/release.yml lays it out
case "$(uname -m)" in
  x86_64) target=x86_64-unknown-linux-musl ;;
  aarch64) target=aarch64-unknown-linux-musl ;;
  *) fail "no release target for $(uname -m)" ;;
esac
rel="$work/release"
mkdir -p "$rel/pack"
cp "$bin" "$rel/pack/apimlint"
tar -czf "$rel/apimlint-$target.tar.gz" -C "$rel/pack" apimlint
(cd "$rel" && sha256sum "apimlint-$target.tar.gz" >SHA256SUMS)

ws="$work/workspace"
mkdir -p "$ws/deployments"
cp -r "$repo/fixtures/deployments/pattern-1-broken" "$ws/deployments/prod"
cp -r "$repo/fixtures/deployments/pattern-1" "$ws/deployments/staging"

run() { PATH="$(nocargo_path)" "$py" "$repo/.ci/action.py" "$ws" "$@"; }
PATH="$(nocargo_path)" command -v cargo >/dev/null && fail "cargo is still on PATH"

run "deployments/prod" --sarif apimlint.sarif --expect-exit 1 --input download-url="file://$rel" >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "the broken deployment did not fail the action"; }
grep -q "^apimlint $(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1): file://$rel/apimlint-$target.tar.gz" "$work/out" ||
    { cat "$work/out"; fail "the action did not download the asset of its version"; }
grep -q '^::error file=deployments/prod/region-1/gw-2/repository/conf/deployment.toml,line=58,col=19,' "$work/out" ||
    { cat "$work/out"; fail "no annotation for the broken gateway label"; }
grep -q "uses github/codeql-action/upload-sarif" "$work/out" || { cat "$work/out"; exit 1; }
node -e 'const l = JSON.parse(require("fs").readFileSync(process.argv[1])); if (l.version !== "2.1.0" || !l.runs[0].results.length) process.exit(1)' "$ws/apimlint.sarif" ||
    fail "no SARIF written"
echo "action: installs the released binary without cargo; a broken deployment fails with annotations and SARIF"

run "deployments/staging" --expect-exit 0 --input download-url="file://$rel/" >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "the clean deployment failed"; }
grep -q "no problems found" "$work/out" || { cat "$work/out"; exit 1; }
echo "action: a clean deployment passes"

# a corrupted asset is refused before it runs
printf 'x' >>"$rel/apimlint-$target.tar.gz"
run "deployments/staging" --expect-exit 2 --input download-url="file://$rel" >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "a corrupted asset was not refused"; }
grep -q "does not match SHA256SUMS" "$work/out" || { cat "$work/out"; fail "no checksum error"; }
# cargo is only used when asked, and then says it is missing
run "deployments/staging" --expect-exit 2 --input install=cargo >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "install: cargo without cargo did not fail"; }
grep -q "install: cargo needs Rust" "$work/out" || { cat "$work/out"; fail "no error for the missing cargo"; }
echo "action: a corrupted asset is refused; install: cargo needs cargo"

# install: cargo, with cargo: builds from the action's source (the release build is shared)
"$py" "$repo/.ci/action.py" "$ws" "deployments/prod" --expect-exit 1 --input install=cargo >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "install: cargo did not lint the broken deployment"; }
grep -q '^::error file=deployments/prod/region-1/gw-2/' "$work/out" || { cat "$work/out"; fail "install: cargo gave no annotation"; }
echo "action: install: cargo builds from source"

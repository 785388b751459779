#!/usr/bin/env bash
# Drive real pre-commit (PyPI) on throw-away repositories holding a deployment
# that is not this repository's:
#   1. a local `language: system` hook running the freshly built binary, with
#      this repository's hook definition (.pre-commit-hooks.yaml): a clean
#      commit passes; breaking one node fails with the finding shown, also
#      when the broken node is not the changed file;
#   2. `pre-commit try-repo` against this repository, hook `apimlint-source`
#      (language: rust; cargo installs it as a user's machine would): fails on
#      the broken deployment.
# The `apimlint` hook (language: python, the prebuilt wheel) is tested by
# .ci/wheel.sh, once the wheel is built.
#
#   .ci/pre-commit.sh APIMLINT_BINARY
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bin=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$work/cache" PRE_COMMIT_COLOR=never
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "pre-commit==4.7.0"
pc="$work/venv/bin/pre-commit"

fail() { echo "pre-commit test: $*" >&2; exit 1; }

# A deployment that is not in this repository: the clean sample, renamed.
user="$work/user"
mkdir -p "$user/deploy"
cp -r "$repo/fixtures/deployments/pattern-1/." "$user/deploy/"
mv "$user/deploy/region-1" "$user/deploy/eu" && mv "$user/deploy/region-2" "$user/deploy/us"
sed -i 's#"region-1/#"eu/#g; s#"region-2/#"us/#g' "$user/deploy/apimlint.toml"
cd "$user"
git init -q
# the published hook, with the freshly built binary as its entry
"$work/venv/bin/python" - "$repo/.pre-commit-hooks.yaml" "$bin" >.pre-commit-config.yaml <<'PY'
import sys, yaml
hook = next(h for h in yaml.safe_load(open(sys.argv[1])) if h["id"] == "apimlint")
hook["language"] = "system"
hook["entry"] = hook["entry"].replace("apimlint", sys.argv[2], 1)
yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sys.stdout)
PY
git add -A
"$pc" run >"$work/out" 2>&1 || { cat "$work/out"; fail "a clean deployment failed"; }
git commit -qm "a clean deployment"
echo "pre-commit: a clean deployment passes"

# a harmless edit of one node: the whole deployment is linted, and passes
echo "# reviewed" >>deploy/eu/gw-1/repository/conf/deployment.toml
git add -A
"$pc" run --verbose >"$work/out" 2>&1 || { cat "$work/out"; fail "a harmless edit failed"; }
grep -q "checked 12 nodes in 2 regions" "$work/out" || { cat "$work/out"; fail "the hook did not lint the whole deployment"; }
git commit -qm "a comment"

# an unrelated YAML file alone (the hook fires on YAML, for manifests): passes
mkdir -p .github/workflows && printf 'on: push\njobs: {}\n' >.github/workflows/ci.yaml
git add -A
"$pc" run --verbose >"$work/out" 2>&1 || { cat "$work/out"; fail "an unrelated YAML file failed the hook"; }
grep -q "nothing to check" "$work/out" || { cat "$work/out"; fail "the hook did not run on the YAML file"; }
git commit -qm "a workflow"
echo "pre-commit: a commit of unrelated YAML passes"

# break a gateway label: fails with the finding
sed -i 's/gateway_labels = \["Default"/gateway_labels = ["Defualt"/' deploy/eu/gw-2/repository/conf/deployment.toml
git add -A
if "$pc" run >"$work/out" 2>&1; then cat "$work/out"; fail "a broken deployment passed"; fi
grep -q "gateway-label-unmatched" "$work/out" && grep -q "did you mean \`Default\`" "$work/out" ||
    { cat "$work/out"; fail "the finding is not shown"; }
echo "pre-commit: a broken node fails with the finding shown"
git reset -q --hard

# rename the environment on the control planes only: the (unchanged) gateways break
sed -i 's/^name = "Default"/name = "Production"/' deploy/eu/cp-{1,2}/repository/conf/deployment.toml
git add -A
if "$pc" run >"$work/out" 2>&1; then cat "$work/out"; fail "breaking another node passed"; fi
grep -q "deploy/eu/gw-1/repository/conf/deployment.toml" "$work/out" ||
    { cat "$work/out"; fail "the finding in the unchanged node is not shown"; }
echo "pre-commit: a change that breaks another node fails, naming that node"
git reset -q --hard

# try-repo against this repository, the source hook: cargo-installs it like a user's machine
sed -i 's/gateway_labels = \["Default"/gateway_labels = ["Defualt"/' deploy/us/gw-1/repository/conf/deployment.toml
git add -A
if "$pc" try-repo "$repo" apimlint-source --all-files >"$work/out" 2>&1; then cat "$work/out"; fail "try-repo passed a broken deployment"; fi
grep -q "gateway-label-unmatched" "$work/out" || { cat "$work/out"; fail "try-repo did not show the finding"; }
git reset -q --hard
"$pc" try-repo "$repo" apimlint-source --all-files >"$work/out" 2>&1 || { cat "$work/out"; fail "try-repo failed a clean deployment"; }
echo "pre-commit: try-repo apimlint-source cargo-installs the hook, fails on a broken deployment and passes a clean one"

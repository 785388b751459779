#!/usr/bin/env bash
# The packaged VS Code extension inside a real VS Code: code-server (VS Code
# 1.100 in a browser) driven by headless Chromium through puppeteer-core.
#
#   .ci/vscode-e2e.sh path/to/apimlint-linux-x64.vsix
#
# Installs what it needs on a fresh Debian 12 machine with Node 20: Debian's
# chromium, ripgrep, libkrb5-dev and a C++ toolchain (code-server's native
# modules), then code-server@4.100.3 and puppeteer-core@24.8.2 from npm into
# a cache dir ($APIMLINT_CODE_SERVER_CACHE, default
# ${TMPDIR:-/tmp}/apimlint-ci-code-server) that a second run reuses. The test
# itself is editors/vscode/e2e/code-server.test.mjs (node:test); it installs the
# .vsix into fresh user-data dirs and uses the binary bundled in it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
step() { printf '\n=== vscode-e2e: %s\n' "$*"; }
die() { printf 'vscode-e2e: %s\n' "$*" >&2; exit 1; }

[[ $# -eq 1 ]] || die "usage: $0 path/to/apimlint-linux-x64.vsix"
[[ -f $1 ]] || die "no such .vsix: $1"
vsix=$(realpath "$1")

CODE_SERVER_VERSION=4.100.3
PUPPETEER_VERSION=24.8.2
RIPGREP_VERSION=1.15.11 # @vscode/ripgrep pinned by VS Code 1.100
tmp=${TMPDIR:-/tmp}
cache=${APIMLINT_CODE_SERVER_CACHE:-$tmp/apimlint-ci-code-server}
start=$SECONDS

step "Debian packages (chromium, ripgrep, krb5 headers, build tools)"
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
[[ -e /usr/include/gssapi/gssapi.h ]] || need+=(libkrb5-dev)
command -v g++ >/dev/null && command -v make >/dev/null || need+=(build-essential)
command -v python3 >/dev/null || need+=(python3)
if [[ ${#need[@]} -gt 0 ]]; then
    echo "installing: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
else
    echo "all present"
fi
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are needed (Node 20 or 21: code-server $CODE_SERVER_VERSION)"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[[ $node_major -ge 20 ]] || die "Node >= 20 needed (have $(node --version))"
# node-gyp builds code-server's native modules against the running Node's own
# headers (<prefix>/include/node), as nothing can be downloaded
node_prefix=$(dirname "$(dirname "$(node -p 'process.execPath')")")
[[ -e $node_prefix/include/node/node.h ]] || die "no Node headers at $node_prefix/include/node (node-gyp needs them)"

step "code-server $CODE_SERVER_VERSION and puppeteer-core $PUPPETEER_VERSION (cache: $cache)"
stamp="$cache/.installed-$CODE_SERVER_VERSION-$PUPPETEER_VERSION"
if [[ -f $stamp && -x $cache/node_modules/.bin/code-server ]]; then
    echo "cached"
else
    rm -rf "$cache"
    mkdir -p "$cache"
    # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache
    # (in os.tmpdir()) already holds the tarball: give it Debian's rg.
    rg_cache="$tmp/vscode-ripgrep-cache-$RIPGREP_VERSION"
    mkdir -p "$rg_cache"
    rg_stage=$(mktemp -d)
    cp "$(command -v rg)" "$rg_stage/rg"
    for arch in x86_64-unknown-linux-musl aarch64-unknown-linux-musl; do
        tar -C "$rg_stage" -czf "$rg_cache/ripgrep-v13.0.0-10-$arch.tar.gz" rg
    done
    rm -rf "$rg_stage"
    echo '{"name":"apimlint-ci-code-server","private":true}' >"$cache/package.json"
    # headers from /usr/include/node (no download), node-pty's `npx node-gyp` allowed
    (
        cd "$cache"
        export npm_config_yes=true npm_config_unsafe_perm=true npm_config_nodedir="$node_prefix"
        npm install --no-audit --no-fund --loglevel=error --foreground-scripts \
            "code-server@$CODE_SERVER_VERSION" "puppeteer-core@$PUPPETEER_VERSION" \
            >"$cache/npm-install.log" 2>&1
    ) || { tail -n 60 "$cache/npm-install.log" >&2; die "npm install failed (log: $cache/npm-install.log)"; }
    touch "$stamp"
    echo "installed in $((SECONDS - start)) s"
fi
# code-server writes a default config.yaml under XDG_CONFIG_HOME: keep it in the cache
export XDG_CONFIG_HOME="$cache/xdg-config"
"$cache/node_modules/.bin/code-server" --version | head -n 1

step "the test: editors/vscode/e2e/code-server.test.mjs"
artifacts=${APIMLINT_E2E_ARTIFACTS:-$tmp/apimlint-vscode-e2e}
rm -rf "$artifacts"
mkdir -p "$artifacts"
# The test stops every code-server and Chromium it starts; should it die
# first, end the process groups it recorded in <instance>/*.pid (each runs
# detached, leading its own group: code-server's extension host and apimlint
# servers are in code-server's), once their command line shows they are ours.
cleanup() {
    local f pid
    shopt -s nullglob
    for f in "$artifacts"/*/code-server.pid "$artifacts"/*/chromium.pid; do
        pid=$(<"$f")
        if [[ $pid =~ ^[0-9]+$ ]] && grep -qaF -- "$artifacts" "/proc/$pid/cmdline" 2>/dev/null; then
            echo "vscode-e2e: ending $(basename "$f" .pid) $pid, left running" >&2
            kill -TERM -- "-$pid" 2>/dev/null || true
            sleep 2
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
        rm -f "$f"
    done
}
trap cleanup EXIT
rc=0
CODE_SERVER="$cache/node_modules/.bin/code-server" \
    E2E_NODE_MODULES="$cache/node_modules" \
    CHROMIUM="$(command -v chromium)" \
    VSIX="$vsix" \
    REPO="$repo" \
    ARTIFACTS="$artifacts" \
    timeout --kill-after=30 900 \
    node --test --test-reporter=spec --test-concurrency=1 "$repo/editors/vscode/e2e/code-server.test.mjs" || rc=$?
if [[ $rc -ne 0 ]]; then
    step "FAILED: screenshots and code-server logs"
    shopt -s nullglob
    for f in "$artifacts"/*.png; do echo "screenshot: $f"; done
    for f in "$artifacts"/*/code-server.log; do
        printf '\n--- %s (last 60 lines)\n' "$f"
        tail -n 60 "$f"
    done
    # the extension's output channel ("apimlint": which binary, starts, stops, errors)
    for f in "$artifacts"/*/user-data/logs/*/exthost*/output_logging_*/*apimlint*.log; do
        printf '\n--- %s (last 40 lines)\n' "$f"
        tail -n 40 "$f"
    done
    echo "vscode-e2e: everything is under $artifacts (browser-console.log, user-data/logs per instance)"
    exit "$rc"
fi
echo "vscode-e2e: passed in $((SECONDS - start)) s"

#!/usr/bin/env bash
# Builds the platform .vsix of the VS Code extension with the apimlint binary
# of this commit inside (server/apimlint), as the ruff and rust-analyzer
# extensions ship theirs. Run from anywhere:
#
#   editors/vscode/package.sh                      # this machine's platform
#   editors/vscode/package.sh --target linux-arm64 --binary path/to/apimlint
#
# Writes editors/vscode/apimlint-<target>.vsix and prints its path last.
# Without --binary it runs `cargo build --release --locked` (a no-op when the
# release binary is current; CARGO_TARGET_DIR is respected).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
ext="$root/editors/vscode"

target="" binary=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --target) target="$2"; shift 2 ;;
    --binary) binary="$2"; shift 2 ;;
    *) echo "package.sh: unknown argument $1 (usage: package.sh [--target T] [--binary FILE])" >&2; exit 2 ;;
  esac
done
if [[ -z "$target" ]]; then
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) target=linux-x64 ;;
    Linux-aarch64 | Linux-arm64) target=linux-arm64 ;;
    Darwin-x86_64) target=darwin-x64 ;;
    Darwin-arm64) target=darwin-arm64 ;;
    MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) target=win32-x64 ;;
    *) echo "package.sh: no VS Code target for $(uname -s) $(uname -m): pass --target" >&2; exit 2 ;;
  esac
fi
exe=apimlint
[[ "$target" == win32-* ]] && exe=apimlint.exe

if [[ -z "$binary" ]]; then
  echo "package.sh: cargo build --release" >&2
  (cd "$root" && cargo build -q --release --locked --bin apimlint)
  dir="$(cd "$root" && cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
  binary="$dir/release/$exe"
fi
[[ -f "$binary" ]] || { echo "package.sh: no binary at $binary" >&2; exit 1; }

rm -rf "$ext/server"
mkdir -p "$ext/server"
cp "$binary" "$ext/server/$exe"
chmod 755 "$ext/server/$exe"
# the release profile keeps line tables for backtraces; the editor's copy need not
if [[ "$target" == linux-* ]] && command -v strip >/dev/null; then
  strip "$ext/server/$exe" 2>/dev/null || true
fi

cd "$ext"
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run -s build
out="$ext/apimlint-$target.vsix"
npx vsce package --no-dependencies --target "$target" --out "$out" >&2
echo "$out"

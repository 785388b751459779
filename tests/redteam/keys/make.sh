#!/bin/sh
# Regenerates the keys red-team cases: keystores with Java's keytool (ks.py), trees from the
# pattern1 generator plus k8s.py (gen.py). The generated trees are committed; cases run as-is.
# Keys are random, so a rerun changes every fingerprint (the cases stay equivalent).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=${KEYS_WORK:-$(mktemp -d)}
[ -n "${KEYS_WORK:-}" ] || trap 'rm -rf "$work"' EXIT
KEYTOOL=${KEYTOOL:-/usr/bin/keytool} python3 "$here/gen.py" "$work"

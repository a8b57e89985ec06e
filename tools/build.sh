#!/usr/bin/env bash
# Build the collection tarball with nothing but ansible-core: tools/build.sh [OUTPUT_DIR] (default: build).
#
# What `make build` runs. It needs only `ansible-galaxy` (ansible-core): the one of $VENV when that exists,
# otherwise the first on PATH. No virtual environment is created and no development tool is used; the
# artifact check, the install and the smoke test against a lab host are `make smoke` (gate 8 of make test).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
out="${1:-build}"
case "$out" in /*) ;; *) out="$ROOT/$out" ;; esac

VENV="${VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
if [ -x "$VENV/bin/ansible-galaxy" ]; then
    galaxy="$VENV/bin/ansible-galaxy"
elif command -v ansible-galaxy >/dev/null 2>&1; then
    galaxy="$(command -v ansible-galaxy)"
else
    echo "ERROR: make build needs ansible-galaxy (from ansible-core): install ansible-core (for example" \
        "'python3 -m pip install ansible-core' in a virtual environment) and put its bin folder on PATH" >&2
    exit 1
fi

mkdir -p "$out"
# build_ignore in galaxy.yml keeps the checkout's own files (.venv, tests/output, tools, ...) out of the tarball.
said="$("$galaxy" collection build --force --output-path "$out" "$ROOT")"
printf '%s\n' "$said"
tarball="$(printf '%s\n' "$said" | sed -n 's/^Created collection for .* at //p' | tail -n 1)"
[ -n "$tarball" ] && [ -f "$tarball" ] || { echo "ERROR: ansible-galaxy made no tarball in $out" >&2; exit 1; }
echo "built $tarball"

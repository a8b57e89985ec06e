# shellcheck shell=bash
# Helpers shared by the gate scripts in tools/. Source it; do not run it.
#
# Every gate script runs from the repository root, uses the interpreter in $VENV (default .venv) and ends in
# one of three ways: exit 0 (passed), exit non-zero (failed), or exit 0 after calling `skip` (nothing to check
# yet). `skip` prints a loud banner and, when tools/test.sh runs the gate, records the reason in
# $GATE_STATUS_FILE so the final summary lists every skipped gate.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-.venv}"
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PY="$VENV/bin/python"
BIN="$VENV/bin"
export PATH="$BIN:$PATH"
COLLECTION_NAMESPACE=legacy_iis
COLLECTION_NAME=iis4

log() { printf '%s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

skip() {
    local reason="$*"
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
    printf '!!! SKIPPED: %s\n' "$reason" >&2
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
    if [ -n "${GATE_STATUS_FILE:-}" ]; then
        printf 'skip: %s\n' "$reason" >>"$GATE_STATUS_FILE"
    fi
}

require_venv() {
    [ -x "$PY" ] || die "no virtual environment at $VENV: run 'make' targets (they create it) or tools/venv.sh"
}

# make_tree DIR: lay out the collection as DIR/ansible_collections/legacy_iis/iis4, a git repository holding
# exactly what `git ls-files` sees in the working tree (tracked files, including uncommitted edits, plus new
# files that are not ignored; tracked files deleted from the working tree are left out). ansible-test and
# antsibull-docs need this path shape, and ansible-test needs a git repository. Prints the collection path.
make_tree() {
    local base="$1" dest
    dest="$base/ansible_collections/$COLLECTION_NAMESPACE/$COLLECTION_NAME"
    mkdir -p "$dest"
    git -C "$ROOT" ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
        | tar -C "$ROOT" --null -T - -cf - \
        | tar -C "$dest" -xf -
    git -C "$dest" init -q
    git -C "$dest" add -A
    git -C "$dest" -c user.name=gates -c user.email=gates@localhost -c commit.gpgsign=false \
        commit -q --no-verify -m "snapshot for quality gates"
    printf '%s\n' "$dest"
}

# has_tests DIR [EXCLUDED_DIR...]: true when DIR holds pytest test files outside the excluded dirs.
has_tests() {
    local dir="$1"; shift
    [ -d "$dir" ] || return 1
    local args=("$dir")
    local ex
    for ex in "$@"; do args+=(-path "$ex" -prune -o); done
    args+=(-type f '(' -name 'test_*.py' -o -name '*_test.py' ')' -print)
    [ -n "$(find "${args[@]}" | head -n 1)" ]
}

#!/usr/bin/env bash
# Create (or refresh) the project virtual environment: tools/venv.sh [VENV_DIR]
#
# Picks the newest Python >= 3.11 that actually runs. Candidates: python3.14 .. python3.11 and python3 on
# PATH, and every ~/.pyenv/versions/3.1x*/bin/python3. Each candidate is executed, because a pyenv shim can be
# on PATH for a version that is not selected (it then fails with "command not found").
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
VENV="${1:-${VENV:-.venv}}"

version_of() {  # prints "3 13 0" when $1 runs and is >= 3.11, nothing otherwise
    "$1" -c 'import sys; assert sys.version_info >= (3, 11); print(*sys.version_info[:3])' 2>/dev/null || true
}

pick_python() {
    local cand best="" best_key="" v key
    local cands=(python3.14 python3.13 python3.12 python3.11 python3)
    for cand in "$HOME"/.pyenv/versions/3.1[1-9]*/bin/python3; do
        [ -x "$cand" ] && cands+=("$cand")
    done
    for cand in "${cands[@]}"; do
        command -v "$cand" >/dev/null 2>&1 || continue
        v="$(version_of "$cand")"
        [ -n "$v" ] || continue
        # shellcheck disable=SC2086
        key="$(printf '%03d%03d%03d' $v)"
        if [ -z "$best_key" ] || [ "$key" \> "$best_key" ]; then
            best="$(command -v "$cand")"; best_key="$key"
        fi
    done
    [ -n "$best" ] || { echo "ERROR: no Python >= 3.11 found (tried ${cands[*]})" >&2; exit 1; }
    printf '%s\n' "$best"
}

if [ -x "$VENV/bin/python" ] && [ -n "$(version_of "$VENV/bin/python")" ]; then
    echo "==> reusing $VENV ($("$VENV/bin/python" --version))" >&2
else
    python="$(pick_python)"
    echo "==> creating $VENV with $python ($("$python" --version))" >&2
    rm -rf "$VENV"
    "$python" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements-dev.txt
touch "$VENV/.stamp"

#!/usr/bin/env bash
# Run one pytest selection as a gate: tools/pytest_gate.sh LABEL PATH [pytest args...]
#
# pytest exits 5 when it collected no test. That is only acceptable when there is no test file to collect
# (PATH missing or holding no test_*.py / *_test.py outside the --ignore'd dirs): the gate then skips loudly.
# If test files exist and nothing ran, the gate fails. Any other non-zero exit fails the gate as is.
# EMPTY_OK=1 turns exit 5 into a loud skip (for marker selections such as `make soak`).
# When RESULTS_DIR is set, a JUnit XML report goes there (tools/test.sh adds the counts up).
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

label="$1"; path="$2"; shift 2
ignored=()
prev=""
for a in "$@"; do
    [ "$prev" = "--ignore" ] && ignored+=("$a")
    case "$a" in --ignore=*) ignored+=("${a#--ignore=}") ;; esac
    prev="$a"
done

if ! has_tests "$path" "${ignored[@]}"; then
    skip "$label: no test files under $path yet (nothing to run)"
    exit 0
fi

junit=()
if [ -n "${RESULTS_DIR:-}" ]; then
    mkdir -p "$RESULTS_DIR"
    junit=("--junitxml=$RESULTS_DIR/$label.xml" -o junit_family=xunit2)
fi

export ANSIBLE_PYTHON_INTERPRETER="$PY"
rc=0
"$PY" -m pytest "$path" "${junit[@]}" "$@" || rc=$?
if [ "$rc" -eq 5 ] && [ -n "${EMPTY_OK:-}" ]; then
    skip "$label: pytest selected no test under $path (allowed for this target)"
    exit 0
elif [ "$rc" -eq 5 ]; then
    die "$label: test files exist under $path but pytest ran none of them (exit 5: nothing collected or all deselected) - check markers, names and --ignore"
fi
exit "$rc"

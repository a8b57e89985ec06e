#!/usr/bin/env bash
# Every quality gate, in order, stopping at the first failure: tools/test.sh (what `make test` runs).
#
#   KEEP_GOING=1 tools/test.sh   run the remaining gates after a failure (diagnosis only; still exits 1)
#
# Prints a header per gate, a table of results and timings, and as its last line
#   "summary: N passed, N failed, N skipped"
# counting the test cases pytest reported (JUnit XML). A failed gate that produced no failing test case
# (ruff, sanity, lint, build, or a pytest run that died) adds one to "failed", so a red run never reads
# "0 failed". The line is also written to tests/output/gates/summary.txt.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

OUT="$ROOT/tests/output/gates"
rm -rf "$OUT"
mkdir -p "$OUT/junit"
export RESULTS_DIR="$OUT/junit"
: >"$OUT/nontest-failures"

# pytest-xdist workers of the three pytest gates (TEST_WORKERS overrides): 4, also on 2 cores. Those tests spend
# most of their time waiting (on ansible-playbook runs, the lab's simulated services, Wine), not computing: on
# 2 cores 4 workers cut the integration gate by about 40 %, the unit gate by about a quarter (docs/ci.md).
WORKERS="${TEST_WORKERS:-4}"

TITLES=(
    "ruff (lint + format check)"
    "unit tests"
    "lab tests"
    "module and role integration tests"
    "ansible-test sanity"
    "ansible-lint (production profile)"
    "antsibull-docs collection docs lint"
    "build, install and smoke test"
    "execution environment context"
)
gate_1() { tools/ruff.sh; }
gate_2() { tools/pytest_gate.sh unit tests/unit -n "$WORKERS" -m "not soak"; }
gate_3() { tools/pytest_gate.sh lab tests/integration/lab -n "$WORKERS" -m "not soak"; }
gate_4() { tools/pytest_gate.sh integration tests/integration -n "$WORKERS" --ignore tests/integration/lab -m "not soak"; }
gate_5() { tools/sanity.sh; }
gate_6() { tools/ansible_lint.sh; }
gate_7() { tools/docs_lint.sh; }
gate_8() { tools/build_and_smoke.sh; }
gate_9() { tools/ee.sh; }

junit_counts() {  # prints "passed failed skipped" over all JUnit reports so far, plus non-test failures
    "$PY" - "$OUT" <<'PYEOF'
import pathlib
import sys
import xml.etree.ElementTree as ET

out = pathlib.Path(sys.argv[1])
passed = failed = skipped = 0
for report in sorted((out / "junit").glob("*.xml")):
    try:
        root = ET.parse(report).getroot()
    except ET.ParseError:
        continue
    for s in [root] if root.tag == "testsuite" else root.iter("testsuite"):
        tests, fail, err, skip = (int(s.get(k, 0)) for k in ("tests", "failures", "errors", "skipped"))
        failed += fail + err
        skipped += skip
        passed += tests - fail - err - skip
failed += len((out / "nontest-failures").read_text().split())
print(passed, failed, skipped)
PYEOF
}

total=${#TITLES[@]}
failed_gates=0
results=()
for n in $(seq 1 "$total"); do
    title="${TITLES[$((n - 1))]}"
    printf '\n==> [%d/%d] %s\n' "$n" "$total" "$title"
    printf '    $ %s\n\n' "$(declare -f "gate_$n" | sed -n '3p' | sed 's/^ *//; s/;$//')"
    export GATE_STATUS_FILE="$OUT/gate-$n.status"
    : >"$GATE_STATUS_FILE"
    read -r _ failed_before _ <<<"$(junit_counts)"
    start=$(date +%s.%N)
    rc=0
    "gate_$n" || rc=$?
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    if [ "$rc" -ne 0 ]; then
        status="FAILED (exit $rc)"
        failed_gates=$((failed_gates + 1))
        read -r _ failed_after _ <<<"$(junit_counts)"
        [ "$failed_after" -gt "$failed_before" ] || echo "gate-$n" >>"$OUT/nontest-failures"
    elif [ -s "$GATE_STATUS_FILE" ]; then
        status="SKIPPED: $(sed 's/^skip: //' "$GATE_STATUS_FILE" | paste -sd ';' -)"
    else
        status="passed"
    fi
    results+=("$(printf '[%d/%d] %-36s %7ss  %s' "$n" "$total" "$title" "$secs" "$status")")
    printf '\n<== [%d/%d] %s: %s (%ss)\n' "$n" "$total" "$title" "$status" "$secs"
    if [ "$rc" -ne 0 ] && [ -z "${KEEP_GOING:-}" ]; then
        for m in $(seq $((n + 1)) "$total"); do
            results+=("$(printf '[%d/%d] %-36s %8s  %s' "$m" "$total" "${TITLES[$((m - 1))]}" "-" "not run: an earlier gate failed")")
        done
        break
    fi
done

read -r passed failed skipped <<<"$(junit_counts)"
printf '\n=================================== gates ===================================\n'
printf '%s\n' "${results[@]}"
printf 'summary: %s passed, %s failed, %s skipped\n' "$passed" "$failed" "$skipped" | tee "$OUT/summary.txt"
[ "$failed_gates" -eq 0 ]

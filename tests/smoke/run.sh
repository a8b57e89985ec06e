#!/usr/bin/env bash
# Smoke test of an installed collection against one simulated NT 4.0 / IIS 4.0 host.
#
#   tests/smoke/run.sh COLLECTIONS_PATH
#
# COLLECTIONS_PATH holds ansible_collections/legacy_iis/iis4 (for example what `ansible-galaxy collection
# install -p` wrote). Starts one lab host in the background, runs tests/smoke/smoke.yml against it with only
# that collections path, and stops the lab again. Exit code 0 when every assertion passed.
set -euo pipefail

if [ "$#" -ne 1 ] || [ ! -d "$1/ansible_collections/legacy_iis/iis4" ]; then
    echo "usage: $0 COLLECTIONS_PATH   (a directory holding ansible_collections/legacy_iis/iis4)" >&2
    exit 2
fi
collections="$(cd "$1" && pwd)"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

python="${PYTHON:-$(command -v python || command -v python3)}"
playbook="$(command -v ansible-playbook)"
work="$(mktemp -d)"
lab_pid=""

stop_lab() {
    if [ -n "$lab_pid" ] && kill -0 "$lab_pid" 2>/dev/null; then
        kill -TERM "$lab_pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$lab_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$lab_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_lab EXIT

port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
echo "smoke: starting one lab host (control port $port)"
"$python" -m tests.lab --hosts 1 --inventory "$work/inventory.yml" --control-port "$port" \
    --base-ip "${SMOKE_BASE_IP:-127.60.0.2}" >"$work/lab.log" 2>&1 &
lab_pid=$!

for _ in $(seq 1 300); do
    grep -q "lab: ready" "$work/lab.log" 2>/dev/null && break
    if ! kill -0 "$lab_pid" 2>/dev/null; then
        echo "smoke: the lab exited before it was ready:" >&2
        cat "$work/lab.log" >&2
        exit 1
    fi
    sleep 0.2
done
if ! grep -q "lab: ready" "$work/lab.log"; then
    echo "smoke: the lab was not ready after 60 s:" >&2
    cat "$work/lab.log" >&2
    exit 1
fi
sed -n '1p' "$work/lab.log"

echo "smoke: running tests/smoke/smoke.yml with ANSIBLE_COLLECTIONS_PATH=$collections"
rc=0
ANSIBLE_COLLECTIONS_PATH="$collections" \
ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false \
ANSIBLE_CALLBACKS_ENABLED=legacy_iis.iis4.rollout_summary \
ANSIBLE_PYTHON_INTERPRETER="${ANSIBLE_PYTHON_INTERPRETER:-$python}" \
ANSIBLE_HOST_KEY_CHECKING=false \
ANSIBLE_RETRY_FILES_ENABLED=false \
ANSIBLE_LOCAL_TEMP="$work/tmp" \
ANSIBLE_HOME="$work/home" \
ANSIBLE_CONFIG="$work/none.cfg" \
    "$playbook" tests/smoke/smoke.yml -i "$work/inventory.yml" \
    -e rollout_audit_dir="$work/audit" -e component_update_health_delay=1 || rc=$?

if [ "$rc" -ne 0 ]; then
    echo "smoke: FAILED (ansible-playbook exit $rc); lab log:" >&2
    tail -n 20 "$work/lab.log" >&2
    exit "$rc"
fi
echo "smoke: passed"

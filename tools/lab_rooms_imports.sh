#!/usr/bin/env bash
# Rewrites imports of the flat tests/lab modules (before issue 20's lab rooms) to their rooms, in place:
#   tools/lab_rooms_imports.sh FILE...
# For merging branches written before the move: run it on the files such a merge adds or changes, then
# `ruff check --fix` (import order). Idempotent: paths that already name a room are left alone. Remove this
# file once no such branch is left.
set -euo pipefail
[ "$#" -gt 0 ] || { echo "usage: $0 FILE..." >&2; exit 2; }
machine='config|versions|dll|events|fs|fspath|scm|metabase|processes|catalog|proc_api|web'
wire='http|auth|certs|wsman|pipeline|sites'
harness='server|control|state|inventory|update|fixtures'
sed -E -i \
    -e "s/tests\.lab\.($machine)\b/tests.lab.machine.\1/g" \
    -e "s/tests\.lab\.($wire)\b/tests.lab.wire.\1/g" \
    -e "s/tests\.lab\.($harness)\b/tests.lab.harness.\1/g" \
    -e "s/tests\/lab\/($machine|machine)\.py/tests\/lab\/machine\/\1.py/g" \
    -e "s/tests\/lab\/($wire)\.py/tests\/lab\/wire\/\1.py/g" \
    -e "s/tests\/lab\/($harness)\.py/tests\/lab\/harness\/\1.py/g" \
    -e "s/from tests\.lab import ($machine)\b/from tests.lab.machine import \1/" \
    -e "s/from tests\.lab\.machine import Machine\b/from tests.lab.machine.machine import Machine/" \
    -e "s/^(\s*)from \.\.($machine) import/\1from ..machine.\2 import/" \
    -e "s/^(\s*)from \.\. import (scm|versions)\b/\1from ..machine import \2/" \
    "$@"

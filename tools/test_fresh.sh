#!/usr/bin/env bash
# `make test-fresh`: what CI does, on a fresh clone of HEAD in a temporary folder: a new environment with the
# newest releases the requirements allow, then `make demo` and `make test` (.ci/run).  Commit first: only
# committed work is cloned.  KEEP=1 keeps the clone for a look afterwards.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
clone="$(mktemp -d "${TMPDIR:-/tmp}/iis4-fresh.XXXXXX")"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$clone"; else echo "clone kept in $clone" >&2; fi; }
trap cleanup EXIT
git clone -q --no-local "$(pwd)" "$clone"
echo "==> fresh clone of $(git rev-parse --short HEAD) in $clone" >&2
# a fresh environment: neither this checkout's venv nor a VENV setting of the caller
env -u VENV bash "$clone/.ci/run"

#!/usr/bin/env bash
# `make demo`: the Makefile puts the project's virtual environment first on PATH and runs this file.
# The demo itself is tools/demo.py (eight lab hosts, a batched rollout, checks, a no-op rerun).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python="$(command -v python || command -v python3)"
exec "$python" tools/demo.py "$@"

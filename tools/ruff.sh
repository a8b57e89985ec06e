#!/usr/bin/env bash
# Python style and static checks: ruff lint rules from pyproject.toml, then the formatter in check mode.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv
"$BIN/ruff" check --no-cache .
"$BIN/ruff" format --no-cache --check --diff .

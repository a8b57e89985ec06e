#!/usr/bin/env bash
# ansible-lint --profile production on roles/ and playbooks/, plus the changelog fragments.
# With no role or playbook yet, lints what exists (galaxy.yml, meta/) and says so.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

"$BIN/antsibull-changelog" lint

targets=()
for d in roles playbooks; do
    if [ -d "$d" ] && [ -n "$(find "$d" -type f \( -name '*.yml' -o -name '*.yaml' \) -print -quit)" ]; then
        targets+=("$d/")
    fi
done
if [ "${#targets[@]}" -eq 0 ]; then
    skip "ansible-lint: no YAML under roles/ or playbooks/ yet; linting the collection metadata only"
fi
# Not --offline: in offline mode ansible-lint does not install this collection into .ansible/collections,
# and the syntax check then cannot resolve legacy_iis.iis4.* roles and modules. The collection has no
# dependencies, so nothing is downloaded.
color=()
[ -t 1 ] || color=(--nocolor)
"$BIN/ansible-lint" --profile production "${color[@]}" "$@" "${targets[@]}"

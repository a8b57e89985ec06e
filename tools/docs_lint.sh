#!/usr/bin/env bash
# antsibull-docs lint-collection-docs --plugin-docs: validates DOCUMENTATION/EXAMPLES/RETURN of every plugin,
# semantic markup and cross references, and the collection's docs/docsite links, on a snapshot laid out as
# ansible_collections/legacy_iis/iis4 so ansible-doc can load the collection.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tree="$(make_tree "$tmp")"
cd "$tree" || exit 1
export ANSIBLE_COLLECTIONS_PATH="$tmp"
"$BIN/antsibull-docs" lint-collection-docs --plugin-docs .

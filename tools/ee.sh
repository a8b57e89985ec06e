#!/usr/bin/env bash
# Execution environment build context: tools/ee.sh [CONTEXT_DIR]
#
# Builds the collection tarball into build/ee/legacy_iis-iis4.tar.gz (the path execution-environment.yml
# expects), then runs `ansible-builder create` to write the container build context (Containerfile and
# files). No container is built: that needs podman or docker and the base image (see
# docs/execution-environment.md). Checks that the context holds the collection and the Python requirements.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
context="${1:-$tmp/context}"

tree="$(make_tree "$tmp/src")"
( cd "$tree" && "$BIN/ansible-galaxy" collection build --force --output-path "$tmp/dist" >/dev/null )
mkdir -p build/ee
cp "$tmp"/dist/"$COLLECTION_NAMESPACE"-"$COLLECTION_NAME"-*.tar.gz build/ee/legacy_iis-iis4.tar.gz

"$BIN/ansible-builder" create -f execution-environment.yml --context "$context" --output-filename Containerfile

cf="$context/Containerfile"
[ -f "$cf" ] || die "ansible-builder wrote no $cf"
[ -f "$context/_build/collections/legacy_iis-iis4.tar.gz" ] || die "collection tarball missing from the EE context"
grep -q "ansible-galaxy collection install" "$cf" || die "Containerfile does not install collections"
for req in pywinrm pyspnego requests; do
    grep -rqi "^$req" "$context/_build/requirements.txt" || die "$req missing from the EE python requirements"
done
echo "EE build context ok: $context ($(grep -c '' "$cf") Containerfile lines)"

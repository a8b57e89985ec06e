#!/usr/bin/env bash
# Build the collection artifact, install it like a user would, and smoke-test the installed copy.
#   tools/build_and_smoke.sh [OUTPUT_DIR]     (OUTPUT_DIR keeps the tarball; default: a temp dir)
#
# 1. `ansible-galaxy collection build` from a snapshot of the working tree (tracked + new, not ignored files).
# 2. Check the tarball: galaxy metadata, no files that build_ignore should have kept out.
# 3. `ansible-galaxy collection install` into a temporary collections path and list it from there.
# 4. If tests/smoke/run.sh exists, run it with that collections path: it starts a lab host and runs
#    tests/smoke/smoke.yml against the installed collection. A failure there fails this gate.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
out="${1:-$tmp/dist}"
mkdir -p "$out"
case "$out" in /*) ;; *) out="$ROOT/$out" ;; esac

tree="$(make_tree "$tmp/src")"
( cd "$tree" && "$BIN/ansible-galaxy" collection build --force --output-path "$out" )
version="$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$tree/galaxy.yml")"
tarball="$out/$COLLECTION_NAMESPACE-$COLLECTION_NAME-$version.tar.gz"
[ -f "$tarball" ] || die "ansible-galaxy produced no tarball in $out"
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB)"

"$PY" - "$tarball" <<'PYEOF'
import json
import sys
import tarfile

path = sys.argv[1]
with tarfile.open(path) as tar:
    names = tar.getnames()
    manifest = json.load(tar.extractfile("MANIFEST.json"))
info = manifest["collection_info"]
problems = []
if (info["namespace"], info["name"]) != ("legacy_iis", "iis4"):
    problems.append(f"wrong collection name {info['namespace']}.{info['name']}")
forbidden = (".ansible/", ".venv/", ".ci/", "tests/output/", ".git/", "build/", ".pytest_cache/", "tools/")
for name in names:
    if any(name.startswith(p) or name + "/" == p for p in forbidden) or "__pycache__" in name.split("/"):
        problems.append(f"{name} must not be in the artifact (build_ignore in galaxy.yml)")
    if name.endswith((".tar.gz", ".pyc")) or name in (".ansible-lint", "changelogs/.plugin-cache.yaml"):
        problems.append(f"{name} must not be in the artifact (build_ignore in galaxy.yml)")
for required in ("meta/runtime.yml", "LICENSE", "README.md"):
    if required not in names:
        problems.append(f"{required} missing from the artifact")
if problems:
    sys.exit("artifact check failed:\n  " + "\n  ".join(problems))
print(f"artifact check: {len(names)} entries, version {info['version']}, license {info['license']}")
PYEOF

cpath="$tmp/collections"
ANSIBLE_COLLECTIONS_PATH="$cpath" "$BIN/ansible-galaxy" collection install --offline -p "$cpath" "$tarball"
ANSIBLE_COLLECTIONS_PATH="$cpath" "$BIN/ansible-galaxy" collection list -p "$cpath" "$COLLECTION_NAMESPACE.$COLLECTION_NAME" \
    | grep -q "$COLLECTION_NAMESPACE.$COLLECTION_NAME" || die "installed collection not listed in $cpath"
echo "installed into a temporary collections path"

if [ -f tests/smoke/run.sh ]; then
    echo "==> smoke: tests/smoke/run.sh against the installed collection"
    rc=0
    PATH="$BIN:$PATH" ANSIBLE_PYTHON_INTERPRETER="$PY" bash tests/smoke/run.sh "$cpath" || rc=$?
    if [ "$rc" -ne 0 ]; then
        die "SMOKE TEST FAILED: tests/smoke/run.sh exited $rc"
    fi
else
    skip "smoke: tests/smoke/run.sh does not exist yet; built and installed the collection but ran no playbook"
fi

#!/usr/bin/env bash
# ansible-test sanity, without containers and without network access to the ansible-test file host.
#   tools/sanity.sh [extra ansible-test sanity args, e.g. --test pep8]
#
# 1. Lay the collection out as .../ansible_collections/legacy_iis/iis4 in a temp dir, as a git repository
#    (ansible-test needs both).
# 2. ansible-test bootstraps pip in each venv it creates with a get-pip script it downloads once and caches as
#    ~/.ansible/test/cache/get_pip_<version>.py. The download host is unreachable here, so write a stand-in
#    (ensurepip + pip install) under every name this ansible-test can ask for. A real cached file is kept.
# 3. Run `ansible-test sanity --venv --python <our python> --requirements`.
# shellcheck source=tools/_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/_lib.sh"
require_venv

pyver="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
core="$("$PY" -c 'import ansible.release as r; print(".".join(r.__version__.split(".")[:2]))')"
[ -f "tests/sanity/ignore-$core.txt" ] || log "note: no tests/sanity/ignore-$core.txt (none needed unless a test must be ignored)"

write_get_pip_standins() {
    local cache="$HOME/.ansible/test/cache" versions v f
    mkdir -p "$cache"
    # The pip versions ansible-test pins live in ansible_test/_internal/python_requirements.py (get_venv_packages).
    versions="$("$PY" - <<'PYEOF'
import pathlib, re
import ansible_test
src = pathlib.Path(ansible_test.__file__).parent / "_internal" / "python_requirements.py"
text = src.read_text()
start = text.find("def get_venv_packages")
body = text[start:start + 4000] if start >= 0 else ""
print(" ".join(sorted(set(re.findall(r"""pip\s*[=:]\s*['"]([0-9][0-9.]*)['"]""", body)))))
PYEOF
)" || versions=""
    if [ -z "$versions" ]; then
        versions="23.1.2 24.0 24.2 24.3.1 25.0 25.0.1 25.1 25.1.1 25.2 25.3"
        log "warning: could not read the pip version from ansible_test; writing stand-ins for: $versions"
    fi
    for v in $versions; do
        f="$cache/get_pip_${v//./_}.py"
        if [ -f "$f" ] && ! grep -q 'offline get-pip stand-in' "$f"; then
            continue  # a real downloaded script: keep it
        fi
        cat >"$f" <<'PYEOF'
# legacy_iis offline get-pip stand-in (written by tools/sanity.sh).
# ansible-test runs this like get-pip.py: sys.argv holds `pip install` arguments. Bootstrap pip from the
# interpreter's bundled wheel, then install what was asked for from the package index.
import subprocess
import sys

args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"], stdout=subprocess.DEVNULL)
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", *args]))
PYEOF
    done
}
write_get_pip_standins

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tree="$(make_tree "$tmp")"
# 4. ansible-core 2.22's pylint requirements name a package by a direct URL on a code host (dill @ https://...),
#    which no offline index can serve: run a copy of ansible-test whose requirement names the package plainly, so
#    pip takes it from the index (the same package; the pin was a pre-release commit).
at_dir="$("$PY" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')"
if grep -Eq '^[A-Za-z0-9_.-]+ *@ *https?://' "$at_dir"/_data/requirements/sanity.*.txt 2>/dev/null; then
    mkdir -p "$tmp/at"
    cp -r "$at_dir" "$tmp/at/ansible_test"
    ln -s "$(dirname "$at_dir")/ansible" "$tmp/at/ansible"  # ansible-test finds ansible beside itself
    sed -i -E 's/^([A-Za-z0-9_.-]+) *@ *https?:[^ ;]*/\1/' "$tmp"/at/ansible_test/_data/requirements/sanity.*.txt
    export PYTHONPATH="$tmp/at${PYTHONPATH:+:$PYTHONPATH}"
    log "note: ansible-test's direct-URL requirements taken from the package index instead (offline)"
fi
cd "$tree" || exit 1
echo "ansible-test sanity (ansible-core $core, python $pyver) in a snapshot of the working tree" >&2
"$BIN/ansible-test" sanity --venv --python "$pyver" --requirements --color no "$@"

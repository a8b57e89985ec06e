"""The README's install and run lines, from a built tarball, in a fresh venv (issue 22).

The venv is new and has no pip packages of its own. There is no package index here, so it sees the packages the
README's pip line names through a ``.pth`` file that points at the test run's own site-packages (offline, and
fast): the pip line then has to find every requirement satisfied, without a download. pip makes no console
scripts for packages it finds installed elsewhere, so the README's ``<venv>/bin/ansible-galaxy`` and
``ansible-playbook`` run as ``<venv>/bin/python -m ansible.cli.galaxy`` / ``...playbook``: the same code, from
the fresh venv's interpreter. The collection comes only from the tarball (HOME is a new directory, so
``ansible-galaxy`` installs into its default collections path there), and no callback is enabled.
"""

from __future__ import annotations

import os
import re
import shlex
import site
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.ansible_env import BIN, REPO

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(600)]

CLI = {"ansible-galaxy": "ansible.cli.galaxy", "ansible-playbook": "ansible.cli.playbook"}


def readme_block(marker: str) -> list[str]:
    """The command lines of the README's fenced block that contains ``marker`` (comments dropped)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        if marker in block:
            return [ln.split("  #", 1)[0].strip() for ln in block.splitlines() if ln.strip()]
    raise AssertionError(f"no README block with {marker!r}")


def test_the_readme_install_and_run_lines_work_from_the_tarball_in_a_fresh_venv(lab, lab_host, tmp_path):
    home, venv, dist = tmp_path / "home", tmp_path / "home" / "iis4-venv", tmp_path / "build"
    home.mkdir()
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    build = subprocess.run(  # noqa: S603 - our own command line
        [str(BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    assert (dist / f"legacy_iis-iis4-{galaxy['version']}.tar.gz").is_file(), list(dist.iterdir())

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), ANSIBLE_NOCOLOR="1", PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    python = venv / "bin" / "python"

    def run(line: str) -> subprocess.CompletedProcess[str]:
        words = shlex.split(line.replace("~/", f"{home}/").replace("build/", f"{dist}/"))
        tool = Path(words[0]).name
        if words[0].startswith(str(venv)) and tool in CLI:
            words = [str(python), "-m", CLI[tool], *words[1:]]
        # stdin from /dev/null: Ansible's forked workers detach from stdin and die on a closed descriptor 0
        return subprocess.run(  # noqa: S603 - the README's own lines
            words, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )

    install = readme_block("python3 -m venv ~/iis4-venv")
    assert len(install) == 3, install
    made = run(install[0].replace("python3", sys.executable, 1))
    assert made.returncode == 0, made.stderr
    purelib = next(p for p in (venv / "lib").glob("python*/site-packages"))
    (purelib / "offline-requirements.pth").write_text(site.getsitepackages()[0] + "\n", encoding="utf-8")
    pip = run(install[1])
    assert pip.returncode == 0, pip.stdout + pip.stderr
    assert "Downloading" not in pip.stdout and pip.stdout.count("Requirement already satisfied") >= 3, pip.stdout
    installed = run(install[2])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (
        home / ".ansible" / "collections" / "ansible_collections" / "legacy_iis" / "iis4" / "MANIFEST.json"
    ).is_file()

    # The README's preview of the shipped playbook, against a lab host (the playbook's default group is web).
    host = lab_host(fleet_index=1)
    lab.write_inventory(tmp_path / "inventory.yml", hosts=[host])
    (preview,) = [ln for ln in readme_block("legacy_iis.iis4.update_component") if "--check" in ln]
    line = f"{venv}/bin/{preview} -e rollout_audit_dir={tmp_path / 'audit'}"
    ran = run(line)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    assert re.search(rf"^{host.name}\s+: ok=\d+\s+changed=1\b", ran.stdout, re.M), ran.stdout[-3000:]
    assert f"{host.name}: C:\\InetPub\\shop\\bin\\ShopCart.dll would be replaced" in ran.stdout.replace("\\\\", "\\")

"""``make build`` with nothing but ansible-core (issue 22): no virtual environment of the checkout, no
development tool, only an ``ansible-galaxy`` on PATH.

The PATH holds the system's tools (make, bash, sed) and one ``ansible-galaxy``: a two-line script that runs
ansible-core's galaxy CLI with this test run's interpreter. pip may not reach any package index
(``PIP_NO_INDEX``): a build that tried to set up the development venv would fail at once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.ansible_env import REPO

pytestmark = [pytest.mark.timeout(300)]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_build_needs_only_ansible_galaxy(tmp_path):
    tools = tmp_path / "bin"
    tools.mkdir()
    shim = tools / "ansible-galaxy"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m ansible.cli.galaxy "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    novenv, out = tmp_path / "no-venv", tmp_path / "dist"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "VIRTUAL_ENV", "PYTHON"))}
    env.update(
        PATH=f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin",
        HOME=str(tmp_path),
        PIP_NO_INDEX="1",
        ANSIBLE_HOME=str(tmp_path / ".ansible"),
    )
    ran = subprocess.run(  # noqa: S603 - our own Makefile
        ["make", "-C", str(REPO), "build", f"VENV={novenv}", f"BUILD_DIR={out}"],  # noqa: S607 - make from PATH
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-3000:]
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    assert (out / f"legacy_iis-iis4-{galaxy['version']}.tar.gz").is_file(), list(out.iterdir())
    # no environment was set up for the build
    assert not novenv.exists()

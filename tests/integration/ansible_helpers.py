"""Run the real ``ansible`` and ``ansible-playbook`` commands against lab inventories.

The collection is made importable from the working tree through a temporary collections path that holds
``ansible_collections/legacy_iis/iis4`` as a symlink to the repository root, so the tests exercise exactly
the files in the checkout.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULE = "legacy_iis.iis4.iis4_component"


@functools.cache
def collections_path() -> Path:
    root = Path(tempfile.mkdtemp(prefix="iis4-acp-"))
    ns = root / "ansible_collections" / "legacy_iis"
    ns.mkdir(parents=True)
    (ns / "iis4").symlink_to(REPO, target_is_directory=True)
    return root


def ansible_env(workdir: Path, collections: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections or collections_path()),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_HOST_KEY_CHECKING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
        ANSIBLE_HOME=str(workdir / "ansible-home"),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_CONFIG=str(workdir / "no-ansible.cfg"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    results: dict[str, dict[str, Any]] = field(default_factory=dict)

    def result(self, host: str) -> dict[str, Any]:
        assert host in self.results, f"no result for {host}; rc={self.rc}\n{self.stdout}\n{self.stderr}"
        return self.results[host]


def run_adhoc(
    inventory: Path,
    pattern: str,
    args: str | dict[str, Any],
    workdir: Path,
    *,
    check: bool = False,
    diff: bool = False,
    extra: list[str] | None = None,
    verbosity: int = 0,
    timeout: float = 240,
) -> Run:
    """``ansible <pattern> -m legacy_iis.iis4.iis4_component -a <args>``; per-host results from the tree callback."""
    tree = workdir / f"tree-{len(list(workdir.glob('tree-*')))}"
    cmd = [str(BIN / "ansible"), pattern, "-i", str(inventory), "-m", MODULE, "-t", str(tree)]
    cmd += ["-a", args if isinstance(args, str) else json.dumps(args)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    cmd += extra or []
    proc = subprocess.run(  # noqa: S603 - our own command line
        cmd,
        stdin=subprocess.DEVNULL,
        env=ansible_env(workdir),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir,
        check=False,
    )
    results = {}
    if tree.is_dir():
        for f in tree.iterdir():
            results[f.name] = json.loads(f.read_text(encoding="utf-8"))
    return Run(proc.returncode, proc.stdout, proc.stderr, results)


def run_playbook(
    playbook: Path,
    inventory: Path,
    workdir: Path,
    *,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    limit: str | None = None,
    collections: Path | None = None,
    timeout: float = 600,
) -> Run:
    cmd = [str(BIN / "ansible-playbook"), str(playbook), "-i", str(inventory)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if limit:
        cmd += ["--limit", limit]
    proc = subprocess.run(  # noqa: S603 - our own command line
        cmd,
        stdin=subprocess.DEVNULL,
        env=ansible_env(workdir, collections),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)

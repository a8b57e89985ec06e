"""Run the real ``ansible`` and ``ansible-playbook`` commands against lab inventories.

The environment of those commands (a collections path that points at the working tree) comes from
:mod:`tests.ansible_env`.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.ansible_env import BIN, ansible_env

MODULE = "legacy_iis.iis4.iis4_component"


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
    module: str = MODULE,
    env: dict[str, str] | None = None,
) -> Run:
    """``ansible <pattern> -m <module> -a <args>`` (by default legacy_iis.iis4.iis4_component); per-host results
    from the tree callback.

    ``env``: settings for this run on top of :func:`tests.ansible_env.ansible_env` (which drops every ``ANSIBLE_*``
    variable of the caller's environment, so a test sets them here)."""
    tree = workdir / f"tree-{len(list(workdir.glob('tree-*')))}"
    cmd = [str(BIN / "ansible"), pattern, "-i", str(inventory), "-m", module, "-t", str(tree)]
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
        env={**ansible_env(workdir), **(env or {})},
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
    diff: bool = False,
    limit: str | None = None,
    collections: Path | None = None,
    timeout: float = 600,
    env: dict[str, str] | None = None,
) -> Run:
    """``ansible-playbook``; ``env`` overrides the environment (an empty value removes the variable)."""
    cmd = [str(BIN / "ansible-playbook"), str(playbook), "-i", str(inventory)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if limit:
        cmd += ["--limit", limit]
    proc = subprocess.run(  # noqa: S603 - our own command line
        cmd,
        stdin=subprocess.DEVNULL,
        env={k: v for k, v in {**ansible_env(workdir, collections), **(env or {})}.items() if v},
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=workdir,
        check=False,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)

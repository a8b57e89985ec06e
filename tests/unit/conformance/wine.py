"""Running things under Wine for the oracle tests: one prefix for the test session (of each xdist worker: the
command line tests need a C: drive of their own), and a folder of its own for each script test inside it."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath

import pytest

WINE = shutil.which("wine")
needs_wine = pytest.mark.skipif(WINE is None, reason="Wine is not installed (Debian package 'wine')")


@dataclass(frozen=True)
class Prefix:
    """A Wine prefix: ``root`` on Linux, its ``C:`` drive at ``root / drive_c``."""

    root: Path

    @property
    def drive_c(self) -> Path:
        return self.root / "drive_c"

    def host_path(self, windows_path: str) -> Path:
        """The Linux path of ``C:\\...`` in this prefix."""
        p = PureWindowsPath(windows_path)
        if p.drive.upper() != "C:":
            raise ValueError(f"only drive C: is mapped: {windows_path!r}")
        return self.drive_c.joinpath(*p.parts[1:])

    def run(
        self, *argv: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess[bytes]:
        """``wine <argv>``; stdout and stderr on one pipe (their order kept, as a WinRS client sees them merged
        when the line says ``2>&1``)."""
        full_env = {
            **os.environ,
            "WINEPREFIX": str(self.root),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",
            **(env or {}),
        }
        # Output to a file, not a pipe: wine starts its server and the prefix's background programs on first
        # use, and they inherit the standard handles; a pipe would stay open until they end.
        with tempfile.TemporaryFile() as out:
            done = subprocess.run(  # noqa: S603 - a fixed program and our own arguments
                [str(WINE), *argv],
                cwd=cwd or self.drive_c,
                env=full_env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
            out.seek(0)
            return subprocess.CompletedProcess(done.args, done.returncode, out.read())


WINESERVER = shutil.which("wineserver") or "/usr/lib/wine/wineserver"


def _server(prefix: Prefix, *args: str) -> None:
    env = {**os.environ, "WINEPREFIX": str(prefix.root)}
    subprocess.run(  # noqa: S603 - a fixed program
        [WINESERVER, *args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        timeout=300,
    )


def session_prefix(tmp_path_factory: pytest.TempPathFactory) -> Prefix:
    """The session's prefix (each xdist worker has its own: a C: drive of its own, created in some seconds)."""
    base = tmp_path_factory.getbasetemp()
    root = base / "wineprefix"
    with open(base / "wineprefix.lock", "w", encoding="ascii") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        prefix = Prefix(root)
        root.mkdir(exist_ok=True)
        # Keep the prefix's wineserver up between runs (a new one for each run costs most of a second); it ends
        # by itself a minute after its last client.
        _server(prefix, "-p60")
        if not (root / "ready").exists():
            result = prefix.run("cmd", "/c", "echo ready", cwd=base)
            assert result.returncode == 0, result.stdout
            (root / "ready").touch()
    return prefix

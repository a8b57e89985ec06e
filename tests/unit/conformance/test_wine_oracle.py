"""A second, independent implementation as an oracle (issue 24): Wine's VBScript engine (its cscript).

The catalog scripts the module writes on the host (MTS / COM+: list, shutdown, start; ``catalog.py``) are never
run by the lab, which only recognises them.  Here Wine's VBScript engine compiles each of them: a first line
``WScript.Echo "compiled"`` is printed only when the whole file compiled (VBScript compiles a file before it runs
its first statement), so a syntax error anywhere in a script fails the test.  A deliberately broken copy of each
script shows that the oracle does catch one.

Where Wine differs from Windows (found while writing these tests, Wine 8.0):

* Wine has no MTS / COM+ catalog object, so each script stops at its ``CreateObject`` of the catalog: the
  statements after it are compiled but not run (no stand-in object is registered).
* Wine's cscript reports neither compilation nor runtime errors on the console and exits 0 after one (Windows'
  cscript prints ``<script>(line, col) Microsoft VBScript compilation error: ...``); hence the marker line.
* Wine's cmd.exe does not apply a redirection to a parenthesised block: ``(echo x)>>"f"`` prints ``x`` and
  leaves ``f`` empty, where Windows' cmd.exe (and the lab) append ``x`` to ``f``.  The module writes its scripts
  and batch files with exactly that form, so the command lines themselves are not run through Wine's cmd.exe
  here: it would report Wine's difference, not the module's.

Without Wine (the Debian package ``wine``) these tests are skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host import catalog

WINE = shutil.which("wine")
pytestmark = pytest.mark.skipif(WINE is None, reason="Wine is not installed (Debian package 'wine')")

PACKAGE = "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E6F1}"
SCRIPTS = [
    (kind, name, lines, args)
    for kind in ("mts", "complus")
    for name, lines, args in (
        ("list", catalog.list_script(kind), ()),
        ("shutdown", catalog.shutdown_script(kind), (PACKAGE,)),
        ("start", catalog.start_script(kind), (PACKAGE, "ShopCart.Cart")),
    )
]
IDS = [f"{kind}-{name}" for kind, name, _lines, _args in SCRIPTS]
MARK = 'WScript.Echo "compiled"'


@pytest.fixture(scope="module")
def wine_prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Wine prefix of its own (created once, in some seconds)."""
    prefix = tmp_path_factory.mktemp("wineprefix")
    assert wine(prefix, prefix, "cmd", "/c", "echo ready").returncode == 0
    return prefix


def wine(prefix: Path, cwd: Path, *argv: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "WINEPREFIX": str(prefix), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}
    return subprocess.run(  # noqa: S603 - a fixed program and our own arguments
        [str(WINE), *argv], cwd=cwd, env=env, capture_output=True, timeout=180, check=False
    )


def compiles(prefix: Path, folder: Path, lines: list[str], args: tuple[str, ...]) -> bool:
    """Does Wine's VBScript engine compile ``lines`` (the marker line runs only then)?"""
    (folder / "iis4cat.vbs").write_bytes(("\r\n".join([MARK, *lines]) + "\r\n").encode("cp437"))
    result = wine(prefix, folder, "cscript", "//nologo", "iis4cat.vbs", *args)
    return "compiled" in result.stdout.decode("cp437", "replace")


@pytest.mark.parametrize(("kind", "name", "lines", "args"), SCRIPTS, ids=IDS)
def test_every_catalog_script_compiles_under_an_independent_vbscript_engine(
    kind, name, lines, args, wine_prefix, tmp_path
):
    assert compiles(wine_prefix, tmp_path, lines, args), f"the {kind} {name} script does not compile"


@pytest.mark.parametrize(("kind", "name", "lines", "args"), SCRIPTS, ids=IDS)
def test_the_oracle_catches_a_syntax_error(kind, name, lines, args, wine_prefix, tmp_path):
    broken = [*lines[:-1], lines[-1] + " ("]  # an unclosed parenthesis on the last line
    assert not compiles(wine_prefix, tmp_path, broken, args)

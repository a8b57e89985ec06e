"""Every real cmd.exe result in tests/conformance/cmd-semantics.json, run through the lab's cmd.exe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.lab.shell_harness import run

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance" / "cmd-semantics.json"
CASES = json.loads(CONFORMANCE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case):
    out, err, rc = run(case["cmdline"])
    assert out == case["stdout"]
    assert err == case["stderr"]
    assert rc & 0xFF == case["rc"]


def test_exit_codes_are_the_windows_values():
    assert run("exit /b 300")[2] == 300
    assert run("exit /b -1")[2] == 0xFFFFFFFF

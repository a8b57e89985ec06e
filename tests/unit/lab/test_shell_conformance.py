"""Every case of tests/conformance/cmd-semantics.json, run through the lab's cmd.exe.

The cases are cmd.exe results on which Wine 8's cmd.exe and Windows' agree (``source`` of each case, explained
in tests/conformance/README.md), not captures of NT 4.0."""

from __future__ import annotations

import json
import re
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


README = CONFORMANCE.parent / "README.md"


def test_every_case_names_a_documented_source():
    documented = set(re.findall(r"^\| `([\w-]+)` \|", README.read_text(encoding="utf-8"), re.MULTILINE))
    assert documented
    for case in CASES:
        assert case.get("source") in documented, case["id"]


def test_exit_codes_are_the_windows_values():
    assert run("exit /b 300")[2] == 300
    assert run("exit /b -1")[2] == 0xFFFFFFFF

"""Tests of the lab's cmd.exe interpreter (tests.lab.cmd), including every real cmd.exe conformance case."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.lab.cmd import CmdIO, Interpreter
from tests.lab.config import HostConfig
from tests.lab.events import EventLog
from tests.lab.fs import FileSystem

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance" / "cmd-semantics.json"
CASES = json.loads(CONFORMANCE.read_text(encoding="utf-8"))

ORACLE_FILES = {
    "C:\\oracle\\present.txt": b"present\r\n",
    "C:\\oracle\\sp ace\\args.bat": b"@echo [%1] [%2] [%*]\r\n",
    "C:\\oracle\\sp ace\\in space.txt": b"in space\r\n",
    "C:\\oracle\\rc3.bat": b"@exit /b 3\r\n",
}


def make_machine(files: dict[str, bytes] | None = None, programs: dict | None = None, **config) -> SimpleNamespace:
    cfg = HostConfig(**config)
    log = EventLog()
    fs = FileSystem(cfg.faults, cfg.disk_free, log=log, host=cfg.name)
    for path, data in {**ORACLE_FILES, **(files or {})}.items():
        fs.makedirs(path.rsplit("\\", 1)[0])
        fs.write(path, data)
    env = {"ORACLE_FOO": "bar", "Path": "C:\\WINNT\\system32;C:\\WINNT", "SystemRoot": "C:\\WINNT"}
    return SimpleNamespace(fs=fs, config=cfg, log=log, programs=dict(programs or {}), env=env)


def run(cmdline: str, machine: SimpleNamespace | None = None, stdin: str = "", cancel: threading.Event | None = None):
    machine = machine or make_machine()
    out: list[str] = []
    err: list[str] = []
    box = [stdin]

    def read_stdin() -> str:
        text, box[0] = box[0], ""
        return text

    io = CmdIO(out.append, err.append, read_stdin, cancel or threading.Event())
    rc = Interpreter(machine).run(cmdline, io)
    return "".join(out), "".join(err), rc


# --------------------------------------------------------------------------------------------------
# the real cmd.exe cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case):
    out, err, rc = run(case["cmdline"])
    assert out == case["stdout"]
    assert err == case["stderr"]
    assert rc & 0xFF == case["rc"]


def test_exit_codes_are_the_windows_values():
    assert run("exit /b 300")[2] == 300
    assert run("exit /b -1")[2] == 0xFFFFFFFF

"""Running command lines through the lab's cmd.exe on a bare model (a file system, an environment and a
program table; no services), for the shell and program tests."""

from __future__ import annotations

import threading
from datetime import datetime
from types import SimpleNamespace

from tests.lab.machine.config import HostConfig
from tests.lab.machine.dll import make_dll
from tests.lab.machine.events import EventLog
from tests.lab.machine.fs import FileSystem
from tests.lab.machine.proc_api import CmdIO, ProgramCall
from tests.lab.shell import Interpreter

ORACLE_FILES = {
    "C:\\oracle\\present.txt": b"present\r\n",
    "C:\\oracle\\sp ace\\args.bat": b"@echo [%1] [%2] [%*]\r\n",
    "C:\\oracle\\sp ace\\in space.txt": b"in space\r\n",
    "C:\\oracle\\rc3.bat": b"@exit /b 3\r\n",
}

LIVE = "C:\\InetPub\\shop\\bin\\ShopCart.dll"
STAGED = "C:\\Staging\\ShopCart.dll"
COPIED1 = "        1 file(s) copied.\r\n"
COPIED0 = "        0 file(s) copied.\r\n"
SHARING = "The process cannot access the file because it is being used by another process.\r\n"


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
    rc = Interpreter(machine, machine.programs).run(cmdline, io)
    return "".join(out), "".join(err), rc


def recorder(calls: list, rc: int = 0, output: str = ""):
    def program(call: ProgramCall) -> int:
        calls.append(call)
        if output:
            call.io.out(output)
        return rc

    return program


def batch_machine(**files: str) -> SimpleNamespace:
    return make_machine(files={f"C:\\b\\{k}.bat": v.replace("\n", "\r\n").encode("cp437") for k, v in files.items()})


def file_machine(programs: dict | None = None) -> SimpleNamespace:
    """A bare machine with a live and a staged ShopCart.dll and the clock at 07/20/01 08:06p."""
    machine = make_machine(
        files={LIVE: make_dll("ShopCart", "1.0.0.0", 3000), STAGED: make_dll("ShopCart", "2.0.0.0", 3100)},
        programs=programs,
    )
    machine.fs.set_clock(datetime(2001, 7, 20, 20, 6))
    return machine

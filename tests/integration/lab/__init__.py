"""Wire-level tests of the lab: the real pywinrm client against lab hosts.

:class:`ScriptMachine` is a tiny stand-in for the machine model that makes protocol behaviour easy to
provoke (sleep exactly this long, print this many bytes).  It speaks the ``Machine`` contract of
``docs/dev/architecture.md``; tests that need real cmd.exe behaviour use the real machine.

ScriptMachine commands: ``echo TEXT``, ``err TEXT`` (stderr, exit 1), ``exit N``, ``sleep SECONDS``
(exit 0, or 130 / 1 when signalled ctrl_c / terminate), ``tick N SECONDS`` (N lines, one per interval),
``cat`` (copies stdin until end of input), ``big BYTES``.
"""

from __future__ import annotations

import threading
import time
from typing import Any


class ScriptCommand:
    def __init__(self, cmdline: str) -> None:
        self.cmdline = cmdline
        self._cv = threading.Condition()
        self._out = bytearray()
        self._err = bytearray()
        self._stdin = bytearray()
        self._eof = False
        self.signals: list[str] = []
        self.done = False
        self.exit_code: int | None = None
        threading.Thread(target=self._run, daemon=True).start()

    def _emit(self, data: bytes, err: bool = False) -> None:
        with self._cv:
            (self._err if err else self._out).extend(data)
            self._cv.notify_all()

    def _wait(self, seconds: float) -> bool:
        """Sleep; True when interrupted by a signal."""
        end = time.monotonic() + seconds
        with self._cv:
            while not self.signals and time.monotonic() < end:
                self._cv.wait(end - time.monotonic())
            return bool(self.signals)

    def _run(self) -> None:
        verb, _sep, rest = self.cmdline.partition(" ")
        rc = 0
        if verb == "echo":
            self._emit(rest.encode("cp437") + b"\r\n")
        elif verb == "err":
            self._emit(rest.encode("cp437") + b"\r\n", err=True)
            rc = 1
        elif verb == "exit":
            rc = int(rest)
        elif verb == "sleep":
            if self._wait(float(rest)):
                rc = 130 if self.signals[0] == "ctrl_c" else 1
        elif verb == "tick":
            count, interval = rest.split()
            for i in range(int(count)):
                if self._wait(float(interval)):
                    rc = 1
                    break
                self._emit(f"tick {i}\r\n".encode())
        elif verb == "cat":
            with self._cv:
                while not self._eof and not self.signals:
                    self._cv.wait()
                data = bytes(self._stdin)
            self._emit(data)
        elif verb == "big":
            self._emit(bytes(48 + i % 10 for i in range(int(rest))))
        else:
            self._emit(f"'{verb}' is not recognized as an internal or external command,\r\n".encode(), err=True)
            rc = 1
        with self._cv:
            self.done = True
            self.exit_code = rc
            self._cv.notify_all()

    def write_stdin(self, data: bytes, eof: bool) -> None:
        with self._cv:
            self._stdin += data
            self._eof = self._eof or eof
            self._cv.notify_all()

    def read(self, timeout: float) -> tuple[bytes, bytes, bool, int | None]:
        end = time.monotonic() + timeout
        with self._cv:
            while not self._out and not self._err and not self.done:
                left = end - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(left)
            out, err = bytes(self._out), bytes(self._err)
            self._out.clear()
            self._err.clear()
            return out, err, self.done, self.exit_code if self.done else None

    def signal(self, kind: str) -> None:
        with self._cv:
            self.signals.append(kind)
            self._cv.notify_all()


class ScriptMachine:
    def __init__(self, config: Any, log: Any) -> None:
        self.config = config
        self.log = log
        self.commands: list[ScriptCommand] = []

    def start_command(self, cmdline: str) -> ScriptCommand:
        self.log.add(self.config.name, "command", cmdline=cmdline)
        cmd = ScriptCommand(cmdline)
        self.commands.append(cmd)
        return cmd

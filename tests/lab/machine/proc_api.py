"""The process interface of a lab host: what a program gets when cmd.exe starts it.

This module is neutral ground.  The interpreter (:mod:`tests.lab.shell`) creates :class:`CmdIO` and
:class:`ProgramCall` objects, the programs (:mod:`tests.lab.tools`) receive them, and the machine model
(:mod:`tests.lab.machine.machine`) connects a running command's byte buffers to a :class:`CmdIO`.  It imports none
of them, so none of them has to import another to talk.

A *program* is a callable taking a :class:`ProgramCall` and returning its exit code; text goes through
``call.io.out`` (stdout) and ``call.io.err`` (stderr) with CRLF line ends.  A *command shell* is what the
machine runs a ``cmd.exe /c`` line with: ``shell_factory(machine, programs).run(cmdline, io, cwd)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

STATUS_CONTROL_C_EXIT = -1073741510  # 0xC000013A as a signed 32-bit exit code (what a program returns)


def discard(_text: str) -> None:
    """Output sent to ``nul``: the interpreter hands it to a program as its ``out`` or ``err``, so that a program
    may skip building text no one will see (``fc /b`` listing every differing byte)."""
    return None


@dataclass
class CmdIO:
    out: Callable[[str], None]  # stdout text
    err: Callable[[str], None]  # stderr text
    read_stdin: Callable[[], str]  # remaining stdin text ('' at EOF)
    cancelled: threading.Event = field(default_factory=threading.Event)  # Ctrl+C / terminate


@dataclass
class ProgramCall:
    machine: Any
    args: list[str]
    raw_args: str
    io: CmdIO
    env: dict[str, str]
    cwd: str


Program = Callable[[ProgramCall], int]


class CommandShell(Protocol):
    def run(self, cmdline: str, io: CmdIO, cwd: str | None = None) -> int: ...


# (machine as the command sees it, program table: lower-case base name -> program) -> a command shell
ShellFactory = Callable[[Any, Mapping[str, Program]], CommandShell]

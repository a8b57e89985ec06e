"""Where a command's input and output go: redirections (``<``, ``>``, ``>>``, ``n>&m``, ``nul``, ``con``),
stdin with push-back, and reading one answer line for a prompt.

Output redirected to a file is collected and written when the command ends; the file is created (``>``)
or probed (``>>``) before the command starts, and when that fails the command does not run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from ..machine.fs import FsError, has_wildcards
from ..machine.proc_api import CmdIO, discard
from .messages import SYNTAX_ERROR
from .parse import Redir

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)


class Sink:
    """Collects redirected output for a file; the file was created/truncated when the command started."""

    def __init__(self, fs: Any, path: str) -> None:
        self.fs = fs
        self.path = path
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            data = "".join(self.parts).encode("cp437", errors="replace")
            self.parts = []
            with contextlib.suppress(FsError):
                self.fs.write(self.path, data, append=True)


null = discard  # what nul takes (tests.lab.machine.proc_api)


class StdinReader:
    """A ``read_stdin`` callable with push-back, so a command that wants one answer line can leave the rest
    for the next command (``del`` and ``copy /-y`` prompts, ``set /p``, ``pause``)."""

    def __init__(self, source: Callable[[], str] | None = None, text: str = "") -> None:
        self.source = source
        self.pending = text

    def __call__(self) -> str:
        if self.pending:
            text, self.pending = self.pending, ""
            return text
        return self.source() if self.source is not None else ""

    def push(self, text: str) -> None:
        self.pending = text + self.pending


def read_answer_line(io: CmdIO) -> str:
    """One line of stdin (without its line end); the rest stays readable when the reader supports it."""
    data = io.read_stdin()
    line, sep, rest = data.partition("\n")
    push = getattr(io.read_stdin, "push", None)
    if sep and rest and push is not None:
        push(rest)
    return line.rstrip("\r")


def with_redirs(sh: Shell, redirs: list[Redir], io: CmdIO, body: Callable[[CmdIO], None]) -> None:
    """Run ``body`` with ``io`` changed by ``redirs``; the shell's own ``io`` is ``body``'s meanwhile."""
    if not redirs:
        saved = sh.io
        sh.io = io
        try:
            body(io)
        finally:
            sh.io = saved
        return
    handles: dict[int, Any] = {0: io.read_stdin, 1: io.out, 2: io.err}
    sinks: list[Sink] = []
    for r in redirs:
        if r.mode == ">&":
            src = int(r.target)
            if src not in handles:
                sh.err(SYNTAX_ERROR)
                sh.errorlevel = 1
                return
            handles[r.handle] = handles[src]
            continue
        name = r.target
        low = name.lower().rstrip(":")
        if r.mode == "<":
            if low == "nul":
                handles[r.handle] = lambda: ""
                continue
            path = sh.resolve(name)
            try:
                content = sh.fs.read(path).decode("cp437")
            except FsError as exc:
                sh.err(f"{exc}\r\n")
                sh.redirection_failed()
                return
            handles[r.handle] = StdinReader(text=content)
            continue
        if low == "nul":
            handles[r.handle] = null
            continue
        if low == "con":
            handles[r.handle] = io.out if r.handle == 1 else io.err
            continue
        path = sh.resolve(name)
        try:
            if has_wildcards(path):
                raise FsError(123, path)
            if r.mode == ">":
                sh.fs.write(path, b"")
            else:
                sh.fs.open_for_write_probe(path)
        except FsError as exc:
            sh.err(f"{exc}\r\n")
            sh.redirection_failed()
            return
        sink = Sink(sh.fs, path)
        sinks.append(sink)
        handles[r.handle] = sink.write
    sub = CmdIO(handles[1], handles[2], handles[0], io.cancelled)
    saved = sh.io
    sh.io = sub
    try:
        body(sub)
    finally:
        sh.io = saved
        for sink in sinks:
            sink.flush()

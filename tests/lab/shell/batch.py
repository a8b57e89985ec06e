"""Batch files: the frame of a running batch file, starting one, running its lines, and ``goto``.

Each line is expanded (phase 1) when it is reached, a caret at the end of a line joins the next line, and a
block still open at the end of a line reads the next line too.  With ECHO on every command is shown as
``<cwd>>command`` first.  A line that does not parse ends every running batch file, as in cmd.exe.  Running
a batch file from a batch file without CALL transfers control for good.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from typing import Any

from ..machine.fs import FsError
from .env import Env
from .flow import PARSE_ERROR_RC, AbortBatches, ExitBatch, Goto
from .messages import LINE_TOO_LONG, SYNTAX_ERROR
from .parse import NeedMore, ParseError, Parser, continues, render
from .words import cmd_tokens

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)


@dataclass
class BatchFrame:
    path: str
    args: list[str]  # %0 .. %n as typed (quotes kept)
    all_args: str  # %*
    lines: list[str]
    pos: int = 0
    echo: bool = True
    shift: int = 0
    abandoned: bool = False
    locals: list[tuple[Env, str]] = field(default_factory=list)

    def arg(self, n: int) -> str:
        idx = n if n == 0 else n + self.shift
        return self.args[idx] if idx < len(self.args) else ""


def batch_args(text: str) -> list[str]:
    """Arguments of a batch call: separated by white space, ``,``, ``;`` or ``=``; quotes kept."""
    return cmd_tokens(text)


def start_batch(sh: Shell, path: str, rest: str, call: bool) -> None:
    try:
        raw = sh.fs.read(path)
    except FsError as exc:
        sh.err(f"{exc}\r\n")
        sh.errorlevel = 1
        return
    text = raw.decode("cp437")
    lines = re.split(r"\r?\n", text)
    all_args = rest.lstrip(" \t,;=")
    frame = BatchFrame(path, [path, *batch_args(rest)], all_args, lines, echo=sh.echo)
    if sh.batch is not None and not call:
        # running a batch file from a batch file without CALL transfers control for good: the caller
        # finishes the line it is on and then stops
        sh.batch.abandoned = True
    if sh.batch is not None:
        run_batch(sh, frame)
        return
    with contextlib.suppress(AbortBatches):
        run_batch(sh, frame)


def run_batch(sh: Shell, frame: BatchFrame, start: int = 0) -> None:
    outer = sh.batch
    sh.batch = frame
    frame.pos = start
    try:
        while frame.pos < len(frame.lines):
            sh.check_cancel()
            line = frame.lines[frame.pos]
            frame.pos += 1
            stripped = line.lstrip(" \t@")
            if stripped.startswith(":") or not stripped.strip():
                continue
            text = sh.expand(line, frame)
            while continues(text) and frame.pos < len(frame.lines):
                # a caret at the end of a line joins the next line to it
                text = text[:-1] + sh.expand(frame.lines[frame.pos], frame)
                frame.pos += 1
            if len(line) > sh.max_line or len(text) > sh.max_line:
                sh.err(LINE_TOO_LONG)
                sh.errorlevel = 1
                continue
            while True:
                try:
                    node = Parser(text).parse()
                    break
                except NeedMore:
                    if frame.pos >= len(frame.lines):
                        node = None
                        sh.err(SYNTAX_ERROR)
                        break
                    text += "\n" + sh.expand(frame.lines[frame.pos], frame)
                    frame.pos += 1
                except ParseError as exc:
                    # a line that does not parse ends all batch processing, as in cmd.exe
                    sh.err(exc.message)
                    sh.errorlevel = PARSE_ERROR_RC
                    raise AbortBatches() from None
            if node is None:
                continue
            if sh.echo and not line.lstrip(" \t").startswith("@"):
                sh.out(f"\r\n{sh.cwd}>{render(node)}\r\n")
            try:
                sh.execute(node, sh.io)
            except Goto as g:
                if not goto(sh, frame, g.label):
                    return
            if frame.abandoned:
                return
            if sh.batch is not frame:
                return
    except ExitBatch as exc:
        if exc.code is not None:
            sh.errorlevel = exc.code
    finally:
        while frame.locals:
            env, cwd = frame.locals.pop()
            sh.env, sh.cwd = env, cwd
        sh.batch = outer


def goto(sh: Shell, frame: BatchFrame, label: str) -> bool:
    target = label.lstrip(":").split()[0].lower() if label.strip(": ") else ""
    if target == "eof":
        frame.pos = len(frame.lines)
        return False
    order = list(range(frame.pos, len(frame.lines))) + list(range(0, frame.pos))
    for idx in order:
        line = frame.lines[idx].lstrip(" \t")
        if line.startswith(":"):
            name = line[1:].strip().split()
            if name and name[0].lower() == target:
                frame.pos = idx + 1
                return True
    sh.err(f"The system cannot find the batch label specified - {label.lstrip(':').strip()}\r\n")
    sh.errorlevel = 1
    return False

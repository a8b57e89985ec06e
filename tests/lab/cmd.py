"""The lab's cmd.exe: what ``cmd.exe /c <line>`` does on Windows NT 4.0.

The interpreter follows cmd's two reading phases:

1. ``%`` expansion of the whole line (or the whole parenthesised block) when it is read, before anything
   runs.  On the command line an undefined ``%VAR%`` stays as typed; in a batch file it becomes empty,
   ``%%`` becomes ``%`` and ``%0``..``%9``/``%*`` are the batch arguments.  ``%ERRORLEVEL%`` is expanded
   here too, which is why scripts test exit codes with ``if errorlevel``.
2. Splitting into commands: ``^`` escapes (outside quotes), ``"`` toggles quoting (an unterminated quote runs
   to the end of the line), operators ``&`` (weakest), ``&&``/``||`` (one level, left to right), ``|``
   (strongest), ``( )`` blocks, redirections (removed from the command text with the white space around them
   kept), and ``if``/``for`` whose command swallows the rest of the line (``if a==b echo x & echo y`` prints
   nothing).  ``&&`` and ``||`` test whether the last command succeeded, which for ``ren``/``del`` is not
   the same as ERRORLEVEL.

Built-in commands live here and in :mod:`tests.lab.filetools`; everything else is a *program*
(``machine.programs``: lower-case base name -> callable taking a :class:`ProgramCall`) or a batch file on the
lab file system.  Output is text with CRLF line ends; the wire encodes it as code page 437.

Where the NT 4.0 behaviour comes from:

* ``tests/conformance/cmd-semantics.json``: real cmd.exe results (every case is a unit test).
* KB 830473: 2047-character line limit on NT 4.0 / 2000, also for expanded lines and batch lines.
* Unknown command: ``The name specified is not recognized as an`` / ``internal or external command, operable
  program or batch file.``, exit code 1 - the NT 4 text and line break as recorded by the SCons test suite
  (which expects "Error 1"); Windows 2000 changed it to ``'x' is not recognized ...``.
* ``cmd /c`` quotes: the Windows 2000 ``cmd /?`` calls "strip the first and the last quote" the *old*
  behaviour and adds the keep-both-quotes rule and ``/S``; NT 4 is taken to have only the old behaviour
  (:attr:`Interpreter.keep_quote_rule` turns the Windows 2000 rule on).
* Guesses: ERRORLEVEL 255 after a line that does not parse; ``The input line is too long.`` (the text of
  later versions); ``&&``/``||`` precedence (equal, as reimplementations such as pBat document).
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import filetools
from .filetools import cmd_tokens, unquote
from .fs import FsError, has_wildcards, split_path

CANCELLED_RC = 0xC000013A  # STATUS_CONTROL_C_EXIT
NOT_RECOGNIZED = (
    "The name specified is not recognized as an\r\ninternal or external command, operable program or batch file.\r\n"
)
SYNTAX_ERROR = "The syntax of the command is incorrect.\r\n"
LINE_TOO_LONG = "The input line is too long.\r\n"
PARSE_ERROR_RC = 255  # errorlevel after a line that does not parse
PATHEXT = (".COM", ".EXE", ".BAT", ".CMD")
SPECIAL_IN_QUOTE_RULE = set("&<>()@^|")


# ====================================================================================================
# Public data types


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


def split_args(raw: str) -> list[str]:
    """argv[1:] of a command line tail by the MS C runtime rules of the NT 4 era (msvcrt / VC 6).

    White space separates arguments outside quotes; ``2n`` backslashes before a quote give ``n`` backslashes
    and the quote toggles quoting; ``2n+1`` give ``n`` and a literal quote; other backslashes are literal;
    inside quotes ``""`` gives one literal quote and ends the quoted part (the pre-2008 runtime)."""
    args: list[str] = []
    i, n = 0, len(raw)
    while True:
        while i < n and raw[i] in " \t":
            i += 1
        if i >= n:
            return args
        cur: list[str] = []
        in_quote = False
        while i < n:
            ch = raw[i]
            if ch == "\\":
                j = i
                while j < n and raw[j] == "\\":
                    j += 1
                count = j - i
                if j < n and raw[j] == '"':
                    cur.append("\\" * (count // 2))
                    if count % 2:
                        cur.append('"')
                        i = j + 1
                    else:
                        i = j
                    continue
                cur.append("\\" * count)
                i = j
                continue
            if ch == '"':
                if in_quote and i + 1 < n and raw[i + 1] == '"':
                    cur.append('"')
                    i += 2
                    in_quote = False
                    continue
                in_quote = not in_quote
                i += 1
                continue
            if ch in " \t" and not in_quote:
                break
            cur.append(ch)
            i += 1
        args.append("".join(cur))


def errorlevel_to_rc(level: int) -> int:
    return level & 0xFFFFFFFF


# ====================================================================================================
# Control flow signals


class _ExitCmd(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class _ExitBatch(Exception):
    def __init__(self, code: int | None) -> None:
        self.code = code


class _Goto(Exception):
    def __init__(self, label: str) -> None:
        self.label = label


class _Cancelled(Exception):
    pass


class _ParseError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class _AbortBatches(Exception):
    """A syntax error in a batch file: every running batch file stops."""


class _NeedMore(Exception):
    """A block is still open at the end of the text: a batch file reads the next line."""


# ====================================================================================================
# Parse tree


@dataclass
class Redir:
    handle: int  # 0 stdin, 1 stdout, 2 stderr
    mode: str  # "<", ">", ">>", ">&"
    target: str  # file name (quotes removed) or the handle number for ">&"


@dataclass
class Simple:
    text: str  # command text: carets applied, quotes kept, redirections removed
    redirs: list[Redir]


@dataclass
class Block:
    body: Any  # node or None
    redirs: list[Redir]


@dataclass
class IfNode:
    negate: bool
    ignore_case: bool
    kind: str  # "exist" | "errorlevel" | "defined" | "cmp" | "cmdextversion"
    operands: list[str]
    op: str
    then: Any
    else_: Any


@dataclass
class ForNode:
    mode: str  # "" | "l" | "d" | "r" | "f"
    options: str  # /F options or the /R root
    var: str  # the loop variable letter (case matters)
    items: str  # the text between the parentheses
    body: str  # the command text, parsed again for every value


@dataclass
class Op:
    op: str  # "&" | "||" | "&&" | "|"
    left: Any
    right: Any


PRECEDENCE = {"&": 0, "||": 1, "&&": 1, "|": 2}  # && and || share a level, left to right
CMP_OPS = {"equ", "neq", "lss", "leq", "gtr", "geq"}


class Parser:
    """Phase 2: turns one expanded line (or block of lines) into a tree."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.depth = 0
        self.newline_ends = False  # True while parsing an IF/FOR body: a line break ends the statement

    # -------------------------------------------------------------- helpers
    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < len(self.s) else ""

    def skip_ws(self, newlines: bool = False) -> None:
        while self.i < len(self.s) and (self.s[self.i] in " \t" or (newlines and self.s[self.i] == "\n")):
            self.i += 1

    def at_end(self) -> bool:
        return self.i >= len(self.s)

    def word_ahead(self, word: str) -> bool:
        """Is ``word`` next (case-insensitively), followed by a delimiter?"""
        end = self.i + len(word)
        if self.s[self.i : end].lower() != word:
            return False
        nxt = self.s[end] if end < len(self.s) else ""
        return nxt == "" or nxt in " \t(,;=\n"

    def peek_op(self) -> str | None:
        self.skip_ws()
        ch = self.peek()
        if ch == "&":
            return "&&" if self.peek(1) == "&" else "&"
        if ch == "|":
            return "||" if self.peek(1) == "|" else "|"
        if ch == "\n" and self.depth > 0 and self.newline_ends is False:
            return "\n"
        return None

    # -------------------------------------------------------------- grammar
    def parse(self) -> Any:
        self.skip_ws(newlines=True)
        if self.at_end():
            return None
        node = self.expr(0)
        self.skip_ws()
        if not self.at_end():
            ch = self.peek()
            if ch == ")":
                # a stray ")" after a complete command starts a remark, as at the start of a command
                while not self.at_end() and self.peek() != "\n":
                    self.i += 1
                return node if self.at_end() else Op("&", node, self.parse())
            if ch == "\n":  # only a multi-line block can contain one; run the rest as a new statement
                self.i += 1
                rest = self.parse()
                return Op("&", node, rest) if rest is not None else node
            raise _ParseError(f"{ch} was unexpected at this time.\r\n")
        return node

    def expr(self, min_prec: int, lhs: Any = None, first: bool = True) -> Any:
        if lhs is None and first:
            lhs = self.primary()
        while True:
            op = self.peek_op()
            if op is None:
                break
            prec = 0 if op == "\n" else PRECEDENCE[op]
            if prec < min_prec:
                break
            self.i += 1 if op in ("&", "|", "\n") else 2
            if op == "\n":
                self.skip_ws(newlines=True)
                if self.peek() == ")" or self.at_end():
                    continue
                op = "&"
            rhs = self.primary(after_op=op)
            while True:
                nxt = self.peek_op()
                if nxt is None or nxt == "\n" or PRECEDENCE[nxt] <= prec:
                    break
                rhs = self.expr(PRECEDENCE[nxt], rhs)
            if lhs is None:
                if op != "&":
                    raise _ParseError(f"{op} was unexpected at this time.\r\n")
                lhs = rhs
            elif rhs is None:
                if op != "&":
                    raise _ParseError(SYNTAX_ERROR)
            else:
                lhs = Op(op, lhs, rhs)
        return lhs

    def primary(self, after_op: str | None = None) -> Any:
        self.skip_ws()
        while self.peek() == "@":
            self.i += 1
            self.skip_ws()
        ch = self.peek()
        if ch == "" or ch == "\n" or (ch == ")" and self.depth > 0):
            return None
        if ch in "&|":
            raise _ParseError(f"{self.op_text()} was unexpected at this time.\r\n")
        if ch == "(":
            self.i += 1
            self.depth += 1
            saved, self.newline_ends = self.newline_ends, False
            body = self.expr(0)
            self.newline_ends = saved
            self.skip_ws(newlines=True)
            if self.peek() != ")":
                if self.at_end():
                    raise _NeedMore()
                raise _ParseError(SYNTAX_ERROR)
            self.i += 1
            self.depth -= 1
            redirs = self.trailing_redirs()
            return Block(body, redirs)
        if self.word_ahead("if"):
            return self.parse_if()
        if self.word_ahead("for"):
            return self.parse_for()
        if ch == ")":
            # outside any block a command that starts with ")" is ignored with the rest of its line, like REM
            while not self.at_end() and self.peek() != "\n":
                self.i += 1
            return None
        if self.word_ahead("rem"):
            start = self.i
            while not self.at_end() and self.peek() != "\n":
                self.i += 1
            return Simple(self.s[start : self.i], [])
        return self.simple()

    def op_text(self) -> str:
        ch = self.peek()
        return ch * 2 if self.peek(1) == ch else ch

    def trailing_redirs(self) -> list[Redir]:
        redirs: list[Redir] = []
        while True:
            self.skip_ws()
            ch = self.peek()
            if ch in "<>" and ch:
                redirs.append(self.redirection(1 if ch == ">" else 0))
            elif ch.isdigit() and self.peek(1) in "<>" and self.peek(1):
                self.i += 1
                redirs.append(self.redirection(int(ch)))
            else:
                return redirs

    def redirection(self, handle: int) -> Redir:
        ch = self.peek()
        if ch == "<":
            self.i += 1
            mode = "<"
            handle = 0 if handle == 1 else handle
        else:
            self.i += 1
            mode = ">"
            if self.peek() == ">":
                self.i += 1
                mode = ">>"
        if self.peek() == "&" and self.peek(1).isdigit():
            target = self.peek(1)
            self.i += 2
            return Redir(handle, ">&", target)
        self.skip_ws()
        target = self.word()
        if not target:
            raise _ParseError(SYNTAX_ERROR)
        return Redir(handle, mode, unquote(target))

    def word(self, stop: str = "") -> str:
        """A token: up to white space or an operator, quotes grouping, carets escaping."""
        out: list[str] = []
        in_quote = False
        while not self.at_end():
            ch = self.peek()
            if ch == "\n":
                break
            if in_quote:
                out.append(ch)
                self.i += 1
                if ch == '"':
                    in_quote = False
                continue
            if ch == '"':
                in_quote = True
                out.append(ch)
                self.i += 1
                continue
            if ch == "^":
                if self.i + 1 < len(self.s) and self.s[self.i + 1] != "\n":
                    out.append(self.s[self.i + 1])
                    self.i += 2
                else:
                    self.i += 1
                continue
            if ch in " \t&|<>" or ch in stop or (ch == ")" and self.depth > 0):
                break
            out.append(ch)
            self.i += 1
        return "".join(out)

    def simple(self) -> Simple:
        out: list[str] = []
        redirs: list[Redir] = []
        in_quote = False
        while not self.at_end():
            ch = self.peek()
            if ch == "\n":
                break
            if in_quote:
                out.append(ch)
                self.i += 1
                if ch == '"':
                    in_quote = False
                continue
            if ch == '"':
                in_quote = True
                out.append(ch)
                self.i += 1
                continue
            if ch == "^":
                if self.i + 1 < len(self.s) and self.s[self.i + 1] != "\n":
                    out.append(self.s[self.i + 1])
                    self.i += 2
                else:
                    self.i += 1
                continue
            if ch in "&|" or (ch == ")" and self.depth > 0):
                break
            if ch in "<>":
                handle = 1 if ch == ">" else 0
                # a lone digit right before the operator names the handle ("2>", "1>&2")
                if out and out[-1].isdigit() and (len(out) == 1 or out[-2] in " \t"):
                    handle = int(out.pop())
                redirs.append(self.redirection(handle))
                continue
            out.append(ch)
            self.i += 1
        return Simple("".join(out), redirs)

    def parse_for(self) -> ForNode:
        """``for [/l|/d|/r [root]|/f ["opts"]] %v in (set) do command``; the command is kept as text."""
        self.i += 3
        self.skip_ws()
        mode = options = ""
        while self.peek() == "/":
            mode = self.peek(1).lower()
            self.i += 2
            self.skip_ws()
            if mode in ("f", "r") and self.peek() != "%":
                options = unquote(self.word())
                self.skip_ws()
        if self.peek() != "%" or not self.peek(1):
            raise _ParseError(f"{self.word() or 'for'} was unexpected at this time.\r\n")
        var = self.peek(1)
        self.i += 2
        self.skip_ws()
        if not self.word_ahead("in"):
            raise _ParseError(f"{self.word()} was unexpected at this time.\r\n")
        self.i += 2
        self.skip_ws()
        if self.peek() != "(":
            raise _ParseError(f"{self.word()} was unexpected at this time.\r\n")
        self.i += 1
        start = self.i
        in_quote = False
        while not self.at_end() and (in_quote or self.peek() != ")"):
            if self.peek() == '"':
                in_quote = not in_quote
            self.i += 1
        if self.at_end():
            raise _NeedMore()
        items = self.s[start : self.i]
        self.i += 1
        self.skip_ws()
        if not self.word_ahead("do"):
            raise _ParseError(f"{self.word() or 'do'} was unexpected at this time.\r\n")
        self.i += 2
        self.skip_ws()
        body_start = self.i
        saved, self.newline_ends = self.newline_ends, True
        try:
            body = self.expr(0)
        finally:
            self.newline_ends = saved
        if body is None:
            raise _ParseError(SYNTAX_ERROR)
        return ForNode(mode, options, var, items, self.s[body_start : self.i])

    def parse_if(self) -> IfNode:
        self.i += 2
        self.skip_ws()
        ignore_case = negate = False
        if self.s[self.i : self.i + 2].lower() == "/i" and self.peek(2) in " \t":
            ignore_case = True
            self.i += 2
            self.skip_ws()
        if self.word_ahead("not"):
            negate = True
            self.i += 3
            self.skip_ws()
        kind = "cmp"
        operands: list[str] = []
        op = "=="
        for key in ("exist", "errorlevel", "defined", "cmdextversion"):
            if self.word_ahead(key):
                kind = key
                self.i += len(key)
                self.skip_ws()
                operands = [self.word()]
                if not operands[0]:
                    raise _ParseError(SYNTAX_ERROR)
                break
        else:
            left = self.word(stop="=")
            self.skip_ws()
            if self.s.startswith("==", self.i):
                while self.peek() == "=":
                    self.i += 1
                self.skip_ws()
            else:
                token = self.word()
                if token.lower() not in CMP_OPS:
                    raise _ParseError(SYNTAX_ERROR)
                op = token.lower()
                self.skip_ws()
            right = self.word(stop="=") if op == "==" else self.word()
            if not left or not right:
                raise _ParseError(SYNTAX_ERROR)
            operands = [left, right]
        self.skip_ws()
        saved, self.newline_ends = self.newline_ends, True
        try:
            return self.if_body(negate, ignore_case, kind, operands, op)
        finally:
            self.newline_ends = saved

    def if_body(self, negate: bool, ignore_case: bool, kind: str, operands: list[str], op: str) -> IfNode:
        first = self.primary()
        if first is None:
            raise _ParseError(SYNTAX_ERROR)
        if isinstance(first, Block):
            save = self.i
            self.skip_ws()  # ELSE must follow the closing parenthesis on the same line
            if self.word_ahead("else"):
                self.i += 4
                else_node = self.expr(0)
                if else_node is None:
                    raise _ParseError(SYNTAX_ERROR)
                return IfNode(negate, ignore_case, kind, operands, op, first, else_node)
            self.i = save
        then = self.expr(0, first)
        return IfNode(negate, ignore_case, kind, operands, op, then, None)


# ====================================================================================================
# Environment


class Env:
    """Case-insensitive environment that keeps the case a variable was first set with."""

    def __init__(self, base: dict[str, str] | None = None) -> None:
        self._d: dict[str, tuple[str, str]] = {}
        for k, v in (base or {}).items():
            self.set(k, v)

    def get(self, name: str) -> str | None:
        item = self._d.get(name.upper())
        return item[1] if item else None

    def set(self, name: str, value: str | None) -> None:
        key = name.upper()
        if value is None or value == "":
            self._d.pop(key, None)
        elif key in self._d:
            self._d[key] = (self._d[key][0], value)
        else:
            self._d[key] = (name, value)

    def items(self) -> list[tuple[str, str]]:
        return sorted(self._d.values(), key=lambda kv: kv[0].upper())

    def as_dict(self) -> dict[str, str]:
        return dict(self._d.values())

    def copy(self) -> Env:
        new = Env()
        new._d = dict(self._d)
        return new


# ====================================================================================================
# Batch context


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


# ====================================================================================================
# Streams


class _Sink:
    """Collects redirected output for a file; the file was created/truncated when the command started."""

    def __init__(self, shell: Shell, path: str) -> None:
        self.shell = shell
        self.path = path
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def flush(self) -> None:
        if self.parts:
            data = "".join(self.parts).encode("cp437", errors="replace")
            self.parts = []
            with contextlib.suppress(FsError):
                self.shell.fs.write(self.path, data, append=True)


def _null(_text: str) -> None:
    return None


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


# ====================================================================================================
# The shell


class Shell:
    """One cmd.exe process: environment, current directory, errorlevel, echo state, batch stack."""

    def __init__(self, interp: Interpreter, env: Env, cwd: str, io: CmdIO, echo: bool = True) -> None:
        self.interp = interp
        self.machine = interp.machine
        self.fs = interp.machine.fs
        self.env = env
        self.cwd = cwd
        self.io = io
        self._errorlevel = 0
        self.status = 0  # success of the last command, what && and || test (not always ERRORLEVEL)
        self.echo = echo
        self.batch: BatchFrame | None = None

    @property
    def errorlevel(self) -> int:
        return self._errorlevel

    @errorlevel.setter
    def errorlevel(self, value: int) -> None:
        self._errorlevel = value
        self.status = value

    # -------------------------------------------------------------- convenience for built-ins
    @property
    def max_line(self) -> int:
        return int(getattr(self.machine.config, "max_command_line", 2047))

    def out(self, text: str) -> None:
        self.io.out(text)

    def err(self, text: str) -> None:
        self.io.err(text)

    def check_cancel(self) -> None:
        if self.io.cancelled.is_set():
            raise _Cancelled()

    def resolve(self, path: str) -> str:
        """Full path of ``path`` (quotes removed) against the current directory and drive."""
        p = unquote(path).strip().replace("/", "\\")
        cur_drive = self.cwd[0].upper()
        if len(p) >= 2 and p[1] == ":" and p[0].isalpha():
            drive = p[0].upper()
            rest = p[2:]
            if rest.startswith("\\"):
                return f"{drive}:{rest}"
            base = self.cwd if drive == cur_drive else f"{drive}:\\"
            return base.rstrip("\\") + "\\" + rest if rest else base
        if p.startswith("\\"):
            return f"{cur_drive}:{p}"
        return self.cwd.rstrip("\\") + "\\" + p if p else self.cwd

    # -------------------------------------------------------------- expansion (phase 1)
    def dynamic_var(self, name: str) -> str | None:
        upper = name.upper()
        if upper == "ERRORLEVEL":
            return str(self.errorlevel)
        if upper == "CD":
            return self.cwd
        return None

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            value = self.dynamic_var(name)
        return value

    def expand(self, text: str, batch: BatchFrame | None) -> str:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch != "%":
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1] if i + 1 < n else ""
            if batch is not None:
                if nxt == "%":
                    out.append("%")
                    i += 2
                    continue
                if nxt.isdigit():
                    out.append(batch.arg(int(nxt)))
                    i += 2
                    continue
                if nxt == "*":
                    out.append(batch.all_args)
                    i += 2
                    continue
                if nxt == "~":
                    m = re.match(r"~([fdpnxsatz]*)([0-9])", text[i + 1 :])
                    if m:
                        out.append(self.arg_modifiers(batch.arg(int(m.group(2))), m.group(1)))
                        i += 1 + m.end()
                        continue
            end = text.find("%", i + 1)
            if end < 0:
                if batch is None:
                    out.append(text[i:])
                # in a batch file a lone percent sign is dropped
                i = n if batch is None else i + 1
                continue
            name = text[i + 1 : end]
            value = self.expand_var(name) if name and "\n" not in name else None
            if value is not None:
                out.append(value)
                i = end + 1
            elif batch is not None:
                i = end + 1  # undefined: empty in a batch file
            else:
                out.append("%" + name)  # left as typed; the closing % may open the next variable
                i = end
        return "".join(out)

    def expand_var(self, spec: str) -> str | None:
        if ":" in spec:
            name, mod = spec.split(":", 1)
            value = self.lookup(name)
            if value is None:
                return None
            if mod.startswith("~"):
                m = re.fullmatch(r"~(-?\d+)(?:,(-?\d+))?", mod)
                if not m:
                    return None
                start = int(m.group(1))
                start = max(0, len(value) + start) if start < 0 else start
                sub = value[start:]
                if m.group(2) is not None:
                    length = int(m.group(2))
                    sub = sub[:length] if length >= 0 else sub[:length]
                return sub
            if "=" in mod:
                old, new = mod.split("=", 1)
                if not old:
                    return None
                if old.startswith("*"):
                    idx = value.lower().find(old[1:].lower())
                    return value if idx < 0 else new + value[idx + len(old) - 1 :]
                return re.sub(re.escape(old), lambda _m: new, value, flags=re.IGNORECASE)
            return None
        return self.lookup(spec)

    def arg_modifiers(self, arg: str, mods: str) -> str:
        value = unquote(arg)
        if not mods:
            return value
        full = self.fs.canonical(self.resolve(value)) if value else ""
        drive, parts = split_path(full) if full else ("", [])
        name = parts[-1] if parts else ""
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        out = ""
        if "f" in mods:
            return full
        if "d" in mods:
            out += f"{drive}:" if drive else ""
        if "p" in mods:
            out += "\\" + "\\".join(parts[:-1]) + ("\\" if len(parts) > 1 else "") if parts else ""
        if "n" in mods:
            out += stem
        if "x" in mods:
            out += f".{ext}" if ext else ""
        if "z" in mods:
            with contextlib.suppress(FsError):
                out += str(self.fs.stat(full).size)
        return out

    # -------------------------------------------------------------- running lines
    def run_line(self, line: str, batch: BatchFrame | None) -> None:
        """Phase 1 + 2 + execution of one line typed on the command line (or passed to /c).

        A line ends at its first line feed (what follows is never read) and carriage returns are dropped."""
        line = line.split("\n", 1)[0].replace("\r", "")
        if len(line) > self.max_line:
            self.err(LINE_TOO_LONG)
            self.errorlevel = 1
            return
        expanded = self.expand(line, batch)
        if len(expanded) > self.max_line:
            self.err(LINE_TOO_LONG)
            self.errorlevel = 1
            return
        self.run_parsed(expanded)

    def run_parsed(self, text: str) -> None:
        try:
            node = Parser(text).parse()
        except _NeedMore:
            self.err(SYNTAX_ERROR)
            self.errorlevel = PARSE_ERROR_RC
            return
        except _ParseError as exc:
            self.err(exc.message)
            self.errorlevel = PARSE_ERROR_RC
            return
        self.execute(node, self.io)

    def execute(self, node: Any, io: CmdIO) -> None:
        self.check_cancel()
        if node is None:
            return
        if isinstance(node, Op):
            if node.op == "|":
                self.run_pipe(node, io)
                return
            self.execute(node.left, io)
            if node.op == "&&" and self.status != 0:
                return
            if node.op == "||" and self.status == 0:
                return
            self.execute(node.right, io)
            return
        if isinstance(node, ForNode):
            self.run_for(node, io)
            return
        if isinstance(node, IfNode):
            if self.test(node):
                self.execute(node.then, io)
            elif node.else_ is not None:
                self.execute(node.else_, io)
            else:
                self.status = 0
            return
        if isinstance(node, Block):
            self.with_redirs(node.redirs, io, lambda sub: self.execute(node.body, sub))
            return
        if isinstance(node, Simple):
            self.with_redirs(node.redirs, io, lambda sub: self.run_simple(node.text, sub))
            return
        raise TypeError(node)

    def run_pipe(self, node: Op, io: CmdIO) -> None:
        """``a | b``: cmd runs each side in a new cmd.exe (so ``set`` on either side does not last and the
        errorlevel afterwards is the right side's exit code).  The lab runs them one after the other."""
        collected: list[str] = []
        left = Shell(
            self.interp,
            self.env.copy(),
            self.cwd,
            CmdIO(collected.append, io.err, io.read_stdin, io.cancelled),
            echo=self.echo,
        )
        left.run_node(node.left)
        read_pipe = StdinReader(text="".join(collected))
        right = Shell(
            self.interp, self.env.copy(), self.cwd, CmdIO(io.out, io.err, read_pipe, io.cancelled), echo=self.echo
        )
        self.errorlevel = right.run_node(node.right)

    def run_node(self, node: Any) -> int:
        """Run a parsed tree as a child cmd.exe would (``cmd /c`` of that text) and return its exit code."""
        try:
            self.execute(node, self.io)
        except _ExitCmd as exc:
            return exc.code
        except _ExitBatch as exc:
            return self.errorlevel if exc.code is None else exc.code
        except _Goto:
            pass
        return self.errorlevel

    def with_redirs(self, redirs: list[Redir], io: CmdIO, body: Callable[[CmdIO], None]) -> None:
        if not redirs:
            saved = self.io
            self.io = io
            try:
                body(io)
            finally:
                self.io = saved
            return
        handles: dict[int, Any] = {0: io.read_stdin, 1: io.out, 2: io.err}
        sinks: list[_Sink] = []
        for r in redirs:
            if r.mode == ">&":
                src = int(r.target)
                if src not in handles:
                    self.err(SYNTAX_ERROR)
                    self.errorlevel = 1
                    return
                handles[r.handle] = handles[src]
                continue
            name = r.target
            low = name.lower().rstrip(":")
            if r.mode == "<":
                if low == "nul":
                    handles[r.handle] = lambda: ""
                    continue
                path = self.resolve(name)
                try:
                    content = self.fs.read(path).decode("cp437")
                except FsError as exc:
                    self.err(f"{exc}\r\n")
                    self.errorlevel = 1
                    return
                handles[r.handle] = StdinReader(text=content)
                continue
            if low == "nul":
                handles[r.handle] = _null
                continue
            if low == "con":
                handles[r.handle] = io.out if r.handle == 1 else io.err
                continue
            path = self.resolve(name)
            try:
                if has_wildcards(path):
                    raise FsError(123, path)
                if r.mode == ">":
                    self.fs.write(path, b"")
                else:
                    self.fs.open_for_write_probe(path)
            except FsError as exc:
                self.err(f"{exc}\r\n")
                self.errorlevel = 1
                return
            sink = _Sink(self, path)
            sinks.append(sink)
            handles[r.handle] = sink.write
        sub = CmdIO(handles[1], handles[2], handles[0], io.cancelled)
        saved = self.io
        self.io = sub
        try:
            body(sub)
        finally:
            self.io = saved
            for sink in sinks:
                sink.flush()

    # -------------------------------------------------------------- for
    def run_for(self, node: ForNode, io: CmdIO) -> None:
        for value in self.for_values(node):
            self.check_cancel()
            text = node.body.replace(f"%{node.var}", value)
            try:
                body = Parser(text).parse()
            except (_ParseError, _NeedMore):
                self.err(SYNTAX_ERROR)
                return
            self.execute(body, io)

    def for_values(self, node: ForNode) -> list[str]:
        if node.mode == "l":
            nums = [_int_or(t, 0) for t in cmd_tokens(node.items)] + [0, 0, 0]
            start, step, end = nums[0], nums[1], nums[2]
            if step == 0:
                return []
            count = max(0, (end - start) // step + 1)
            return [str(start + k * step) for k in range(min(count, 100000))]
        if node.mode == "f":
            return self.for_f_values(node)
        values: list[str] = []
        for item in cmd_tokens(node.items):
            raw = unquote(item)
            if not has_wildcards(raw):
                if node.mode != "d":
                    values.append(item)
                continue
            prefix = raw[: max(raw.rfind("\\"), raw.rfind(":")) + 1]
            for path in self.fs.glob(self.resolve(raw)):
                if self.fs.is_dir(path) == (node.mode == "d"):
                    values.append(prefix + path.rsplit("\\", 1)[-1])
        return values

    def for_f_values(self, node: ForNode) -> list[str]:
        opts = node.options
        m = re.search(r"delims=([^\n]*?)(?=\s+(?:tokens|skip|eol|usebackq)=?|$)", opts)
        delims = m.group(1) if m else " \t"
        tokens_spec = re.search(r"tokens=(\S+)", opts)
        skip = _int_or(re.search(r"skip=(\d+)", opts).group(1), 0) if "skip=" in opts else 0
        eol_m = re.search(r"eol=(.)", opts)
        eol = eol_m.group(1) if eol_m else ";"
        backq = "usebackq" in opts.lower()
        source = node.items.strip()
        if (source.startswith("'") and not backq) or (source.startswith("`") and backq):
            collected: list[str] = []
            child = Shell(
                self.interp,
                self.env.copy(),
                self.cwd,
                CmdIO(collected.append, self.io.err, self.io.read_stdin, self.io.cancelled),
            )
            child.run_node(Parser(source[1:-1]).parse())
            lines = "".join(collected).splitlines()
        elif source.startswith('"') and not backq:
            lines = [source[1:-1]]
        else:
            lines = []
            for name in cmd_tokens(source):
                try:
                    lines += self.fs.read(self.resolve(name)).decode("cp437").splitlines()
                except FsError:
                    self.err(f"The system cannot find the file {unquote(name)}.\r\n")
                    return []
        wanted = [1]
        if tokens_spec:
            spec = tokens_spec.group(1)
            wanted = [int(x) for x in re.findall(r"\d+", spec.split("*")[0].split(",")[0])][:1] or [1]
            if spec.strip() == "*":
                wanted = [0]
        values = []
        for line in lines[skip:]:
            if not line or line.startswith(eol):
                continue
            if wanted == [0]:
                values.append(line.lstrip(delims))
                continue
            parts = [p for p in re.split("[" + re.escape(delims) + "]", line) if p] if delims else [line]
            if len(parts) >= wanted[0]:
                values.append(parts[wanted[0] - 1])
        return values

    # -------------------------------------------------------------- conditions
    def test(self, node: IfNode) -> bool:
        kind = node.kind
        if kind == "exist":
            result = self.exists(node.operands[0])
        elif kind == "errorlevel":
            result = self.errorlevel >= _int_or(node.operands[0], 0)
        elif kind == "defined":
            result = self.lookup(node.operands[0]) is not None
        elif kind == "cmdextversion":
            result = _int_or(node.operands[0], 0) <= 1
        else:
            left, right = node.operands
            result = self.compare(left, right, node.op, node.ignore_case)
        return result != node.negate

    def exists(self, token: str) -> bool:
        raw = unquote(token)
        path = self.resolve(raw)
        if has_wildcards(path):
            return bool(self.fs.glob(path))
        if raw.endswith(("\\", "/")):
            return self.fs.is_dir(path)
        drive, parts = split_path(path)
        if parts and parts[-1].lower() == "nul":
            return len(parts) == 1 or self.fs.is_dir(f"{drive}:\\" + "\\".join(parts[:-1]))
        return self.fs.exists(path)

    @staticmethod
    def compare(left: str, right: str, op: str, ignore_case: bool) -> bool:
        if op == "==":
            return left.lower() == right.lower() if ignore_case else left == right
        a, b = _parse_number(left), _parse_number(right)
        if a is not None and b is not None:
            x: Any = a
            y: Any = b
        elif ignore_case:
            x, y = left.lower(), right.lower()
        else:
            x, y = left, right
        return {
            "equ": x == y,
            "neq": x != y,
            "lss": x < y,
            "leq": x <= y,
            "gtr": x > y,
            "geq": x >= y,
        }[op]

    # -------------------------------------------------------------- simple commands
    def run_simple(self, text: str, io: CmdIO) -> None:
        self.check_cancel()
        self.status = 0
        stripped = text.lstrip(" \t")
        while stripped.startswith("@"):
            stripped = stripped[1:].lstrip(" \t")
        if not stripped.strip():
            return
        name, rest = split_command(stripped)
        lname = unquote(name).lower()
        if stripped.startswith(":"):
            return  # a label
        if len(lname) == 2 and lname[1] == ":" and lname[0].isalpha() and not rest.strip():
            self.change_drive(lname[0])
            return
        builtin = BUILTINS.get(lname) or filetools.BUILTINS.get(lname)
        if builtin is not None and not name.startswith('"'):
            result = builtin(self, rest)
            if result is not None:
                self.errorlevel = result
            return
        self.run_external(name, rest, io)
        self.check_cancel()

    def change_drive(self, letter: str) -> None:
        letter = letter.upper()
        if letter not in self.fs.drives():
            self.err("The system cannot find the drive specified.\r\n")
            self.errorlevel = 1
            return
        self.cwd = f"{letter}:\\"

    def run_external(self, name: str, rest: str, io: CmdIO) -> None:
        target = unquote(name)
        kind, found = self.find_program(target)
        if kind == "batch":
            self.start_batch(found, rest, call=False)
            return
        if kind == "script":
            host = "wscript" if "wscript" in self.interp.programs else "cscript"
            prog = self.interp.programs.get(host)
            if prog is None:
                self.err(NOT_RECOGNIZED)
                self.errorlevel = 1
                return
            raw = f'"{found}"{rest}'
            self.errorlevel = self.call_program(prog, [found, *split_args(rest)], raw.strip(), io)
            return
        if kind == "cmd":
            self.errorlevel = self.nested_cmd(rest, io)
            return
        if kind == "program":
            prog = self.interp.programs[found]
            raw = rest.lstrip(" \t")
            self.errorlevel = self.call_program(prog, split_args(raw), raw, io)
            return
        self.err(NOT_RECOGNIZED)
        self.errorlevel = 1

    def call_program(self, prog: Program, args: list[str], raw: str, io: CmdIO) -> int:
        call = ProgramCall(self.machine, args, raw, io, self.env.as_dict(), self.cwd)
        rc = prog(call)
        return int(rc or 0)

    def find_program(self, target: str) -> tuple[str, str]:
        """("batch"|"script"|"cmd"|"program"|"", what)."""
        if not target:
            return "", ""
        low = target.lower().replace("/", "\\")
        has_path = "\\" in low or ":" in low
        base = low.rsplit("\\", 1)[-1].rsplit(":", 1)[-1]
        stem, dot, ext = base.rpartition(".")
        if not dot:
            stem, ext = base, ""
        ext = "." + ext if ext else ""
        # files on the lab disk: the named folder, else the current folder and then PATH
        folders = [""] if has_path else [self.cwd, *[p for p in (self.env.get("PATH") or "").split(";") if p]]
        for folder in folders:
            candidate = self.resolve(target) if has_path else self.resolve(folder.rstrip("\\") + "\\" + target)
            tries = [candidate] if ext else [candidate + e for e in PATHEXT]
            for path in tries:
                if self.fs.is_file(path):
                    pext = path.rsplit(".", 1)[-1].lower()
                    if pext in ("bat", "cmd"):
                        return "batch", self.fs.canonical(path)
                    if pext in ("vbs", "js"):
                        return "script", self.fs.canonical(path)
                    pstem = path.rsplit("\\", 1)[-1].rsplit(".", 1)[0].lower()
                    if pstem == "cmd":
                        return "cmd", path
                    if pstem in self.interp.programs:
                        return "program", pstem
            if has_path and ext.lower() in (".vbs", ".js") and self.fs.is_file(candidate):
                return "script", self.fs.canonical(candidate)
        # programs the machine provides (they live in %SystemRoot%\system32)
        if ext.lower() in ("", ".exe", ".com"):
            if stem == "cmd":
                return "cmd", stem
            if stem in self.interp.programs:
                return "program", stem
        return "", ""

    # -------------------------------------------------------------- cmd /c
    def nested_cmd(self, rest: str, io: CmdIO) -> int:
        tokens = rest.lstrip(" \t")
        slash_s = False
        echo = True
        command: str | None = None
        while tokens:
            m = re.match(r"/(\S)(\S*)", tokens)
            if not m:
                break
            switch = m.group(1).lower()
            if switch in ("c", "k", "r"):
                command = tokens[2:]
                break
            if switch == "s":
                slash_s = True
            elif switch == "q":
                echo = False
            tokens = tokens[m.end() :].lstrip(" \t")
        child = Shell(self.interp, self.env.copy(), self.cwd, io, echo=echo)
        if command is None:
            return child.interactive()
        line = apply_cmd_c_quotes(command.lstrip(" \t"), slash_s, self.interp.keep_quote_rule, self.fs, self)
        return child.run_top(line)

    def run_top(self, line: str) -> int:
        try:
            self.run_line(line, None)
        except _ExitCmd as exc:
            return exc.code
        except _ExitBatch as exc:
            return self.errorlevel if exc.code is None else exc.code
        except _Goto:
            pass
        return self.errorlevel

    def interactive(self) -> int:
        """``cmd`` without /c: reads commands from stdin until EOF or ``exit``."""
        self.out("Microsoft(R) Windows NT(TM)\r\n(C) Copyright 1985-1996 Microsoft Corp.\r\n\r\n")
        buffer = ""
        while True:
            self.check_cancel()
            self.out(f"{self.cwd}>")
            while "\n" not in buffer:
                chunk = self.io.read_stdin()
                if not chunk:
                    break
                buffer += chunk
            if not buffer:
                self.out("\r\n")
                return self.errorlevel
            line, _sep, buffer = buffer.partition("\n")
            line = line.rstrip("\r")
            self.out(line + "\r\n")
            try:
                self.run_line(line, None)
            except _ExitCmd as exc:
                return exc.code
            except (_ExitBatch, _Goto):
                pass
            self.out("\r\n")

    # -------------------------------------------------------------- batch files
    def start_batch(self, path: str, rest: str, call: bool) -> None:
        try:
            raw = self.fs.read(path)
        except FsError as exc:
            self.err(f"{exc}\r\n")
            self.errorlevel = 1
            return
        text = raw.decode("cp437")
        lines = re.split(r"\r?\n", text)
        all_args = rest.lstrip(" \t,;=")
        frame = BatchFrame(path, [path, *batch_args(rest)], all_args, lines, echo=self.echo)
        if self.batch is not None and not call:
            # running a batch file from a batch file without CALL transfers control for good: the caller
            # finishes the line it is on and then stops
            self.batch.abandoned = True
        if self.batch is not None:
            self.run_batch(frame)
            return
        with contextlib.suppress(_AbortBatches):
            self.run_batch(frame)

    def run_batch(self, frame: BatchFrame, start: int = 0) -> None:
        outer = self.batch
        self.batch = frame
        frame.pos = start
        try:
            while frame.pos < len(frame.lines):
                self.check_cancel()
                line = frame.lines[frame.pos]
                frame.pos += 1
                stripped = line.lstrip(" \t@")
                if stripped.startswith(":") or not stripped.strip():
                    continue
                text = self.expand(line, frame)
                while _continues(text) and frame.pos < len(frame.lines):
                    # a caret at the end of a line joins the next line to it
                    text = text[:-1] + self.expand(frame.lines[frame.pos], frame)
                    frame.pos += 1
                if len(line) > self.max_line or len(text) > self.max_line:
                    self.err(LINE_TOO_LONG)
                    self.errorlevel = 1
                    continue
                while True:
                    try:
                        node = Parser(text).parse()
                        break
                    except _NeedMore:
                        if frame.pos >= len(frame.lines):
                            node = None
                            self.err(SYNTAX_ERROR)
                            break
                        text += "\n" + self.expand(frame.lines[frame.pos], frame)
                        frame.pos += 1
                    except _ParseError as exc:
                        # a line that does not parse ends all batch processing, as in cmd.exe
                        self.err(exc.message)
                        self.errorlevel = PARSE_ERROR_RC
                        raise _AbortBatches() from None
                if node is None:
                    continue
                if self.echo and not line.lstrip(" \t").startswith("@"):
                    self.out(f"\r\n{self.cwd}>{render(node)}\r\n")
                try:
                    self.execute(node, self.io)
                except _Goto as g:
                    if not self.goto(frame, g.label):
                        return
                if frame.abandoned:
                    return
                if self.batch is not frame:
                    return
        except _ExitBatch as exc:
            if exc.code is not None:
                self.errorlevel = exc.code
        finally:
            while frame.locals:
                env, cwd = frame.locals.pop()
                self.env, self.cwd = env, cwd
            self.batch = outer

    def goto(self, frame: BatchFrame, label: str) -> bool:
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
        self.err(f"The system cannot find the batch label specified - {label.lstrip(':').strip()}\r\n")
        self.errorlevel = 1
        return False


def _render_redirs(redirs: list[Redir]) -> str:
    out = ""
    for r in redirs:
        if r.mode == ">&":
            out += f" {r.handle}>&{r.target}"
        else:
            out += f" {r.handle}{r.mode}{r.target}" if r.mode != "<" else f" {r.mode}{r.target}"
    return out


def render(node: Any) -> str:
    """How cmd.exe shows a parsed command when ECHO is on: redirections moved to the end with their handle
    number (``echo hi > f`` shows as ``echo hi  1>f``), operators between single spaces, blocks as
    ``(...)``, ``if`` with spaces around ``==``."""
    if node is None:
        return ""
    if isinstance(node, Op):
        return f"{render(node.left)} {node.op} {render(node.right)}"
    if isinstance(node, Simple):
        return node.text.lstrip(" \t@") + _render_redirs(node.redirs)
    if isinstance(node, Block):
        return f"({render(node.body)} ){_render_redirs(node.redirs)}"
    if isinstance(node, IfNode):
        head = "if " + ("/I " if node.ignore_case else "") + ("not " if node.negate else "")
        if node.kind == "cmp":
            op = "==" if node.op == "==" else node.op.upper()
            head += f"{node.operands[0]} {op} {node.operands[1]}"
        else:
            head += f"{node.kind} {node.operands[0]}"
        text = f"{head} {render(node.then)}"
        return text + (f" else {render(node.else_)}" if node.else_ is not None else "")
    if isinstance(node, ForNode):
        mode = f"/{node.mode.upper()} " if node.mode else ""
        return f"FOR {mode}%{node.var} IN ({node.items}) DO {node.body.strip()}"
    return ""


def _continues(text: str) -> bool:
    """Does the line end with an unescaped caret outside quotes (line continuation)?"""
    i, n, in_quote = 0, len(text), False
    while i < n:
        ch = text[i]
        if ch == '"':
            in_quote = not in_quote
        elif ch == "^" and not in_quote:
            if i == n - 1:
                return True
            i += 1
        i += 1
    return False


def _int_or(text: str, default: int) -> int:
    value = _parse_number(text)
    return default if value is None else value


def _parse_number(text: str) -> int | None:
    t = text.strip()
    try:
        if re.fullmatch(r"[+-]?0[xX][0-9a-fA-F]+", t):
            return int(t, 16)
        if re.fullmatch(r"[+-]?0[0-7]+", t):
            return int(t, 8)
        if re.fullmatch(r"[+-]?\d+", t):
            return int(t, 10)
    except ValueError:
        return None
    return None


def split_command(text: str) -> tuple[str, str]:
    """Command name and the rest of the text (the rest keeps its leading delimiter)."""
    if text.startswith('"'):
        end = text.find('"', 1)
        if end < 0:
            return text, ""
        # the name runs on after the closing quote up to a delimiter ("C:\a b"\x.exe)
        j = end + 1
        while j < len(text) and text[j] not in " \t,;=":
            j += 1
        return text[:j], text[j:]
    j = 0
    while j < len(text) and text[j] not in ' \t,;="':
        j += 1
    name = text[:j]
    known = BUILTINS.keys() | filetools.BUILTINS.keys()
    if name.lower() not in known:
        # internal commands may be glued to what follows: echo. echo: dir/b cd.. cd\
        for k in range(2, len(name)):
            if name[k] in "./\\(:+[]" and name[:k].lower() in known:
                return name[:k], name[k:] + text[j:]
    return name, text[j:]


def apply_cmd_c_quotes(line: str, slash_s: bool, keep_rule: bool, fs: Any, shell: Shell | None) -> str:
    """How cmd /c treats quotes in its command line.

    The Windows 2000 ``cmd /?`` text calls rule 2 "the old behavior": if the first character is a quote,
    remove it and the last quote on the line.  Rule 1 (keep both quotes when there are exactly two, no
    special characters between them, white space between them, and the quoted string names an executable)
    was new in Windows 2000; ``keep_rule`` turns it on."""
    if keep_rule and not slash_s and line.count('"') == 2 and line.startswith('"'):
        first = line.index('"')
        second = line.index('"', first + 1)
        inner = line[first + 1 : second]
        if not (set(inner) & SPECIAL_IN_QUOTE_RULE) and any(c in " \t" for c in inner) and shell is not None:
            kind, _path = shell.find_program(inner)
            if kind:
                return line
    if line.startswith('"'):
        last = line.rfind('"')
        if last > 0:
            return line[1:last] + line[last + 1 :]
        return line[1:]
    return line


# ====================================================================================================
# Built-in commands that are about the shell itself (file commands are in filetools)


def _echo(sh: Shell, rest: str) -> int | None:
    if not rest.strip(" \t"):
        sh.out(f"ECHO is {'on' if sh.echo else 'off'}.\r\n")
        return None
    text = rest[1:]
    if rest[0] in " \t" and text.strip(" \t").lower() in ("on", "off"):
        sh.echo = text.strip(" \t").lower() == "on"
        if sh.batch is not None:
            sh.batch.echo = sh.echo
        return None
    sh.out(text + "\r\n")
    return None


def _rem(_sh: Shell, _rest: str) -> int | None:
    return None


def _set(sh: Shell, rest: str) -> int | None:
    text = rest[1:] if rest[:1] in (" ", "\t", ",", ";", "=") else rest
    body = text.lstrip(" \t")
    if body.lower().startswith("/a"):
        return _set_arith(sh, body[2:])
    if body.lower().startswith("/p"):
        return _set_prompt(sh, body[2:].lstrip(" \t"))
    if body.startswith('"'):
        last = body.rfind('"')
        body = body[1:last] if last > 0 else body[1:]
    if not body.strip():
        for name, value in sh.env.items():
            sh.out(f"{name}={value}\r\n")
        return None
    if "=" not in body:
        prefix = body.rstrip(" \t").upper()
        matches = [(n, v) for n, v in sh.env.items() if n.upper().startswith(prefix)]
        if not matches:
            sh.err(f"Environment variable {body.rstrip()} not defined\r\n")
            return 1
        for name, value in matches:
            sh.out(f"{name}={value}\r\n")
        return None
    name, value = body.split("=", 1)
    if not name:
        sh.err(SYNTAX_ERROR)
        return 1
    sh.env.set(name, value)
    return None


def _set_prompt(sh: Shell, body: str) -> int | None:
    if "=" not in body:
        sh.err(SYNTAX_ERROR)
        return 1
    name, prompt = body.split("=", 1)
    sh.out(prompt)
    sh.env.set(name, read_answer_line(sh.io))
    return None


_ARITH_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+|[A-Za-z_][A-Za-z0-9_#$@.]*|<<|>>|[-+*/%()&|^~!])")


def _set_arith(sh: Shell, expr: str) -> int | None:
    """``set /a`` with integer + - * / % and parentheses, variables by name, assignment."""
    text = unquote(expr).strip()
    target = None
    m = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)(.*)", text)
    if m:
        target, text = m.group(1), m.group(2)
    tokens = _ARITH_TOKEN.findall(text)
    if "".join(tokens).replace(" ", "") != text.replace(" ", ""):
        sh.err("Missing operand.\r\n")
        return 1
    pos = [0]

    def peek() -> str:
        return tokens[pos[0]] if pos[0] < len(tokens) else ""

    def take() -> str:
        tok = peek()
        pos[0] += 1
        return tok

    def atom() -> int:
        tok = take()
        if tok == "(":
            value = add()
            if take() != ")":
                raise ValueError
            return value
        if tok == "-":
            return -atom()
        if tok == "+":
            return atom()
        if tok == "!":
            return int(not atom())
        if tok == "~":
            return ~atom()
        if not tok:
            raise ValueError
        if tok[0].isdigit():
            value = _parse_number(tok)
            if value is None:
                raise ValueError
            return value
        return _int_or(sh.lookup(tok) or "0", 0)

    def mul() -> int:
        value = atom()
        while peek() in ("*", "/", "%"):
            op = take()
            rhs = atom()
            if op == "*":
                value *= rhs
            elif rhs == 0:
                raise ZeroDivisionError
            elif op == "/":
                value = int(value / rhs)
            else:
                value = value - rhs * int(value / rhs)
        return value

    def add() -> int:
        value = mul()
        while peek() in ("+", "-"):
            op = take()
            rhs = mul()
            value = value + rhs if op == "+" else value - rhs
        return value

    try:
        result = add()
        if pos[0] != len(tokens):
            raise ValueError
    except ZeroDivisionError:
        sh.err("Divide by zero error.\r\n")
        return 1
    except ValueError:
        sh.err("Missing operand.\r\n")
        return 1
    result = ((result + 2**31) % 2**32) - 2**31
    if target:
        sh.env.set(target, str(result))
    if sh.batch is None:
        sh.out(str(result))
    return None


def _exit(sh: Shell, rest: str) -> int | None:
    args = cmd_tokens(rest)
    if args and args[0].lower() == "/b":
        code = _int_or(args[1], 0) if len(args) > 1 else None
        if sh.batch is None:
            raise _ExitCmd(sh.errorlevel if code is None else code)
        raise _ExitBatch(code)
    code = _int_or(args[0], 0) if args else sh.errorlevel
    raise _ExitCmd(code)


def _call(sh: Shell, rest: str) -> int | None:
    text = rest.lstrip(" \t")
    if not text:
        return None
    if text.startswith(":") and sh.batch is not None:
        label, _sep, args = text.partition(" ")
        frame = sh.batch
        sub = BatchFrame(frame.path, [label, *batch_args(args)], args.lstrip(" \t"), frame.lines, echo=sh.echo)
        probe = BatchFrame(frame.path, frame.args, frame.all_args, frame.lines)
        if not sh.goto(probe, label):
            return None
        sh.run_batch(sub, probe.pos)
        return None
    expanded = sh.expand(text, sh.batch)
    try:
        node = Parser(expanded).parse()
    except (_ParseError, _NeedMore):
        sh.err(SYNTAX_ERROR)
        return 1
    if isinstance(node, Simple):
        name, args = split_command(node.text.lstrip(" \t"))
        kind, found = sh.find_program(unquote(name))
        if kind == "batch" and not name.lower().startswith(("if", "(")):
            sh.with_redirs(node.redirs, sh.io, lambda _io: sh.start_batch(found, args, call=True))
            return None
    sh.execute(node, sh.io)
    return None


def _goto(sh: Shell, rest: str) -> int | None:
    label = rest.strip(" \t")
    if sh.batch is None:
        return None
    if not label:
        sh.err("No batch label specified to GOTO command.\r\n")
        return 1
    raise _Goto(label)


def _shift(sh: Shell, _rest: str) -> int | None:
    if sh.batch is not None:
        sh.batch.shift += 1
    return None


def _setlocal(sh: Shell, _rest: str) -> int | None:
    if sh.batch is not None:
        sh.batch.locals.append((sh.env, sh.cwd))
        sh.env = sh.env.copy()
    return None


def _endlocal(sh: Shell, _rest: str) -> int | None:
    if sh.batch is not None and sh.batch.locals:
        sh.env, sh.cwd = sh.batch.locals.pop()
    return None


def _verify(sh: Shell, rest: str) -> int | None:
    arg = rest.strip(" \t").lower()
    if not arg:
        sh.out(f"VERIFY is {'on' if getattr(sh.interp, 'verify', False) else 'off'}.\r\n")
        return 0
    if arg in ("on", "off"):
        sh.interp.verify = arg == "on"
        return 0
    sh.err("Must specify ON or OFF.\r\n")
    return 1


def _ver(sh: Shell, _rest: str) -> int | None:
    sh.out("\r\nWindows NT Version 4.0  \r\n")
    return None


def _cd(sh: Shell, rest: str) -> int | None:
    arg = rest.strip(" \t")
    if arg.lower().startswith("/d"):
        arg = arg[2:].strip(" \t")
    arg = unquote(arg).rstrip(" \t")
    if not arg:
        sh.out(sh.cwd + "\r\n")
        return None
    if len(arg) == 2 and arg[1] == ":":
        sh.out((sh.cwd if sh.cwd[0].upper() == arg[0].upper() else f"{arg[0].upper()}:\\") + "\r\n")
        return None
    path = sh.resolve(arg)
    if not sh.fs.is_dir(path):
        sh.err("The system cannot find the path specified.\r\n")
        return 1
    sh.cwd = sh.fs.canonical(path)
    return None


def _pause(sh: Shell, _rest: str) -> int | None:
    sh.out("Press any key to continue . . . ")
    read_answer_line(sh.io)
    sh.out("\r\n")
    return None


def _noop(_sh: Shell, _rest: str) -> int | None:
    return None


def _pushd(sh: Shell, rest: str) -> int | None:
    arg = unquote(rest.strip(" \t"))
    stack = sh.__dict__.setdefault("dir_stack", [])
    if not arg:
        return None
    path = sh.resolve(arg)
    if not sh.fs.is_dir(path):
        sh.err("The system cannot find the path specified.\r\n")
        return 1
    stack.append(sh.cwd)
    sh.cwd = sh.fs.canonical(path)
    return None


def _popd(sh: Shell, _rest: str) -> int | None:
    stack = sh.__dict__.setdefault("dir_stack", [])
    if stack:
        sh.cwd = stack.pop()
    return None


def _cmd_builtin(sh: Shell, rest: str) -> int | None:
    return sh.nested_cmd(rest, sh.io)


BUILTINS: dict[str, Callable[[Shell, str], int | None]] = {
    "echo": _echo,
    "rem": _rem,
    "set": _set,
    "exit": _exit,
    "call": _call,
    "goto": _goto,
    "shift": _shift,
    "setlocal": _setlocal,
    "endlocal": _endlocal,
    "verify": _verify,
    "ver": _ver,
    "cd": _cd,
    "chdir": _cd,
    "pause": _pause,
    "title": _noop,
    "for": _noop,  # reached only when "for" is quoted or glued to something; the parser handles FOR
    "cls": _noop,
    "pushd": _pushd,
    "popd": _popd,
}


# ====================================================================================================
# Entry point


class Interpreter:
    """``Interpreter(machine).run(cmdline, io)`` runs what ``cmd.exe /c <cmdline>`` runs and returns its exit
    code (the 32-bit value Windows reports, e.g. 0xC000013A when cancelled)."""

    # Windows 2000 added "rule 1" of cmd /c quote handling; NT 4.0 only had the "old behavior".
    keep_quote_rule = False

    def __init__(self, machine: Any) -> None:
        self.machine = machine
        self.verify = False

    @property
    def programs(self) -> dict[str, Program]:
        merged = dict(filetools.PROGRAMS)
        merged.update({k.lower(): v for k, v in (getattr(self.machine, "programs", None) or {}).items()})
        return merged

    def default_cwd(self, env: Env) -> str:
        cwd = getattr(self.machine, "cwd", None)
        if cwd:
            return cwd
        profile = env.get("USERPROFILE")
        if profile and self.machine.fs.is_dir(profile):
            return self.machine.fs.canonical(profile)
        return "C:\\"

    def run(self, cmdline: str, io: CmdIO, cwd: str | None = None) -> int:
        env = Env(getattr(self.machine, "env", None) or {})
        if not hasattr(io.read_stdin, "push"):
            io = CmdIO(io.out, io.err, StdinReader(io.read_stdin), io.cancelled)
        shell = Shell(self, env, cwd or self.default_cwd(env), io)
        line = apply_cmd_c_quotes(cmdline.lstrip(" \t"), False, self.keep_quote_rule, self.machine.fs, shell)
        try:
            rc = shell.run_top(line)
        except _Cancelled:
            return CANCELLED_RC
        if io.cancelled.is_set():
            return CANCELLED_RC
        return errorlevel_to_rc(rc)

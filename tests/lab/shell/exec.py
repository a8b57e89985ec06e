"""The executor: one cmd.exe process (:class:`Shell`) running parsed commands, and :class:`Interpreter`,
what ``cmd.exe /c <line>`` does from start to exit code.

A line is read in two phases (``%`` expansion by :mod:`.env`, then parsing by :mod:`.parse`) and the tree
is run here: operators, blocks, redirections (:mod:`.redirect`), ``if``/``for`` (:mod:`.control`), simple
commands.  A simple command is a built-in (:data:`.builtins.BUILTINS`), a batch file (:mod:`.batch`), a
script (handed to cscript), a nested ``cmd`` or a *program* from the table the machine handed over (lower-case
base name -> callable taking a :class:`~tests.lab.machine.proc_api.ProgramCall`); anything else is not recognized.
``&&`` and ``||`` test whether the last command succeeded, which for ``ren``/``del`` is not ERRORLEVEL.

``cmd /c`` quotes: the Windows 2000 ``cmd /?`` calls "strip the first and the last quote" the *old*
behaviour and adds the keep-both-quotes rule and ``/S``; NT 4 is taken to have only the old behaviour
(:attr:`Interpreter.keep_quote_rule` turns the Windows 2000 rule on).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..machine.proc_api import CmdIO, Program, ProgramCall
from .batch import BatchFrame, start_batch
from .builtins import BUILTINS, Builtin
from .control import condition_holds, run_for
from .env import Env, arg_modifiers, expand
from .flow import CANCELLED_RC, PARSE_ERROR_RC, Cancelled, ExitBatch, ExitCmd, Goto
from .messages import BANNER, DRIVE_NOT_FOUND, LINE_TOO_LONG, NOT_RECOGNIZED, SYNTAX_ERROR
from .parse import Block, ForNode, IfNode, NeedMore, Op, ParseError, Parser, Simple
from .redirect import StdinReader, with_redirs
from .words import split_args, split_command, unquote

PATHEXT = (".COM", ".EXE", ".BAT", ".CMD")
SPECIAL_IN_QUOTE_RULE = set("&<>()@^|")


OFF_PATH = frozenset({"appcmd"})  # programs found only by their full path (or from their folder)


def errorlevel_to_rc(level: int) -> int:
    return level & 0xFFFFFFFF


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
        self._status = 0  # success of the last command, what && and || test (not always ERRORLEVEL)
        self._redirect_failed = False  # the last failure was a redirection's (see redirection_failed)
        self.echo = echo
        self.batch: BatchFrame | None = None
        self.builtins = interp.builtins

    @property
    def errorlevel(self) -> int:
        return self._errorlevel

    @errorlevel.setter
    def errorlevel(self, value: int) -> None:
        self._errorlevel = value
        self.status = value

    @property
    def status(self) -> int:
        return self._status

    @status.setter
    def status(self, value: int) -> None:
        self._status = value
        self._redirect_failed = False

    def redirection_failed(self) -> None:
        """A redirection could not be opened: the command does not run.  Its failure is what ``&&`` and ``||``
        see, but ERRORLEVEL keeps its value; only a ``||`` that fires on it sets ERRORLEVEL to 1 (``&`` and
        ``&&`` leave it).  Public captures of cmd.exe on Windows XP and later (Stack Overflow answers 41324747
        and "File redirection in Windows and %errorlevel%"); not confirmed on NT 4."""
        self._status = 1
        self._redirect_failed = True

    def exit_code(self) -> int:
        """What ``cmd /c`` returns: the return code of the last command run, which is ERRORLEVEL except after
        a failed redirection (1, while ERRORLEVEL keeps its value)."""
        return 1 if self._redirect_failed else self.errorlevel

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
            raise Cancelled()

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
        return expand(text, self.lookup, batch, self.arg_modifiers)

    def arg_modifiers(self, arg: str, mods: str) -> str:
        return arg_modifiers(arg, mods, self.resolve, self.fs)

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
        except NeedMore:
            self.err(SYNTAX_ERROR)
            self.errorlevel = PARSE_ERROR_RC
            return
        except ParseError as exc:
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
            if node.op == "||" and self._redirect_failed:
                self.errorlevel = 1
            self.execute(node.right, io)
            return
        if isinstance(node, ForNode):
            run_for(self, node, io)
            return
        if isinstance(node, IfNode):
            if condition_holds(self, node):
                self.execute(node.then, io)
            elif node.else_ is not None:
                self.execute(node.else_, io)
            else:
                self.status = 0
            return
        if isinstance(node, Block):
            with_redirs(self, node.redirs, io, lambda sub: self.execute(node.body, sub))
            return
        if isinstance(node, Simple):
            with_redirs(self, node.redirs, io, lambda sub: self.run_simple(node.text, sub))
            return
        raise TypeError(node)

    def run_pipe(self, node: Op, io: CmdIO) -> None:
        """``a | b``: cmd runs each side in a new cmd.exe (so ``set`` on either side does not last and the
        errorlevel afterwards is the right side's exit code).  The lab runs them one after the other."""
        collected: list[str] = []
        left = self.spawn(CmdIO(collected.append, io.err, io.read_stdin, io.cancelled), echo=self.echo)
        left.run_node(node.left)
        read_pipe = StdinReader(text="".join(collected))
        right = self.spawn(CmdIO(io.out, io.err, read_pipe, io.cancelled), echo=self.echo)
        self.errorlevel = right.run_node(node.right)

    def spawn(self, io: CmdIO, echo: bool) -> Shell:
        """A child cmd.exe: a copy of this one's environment and current directory, its own errorlevel."""
        return Shell(self.interp, self.env.copy(), self.cwd, io, echo=echo)

    def run_node(self, node: Any) -> int:
        """Run a parsed tree as a child cmd.exe would (``cmd /c`` of that text) and return its exit code."""
        try:
            self.execute(node, self.io)
        except ExitCmd as exc:
            return exc.code
        except ExitBatch as exc:
            return self.errorlevel if exc.code is None else exc.code
        except Goto:
            pass
        return self.exit_code()

    # -------------------------------------------------------------- simple commands
    def run_simple(self, text: str, io: CmdIO) -> None:
        self.check_cancel()
        self.status = 0
        stripped = text.lstrip(" \t")
        while stripped.startswith("@"):
            stripped = stripped[1:].lstrip(" \t")
        if not stripped.strip():
            return
        name, rest = split_command(stripped, self.builtins)
        lname = unquote(name).lower()
        if stripped.startswith(":"):
            return  # a label
        if len(lname) == 2 and lname[1] == ":" and lname[0].isalpha() and not rest.strip():
            self.change_drive(lname[0])
            return
        builtin = self.builtins.get(lname)
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
            self.err(DRIVE_NOT_FOUND)
            self.errorlevel = 1
            return
        self.cwd = f"{letter}:\\"

    def run_external(self, name: str, rest: str, io: CmdIO) -> None:
        target = unquote(name)
        kind, found = self.find_program(target)
        if kind == "batch":
            start_batch(self, found, rest, call=False)
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
        # programs the machine provides (they live in %SystemRoot%\system32; appcmd.exe in inetsrv is not on PATH)
        if ext.lower() in ("", ".exe", ".com"):
            if stem == "cmd":
                return "cmd", stem
            if stem in self.interp.programs and stem not in OFF_PATH:
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
        child = self.spawn(io, echo=echo)
        if command is None:
            return child.interactive()
        line = apply_cmd_c_quotes(command.lstrip(" \t"), slash_s, self.interp.keep_quote_rule, self.fs, self)
        return child.run_top(line)

    def run_top(self, line: str) -> int:
        try:
            self.run_line(line, None)
        except ExitCmd as exc:
            return exc.code
        except ExitBatch as exc:
            return self.errorlevel if exc.code is None else exc.code
        except Goto:
            pass
        return self.exit_code()

    def interactive(self) -> int:
        """``cmd`` without /c: reads commands from stdin until EOF or ``exit``."""
        self.out(BANNER)
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
            except ExitCmd as exc:
                return exc.code
            except (ExitBatch, Goto):
                pass
            self.out("\r\n")


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


class Interpreter:
    """``Interpreter(machine, programs).run(cmdline, io)`` runs what ``cmd.exe /c <cmdline>`` runs and returns
    its exit code (the 32-bit value Windows reports, e.g. 0xC000013A when cancelled).

    ``machine`` is the host as the command sees it (``fs``, ``config``, ``env``); ``programs`` is the host's
    program table (base name -> program), handed over by whoever built the machine.  The built-ins are
    cmd.exe's own (:data:`.builtins.BUILTINS`)."""

    # Windows 2000 added "rule 1" of cmd /c quote handling; NT 4.0 only had the "old behavior".
    keep_quote_rule = False

    def __init__(self, machine: Any, programs: Mapping[str, Program]) -> None:
        self.machine = machine
        self.programs: dict[str, Program] = {k.lower(): v for k, v in programs.items()}
        self.builtins: Mapping[str, Builtin] = BUILTINS
        self.verify = False

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
        except Cancelled:
            return CANCELLED_RC
        if io.cancelled.is_set():
            return CANCELLED_RC
        return errorlevel_to_rc(rc)

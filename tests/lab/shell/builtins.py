"""The built-in commands of cmd.exe and the one table of them.

Each built-in takes the running shell and the command text after the command name (with its leading
delimiter), and returns the new ERRORLEVEL or ``None`` to leave it alone.  The commands about the shell
itself (echo, set, exit, call, goto, cd, ...) are here; the file commands are in :mod:`.filecmds`
(copy, move, ren, del, type, md, rd) and :mod:`.dircmd` (dir).  :data:`BUILTINS` is the only list of
internal command names: the executor runs them and uses the names to split glued commands (``echo.``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import batch
from .dircmd import dir_cmd
from .filecmds import copy_cmd, del_cmd, mkdir_cmd, move_cmd, ren_cmd, rmdir_cmd, type_cmd
from .flow import ExitBatch, ExitCmd, Goto
from .messages import SYNTAX_ERROR, VERSION
from .parse import NeedMore, ParseError, Parser, Simple
from .redirect import read_answer_line, with_redirs
from .words import cmd_tokens, int_or, parse_number, split_command, unquote

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)


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
            value = parse_number(tok)
            if value is None:
                raise ValueError
            return value
        return int_or(sh.lookup(tok) or "0", 0)

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
        code = int_or(args[1], 0) if len(args) > 1 else None
        if sh.batch is None:
            raise ExitCmd(sh.errorlevel if code is None else code)
        raise ExitBatch(code)
    code = int_or(args[0], 0) if args else sh.errorlevel
    raise ExitCmd(code)


def _call(sh: Shell, rest: str) -> int | None:
    text = rest.lstrip(" \t")
    if not text:
        return None
    if text.startswith(":") and sh.batch is not None:
        label, _sep, args = text.partition(" ")
        frame = sh.batch
        sub = batch.BatchFrame(
            frame.path, [label, *batch.batch_args(args)], args.lstrip(" \t"), frame.lines, echo=sh.echo
        )
        probe = batch.BatchFrame(frame.path, frame.args, frame.all_args, frame.lines)
        if not batch.goto(sh, probe, label):
            return None
        batch.run_batch(sh, sub, probe.pos)
        return None
    expanded = sh.expand(text, sh.batch)
    try:
        node = Parser(expanded).parse()
    except (ParseError, NeedMore):
        sh.err(SYNTAX_ERROR)
        return 1
    if isinstance(node, Simple):
        name, args = split_command(node.text.lstrip(" \t"), BUILTINS)
        kind, found = sh.find_program(unquote(name))
        if kind == "batch" and not name.lower().startswith(("if", "(")):
            with_redirs(sh, node.redirs, sh.io, lambda _io: batch.start_batch(sh, found, args, call=True))
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
    raise Goto(label)


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
    from ..machine.versions import KINDS

    kind = KINDS.get(getattr(sh.machine.config, "kind", "nt4") or "nt4")
    sh.out(kind.ver if kind is not None else VERSION)
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


Builtin = Callable[[Shell, str], int | None]

BUILTINS: dict[str, Builtin] = {
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
    # file commands
    "copy": copy_cmd,
    "move": move_cmd,
    "ren": ren_cmd,
    "rename": ren_cmd,
    "del": del_cmd,
    "erase": del_cmd,
    "dir": dir_cmd,
    "type": type_cmd,
    "mkdir": mkdir_cmd,
    "md": mkdir_cmd,
    "rmdir": rmdir_cmd,
    "rd": rmdir_cmd,
}

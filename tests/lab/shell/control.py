"""``if`` conditions and ``for`` loops.

``if`` tests ``exist`` (wildcards, a trailing backslash for folders, ``nul`` in a folder), ``errorlevel n``
(at least n), ``defined``, ``cmdextversion`` and comparisons (``==`` as text; ``equ``/``neq``/``lss``/...
as numbers when both sides are numbers).  ``for`` runs its command text once per value, parsed again each
time with the loop variable replaced: plain sets with wildcards, ``/d`` folders, ``/l`` ranges and ``/f``
lines of files, strings or a command's output.
"""

from __future__ import annotations

import re
from typing import Any

from ..machine.fs import FsError, has_wildcards, split_path
from ..machine.proc_api import CmdIO
from .messages import SYNTAX_ERROR
from .parse import ForNode, IfNode, NeedMore, ParseError, Parser
from .words import cmd_tokens, int_or, parse_number, unquote

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)

# ====================================================================================================
# for


def run_for(sh: Shell, node: ForNode, io: CmdIO) -> None:
    for value in for_values(sh, node):
        sh.check_cancel()
        text = node.body.replace(f"%{node.var}", value)
        try:
            body = Parser(text).parse()
        except (ParseError, NeedMore):
            sh.err(SYNTAX_ERROR)
            return
        sh.execute(body, io)


def for_values(sh: Shell, node: ForNode) -> list[str]:
    if node.mode == "l":
        nums = [int_or(t, 0) for t in cmd_tokens(node.items)] + [0, 0, 0]
        start, step, end = nums[0], nums[1], nums[2]
        if step == 0:
            return []
        count = max(0, (end - start) // step + 1)
        return [str(start + k * step) for k in range(min(count, 100000))]
    if node.mode == "f":
        return for_f_values(sh, node)
    values: list[str] = []
    for item in cmd_tokens(node.items):
        raw = unquote(item)
        if not has_wildcards(raw):
            if node.mode != "d":
                values.append(item)
            continue
        prefix = raw[: max(raw.rfind("\\"), raw.rfind(":")) + 1]
        for path in sh.fs.glob(sh.resolve(raw)):
            if sh.fs.is_dir(path) == (node.mode == "d"):
                values.append(prefix + path.rsplit("\\", 1)[-1])
    return values


def for_f_values(sh: Shell, node: ForNode) -> list[str]:
    opts = node.options
    m = re.search(r"delims=([^\n]*?)(?=\s+(?:tokens|skip|eol|usebackq)=?|$)", opts)
    delims = m.group(1) if m else " \t"
    tokens_spec = re.search(r"tokens=(\S+)", opts)
    skip = int_or(re.search(r"skip=(\d+)", opts).group(1), 0) if "skip=" in opts else 0
    eol_m = re.search(r"eol=(.)", opts)
    eol = eol_m.group(1) if eol_m else ";"
    backq = "usebackq" in opts.lower()
    source = node.items.strip()
    if (source.startswith("'") and not backq) or (source.startswith("`") and backq):
        collected: list[str] = []
        child = sh.spawn(CmdIO(collected.append, sh.io.err, sh.io.read_stdin, sh.io.cancelled), echo=True)
        child.run_node(Parser(source[1:-1]).parse())
        lines = "".join(collected).splitlines()
    elif source.startswith('"') and not backq:
        lines = [source[1:-1]]
    else:
        lines = []
        for name in cmd_tokens(source):
            try:
                lines += sh.fs.read(sh.resolve(name)).decode("cp437").splitlines()
            except FsError:
                sh.err(f"The system cannot find the file {unquote(name)}.\r\n")
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


# ====================================================================================================
# if


def condition_holds(sh: Shell, node: IfNode) -> bool:
    kind = node.kind
    if kind == "exist":
        result = exists(sh, node.operands[0])
    elif kind == "errorlevel":
        result = sh.errorlevel >= int_or(node.operands[0], 0)
    elif kind == "defined":
        result = sh.lookup(node.operands[0]) is not None
    elif kind == "cmdextversion":
        result = int_or(node.operands[0], 0) <= 1
    else:
        left, right = node.operands
        result = compare(left, right, node.op, node.ignore_case)
    return result != node.negate


def exists(sh: Shell, token: str) -> bool:
    raw = unquote(token)
    path = sh.resolve(raw)
    if has_wildcards(path):
        return bool(sh.fs.glob(path))
    if raw.endswith(("\\", "/")):
        return sh.fs.is_dir(path)
    drive, parts = split_path(path)
    if parts and parts[-1].lower() == "nul":
        return len(parts) == 1 or sh.fs.is_dir(f"{drive}:\\" + "\\".join(parts[:-1]))
    return sh.fs.exists(path)


def compare(left: str, right: str, op: str, ignore_case: bool) -> bool:
    if op == "==":
        return left.lower() == right.lower() if ignore_case else left == right
    a, b = parse_number(left), parse_number(right)
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

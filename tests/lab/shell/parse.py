"""Phase 2 of reading a command line: turning the expanded text into a tree, and showing a tree again.

Operators ``&`` (weakest), ``&&``/``||`` (one level, left to right), ``|`` (strongest); ``( )`` blocks;
``^`` escapes outside quotes; ``"`` toggles quoting (an unterminated quote runs to the end of the line);
redirections are removed from the command text with the white space around them kept; ``if`` and ``for``
swallow the rest of the line as their command (``if a==b echo x & echo y`` prints nothing).  A block still
open at the end of the text raises :class:`NeedMore` (a batch file then reads the next line); anything
else that does not parse raises :class:`ParseError` with cmd's message.

:func:`render` is how cmd.exe shows a parsed command when ECHO is on.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .messages import SYNTAX_ERROR
from .words import unquote


class ParseError(Exception):
    def __init__(self, message: str) -> None:
        self.message = message


class NeedMore(Exception):
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
            raise ParseError(f"{ch} was unexpected at this time.\r\n")
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
                    raise ParseError(f"{op} was unexpected at this time.\r\n")
                lhs = rhs
            elif rhs is None:
                if op != "&":
                    raise ParseError(SYNTAX_ERROR)
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
            raise ParseError(f"{self.op_text()} was unexpected at this time.\r\n")
        if ch == "(":
            self.i += 1
            self.depth += 1
            saved, self.newline_ends = self.newline_ends, False
            body = self.expr(0)
            self.newline_ends = saved
            self.skip_ws(newlines=True)
            if self.peek() != ")":
                if self.at_end():
                    raise NeedMore()
                raise ParseError(SYNTAX_ERROR)
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
            raise ParseError(SYNTAX_ERROR)
        return Redir(handle, mode, unquote(target))

    def token_chars(self, out: list[str]) -> Iterator[str]:
        """The one token scanner of :meth:`word` and :meth:`simple`: walks the text up to a line break, copying into
        ``out`` what quotes group (the quotes kept; an unterminated quote runs to the line end) and what a caret
        escapes (the caret dropped; a caret before the line end vanishes).  Every other character is yielded
        unconsumed: the caller stops there, takes it (``self.i += 1``) or parses on from it."""
        in_quote = False
        while not self.at_end():
            ch = self.peek()
            if ch == "\n":
                return
            if in_quote or ch == '"':
                out.append(ch)
                self.i += 1
                if ch == '"':
                    in_quote = not in_quote
                continue
            if ch == "^":
                if self.i + 1 < len(self.s) and self.s[self.i + 1] != "\n":
                    out.append(self.s[self.i + 1])
                    self.i += 2
                else:
                    self.i += 1
                continue
            yield ch

    def word(self, stop: str = "") -> str:
        """A token: up to white space or an operator, quotes grouping, carets escaping."""
        out: list[str] = []
        for ch in self.token_chars(out):
            if ch in " \t&|<>" or ch in stop or (ch == ")" and self.depth > 0):
                break
            out.append(ch)
            self.i += 1
        return "".join(out)

    def simple(self) -> Simple:
        out: list[str] = []
        redirs: list[Redir] = []
        for ch in self.token_chars(out):
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
            raise ParseError(f"{self.word() or 'for'} was unexpected at this time.\r\n")
        var = self.peek(1)
        self.i += 2
        self.skip_ws()
        if not self.word_ahead("in"):
            raise ParseError(f"{self.word()} was unexpected at this time.\r\n")
        self.i += 2
        self.skip_ws()
        if self.peek() != "(":
            raise ParseError(f"{self.word()} was unexpected at this time.\r\n")
        self.i += 1
        start = self.i
        in_quote = False
        while not self.at_end() and (in_quote or self.peek() != ")"):
            if self.peek() == '"':
                in_quote = not in_quote
            self.i += 1
        if self.at_end():
            raise NeedMore()
        items = self.s[start : self.i]
        self.i += 1
        self.skip_ws()
        if not self.word_ahead("do"):
            raise ParseError(f"{self.word() or 'do'} was unexpected at this time.\r\n")
        self.i += 2
        self.skip_ws()
        body_start = self.i
        saved, self.newline_ends = self.newline_ends, True
        try:
            body = self.expr(0)
        finally:
            self.newline_ends = saved
        if body is None:
            raise ParseError(SYNTAX_ERROR)
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
                    raise ParseError(SYNTAX_ERROR)
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
                    raise ParseError(SYNTAX_ERROR)
                op = token.lower()
                self.skip_ws()
            right = self.word(stop="=") if op == "==" else self.word()
            if not left or not right:
                raise ParseError(SYNTAX_ERROR)
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
            raise ParseError(SYNTAX_ERROR)
        if isinstance(first, Block):
            save = self.i
            self.skip_ws()  # ELSE must follow the closing parenthesis on the same line
            if self.word_ahead("else"):
                self.i += 4
                else_node = self.expr(0)
                if else_node is None:
                    raise ParseError(SYNTAX_ERROR)
                return IfNode(negate, ignore_case, kind, operands, op, first, else_node)
            self.i = save
        then = self.expr(0, first)
        return IfNode(negate, ignore_case, kind, operands, op, then, None)


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


def continues(text: str) -> bool:
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

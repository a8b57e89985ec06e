"""How a command line is cut into words: cmd's own rules for built-ins and batch arguments, the MS C runtime
rules a program's ``argv`` follows, the command name at the start of a line, and numbers as cmd reads them."""

from __future__ import annotations

import re
from collections.abc import Container


def cmd_tokens(text: str) -> list[str]:
    """cmd's own argument splitting for built-ins: white space, ``,``, ``;`` and ``=`` separate tokens
    outside quotes; quotes stay in the token."""
    tokens: list[str] = []
    cur: list[str] = []
    in_quote = False
    for ch in text:
        if ch == '"':
            in_quote = not in_quote
            cur.append(ch)
        elif not in_quote and ch in " \t,;=":
            if cur:
                tokens.append("".join(cur))
                cur = []
        else:
            cur.append(ch)
    if cur:
        tokens.append("".join(cur))
    return tokens


def unquote(token: str) -> str:
    return token.replace('"', "")


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


def split_command(text: str, builtins: Container[str]) -> tuple[str, str]:
    """Command name and the rest of the text (the rest keeps its leading delimiter).

    ``builtins`` are the names of the internal commands, which may be glued to what follows them
    (``echo.``, ``echo:``, ``dir/b``, ``cd..``, ``cd\\``)."""
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
    if name.lower() not in builtins:
        for k in range(2, len(name)):
            if name[k] in "./\\(:+[]" and name[:k].lower() in builtins:
                return name[:k], name[k:] + text[j:]
    return name, text[j:]


def int_or(text: str, default: int) -> int:
    value = parse_number(text)
    return default if value is None else value


def parse_number(text: str) -> int | None:
    """A number as cmd reads one: decimal, ``0x`` hexadecimal or ``0`` octal, with an optional sign."""
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

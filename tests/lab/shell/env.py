"""The environment block and phase 1 of reading a line: ``%`` expansion, done once when a line is read.

On the command line an undefined ``%VAR%`` stays as typed; in a batch file it becomes empty, ``%%`` becomes
``%`` and ``%0``..``%9``/``%*`` are the batch arguments (``%~dp0`` and friends with modifiers).  ``%VAR:~s,n%``
takes a substring and ``%VAR:old=new%`` substitutes.  ``%ERRORLEVEL%`` and ``%CD%`` are dynamic: the
shell supplies them through ``lookup`` when no variable of that name is set.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from typing import Any

from ..machine.fs import FsError, split_path
from .words import unquote


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


def expand(text: str, lookup: Callable[[str], str | None], batch: Any, modifiers: Callable[[str, str], str]) -> str:
    """``text`` with its ``%`` references replaced.  ``batch`` is the running batch file's frame (``arg(n)``,
    ``all_args``) or None on the command line; ``modifiers(arg, mods)`` gives ``%~<mods><n>``."""
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
                    out.append(modifiers(batch.arg(int(m.group(2))), m.group(1)))
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
        value = expand_var(name, lookup) if name and "\n" not in name else None
        if value is not None:
            out.append(value)
            i = end + 1
        elif batch is not None:
            i = end + 1  # undefined: empty in a batch file
        else:
            out.append("%" + name)  # left as typed; the closing % may open the next variable
            i = end
    return "".join(out)


def expand_var(spec: str, lookup: Callable[[str], str | None]) -> str | None:
    """The value of ``NAME``, ``NAME:~start,length`` or ``NAME:old=new``; None when it is undefined."""
    if ":" in spec:
        name, mod = spec.split(":", 1)
        value = lookup(name)
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
    return lookup(spec)


def arg_modifiers(arg: str, mods: str, resolve: Callable[[str], str], fs: Any) -> str:
    """``%~<mods>n`` of a batch argument: f full path, d drive, p folder, n name, x extension, z size."""
    value = unquote(arg)
    if not mods:
        return value
    full = fs.canonical(resolve(value)) if value else ""
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
            out += str(fs.stat(full).size)
    return out

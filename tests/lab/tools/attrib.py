"""``attrib.exe`` (ships with Windows NT 4.0): list a file's attributes or change them.

``attrib [+R|-R] [+A|-A] [+S|-S] [+H|-H] [path]``: with no ``+``/``-`` switch it lists each matching file as
``A  SHR     C:\\full\\path`` (one column per attribute, blank when not set); with switches it changes them and
prints nothing.  ``File not found - <name as typed>`` when nothing matches, ``Path not found - <folder>``
when the folder does not exist; always exit code 0.  The layout and the texts follow XP-era captures of the
same program (a documented choice for NT 4.0; see docs/dev/lab-machine.md).
"""

from __future__ import annotations

import ntpath

from ..machine.fs import ARCHIVE, HIDDEN, READONLY, SYSTEM, FsError, has_wildcards
from ..machine.proc_api import ProgramCall
from .paths import resolve
from .winerror import CRLF

_FLAGS = {"r": "readonly", "a": "archive", "s": "system", "h": "hidden"}


def _line(attrs: int, path: str) -> str:
    def col(bit: int, letter: str) -> str:
        return letter if attrs & bit else " "

    return f"{col(ARCHIVE, 'A')}  {col(SYSTEM, 'S')}{col(HIDDEN, 'H')}{col(READONLY, 'R')}     {path}{CRLF}"


def attrib_program(call: ProgramCall) -> int:
    out = call.io.out
    fs = call.machine.fs
    changes: dict[str, bool] = {}
    names: list[str] = []
    for arg in call.args:
        if arg[:1] in "+-" and len(arg) == 2 and arg[1].lower() in _FLAGS:
            changes[_FLAGS[arg[1].lower()]] = arg[0] == "+"
        elif arg[:1] in "+-":
            out(f"Parameter format not correct - {arg}{CRLF}")
            return 0
        elif not arg.startswith("/"):
            names.append(arg)
    typed = names[0] if names else "*.*"
    full = resolve(typed, call.cwd)
    folder = ntpath.dirname(full)
    if not fs.is_dir(folder):
        out(f"Path not found - {folder.rstrip(chr(92)) if len(folder) > 3 else folder}{CRLF}")
        return 0
    if has_wildcards(full):
        matches = [p for p in fs.glob(full) if fs.is_file(p)]
    elif fs.is_dir(full):
        matches = [p for p in fs.glob(full + "\\*") if fs.is_file(p)] if not names else []
    else:
        matches = [fs.canonical(full)] if fs.is_file(full) else []
    if not matches:
        out(f"File not found - {typed if names else full}{CRLF}")
        return 0
    for path in matches:
        try:
            if changes:
                fs.set_attributes(path, **changes)
            else:
                out(_line(fs.attributes(path), path))
        except FsError:
            out(f"Access denied - {path}{CRLF}")
    return 0

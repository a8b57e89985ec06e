"""``dir``, built into cmd.exe, in the NT 4 layout.

Sources: listings of the period (``07/20/01  08:06p        <DIR>          .``, sizes right-aligned to column
38, ``6 File(s)          1,475 bytes`` counting folders, ``... bytes free`` right-aligned to column 39, no
``Dir(s)`` line).  Takes the running shell and the text after ``dir``; returns the new ERRORLEVEL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..machine.fs import FsError, has_wildcards, split_path, wildcard_match
from .filecmds import join_path, parent_of
from .messages import NO_FILES, PATH_NOT_FOUND
from .words import cmd_tokens

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)


def _group(n: int) -> str:
    return f"{n:,}"


def _stamp(t: datetime) -> str:
    hour = t.hour % 12 or 12
    return f"{t:%m/%d/%y}  {hour:02d}:{t.minute:02d}{'a' if t.hour < 12 else 'p'}"


def _entry_line(mtime: datetime, is_dir: bool, size: int, name: str) -> str:
    if is_dir:
        return f"{_stamp(mtime)}        <DIR>          {name}\r\n"
    return f"{_stamp(mtime)}{_group(size):>22} {name}\r\n"


def _sort_entries(entries: list[Any], order: str | None) -> list[Any]:
    if not order:
        return entries
    out = list(entries)
    keys = order.lstrip(":")
    for pos in range(len(keys) - 1, -1, -1):
        ch = keys[pos].lower()
        if ch == "-":
            continue
        reverse = pos > 0 and keys[pos - 1] == "-"
        key: Callable[[Any], Any] | None = {
            "n": lambda e: e.name.lower(),
            "e": lambda e: e.name.rpartition(".")[2].lower() if "." in e.name else "",
            "s": lambda e: e.size,
            "d": lambda e: e.mtime,
            "g": lambda e: 0 if e.is_dir else 1,
        }.get(ch)
        if key is not None:
            out.sort(key=key, reverse=reverse)
    return out


def dir_cmd(sh: Shell, rest: str) -> int | None:
    tokens = cmd_tokens(rest)
    bare = recurse = False
    attr: str | None = None
    order: str | None = None
    targets: list[str] = []
    for tok in tokens:
        if tok.startswith("/"):
            for piece in tok.split("/")[1:]:
                low = piece.lower()
                if low == "b":
                    bare = True
                elif low == "s":
                    recurse = True
                elif low.startswith("a"):
                    attr = low[1:].lstrip(":")
                elif low.startswith("o"):
                    order = low[1:].lstrip(":") or "gn"
        else:
            targets.append(tok)
    if not targets:
        targets = [sh.cwd]
    found_any = False
    total_files = total_bytes = 0
    header_done = False
    for tok in targets:
        path = sh.resolve(tok)
        if sh.fs.is_dir(path) and not has_wildcards(path):
            folder, pattern = path, "*"
        else:
            folder, pattern = parent_of(path)
            if not pattern:
                folder, pattern = path, "*"
        drive = split_path(folder)[0]
        if not bare and not header_done:
            label = sh.fs.labels.get(drive)
            sh.out(f" Volume in drive {drive} " + (f"is {label}\r\n" if label else "has no label.\r\n"))
            sh.out(f" Volume Serial Number is {sh.fs.serial}\r\n")
            header_done = True
        if not sh.fs.is_dir(folder):
            sh.err(PATH_NOT_FOUND)
            continue
        for current in _walk_dirs(sh, folder, recurse):
            sh.check_cancel()
            listing = _list_folder(sh, current, pattern, attr, order)
            if listing is None:
                sh.err("Access is denied.\r\n")
                continue
            if not listing or (bare and all(e.name in (".", "..") for e in listing)):
                continue
            found_any = True
            canon = sh.fs.canonical(current)
            if bare:
                for entry in listing:
                    if entry.name in (".", ".."):
                        continue
                    sh.out((join_path(canon, entry.name) if recurse else entry.name) + "\r\n")
                continue
            sh.out(f"\r\n Directory of {canon}\r\n\r\n")
            count = size = 0
            for entry in listing:
                sh.out(_entry_line(entry.mtime, entry.is_dir, entry.size, entry.name))
                count += 1
                size += 0 if entry.is_dir else entry.size
            sh.out(f"{count:>16} File(s){_group(size):>15} bytes\r\n")
            total_files += count
            total_bytes += size
            if recurse:
                sh.out("\r\n")
    if not found_any:
        if not bare:
            sh.out("\r\n")
        sh.err(NO_FILES)
        return 1
    if not bare:
        if recurse:
            sh.out(f"     Total Files Listed:\r\n{total_files:>16} File(s){_group(total_bytes):>15} bytes\r\n")
        sh.out(f"{_group(sh.fs.free_bytes):>39} bytes free\r\n")
    return 0


def _walk_dirs(sh: Shell, folder: str, recurse: bool) -> list[str]:
    out = [folder]
    if recurse:
        try:
            entries = sh.fs.listdir(folder)
        except FsError:
            return out
        for e in entries:
            if e.is_dir:
                out.extend(_walk_dirs(sh, join_path(folder, e.name), True))
    return out


class _Row:
    __slots__ = ("name", "is_dir", "size", "mtime")

    def __init__(self, name: str, is_dir: bool, size: int, mtime: datetime) -> None:
        self.name, self.is_dir, self.size, self.mtime = name, is_dir, size, mtime


def _list_folder(sh: Shell, folder: str, pattern: str, attr: str | None, order: str | None) -> list[Any] | None:
    try:
        entries = sh.fs.listdir(folder)
    except FsError:
        return None
    rows: list[Any] = []
    _drive, parts = split_path(folder)
    if parts and wildcard_match(pattern, "."):
        # NTFS has no real "." and ".." entries; the listing shows the folder's own times for both
        me = sh.fs.stat(folder)
        rows.append(_Row(".", True, 0, me.mtime))
        rows.append(_Row("..", True, 0, me.mtime))
    rows.extend(e for e in entries if wildcard_match(pattern, e.name))
    if attr is not None:
        if attr.startswith("-d"):
            rows = [r for r in rows if not r.is_dir]
        elif attr.startswith("d"):
            rows = [r for r in rows if r.is_dir]
    if order:
        dots = [r for r in rows if r.name in (".", "..")]
        rows = dots + _sort_entries([r for r in rows if r.name not in (".", "..")], order)
    return rows

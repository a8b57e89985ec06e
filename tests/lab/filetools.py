"""File commands of the lab's cmd.exe (copy, move, ren, del, dir, type, md, rd) and the fc.exe program.

Built-ins take the running shell (``tests.lab.cmd.Shell``) and the command text after the command name,
and return the new ERRORLEVEL or ``None`` to leave it alone.

Sources for the formats:

* ``dir``: NT 4 layout from listings of the period (``07/20/01  08:06p        <DIR>          .``, sizes
  right-aligned to column 38, ``6 File(s)          1,475 bytes`` counting folders, ``... bytes free``
  right-aligned to column 39, no ``Dir(s)`` line).
* ``copy``: ``        1 file(s) copied.`` and the sharing-violation capture (``tests/conformance/captures``);
  NT 4 overwrites an existing file without asking (see :data:`ASK_BEFORE_OVERWRITE`).
* ``fc``: ``xxxxxxxx: yy zz`` per differing byte (NT command reference), ``FC: no differences encountered``
  plus a blank line (captures), ``FC: cannot open NAME - No such file or directory`` (Windows 2000 Resource
  Kit error text), exit codes 0 / 1 / 2 / -1.
* ``ren``/``del``: the NT 4 ``A duplicate file name exists, or the file cannot be found.`` and
  ``Could Not Find C:\\path``; neither changes ERRORLEVEL (NT 4 internal commands are unreliable about it).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .fs import FsError, has_wildcards, split_path, wildcard_match

if TYPE_CHECKING:  # pragma: no cover
    from .cmd import ProgramCall, Shell

COPIED = "{:>9} file(s) copied.\r\n"
DUPLICATE = "A duplicate file name exists, or the file cannot be found.\r\n"
SYNTAX = "The syntax of the command is incorrect.\r\n"
NOT_FOUND = "File Not Found\r\n"


# ====================================================================================================
# Token helpers shared with cmd.py


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


def _switches(rest: str) -> tuple[set[str], list[str]]:
    """Switches (lower case, without the slash; ``/b/y`` counts as two) and the other tokens."""
    switches: set[str] = set()
    names: list[str] = []
    for tok in cmd_tokens(rest):
        if tok.startswith("/"):
            for piece in tok.split("/")[1:]:
                if piece:
                    switches.add(piece.lower())
        else:
            names.append(tok)
    return switches, names


def _msg(exc: FsError) -> str:
    return f"{exc}\r\n"


def _join(folder: str, name: str) -> str:
    return folder.rstrip("\\") + "\\" + name


def _parent(path: str) -> tuple[str, str]:
    drive, parts = split_path(path)
    folder = f"{drive}:\\" + "\\".join(parts[:-1])
    return folder, (parts[-1] if parts else "")


def _typed_prefix(token: str) -> str:
    """The folder part of a path as typed (for messages that echo the user's spelling)."""
    raw = unquote(token)
    cut = max(raw.rfind("\\"), raw.rfind("/"), raw.rfind(":") if len(raw) >= 2 and raw[1] == ":" else -1)
    return raw[: cut + 1]


def _yes(sh: Shell, prompt: str) -> bool:
    from .cmd import read_answer_line

    sh.out(prompt)
    first = read_answer_line(sh.io).strip()[:1].lower()
    sh.out((first.upper() if first else "") + "\r\n")
    return first in ("y", "a")


# NT 4.0's copy and move replace an existing file without asking (the lab's reading of the NT 4 "copy /?"
# text, which has no /Y switch).  Windows 2000 documents the MS-DOS 6.2 rule instead: ask unless in a batch
# file or told /Y.  Set this to True to get that rule.  /Y and /-Y are accepted either way.
ASK_BEFORE_OVERWRITE = False


def _must_ask(sh: Shell, switches: set[str]) -> bool:
    """Does copy/move ask before replacing a file?  /-Y always asks, /Y never (also preset in COPYCMD)."""
    preset = {p.lower() for p in (sh.env.get("COPYCMD") or "").split()}
    if "-y" in switches:
        return True
    if "y" in switches:
        return False
    if "/-y" in preset:
        return True
    if "/y" in preset:
        return False
    return ASK_BEFORE_OVERWRITE and sh.batch is None


def _overwrite_ok(sh: Shell, switches: set[str], target: str, shown: str) -> bool:
    if not sh.fs.is_file(target) or not _must_ask(sh, switches):
        return True
    return _yes(sh, f"Overwrite {shown}? (Yes/No/All): ")


def _sources(sh: Shell, token: str) -> list[str]:
    """Files a source argument names: a file, every file matching a wildcard, or every file in a folder."""
    path = sh.resolve(token)
    if has_wildcards(path):
        return [p for p in sh.fs.glob(path) if sh.fs.is_file(p)]
    if sh.fs.is_dir(path):
        return [p for p in sh.fs.glob(_join(path, "*")) if sh.fs.is_file(p)]
    return [path]


# ====================================================================================================
# copy


def copy_cmd(sh: Shell, rest: str) -> int | None:
    switches, names = _switches(rest)
    if not names:
        sh.err(SYNTAX)
        return 1
    # "copy /b file +,,": rewrite the file in place to give it the current time
    if (len(names) == 2 and names[1] == "+") or (len(names) == 1 and names[0].endswith("+")):
        return _touch(sh, names[0].rstrip("+"))
    sources_tokens = [t for t in names[0].split("+") if t]
    dest_token = names[1] if len(names) > 1 else None
    if len(names) > 2:
        sh.err(SYNTAX)
        return 1
    concatenate = len(sources_tokens) > 1
    files: list[tuple[str, str]] = []  # (path, name to print)
    wildcard = False
    for tok in sources_tokens:
        found = _sources(sh, tok)
        if has_wildcards(unquote(tok)) or sh.fs.is_dir(sh.resolve(tok)):
            wildcard = True
            prefix = _typed_prefix(tok) if has_wildcards(unquote(tok)) else unquote(tok).rstrip("\\") + "\\"
            files.extend((p, prefix + p.rsplit("\\", 1)[-1]) for p in found)
        else:
            files.extend((p, unquote(tok)) for p in found)
    if not files:
        sh.err("The system cannot find the file specified.\r\n")
        sh.out(COPIED.format(0))
        return 1
    dest = sh.resolve(dest_token) if dest_token else sh.cwd
    dest_is_dir = sh.fs.is_dir(dest) or (dest_token is not None and unquote(dest_token).endswith(("\\", "/")))
    if wildcard and not dest_is_dir and len(files) > 1:
        concatenate = True
    if concatenate and not dest_is_dir:
        return _concatenate(sh, files, dest, wildcard)
    copied = 0
    for path, shown in files:
        sh.check_cancel()
        target = _join(dest, path.rsplit("\\", 1)[-1]) if dest_is_dir else dest
        if sh.fs.canonical(target).lower() == sh.fs.canonical(path).lower():
            sh.err("The file cannot be copied onto itself.\r\n")
            sh.out(COPIED.format(copied))
            return 1
        shown_target = unquote(dest_token) if dest_token and not dest_is_dir else target
        if not _overwrite_ok(sh, switches, target, shown_target):
            continue
        if wildcard:
            sh.out(shown + "\r\n")
        try:
            sh.fs.copy(path, target)
        except FsError as exc:
            sh.err(_msg(exc))
            sh.out(COPIED.format(copied))
            return 1
        copied += 1
    sh.out(COPIED.format(copied))
    return 0


def _concatenate(sh: Shell, files: list[tuple[str, str]], dest: str, show: bool) -> int:
    data = b""
    for path, shown in files:
        if show:
            sh.out(shown + "\r\n")
        try:
            data += sh.fs.read(path)
        except FsError as exc:
            sh.err(_msg(exc))
            sh.out(COPIED.format(0))
            return 1
    try:
        sh.fs.write(dest, data)
    except FsError as exc:
        sh.err(_msg(exc))
        sh.out(COPIED.format(0))
        return 1
    sh.out(COPIED.format(1))
    return 0


def _touch(sh: Shell, token: str) -> int:
    path = sh.resolve(token)
    try:
        data = sh.fs.read(path)
        sh.fs.write(path, data)
    except FsError as exc:
        sh.err(_msg(exc))
        sh.out(COPIED.format(0))
        return 1
    sh.out(COPIED.format(1))
    return 0


# ====================================================================================================
# move, ren, del


def move_cmd(sh: Shell, rest: str) -> int | None:
    switches, names = _switches(rest)
    if not names or len(names) > 2:
        sh.err(SYNTAX)
        return 1
    src_tok = names[0]
    dest = sh.resolve(names[1]) if len(names) > 1 else sh.cwd
    src_path = sh.resolve(src_tok)
    if has_wildcards(src_path):
        sources = sh.fs.glob(src_path)
        if not sources:
            sh.err("The system cannot find the file specified.\r\n")
            return 1
        if len(sources) > 1 and not sh.fs.is_dir(dest):
            sh.err("Cannot move multiple files to a single file.\r\n")
            return 1
        prefix = _typed_prefix(src_tok)
        failed = False
        for path in sources:
            sh.out(prefix + path.rsplit("\\", 1)[-1] + "\r\n")
            try:
                sh.fs.move(path, dest)
            except FsError as exc:
                sh.err(_msg(exc))
                failed = True
        return 1 if failed else 0
    if not sh.fs.exists(src_path):
        folder, _name = _parent(src_path)
        sh.err(
            (
                "The system cannot find the file specified."
                if sh.fs.is_dir(folder)
                else "The system cannot find the path specified."
            )
            + "\r\n"
        )
        return 1
    target = _join(dest, src_path.rsplit("\\", 1)[-1]) if sh.fs.is_dir(dest) else dest
    if not _overwrite_ok(sh, switches, target, unquote(names[1]) if len(names) > 1 else target):
        return 0
    try:
        sh.fs.move(src_path, dest)
    except FsError as exc:
        sh.err(_msg(exc))
        return 1
    return 0


def _rename_target(pattern: str, name: str) -> str:
    """``ren *.dll *.old`` style mapping of a name through a wildcard pattern."""
    if not has_wildcards(pattern):
        return pattern
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    pstem, pdot, pext = pattern.rpartition(".")
    if not pdot:
        pstem, pext = pattern, ""

    def fill(pat: str, src: str) -> str:
        out = []
        for i, ch in enumerate(pat):
            if ch == "*":
                out.append(src[i:])
                break
            if ch == "?":
                out.append(src[i] if i < len(src) else "")
            else:
                out.append(ch)
        return "".join(out)

    new_stem = fill(pstem, stem)
    if not pdot:
        return new_stem
    new_ext = fill(pext, ext)
    return f"{new_stem}.{new_ext}" if new_ext else new_stem


def ren_cmd(sh: Shell, rest: str) -> int | None:
    _switches_, names = _switches(rest)
    sh.status = 1  # a failing ren fails && / || even though ERRORLEVEL stays as it was
    if len(names) != 2:
        sh.err(SYNTAX)
        return None
    new = unquote(names[1])
    if "\\" in new or "/" in new or ":" in new:
        sh.err(SYNTAX)
        return None
    src = sh.resolve(names[0])
    targets = sh.fs.glob(src) if has_wildcards(src) else [src]
    if not targets:
        sh.err(DUPLICATE)
        return None
    ok = True
    for path in targets:
        name = path.rsplit("\\", 1)[-1]
        try:
            sh.fs.rename(path, _rename_target(new, sh.fs.canonical(path).rsplit("\\", 1)[-1] or name))
        except FsError as exc:
            ok = False
            if exc.winerror in (2, 3, 80, 183):
                sh.err(DUPLICATE)
            else:
                sh.err(_msg(exc))
    sh.status = 0 if ok else 1
    return None  # NT 4 leaves ERRORLEVEL alone, success or not


def del_cmd(sh: Shell, rest: str) -> int | None:
    switches, names = _switches(rest)
    if not names:
        sh.err(SYNTAX)
        return None
    quiet = "q" in switches
    failed = False
    for tok in names:
        sh.check_cancel()
        path = sh.resolve(tok)
        shown = sh.fs.canonical(path)
        if sh.fs.is_dir(path):
            pattern = _join(path, "*")
            if not quiet and not _yes(sh, f"{shown}\\*, Are you sure (Y/N)? "):
                continue
            victims = [p for p in sh.fs.glob(pattern) if sh.fs.is_file(p)]
        elif has_wildcards(path):
            leaf = path.rsplit("\\", 1)[-1]
            if leaf in ("*", "*.*") and not quiet and not _yes(sh, f"{shown}, Are you sure (Y/N)? "):
                continue
            victims = [p for p in sh.fs.glob(path) if sh.fs.is_file(p)]
        else:
            victims = [path] if sh.fs.is_file(path) else []
        if not victims:
            failed = True
            folder, _name = _parent(path)
            if not sh.fs.is_dir(folder):
                sh.err("The system cannot find the path specified.\r\n")
            elif not sh.fs.is_dir(path):
                sh.err(f"Could Not Find {shown}\r\n")
            continue
        for victim in victims:
            try:
                sh.fs.delete(victim)
            except FsError as exc:
                sh.err(f"{sh.fs.canonical(victim)}\r\n{exc}\r\n")
                failed = True
    sh.status = 1 if failed else 0  # && / || see the failure; ERRORLEVEL does not
    return None  # NT 4 leaves ERRORLEVEL alone


# ====================================================================================================
# dir


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
            folder, pattern = _parent(path)
            if not pattern:
                folder, pattern = path, "*"
        drive = split_path(folder)[0]
        if not bare and not header_done:
            label = sh.fs.labels.get(drive)
            sh.out(f" Volume in drive {drive} " + (f"is {label}\r\n" if label else "has no label.\r\n"))
            sh.out(f" Volume Serial Number is {sh.fs.serial}\r\n")
            header_done = True
        if not sh.fs.is_dir(folder):
            sh.err("The system cannot find the path specified.\r\n")
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
                    sh.out((_join(canon, entry.name) if recurse else entry.name) + "\r\n")
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
        sh.err(NOT_FOUND)
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
                out.extend(_walk_dirs(sh, _join(folder, e.name), True))
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


# ====================================================================================================
# type, md, rd


def type_cmd(sh: Shell, rest: str) -> int | None:
    _sw, names = _switches(rest)
    if not names:
        sh.err(SYNTAX)
        return 1
    rc = 0
    many = len(names) > 1 or any(has_wildcards(unquote(n)) for n in names)
    for tok in names:
        path = sh.resolve(tok)
        paths = sh.fs.glob(path) if has_wildcards(path) else [path]
        if not paths:
            sh.err("The system cannot find the file specified.\r\n")
            rc = 1
        for p in paths:
            sh.check_cancel()
            try:
                data = sh.fs.read(p)
            except FsError as exc:
                sh.err(_msg(exc))
                rc = 1
                continue
            if many:
                sh.err(f"\r\n{p.rsplit(chr(92), 1)[-1]}\r\n\r\n\r\n")
            sh.out(data.decode("cp437"))
    return rc


def mkdir_cmd(sh: Shell, rest: str) -> int | None:
    _sw, names = _switches(rest)
    if not names:
        sh.err(SYNTAX)
        return 1
    rc = 0
    for tok in names:
        path = sh.resolve(tok)
        if sh.fs.exists(path):
            sh.err(f"A subdirectory or file {unquote(tok)} already exists.\r\n")
            rc = 1
            continue
        try:
            sh.fs.makedirs(path)
        except FsError as exc:
            sh.err(_msg(exc))
            rc = 1
    return rc


def rmdir_cmd(sh: Shell, rest: str) -> int | None:
    switches, names = _switches(rest)
    if not names:
        sh.err(SYNTAX)
        return 1
    rc = 0
    for tok in names:
        path = sh.resolve(tok)
        if not sh.fs.exists(path):
            folder, _n = _parent(path)
            sh.err(
                (
                    "The system cannot find the file specified."
                    if sh.fs.is_dir(folder)
                    else "The system cannot find the path specified."
                )
                + "\r\n"
            )
            rc = 1
            continue
        if not sh.fs.is_dir(path):
            sh.err("The directory name is invalid.\r\n")
            rc = 1
            continue
        recursive = "s" in switches
        if recursive and "q" not in switches and not _yes(sh, f"{unquote(tok)}, Are you sure (Y/N)? "):
            continue
        try:
            sh.fs.rmdir(path, recursive=recursive)
        except FsError as exc:
            sh.err(_msg(exc))
            rc = 1
    return rc


BUILTINS: dict[str, Callable[[Any, str], int | None]] = {
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


# ====================================================================================================
# fc.exe

BINARY_EXTENSIONS = (".exe", ".com", ".sys", ".obj", ".lib", ".bin")


def _resolve_for(call: ProgramCall, name: str) -> str:
    raw = name.replace("/", "\\")
    if len(raw) >= 2 and raw[1] == ":":
        if raw[2:3] == "\\":
            return raw
        return call.cwd.rstrip("\\") + "\\" + raw[2:] if raw[0].upper() == call.cwd[0].upper() else raw
    if raw.startswith("\\"):
        return call.cwd[:2] + raw
    return call.cwd.rstrip("\\") + "\\" + raw


def _shown_second(name: str) -> str:
    """fc prints the second name upper-cased when it has no folder part (captures show "and OUT.CS" for
    ``FC Program.cs Out.cs`` but keep ``.\\mydata.txt`` as typed)."""
    return name if any(c in name for c in "\\/:") else name.upper()


def fc_program(call: ProgramCall) -> int:
    out = call.io.out
    switches: set[str] = set()
    names: list[str] = []
    for arg in call.args:
        if arg.startswith("/") and len(arg) > 1:
            switches.add(arg[1:].lower())
        else:
            names.append(arg)
    if len(names) < 2:
        out("FC: Insufficient number of file specifications\r\n")
        return -1
    first, second = names[0], names[1]
    fs = call.machine.fs
    blobs: list[bytes] = []
    for name in (first, second):
        try:
            blobs.append(fs.read(_resolve_for(call, name)))
        except FsError as exc:
            reason = "Permission denied" if exc.winerror in (5, 32) else "No such file or directory"
            out(f"FC: cannot open {name.upper()} - {reason}\r\n")
            return 2
    a, b = blobs
    shown_b = _shown_second(second)
    out(f"Comparing files {first} and {shown_b}\r\n")
    binary = "b" in switches or first.lower().endswith(BINARY_EXTENSIONS)
    if binary:
        return _fc_binary(call, a, b, first, shown_b)
    return _fc_text(call, a, b, first, shown_b, ignore_case="c" in switches)


def _fc_binary(call: ProgramCall, a: bytes, b: bytes, name_a: str, name_b: str) -> int:
    out = call.io.out
    if a == b:
        out("FC: no differences encountered\r\n\r\n")
        return 0
    lines = []
    for offset in range(min(len(a), len(b))):
        if a[offset] != b[offset]:
            lines.append(f"{offset:08X}: {a[offset]:02X} {b[offset]:02X}\r\n")
        if len(lines) >= 4096:
            out("".join(lines))
            lines = []
            if call.io.cancelled.is_set():
                return 1
    out("".join(lines))
    if len(a) > len(b):
        out(f"FC: {name_a} longer than {name_b}\r\n")
    elif len(b) > len(a):
        out(f"FC: {name_b} longer than {name_a}\r\n")
    out("\r\n")
    return 1


def _fc_text(call: ProgramCall, a: bytes, b: bytes, name_a: str, name_b: str, ignore_case: bool) -> int:
    out = call.io.out
    la = a.decode("cp437").replace("\r\n", "\n").split("\n")
    lb = b.decode("cp437").replace("\r\n", "\n").split("\n")
    ka = [x.lower() for x in la] if ignore_case else la
    kb = [x.lower() for x in lb] if ignore_case else lb
    if ka == kb:
        out("FC: no differences encountered\r\n\r\n")
        return 0
    matcher = difflib.SequenceMatcher(a=ka, b=kb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        after_a = la[i2 : i2 + 1]
        after_b = lb[j2 : j2 + 1]
        out(f"***** {name_a}\r\n")
        for line in la[max(0, i1 - 1) : i2] + after_a:
            out(line + "\r\n")
        out(f"***** {name_b}\r\n")
        for line in lb[max(0, j1 - 1) : j2] + after_b:
            out(line + "\r\n")
        out("*****\r\n\r\n")
    return 1


PROGRAMS: dict[str, Callable[[Any], int]] = {"fc": fc_program}

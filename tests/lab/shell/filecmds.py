"""The file commands built into cmd.exe: copy, move, ren, del, type, md and rd (``dir`` is in :mod:`.dircmd`).

Each takes the running shell and the command text after its name, and returns the new ERRORLEVEL or
``None`` to leave it alone.

Sources for the texts:

* ``copy``: ``        1 file(s) copied.`` and the sharing-violation capture (``tests/conformance/captures``);
  NT 4 overwrites an existing file without asking (see :data:`ASK_BEFORE_OVERWRITE`).
* ``ren``/``del``: the NT 4 ``A duplicate file name exists, or the file cannot be found.`` and
  ``Could Not Find C:\\path``; neither changes ERRORLEVEL (NT 4 internal commands are unreliable about it).
"""

from __future__ import annotations

from typing import Any

from ..machine.fs import FsError, has_wildcards, split_path
from .messages import COPIED, DUPLICATE, FILE_NOT_FOUND, PATH_NOT_FOUND, SYNTAX_ERROR
from .redirect import read_answer_line
from .words import cmd_tokens, unquote

Shell = Any  # the running tests.lab.shell.exec.Shell (not imported: the shell modules import one way)


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


def join_path(folder: str, name: str) -> str:
    return folder.rstrip("\\") + "\\" + name


def parent_of(path: str) -> tuple[str, str]:
    drive, parts = split_path(path)
    folder = f"{drive}:\\" + "\\".join(parts[:-1])
    return folder, (parts[-1] if parts else "")


def _typed_prefix(token: str) -> str:
    """The folder part of a path as typed (for messages that echo the user's spelling)."""
    raw = unquote(token)
    cut = max(raw.rfind("\\"), raw.rfind("/"), raw.rfind(":") if len(raw) >= 2 and raw[1] == ":" else -1)
    return raw[: cut + 1]


def _yes(sh: Shell, prompt: str) -> bool:
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
        return [p for p in sh.fs.glob(join_path(path, "*")) if sh.fs.is_file(p)]
    return [path]


# ====================================================================================================
# copy


def copy_cmd(sh: Shell, rest: str) -> int | None:
    switches, names = _switches(rest)
    if not names:
        sh.err(SYNTAX_ERROR)
        return 1
    # "copy /b file +,,": rewrite the file in place to give it the current time
    if (len(names) == 2 and names[1] == "+") or (len(names) == 1 and names[0].endswith("+")):
        return _touch(sh, names[0].rstrip("+"))
    sources_tokens = [t for t in names[0].split("+") if t]
    dest_token = names[1] if len(names) > 1 else None
    if len(names) > 2:
        sh.err(SYNTAX_ERROR)
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
        sh.err(FILE_NOT_FOUND)
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
        target = join_path(dest, path.rsplit("\\", 1)[-1]) if dest_is_dir else dest
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
        sh.err(SYNTAX_ERROR)
        return 1
    src_tok = names[0]
    dest = sh.resolve(names[1]) if len(names) > 1 else sh.cwd
    src_path = sh.resolve(src_tok)
    if has_wildcards(src_path):
        sources = sh.fs.glob(src_path)
        if not sources:
            sh.err(FILE_NOT_FOUND)
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
        folder, _name = parent_of(src_path)
        sh.err(FILE_NOT_FOUND if sh.fs.is_dir(folder) else PATH_NOT_FOUND)
        return 1
    target = join_path(dest, src_path.rsplit("\\", 1)[-1]) if sh.fs.is_dir(dest) else dest
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
        sh.err(SYNTAX_ERROR)
        return None
    new = unquote(names[1])
    if "\\" in new or "/" in new or ":" in new:
        sh.err(SYNTAX_ERROR)
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
        sh.err(SYNTAX_ERROR)
        return None
    quiet = "q" in switches
    failed = False
    for tok in names:
        sh.check_cancel()
        path = sh.resolve(tok)
        shown = sh.fs.canonical(path)
        if sh.fs.is_dir(path):
            pattern = join_path(path, "*")
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
            folder, _name = parent_of(path)
            if not sh.fs.is_dir(folder):
                sh.err(PATH_NOT_FOUND)
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
# type, md, rd


def type_cmd(sh: Shell, rest: str) -> int | None:
    _sw, names = _switches(rest)
    if not names:
        sh.err(SYNTAX_ERROR)
        return 1
    rc = 0
    many = len(names) > 1 or any(has_wildcards(unquote(n)) for n in names)
    for tok in names:
        path = sh.resolve(tok)
        paths = sh.fs.glob(path) if has_wildcards(path) else [path]
        if not paths:
            sh.err(FILE_NOT_FOUND)
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
        sh.err(SYNTAX_ERROR)
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
        sh.err(SYNTAX_ERROR)
        return 1
    rc = 0
    for tok in names:
        path = sh.resolve(tok)
        if not sh.fs.exists(path):
            folder, _n = parent_of(path)
            sh.err(FILE_NOT_FOUND if sh.fs.is_dir(folder) else PATH_NOT_FOUND)
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

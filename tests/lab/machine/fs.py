"""A small NT file system for the lab: drive letters, case-insensitive names that keep their case, MAX_PATH,
free space, image locks that follow a file through renames, and the ACL / lock faults of :class:`Faults`.

Paths are Win32 style (``C:\\InetPub\\x.dll``); ``/`` is accepted as a separator, ``.`` and ``..`` are
resolved, and trailing dots and spaces are dropped from every component the way the Win32 path layer does.
Relative paths are taken from the root of drive C (the interpreter resolves them against its own current
directory before calling in).

Errors are :class:`FsError` carrying the Win32 error code; ``str()`` is the system message text that cmd.exe
prints for it.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .fspath import (
    BAD_NAME_CHARS,
    FOREIGN,
    MAX_DIR_PATH,
    MAX_PATH,
    MESSAGES,
    Entry,
    FsError,
    has_wildcards,
    is_nul_device,
    join_path,
    normalize,
    split_path,
    wildcard_match,
)

__all__ = [
    "ARCHIVE",
    "FOREIGN",
    "HIDDEN",
    "READONLY",
    "SYSTEM",
    "MAX_DIR_PATH",
    "MAX_PATH",
    "MESSAGES",
    "Entry",
    "FileSystem",
    "FsError",
    "has_wildcards",
    "is_nul_device",
    "join_path",
    "normalize",
    "split_path",
    "wildcard_match",
]

_ids = itertools.count(1)


class _Node:
    __slots__ = ("name", "mtime", "id")

    def __init__(self, name: str, mtime: datetime) -> None:
        self.name = name
        self.mtime = mtime
        self.id = next(_ids)


READONLY = 0x1  # FILE_ATTRIBUTE_READONLY
HIDDEN = 0x2
SYSTEM = 0x4
ARCHIVE = 0x20  # set on every file written


class _File(_Node):
    __slots__ = ("data", "attrs")

    def __init__(self, name: str, data: bytes, mtime: datetime, attrs: int = ARCHIVE) -> None:
        super().__init__(name, mtime)
        self.data = data
        self.attrs = attrs


class _Dir(_Node):
    __slots__ = ("children",)

    def __init__(self, name: str, mtime: datetime) -> None:
        super().__init__(name, mtime)
        self.children: dict[str, _Node] = {}


class FileSystem:
    """The disk(s) of one lab machine.  Every public method is atomic under one re-entrant lock."""

    def __init__(self, faults: Any, free_bytes: int, log: Any = None, host: str = "") -> None:
        self.faults = faults
        self.free_bytes = int(free_bytes)
        self.log = log
        self.host = host
        self.lock_ = threading.RLock()
        self._clock: Callable[[], datetime] = datetime.now
        self._drives: dict[str, _Dir] = {}
        self._locks: dict[int, dict[str, bool]] = {}  # node id -> holder -> allow_rename
        self.serial = "1C4B-09E2"
        self.labels: dict[str, str] = {}
        self.watched: set[str] | None = None  # upper-case path prefixes to log; None logs every file change
        self.add_drive("C")

    # ------------------------------------------------------------------ clock, drives, logging
    def set_clock(self, clock: datetime | Callable[[], datetime] | None) -> None:
        """Fix the time new mtimes get (a datetime), follow a callable, or go back to the wall clock (None)."""
        with self.lock_:
            if clock is None:
                self._clock = datetime.now
            elif isinstance(clock, datetime):
                self._clock = lambda: clock
            else:
                self._clock = clock

    def now(self) -> datetime:
        return self._clock().replace(microsecond=0)

    def add_drive(self, letter: str) -> None:
        with self.lock_:
            letter = letter.rstrip(":\\").upper()
            self._drives.setdefault(letter, _Dir(f"{letter}:", self.now()))

    def drives(self) -> list[str]:
        with self.lock_:
            return sorted(self._drives)

    def _note(self, op: str, path: str, **extra: Any) -> None:
        if self.log is None:
            return
        if self.watched is not None:
            keys = [path.upper()] + [str(v).upper() for v in extra.values() if isinstance(v, str)]
            if not any(k.startswith(w) for k in keys for w in self.watched):
                return
        self.log.add(self.host, "file", op=op, path=path, **extra)

    # ------------------------------------------------------------------ path helpers
    def _check_syntax(self, path: str, limit: int = MAX_PATH) -> tuple[str, list[str]]:
        text = str(path)
        if not text or text.strip() == "":
            raise FsError(3, text)
        body = text[2:] if len(text) >= 2 and text[1] == ":" else text
        if ":" in body:
            raise FsError(123, text)
        drive, parts = split_path(text)
        for part in parts:
            if any(ch in BAD_NAME_CHARS for ch in part):
                raise FsError(123, text)
            if len(part) > 255:
                raise FsError(206, text)
        if len(join_path(drive, parts)) >= limit:
            raise FsError(206, text)
        return drive, parts

    def _walk(self, path: str, limit: int = MAX_PATH) -> tuple[_Dir | None, _Node | None, str, list[str]]:
        """(parent dir or None if missing, node or None, drive, parts)."""
        drive, parts = self._check_syntax(path, limit)
        root = self._drives.get(drive)
        if root is None:
            raise FsError(3, str(path))
        if not parts:
            return None, root, drive, parts
        cur: _Node = root
        for part in parts[:-1]:
            if not isinstance(cur, _Dir):
                return None, None, drive, parts
            nxt = cur.children.get(part.lower())
            if nxt is None:
                return None, None, drive, parts
            cur = nxt
        if not isinstance(cur, _Dir):
            return None, None, drive, parts
        return cur, cur.children.get(parts[-1].lower()), drive, parts

    def _canonical_parts(self, drive: str, parts: list[str]) -> list[str]:
        out: list[str] = []
        cur: _Node | None = self._drives.get(drive)
        for part in parts:
            nxt = cur.children.get(part.lower()) if isinstance(cur, _Dir) else None
            out.append(nxt.name if nxt is not None else part)
            cur = nxt
        return out

    def _full(self, drive: str, parts: list[str]) -> str:
        return join_path(drive, self._canonical_parts(drive, parts))

    @staticmethod
    def _under(key: str, entries: set[str]) -> bool:
        for item in entries:
            norm = normalize(item)
            if key == norm or key.startswith(norm.rstrip("\\") + "\\"):
                return True
        return False

    def _bit(self, fault: str, path: str, hit: bool) -> bool:
        """``hit``; when true, log that the fault ``fault`` of :class:`Faults` took effect at ``path``."""
        if hit and self.log is not None:
            self.log.add(self.host, "fault", fault=fault, path=path)
        return hit

    def _denied(self, drive: str, parts: list[str]) -> bool:
        key = join_path(drive, parts).upper()
        return self._bit("access_denied", key, self._under(key, set(self.faults.access_denied)))

    def _unreadable(self, drive: str, parts: list[str]) -> bool:
        key = join_path(drive, parts).upper()
        return self._bit("unreadable", key, self._under(key, set(self.faults.unreadable)))

    def _foreign(self, drive: str, parts: list[str]) -> bool:
        key = join_path(drive, parts).upper()
        return self._bit("foreign_locks", key, any(normalize(p) == key for p in self.faults.foreign_locks))

    def _holders(self, node: _Node, drive: str, parts: list[str]) -> dict[str, bool]:
        holders = dict(self._locks.get(node.id, {}))
        if self._foreign(drive, parts):
            holders[FOREIGN] = False
        return holders

    def _subtree_locked(self, node: _Node, drive: str, parts: list[str]) -> bool:
        if self._holders(node, drive, parts):
            return True
        if isinstance(node, _Dir):
            return any(self._subtree_locked(c, drive, parts + [c.name]) for c in node.children.values())
        return False

    @staticmethod
    def _readonly(node: _Node | None) -> bool:
        return isinstance(node, _File) and bool(node.attrs & READONLY)

    def _file_at(self, path: str) -> _File:
        _parent, node, _drive, _parts = self._walk(path)
        if not isinstance(node, _File):
            raise FsError(2, str(path))
        return node

    def attributes(self, path: str) -> int:
        """The file's attribute bits (READONLY, HIDDEN, SYSTEM, ARCHIVE); FsError 2 when there is no file."""
        with self.lock_:
            return self._file_at(path).attrs

    def is_readonly(self, path: str) -> bool:
        try:
            return bool(self.attributes(path) & READONLY)
        except FsError:
            return False

    def set_attributes(self, path: str, **flags: bool) -> None:
        """SetFileAttributes: ``readonly=``, ``hidden=``, ``system=``, ``archive=`` True/False (others kept)."""
        bits = {"readonly": READONLY, "hidden": HIDDEN, "system": SYSTEM, "archive": ARCHIVE}
        with self.lock_:
            node = self._file_at(path)
            drive, parts = split_path(path)
            if self._denied(drive, parts):
                raise FsError(5, str(path))
            for name, on in flags.items():
                node.attrs = (node.attrs | bits[name]) if on else (node.attrs & ~bits[name])
            self._note("attrib", self._full(drive, parts), attrs=node.attrs)

    def _need_space(self, grow: int, path: str) -> None:
        if grow > 0 and (self._bit("disk_full", path, self.faults.disk_full) or grow > self.free_bytes):
            raise FsError(112, path)

    def _touch_dir(self, d: _Dir | None) -> None:
        if d is not None:
            d.mtime = self.now()

    # ------------------------------------------------------------------ queries
    def exists(self, path: str) -> bool:
        if is_nul_device(path):
            return True
        try:
            with self.lock_:
                return self._walk(path)[1] is not None
        except FsError:
            return False

    def is_dir(self, path: str) -> bool:
        try:
            with self.lock_:
                return isinstance(self._walk(path)[1], _Dir)
        except FsError:
            return False

    def is_file(self, path: str) -> bool:
        try:
            with self.lock_:
                return isinstance(self._walk(path)[1], _File)
        except FsError:
            return False

    def canonical(self, path: str) -> str:
        """Full path with the case each existing component was created with (missing parts as given)."""
        with self.lock_:
            drive, parts = split_path(path)
            return self._full(drive, parts)

    def stat(self, path: str) -> Entry:
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            return self._entry(node)

    @staticmethod
    def _entry(node: _Node) -> Entry:
        if isinstance(node, _File):
            return Entry(node.name, False, len(node.data), node.mtime)
        return Entry(node.name, True, 0, node.mtime)

    def listdir(self, path: str) -> list[Entry]:
        """Entries of a folder (no ``.``/``..``), sorted by name case-insensitively."""
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(3, str(path))
            if not isinstance(node, _Dir):
                raise FsError(267, str(path))
            if self._unreadable(drive, parts):
                raise FsError(5, str(path))
            return [self._entry(c) for c in sorted(node.children.values(), key=lambda n: n.name.lower())]

    def glob(self, pattern: str) -> list[str]:
        """Full canonical paths matching a pattern with wildcards in its last component only."""
        with self.lock_:
            drive, parts = split_path(pattern)
            if not parts:
                return []
            folder = join_path(drive, parts[:-1])
            try:
                entries = self.listdir(folder)
            except FsError:
                return []
            base = self._full(drive, parts[:-1]).rstrip("\\")
            return [f"{base}\\{e.name}" for e in entries if wildcard_match(parts[-1], e.name)]

    def read(self, path: str) -> bytes:
        if is_nul_device(path):
            return b""
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            if isinstance(node, _Dir):
                raise FsError(5, str(path))
            if self._unreadable(drive, parts):
                raise FsError(5, str(path))
            return node.data

    def lock_holders(self, path: str) -> list[str]:
        with self.lock_:
            try:
                _parent, node, drive, parts = self._walk(path)
            except FsError:
                return []
            if node is None:
                return []
            return sorted(self._holders(node, drive, parts))

    def snapshot(self) -> dict[str, bytes]:
        with self.lock_:
            out: dict[str, bytes] = {}

            def visit(d: _Dir, prefix: str) -> None:
                for child in d.children.values():
                    path = f"{prefix}\\{child.name}"
                    if isinstance(child, _File):
                        out[path] = child.data
                    else:
                        visit(child, path)  # type: ignore[arg-type]

            for letter, root in sorted(self._drives.items()):
                visit(root, f"{letter}:")
            return out

    def used_bytes(self) -> int:
        return sum(len(v) for v in self.snapshot().values())

    # ------------------------------------------------------------------ changes
    def write(
        self, path: str, data: bytes, append: bool = False, mtime: datetime | None = None, attrs: int = 0
    ) -> None:
        """Create or overwrite (or append to) a file; ``attrs`` are given to a new file (a copy's source
        attributes).  A read-only file cannot be written (access denied).  Atomic: on failure nothing changes."""
        data = bytes(data)
        if is_nul_device(path):
            return
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if parent is None:
                if node is not None:  # the root of a drive
                    raise FsError(5, str(path))
                raise FsError(3, str(path))
            if isinstance(node, _Dir):
                raise FsError(5, str(path))
            if self._denied(drive, parts) or self._readonly(node):
                raise FsError(5, str(path))
            if node is not None and self._holders(node, drive, parts):
                raise FsError(32, str(path))
            old = node.data if isinstance(node, _File) else b""
            new = old + data if append else data
            if self._bit("disk_full", str(path), self.faults.disk_full and bool(data)):
                raise FsError(112, str(path))
            self._need_space(len(new) - len(old), str(path))
            self.free_bytes -= len(new) - len(old)
            stamp = mtime or self.now()
            if isinstance(node, _File):
                node.data = new
                node.mtime = stamp
                node.attrs |= ARCHIVE
                self._note("write", self._full(drive, parts), size=len(new))
            else:
                parent.children[parts[-1].lower()] = _File(parts[-1], new, stamp, ARCHIVE | attrs)
                self._touch_dir(parent)
                self._note("create", self._full(drive, parts), size=len(new))

    def open_for_write_probe(self, path: str) -> None:
        """What ``>>file`` does when nothing is written: open for append, creating an empty file."""
        if is_nul_device(path):
            return
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if parent is None:
                raise FsError(5 if node is not None else 3, str(path))
            if isinstance(node, _Dir):
                raise FsError(5, str(path))
            if self._denied(drive, parts) or self._readonly(node):
                raise FsError(5, str(path))
            if node is not None:
                if self._holders(node, drive, parts):
                    raise FsError(32, str(path))
                return
            parent.children[parts[-1].lower()] = _File(parts[-1], b"", self.now())
            self._touch_dir(parent)
            self._note("create", self._full(drive, parts), size=0)

    def mkdir(self, path: str) -> None:
        with self.lock_:
            parent, node, drive, parts = self._walk(path, MAX_DIR_PATH)
            if node is not None:
                raise FsError(183, str(path))
            if parent is None:
                raise FsError(3, str(path))
            if self._denied(drive, parts):
                raise FsError(5, str(path))
            parent.children[parts[-1].lower()] = _Dir(parts[-1], self.now())
            self._touch_dir(parent)

    def makedirs(self, path: str) -> None:
        """Create a folder and any missing parents (for setting up hosts; cmd's ``md`` does the same)."""
        with self.lock_:
            drive, parts = self._check_syntax(path, MAX_DIR_PATH)
            for i in range(1, len(parts) + 1):
                sub = join_path(drive, parts[:i])
                if not self.exists(sub):
                    self.mkdir(sub)
                elif not self.is_dir(sub):
                    raise FsError(183, sub)

    def rmdir(self, path: str, recursive: bool = False) -> None:
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            if not isinstance(node, _Dir):
                raise FsError(267, str(path))
            if parent is None:
                raise FsError(5, str(path))
            if self._denied(drive, parts):
                raise FsError(5, str(path))
            if node.children and not recursive:
                raise FsError(145, str(path))
            if self._subtree_locked(node, drive, parts):
                raise FsError(32, str(path))
            self.free_bytes += self._size(node)
            del parent.children[parts[-1].lower()]
            self._touch_dir(parent)

    def _size(self, node: _Node) -> int:
        if isinstance(node, _File):
            return len(node.data)
        return sum(self._size(c) for c in node.children.values())  # type: ignore[attr-defined]

    def delete(self, path: str) -> None:
        with self.lock_:
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            if isinstance(node, _Dir) or parent is None:
                raise FsError(5, str(path))
            if self._denied(drive, parts) or self._readonly(node):
                raise FsError(5, str(path))
            holders = self._holders(node, drive, parts)
            if any(h != FOREIGN for h in holders):
                raise FsError(5, str(path))  # NT refuses to delete a mapped image: access denied
            if holders:
                raise FsError(32, str(path))
            full = self._full(drive, parts)
            self.free_bytes += len(node.data)
            del parent.children[parts[-1].lower()]
            self._locks.pop(node.id, None)
            self._touch_dir(parent)
            self._note("delete", full)

    def _check_movable(self, node: _Node, drive: str, parts: list[str], path: str) -> None:
        if self._denied(drive, parts):
            raise FsError(5, path)
        if isinstance(node, _Dir):
            if self._subtree_locked(node, drive, parts):
                raise FsError(5, path)
            return
        holders = self._holders(node, drive, parts)
        if any(not allow for allow in holders.values()):
            raise FsError(32, path)

    def rename(self, path: str, new_name: str) -> None:
        """``ren`` semantics: a new name (no folder) for a file or folder in the same folder."""
        with self.lock_:
            if any(sep in new_name for sep in "\\/") or (len(new_name) >= 2 and new_name[1] == ":"):
                raise FsError(123, new_name)
            parent, node, drive, parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            if parent is None:
                raise FsError(5, str(path))
            target = new_name.rstrip(". ")
            if not target or any(ch in BAD_NAME_CHARS for ch in target):
                raise FsError(123, new_name)
            new_parts = parts[:-1] + [target]
            if len(join_path(drive, new_parts)) >= MAX_PATH:
                raise FsError(206, new_name)
            existing = parent.children.get(target.lower())
            if existing is not None and existing is not node:
                raise FsError(183, new_name)
            self._check_movable(node, drive, parts, str(path))
            if self._denied(drive, new_parts):
                raise FsError(5, str(path))
            old_full = self._full(drive, parts)
            del parent.children[parts[-1].lower()]
            node.name = target
            parent.children[target.lower()] = node
            self._touch_dir(parent)
            self._note("rename", old_full, new_path=self._full(drive, new_parts))

    def _resolve_target(self, src_node: _Node, dst: str) -> tuple[_Dir, _Node | None, str, list[str]]:
        parent, node, drive, parts = self._walk(dst)
        if isinstance(node, _Dir):
            # into the folder, keeping the source name
            target = f"{join_path(drive, parts)}\\{src_node.name}"
            parent, node, drive, parts = self._walk(target)
        if parent is None:
            raise FsError(3, str(dst))
        return parent, node, drive, parts

    def move(self, src: str, dst: str) -> None:
        """``move`` of one file (or folder on the same drive).  ``dst`` may be an existing folder.

        An existing destination file is replaced (as MoveFileEx with REPLACE_EXISTING; cmd's ``move``
        on NT 4 overwrites without asking)."""
        with self.lock_:
            sparent, snode, sdrive, sparts = self._walk(src)
            if snode is None:
                raise FsError(2 if sparent is not None else 3, str(src))
            if sparent is None:
                raise FsError(5, str(src))
            dparent, dnode, ddrive, dparts = self._resolve_target(snode, dst)
            if dnode is snode:
                if dparts[-1] != snode.name:  # same file, only the case differs
                    self.rename(src, dparts[-1])
                return
            if self._denied(ddrive, dparts):
                raise FsError(5, str(dst))
            if ddrive != sdrive:
                if isinstance(snode, _Dir):
                    raise FsError(5, str(src))  # NT 4 move cannot move a folder across volumes
                self.copy(src, join_path(ddrive, dparts))
                try:
                    self.delete(src)
                except FsError:
                    self.delete(join_path(ddrive, dparts))
                    raise
                return
            if isinstance(snode, _Dir):
                if dnode is not None:
                    raise FsError(5, str(dst))
                cur = join_path(ddrive, dparts).upper() + "\\"
                if cur.startswith(join_path(sdrive, sparts).upper() + "\\"):
                    raise FsError(5, str(dst))  # into itself
            self._check_movable(snode, sdrive, sparts, str(src))
            if dnode is not None:
                if isinstance(dnode, _Dir) or self._readonly(dnode):
                    raise FsError(5, str(dst))
                if self._holders(dnode, ddrive, dparts):
                    holders = self._holders(dnode, ddrive, dparts)
                    raise FsError(5 if any(h != FOREIGN for h in holders) else 32, str(dst))
                self.free_bytes += len(dnode.data)  # type: ignore[attr-defined]
                self._locks.pop(dnode.id, None)
            old_full = self._full(sdrive, sparts)
            del sparent.children[sparts[-1].lower()]
            snode.name = dparts[-1]
            dparent.children[dparts[-1].lower()] = snode
            self._touch_dir(sparent)
            self._touch_dir(dparent)
            self._note("rename", old_full, new_path=self._full(ddrive, dparts))

    def copy(self, src: str, dst: str) -> str:
        """Copy one file; ``dst`` may be a folder.  Keeps the source's mtime.  Returns the destination."""
        if is_nul_device(src):
            self.write(dst, b"")  # "copy nul file" makes an empty file
            return self.canonical(dst)
        with self.lock_:
            sparent, snode, sdrive, sparts = self._walk(src)
            if snode is None:
                raise FsError(2 if sparent is not None else 3, str(src))
            if isinstance(snode, _Dir):
                raise FsError(5, str(src))
            if self._unreadable(sdrive, sparts):
                raise FsError(5, str(src))
            dparent, dnode, ddrive, dparts = self._resolve_target(snode, dst)
            if dnode is snode:
                raise FsError(80, str(dst))  # cmd reports "cannot be copied onto itself" before this
            target = join_path(ddrive, dparts)
            # CopyFile gives the copy the source's attributes (a read-only source makes a read-only copy).
            self.write(target, snode.data, mtime=snode.mtime, attrs=snode.attrs)  # type: ignore[attr-defined]
            if not is_nul_device(target):
                self._file_at(target).attrs = snode.attrs  # type: ignore[attr-defined]
            return self._full(ddrive, dparts)

    # ------------------------------------------------------------------ locks
    def lock(self, path: str, holder: str, allow_rename: bool) -> None:
        """A process mapped the file (a loaded DLL).  The lock follows the file through renames and moves."""
        with self.lock_:
            parent, node, _drive, _parts = self._walk(path)
            if node is None:
                raise FsError(2 if parent is not None else 3, str(path))
            self._locks.setdefault(node.id, {})[holder] = bool(allow_rename)

    def unlock_holder(self, holder: str) -> None:
        with self.lock_:
            for nid in list(self._locks):
                self._locks[nid].pop(holder, None)
                if not self._locks[nid]:
                    del self._locks[nid]

    def unlock(self, path: str, holder: str) -> None:
        with self.lock_:
            try:
                _parent, node, _d, _p = self._walk(path)
            except FsError:
                return
            if node is not None and node.id in self._locks:
                self._locks[node.id].pop(holder, None)
                if not self._locks[node.id]:
                    del self._locks[node.id]

    def locked_paths(self, holder: str | None = None) -> list[str]:
        """Canonical paths of files some process (or ``holder``) has locked."""
        with self.lock_:
            out: list[str] = []

            def visit(d: _Dir, prefix: str) -> None:
                for child in d.children.values():
                    path = f"{prefix}\\{child.name}"
                    if isinstance(child, _File):
                        held = self._locks.get(child.id, {})
                        if held and (holder is None or holder in held):
                            out.append(path)
                    else:
                        visit(child, path)  # type: ignore[arg-type]

            for letter, root in sorted(self._drives.items()):
                visit(root, f"{letter}:")
            return out

"""Win32 path rules and error texts shared by the lab's file system (:mod:`tests.lab.machine.fs`) and its users.

``split_path`` / ``join_path`` / ``normalize`` take paths apart the way the Win32 path layer does (``/`` as a
separator, ``.`` and ``..`` resolved, trailing dots and spaces dropped); :class:`FsError` carries a Win32 error
code and prints the system message cmd.exe shows for it.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import datetime

MAX_PATH = 260  # characters including the terminating NUL: a full path may have at most 259
MAX_DIR_PATH = 248  # CreateDirectory leaves room for an 8.3 file name (MAX_PATH - 12)

MESSAGES = {
    2: "The system cannot find the file specified.",
    3: "The system cannot find the path specified.",
    5: "Access is denied.",
    15: "The system cannot find the drive specified.",
    32: "The process cannot access the file because it is being used by another process.",
    80: "The file exists.",
    112: "There is not enough space on the disk.",
    123: "The filename, directory name, or volume label syntax is incorrect.",
    145: "The directory is not empty.",
    183: "Cannot create a file when that file already exists.",
    206: "The filename or extension is too long.",
    267: "The directory name is invalid.",
}

BAD_NAME_CHARS = set('<>:"|?*') | {chr(c) for c in range(32)}
FOREIGN = "foreign"


class FsError(Exception):
    """A failed file operation.  ``winerror`` is the Win32 error code, ``path`` the path it concerns."""

    def __init__(self, winerror: int, path: str = "") -> None:
        super().__init__(MESSAGES.get(winerror, f"System error {winerror}."))
        self.winerror = winerror
        self.path = path

    @property
    def message(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Entry:
    name: str
    is_dir: bool
    size: int
    mtime: datetime


def split_path(path: str) -> tuple[str, list[str]]:
    """``C:\\a\\b`` -> ``("C", ["a", "b"])``.  Resolves ``.``/``..``, drops trailing dots and spaces."""
    text = str(path).replace("/", "\\")
    drive = "C"
    if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
        drive, text = text[0].upper(), text[2:]
    parts: list[str] = []
    for raw in text.split("\\"):
        if raw in ("", "."):
            continue
        if raw == "..":
            if parts:
                parts.pop()
            continue
        name = raw.rstrip(". ")
        if not name:
            # "...", " " and the like name nothing; Win32 treats them as the folder itself
            continue
        parts.append(name)
    return drive, parts


def join_path(drive: str, parts: list[str]) -> str:
    return f"{drive}:\\" + "\\".join(parts)


def is_nul_device(path: str) -> bool:
    """``NUL`` (also ``nul.txt``, ``C:\\any\\NUL``) names the null device in every folder, as on NT."""
    _drive, parts = split_path(path)
    return bool(parts) and parts[-1].split(".", 1)[0].strip().upper() == "NUL"


def normalize(path: str) -> str:
    """Full path, upper-cased: the key used to compare paths (fault sets, lock lookups)."""
    drive, parts = split_path(path)
    return join_path(drive, parts).upper()


def has_wildcards(path: str) -> bool:
    return "*" in path or "?" in path


def wildcard_match(pattern: str, name: str) -> bool:
    """Case-insensitive ``*``/``?`` match as FindFirstFile does it (``*.*`` matches names without a dot)."""
    pat = pattern.lower()
    low = name.lower()
    if pat in ("*", "*.*"):
        return True
    if pat.endswith(".*") and "." not in low and fnmatch.fnmatchcase(low, pat[:-2]):
        return True
    return fnmatch.fnmatchcase(low, pat.replace("[", "[[]"))

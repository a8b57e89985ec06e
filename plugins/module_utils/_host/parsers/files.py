# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for the cmd.exe file commands ``copy`` and ``dir`` (NT 4.0 and later layouts).

Facts relied on:

* ``copy`` ends with ``<spaces>N file(s) copied.`` (NT 4 may capitalise ``File(s)``), asks ``Overwrite
  X? (Yes/No/All):`` without ``/y``, and otherwise prints a Windows system error message.
* ``dir`` prints one line per entry: date, time, ``<DIR>`` or a size (with or without thousands
  separators), name.  NT 4: ``09/09/98  08:22p        12,994,248 x.dll``; later: ``09/09/2012  08:22 PM``.
  The date order follows the host's locale.  A summary follows: ``N File(s)  N bytes`` and ``N bytes
  free`` (NT 4, own line) or ``N Dir(s)  N bytes free`` (later).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .common import classify_error, split_lines

__all__ = [
    "CopyResult",
    "DirEntry",
    "DirListing",
    "parse_copy",
    "parse_dir",
    "parse_dir_listing",
]


@dataclass
class CopyResult:
    """``copy``: ``copied`` is the count of ``N file(s) copied.`` (None if absent), ``error`` the first
    Windows message (``error_code`` from :func:`classify_error`), ``prompted`` an ``Overwrite ...?`` prompt
    (``/y`` missing).  ``ok`` requires at least one file copied and no error."""

    copied: int | None = None
    error: str | None = None
    error_code: str | None = None
    prompted: bool = False
    other: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.prompted and bool(self.copied)


_COPIED = re.compile(r"^(?P<n>\d+)\s+file\(s\)\s+copied\.?$", re.I)
_OVERWRITE = re.compile(r"^Overwrite .*\?\s*\((?:Yes/No/All|Yes/No)\)", re.I)


def parse_copy(text: str | bytes) -> CopyResult:
    """Parse ``copy`` output: ``        1 file(s) copied.`` (NT 4 may capitalise ``File(s)``), sharing violation,
    access denied, disk full, path or file not found, "cannot be copied onto itself", the overwrite prompt."""
    res = CopyResult()
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _COPIED.match(s):
            res.copied = int(m.group("n"))
        elif _OVERWRITE.match(s):
            res.prompted = True
        elif (code := classify_error(s)) is not None:
            if res.error is None:
                res.error, res.error_code = s, code
        else:
            res.other.append(s)
    return res


@dataclass
class DirEntry:
    """One file or directory line of ``dir``.

    ``size`` is None for directories; ``date`` / ``time`` are the raw strings; ``mtime`` the parsed
    timestamp (naive local time, None if the format was not understood: the date order follows the host's
    locale, taken as month/day for ``/`` and ``-`` and as day.month for ``.``; two-digit years 80-99 are
    19xx).  ``tag`` is ``<DIR>`` (or ``<JUNCTION>`` ...) for directory-like entries.
    """

    name: str
    size: int | None
    is_dir: bool
    date: str
    time: str
    mtime: datetime | None = None
    directory: str | None = None
    tag: str | None = None


@dataclass
class DirListing:
    """All of a ``dir`` output: entries (``.`` and ``..`` left out), the ``Directory of`` paths, the summary
    numbers, and ``error`` / ``error_code`` (``File Not Found``, path not found, ...)."""

    entries: list[DirEntry] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)
    file_count: int | None = None
    total_bytes: int | None = None
    bytes_free: int | None = None
    error: str | None = None
    error_code: str | None = None


_DIR_LINE = re.compile(
    r"^(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm]?)?)\s+"
    r"(?:(?P<tag><[A-Z]+>)|(?P<size>\d[\d,.]*))\s+(?P<name>.+)$"
)
_DIR_OF = re.compile(r"^Directory of (?P<path>.+)$", re.I)
_DIR_FILES = re.compile(r"^(?P<n>[\d,.]+) File\(s\)\s+(?P<bytes>[\d,.]+) bytes$", re.I)
_DIR_FREE = re.compile(r"^(?:(?P<n>[\d,.]+) Dir\(s\)\s+)?(?P<bytes>[\d,.]+) bytes free$", re.I)


def _digits(value: str) -> int:
    return int(re.sub(r"[^\d]", "", value))


def _dir_mtime(date: str, time: str) -> datetime | None:
    parts = re.split(r"[/.-]", date)
    try:
        a, b, c = (int(p) for p in parts)
        if len(parts[0]) == 4:  # ISO-like yyyy-mm-dd
            year, month, day = a, b, c
        elif "." in date:
            day, month, year = a, b, c
        else:
            month, day, year = a, b, c
        if year < 100:
            year += 1900 if year >= 80 else 2000
        t = time.strip().upper()
        ampm = None
        if t.endswith(("A", "AM", "P", "PM")):
            ampm = "P" if "P" in t else "A"
            t = t.rstrip("APM").strip()
        hms = [int(x) for x in t.split(":")]
        hour, minute = hms[0], hms[1]
        second = hms[2] if len(hms) > 2 else 0
        if ampm == "A" and hour == 12:
            hour = 0
        elif ampm == "P" and hour != 12:
            hour += 12
        return datetime(year, month, day, hour, minute, second)
    except (ValueError, IndexError):
        return None


def parse_dir_listing(text: str | bytes) -> DirListing:
    """Parse ``dir`` output in the NT 4 layout (``09/09/98  08:22p        12,994,248 x.dll``) and the later
    one (``09/09/2012  08:22 PM        12,994,248 x.dll``), with or without thousands separators, ``<DIR>``
    lines, the volume header, ``Directory of`` lines (``dir /s``), and both summary styles (NT 4 prints
    ``N bytes free`` on a line of its own, later versions ``N Dir(s)  N bytes free``)."""
    res = DirListing()
    directory: str | None = None
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _DIR_LINE.match(s):
            tag = m.group("tag")
            name = m.group("name")
            if tag and name in (".", ".."):
                continue
            res.entries.append(
                DirEntry(
                    name=name,
                    size=None if tag else _digits(m.group("size")),
                    is_dir=tag is not None and tag not in ("<SYMLINK>",),
                    date=m.group("date"),
                    time=m.group("time"),
                    mtime=_dir_mtime(m.group("date"), m.group("time")),
                    directory=directory,
                    tag=tag,
                )
            )
        elif m := _DIR_OF.match(s):
            directory = m.group("path").strip()
            res.directories.append(directory)
        elif m := _DIR_FILES.match(s):
            res.file_count, res.total_bytes = _digits(m.group("n")), _digits(m.group("bytes"))
        elif m := _DIR_FREE.match(s):
            res.bytes_free = _digits(m.group("bytes"))
        elif s.lower().startswith(("volume in drive", "volume serial number", "total files listed")):
            continue
        elif res.error is None and (code := classify_error(s)) is not None:
            res.error, res.error_code = s, code
    return res


def parse_dir(text: str | bytes) -> list[DirEntry]:
    """The file and directory entries of ``dir`` output (see :func:`parse_dir_listing`)."""
    return parse_dir_listing(text).entries

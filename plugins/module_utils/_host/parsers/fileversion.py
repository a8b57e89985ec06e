# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A DLL's file version as the host's tools print it: ``wmic datafile`` and the Support Tools' ``filever`` (pure)."""

from __future__ import annotations

import re

_WMIC_VERSION = re.compile(r"^\s*Version=(.*?)\s*$", re.IGNORECASE)
_FILE_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")


def parse_wmic_version(text: str) -> str | None:
    """``wmic datafile where name='...' get Version /value``: ``Version=5.0.2195.6620`` (None: no version, no file,
    or no wmic)."""
    for line in text.replace("\r", "\n").split("\n"):
        m = _WMIC_VERSION.match(line)
        if m and _FILE_VERSION.match(m.group(1)):
            return m.group(1)
    return None


def parse_filever(text: str, name: str) -> str | None:
    """``filever <file>`` (Support Tools): one line per file, attributes, OS, type, language, the file version,
    ... the file name last, for example ``--a-- W32i   DLL ENU      5.0.2195.6620 shp     45,328 06-19-2003 x.dll``.
    None when the file has no version resource (``-`` there), or filever is not there."""
    for line in text.replace("\r", "\n").split("\n"):
        words = line.split()
        if not words or words[-1].lower() != name.lower():
            continue
        found = [w for w in words[:-1] if _FILE_VERSION.match(w) and w.count(".") == 3]
        return found[0] if found else None
    return None

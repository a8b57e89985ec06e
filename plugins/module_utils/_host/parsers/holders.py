# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which processes have a DLL loaded: ``tlist -m <dll>`` (NT 4 / 2000 Resource Kit and Support Tools) and
``tasklist /m <dll> /fo csv /nh`` (XP and later).

* tlist lists one process per line, the PID first, then the image name (``  212 inetinfo.exe``); some
  builds put the module name first (``ShopCart.dll - 212 inetinfo.exe``): both are read.  A process with a
  window carries its title after the image name (``1492 Sysparse_com.exe  OleMainThreadWndName``,
  ``1980 explorer.exe  Program Manager`` in the TList documentation's examples): the image is the text up to
  the first ``.exe`` that ends a word, the title is not part of it.  Nothing when no process has the module
  loaded.
* tasklist prints CSV rows ``"image","pid","modules"``, or ``INFO: No tasks are running which match the
  specified criteria.`` when none, and ``ERROR: ...`` for a switch it does not know.

Either answers None when the tool is not installed (``'tlist' is not recognized ...``), and raises
:class:`ParseError`, quoting the line, when the tool answered with a line this module cannot read: that is never
taken for a missing tool (issue 21).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass

from .common import ParseError, classify_error, split_lines

_TLIST_LINE = re.compile(r"^\s*(?:\S+\s+-\s+)?(\d+)\s+(\S.*?)\s*$")
#: The image name inside what follows the PID: up to the first ``.exe`` followed by a blank or the end (an
#: image name may hold spaces; the window title comes after it).
_TLIST_IMAGE = re.compile(r"^(\S.*?\.exe)(?=\s|$)", re.IGNORECASE)


@dataclass(frozen=True)
class Holder:
    pid: int
    image: str


def _missing(text: str) -> bool:
    return classify_error(text) == "name_not_recognized"


def parse_tlist_modules(text: str) -> list[Holder] | None:
    """Processes listed by ``tlist -m``; None when tlist is not there or answers with its usage text;
    ParseError for a line it cannot read."""
    if _missing(text):
        return None
    holders = []
    for line in split_lines(text):
        if not line.strip():
            continue
        m = _TLIST_LINE.match(line)
        if m is None and line.strip().lower().startswith("usage:"):
            return None  # a tlist without -m: it cannot name holders
        if m is None:  # tlist is there, but its answer cannot be read
            raise ParseError(f"could not read a line of 'tlist -m': {line.strip()[:300]!r}")
        rest = m.group(2)
        image = _TLIST_IMAGE.match(rest)
        holders.append(Holder(int(m.group(1)), image.group(1) if image else rest))
    return holders


def parse_tasklist_modules(text: str) -> list[Holder] | None:
    """Processes listed by ``tasklist /m <dll> /fo csv /nh``; None when tasklist is not there or refuses a switch
    (``ERROR: ...``); ParseError for a line it cannot read (a layout that is not its CSV)."""
    if _missing(text):
        return None
    holders = []
    for line in split_lines(text):
        stripped = line.strip()
        if not stripped or stripped.startswith("INFO:"):
            continue
        if stripped.startswith("ERROR:"):
            return None  # a switch this tasklist does not know: it cannot name holders
        row = next(csv.reader([stripped])) if stripped.startswith('"') else []
        if len(row) < 2 or not row[1].strip().isdigit():
            raise ParseError(f"could not read a line of 'tasklist /m': {stripped[:300]!r}")
        holders.append(Holder(int(row[1]), row[0].strip()))
    return holders

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parser for ``fc`` (file compare), binary ``/b`` and text mode, NT 4.0 and later wordings.

Facts relied on:

* fc prints ``Comparing files A and B`` then ``FC: no differences encountered`` for equal files.
* In binary mode each differing byte is a line ``<8 hex offset>: <hex> <hex>``; a size difference is
  ``FC: A longer than B``.  In text mode each difference opens a ``***** name`` block in each file and is
  closed by a bare ``*****``; ``Resync failed`` means the files differ too much to show.
* Any other ``FC:`` line is an error (``FC: cannot open X - No such file or folder``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import classify_error, split_lines

__all__ = [
    "FcResult",
    "parse_fc",
]


@dataclass
class FcResult:
    """``fc /b a b`` (or text-mode fc).

    ``identical``: True ("no differences encountered"), False (differing bytes, a longer file, text
    difference blocks or "Resync failed"), None (error or unrecognised output).  ``differences``: number of
    differing-byte lines (``00000010: 4D 5A``) or text difference blocks.  ``longer``: the file named in
    ``FC: X longer than Y``.  ``error``: the fc error line (``FC: cannot open X - No such file or folder``)
    with ``error_code`` from :func:`classify_error` or ``fc_error``.
    """

    identical: bool | None = None
    files: tuple[str, str] | None = None
    differences: int = 0
    longer: str | None = None
    error: str | None = None
    error_code: str | None = None


_FC_COMPARING = re.compile(r"^Comparing files (?P<a>.+?) and (?P<b>.+)$", re.I)
_FC_SAME = re.compile(r"^FC: no differences? encountered\.?$", re.I)
_FC_BYTE = re.compile(r"^[0-9A-Fa-f]{8}:\s+[0-9A-Fa-f]{2}\s+[0-9A-Fa-f]{2}$")
_FC_LONGER = re.compile(r"^FC: (?P<a>.+?) longer than (?P<b>.+?)\.?$", re.I)
_FC_RESYNC = re.compile(r"^(?:FC: )?Resync failed", re.I)


def parse_fc(text: str | bytes) -> FcResult:
    """Parse fc output (binary ``/b`` or text mode), NT 4 and later wordings."""
    res = FcResult()
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _FC_COMPARING.match(s):
            res.files = (m.group("a"), m.group("b"))
        elif _FC_SAME.match(s):
            res.identical = True
        elif _FC_BYTE.match(s):
            res.differences += 1
            res.identical = False
        elif m := _FC_LONGER.match(s):
            res.longer = m.group("a")
            res.identical = False
        elif _FC_RESYNC.match(s):
            res.identical = False
        elif s.startswith("*****") and s != "*****":
            res.differences += 1  # "***** name" opens a block in each file: two per difference
            res.identical = False
        elif s.upper().startswith("FC:") and res.error is None:
            res.error = s
            res.error_code = classify_error(s) or "fc_error"
            res.identical = None
    if res.error is None and res.differences and not any(_FC_BYTE.match(x.strip()) for x in split_lines(text)):
        res.differences //= 2
    return res

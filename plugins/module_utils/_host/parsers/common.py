# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared pieces of every parser: line splitting, section markers, exit-code ladders, error messages.

Facts relied on:

* The NT console writes OEM code page 437 and CRLF line ends; output read through a pipe may also arrive
  with LF or a lone CR, so every parser goes through :func:`split_lines`.
* Several commands run in one batched ``cmd /c`` line are told apart by ``echo @@<label>`` marker lines
  (``cmdline.marker``); their exit codes by ``if errorlevel N echo @@rc <label> N`` rungs
  (``cmdline.rc_ladder``): ``errorlevel N`` is true for any exit code >= N, so the highest rung printed
  is the exit code.  A prompt that did not end its line (``(Y/N) [N]: ``) may precede a marker.
* Windows system error messages (``Access is denied.``, the sharing violation text, ...) read the same in
  every tool that prints them, so one table classifies them for all parsers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from ...errors import IIS4Error

__all__ = [
    "ParseError",
    "Sections",
    "classify_error",
    "ladder_rc",
    "parse_rc_ladder",
    "section",
    "split_lines",
    "split_sections",
]


class ParseError(IIS4Error, ValueError):
    """Output that does not have the expected shape at all."""

    kind = "parse"


# ------------------------------------------------------------------------------------------- basics


def split_lines(text: str | bytes) -> list[str]:
    """Lines of ``text`` with CRLF / LF / CR line ends and trailing whitespace removed.

    ``bytes`` are decoded as code page 437, the NT console's OEM code page.
    """
    if isinstance(text, bytes):
        text = text.decode("cp437", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# ------------------------------------------------------------------------------------------- markers

_LABEL = r"[A-Za-z0-9_.-]{1,64}"
# At the start of a line, or after a prompt that ended without a newline ("[N]: ", "(Yes/No/All): ").
_AFTER_PROMPT = r"(?:^|(?<=:)|(?<=: ))"
_MARKER_RE = re.compile(_AFTER_PROMPT + r"@@(" + _LABEL + r")$")
_RC_RE = re.compile(_AFTER_PROMPT + r"@@rc (" + _LABEL + r") (-?\d+)$")


def split_sections(text: str | bytes) -> dict[str, str]:
    """Cut batched output at marker lines ``@@<label>`` (written by ``cmdline.marker``).

    Returns ``{label: text}`` with the lines after each marker up to the next one, joined with ``\\n``.
    Text before the first marker is under the key ``""`` (only present when non-blank).  Exit-code lines
    ``@@rc <label> <n>`` are removed from the sections (read them with :func:`parse_rc_ladder`).  A marker
    is also recognised right after a prompt that lacked a final newline (``(Y/N) [N]: @@next``); the prompt
    stays in the previous section.  A label seen twice has its parts joined.
    """
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in split_lines(text):
        m = _RC_RE.search(line)
        if m:
            before = line[: m.start()].rstrip()
            if before:
                sections[current].append(before)
            continue
        m = _MARKER_RE.search(line)
        if m and m.group(1) != "rc":
            before = line[: m.start()].rstrip()
            if before:
                sections[current].append(before)
            current = m.group(1)
            sections.setdefault(current, [])
            continue
        sections[current].append(line)
    result = {label: "\n".join(lines) for label, lines in sections.items()}
    if not result[""].strip():
        del result[""]
    return result


def parse_rc_ladder(text: str | bytes) -> dict[str, int]:
    """Exit codes from ``@@rc <label> <n>`` lines: the highest ``n`` seen per label.

    A label that printed no rung is absent from the result: its exit code was 0 (below the first rung),
    or the command never ran; callers that must tell these apart put a marker before the ladder.  ``-1``
    means a negative exit code (``if not errorlevel 0``).
    """
    codes: dict[str, int] = {}
    for line in split_lines(text):
        m = _RC_RE.search(line)
        if m:
            label, value = m.group(1), int(m.group(2))
            codes[label] = max(codes.get(label, value), value)
    return codes


def section(sections: Mapping[str, str], label: str) -> str:
    """The text under ``@@<label>`` ("" when the marker never printed)."""
    return sections.get(label, "")


def ladder_rc(output: str, sections: Mapping[str, str], label: str) -> int | None:
    """Exit code reported by ``rc_ladder(label)``; None when the section's marker never printed."""
    if label not in sections:
        return None
    return parse_rc_ladder(output).get(label, 0)


@dataclass(frozen=True)
class Sections:
    """One command line's output, cut at its markers and read for its exit codes once."""

    text: str
    sections: Mapping[str, str] = field(hash=False)
    rcs: Mapping[str, int] = field(hash=False)

    @classmethod
    def parse(cls, text: str) -> Sections:
        return cls(text, MappingProxyType(split_sections(text)), MappingProxyType(parse_rc_ladder(text)))

    def __getitem__(self, label: str) -> str:
        return self.sections.get(label, "")

    def __contains__(self, label: object) -> bool:
        return label in self.sections

    def rc(self, label: str) -> int | None:
        """The exit code of ``rc_ladder(label)``: None when its section's marker never printed, else 0 below
        the first rung."""
        return None if label not in self.sections else self.rcs.get(label, 0)

    def printed(self, flag: str) -> bool:
        """``flag`` (a ``##word`` the host echoes) appears anywhere in the output."""
        return flag in self.text

    @property
    def labels(self) -> list[str]:
        """The markers that printed, in order (the text before the first one not counted)."""
        return [label for label in self.sections if label]


# ------------------------------------------------------------------------------------------- errors

# (substring of the lower-cased message, code); first matching line wins, table order breaks ties.
_ERROR_TABLE: tuple[tuple[str, str], ...] = (
    ("being used by another process", "sharing_violation"),
    ("another process has locked a portion", "sharing_violation"),
    ("access is denied", "access_denied"),
    ("not enough space on the disk", "disk_full"),
    ("the disk is full", "disk_full"),
    ("cannot find the path specified", "path_not_found"),
    ("network path was not found", "path_not_found"),
    ("network name cannot be found", "path_not_found"),
    ("cannot find the file specified", "not_found"),
    ("could not find ", "not_found"),
    ("file not found", "not_found"),
    ("no such file or", "not_found"),
    ("is not recognized as an internal or external command", "name_not_recognized"),
    # NT 4.0 cmd.exe wraps its message after "as an": the first line alone must be recognised.
    ("the name specified is not recognized as an", "name_not_recognized"),
    ("the service name is invalid", "invalid_service"),
    ("does not exist as an installed service", "invalid_service"),
    ("a duplicate file name exists, or the file cannot be found", "duplicate_or_not_found"),
    ("cannot create a file when that file already exists", "already_exists"),
    ("cannot be copied onto itself", "same_file"),
    ("directory name, or volume label syntax is incorrect", "invalid_name"),
    ("syntax of the command is incorrect", "syntax_error"),
    ("the device is not ready", "not_ready"),
)


def classify_error(text: str | bytes) -> str | None:
    """Map a Windows error message in ``text`` to a short code, or ``None`` if there is none.

    Codes: ``sharing_violation`` (error 32/33: file in use, e.g. a DLL loaded by inetinfo.exe or mtx.exe),
    ``access_denied`` (5), ``disk_full`` (112), ``not_found`` (2, ``Could Not Find``, ``File Not Found``,
    fc's ``No such file``), ``path_not_found`` (3, 53, 67), ``name_not_recognized`` (a program that is not
    installed, e.g. sc.exe on a host without the Resource Kit), ``invalid_service`` (NET HELPMSG 2185, sc
    1060), ``duplicate_or_not_found`` (``ren``'s ambiguous message), ``already_exists`` (183),
    ``same_file``, ``invalid_name`` (123), ``syntax_error``, ``not_ready`` (21).  The first line that
    matches decides.
    """
    for line in split_lines(text):
        low = " ".join(line.lower().split())
        if not low:
            continue
        for needle, code in _ERROR_TABLE:
            if needle in low:
                return code
    return None

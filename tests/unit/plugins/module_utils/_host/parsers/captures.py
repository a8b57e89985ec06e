# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers shared by the parser tests: read a capture, cut a console transcript, vary line ends.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
Every text can also be tried with CRLF and with LF line ends (:func:`variants`).
"""

from __future__ import annotations

import re
from pathlib import Path

CAPTURES = Path(__file__).resolve().parents[5] / "conformance" / "captures"
PROMPT = re.compile(r"^(?:PS )?[A-Za-z]:\\[^>]*> ?(?P<cmd>.*)$")


def capture(rel: str, prefix: str = "") -> str:
    """A capture file as text, with a per-line comment prefix ('#', '//') removed."""
    text = (CAPTURES / rel).read_bytes().decode("cp437")
    if prefix:
        text = "\n".join(line[len(prefix) :] if line.startswith(prefix) else line for line in text.split("\n"))
    return text


def transcript(text: str) -> list[tuple[str, str]]:
    """Split a console transcript at prompt lines into (command, output); an echoed command line is dropped."""
    chunks: list[tuple[str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        m = PROMPT.match(line)
        if m:
            chunks.append((m.group("cmd").strip(), []))
        elif chunks:
            if not chunks[-1][1] and line.strip() == chunks[-1][0]:
                continue  # the remote shell echoed the command
            chunks[-1][1].append(line)
        else:
            chunks.append(("", [line]))
    return [(cmd, "\n".join(lines)) for cmd, lines in chunks]


def output_of(rel: str, command_start: str = "", prefix: str = "") -> str:
    """Output of the first command in a capture whose command line starts with ``command_start``."""
    for cmd, out in transcript(capture(rel, prefix)):
        if cmd and cmd.startswith(command_start):
            return out
    raise AssertionError(f"no {command_start!r} command in {rel}")


def variants(text: str) -> list[str]:
    """The same output with LF, CRLF, and extra blank lines before and after."""
    lf = text.replace("\r\n", "\n")
    crlf = lf.replace("\n", "\r\n")
    return [lf, crlf, "\n\n" + lf + "\n\n", "\r\n" + crlf + "\r\n\r\n"]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Command parts to the command lines sent to the host (pure).

A step is a list of parts (single commands).  Two ways to send them:

* packed: joined with ``&`` into as few lines as fit the host's limit (2047 characters on NT 4.0), each
  line starting with ``cd /d <dest folder>`` when the parts use names relative to it.  For steps that are
  safe to run twice (gather, stage, recovery);
* sequence: the parts of ONE outage as one line, so the host runs them all even if the controller goes away.
  When they do not fit, they are written to a batch file beside dest first (a few ``echo`` lines per round
  trip, from its first line again if a write is lost) and the batch file is run once: ``call`` + ``del``.
"""

from __future__ import annotations

from .cmdline import build_command, echo_to_file, join_commands, pack_commands, quote_arg


def cd_prefix(folder: str | None) -> list[str]:
    """``cd /d "folder"`` (as a list, empty without a folder)."""
    return [build_command("cd", "/d", quote_arg(folder))] if folder else []


def packed_lines(parts: list[str], limit: int, folder: str | None = None) -> list[str]:
    """``parts`` packed into lines within ``limit``, each first changing to ``folder`` when given."""
    prefix = cd_prefix(folder)
    room = limit - (len(prefix[0]) + 1 if prefix else 0)
    return [join_commands([*prefix, line]) for line in pack_commands(parts, room)]


def one_line(parts: list[str], folder: str | None = None) -> str:
    return join_commands([*cd_prefix(folder), *parts])


def fits_one_line(parts: list[str], limit: int, folder: str | None = None) -> bool:
    return len(one_line(parts, folder)) <= limit


def batch_writes(parts: list[str], batch: str) -> list[str]:
    """The commands that write ``parts`` to the batch file ``batch`` (a relative or absolute path)."""
    quoted = quote_arg(batch)
    writes = [f"(if exist {quoted} del {quoted})", echo_to_file("@echo off", quoted)]
    return writes + [echo_to_file(part, quoted) for part in parts]


def batch_call(batch: str) -> list[str]:
    """Run the batch file once and delete it."""
    quoted = quote_arg(batch)
    return [f"call {quoted}", f"del {quoted}"]


def sequence_lines(parts: list[str], limit: int, folder: str, batch: str) -> list[str]:
    """Every line a sequence costs: itself, or the batch file's writes and then its call."""
    if fits_one_line(parts, limit, folder):
        return [one_line(parts, folder)]
    return [*packed_lines(batch_writes(parts, batch), limit, folder), one_line(batch_call(batch), folder)]

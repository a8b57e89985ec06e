# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small line builders on top of :mod:`cmdline`: where a command's output goes, section markers, waits, compares.

A ``sink`` is where a command's output goes: ``2>&1`` (to the client, through WinRS) or ``>>"log" 2>&1``
(to the outage log beside dest, see ``_release.service_restart``).  ``log`` arguments are the quoted log path or None.
"""

from __future__ import annotations

from .cmdline import (
    MERGE_STDERR,
    build_command,
    echo_to_file,
    exists,
    guarded,
    join_commands,
    marker,
    quote_arg,
    rc_ladder,
    redirect,
    touch,
)

q = quote_arg

#: Discards a command's output and keeps only its exit code.
QUIET = ">nul 2>&1"


#: ``log`` value for commands inside a block whose output is redirected as a whole: no redirection of their own.
IN_BLOCK = ""


def sink(log: str | None) -> str:
    """Where output goes: to the client (``2>&1``), appended to the host-side ``log``, or nowhere of its own
    (``IN_BLOCK``: the enclosing block is redirected)."""
    if log == IN_BLOCK:
        return ""
    return MERGE_STDERR if log is None else f">>{log} {MERGE_STDERR}"


def mark(label: str, log: str | None = None) -> str:
    """A section marker on stdout (also inside a redirected block), or appended to the host-side ``log``."""
    return marker(label) if not log else echo_to_file(f"@@{label}", log)


def block(parts: list[str], log: str) -> str:
    """``(a&b&c) >>"log" 2>&1``: one redirection for many commands (a shorter line than one each)."""
    return f"({join_commands(parts)}) {sink(log)}"


def echo_if_exists(path: str, text: str) -> str:
    """``(if exist "path" echo text)``: says whether a file is there."""
    return guarded(f"echo {text}", exists(q(path)))


def delete_if_exists(path: str, *also: str) -> str:
    """Delete ``path`` if it (and every file in ``also``) exists; errors go to the client."""
    return redirect(guarded(build_command("del", q(path)), exists(q(path)), *(exists(q(a)) for a in also)))


def pause(seconds: int) -> str:
    """Wait about ``seconds`` on the host: ``ping`` sends its echo requests a second apart, and NT 4.0, 2000 and
    XP have no ``timeout`` command (Vista on) nor ``sleep`` (Resource Kit only), so a batch line pings the
    loopback address once more than the seconds to wait (Stack Overflow 166044, "Sleeping in a batch file")."""
    return f"{build_command('ping', '-n', str(seconds + 1), '127.0.0.1')} {QUIET}"


def compare(a: str, b: str, label: str | None = None) -> list[str]:
    """``fc /b a b`` with its exit code only (fc lists every differing byte); ``label`` reads the exit code."""
    parts = [f"{build_command('fc', '/b', q(a), q(b))} {QUIET}"]
    return parts + ([rc_ladder(label, 2)] if label else [])


def group_touch(path: str) -> str:
    """``(type nul>>"path")``: :func:`cmdline.touch` as a group, so a redirection after it covers it."""
    return f"({touch(q(path))})"

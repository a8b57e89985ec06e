"""``ping.exe``: on every NT with TCP/IP, and the only way a cmd.exe line of NT 4.0 / 2000 / XP can wait.

Those versions have no ``timeout`` command (Vista and later) and ``sleep.exe`` only with the Resource Kit, so a
batch file that must pause pings the loopback address: ``ping -n 3 127.0.0.1 >nul`` sends three echo requests a
second apart and so takes about two seconds ("Sleeping in a batch file", Stack Overflow question 166044;
``-n <count>``: the number of echo requests, default 4, in Microsoft's ``ping`` command reference).

The lab answers from the loopback address only and waits one real second between requests (``Timing`` does not
scale it: the processes it waits for exit in real seconds too).  The reply texts are the XP layout, a **choice**
(the module sends ping's output to nul).  A terminated command (Signal) ends the wait at once.
"""

from __future__ import annotations

from ..machine.proc_api import STATUS_CONTROL_C_EXIT, ProgramCall
from .winerror import CRLF

#: Seconds between two echo requests.
INTERVAL = 1.0


def _count(args: list[str]) -> int | None:
    """``-n <count>`` (default 4); None when the count is not a number."""
    for i, arg in enumerate(args):
        if arg.lower() in ("-n", "/n") and i + 1 < len(args):
            return int(args[i + 1]) if args[i + 1].isdigit() else None
    return 4


def _target(args: list[str]) -> str | None:
    skip = False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg.lower() in ("-n", "/n", "-w", "/w", "-l", "/l", "-i", "/i"):
            skip = True
            continue
        if not arg.startswith(("-", "/")):
            return arg
    return None


def ping_program(call: ProgramCall) -> int:
    count, target = _count(call.args), _target(call.args)
    out = call.io.out
    if count is None or count < 1:
        out(f"Bad value for option -n, valid range is from 1 to 4294967295.{CRLF}")
        return 1
    if target is None:
        out(f"IP address must be specified.{CRLF}")
        return 1
    if target not in ("127.0.0.1", "localhost"):
        out(f"Ping request could not find host {target}. Please check the name and try again.{CRLF}")
        return 1
    out(f"{CRLF}Pinging 127.0.0.1 with 32 bytes of data:{CRLF}{CRLF}")
    for i in range(count):
        if i and call.io.cancelled.wait(INTERVAL):
            return STATUS_CONTROL_C_EXIT
        out(f"Reply from 127.0.0.1: bytes=32 time<1ms TTL=128{CRLF}")
    out(f"{CRLF}Ping statistics for 127.0.0.1:{CRLF}")
    out(f"    Packets: Sent = {count}, Received = {count}, Lost = 0 (0% loss),{CRLF}")
    out(f"Approximate round trip times in milli-seconds:{CRLF}")
    out(f"    Minimum = 0ms, Maximum = 0ms, Average = 0ms{CRLF}")
    return 0

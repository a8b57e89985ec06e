"""Who holds the DLL: ``tlist`` (Resource Kit / Support Tools) and ``tasklist`` (XP and later).

Both read the host's process table (inetinfo.exe, each application's mtx.exe, package processes, processes
outside IIS) and name a module the way the loader recorded it when the process loaded it: a loaded DLL renamed
afterwards is still listed under its old name.  Sources: IIS 5-7 facts "Who holds the DLL" (tasklist csv lines,
the INFO text); the tlist process-list layout from the TList documentation examples.  Choices
(``docs/dev/lab-machine.md``): ``tlist -m`` prints the list layout for the matching processes only, nothing
when none; tasklist's table layout and its stream for the INFO line (stdout).
"""

from __future__ import annotations

import fnmatch
import ntpath
from typing import Any

from ..machine.proc_api import ProgramCall
from .winerror import CRLF

NO_TASKS = "INFO: No tasks are running which match the specified criteria."
SYSTEM = [(0, "System Process"), (2, "System")]


#: Kinds whose Windows is 64-bit only (Windows Server 2008 R2 and later): their tasklist.exe is 64-bit.
X64_KINDS = ("w2k8r2", "w2k19")
#: What a 64-bit tasklist lists for a 32-bit (WOW64) process: its 64-bit modules only (review N2: a public
#: ``tasklist /M`` capture shows a 32-bit process with ``ntdll.dll``, ``wow64.dll``, ``wow64win.dll``,
#: ``wow64cpu.dll``; needs a capture of a 32-bit w3wp.exe with a VB6 DLL before it is taken as settled).
WOW64_MODULES = ["ntdll.dll", "wow64.dll", "wow64win.dll", "wow64cpu.dll"]


def wow64(machine: Any, proc: Any) -> bool:
    """A 32-bit process on a 64-bit kind: the w3wp.exe of a pool with ``enable_32bit``, the dllhost.exe of a COM+
    application with ``wow64``."""
    if getattr(machine.config, "kind", "nt4") not in X64_KINDS:
        return False
    if proc.pool:
        pool = machine.pool(proc.pool)
        return bool(pool is not None and pool.enable_32bit)
    if proc.package:
        package = machine.catalog.find(proc.package)
        return bool(package is not None and package.wow64)
    return False


def _modules(proc: Any, pattern: str | None, machine: Any = None) -> list[str]:
    if machine is not None and wow64(machine, proc):
        names = list(WOW64_MODULES)
    else:
        names = [ntpath.basename(img.path) for img in proc.images.values()]
    if pattern is None:
        return names
    return [n for n in names if fnmatch.fnmatch(n.lower(), pattern.lower())]


# Processes that create a window (COM servers get OLE's hidden main-thread window) and so show a title after the
# image name in tlist's list (TList documentation examples, e.g. ``OleMainThreadWndName``; facts file, section
# "Where real hosts differ from an IIS 4 picture").  ``HostConfig.tlist_titles`` False prints bare image names.
WINDOW_TITLES = {
    "inetinfo.exe": "OleMainThreadWndName",
    "mtx.exe": "OleMainThreadWndName",
    "dllhost.exe": "OleMainThreadWndName",
}


def _tlist_line(machine: Any, proc: Any) -> str:
    title = WINDOW_TITLES.get(proc.image.lower()) if getattr(machine.config, "tlist_titles", True) else None
    if not title:
        return f"{proc.pid:4d} {proc.image}{CRLF}"
    return f"{proc.pid:4d} {proc.image:<16} {title}{CRLF}"


def _processes(machine: Any) -> list[Any]:
    return sorted(machine.processes.all(), key=lambda p: p.pid)


def tlist_program(call: ProgramCall) -> int:
    args = call.args
    machine = call.machine
    if args and args[0].lower() in ("-m", "/m"):
        pattern = args[1] if len(args) > 1 else "*"
        for proc in _processes(machine):
            if _modules(proc, pattern):
                call.io.out(_tlist_line(machine, proc))
        return 0
    if args and args[0].lower() in ("-p", "/p") and len(args) > 1:
        want = args[1].lower()
        pid = next((p.pid for p in _processes(machine) if p.image.lower() in (want, want + ".exe")), -1)
        call.io.out(f"{pid}{CRLF}")
        return 0
    for pid, name in SYSTEM:
        call.io.out(f"{pid:4d} {name}{CRLF}")
    for proc in _processes(machine):
        call.io.out(_tlist_line(machine, proc))
    return 0


def tasklist_program(call: ProgramCall) -> int:
    args = list(call.args)
    fmt, header, module = "table", True, None
    with_modules = False
    i = 0
    while i < len(args):
        low = args[i].lower()
        if low == "/m":
            with_modules = True
            if i + 1 < len(args) and not args[i + 1].startswith("/"):
                module = args[i + 1]
                i += 1
        elif low == "/fo" and i + 1 < len(args):
            fmt = args[i + 1].lower()
            i += 1
        elif low == "/nh":
            header = False
        else:
            call.io.err(f"ERROR: Invalid argument/option - '{args[i]}'.{CRLF}")
            call.io.err(f'Type "TASKLIST /?" for usage.{CRLF}')
            return 1
        i += 1
    rows: list[tuple[str, str, str]] = []
    for proc in _processes(call.machine):
        mods = _modules(proc, module if with_modules else None, call.machine)
        if with_modules and module is not None and not mods:
            if _modules(proc, module):  # it has the DLL, but as a WOW64 process it is not shown
                call.machine.log.add(call.machine.config.name, "holders", tool="tasklist", hidden="wow64", pid=proc.pid)
            continue
        rows.append((proc.image, str(proc.pid), ", ".join(mods) or "N/A"))
    if not rows:
        call.io.out(NO_TASKS + CRLF)
        return 0
    if fmt == "csv":
        if header:
            call.io.out('"Image Name","PID","Modules"' + CRLF)
        for row in rows:
            call.io.out(",".join(f'"{v}"' for v in row) + CRLF)
        return 0
    if header:
        call.io.out(CRLF + f"{'Image Name':<25} {'PID':>8} Modules{CRLF}")
        call.io.out(f"{'=' * 25} {'=' * 8} {'=' * 44}{CRLF}")
    for image, pid, mods in rows:
        call.io.out(f"{image:<25} {pid:>8} {mods}{CRLF}")
    return 0

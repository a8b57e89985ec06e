"""``regsvr32.exe``: registers (or with ``/u`` unregisters) a lab DLL.

Exit codes 0 / 1 (bad command line) / 3 (LoadLibrary failed: missing file or not a DLL), from Raymond
Chen's list; ``Faults.regsvr32_fail`` forces one.  ``Faults.regsvr32_hang`` (issue 21): the DLL's
DllRegisterServer never returns, so regsvr32.exe stays with the DLL loaded (a process holding it) until the
command is cancelled/terminated (exit STATUS_CONTROL_C_EXIT) or the fault is cleared (then it finishes).  Nothing on
the host bounds it: regsvr32 has no timeout of its own.  A registration is recorded in ``machine.registrations``
and in the event log.  No dialog box: the lab is always silent.
"""

from __future__ import annotations

import ntpath
import time

from ..machine.dll import dll_name, dll_version, is_dll
from ..machine.proc_api import STATUS_CONTROL_C_EXIT, ProgramCall
from .paths import resolve


def regsvr32_program(call: ProgramCall) -> int:
    machine = call.machine
    unregister = False
    silent = False
    paths: list[str] = []
    for arg in call.args:
        low = arg.lower()
        if low in ("/s", "-s"):
            silent = True
        elif low in ("/u", "-u"):
            unregister = True
        elif low in ("/c", "-c", "/n", "-n") or low.startswith(("/i", "-i")):
            continue
        elif low.startswith("/"):
            return 1  # unrecognised flag: "bad command line"
        else:
            paths.append(arg)
    if len(paths) != 1:
        return 1
    full = resolve(paths[0], getattr(call, "cwd", "C:\\"))
    if not machine.fs.is_file(full) and not (len(paths[0]) > 1 and paths[0][1] == ":"):
        alt = ntpath.join(machine.config.system_root, "system32", paths[0])
        if machine.fs.is_file(alt):
            full = alt
    rc = 0
    data = b""
    try:
        data = machine.fs.read(full)
    except Exception:
        rc = 3  # LoadLibrary failed
    if rc == 0 and not is_dll(data):
        rc = 3
    if rc == 0 and machine.config.faults.regsvr32_hang and _hang(call, full):
        machine.log.add(machine.config.name, "regsvr32", path=full, unregister=unregister, hung=True)
        return STATUS_CONTROL_C_EXIT
    if rc == 0 and not machine.config.elevated:
        rc = 5  # DllRegisterServer cannot write HKEY_CLASSES_ROOT without an elevated token (review S10/S13)
    forced = machine.config.faults.regsvr32_fail
    if forced is not None:
        rc = int(forced)
        machine.log.add(machine.config.name, "fault", fault="regsvr32_fail", path=full, exit_code=rc)
    if rc == 0:
        with machine.lock:
            machine.registrations[full.lower()] = {
                "path": full,
                "name": dll_name(data),
                "version": dll_version(data),
                "registered": not unregister,
                "time": time.time(),
            }
    machine.log.add(machine.config.name, "regsvr32", path=full, unregister=unregister, silent=silent, rc=rc)
    return rc


def _hang(call: ProgramCall, path: str) -> bool:
    """DllRegisterServer hangs: regsvr32.exe holds the DLL until cancelled (True) or the fault is cleared (False)."""
    machine = call.machine
    proc = machine.processes.start_foreign("regsvr32.exe", path, None)
    machine.log.add(machine.config.name, "regsvr32", path=path, action="hang", pid=proc.pid)
    machine.log.add(machine.config.name, "fault", fault="regsvr32_hang", path=path)
    try:
        while machine.config.faults.regsvr32_hang:
            if call.io.cancelled is not None and call.io.cancelled.is_set():
                return True
            time.sleep(0.02)
        return False
    finally:
        machine.processes.end_foreign(proc)

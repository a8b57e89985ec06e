"""``regsvr32.exe``: registers (or with ``/u`` unregisters) a lab DLL.

Exit codes 0 / 1 (bad command line) / 3 (LoadLibrary failed: missing file or not a DLL), from Raymond
Chen's list; ``Faults.regsvr32_fail`` forces one.  A registration is recorded in ``machine.registrations``
and in the event log.  No dialog box: the lab is always silent.
"""

from __future__ import annotations

import ntpath
import time

from ..dll import dll_name, dll_version, is_dll
from ..proc_api import ProgramCall
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

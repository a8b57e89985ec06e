"""``sc.exe`` (from the Resource Kit; only on hosts with ``HostConfig.has_sc``): ``query``, ``queryex``, ``qc``.

XP-era layout (``[SC] GetServiceConfig SUCCESS``, controls without spaces); a missing service gives
``[SC] OpenService FAILED 1060:`` and exit code 1060.
"""

from __future__ import annotations

from typing import Any

from ..machine import scm as scm_mod
from ..machine.proc_api import ProgramCall
from .winerror import CRLF, system_text

_STATE_NAMES = {1: "STOPPED", 2: "START_PENDING", 3: "STOP_PENDING", 4: "RUNNING"}
_TYPE_NAMES = {0x1: "KERNEL_DRIVER", 0x10: "WIN32_OWN_PROCESS", 0x20: "WIN32_SHARE_PROCESS"}
_START_NAMES = {0: "BOOT_START", 1: "SYSTEM_START", 2: "AUTO_START", 3: "DEMAND_START", 4: "DISABLED"}


def _field(label: str, value: str) -> str:
    return f"        {label:<19}: {value}".rstrip() + CRLF


def _sc_status_block(svc: Any, typed: str) -> str:
    info = svc.info
    if svc.state == scm_mod.RUNNING:
        controls = "(STOPPABLE," if info.stoppable else "(NOT_STOPPABLE,"
        controls += "PAUSABLE," if info.pausable else "NOT_PAUSABLE,"
        controls += "ACCEPTS_SHUTDOWN)" if info.stoppable else "IGNORES_SHUTDOWN)"
    else:
        controls = "(NOT_STOPPABLE,NOT_PAUSABLE,IGNORES_SHUTDOWN)"
    code = svc.state_code
    text = f"SERVICE_NAME: {typed}{CRLF}"
    text += _field("TYPE", f"{info.type:x}  {_TYPE_NAMES.get(info.type, '')}")
    text += _field("STATE", f"{code}  {_STATE_NAMES[code]}")
    text += " " * 32 + controls + CRLF
    text += _field("WIN32_EXIT_CODE", f"{svc.win32_exit_code}  (0x{svc.win32_exit_code:x})")
    text += _field("SERVICE_EXIT_CODE", f"{svc.service_exit_code}  (0x{svc.service_exit_code:x})")
    text += _field("CHECKPOINT", f"0x{svc.checkpoint:x}")
    text += _field("WAIT_HINT", f"0x{svc.wait_hint_ms:x}")
    return text


def _sc_open_failed(io: Any, code: int = 1060) -> int:
    io.out(f"[SC] OpenService FAILED {code}:{CRLF}{CRLF}{system_text(code)}{CRLF}{CRLF}")
    return code


def sc_program(call: ProgramCall) -> int:
    io = call.io
    args = list(call.args)
    if args and args[0].startswith("\\\\"):
        args = args[1:]  # \\server: the lab only knows itself
    if not args:
        io.out(
            "DESCRIPTION:"
            + CRLF
            + "        SC is a command line program used for communicating with the"
            + CRLF
            + "        NT Service Controller and services."
            + CRLF
            + "USAGE:"
            + CRLF
            + "        sc <server> [command] [service name] <option1> <option2>..."
            + CRLF
        )
        return 0
    command = args[0].lower()
    machine = call.machine
    if command == "query" and len(args) == 1:
        text = ""
        for svc in machine.scm.services():
            if svc.state == scm_mod.STOPPED or svc.info.type == scm_mod.SERVICE_KERNEL_DRIVER:
                continue  # sc query's default is type= service
            text += CRLF + f"SERVICE_NAME: {svc.name}{CRLF}DISPLAY_NAME: {svc.display}{CRLF}"
            text += _sc_status_block(svc, svc.name).split(CRLF, 1)[1]
        io.out(text + CRLF)
        return 0
    if command in ("query", "queryex", "qc") and len(args) >= 2:
        typed = args[1]
        svc = machine.scm.get(typed)
        if svc is None:
            return _sc_open_failed(io)
        if command == "qc":
            info = svc.info
            text = f"[SC] GetServiceConfig SUCCESS{CRLF}{CRLF}SERVICE_NAME: {typed}{CRLF}"
            text += _field("TYPE", f"{info.type:x}  {_TYPE_NAMES.get(info.type, '')}")
            text += _field("START_TYPE", f"{info.start_type}   {_START_NAMES[info.start_type]}")
            text += _field("ERROR_CONTROL", "1   NORMAL")
            text += _field("BINARY_PATH_NAME", info.binary)
            text += _field("LOAD_ORDER_GROUP", "")
            text += _field("TAG", "0")
            text += _field("DISPLAY_NAME", info.display)
            deps = list(info.dependencies)
            text += _field("DEPENDENCIES", deps[0] if deps else "")
            for dep in deps[1:]:
                text += " " * 27 + f": {dep}{CRLF}"
            text += _field("SERVICE_START_NAME", info.start_name)
            io.out(text + CRLF)
            return 0
        text = CRLF + _sc_status_block(svc, typed)
        if command == "queryex":
            proc = machine.processes.inetinfo if svc.info.iis else None
            pid = proc.pid if proc is not None and svc.state != scm_mod.STOPPED else 0
            text += _field("PID", str(pid)) + _field("FLAGS", "")
        io.out(text + CRLF)
        return 0
    if command == "enumdepend" and len(args) >= 2:
        return _enumdepend(io, machine, args[1], args[2] if len(args) > 2 else None)
    io.out(f"[SC] Unrecognized command or missing service name: {' '.join(args)}{CRLF}")
    return 1


#: sc's default buffer for EnumDependentServices, in bytes.
ENUMDEPEND_DEFAULT_BUFFER = 1024


def _enumdepend(io: Any, machine: Any, typed: str, buffer: str | None) -> int:
    """``sc enumdepend <service> [bufsize]`` (facts 3.3): every dependant, stopped ones too, in the order
    EnumDependentServices returns them, the reverse of their start order.  The buffer a real call needs is
    modelled as an ENUM_SERVICE_STATUS (36 bytes) plus both names in UTF-16 per dependant (a choice)."""
    if machine.scm.get(typed) is None:
        return _sc_open_failed(io)
    deps = machine.scm.stop_order(machine.scm.dependants(typed, active_only=False))
    need = sum(36 + 2 * (len(d.name) + 1) + 2 * (len(d.display) + 1) for d in deps)
    size = int(buffer) if buffer and buffer.isdigit() else ENUMDEPEND_DEFAULT_BUFFER
    if size < need:
        io.out(f"[SC] EnumDependentServices FAILED 234:{CRLF}{CRLF}More data is available.{CRLF}{CRLF}")
        io.out(f"[SC] The buffer size needed is {need} bytes{CRLF}")
        return 234
    text = f"Enum: entriesRead = {len(deps)}{CRLF}"
    for svc in deps:
        block = _sc_status_block(svc, svc.name)
        head, rest = block.split(CRLF, 1)
        text += CRLF + head + CRLF + f"DISPLAY_NAME: {svc.display}{CRLF}" + rest
    io.out(text + CRLF)
    return 0

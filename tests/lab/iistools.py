"""The IIS-related programs of the lab host: ``net``, ``sc``, ``cscript`` (running adsutil.vbs) and ``regsvr32``.

Each program is a callable taking a ``ProgramCall`` (see ``tests/lab/cmd.py``) and returning the exit code.
Text goes through ``call.io.out`` (stdout) and ``call.io.err`` (stderr) with CRLF line ends.

Sources for every text and exit code are in the facts file (sections 2-6); the choices made where the facts
say "unconfirmed" are listed in ``docs/dev/lab-machine.md``.  Briefly:

* ``net``: message templates from the NT net message table; success on stdout, errors on stderr, exit code 2
  on every error.  ``net stop`` lists running dependants (three-space indent, by display name), asks
  ``Do you want to continue this operation? (Y/N) [N]:`` unless ``/y``; with no answer at all (EOF) it
  prints ``No valid response was provided.`` and fails.  One dot per ``Timing.net_poll`` while pending; gives
  up after ``Timing.net_give_up`` with ``could not be stopped``.
* ``sc query`` / ``sc qc``: XP-era layout (``[SC] GetServiceConfig SUCCESS``, controls without spaces); a
  missing service gives ``[SC] OpenService FAILED 1060:`` and exit code 1060.
* ``cscript``: the Windows Scripting Host 1.0 banner of the NT 4.0 Option Pack unless ``//nologo``; runs
  adsutil.vbs when the script path is ``HostConfig.adsutil_path`` (case-insensitive).
* adsutil.vbs: behaviour and messages of the Microsoft sample script (GET, SET, ENUM, ENUM /P, ENUM_ALL,
  DELETE, CREATE, FIND, APP*); errors on stdout, exit code = the HRESULT (negative) or 2.
* ``regsvr32``: exit codes 0/1/3 (Raymond Chen's list), ``Faults.regsvr32_fail`` overrides.
"""

from __future__ import annotations

import ntpath
import time
from collections.abc import Callable
from typing import Any

from . import scm as scm_mod
from .dll import dll_name, dll_version, is_dll
from .metabase import (
    BOOLEAN,
    E_ADS_BAD_PATHNAME,
    E_ADS_PROPERTY_NOT_FOUND,
    E_ADS_PROPERTY_NOT_SET,
    E_PATH_NOT_FOUND,
    EXPANDSZ,
    INTEGER,
    LIST,
    STRING,
    Key,
    Metabase,
    PropDef,
)

CRLF = "\r\n"
STATUS_CONTROL_C_EXIT = -1073741510  # 0xC000013A

# --------------------------------------------------------------------------------------------------
# net.exe

NET_HEADER_NT4 = "These Windows NT services are started:"

SYSTEM_MESSAGES = {
    2: "The system cannot find the file specified.",
    3: "The system cannot find the path specified.",
    5: "Access is denied.",
    1051: "A stop control has been sent to a service which other running services are dependent on.",
    1053: "The service did not respond to the start or control request in a timely fashion.",
    1056: "An instance of the service is already running.",
    1058: "The specified service is disabled and cannot be started.",
    1060: "The specified service does not exist as an installed service.",
    1061: "The service cannot accept control messages at this time.",
    1062: "The service has not been started.",
    1066: "The service has returned a service-specific error code.",
    1067: "The process terminated unexpectedly.",
    1068: "The dependency service or group failed to start.",
    1069: "The service did not start due to a logon failure.",
}


def _system_text(code: int) -> str:
    return SYSTEM_MESSAGES.get(code, f"System error {code} has occurred.")


class _Net:
    def __init__(self, call: Any) -> None:
        self.call = call
        self.io = call.io
        self.machine = call.machine
        self.scm = call.machine.scm
        self.timing = call.machine.config.timing

    def out(self, text: str) -> None:
        self.io.out(text)

    def err(self, text: str) -> None:
        self.io.err(text)

    def error(self, message: str, helpmsg: int | None) -> int:
        text = message + CRLF + CRLF
        if helpmsg is not None:
            text += f"More help is available by typing NET HELPMSG {helpmsg}.{CRLF}{CRLF}"
        self.err(text)
        return 2

    def system_error(self, code: int) -> int:
        self.err(f"System error {code} has occurred.{CRLF}{CRLF}{_system_text(code)}{CRLF}{CRLF}")
        return 2

    def cancelled(self) -> bool:
        ev = getattr(self.io, "cancelled", None)
        return bool(ev is not None and ev.is_set())

    # ------------------------------------------------------------------------------------------------

    def run(self) -> int:
        args = list(self.call.args)
        if not args:
            return self.usage()
        verb = args[0].upper()
        rest = args[1:]
        options = [a for a in rest if a.startswith("/")]
        names = [a for a in rest if not a.startswith("/")]
        if verb == "START":
            if not names:
                return self.list_started()
            if len(names) > 1:
                return self.syntax("START")
            return self.start(names[0])
        if verb == "STOP":
            if len(names) != 1:
                return self.syntax("STOP")
            answer = None
            for opt in options:
                low = opt.lower()
                if low in ("/y", "/yes"):
                    answer = True
                elif low in ("/n", "/no"):
                    answer = False
            return self.stop(names[0], answer)
        return self.usage()

    def usage(self) -> int:
        self.err(
            "The syntax of this command is:"
            + CRLF
            + CRLF
            + CRLF
            + "NET [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |"
            + CRLF
            + "      HELPMSG | LOCALGROUP | NAME | PAUSE | PRINT | SEND | SESSION |"
            + CRLF
            + "      SHARE | START | STATISTICS | STOP | TIME | USE | USER | VIEW ]"
            + CRLF
            + CRLF
        )
        return 1

    def syntax(self, verb: str) -> int:
        self.err(f"The syntax of this command is:{CRLF}{CRLF}{CRLF}NET {verb}{CRLF}[service]{CRLF}{CRLF}")
        return 1

    def list_started(self) -> int:
        names = sorted(
            (s.display for s in self.scm.services() if s.state != scm_mod.STOPPED),
            key=str.lower,
        )
        lines = [NET_HEADER_NT4, ""] + [f"   {n}" for n in names] + ["", "The command completed successfully.", ""]
        self.out(CRLF.join(lines) + CRLF)
        return 0

    def lookup(self, name: str) -> Any:
        # KB Q236166: NT 4.0 net takes the key name (case-insensitive), not the display name.
        return self.scm.get(name.strip())

    # ------------------------------------------------------------------------------------------------

    def wait(self, svc: Any, pending: str, give_up: float | None) -> str | None:
        """Print a dot per poll while ``svc`` is in ``pending``; the final state, or None on give-up/cancel."""
        started = time.monotonic()
        while True:
            self.out(".")
            state = self.scm.state(svc.name)
            if state != pending:
                return state
            if give_up is not None and time.monotonic() - started >= give_up:
                return None
            if self.cancelled():
                return None
            time.sleep(self.timing.net_poll)

    def start(self, name: str) -> int:
        svc = self.lookup(name)
        if svc is None:
            return self.error("The service name is invalid.", 2185)
        if svc.state == scm_mod.RUNNING:
            return self.error("The requested service has already been started.", 2182)
        if svc.state != scm_mod.STOPPED:
            self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
            return 2
        try:
            self.scm.start(svc.name, getattr(self.io, "cancelled", None))
        except scm_mod.ServiceError as exc:
            if exc.winerror == scm_mod.ERROR_SERVICE_ALREADY_RUNNING:
                return self.error("The requested service has already been started.", 2182)
            return self.system_error(exc.winerror)
        self.out(f"The {svc.display} service is starting")
        state = self.wait(svc, scm_mod.START_PENDING, None)
        self.out(CRLF)
        if state is None:
            return STATUS_CONTROL_C_EXIT
        if state == scm_mod.RUNNING:
            self.out(f"The {svc.display} service was started successfully.{CRLF}{CRLF}")
            return 0
        text = f"The {svc.display} service could not be started.{CRLF}{CRLF}"
        fresh = self.scm.get(svc.name)
        if fresh.win32_exit_code == scm_mod.ERROR_SERVICE_SPECIFIC_ERROR:
            text += f"A service specific error occurred: {fresh.service_exit_code}.{CRLF}{CRLF}"
            text += f"More help is available by typing NET HELPMSG 3547.{CRLF}{CRLF}"
        elif fresh.win32_exit_code:
            code = fresh.win32_exit_code
            text += f"System error {code} has occurred.{CRLF}{CRLF}{_system_text(code)}{CRLF}{CRLF}"
        else:
            text += f"The service did not report an error.{CRLF}{CRLF}"
            text += f"More help is available by typing NET HELPMSG 3534.{CRLF}{CRLF}"
        self.err(text)
        return 2

    def stop(self, name: str, answer: bool | None) -> int:
        svc = self.lookup(name)
        if svc is None:
            return self.error("The service name is invalid.", 2185)
        if svc.state == scm_mod.STOPPED:
            return self.error(f"The {svc.display} service is not started.", 3521)
        if svc.state != scm_mod.RUNNING:
            self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
            return 2
        if not svc.info.stoppable:
            return self.error("The requested pause or stop is not valid for this service.", 2191)
        dependants = self.scm.dependants(svc.name)
        if dependants:
            listing = (
                f"The following services are dependent on the {svc.display} service.{CRLF}"
                f"Stopping the {svc.display} service will also stop these services.{CRLF}{CRLF}"
                + "".join(f"   {d.display}{CRLF}" for d in dependants)
                + CRLF
            )
            self.out(listing)
            if answer is None:
                self.out("Do you want to continue this operation? (Y/N) [N]: ")
                reply = self.io.read_stdin()
                self.out(CRLF)
                if reply == "":
                    # EOF: nobody can answer (a non-interactive session).
                    self.err(f"No valid response was provided.{CRLF}{CRLF}")
                    return 2
                answer = reply.strip().upper() in ("Y", "YES")
            if not answer:
                return 2
            for dep in dependants:
                if self.scm.state(dep.name) == scm_mod.STOPPED:
                    continue
                rc = self.stop_one(dep)
                if rc:
                    return rc
        return self.stop_one(svc)

    def stop_one(self, svc: Any) -> int:
        try:
            self.scm.stop(svc.name)
        except scm_mod.ServiceError as exc:
            if exc.winerror == scm_mod.ERROR_SERVICE_NOT_ACTIVE:
                return self.error(f"The {svc.display} service is not started.", 3521)
            if exc.winerror == scm_mod.ERROR_SERVICE_CANNOT_ACCEPT_CTRL:
                self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
                return 2
            return self.system_error(exc.winerror)
        self.out(f"The {svc.display} service is stopping")
        state = self.wait(svc, scm_mod.STOP_PENDING, self.timing.net_give_up)
        self.out(CRLF)
        if state == scm_mod.STOPPED:
            self.out(f"The {svc.display} service was stopped successfully.{CRLF}{CRLF}")
            return 0
        if self.cancelled():
            return STATUS_CONTROL_C_EXIT
        self.err(f"The {svc.display} service could not be stopped.{CRLF}{CRLF}")
        return 2


def net_program(call: Any) -> int:
    return _Net(call).run()


# --------------------------------------------------------------------------------------------------
# sc.exe

_STATE_NAMES = {1: "STOPPED", 2: "START_PENDING", 3: "STOP_PENDING", 4: "RUNNING"}
_TYPE_NAMES = {0x10: "WIN32_OWN_PROCESS", 0x20: "WIN32_SHARE_PROCESS"}
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
    io.out(f"[SC] OpenService FAILED {code}:{CRLF}{CRLF}{_system_text(code)}{CRLF}{CRLF}")
    return code


def sc_program(call: Any) -> int:
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
            if svc.state == scm_mod.STOPPED:
                continue
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
    io.out(f"[SC] Unrecognized command or missing service name: {' '.join(args)}{CRLF}")
    return 1


# --------------------------------------------------------------------------------------------------
# cscript.exe

WSH_BANNER = (
    "Microsoft (R) Windows Scripting Host Version 5.0 for Windows"
    + CRLF
    + "Copyright (C) Microsoft Corporation 1996-1997. All rights reserved."
    + CRLF
    + CRLF
)


def _resolve(path: str, cwd: str) -> str:
    path = path.strip().strip('"')
    if not (len(path) >= 2 and path[1] == ":") and not path.startswith("\\\\"):
        if path.startswith("\\"):
            path = (cwd[:2] if len(cwd) >= 2 else "C:") + path
        else:
            path = ntpath.join(cwd or "C:\\", path)
    return ntpath.normpath(path)


def cscript_program(call: Any) -> int:
    io = call.io
    machine = call.machine
    nologo = False
    script: str | None = None
    script_args: list[str] = []
    for arg in call.args:
        if script is None and arg.startswith("//"):
            if arg.lower() in ("//nologo", "//b"):
                nologo = True
            continue
        if script is None:
            script = arg
        else:
            script_args.append(arg)
    if not nologo:
        io.out(WSH_BANNER)
    if script is None:
        io.out(
            "Usage: CScript scriptname.extension [option...] [arguments...]"
            + CRLF
            + CRLF
            + "Options:"
            + CRLF
            + " //B         Batch mode: Suppresses script errors and prompts from displaying"
            + CRLF
            + " //Nologo    Prevent logo display: No banner will be shown at execution time"
            + CRLF
        )
        return 1
    full = _resolve(script, getattr(call, "cwd", "C:\\"))
    if not machine.fs.is_file(full):
        io.err(f'Input Error: Can not find script file "{full}".{CRLF}')
        return 1
    if full.lower() == ntpath.normpath(machine.config.adsutil_path).lower():
        return Adsutil(machine, io).run(script_args)
    return 0  # some other script: the lab has no VBScript engine; it "runs" and does nothing


# --------------------------------------------------------------------------------------------------
# adsutil.vbs

SPACER = 32
GENERAL_FAILURE = 2

_ERROR_TEXT = {
    E_PATH_NOT_FOUND: "The path requested could not be found.",
    -2147024891: "Access is denied for the requested path or property.",
    -2147024748: "The requested path is being used by another application.",
}


def _hex32(n: int) -> str:
    return f"{n & 0xFFFFFFFF:X}"


def _sanitize(path: str) -> str:
    path = path.strip(" ").replace("\\", "/")
    if path.startswith("/"):
        path = path[1:]
    if path.endswith("/"):
        path = path[:-1]
    return path


def _split_param(path: str) -> tuple[str, str]:
    """(node path, last segment) the way the script's SplitParam does it."""
    idx = path.rfind("/")
    if idx == -1 or idx == len(path) - 1:
        return "", path
    return path[:idx], path[idx + 1 :]


def _vb(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


class _Quit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class Adsutil:
    """The adsutil.vbs sample script, re-implemented against the lab metabase."""

    def __init__(self, machine: Any, io: Any) -> None:
        self.machine = machine
        self.io = io
        self.mb: Metabase = machine.metabase
        self.style = getattr(machine.config, "adsutil_style", "iis5")
        self.server = "localhost"

    def echo(self, text: str = "") -> None:
        self.io.out(text + CRLF)

    def report(self, hresult: int, description: str | None = None) -> None:
        if description is None:
            description = _ERROR_TEXT.get(hresult, "")
        self.echo(description)
        self.echo(f"ErrNumber: {hresult} (0x{_hex32(hresult)})")

    def fail(self, hresult: int, line: str, description: str | None = None, blank_first: bool = False) -> None:
        if blank_first:
            self.echo()
        self.report(hresult, description)
        self.echo(line)
        raise _Quit(hresult)

    # ------------------------------------------------------------------------------------------------

    def run(self, argv: list[str]) -> int:
        args: list[str] = []
        for a in argv:
            if a[:3].lower() == "-s:":
                self.server = a[3:]
            else:
                args.append(a)
        if not args:
            self.help()
            return GENERAL_FAILURE
        self.args = args
        command = args[0].upper()
        table: dict[str, Callable[[], int]] = {
            "GET": self.get,
            "SET": self.set,
            "ENUM": lambda: self.enum(False),
            "DELETE": self.delete,
            "CREATE": lambda: self.create("IIsObject"),
            "CREATE_VDIR": lambda: self.create("IIsWebVirtualDir"),
            "CREATE_VSERV": lambda: self.create("IIsWebServer"),
            "FIND": self.find,
            "APPCREATEINPROC": lambda: self.app_create(False),
            "APPCREATEOUTPROC": lambda: self.app_create(True),
            "APPDELETE": self.app_delete,
            "APPUNLOAD": self.app_unload,
            "APPGETSTATUS": self.app_status,
        }
        if self.machine.config.adsutil_enum_all:
            table["ENUM_ALL"] = lambda: self.enum(True)
            table["ENUMALL"] = lambda: self.enum(True)
        handler = table.get(command)
        try:
            with self.machine.lock:
                if handler is None:
                    self.echo(f"Command not recognized: {args[0]}")
                    self.echo('For help, just type "Cscript.exe adsutil.vbs".')
                    return GENERAL_FAILURE
                return handler()
        except _Quit as q:
            return q.code

    def help(self) -> None:
        for line in (
            "",
            "Usage:",
            "      ADSUTIL.VBS <cmd> [<path> [<value>]]",
            "",
            "Description:",
            "IIS K2 administration utility that enables the manipulation with ADSI parameters",
            "",
            "Supported Commands:",
            "  GET, SET, ENUM, DELETE, CREATE, COPY, ",
            "  APPCREATEINPROC, APPCREATEOUTPROC, APPDELETE, APPUNLOAD, APPGETSTATUS ",
            "",
            "Samples:",
            "  adsutil.vbs GET W3SVC/1/ServerBindings",
            '  adsutil.vbs SET W3SVC/1/ServerBindings ":81:"',
            '  adsutil.vbs CREATE W3SVC/1/Root/MyVdir "IIsWebVirtualDir"',
            "  adsutil.vbs START_SERVER W3SVC/1",
            "  adsutil.vbs ENUM /P W3SVC",
        ):
            self.echo(line)

    def need(self, count: int, name: str, exact: bool = True) -> None:
        n = len(self.args)
        if (exact and n != count) or (not exact and n < count):
            self.echo(f"Error: Wrong number of Args for the {name} command")
            raise _Quit(GENERAL_FAILURE)

    def key(self, path: str) -> Key | None:
        return self.mb.resolve(path)

    # ------------------------------------------------------------------------------------------------
    # formatting

    def line(self, pdef: PropDef, value: Any, mode: str) -> list[str]:
        """Output lines for one property.  ``mode``: "get" | "set" | "enum"."""
        name = pdef.name
        if self.style == "iis4":
            head = f"{name:<22}:" if len(name) < 22 else f"{name}:"
            kind = f"({pdef.vb_type})"
            kind = kind + " " * max(1, 10 - len(kind))
            if pdef.syntax == LIST:
                return [head + kind + " ".join(f'"{v}"' for v in value)]
            if pdef.syntax in (STRING, EXPANDSZ):
                return [f'{head}{kind}"{value}"']
            return [head + kind + _vb(value)]
        pad = name + " " * (SPACER - len(name)) if len(name) < SPACER else name
        syntax = pdef.syntax
        if syntax == LIST:
            if mode == "set":
                return [f"{pad}: ({syntax}) " + "".join(f'"{v}" ' for v in value)]
            count = f" ({len(value)} Items)" if mode == "get" else f"({len(value)} Items)"
            lines = [f"{pad}: ({syntax}) {count}"] + [f'  "{v}"' for v in value]
            if mode == "enum":
                lines.append("")
            return lines
        if syntax == STRING or (syntax == EXPANDSZ and mode == "enum"):
            if pdef.secure and mode == "enum":
                return [f'{pad} : ({syntax})"**********"']
            shown = "**********" if pdef.secure else value
            return [f'{pad}: ({syntax}) "{shown}"']
        return [f"{pad}: ({syntax}) {_vb(value)}"]

    # ------------------------------------------------------------------------------------------------
    # GET / SET / ENUM / DELETE / CREATE / FIND

    def get(self) -> int:
        self.need(2, "GET")
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To GET the Object (GetObject Failed): {node_path}")
        pdef = self.mb.schema(prop)
        if pdef is None:
            self.fail(
                E_ADS_BAD_PATHNAME, f"Error Trying To GET the Schema of the property: IIS://{self.server}/Schema/{prop}"
            )
        if not self.mb.allowed(key, pdef.name):
            self.report(E_ADS_PROPERTY_NOT_FOUND)
            self.echo(f"Error Trying To GET the property: (Get Method Failed) {prop}")
            self.echo("  (This property is probably not allowed at this node)")
            raise _Quit(E_ADS_PROPERTY_NOT_FOUND)
        if not self.mb.is_stored(key, pdef.name):
            self.echo(f'The parameter "{prop}" is not set at this node.')
            raise _Quit(E_ADS_PROPERTY_NOT_SET)
        display = PropDef(prop, pdef.syntax, pdef.inherit, pdef.secure, pdef.flag_of)
        for text in self.line(display, self.mb.stored(key, pdef.name), "get"):
            self.echo(text)
        return 0

    def set(self) -> int:
        self.need(3, "SET", exact=False)
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To Get the Object: {node_path}")
        pdef = self.mb.schema(prop)
        if pdef is None:
            self.fail(
                E_ADS_BAD_PATHNAME, f"Error Trying To GET the Schema of the property: IIS://{self.server}/Schema/{prop}"
            )
        raw = self.args[2]
        value: Any
        try:
            if pdef.syntax == INTEGER:
                value = int(raw[2:], 16) if raw[:2].lower() in ("0x", "&h") else int(raw)
            elif pdef.syntax == BOOLEAN:
                low = raw.strip().lower()
                value = low == "true" if low in ("true", "false") else int(low) != 0
            elif pdef.syntax == LIST:
                value = list(self.args[2:])
            else:
                value = raw
        except ValueError:
            self.fail(13, f"Error Trying To SET the Property: {prop}", "Type mismatch")
        if not self.mb.allowed(key, pdef.name):
            self.fail(E_ADS_PROPERTY_NOT_FOUND, f"Error Trying To SET the Property: {prop}")
        self.mb.set(key, pdef.name, value)
        display = PropDef(prop, pdef.syntax, pdef.inherit, pdef.secure, pdef.flag_of)
        for text in self.line(display, value, "set"):
            self.echo(text)
        return 0

    def enum(self, recurse: bool) -> int:
        args = self.args
        paths_only = False
        if len(args) == 1:
            path = ""
        elif len(args) == 2:
            if args[1].upper() == "/P":
                path, paths_only = "", True
            else:
                path = args[1]
        elif len(args) == 3:
            if args[1].upper() == "/P":
                path, paths_only = args[2], True
            elif args[2].upper() == "/P":
                path, paths_only = args[1], True
            else:
                self.echo("Error: Invalid arguments for the ENUM command")
                raise _Quit(GENERAL_FAILURE)
        else:
            self.echo("Error: Wrong number of Args for the ENUM command")
            raise _Quit(GENERAL_FAILURE)
        self._enum(_sanitize(path), paths_only, recurse)
        return 0

    def _enum(self, path: str, paths_only: bool, recurse: bool) -> None:
        key = self.key(path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To ENUM the Object (GetObject Failed): {path}", blank_first=True)
        if not paths_only:
            for pdef, value in self.mb.stored_props(key):
                for text in self.line(pdef, value, "enum"):
                    self.echo(text)
        for child in list(key.children):
            child_path = f"{path}/{child.name}" if path else child.name
            self.echo(f"[/{child_path}]")
            if recurse:
                self._enum(child_path, paths_only, recurse)
        self.echo("")

    def delete(self) -> int:
        self.need(2, "DELETE")
        raw = self.args[1]
        path_only = raw.endswith("/")
        node_path, prop = _split_param(_sanitize(raw))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error deleting the object: {node_path}/{prop}", blank_first=True)
        if not path_only and self.mb.schema(prop) is not None and self.mb.allowed(key, prop):
            self.mb.clear(key, prop)
            self.echo(f'deleted property "{prop}"')
            return 0
        child = key.child(prop)
        if child is None:
            self.fail(E_PATH_NOT_FOUND, f"Error deleting the object: {node_path}/{prop}", blank_first=True)
        self.mb.delete_key(child)
        self.echo(f'deleted path "{node_path}/{prop}"')
        return 0

    def create(self, default_type: str) -> int:
        if len(self.args) == 2:
            keytype = default_type
        elif len(self.args) == 3:
            keytype = self.args[2]
        else:
            self.echo("Error: Wrong number of Args for the CREATE command")
            self.help()
            raise _Quit(GENERAL_FAILURE)
        path = _sanitize(self.args[1])
        if self.key(path) is not None:
            self.fail(-2147024713, f"Error creating the object: {path}", "", blank_first=True)
        parent_path, _name = _split_param(path)
        result = 0
        parent_missing = bool(parent_path) and self.key(parent_path) is None
        self.mb.create(path, keytype)
        if parent_missing:
            self.echo()
            self.echo(f"WARNING: The parent path ({parent_path}) was not already created.")
            self.echo("    This means that some of the intermediate objects will not have an accurate")
            self.echo("    Object Type. You should fix this by setting the KeyType on the intermediate")
            self.echo("    objects.")
            self.echo()
            result = 1
        if keytype.upper() == "IISOBJECT":
            self.echo()
            self.echo("WARNING: The Object Type of this object was not specified or was specified as")
            self.echo("    IIsObject.  This means that you will not be able to set or get properties")
            self.echo("    on the object until the KeyType property is set.")
            self.echo()
            result = 1
        self.echo(f'created "{path}"')
        return result

    def find(self) -> int:
        self.need(2, "FIND_DATA")
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(
                E_PATH_NOT_FOUND, f"Error trying to find data paths for the Object (GetObject Failed): {node_path}"
            )
        found = self.mb.data_paths(key, prop)
        if not found:
            self.echo(f"Property {prop} was not found at any node beneath {node_path}")
            return 0
        self.echo(f"Property {prop} found at:")
        for k in found:
            self.echo("  " + k.path[len("/LM/") :])
        return 0

    # ------------------------------------------------------------------------------------------------
    # applications

    def _app_key(self, name: str) -> tuple[str, Key]:
        self.need(2, name)
        path = _sanitize(self.args[1])
        key = self.key(path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error trying to get the path of the application: {path}")
        return path, key

    def app_create(self, isolated: bool) -> int:
        path, key = self._app_key("APPCREATE")
        self.machine.app_create(key, isolated)
        self.echo("Application Created.")
        return 0

    def app_delete(self) -> int:
        path, key = self._app_key("APPDELETE")
        self.machine.app_delete(key)
        self.echo("Application Deleted.")
        return 0

    def app_unload(self) -> int:
        path, key = self._app_key("APPUNLOAD")
        self.machine.app_unload(key, "/LM/" + path)
        self.echo("Application Unloaded.")
        return 0

    def app_status(self) -> int:
        path, key = self._app_key("APPGETSTATUS")
        self.echo(f"Application Status: {self.machine.app_status(key)}")
        return 0


# --------------------------------------------------------------------------------------------------
# regsvr32.exe


def regsvr32_program(call: Any) -> int:
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
    full = _resolve(paths[0], getattr(call, "cwd", "C:\\"))
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


# Program table (cmd.py looks programs up by name, without extension).
def programs(has_sc: bool = True) -> dict[str, Callable[[Any], int]]:
    table: dict[str, Callable[[Any], int]] = {
        "net": net_program,
        "cscript": cscript_program,
        "regsvr32": regsvr32_program,
    }
    if has_sc:
        table["sc"] = sc_program
    return table


__all__ = ["programs", "net_program", "sc_program", "cscript_program", "regsvr32_program", "Adsutil"]

"""IIS 5+ command-line tools (issue 13): ``iisreset.exe``, ``appcmd.exe`` (IIS 7+) and ``iisapp.vbs`` (IIS 6.0).

Sources: IIS 5-7 facts ("IIS 5.0 / 5.1": iisreset and its switches, ``/stop`` is about ``net stop iisadmin /y``
and kills processes when the stop times out unless /NOFORCE; "IIS 6.0": iisapp.vbs's listing line and its three
recycle texts, /r missing from the RTM script; "IIS 7 and later": appcmd's list formats and verbs).  Texts the
facts do not give are choices listed in ``docs/dev/lab-machine.md`` ("Later Windows and IIS versions").
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from ..machine import scm as scm_mod
from ..machine import versions
from ..machine.proc_api import ProgramCall
from ..machine.processes import W3WP
from .winerror import CRLF

# --------------------------------------------------------------------------------------------------
# iisreset.exe

IISRESET_USAGE = [
    "IISRESET.EXE (c) Microsoft Corp. 1998-1999",
    "",
    "Usage:",
    "iisreset [computername]",
    "",
    "    /RESTART            Stop and then restart all Internet services.",
    "    /START              Start all Internet services.",
    "    /STOP               Stop all Internet services.",
    "    /STATUS             Display status of all Internet services.",
    "    /TIMEOUT:val        Specify the timeout value ( in seconds ) to wait for",
    "                        a successful stop of Internet services.",
    "    /NOFORCE            Do not forcefully terminate Internet services if",
    "                        attempting to stop them gracefully fails.",
    "",
]


def _iis_services(machine: Any) -> list[Any]:
    """IISADMIN's running dependants in stop order, then IISADMIN (what ``net stop iisadmin /y`` stops); on IIS 7+
    WAS's dependants and WAS first (iisreset stops all Internet services; facts: "restart all of IIS" on 7+ is
    ``net stop WAS /y`` or iisreset)."""
    scm = machine.scm
    found: list[Any] = []
    for root in ("WAS", "IISADMIN"):
        svc = scm.get(root)
        if svc is not None:
            found += [*scm.stop_order(scm.dependants(root, active_only=False)), svc]
    return found


def _stop(call: ProgramCall, timeout: float, force: bool) -> tuple[bool, list[str]]:
    """Stop IIS gracefully within ``timeout`` seconds; on timeout kill it unless ``force`` is False.
    (success, the names of the services that were running)."""
    machine: Any = call.machine
    scm = machine.scm
    deadline = time.monotonic() + timeout
    services = [s for s in _iis_services(machine) if scm.state(s.name) != scm_mod.STOPPED]
    names = [s.name for s in services]
    for svc in services:
        if scm.state(svc.name) == scm_mod.RUNNING:
            with contextlib.suppress(scm_mod.ServiceError):  # a dependant that is not running, ...
                scm.stop(svc.name)
        remaining = max(0.0, deadline - time.monotonic())
        if not scm.wait_for(svc.name, (scm_mod.STOPPED,), timeout=remaining, cancelled=call.io.cancelled):
            break
    left = [n for n in names if scm.state(n) != scm_mod.STOPPED]
    if not left:
        return True, names
    if not force:
        return False, names
    # the stop timed out: iisreset terminates the processes; the services are stopped with them
    for name in reversed(names):
        if scm.state(name) != scm_mod.STOPPED:
            scm.force_state(name, scm_mod.STOPPED)
    with machine.lock:
        machine.processes.end_iis_workers()
        machine.processes.end_inetinfo()
    machine.log.add(machine.config.name, "iisreset", action="killed", services=left)
    return True, names


def _start(call: ProgramCall, names: list[str]) -> bool:
    machine: Any = call.machine
    scm = machine.scm
    ok = True
    for name in names:
        if scm.get(name) is None or scm.state(name) != scm_mod.STOPPED:
            continue
        try:
            scm.start(name, call.io.cancelled)
        except scm_mod.ServiceError:
            ok = False
            continue
        waited = scm.wait_for(name, (scm_mod.RUNNING, scm_mod.STOPPED), cancelled=call.io.cancelled)
        if not waited or scm.state(name) != scm_mod.RUNNING:
            ok = False
    return ok


def iisreset_program(call: ProgramCall) -> int:
    machine: Any = call.machine
    out = call.io.out
    action = "restart"
    force = True
    timeout = machine.config.timing.net_give_up
    for arg in call.args:
        low = arg.lower()
        if low in ("/restart", "/start", "/stop", "/status"):
            action = low[1:]
        elif low == "/noforce":
            force = False
        elif low.startswith("/timeout:") and low[9:].isdigit():
            timeout = float(low[9:])
        elif low in ("/?", "/help"):
            out(CRLF.join(IISRESET_USAGE) + CRLF)
            return 0
        else:
            out(CRLF.join(IISRESET_USAGE) + CRLF)
            return 1
    if action == "status":
        installed = [s for s in machine.scm.services() if s.name.upper() in scm_mod.IIS_SERVICES]
        for svc in sorted(installed, key=lambda s: (s.name != "IISADMIN", s.name != "W3SVC", s.name)):
            state = "Running" if svc.state == scm_mod.RUNNING else "Stopped"
            out(f"Status for {svc.display} ( {svc.name} ) : {state}{CRLF}")
        return 0
    if action == "start":
        out(f"{CRLF}Attempting start...{CRLF}")
        wanted = [s.name for s in reversed(_iis_services(machine))]
        if _start(call, wanted):
            out(f"Internet services successfully started{CRLF}")
            return 0
        out(f"Start attempt failed.{CRLF}")
        return 1
    out(f"{CRLF}Attempting stop...{CRLF}")
    stopped, names = _stop(call, timeout, force)
    if not stopped:
        out(f"Stop attempt failed.{CRLF}")
        return 1
    out(f"Internet services successfully stopped{CRLF}")
    if action == "stop":
        return 0
    out(f"Attempting start...{CRLF}")
    if _start(call, list(reversed(names)) or [s.name for s in reversed(_iis_services(machine))]):
        out(f"Internet services successfully restarted{CRLF}")
        return 0
    out(f"Restart attempt failed.{CRLF}")
    return 1


# --------------------------------------------------------------------------------------------------
# appcmd.exe (IIS 7+)

ERROR_NOT_FOUND = 1168
ERROR_SERVICE_NOT_ACTIVE = 1062
ERROR_SERVICE_ALREADY_RUNNING = 1056
ERROR_INVALID_PARAMETER = 87
WAS_UNAVAILABLE = "The WAS service is not available - try starting the service first."


def _apps(machine: Any) -> list[tuple[str, str]]:
    """(appcmd application name ``<site comment>/<path>``, its pool) of every application root of a site."""
    mb = machine.metabase
    result = []
    for site in mb.sites():
        comment = str(mb.stored(site, "ServerComment") or site.name)
        for key in mb.applications():
            parts = mb.split(key.path)
            if len(parts) < 3 or "/".join(parts[:2]).lower() != "/".join(mb.split(site.path)).lower():
                continue
            result.append((f"{comment}/" + "/".join(parts[3:]), mb.app_pool(key)))
    return result


def _sites(machine: Any) -> list[tuple[str, int, str]]:
    """(name, id, bindings) of every web site, bindings as appcmd prints them: ``http/*:8080:,https/*:443:``
    (ServerBindings and SecureBindings of the site, an empty IP shown as ``*``)."""
    mb = machine.metabase
    rows = []
    for site in mb.sites():
        shown = []
        for proto, prop in (("http", "ServerBindings"), ("https", "SecureBindings")):
            for binding in mb.stored(site, prop) or []:
                ip, _sep, rest = str(binding).partition(":")
                shown.append(f"{proto}/{ip or '*'}:{rest}")
        name = str(mb.stored(site, "ServerComment") or site.name)
        rows.append((name, int(site.name) if site.name.isdigit() else 0, ",".join(shown)))
    return rows


def _state_word(machine: Any, name: str) -> str:
    return {1: "Starting", 2: "Started", 3: "Stopping", 4: "Stopped"}.get(machine.pool_state(name), "Unknown")


def _appcmd_error(call: ProgramCall, message: str, code: int, hresult: str | None = None) -> int:
    head = f"hresult:{hresult}, " if hresult else ""
    call.io.out(f"ERROR ( {head}message:{message} ){CRLF}")
    return code


def _options(args: list[str]) -> tuple[list[str], dict[str, str]]:
    words, opts = [], {}
    for arg in args:
        if arg.startswith(("/", "-")) and ":" in arg:
            name, value = arg[1:].split(":", 1)
            opts[name.lower()] = value.strip('"')
        else:
            words.append(arg)
    return words, opts


def _not_elevated(call: ProgramCall, machine: Any, what: str) -> int:
    """Review S13: appcmd's runtime verbs need an elevated token; without one appcmd prints the WAS text although
    WAS runs ("If I run the command from an elevated command prompt it works fine", azure-pipelines-extensions issue
    1136).  Which verbs are refused (the runtime ones: start/stop/recycle, list wp) is inferred; the exit code the
    same choice as for WAS stopped."""
    machine.log.add(machine.config.name, "pool", action=what, refused="not elevated")
    return _appcmd_error(call, WAS_UNAVAILABLE, ERROR_SERVICE_NOT_ACTIVE)


def appcmd_program(call: ProgramCall) -> int:
    machine: Any = call.machine
    words, opts = _options(list(call.args))
    if len(words) < 2:
        call.io.out(f"General purpose IIS command line administration tool.{CRLF}{CRLF}")
        call.io.out(f"APPCMD (command) (object-type) <identifier> < /parameter1:value1 ... >{CRLF}")
        return ERROR_INVALID_PARAMETER if words else 0
    verb, kind = words[0].lower(), words[1].lower()
    ident = words[2] if len(words) > 2 else None
    with machine.lock:
        if verb == "list" and kind == "app":
            name = ident or opts.get("app.name")
            pool = opts.get("apppool.name")
            rows = [
                (a, p)
                for a, p in _apps(machine)
                if (name is None or a.lower() == name.lower()) and (pool is None or p.lower() == pool.lower())
            ]
            for app, p in rows:
                call.io.out(f'APP "{app}" (applicationPool:{p}){CRLF}')
            if name is not None and not rows:
                return _appcmd_error(call, f'Cannot find APP object with identifier "{name}".', ERROR_NOT_FOUND)
            return 0
        if verb == "list" and kind == "wp":
            if not machine.config.elevated:
                return _not_elevated(call, machine, "list wp")
            pool = opts.get("apppool.name")
            procs = sorted((p for p in machine.processes.all() if p.image == W3WP), key=lambda p: p.pid)
            for proc in procs:
                if pool is None or (proc.pool or "").lower() == pool.lower():
                    call.io.out(f'WP "{proc.pid}" (applicationPool:{proc.pool}){CRLF}')
            return 0
        if kind == "site" and verb in ("list", "start", "stop"):
            name = ident or opts.get("site.name")
            sites = [row for row in _sites(machine) if name is None or row[0].lower() == name.lower()]
            if name is not None and not sites:
                return _appcmd_error(call, f'Cannot find SITE object with identifier "{name}".', ERROR_NOT_FOUND)
            if verb == "list":
                for site_name, number, bindings in sites:
                    state = "Started" if machine.sites_started.get(number, True) else "Stopped"
                    call.io.out(f'SITE "{site_name}" (id:{number},bindings:{bindings},state:{state}){CRLF}')
                return 0
            # review S3: start / stop site change the runtime state only; the texts as for a pool (a choice)
            if name is None:
                return _appcmd_error(call, "Must specify the SITE object identifier.", ERROR_INVALID_PARAMETER)
            site_name, number, _bindings = sites[0]
            machine.site_set_started(number, verb == "start")
            call.io.out(
                f'"{site_name}" successfully {verb}ed.{CRLF}'
                if verb == "start"
                else f'"{site_name}" successfully stopped{CRLF}'
            )
            return 0
        if kind != "apppool":
            return _appcmd_error(call, f'Unknown object type "{words[1]}".', ERROR_INVALID_PARAMETER)
        name = ident or opts.get("apppool.name") or opts.get("name")
        if verb == "list":
            for pool in machine.pools.values():
                if name is None or pool.name.lower() == name.lower():
                    call.io.out(
                        f'APPPOOL "{pool.name}" (MgdVersion:{pool.runtime},MgdMode:{pool.pipeline},'
                        f"state:{_state_word(machine, pool.name)}){CRLF}"
                    )
            if name is not None and machine.pool(name) is None:
                return _appcmd_error(call, f'Cannot find APPPOOL object with identifier "{name}".', ERROR_NOT_FOUND)
            return 0
        if verb not in ("stop", "start", "recycle"):
            return _appcmd_error(call, f'Unknown command "{words[0]}".', ERROR_INVALID_PARAMETER)
        if name is None:
            return _appcmd_error(call, "Must specify the APPPOOL object identifier.", ERROR_INVALID_PARAMETER)
        pool = machine.pool(name)
        if pool is None:
            return _appcmd_error(call, f'Cannot find APPPOOL object with identifier "{name}".', ERROR_NOT_FOUND)
        if not machine.config.elevated:
            return _not_elevated(call, machine, f"{verb} apppool {pool.name}")
        if machine.scm.get("WAS") is not None and machine.scm.state("WAS") != scm_mod.RUNNING:
            # issue 21 (N10): a pool's runtime state is WAS's; with WAS stopped appcmd cannot reach it and changes
            # nothing (the text as appcmd prints it: azure-pipelines-extensions issue 1136; the exit code: a choice).
            machine.log.add(machine.config.name, "pool", name=pool.name, action=verb, refused="WAS not running")
            return _appcmd_error(call, WAS_UNAVAILABLE, ERROR_SERVICE_NOT_ACTIVE)
        started = pool.started
        if verb == "start":
            if started:
                return _appcmd_error(
                    call,
                    f"Command execution failed.{CRLF}An instance of the service is already running.{CRLF}",
                    ERROR_SERVICE_ALREADY_RUNNING,
                    "80070420",
                )
            machine.pool_start(pool.name)
            call.io.out(f'"{pool.name}" successfully started.{CRLF}')
            return 0
        if not started:
            return _appcmd_error(
                call,
                f"Command execution failed.{CRLF}The service has not been started.{CRLF}",
                ERROR_SERVICE_NOT_ACTIVE,
                "80070426",
            )
        if verb == "stop":
            machine.pool_stop(pool.name)
            call.io.out(f'"{pool.name}" successfully stopped{CRLF}')
            return 0
        machine.pool_recycle(pool.name)
        call.io.out(f'"{pool.name}" successfully recycled{CRLF}')
        return 0


# --------------------------------------------------------------------------------------------------
# iisapp.vbs (IIS 6.0; cscript runs it)

IISAPP_USAGE = [
    "IIsApp.vbs - lists the IIS worker processes (w3wp.exe) and the application pools they serve.",
    "",
    "Usage: iisapp.vbs [/a <AppPoolId> | /p <PID>]{recycle}",
    "",
    "  /a <AppPoolId>  only the worker process of this application pool",
    "  /p <PID>        only this worker process",
    "{recycle_line}  /?              this text",
]
NO_WORKERS = "There are no IIS worker processes running."


def _iisapp_usage(machine: Any) -> str:
    recycle = machine.config.iisapp_recycle
    text = CRLF.join(IISAPP_USAGE) + CRLF
    return text.replace("{recycle}", " [/r]" if recycle else "").replace(
        "{recycle_line}", "  /r              recycle that application pool" + CRLF if recycle else ""
    )


def run_iisapp(call: ProgramCall, args: list[str]) -> int:
    machine: Any = call.machine
    out = call.io.out
    pool_name: str | None = None
    pid: int | None = None
    recycle = False
    i = 0
    while i < len(args):
        low = args[i].lower()
        if low == "/a" and i + 1 < len(args):
            pool_name = args[i + 1].strip('"')
            i += 1
        elif low == "/p" and i + 1 < len(args) and args[i + 1].isdigit():
            pid = int(args[i + 1])
            i += 1
        elif low == "/r" and machine.config.iisapp_recycle:
            recycle = True
        elif low == "/?":
            out(_iisapp_usage(machine))
            return 0
        else:  # the RTM script does not know /r: its usage text (a choice)
            out(_iisapp_usage(machine))
            return 1
        i += 1
    with machine.lock:
        workers = sorted((p for p in machine.processes.all() if p.image == W3WP), key=lambda p: p.pid)
        if pid is not None:
            found = next((p for p in workers if p.pid == pid), None)
            if found is None:
                out(f"No worker process with PID {pid} is running.{CRLF}")
                return 1
            pool_name = pool_name or found.pool
        if recycle:
            if pool_name is None:
                out(_iisapp_usage(machine))
                return 1
            result = machine.pool_recycle(pool_name)
            pool = machine.pool(pool_name)
            shown = pool.name if pool is not None else pool_name
            if result == "ok":
                out(f"Application pool '{shown}' recycled successfully.{CRLF}")
                return 0
            if result == "missing":
                out(f"Application pool '{pool_name}' does not exist.{CRLF}")
                return 1
            out(f"Failed to recycle application pool '{shown}'.{CRLF}")
            return 1
        shown_rows = [p for p in workers if pool_name is None or (p.pool or "").lower() == pool_name.lower()]
        if not shown_rows:
            out(NO_WORKERS + CRLF)
            return 0
        for proc in shown_rows:
            out(f"W3WP.exe PID: {proc.pid}   AppPoolId: {proc.pool}{CRLF}")
        return 0


def is_iisapp(machine: Any, full: str) -> bool:
    cfg = machine.config
    return bool(cfg.has_iisapp) and full.lower() == versions.iisapp_path(cfg).lower()

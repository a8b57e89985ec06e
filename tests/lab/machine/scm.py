"""The lab's service control manager: services, dependencies and pending states that take real time.

What the model does, and where the behaviour comes from (see docs/dev and the facts file for sources):

* The IIS 4.0 services are IISADMIN, W3SVC, MSFTPSVC, SMTPSVC and NNTPSVC (KB Q236166); the four
  protocol services depend on IISADMIN.  All of them are ``WIN32_SHARE_PROCESS`` services (type 0x20)
  hosted by one ``inetinfo.exe`` (KB Q166279).  IISADMIN itself depends on the RPC service (``RpcSs``).
* A set of ordinary NT 4.0 services (Server, Workstation, EventLog, ...) is always installed and running so
  that ``net start`` and ``sc`` see a believable machine.  ``HostConfig.extra_services`` adds services outside
  IIS that depend on it (own-process services; running unless configured stopped).
* A stop or start takes ``Timing.stop_time`` / ``Timing.start_time`` real seconds in STOP_PENDING /
  START_PENDING.  Transitions are completed by a timer thread, and also lazily whenever someone looks at a
  service, so a reader never sees a state older than the clock says.
* ``Faults.stuck_stop``: the service stays in STOP_PENDING while the fault is set; once cleared, the stop
  completes at the next check (a watcher re-checks every 50 ms).
* ``Faults.fail_start``: the service goes START_PENDING, then back to STOPPED with the configured error
  (``noreport``, ``specific:<n>`` or ``system:<n>``).
* Starting a service first starts its stopped dependencies and waits for them (SCM behaviour), in the
  caller's thread.  Stopping a service whose dependants are still active fails with error 1051, which is why
  ``net stop`` asks about the dependants itself.
* The service graph around IIS on 2003 and IIS 7+ (review S3: S4, S11, S12, S15): the ``HTTP`` kernel driver,
  Server 2003's ``HTTPFilter`` "HTTP SSL" (depends on HTTP and IIS Admin, demand start, in lsass.exe - in
  inetinfo.exe in IIS 5 isolation mode), IIS Admin depending on RPCSS and SAMSS on 2003, W3SVC depending on HTTP and
  WAS on IIS 7+, and the WCF listener adapters that depend on WAS (:func:`platform_services`).
* Dependants come in the order EnumDependentServices returns them: the reverse of a start order (review S7).
* Every state change is logged: ``log.add(host, "service", name=..., old=..., new=...)``.  Listeners (the
  machine) are told about every change, e.g. to start or end ``inetinfo.exe``.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .config import HostConfig
from .events import EventLog

STOPPED = "STOPPED"
START_PENDING = "START_PENDING"
STOP_PENDING = "STOP_PENDING"
RUNNING = "RUNNING"
STATE_CODES = {STOPPED: 1, START_PENDING: 2, STOP_PENDING: 3, RUNNING: 4}

SERVICE_KERNEL_DRIVER = 0x1
SERVICE_WIN32_OWN_PROCESS = 0x10
SERVICE_WIN32_SHARE_PROCESS = 0x20
AUTO_START = 2
DEMAND_START = 3

ERROR_SERVICE_SPECIFIC_ERROR = 1066
ERROR_DEPENDENT_SERVICES_RUNNING = 1051
ERROR_SERVICE_DEPENDENCY_FAIL = 1068
ERROR_SERVICE_NOT_ACTIVE = 1062
ERROR_SERVICE_ALREADY_RUNNING = 1056
ERROR_SERVICE_CANNOT_ACCEPT_CTRL = 1061
ERROR_INVALID_SERVICE_CONTROL = 1052

INETINFO = "C:\\WINNT\\System32\\inetsrv\\inetinfo.exe"
IIS_SERVICES = ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC", "WAS", "FTPSVC")

_WATCH_INTERVAL = 0.05


@dataclass(frozen=True)
class ServiceInfo:
    """The static configuration of a service, as ``sc qc`` shows it."""

    name: str
    display: str
    dependencies: tuple[str, ...] = ()
    type: int = SERVICE_WIN32_SHARE_PROCESS
    start_type: int = AUTO_START
    binary: str = "C:\\WINNT\\system32\\services.exe"
    start_name: str = "LocalSystem"
    stoppable: bool = True
    pausable: bool = False
    iis: bool = False  # hosted by inetinfo.exe


def _iis(name: str, display: str, deps: tuple[str, ...], pausable: bool) -> ServiceInfo:
    return ServiceInfo(name, display, deps, binary=INETINFO, pausable=pausable, iis=True)


# The IIS services (display names: KB Q236166).  W3SVC and MSFTPSVC accept pause/continue (`net pause w3svc`).
IIS_SERVICE_INFO = {
    "IISADMIN": _iis("IISADMIN", "IIS Admin Service", ("RPCSS",), False),
    "W3SVC": _iis("W3SVC", "World Wide Web Publishing Service", ("IISADMIN",), True),
    "MSFTPSVC": _iis("MSFTPSVC", "FTP Publishing Service", ("IISADMIN",), True),
    "SMTPSVC": _iis("SMTPSVC", "Microsoft SMTP Service", ("IISADMIN",), True),
    "NNTPSVC": _iis("NNTPSVC", "Microsoft NNTP Service", ("IISADMIN",), True),
}

# Ordinary NT 4.0 Server services that are always running on the lab hosts (key name, display name as NT 4.0
# shows it).  Key names are the registry names; services.exe hosts most of them.
_SERVICES_EXE = "C:\\WINNT\\system32\\services.exe"
BASE_SERVICE_INFO = {
    "Alerter": ServiceInfo("Alerter", "Alerter", ("LanmanWorkstation",)),
    "Browser": ServiceInfo("Browser", "Computer Browser", ("LanmanWorkstation", "LanmanServer")),
    "EventLog": ServiceInfo("EventLog", "EventLog", (), stoppable=False),
    "LicenseService": ServiceInfo(
        "LicenseService",
        "License Logging Service",
        (),
        SERVICE_WIN32_OWN_PROCESS,
        binary="C:\\WINNT\\System32\\llssrv.exe",
    ),
    "LmHosts": ServiceInfo("LmHosts", "TCP/IP NetBIOS Helper", ()),
    "LanmanServer": ServiceInfo("LanmanServer", "Server", ()),
    "LanmanWorkstation": ServiceInfo("LanmanWorkstation", "Workstation", ()),
    "Messenger": ServiceInfo("Messenger", "Messenger", ("LanmanWorkstation",)),
    "MSDTC": ServiceInfo(
        "MSDTC", "MSDTC", ("RPCSS",), SERVICE_WIN32_OWN_PROCESS, binary="C:\\WINNT\\System32\\msdtc.exe"
    ),
    "NtLmSsp": ServiceInfo("NtLmSsp", "NT LM Security Support Provider", (), start_type=DEMAND_START),
    "PlugPlay": ServiceInfo("PlugPlay", "Plug and Play", (), stoppable=False),
    "ProtectedStorage": ServiceInfo(
        "ProtectedStorage",
        "Protected Storage",
        ("RPCSS",),
        SERVICE_WIN32_OWN_PROCESS,
        binary="C:\\WINNT\\system32\\pstores.exe",
    ),
    "RPCSS": ServiceInfo(
        "RPCSS",
        "Remote Procedure Call (RPC) Service",
        (),
        SERVICE_WIN32_OWN_PROCESS,
        binary="C:\\WINNT\\system32\\RpcSs.exe",
        stoppable=False,
    ),
    "Spooler": ServiceInfo(
        "Spooler", "Spooler", (), SERVICE_WIN32_OWN_PROCESS, binary="C:\\WINNT\\system32\\spoolss.exe"
    ),
}


# --------------------------------------------------------------------------------------------------
# Each Windows version's own IIS service table (issue 21).  ``net`` prints display names, ``sc`` takes key names,
# and the display names are not IIS 4's on later versions.

# Windows 2000 (IIS 5.0): SMTP is installed by default and its display name is not IIS 4's (technet cc787028,
# quoted in the facts file, section "Where real hosts differ from an IIS 4 picture").  The exact Windows 2000
# wording ("Transport" where 2003 says "Transfer") is a choice: docs/dev/lab-machine.md, "Remaining choices".
_W2K_DISPLAY = {
    "SMTPSVC": "Simple Mail Transport Protocol (SMTP)",
    "NNTPSVC": "Network News Transport Protocol (NNTP)",
}
# XP / Server 2003 and later: technet cc787028 gives SMTPSVC as "Simple Mail Transfer Protocol (SMTP)", running in
# inetinfo.exe and depending on the IIS Admin Service; NNTP follows the same pattern (a choice for NNTP).
_LATER_DISPLAY = {
    "SMTPSVC": "Simple Mail Transfer Protocol (SMTP)",
    "NNTPSVC": "Network News Transfer Protocol (NNTP)",
}
# IIS 7 and later (technet dd364124): W3SVC depends on WAS, "Windows Process Activation Service", which owns the
# w3wp.exe workers; neither is hosted by inetinfo.exe (both run in svchost.exe).  FTP on 7.5+ is FTPSVC,
# "Microsoft FTP Service" (facts file), also outside inetinfo.exe.
_SVCHOST = "C:\\Windows\\system32\\svchost.exe"
WAS_INFO = ServiceInfo("WAS", "Windows Process Activation Service", ("RPCSS",), binary=_SVCHOST)
# W3SVC's DependOnService on IIS 10 is HTTP and WAS (a public registry dump; review S12), taken for IIS 7.5 too.
W3SVC_IIS7_INFO = ServiceInfo("W3SVC", "World Wide Web Publishing Service", ("HTTP", "WAS"), binary=_SVCHOST,
                              pausable=True)  # fmt: skip
FTPSVC_INFO = ServiceInfo("FTPSVC", "Microsoft FTP Service", (), binary=_SVCHOST, pausable=True)
# Services that need IIS Admin on IIS 7+: only the IIS 6 management compatibility components bring it (facts:
# "IISADMIN exists only with the IIS 6 management compatibility components (SMTP on 2008/2012 still needs it)").
NEEDS_IISADMIN = ("SMTPSVC", "NNTPSVC", "MSFTPSVC")


def iis_service_table(config: HostConfig) -> dict[str, ServiceInfo]:
    """The IIS services installed on ``config``'s host, by key name, as its Windows version has them.

    ``HostConfig.services`` names what is installed.  NT 4 (IIS 4) keeps the KB Q236166 table.  On IIS 7 and later
    W3SVC brings WAS and depends on it, and IISADMIN exists only with ``iis6_metabase_compat`` (which
    :func:`tests.lab.machine.versions.resolve` turns on when SMTP/NNTP/the IIS 6 FTP is installed)."""
    from . import versions

    kind = versions.kind_of(config)
    wanted = [s.upper() for s in config.services]
    table: dict[str, ServiceInfo] = {}
    if kind.iis_major >= 7:
        if config.iis6_metabase_compat or any(n in wanted for n in NEEDS_IISADMIN):
            table["IISADMIN"] = IIS_SERVICE_INFO["IISADMIN"]
        if "W3SVC" in wanted or "WAS" in wanted:
            table["WAS"] = WAS_INFO
        if "W3SVC" in wanted:
            table["W3SVC"] = W3SVC_IIS7_INFO
        if "FTPSVC" in wanted:
            table["FTPSVC"] = FTPSVC_INFO
        names = [n for n in ("MSFTPSVC", "SMTPSVC", "NNTPSVC") if n in wanted]
    else:
        names = [n for n in ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC") if n in wanted]
        if wanted:
            table["IISADMIN"] = IIS_SERVICE_INFO["IISADMIN"]
    display = {} if kind.iis_major == 4 else (_W2K_DISPLAY if kind.name == "w2k" else _LATER_DISPLAY)
    for name in names:
        info = IIS_SERVICE_INFO[name]
        if name in display:
            info = dataclasses.replace(info, display=display[name])
        table[name] = info
    if kind.name == "w2k3" and "IISADMIN" in table:
        table["IISADMIN"] = dataclasses.replace(table["IISADMIN"], dependencies=("RPCSS", "SAMSS"))  # cc738440
    if kind.name == "w2k3" and "W3SVC" in table:
        # "On Windows 2003, World Wide Web Publishing Service depends on HTTP SSL and IIS Admin Service" (MVM's blog
        # on blog.joycode.com, 2007-04-18; review S4): starting W3SVC starts HTTP SSL first.
        table["W3SVC"] = dataclasses.replace(table["W3SVC"], dependencies=("IISADMIN", "HTTPFilter"))
    return table


# --------------------------------------------------------------------------------------------------
# The services around IIS on Server 2003 and IIS 7+ (review S3, findings S4/S11, S12, S15).  They are not IIS
# services to the module: the ones that depend on IIS Admin (2003) or WAS (7+) are "extras" to it, stopped by
# ``net stop <root> /y`` and started again after the IIS services.

#: The HTTP kernel driver (http.sys): W3SVC depends on it on IIS 10 (a public registry dump: DependOnService HTTP,
#: WAS) and on 2003 (inferred: IIS 6 is the first IIS on http.sys).  A driver: ``net start`` does not list it, ``sc qc
#: HTTP`` shows it (TYPE 1 KERNEL_DRIVER); the display name, binary and start type are choices.
HTTP_DRIVER_INFO = ServiceInfo(
    "HTTP", "HTTP", (), SERVICE_KERNEL_DRIVER, DEMAND_START, binary="system32\\DRIVERS\\HTTP.sys", start_name=""
)
#: IIS Admin on 2003 "depends upon the Remote Procedure Call (RPCSS) service and the Security Accounts Manager
#: (SAMSS) service" (technet cc738440, "IIS Service Startup").  SAM runs in lsass.exe and cannot be stopped.
SAMSS_INFO = ServiceInfo("SamSs", "Security Accounts Manager", ("RPCSS",), stoppable=False)
#: Server 2003's "HTTP SSL" (key HTTPFilter): "Normally the "HTTP SSL" service has a dependency on the "HTTP"
#: service. But when IIS is installed on the machine, it creates a dependency from "HTTP SSL" to the "IIS Admin
#: Service"", and it "doesn't have to be started. Creation of an SSL endpoint will automatically start" it (SQL
#: Server Protocols blog, "Creation of SOAP(HTTP) SSL endpoint fails with error 0x80070494"): demand start.  It runs
#: in lsass.exe in worker process isolation mode and in inetinfo.exe in IIS 5.0 isolation mode (technet "Application
#: Isolation Mode Functions (IIS 6.0)", Table 2.4; cc737578).  ``net stop iisadmin /y`` stops it (BizTalk Server
#: docs, "How to Purge Data from the BizTalk Tracking Database": the dependant list of that command on 2003).
HTTPFILTER = "HTTPFILTER"
HTTPFILTER_KEY = "HTTPFilter"
NET_ACTIVATORS = ("NETTCPACTIVATOR", "NETPIPEACTIVATOR", "NETMSMQACTIVATOR")


def _httpfilter(config: HostConfig, system_root: str) -> ServiceInfo:
    if config.iis5_isolation_mode:  # hosted by inetinfo.exe with the web core (Table 2.4)
        return ServiceInfo(HTTPFILTER_KEY, "HTTP SSL", ("HTTP", "IISADMIN"), start_type=DEMAND_START, binary=INETINFO,
                           iis=True)  # fmt: skip
    return ServiceInfo(HTTPFILTER_KEY, "HTTP SSL", ("HTTP", "IISADMIN"), start_type=DEMAND_START,
                       binary=f"{system_root}\\system32\\lsass.exe")  # fmt: skip


def _activators(system_root: str) -> dict[str, ServiceInfo]:
    """The WCF listener adapters of IIS 7+ (where installed): each depends on WAS, so ``net stop WAS /y`` stops them
    ("stopping 'WAS' also stops other dependent services ... NetPipeActivator, NetTcpActivator ... even
    NetMsmqActivator", dotnet/AspNetCore.Docs issue 26342).  NetTcpActivator also depends on NetTcpPortSharing,
    NetMsmqActivator on MSMQ.  Display names, the SMSvcHost.exe binary and the other dependencies: choices."""
    host = f"{system_root}\\Microsoft.NET\\Framework64\\v4.0.30319\\SMSvcHost.exe"
    return {
        "NETTCPPORTSHARING": ServiceInfo("NetTcpPortSharing", "Net.Tcp Port Sharing Service", (), binary=host,
                                         start_type=DEMAND_START),
        "NETTCPACTIVATOR": ServiceInfo("NetTcpActivator", "Net.Tcp Listener Adapter", ("WAS", "NetTcpPortSharing"),
                                       binary=host),
        "NETPIPEACTIVATOR": ServiceInfo("NetPipeActivator", "Net.Pipe Listener Adapter", ("WAS",), binary=host),
        "MSMQ": ServiceInfo("MSMQ", "Message Queuing", ("RPCSS",), SERVICE_WIN32_OWN_PROCESS,
                            binary=f"{system_root}\\system32\\mqsvc.exe"),
        "NETMSMQACTIVATOR": ServiceInfo("NetMsmqActivator", "Net.Msmq Listener Adapter", ("WAS", "MSMQ"), binary=host),
    }  # fmt: skip


def platform_services(config: HostConfig) -> dict[str, tuple[ServiceInfo, bool]]:
    """The services around IIS that ``config``'s Windows version has (upper-case key -> info, running at start).

    2003 and IIS 7+: the HTTP driver (running) and SAMSS.  2003 with W3SVC: HTTPFilter "HTTP SSL" (demand
    start), running whenever W3SVC runs (W3SVC depends on it) or when ``services`` names ``HTTPFilter`` (another SSL
    endpoint, e.g. a SQL Server SOAP endpoint, started it).  IIS 7+: each WCF listener adapter ``services`` names
    (NetTcpActivator, NetPipeActivator, NetMsmqActivator), with what it depends on; running unless in
    ``stopped_services``."""
    from . import versions

    kind = versions.kind_of(config)
    if kind.iis_major < 6:
        return {}
    wanted = {s.upper() for s in config.services}
    stopped = {s.upper() for s in config.stopped_services}
    found: dict[str, tuple[ServiceInfo, bool]] = {"HTTP": (HTTP_DRIVER_INFO, True), "SAMSS": (SAMSS_INFO, True)}
    if kind.iis_major == 6 and "W3SVC" in wanted:
        found[HTTPFILTER] = (_httpfilter(config, kind.system_root), HTTPFILTER in wanted and HTTPFILTER not in stopped)
    if kind.iis_major >= 7:
        adapters = _activators(kind.system_root)
        for name in NET_ACTIVATORS:
            if name in wanted:
                found[name] = (adapters[name], name not in stopped)
                for dep in adapters[name].dependencies:
                    if dep.upper() in adapters:
                        found.setdefault(dep.upper(), (adapters[dep.upper()], False))
    return found


class ServiceError(Exception):
    """An SCM API failure; ``winerror`` is the Win32 error code."""

    def __init__(self, winerror: int, message: str = "") -> None:
        super().__init__(message or f"error {winerror}")
        self.winerror = winerror


@dataclass
class Service:
    info: ServiceInfo
    state: str = STOPPED
    deadline: float | None = None  # when the pending state ends (None: not pending, or stuck)
    win32_exit_code: int = 0
    service_exit_code: int = 0
    failure: str | None = None  # the fail_start fault being played out
    checkpoint: int = 0
    changed: float = field(default_factory=time.monotonic)

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def display(self) -> str:
        return self.info.display

    @property
    def state_code(self) -> int:
        return STATE_CODES[self.state]

    @property
    def wait_hint_ms(self) -> int:
        return 0 if self.state in (STOPPED, RUNNING) else 2000


Listener = Callable[[str, str, str], None]  # (service, old, new)


class ServiceControlManager:
    """All services of one host.  Thread-safe; ``lock`` is the machine's model lock."""

    def __init__(self, config: HostConfig, log: EventLog, lock: threading.RLock | None = None) -> None:
        self.config = config
        self.log = log
        self.lock = lock or threading.RLock()
        self.listeners: list[Listener] = []
        self._services: dict[str, Service] = {}
        self._closed = False
        for key, info in BASE_SERVICE_INFO.items():
            self._services[key.upper()] = Service(info, RUNNING)
        stopped = {s.upper() for s in config.stopped_services}
        for name, info in iis_service_table(config).items():
            self._services[name] = Service(info, STOPPED if name in stopped else RUNNING)
        for name, (info, running) in platform_services(config).items():
            self._services[name] = Service(info, RUNNING if running else STOPPED)
        for extra in getattr(config, "extra_services", None) or ():
            info = ServiceInfo(
                extra.name,
                extra.display,
                tuple(d.upper() for d in extra.depends_on),
                SERVICE_WIN32_OWN_PROCESS,
                binary=f"C:\\WINNT\\system32\\{extra.name.lower()}.exe",
            )
            self._services[extra.name.upper()] = Service(info, RUNNING if extra.running else STOPPED)
        # A running service implies its running dependencies (IIS Admin Service; WAS on IIS 7+).
        for svc in list(self._services.values()):
            if svc.state == RUNNING:
                for dep in svc.info.dependencies:
                    dep_svc = self._services.get(dep.upper())
                    if dep_svc is not None and dep_svc.state == STOPPED:
                        dep_svc.state = RUNNING

    # ------------------------------------------------------------------------------------------------
    # lookups

    def close(self) -> None:
        self._closed = True

    def get(self, name: str) -> Service | None:
        """The service whose key name is ``name`` (case-insensitive), brought up to date."""
        with self.lock:
            self._advance()
            return self._services.get(name.upper())

    def find(self, name: str) -> Service | None:
        return self.get(name)

    def services(self) -> list[Service]:
        with self.lock:
            self._advance()
            return list(self._services.values())

    def state(self, name: str) -> str:
        svc = self.get(name)
        if svc is None:
            raise ServiceError(1060, "The specified service does not exist as an installed service.")
        return svc.state

    def states(self) -> dict[str, str]:
        with self.lock:
            self._advance()
            return {s.name: s.state for s in self._services.values()}

    def dependants(self, name: str, active_only: bool = True) -> list[Service]:
        """Services that depend on ``name`` (directly or through others), in the order EnumDependentServices returns
        them, which is the order ``net stop`` lists and stops them in: "the reverse of the start order of the
        services" (Win32 docs, EnumDependentServices; review S7) - each one before everything it depends on.
        Services with no order between them come by display name (a choice).  On 2003 this lists World Wide Web
        Publishing Service before HTTP SSL, as the public capture of ``net stop iisadmin /y`` does (BizTalk Server
        docs): W3SVC depends on HTTP SSL there."""
        with self.lock:
            self._advance()
            found: dict[str, Service] = {}
            todo = [name.upper()]
            while todo:
                current = todo.pop()
                for svc in self._services.values():
                    if current in (d.upper() for d in svc.info.dependencies) and svc.name.upper() not in found:
                        found[svc.name.upper()] = svc
                        todo.append(svc.name.upper())
            # Next: the first by display name of those none of the rest depends on (a loop cannot happen).
            left = sorted(found.values(), key=lambda s: s.display.lower())
            result: list[Service] = []
            while left:
                needed = {d.upper() for s in left for d in s.info.dependencies}
                nxt = next((s for s in left if s.name.upper() not in needed), left[0])
                left.remove(nxt)
                result.append(nxt)
            return [s for s in result if not active_only or s.state != STOPPED]

    def stop_order(self, services: list[Service]) -> list[Service]:
        """``services`` (as listed) in an order that stops each one after everything depending on it: the list
        order, except that a service waits for its own dependants further down the list."""
        todo = list(services)
        names = {s.name.upper() for s in todo}
        ordered: list[Service] = []
        while todo:
            for svc in todo:
                blockers = {d.name.upper() for d in self.dependants(svc.name, active_only=False)} & names
                if not blockers:
                    break
            else:
                svc = todo[0]  # a dependency loop cannot happen in a real SCM; keep the list order
            todo.remove(svc)
            names.discard(svc.name.upper())
            ordered.append(svc)
        return ordered

    def iis_active(self) -> bool:
        """True while any service hosted by inetinfo.exe is running or pending."""
        with self.lock:
            self._advance()
            return any(s.state != STOPPED for s in self._iis())

    def hosted_by_inetinfo(self, name: str) -> bool:
        """True when ``name`` runs in inetinfo.exe (static configuration; no lock needed)."""
        svc = self._services.get(name.upper())
        return bool(svc is not None and svc.info.iis)

    def _iis(self) -> list[Service]:
        return [s for s in self._services.values() if s.info.iis]

    # ------------------------------------------------------------------------------------------------
    # control

    def start(self, name: str, cancelled: threading.Event | None = None) -> Service:
        """StartService: start stopped dependencies first (waiting for them), then put ``name`` in START_PENDING.

        Raises ServiceError 1056 when already active, 1068 when a dependency failed to start.
        """
        svc = self.get(name)
        if svc is None:
            raise ServiceError(1060)
        for dep in svc.info.dependencies:
            dep_svc = self.get(dep)
            if dep_svc is None:
                raise ServiceError(ERROR_SERVICE_DEPENDENCY_FAIL)
            if dep_svc.state == RUNNING:
                continue
            if dep_svc.state not in (STOPPED, START_PENDING):
                # A dependency still stopping (or pausing) cannot be started now: the SCM fails the dependent at
                # once rather than waiting for it (a choice; see docs/dev/lab-machine.md).
                raise ServiceError(ERROR_SERVICE_DEPENDENCY_FAIL)
            if dep_svc.state == STOPPED:
                try:
                    self.start(dep_svc.name, cancelled)
                except ServiceError as exc:
                    if exc.winerror != ERROR_SERVICE_ALREADY_RUNNING:
                        raise ServiceError(ERROR_SERVICE_DEPENDENCY_FAIL) from exc
            if not self.wait_for(dep_svc.name, (RUNNING, STOPPED), cancelled=cancelled) or (
                self.state(dep_svc.name) != RUNNING
            ):
                raise ServiceError(ERROR_SERVICE_DEPENDENCY_FAIL)
        with self.lock:
            self._advance()
            if svc.state != STOPPED:
                raise ServiceError(ERROR_SERVICE_ALREADY_RUNNING)
            svc.win32_exit_code = 0
            svc.service_exit_code = 0
            svc.failure = self.config.faults.fail_start.get(svc.name.upper()) or self.config.faults.fail_start.get(
                svc.name
            )
            if svc.failure:
                self.log.add(self.config.name, "fault", fault="fail_start", service=svc.name, failure=svc.failure)
            duration = self.config.timing.start_time(svc.name)
            self._set(svc, START_PENDING, time.monotonic() + duration)
            self._schedule(duration)
        return svc

    def stop(self, name: str) -> Service:
        """ControlService(STOP).  Raises 1062 when not active, 1051 when active dependants exist."""
        with self.lock:
            self._advance()
            svc = self._services.get(name.upper())
            if svc is None:
                raise ServiceError(1060)
            if svc.state == STOPPED:
                raise ServiceError(ERROR_SERVICE_NOT_ACTIVE)
            if svc.state != RUNNING:
                raise ServiceError(ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
            if not svc.info.stoppable:
                raise ServiceError(ERROR_INVALID_SERVICE_CONTROL)
            if svc.name.upper() in {n.upper() for n in self.config.faults.refuse_stop}:
                self.log.add(self.config.name, "fault", fault="refuse_stop", service=svc.name)
                raise ServiceError(ERROR_SERVICE_CANNOT_ACCEPT_CTRL)
            if self.dependants(svc.name):
                raise ServiceError(ERROR_DEPENDENT_SERVICES_RUNNING)
            duration = self.config.timing.stop_time(svc.name)
            self._set(svc, STOP_PENDING, time.monotonic() + duration)
            self._schedule(duration)
            return svc

    def wait_for(
        self,
        name: str,
        states: tuple[str, ...],
        timeout: float | None = None,
        cancelled: threading.Event | None = None,
    ) -> bool:
        """Block (without the lock) until the service is in one of ``states``; False on timeout/cancel."""
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.state(name) in states:
                return True
            if cancelled is not None and cancelled.is_set():
                return False
            if end is not None and time.monotonic() >= end:
                return False
            time.sleep(0.005)

    def force_state(self, name: str, state: str) -> None:
        """Test helper: put a service straight into ``state`` (logged like any change)."""
        with self.lock:
            svc = self._services[name.upper()]
            self._set(svc, state, None)

    # ------------------------------------------------------------------------------------------------
    # time

    def _schedule(self, delay: float) -> None:
        timer = threading.Timer(max(0.0, delay) + 0.001, self._tick)
        timer.daemon = True
        timer.start()

    def _tick(self) -> None:
        if self._closed:
            return
        with self.lock:
            self._advance()
            stuck = any(s.state == STOP_PENDING and s.deadline is None for s in self._services.values())
        if stuck:
            self._schedule(_WATCH_INTERVAL)

    def _advance(self) -> None:
        """Complete every pending transition whose time has come (caller holds the lock)."""
        now = time.monotonic()
        faults = self.config.faults
        stuck_names = {s.upper() for s in faults.stuck_stop}
        for svc in list(self._services.values()):
            if svc.state == STOP_PENDING:
                if svc.name.upper() in stuck_names:
                    if svc.deadline is not None:
                        svc.deadline = None  # hangs from now on
                        self.log.add(self.config.name, "fault", fault="stuck_stop", service=svc.name)
                        self._schedule(_WATCH_INTERVAL)
                    svc.checkpoint += 1
                    continue
                if svc.deadline is None:
                    svc.deadline = now  # the fault was cleared: finish now
                if now >= svc.deadline:
                    self._set(svc, STOPPED, None)
            elif svc.state == START_PENDING and svc.deadline is not None and now >= svc.deadline:
                if svc.failure:
                    kind, _sep, number = svc.failure.partition(":")
                    if kind == "specific":
                        svc.win32_exit_code = ERROR_SERVICE_SPECIFIC_ERROR
                        svc.service_exit_code = int(number or 1)
                    elif kind == "system":
                        svc.win32_exit_code = int(number or 1)
                    else:  # noreport: the service stopped without saying why
                        svc.win32_exit_code = 0
                    self._set(svc, STOPPED, None)
                else:
                    self._set(svc, RUNNING, None)

    def _set(self, svc: Service, new: str, deadline: float | None) -> None:
        old = svc.state
        svc.state = new
        svc.deadline = deadline
        svc.checkpoint = 0
        svc.changed = time.monotonic()
        if old == new:
            return
        self.log.add(self.config.name, "service", name=svc.name, old=old, new=new)
        for listener in list(self.listeners):
            listener(svc.name, old, new)

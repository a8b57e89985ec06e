"""Configuration of lab hosts: what each simulated NT 4.0 + IIS 4.0 machine has installed and how it behaves.

A host is described by :class:`HostConfig`.  Hosts come from a scenario YAML file (see
``tests/lab/scenarios/``) or from :func:`default_fleet`, which mixes in-process and isolated applications
and optional FTP / SMTP / NNTP services the way a real web farm of the era would look.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import versions
from .dll import make_dll

SYSTEM_ROOT = "C:\\WINNT"
ADSUTIL_PATH = SYSTEM_ROOT + "\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
DEFAULT_PASSWORD = "Lab-Passw0rd!"  # noqa: S105 - a lab credential, never a real one
IIS_SERVICES = ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC")


@dataclass
class Timing:
    """Real seconds the simulated machine takes for things.  Small by default so tests are quick."""

    service_stop: dict[str, float] = field(default_factory=dict)  # per service, else default_stop
    service_start: dict[str, float] = field(default_factory=dict)  # per service, else default_start
    default_stop: float = 0.05
    default_start: float = 0.05
    net_poll: float = 0.02  # net.exe prints one dot per poll while a service is pending
    net_give_up: float = 2.0  # net.exe gives up waiting after this long ("could not be stopped")
    request_latency: float = 0.0  # added to every WS-Man HTTP request (LAN model for benchmarks)
    command_latency: float = 0.0  # added to the start of every command (process creation)
    app_load: float = 0.0  # time a first request takes to start mtx.exe / load a component
    mtx_exit_delay: float = 0.0  # after APPUNLOAD the app's mtx.exe exits (releasing its images) this much later
    package_idle_scale: float = 60.0  # real seconds per minute of a package's ShutdownAfter (idle shutdown)
    package_exit_delay: float = 0.0  # after a catalog shutdown / mtxstop the package process exits this much later
    # IIS 5+ (issue 13): a worker (dllhost.exe / w3wp.exe) told to go exits this much later
    worker_exit_delay: float = 0.0
    # an old w3wp.exe after an overlapped recycle keeps its DLLs this long (capped by the pool's
    # shutdown_time_limit * pool_time_scale)
    worker_drain: float = 0.0
    pool_time_scale: float = 1.0  # real seconds per second of an application pool's ShutdownTimeLimit
    # issue 21: after the SCM reports the last inetinfo.exe service STOPPED, the process keeps its images mapped
    # this much longer (a bounded switch; 0: it is gone when STOPPED is reported)
    inetinfo_exit_delay: float = 0.0
    # issue 21: an AppPoolCommand (ADSI) answers at once; AppPoolState shows 1 (starting) / 3 (stopping) this
    # long before 2 / 4 (technet cc787263: read AppPoolState to see whether the pool has responded)
    pool_transition: float = 0.05

    def stop_time(self, service: str) -> float:
        return self.service_stop.get(service.upper(), self.default_stop)

    def start_time(self, service: str) -> float:
        return self.service_start.get(service.upper(), self.default_start)


@dataclass
class Faults:
    """Faults injected into one host.  Mutable at run time (tests, the CLI, the control API)."""

    stuck_stop: set[str] = field(default_factory=set)  # services that hang in STOP_PENDING
    # Services whose stop control is refused while RUNNING (ERROR_SERVICE_CANNOT_ACCEPT_CTRL): net says "The service
    # could not be controlled in its present state." (HELPMSG 2189; review S8, a 2003 SBS capture of net stop http)
    refuse_stop: set[str] = field(default_factory=set)
    fail_start: dict[str, str] = field(default_factory=dict)  # service -> "noreport" | "specific:<n>" | "system:<n>"
    foreign_locks: set[str] = field(default_factory=set)  # file paths held open by a foreign process
    access_denied: set[str] = field(default_factory=set)  # files or folders (and all beneath) denied for writing
    unreadable: set[str] = field(default_factory=set)  # files or folders denied for reading
    disk_full: bool = False  # writes that need space fail with error 112
    unload_noop: bool = False  # APPUNLOAD reports success but the mtx.exe keeps running
    regsvr32_fail: int | None = None  # regsvr32 exit code to return (3, 4 or 5)
    regsvr32_hang: bool = False  # DllRegisterServer never returns: regsvr32 runs until cancelled or cleared
    drop_after_requests: int | None = None  # close connections after this many more WS-Man requests
    drop_on_command: str | None = None  # drop the connection when a command containing this text starts
    slow_responses: float = 0.0  # extra seconds per WS-Man response
    wsman_down: bool = False  # the WS-Man listener refuses connections
    catalog_script_error: bool = False  # every catalog script run by cscript stops with a VBScript runtime error
    package_shutdown_refused: bool = False  # every catalog shutdown is refused, as PackageConfig.shutdown_refused
    pool_stop_stuck: bool = False  # a stopped application pool's w3wp.exe never exits (IIS 6+)
    worker_keeps_dll: bool = False  # a worker told to exit (recycle, unload, shutdown) keeps running and its DLLs

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        return {k: (sorted(v) if isinstance(v, set) else v) for k, v in data.items()}

    def update(self, **changes: Any) -> None:
        for key, value in changes.items():
            if not hasattr(self, key):
                raise KeyError(f"unknown fault {key!r}")
            current = getattr(self, key)
            if isinstance(current, set) and not isinstance(value, set):
                value = set(value or ())
            setattr(self, key, value)

    def clear(self) -> None:
        fresh = Faults()
        for f in dataclasses.fields(self):
            setattr(self, f.name, getattr(fresh, f.name))


@dataclass
class AppConfig:
    """A virtual directory of a site.  ``isolated`` and ``isolation`` None: not an application root (inherits).

    ``isolation`` is the IIS 5 AppIsolated value (0 in-process, 1 isolated, 2 pooled); None derives it from
    ``isolated`` (False 0, True 1).  ``app_pool`` is the IIS 6+ AppPoolId stored on this key (None: inherited,
    ``DefaultAppPool`` at the top)."""

    path: str  # "/", "/shop", "/shop/admin" (URL path as the metabase spells it, case kept)
    physical: str | None = None  # folder on disk; default under the site root
    isolated: bool | None = None
    isolation: int | None = None
    app_pool: str | None = None
    friendly_name: str | None = None
    components: list[str] = field(default_factory=list)  # DLL paths its pages load
    # The AppRoot value stored on the key when it is spelled unlike the key (an app created with
    # `adsutil APPCREATEOUTPROC w3svc/1/root/shop` stores "/LM/w3svc/1/root/shop"); None: the key's own path.
    app_root: str | None = None
    # DLLs of ``components`` this application loads into its own process although a server package registers
    # the DLL (it creates another class of the same DLL, one not in the package).
    direct_components: list[str] = field(default_factory=list)

    @property
    def app_isolated(self) -> int | None:
        """The AppIsolated value of this application root, None when it is not one."""
        if self.isolation is not None:
            return int(self.isolation)
        if self.isolated is None:
            return None
        return 1 if self.isolated else 0


@dataclass
class AppPoolConfig:
    """An IIS 6.0+ application pool (``W3SVC/AppPools/<name>``; appcmd's APPPOOL)."""

    name: str
    shutdown_time_limit: int = 90  # seconds an old worker may take to finish after a recycle (ShutdownTimeLimit)
    disallow_overlapping_rotation: bool = False  # a recycle waits for the old worker before starting the new
    started: bool = True  # state at boot
    # review S1/S2: whether IIS starts the pool when it starts (IIS 7+ ``autoStart``, IIS 6 ``AppPoolAutoStart``;
    # both default true).  The pool's state is runtime only: a start of WAS (IIS 7+) or of W3SVC (IIS 6) sets every
    # pool to started where this is true and to stopped where it is false, whatever a command left (Machine).
    auto_start: bool = True
    runtime: str = "v4.0"  # appcmd's MgdVersion (v2.0, v4.0 or "" for no managed code)
    pipeline: str = "Integrated"  # appcmd's MgdMode (Integrated or Classic)
    # enable32BitAppOnWin64: on a 64-bit kind its w3wp.exe is a 32-bit (WOW64) process, as a pool running 32-bit
    # classic ASP components (VB6) must be; the 64-bit tasklist does not list its DLLs (review N2)
    enable_32bit: bool = False


@dataclass
class SiteConfig:
    number: int = 1
    comment: str = "Default Web Site"
    root: str = "C:\\InetPub\\wwwroot"
    # ServerBindings as the metabase holds them, "IP:port:hostheader" (IP empty: every address). None: one
    # binding on every address at the port the lab serves the site on (web_port + number - 1); a scenario's own
    # bindings must name that port too (site_bindings).
    bindings: list[str] | None = None
    apps: list[AppConfig] = field(default_factory=list)
    # review S3 (IIS 7+): the site's runtime state at boot, and ``serverAutoStart``: a start of W3SVC sets every
    # site to started where it is true and to stopped where it is false (Machine._autostart_sites).
    started: bool = True
    server_auto_start: bool = True


@dataclass
class ExtraService:
    """A service outside the five IIS ones that depends on IIS (a vendor's agent, Site Server, ...)."""

    name: str
    display: str
    depends_on: list[str] = field(default_factory=list)
    running: bool = True


@dataclass
class ForeignLoader:
    """A process outside IIS (e.g. the cscript.exe of a scheduled job) that has ``dll`` loaded (mapped).

    It exits ``lifetime`` seconds after the host boots (None: never)."""

    image: str
    dll: str
    lifetime: float | None = None


@dataclass
class ComponentConfig:
    """A component registered in an MTS package / COM+ application: its CLSID, ProgID and DLL path."""

    clsid: str  # "{GUID}"
    progid: str
    dll: str  # the DLL path as registered in the catalog


PACKAGE_ACTIVATIONS = ("server", "library")
CATALOGS = ("mts", "complus")


@dataclass
class PackageConfig:
    """An MTS package (NT 4 Option Pack) or COM+ application (2000+) in the host's catalog.

    ``server``: its components run in the package's own process (``mtx.exe /p:{id}`` or ``dllhost.exe
    /ProcessID:{id}``); ``library``: they load into the caller.  ``shutdown_after`` is minutes idle (MTS
    default 3), ``run_forever`` keeps the process however idle; ``shutdown_refused``: a catalog shutdown of the
    package fails and the process keeps running (lab fault)."""

    id: str  # "{GUID}"
    name: str
    activation: str = "server"
    components: list[ComponentConfig] = field(default_factory=list)
    run_forever: bool = False
    shutdown_after: int = 3
    shutdown_refused: bool = False
    wow64: bool = False  # a 32-bit COM+ application on a 64-bit kind: its dllhost.exe runs under WOW64 (review N2)


@dataclass
class UpdateConfig:
    """Which file is the new DLL on a host (``src``, staged) and which component it replaces (``dest``)."""

    src: str
    dest: str


ENUM_ALL_REPLIES = ("not_recognized", "usage", "silent")


@dataclass
class HostConfig:
    name: str = "WEB01"
    ip: str = "127.0.0.2"
    # Windows / IIS version (tests/lab/machine/versions.py): nt4, w2k, xp, w2k3, w2k8r2, w2k19.  Fields whose default
    # is None (catalog: "auto") are filled from the kind unless given.
    kind: str = "nt4"
    winrm_version: str | None = None  # XP / 2003: "1.1" (default, ports 80/443) or "2.0" (5985/5986)
    http_port: int | None = None  # 5985; 80 on XP / 2003 with WinRM 1.1
    https_port: int | None = None  # 5986; 443 on XP / 2003 with WinRM 1.1
    web_port: int = 8080
    username: str = "Administrator"
    password: str = DEFAULT_PASSWORD
    domain: str = ""  # empty: a local account; NTLM accepts "", ".", and the host name
    # Authentication and listener settings, as in winrm/config/service.
    ntlm: bool = True
    basic: bool = True
    allow_unencrypted: bool = False
    listen_http: bool = True
    listen_https: bool = True
    # Limits as a real WinRM service has them.
    max_envelope_size: int = 153600  # MaxEnvelopeSizekb 150
    max_shells_per_user: int = 30
    shell_idle_timeout: float = 180.0  # seconds
    max_command_line: int | None = None  # cmd.exe limit: 2047 on NT 4.0 / 2000, 8191 from XP on (KB 830473)
    # Machine.
    services: list[str] = field(default_factory=lambda: ["IISADMIN", "W3SVC"])
    stopped_services: list[str] = field(default_factory=list)  # installed but not running at start
    has_sc: bool = True  # sc.exe from the Resource Kit installed
    adsutil_enum_all: bool = True  # the adsutil.vbs revision knows ENUM_ALL
    adsutil_style: str = "iis5"  # "iis5": 32-column `Name : (STRING) "v"` output; "iis4": KB Q247098 style
    # What an adsutil.vbs without ENUM_ALL answers to ENUM_ALL: "not_recognized" | "usage" | "silent".
    adsutil_enum_all_reply: str = "not_recognized"
    adsutil_continue_errors: list[str] = field(default_factory=list)  # keys where ENUM reports an error, goes on
    extra_services: list[ExtraService] = field(default_factory=list)  # non-IIS services depending on IIS
    foreign_loaders: list[ForeignLoader] = field(default_factory=list)  # processes outside IIS holding a DLL
    readonly_files: list[str] = field(default_factory=list)  # files with the read-only attribute
    terminate_on_delete: bool = True  # deleting (or expiring) a WinRS shell terminates its running commands
    # The MTS / COM+ catalog: "mts" (MTSAdmin.Catalog.1), "complus" (COMAdmin.COMAdminCatalog), None: no catalog.
    catalog: str | None = "auto"  # "auto": None on NT 4, "complus" from 2000 on
    packages: list[PackageConfig] = field(default_factory=list)
    has_tlist: bool = False  # tlist.exe (Resource Kit / Support Tools) installed
    has_filever: bool = False  # filever.exe (Support Tools) installed
    tlist_titles: bool = True  # tlist shows COM servers' window title after the image name (issue 21)
    # issue 21 (MS-WSMV 3.1.4.14): refuse a Command when the shell already holds this many commands that were
    # not signalled (terminate) yet, as WinRM's operation quota would; None: no limit (docs/dev/lab-machine.md)
    max_unsignalled_per_shell: int | None = None
    has_tasklist: bool | None = None  # tasklist.exe installed (default: XP and later)
    update: UpdateConfig | None = None  # the new DLL and the component it replaces (default: the Staging rule)
    rename_loaded_image: bool = True  # may a loaded DLL be renamed (the NT loader's share mode)
    system_root: str | None = None  # C:\\WINNT (NT 4, 2000), C:\\WINDOWS (XP, 2003), C:\\Windows (later)
    adsutil_path: str | None = None  # "" when the host has no adsutil.vbs (IIS 7+ without the compat feature)
    # IIS 5.0+ (issue 13, docs/dev/lab-machine.md "Later Windows and IIS versions")
    iis6_metabase_compat: bool = False  # IIS 7+: the IIS 6 Metabase Compatibility feature (adsutil works)
    iis5_isolation_mode: bool = False  # IIS 6.0: IIs5IsolationModeEnabled (an upgraded server keeps it)
    # Review S13: the WinRM account's token is not elevated (a Remote Management Users member, or a local administrator
    # under UAC remote restrictions): appcmd's runtime verbs answer "The WAS service is not available" although WAS
    # runs, net start/stop <service> "System error 5", regsvr32 5; reads (net start, sc, appcmd list) still work.
    elevated: bool = True
    appunload_recycles_pool: bool = False  # APPUNLOAD of a pooled (2) app ends the shared dllhost.exe
    app_pools: list[AppPoolConfig] = field(default_factory=list)  # IIS 6+; DefaultAppPool is always there
    iisapp_recycle: bool = True  # IIS 6.0: iisapp.vbs knows /r (SP1); False: the RTM script
    has_appcmd: bool | None = None  # default: IIS 7 and later
    has_iisapp: bool | None = None  # default: IIS 6.0
    has_iisreset: bool | None = None  # default: IIS 5.0 and later
    disk_free: int = 512 * 1024 * 1024
    sites: list[SiteConfig] = field(default_factory=lambda: [SiteConfig(apps=[AppConfig("/", isolated=False)])])
    files: dict[str, bytes] = field(default_factory=dict)  # initial files (besides the system ones)
    timing: Timing = field(default_factory=Timing)
    faults: Faults = field(default_factory=Faults)
    # the fields filled from the kind (versions.AUTO_FIELDS), so that a later change of kind can refill them
    auto_fields: set[str] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.auto_fields = set(self.auto_fields) | versions.resolve(self)

    def refresh_kind(self, keep: set[str] | frozenset[str] = frozenset()) -> None:
        """After ``kind`` / ``winrm_version`` / ``iis6_metabase_compat`` changed: the fields filled from the kind
        before are filled again, except those in ``keep`` (set explicitly since)."""
        for name in self.auto_fields - set(keep):
            setattr(self, name, versions.AUTO_FIELDS[name])
        self.auto_fields = (self.auto_fields - set(keep)) | versions.resolve(self)

    @property
    def url(self) -> str:
        return f"http://{self.ip}:{self.web_port}"

    def site_bindings(self, site: SiteConfig) -> list[str]:
        """The site's ServerBindings: the port each names is the one the lab's listener for the site uses, as on a
        real server (a site answers where its binding says)."""
        port = self.web_port + site.number - 1
        if site.bindings is None:
            return [f":{port}:"]
        for binding in site.bindings:
            parts = str(binding).split(":")
            if len(parts) != 3 or parts[1] != str(port):
                raise ValueError(
                    f"{self.name}: site {site.number} binding {binding!r}: the lab serves this site on port {port}, "
                    f"so its bindings must read 'IP:{port}:hostheader'"
                )
        return list(site.bindings)


# --------------------------------------------------------------------------------------------------
# Scenario files


def pool_configs(cfg: HostConfig) -> list[AppPoolConfig]:
    """The application pools of an IIS 6+ host: ``HostConfig.app_pools``, plus ``DefaultAppPool`` and every pool
    an application names when they are not configured (with the defaults)."""
    pools = list(cfg.app_pools)
    names = {p.name.lower() for p in pools}
    wanted = [versions.DEFAULT_POOL] + [a.app_pool for s in cfg.sites for a in s.apps if a.app_pool]
    for name in wanted:
        if name.lower() not in names:
            pools.append(AppPoolConfig(name))
            names.add(name.lower())
    return pools


def _file_bytes(spec: Any) -> bytes:
    if isinstance(spec, bytes):
        return spec
    if isinstance(spec, str):
        return spec.encode("cp437")
    if isinstance(spec, dict) and "dll" in spec:
        return make_dll(spec["dll"], str(spec.get("version", "1.0.0.0")), int(spec.get("size", 4096)))
    if isinstance(spec, dict) and "text" in spec:
        return str(spec["text"]).encode("cp437")
    raise ValueError(f"cannot understand file spec {spec!r}")


def _build(cls: type, data: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise ValueError(f"unknown {cls.__name__} keys: {sorted(unknown)}")
    return cls(**data)


def _package(data: dict[str, Any]) -> PackageConfig:
    components = [_build(ComponentConfig, dict(c)) for c in data.pop("components", []) or []]
    package = _build(PackageConfig, {**data, "components": components})
    if package.activation not in PACKAGE_ACTIVATIONS:
        raise ValueError(f"package activation must be one of {PACKAGE_ACTIVATIONS}")
    return package


def host_from_dict(data: dict[str, Any], defaults: dict[str, Any] | None = None) -> HostConfig:
    merged = copy.deepcopy(defaults or {})  # every host gets its own copy of nested defaults (sites, files)
    merged.update(copy.deepcopy(data))
    sites = []
    for s in merged.pop("sites", []) or []:
        apps = [_build(AppConfig, dict(a)) for a in s.pop("apps", [])]
        sites.append(_build(SiteConfig, {**s, "apps": apps}))
    files = {path: _file_bytes(spec) for path, spec in (merged.pop("files", {}) or {}).items()}
    extra = [_build(ExtraService, dict(x)) for x in merged.pop("extra_services", []) or []]
    loaders = [_build(ForeignLoader, dict(x)) for x in merged.pop("foreign_loaders", []) or []]
    update = merged.pop("update", None)
    packages = [_package(dict(p)) for p in merged.pop("packages", []) or []]
    timing = _build(Timing, dict(merged.pop("timing", {}) or {}))
    faults_data = dict(merged.pop("faults", {}) or {})
    faults = Faults()
    faults.update(**faults_data)
    pools = [_build(AppPoolConfig, dict(p)) for p in merged.pop("app_pools", []) or []]
    cfg = _build(HostConfig, merged)
    cfg.app_pools = pools
    if sites:
        cfg.sites = sites
    cfg.files = files
    cfg.timing = timing
    cfg.faults = faults
    cfg.services = [s.upper() for s in cfg.services]
    cfg.extra_services = extra
    cfg.foreign_loaders = loaders
    cfg.packages = packages
    cfg.update = _build(UpdateConfig, dict(update)) if update else None
    if cfg.catalog is not None and cfg.catalog not in CATALOGS:
        raise ValueError(f"catalog must be one of {CATALOGS} or null")
    if cfg.adsutil_enum_all_reply not in ENUM_ALL_REPLIES:
        raise ValueError(f"adsutil_enum_all_reply must be one of {ENUM_ALL_REPLIES}")
    return cfg


def load_scenario(path: str | Path) -> list[HostConfig]:
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    defaults = data.get("defaults", {})
    return [host_from_dict(dict(h), defaults) for h in data.get("hosts", [])]


# --------------------------------------------------------------------------------------------------
# The default mixed fleet

SHOP_DLL = "C:\\InetPub\\shop\\bin\\ShopCart.dll"
STAGED_DLL = "C:\\Staging\\ShopCart.dll"


def default_host(
    index: int, ip: str, *, version_installed: str = "1.0.0.0", version_staged: str = "2.0.0.0"
) -> HostConfig:
    """Host number ``index`` of the default fleet.

    Even hosts run the shop in-process, odd hosts isolated; every third host also has FTP and SMTP, every
    fifth NNTP.  Every host has a second site (``Intranet``) that must keep serving through an isolated
    update.
    """
    isolated = index % 2 == 1
    services = ["IISADMIN", "W3SVC"]
    if index % 3 == 0:
        services += ["MSFTPSVC", "SMTPSVC"]
    if index % 5 == 4:
        services.append("NNTPSVC")
    sites = [
        SiteConfig(
            number=1,
            comment="Default Web Site",
            root="C:\\InetPub\\wwwroot",
            apps=[
                AppConfig("/", isolated=False, friendly_name="Default Application"),
                AppConfig(
                    "/Shop",
                    physical="C:\\InetPub\\shop",
                    isolated=isolated,
                    friendly_name="Shop",
                    components=[SHOP_DLL],
                ),
            ],
        ),
        SiteConfig(
            number=2,
            comment="Intranet",
            root="C:\\InetPub\\intranet",
            apps=[AppConfig("/", isolated=True, friendly_name="Intranet")],
        ),
    ]
    return HostConfig(
        name=f"WEB{index + 1:02d}",
        ip=ip,
        services=services,
        sites=sites,
        files={
            SHOP_DLL: make_dll("ShopCart", version_installed, 24576),
            STAGED_DLL: make_dll("ShopCart", version_staged, 28672),
        },
    )


def default_fleet(count: int, ips: list[str]) -> list[HostConfig]:
    return [default_host(i, ips[i]) for i in range(count)]

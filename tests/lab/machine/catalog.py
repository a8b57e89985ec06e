"""The MTS (NT 4 Option Pack) / COM+ (2000+) catalog of a lab host and its package processes.

Sources: the facts on components in MTS packages (IIS 5-7 facts file, "Components in MTS packages") and NT 4
facts section 5:

* a component in a **server** package runs in the package's own process, ``mtx.exe /p:{id}`` (MTS) or
  ``dllhost.exe /ProcessID:{id}`` (COM+), started by the first use and keeping the DLL mapped until the package
  is shut down (ShutdownPackage / ShutdownApplication, mtxstop.exe) or has been idle ``ShutdownAfter`` minutes
  (default 3) - never, with ``RunForever``.  Neither APPUNLOAD nor ``net stop iisadmin /y`` ends it;
* a component in a **library** package loads into the caller (inetinfo.exe or the application's mtx.exe).

Choices (``docs/dev/lab-machine.md``): one minute of ``ShutdownAfter`` is ``Timing.package_idle_scale`` real
seconds; a shut-down process exits ``Timing.package_exit_delay`` seconds later; a package with
``shutdown_refused`` refuses a catalog shutdown but not mtxstop.exe.
"""

from __future__ import annotations

import uuid
from typing import Any

from . import versions
from .config import ComponentConfig, HostConfig, PackageConfig
from .events import EventLog
from .processes import POOLED, Process, ProcessTable

POOLED_APP = "IIS Out-Of-Process Pooled Applications"

PROGIDS = {"mts": "MTSAdmin.Catalog.1", "complus": "COMAdmin.COMAdminCatalog"}
IMAGES = {"mts": "mtx.exe", "complus": "dllhost.exe"}

POOLED_WAM = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"  # metabase.POOLED_WAM_CLSID
SHUTDOWN_OK = "ok"
SHUTDOWN_MISSING = "missing"
SHUTDOWN_REFUSED = "refused"


class Catalog:
    """The packages of one host (from ``HostConfig.packages``) and what starts and ends their processes."""

    def __init__(self, config: HostConfig, processes: ProcessTable, log: EventLog, metabase: Any = None) -> None:
        self.config = config
        self.processes = processes
        self.log = log
        self.metabase = metabase

    # ------------------------------------------------------------------------------------------------
    # IIS 5 (and IIS 6 in IIS 5 isolation mode): the COM+ applications IIS makes for its applications

    def iis_applications(self) -> list[tuple[PackageConfig, str]]:
        """(COM+ application, what it runs: ``POOLED`` or the isolated application's key path): the pooled
        applications' ``IIS Out-Of-Process Pooled Applications`` and one ``IIS-{<site>//Root/<path>}`` per
        isolated (AppIsolated 1) application.  Empty unless the host runs the IIS 5 process model."""
        if self.metabase is None or self.config.catalog != "complus" or not versions.iis5_mode(self.config):
            return []
        wam = self.config.system_root + "\\system32\\inetsrv\\wam.dll"
        pooled_id = self._guid("pooled")
        found = [
            (
                PackageConfig(pooled_id, POOLED_APP, "server",
                              [ComponentConfig(POOLED_WAM, "IISWAM.OutofProcessPool", wam)]),
                POOLED,
            )
        ]  # fmt: skip
        for key in self.metabase.applications():
            if self.metabase.isolation(key) != 1:
                continue
            package_id = str(self.metabase.stored(key, "AppPackageID") or self._guid(key.path.lower()))
            name = str(self.metabase.stored(key, "AppPackageName") or self.metabase.package_name(key))
            clsid = str(self.metabase.stored(key, "AppWamClsid") or "")
            found.append((PackageConfig(package_id, name, "server", [ComponentConfig(clsid, "IISWAM.W3WAM", wam)]),
                          key.path))  # fmt: skip
        return found

    def _guid(self, what: str) -> str:
        return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"lab-iis-app:{self.config.name}:{what}")).upper() + "}"

    @property
    def kind(self) -> str | None:
        return self.config.catalog

    @property
    def progid(self) -> str | None:
        """The ProgID of the catalog's scripting object, None when the host has none."""
        return PROGIDS.get(self.config.catalog or "")

    @property
    def progids(self) -> tuple[str, ...]:
        """Every ProgID a script can create the catalog with.  COM+ (Windows 2000 and later) also registers MTS's
        ``MTSAdmin.Catalog.1`` for backward compatibility ("MTS Administration Library" docs, quoted in the facts
        file's section "Where real hosts differ from an IIS 4 picture"): an MTS catalog script works on a COM+
        host and sees the COM+ applications as packages."""
        if self.config.catalog == "complus":
            return (PROGIDS["complus"], PROGIDS["mts"])
        return (self.progid,) if self.progid else ()

    @property
    def image(self) -> str:
        """Image of a server package's process: dllhost.exe on a COM+ host, mtx.exe otherwise."""
        return IMAGES["complus"] if self.config.catalog == "complus" else IMAGES["mts"]

    def command_line(self, package: PackageConfig) -> str:
        if self.config.catalog == "complus":
            return f"dllhost.exe /ProcessID:{package.id}"
        return f"mtx.exe /p:{package.id}"

    @property
    def packages(self) -> list[PackageConfig]:
        """What the catalog lists: the configured packages, then the COM+ applications of IIS 5 applications."""
        return list(self.config.packages) + [p for p, _app in self.iis_applications()]

    def find(self, package_id: str) -> PackageConfig | None:
        """A package by its ``{id}`` or, as ShutdownApplication also accepts, its name (case-insensitive)."""
        low = package_id.strip().lower()
        every = self.packages
        return next((p for p in every if p.id.lower() == low), None) or next(
            (p for p in every if p.name.lower() == low), None
        )

    def owner(self, dll: str) -> tuple[PackageConfig, ComponentConfig] | None:
        """The package (and component) whose registered DLL path is ``dll`` (case-insensitive), if any."""
        low = dll.lower()
        for package in self.config.packages:
            for comp in package.components:
                if comp.dll.lower() == low:
                    return package, comp
        return None

    # ------------------------------------------------------------------------------------------------

    def process_for(self, dll: str) -> Process | None:
        """The package process that loads ``dll`` (started if needed), or None when the DLL is not in a server
        package (it loads into the caller).  Each use restarts the idle clock."""
        found = self.owner(dll)
        if found is None or found[0].activation != "server":
            return None
        package = found[0]
        proc = self.processes.start_package(package.id, self.image)
        if not package.run_forever:
            idle = max(0.0, package.shutdown_after * self.config.timing.package_idle_scale)
            self.processes.after(idle + 0.01, lambda: self._idle(package.id, idle))
        return proc

    def _idle(self, package_id: str, idle: float) -> None:
        if self.processes.end_package_if_idle(package_id, idle):
            self.log.add(self.config.name, "package", action="idle-shutdown", package=package_id)

    def shutdown(self, package_id: str) -> str:
        """ShutdownPackage / ShutdownApplication: ``ok`` (also when it was not running), ``missing`` (no such
        package) or ``refused`` (``PackageConfig.shutdown_refused`` or ``Faults.package_shutdown_refused``; the
        process keeps running)."""
        package = self.find(package_id)
        iis_app = next((app for p, app in self.iis_applications() if package is not None and p.id == package.id), None)
        if package is None:
            result = SHUTDOWN_MISSING
        elif package.shutdown_refused or self.config.faults.package_shutdown_refused:
            if not package.shutdown_refused:
                self.log.add(self.config.name, "fault", fault="package_shutdown_refused", package=package_id)
            result = SHUTDOWN_REFUSED
        elif iis_app is not None:
            # the application's (or the pooled applications') dllhost.exe goes, and with it the DLLs it loaded
            delay = None if self.config.faults.worker_keeps_dll else self.config.timing.worker_exit_delay
            if delay is None:
                self.log.add(self.config.name, "fault", fault="worker_keeps_dll", package=package_id)
            self.processes.retire(self.processes.mtx, iis_app, delay)
            result = SHUTDOWN_OK
        else:
            self.processes.end_package(package.id, self.config.timing.package_exit_delay)
            result = SHUTDOWN_OK
        self.log.add(self.config.name, "package", action="shutdown", package=package_id, result=result)
        return result

    def shutdown_all(self) -> list[str]:
        """mtxstop.exe: every MTS server process is shut down (RunForever and refusing packages too), and that
        includes the mtx.exe of every IIS 4 isolated application - IIS runs those as MTS server packages (facts
        file: "mtxstop.exe stops every MTS server process, IIS 4's isolated applications' mtx.exe included";
        they start again on the next request).  Returns the package ids and the application roots it ended."""
        ended = []
        for package in self.config.packages:
            if self.processes.end_package(package.id, self.config.timing.package_exit_delay):
                ended.append(package.id)
        for app, proc in list(self.processes.mtx.items()):
            if proc.image.lower() == IMAGES["mts"] and self.processes.end_mtx(app):
                ended.append(proc.app or app)
        self.log.add(self.config.name, "package", action="shutdown-all", packages=ended)
        return ended

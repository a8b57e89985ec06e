# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Release strategies: how the process that has the DLL loaded lets go of it, one small unit per kind.

A strategy turns what the plan decided (the applications, the services, the files) into the host commands
of ONE sequence that releases the DLL, swaps it, brings the process back and checks the result.  It is pure:
facts and options in, command parts out.  The session sends the sequence as one command line (or one batch
file), so no network round trip sits inside an outage and the host finishes it even if the controller goes
away; the sequence appends ``started=<phase>`` to the state record first and ``finished=<phase>`` last.

Today's strategies (KB Q315663):

* :class:`ServiceRestart` - in-process applications (inside inetinfo.exe): ``net stop IISADMIN /y``, swap,
  ``net start`` of exactly the services that were running, IIS Admin first.
* :class:`IsolatedUnload` - isolated applications (one mtx.exe each): adsutil ``APPUNLOAD`` of each
  application root, swap; W3SVC keeps running.  When the unload does not free the file, the plan falls back
  to :class:`ServiceRestart` (option ``unload_fallback``).

* :class:`PackageShutdown` - the DLL belongs to an MTS server package or COM+ server application (issue 12):
  shut down that package only (or, where the catalog cannot say, every MTS server package with
  ``mtxstop.exe``), swap, probe the lock; IIS keeps serving.  When the DLL stays loaded (IIS also loads it
  directly), the plan goes on with the IIS strategy of the applications (``Plan.iis``).

The next ones go here, each a class with the same four members, registered in :data:`STRATEGIES` under
the isolation it serves: the pooled COM+ application of IIS 5 (``ShutdownApplication`` of "IIS Out-Of-Process
Pooled Applications") and an IIS 6/7 application pool (stop the pool, wait for its w3wp.exe).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._cmd.cmdline import CMD_LINE_LIMIT_NT4, build_command, echo_to_file, marker, quote_arg, redirect
from .._cmd.swap import IN_BLOCK, Swap, block, mark, sink
from .._cmd.validate import host_arg
from .._host.appcmd import appcmd_path
from .._host.catalog import (
    MTXSTOP,
    POOLED_APPLICATION,
    CatalogFacts,
    checked_package_id,
    package_process,
    run_script,
    shutdown_script,
)
from .._host.metabase import Application, Metabase
from .._host.parsers.catalog import Package


@dataclass(frozen=True)
class Release:
    """What a strategy needs to write its sequence."""

    swap: Swap  # relative paths: the sequence runs in dest's folder
    stops: tuple[str, ...]
    starts: tuple[str, ...]
    unload_roots: tuple[Application, ...]
    backup: bool
    register: bool
    adsutil_path: str
    limit: int = CMD_LINE_LIMIT_NT4  # the host's command line: a script written in the sequence is cut to fit


class ServiceRestart:
    """Stop IIS Admin and everything that depends on it, swap, start what was running (in-process)."""

    method = "service_restart"
    phase = "restart"
    process = "inetinfo.exe"

    def blast_radius(self, mb: Metabase, site: int, roots: tuple[Application, ...], stops: tuple[str, ...]) -> dict:
        del roots
        sharing = [a.as_dict() for a in mb.sharing_process(Application("/", "", None, False, site))]
        return {
            "process": self.process,
            "applications": sharing,
            "services": list(stops),
            "note": "every in-process application of every site and every running IIS service stops",
        }

    def sequence(self, r: Release, compact: bool = True) -> list[str]:
        """Stop, swap, start: what happens inside the outage, then the common tail.

        net.exe prints a progress dot for every poll while a service is pending, and WinRS hands output to
        the client as it comes, so streaming it would cost a Receive round trip per dot.  The outage writes
        its output to a log beside dest instead and types it at the end; only the two markers that time the
        outage go straight to the client.  ``compact``: the outage is one block with one redirection (the
        shortest line); otherwise every command has its own, so that each fits a batch-file line.
        """
        s = r.swap
        log = quote_arg(s.p.log)
        fail = quote_arg(s.p.fail_flag)
        inner = IN_BLOCK if compact else log
        outage = [redirect(build_command("net", "stop", "IISADMIN", "/y"), sink(inner))] if r.stops else []
        # Still loaded once IIS is down: something else holds the DLL; keep the old one and start IIS again.
        outage += s.hold_if_still_loaded(inner)
        outage += s.swap_in("swap", inner, unless=s.p.held_flag)
        outage += s.register(inner) if r.register else []
        for svc in r.starts:
            # net.exe's exit code is reliable (an external program): remember each failure on the host.
            start = redirect(build_command("net", "start", svc), sink(inner))
            outage += [mark(f"start_{svc}", inner), f"{start}||(echo {svc})>>{fail}"]
        parts = [s.append_record(f"started={self.phase}"), marker("outage_begin")]
        parts.append(echo_to_file("@@stop", log, append=False))
        parts += [block(outage, log)] if compact else outage
        parts += [marker("outage_end"), build_command("type", log), build_command("del", log)]
        parts += [s.report_held(), *s.verify()]
        parts += s.tidy(r.backup, r.register)
        parts += [
            # A service that did not start again: keep the state record (the next run starts it), else drop it.
            s.append_record(f"finished={self.phase}"),
            s.drop_record_unless_failed(),
            marker("done"),
        ]
        return parts


class IsolatedUnload:
    """Unload each isolated application root, swap, probe the old image's lock (W3SVC keeps running)."""

    method = "unload"
    phase = "unload"
    process = "mtx.exe"

    @staticmethod
    def unload_parts(roots: tuple[Application, ...], adsutil_path: str) -> list[str]:
        """``APPUNLOAD`` of each root, by the AppRoot value as stored: IIS 4 matches it case-sensitively
        (KB Q246111).  Safe to repeat: unloading an unloaded application does nothing."""
        parts = [marker("unload")]
        for app in roots:
            target = host_arg(app.unload_path or "", "the application root")
            parts.append(f"{build_command('cscript', '//nologo', quote_arg(adsutil_path), 'APPUNLOAD', target)} 2>&1")
        return parts

    def blast_radius(self, mb: Metabase, site: int, roots: tuple[Application, ...], stops: tuple[str, ...]) -> dict:
        del site, stops
        sharing: list[dict[str, Any]] = []
        for root in roots:
            sharing += [a.as_dict() for a in mb.sharing_process(root)]
        return {
            "process": self.process,
            "applications": sharing,
            "services": [],
            "note": "only the isolated applications listed are unloaded; W3SVC keeps running",
        }

    def sequence(self, r: Release) -> list[str]:
        release = self.unload_parts(r.unload_roots, r.adsutil_path)
        return released_then_swapped(r, self.phase, release)


def released_then_swapped(r: Release, phase: str, release: list[str]) -> list[str]:
    """The sequence of a release that does not stop IIS: release, swap, probe whether the old image is still
    loaded, verify, and tidy when it is not (the controller waits and retries otherwise)."""
    s = r.swap
    parts = [s.append_record(f"started={phase}"), *release, *s.swap_in("swap")]
    parts += s.register() if r.register else []
    parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={phase}")]
    # When dest is the new DLL and the old image is no longer loaded, tidy up in the same line.  A failed
    # redirection fails the command for && (the usual batch idiom for testing a file lock).
    return [*parts, marker("tidy"), s.tidy_when_released(r.backup, r.register), marker("done")]


def mtxstop_parts() -> list[str]:
    """``mtxstop.exe``: every MTS server package process shuts down (silent)."""
    return [marker("mtxstop"), redirect(build_command(quote_arg(MTXSTOP)))]


class PackageShutdown:
    """Shut down the server package that owns the DLL, swap, probe the lock (IIS keeps serving).

    ``package`` None: the catalog could not say which package owns the DLL, and ``mtxstop.exe`` shuts down
    every MTS server package instead (the wider blast radius)."""

    phase = "package"

    def __init__(self, kind: str | None, package: Package | None) -> None:
        self.kind = kind
        self.package = package
        self.method = "package_shutdown" if package is not None else "mtxstop"
        self.process = package_process(kind, package)

    def blast_radius(
        self, mb: Metabase | None, site: int, roots: tuple[Application, ...], stops: tuple[str, ...]
    ) -> dict:
        del mb, site, roots, stops
        if self.package is None:
            note = (
                "the catalog could not say which package owns the DLL: mtxstop.exe shuts down every MTS server "
                "package (each starts again on its next call); IIS keeps serving"
            )
        else:
            note = (
                f"only the server package {self.package.name!r} shuts down (its process exits; the next call "
                "starts it again); IIS keeps serving every page that does not use it"
            )
        return {"process": self.process, "applications": [], "services": [], "note": note}

    def release_parts(self, script: str, limit: int) -> list[str]:
        if self.package is None or self.kind is None:
            return mtxstop_parts()
        package_id = checked_package_id(self.package)
        return [marker("shutdown"), *run_script(shutdown_script(self.kind), script, package_id, limit=limit)]

    def sequence(self, r: Release) -> list[str]:
        return released_then_swapped(r, self.phase, self.release_parts(r.swap.p.catalog_script, r.limit))


APPCMD_DEFAULT = appcmd_path(None)


def pool_command(tool: str, verb: str, pool: str, adsutil_path: str, appcmd: str = APPCMD_DEFAULT) -> str:
    """Start, stop or ask the state of an application pool: ``appcmd`` (IIS 7+), or adsutil's ``AppPoolCommand``
    (1 start, 2 stop) and ``AppPoolState`` on IIS 6 (adsutil has no recycle verb)."""
    name = host_arg(pool, "the application pool")
    if tool == "appcmd":
        # The full path, never %SystemRoot%: the sequence may become a batch file, where % means something else.
        program = quote_arg(appcmd)
        if verb == "state":
            return redirect(f"{program} list apppool {name}")
        return redirect(f"{program} {verb} apppool /apppool.name:{name}")
    key = host_arg(f"W3SVC/AppPools/{pool}/AppPool" + ("State" if verb == "state" else "Command"), "the pool's key")
    args = ["GET", key] if verb == "state" else ["SET", key, "1" if verb == "start" else "2"]
    return redirect(build_command("cscript", "//nologo", quote_arg(adsutil_path), *args))


class PoolRestart:
    """Stop the application pool(s) of the applications, swap, start them again (IIS 6 worker process isolation,
    IIS 7 and later).  W3SVC and every other pool keep serving; the pool's applications answer 503 between the
    stop and the start.  Where the host let the loaded DLL be renamed at staging, the old worker process keeps
    the old image under the backup's name while it exits, and the restarted pool's new worker loads the new DLL.
    """

    method = "pool_restart"
    phase = "pool"
    process = "w3wp.exe"

    def __init__(self, pools: tuple[str, ...], tool: str, appcmd: str = "") -> None:
        self.pools = pools
        self.tool = tool  # "appcmd" or "adsutil"
        self.appcmd = appcmd or APPCMD_DEFAULT  # appcmd.exe's full path on this host

    def blast_radius(self, apps: list[dict[str, Any]]) -> dict:
        return {
            "process": "w3wp.exe of " + ", ".join(self.pools),
            "pools": list(self.pools),
            "applications": apps,
            "services": [],
            "note": "only the application pools listed stop and start again; W3SVC and every other pool keep serving",
        }

    def stop_parts(self, adsutil_path: str) -> list[str]:
        parts = [marker("pool_stop")]
        return parts + [pool_command(self.tool, "stop", pool, adsutil_path, self.appcmd) for pool in self.pools]

    def start_parts(self, adsutil_path: str) -> list[str]:
        return self._per_pool("start", adsutil_path)

    def state_parts(self, adsutil_path: str) -> list[str]:
        return self._per_pool("state", adsutil_path)

    def _per_pool(self, verb: str, adsutil_path: str) -> list[str]:
        """``verb`` for each pool, each under its own marker ``pool_<verb>_<n>`` (its output is read per pool)."""
        parts = []
        for i, pool in enumerate(self.pools):
            parts += [marker(f"pool_{verb}_{i}"), pool_command(self.tool, verb, pool, adsutil_path, self.appcmd)]
        return parts

    def sequence(self, r: Release) -> list[str]:
        s = r.swap
        parts = [s.append_record(f"started={self.phase}"), *self.stop_parts(r.adsutil_path), *s.swap_in("swap")]
        parts += s.register() if r.register else []
        parts += [*self.start_parts(r.adsutil_path), *self.state_parts(r.adsutil_path)]
        parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={self.phase}")]
        return [*parts, marker("tidy"), s.tidy_when_released(r.backup, r.register), marker("done")]


def package_strategy(catalog: CatalogFacts | None, dest: str) -> PackageShutdown | None:
    """The package to shut down: the server package that registers dest; or, where the host has MTS but its
    catalog could not be read, every MTS server package (mtxstop.exe) unless the processes that have dest
    loaded are known and none of them is an mtx.exe.  None: the IIS rules apply (library package, none)."""
    if catalog is None:
        return None
    owner = catalog.owner(dest)
    if owner is not None:
        return PackageShutdown(catalog.kind, owner) if owner.server else None
    held_by_mtx = catalog.holders is None or any(h.image.lower() == "mtx.exe" for h in catalog.holders)
    if catalog.error and catalog.mtxstop and held_by_mtx:
        return PackageShutdown(None, None)
    return None


def pooled_strategy(catalog: CatalogFacts | None, apps: tuple[Application, ...]) -> PackageShutdown | None:
    """IIS 5 pooled applications (all of those named; none in-process or isolated on its own): shut down the
    COM+ application they share, found in the catalog by its name.  None when the catalog does not list it."""
    if not apps or not all(a.pooled for a in apps) or catalog is None or catalog.kind != "complus":
        return None
    pooled = next((p for p in catalog.packages if p.name.lower() == POOLED_APPLICATION.lower() and p.server), None)
    return PackageShutdown("complus", pooled) if pooled is not None else None


class FirstCopy:
    """dest does not exist yet (a first deploy): nothing has it loaded, so nothing is stopped or unloaded."""

    method = "copy"
    phase = "copy"
    process = None

    def blast_radius(
        self, mb: Metabase | None, site: int, roots: tuple[Application, ...], stops: tuple[str, ...]
    ) -> dict:
        del mb, site, roots, stops
        return {"process": None, "applications": [], "services": [], "note": "dest does not exist yet: nothing stops"}

    def sequence(self, r: Release) -> list[str]:
        s = r.swap
        parts = [s.append_record(f"started={self.phase}"), *s.swap_in("swap")]
        parts += s.register() if r.register else []
        parts += [*s.verify(), *s.tidy(r.backup, r.register), s.append_record(f"finished={self.phase}")]
        return [*parts, s.drop_record_unless_failed(), marker("done")]


#: The strategy for each isolation the plan can choose.
STRATEGIES: dict[str, Any] = {"in_process": ServiceRestart(), "out_of_process": IsolatedUnload()}
#: The strategy an unload falls back to when it does not free the DLL.
FALLBACK = STRATEGIES["in_process"]
#: The strategy when dest does not exist yet, whatever the isolation.
FIRST_COPY = FirstCopy()

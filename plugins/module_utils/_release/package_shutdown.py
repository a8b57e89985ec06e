# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package shutdown: the DLL belongs to an MTS server package or a COM+ server application.

Shut down that package only (or, where the catalog cannot say which package owns the DLL, every MTS server
package with ``mtxstop.exe``), swap, probe the lock; IIS keeps serving.  IIS 5's pooled applications share the
COM+ application "IIS Out-Of-Process Pooled Applications", which is shut down the same way.  When the DLL stays
loaded because IIS loads it too, the release goes on with what IIS alone would do (``Plan.iis``).
"""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import build_command, marker, quote_arg, redirect
from .._host.catalog import (
    CATALOGS,
    IIS_IMAGES,
    MTXSTOP,
    POOLED_APPLICATION,
    checked_package_id,
    holders_text,
    package_process,
    run_script,
    shutdown_script,
    start_parts,
)
from .._host.parsers.catalog import Package, parse_answer
from .._host.parsers.common import Sections
from .._host.parsers.holders import Holder
from .._host.parsers.sequence import SequenceOutput
from ..errors import StepFailed
from .base import Release, Scope, released_then_swapped
from .run import ReleaseRun


def mtxstop_parts() -> list[str]:
    """``mtxstop.exe``: every MTS server package process shuts down (silent)."""
    return [marker("mtxstop"), redirect(build_command(quote_arg(MTXSTOP)))]


def package_words(plan: Any) -> str:
    """``the MTS package 'Shop' {id}``, or every MTS server package for mtxstop.exe."""
    package = plan.strategy.package
    if package is None:
        return "every MTS server package (mtxstop.exe)"
    kind = "COM+ application" if plan.catalog is not None and plan.catalog.kind == "complus" else "MTS package"
    return f"the {kind} {package.name!r} {package.id}"


class PackageShutdown:
    """Shut down the server package that owns the DLL, swap, probe the lock (IIS keeps serving).

    ``package`` None: the catalog could not say which package owns the DLL, and ``mtxstop.exe`` shuts down
    every MTS server package instead (the wider blast radius)."""

    phase = "package"
    stops_services = False

    def __init__(self, kind: str | None, package: Package | None) -> None:
        self.kind = kind
        self.package = package
        self.method = "package_shutdown" if package is not None else "mtxstop"
        self.process = package_process(kind, package)

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
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
        blast: dict[str, Any] = {"process": self.process, "applications": [], "services": [], "note": note}
        if self.package is None and scope.metabase is not None:
            # IIS 4's isolated applications are MTS server packages too (IIS-{site//Root/app}, each its mtx.exe):
            # mtxstop.exe ends them as well.
            isolated = [a.as_dict() for a in scope.metabase.applications() if a.isolated]
            blast["applications"] = isolated
            if isolated:
                blast["note"] += "; every isolated application's mtx.exe ends too (it restarts on its next request)"
        if self.package is not None and self.package.name == POOLED_APPLICATION:
            mb = scope.metabase
            blast["applications"] = [a.as_dict() for a in mb.pooled_applications()] if mb else []
            blast["note"] = (
                f"the COM+ application {POOLED_APPLICATION!r} shuts down: every pooled application of the host "
                "restarts on its next request; IIS and the other applications keep serving"
            )
        return blast

    def release_parts(self, script: str, limit: int) -> list[str]:
        if self.package is None or self.kind is None:
            return mtxstop_parts()
        package_id = checked_package_id(self.package)
        return [marker("shutdown"), *run_script(shutdown_script(self.kind), script, package_id, limit=limit)]

    def sequence(self, r: Release) -> list[str]:
        return released_then_swapped(r, self.phase, self.release_parts(r.swap.p.catalog_script, r.limit))

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """Shut down the package (or every MTS server package), swap, and check the old image is free.

        Still loaded: while a process that can be the package's own still has it (exiting), wait a while;
        when the catalog refused the shutdown, mtxstop.exe (MTS) ends every server package; when only IIS's
        processes hold it now (the application also loads the DLL itself), go on with the IIS plan.
        """
        plan, result = run.plan, run.result
        apply = step or plan.step("apply")
        out = run.send(apply)
        run.report.set_services([], [])
        answer = parse_answer(out["shutdown"])
        released = run.released(out)
        holders: tuple[Holder, ...] | None = None
        asked = False  # holders were read and nothing happened on the host since
        if not released and self.package is not None and not answer.ok and plan.mtxstop is not None:
            note = f"the catalog refused to shut the package down ({answer.message})"
            result["fallback"] = note
            result["method"] = "mtxstop"
            if run.wait_until_free(plan.mtxstop):
                out = run.send(apply)
                released = run.released(out)
        elif not released and (answer.ok or self.package is None):
            holders, asked = run.holders_now(), True
            if self._may_exit(holders, plan):
                asked = False
                if run.wait_until_free():
                    out = run.send(apply)
                    released = run.released(out)
        if released:
            run.tidy_if_left(out)
            result["outage_seconds"] = 0.0
            if run.params.package_restart and plan.package is not None:
                self._start_package(run)
            self.conclude(out, run, note)
            return
        if not asked:
            holders = run.holders_now()
        said = holders_text(holders, run.holders_tool)
        package = self.package
        # IIS's own pooled COM+ application ends with IIS too: a refusal leads to the IIS procedure, not a failure.
        iis_pool = package is not None and package.name.lower() == POOLED_APPLICATION.lower()
        refused = self.package is not None and not answer.ok and result.get("method") != "mtxstop"
        if refused and not iis_pool:
            run.put_old_back()
            raise StepFailed(
                "shutdown",
                f"the catalog did not shut down the package {package.name!r} ({answer.code or 'no code'}: "
                f"{answer.message}) and mtxstop.exe is not available here, so the DLL stays loaded by: {said}; "
                "dest holds the OLD DLL again (restored from the backup); IIS was not touched",
                out.text,
            )
        if holders is not None and not any(h.image.lower() in IIS_IMAGES for h in holders):
            run.put_old_back()
            raise StepFailed(
                "shutdown",
                f"the package was shut down but the DLL is still loaded by: {said}, which restarting IIS would "
                "not end; dest holds the OLD DLL again (restored from the backup); IIS was not touched",
                out.text,
            )
        reason = f"the DLL was still loaded after the package shut down (by: {said})"
        if refused:
            reason = f"the catalog refused to shut down {package.name!r} ({answer.message}; loaded by: {said})"
        result["fallback"] = reason
        # What IIS alone would do, in the same run (the same report and state record).
        plan.iis.strategy.release(run.for_plan(plan.iis), note=f"{reason}, so the IIS rules applied")

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """A released package: the common checks and the sentence."""
        run.ran_to_end(out)
        run.finish(out, note, self.done)

    @staticmethod
    def done(run: ReleaseRun) -> str:
        r = run.result
        what = (
            package_words(run.plan) if r["method"] == "package_shutdown" else "every MTS server package (mtxstop.exe)"
        )
        again = "started again" if r.get("package_started") else "the next call starts it again"
        return f"shut down {what} ({again}); W3SVC kept running"

    @staticmethod
    def prediction(plan: Any, paths: Any, unload_fallback: bool) -> str:
        then = plan.iis.strategy.prediction(plan.iis, paths, unload_fallback)
        return (
            f"would shut down {package_words(plan)}, swap {paths.dest}; W3SVC keeps running; if the DLL stayed "
            f"loaded (IIS loads it too), it then {then}"
        )

    @staticmethod
    def _start_package(run: ReleaseRun) -> None:
        """Start the package again (``package_restart``): create its component, which maps the new DLL."""
        plan = run.plan
        kind = plan.catalog.kind if plan.catalog is not None else None
        paths = run.report.paths
        parts = start_parts(kind, plan.package, paths.dest, paths.relative().catalog_script, run.target.cmdline_limit)
        if kind is None or parts is None:
            run.result["package_started"] = False
            run.report.warn("package_restart: the catalog names no ProgID for dest, so the package was not started")
            return
        res = run.session.run("package_start", parts, here=True)
        answer = parse_answer(Sections.parse(res.output)["start"], "STARTED")
        run.result["package_started"] = answer.ok
        if not answer.ok:
            run.report.warn(
                f"package_restart: the package {plan.package.name!r} did not start again ({answer.code or 'no code'}: "
                f"{answer.message}); the new DLL is in place and the next call will try again"
            )

    @staticmethod
    def _may_exit(holders: tuple[Holder, ...] | None, plan: Any) -> bool:
        """Is the package's own process (or one like it) still among ``holders``?  Unknown holders: maybe."""
        if holders is None:
            return True
        image = CATALOGS.get(plan.catalog.kind or "mts", CATALOGS["mts"])["image"]
        return any(h.image.lower() == image for h in holders)

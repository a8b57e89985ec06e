# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Isolated unload: ``APPUNLOAD`` each isolated application root, swap, probe the old image's lock.

For applications isolated in their own process (mtx.exe on IIS 4, dllhost.exe on IIS 5); W3SVC keeps
running.  The process exits some time after the unload, so a DLL still loaded is waited for; then the host's
other isolated applications are unloaded too (one of them may load the DLL); then the plan's fallback (a full
restart, option ``unload_fallback``) runs, or the new DLL is taken back out.
"""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import build_command, marker, quote_arg
from .._cmd.validate import host_arg
from .._host.metabase import Application
from .._host.parsers.adsutil import parse_adsutil_error
from .._host.parsers.sequence import SequenceOutput
from ..errors import StepFailed
from .base import Release, Scope, released_then_swapped, unknown_radius
from .run import ReleaseRun


class IsolatedUnload:
    """Unload each isolated application root, swap, probe the old image's lock (W3SVC keeps running)."""

    method = "unload"
    phase = "unload"
    process = "mtx.exe"
    stops_services = False

    @staticmethod
    def unload_parts(roots: tuple[Application, ...], adsutil_path: str) -> list[str]:
        """``APPUNLOAD`` of each root, by the AppRoot value as stored: IIS 4 matches it case-sensitively
        (KB Q246111).  Safe to repeat: unloading an unloaded application does nothing."""
        parts = [marker("unload")]
        for app in roots:
            target = host_arg(app.unload_path or "", "the application root")
            parts.append(f"{build_command('cscript', '//nologo', quote_arg(adsutil_path), 'APPUNLOAD', target)} 2>&1")
        return parts

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        if scope.metabase is None:
            blast = unknown_radius(self.process, scope, [])
        else:
            sharing: list[dict[str, Any]] = []
            for root in scope.roots:
                sharing += [a.as_dict() for a in scope.metabase.sharing_process(root)]
            blast = {
                "process": self.process,
                "applications": sharing,
                "services": [],
                "note": "only the isolated applications listed are unloaded; W3SVC keeps running",
            }
        blast["if_still_loaded"] = {
            "applications": [a.as_dict() for a in scope.others],
            "then": "restart IIS (every in-process application and IIS service)" if scope.falls_back else "fail",
        }
        return blast

    def sequence(self, r: Release) -> list[str]:
        return released_then_swapped(r, self.phase, self.unload_parts(r.unload_roots, r.adsutil_path))

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """Unload and swap; while the DLL stays loaded: wait for the process to exit, unload the other isolated
        applications, then fall back to the full restart (or take the new DLL back out)."""
        plan, result = run.plan, run.result
        result["method"] = self.method
        apply = step or plan.step("apply")
        out = run.send(apply)
        released = run.released(out)
        unloaded = list(plan.unload_roots)
        run.report.set_services([], [])
        if not released and run.wait_until_free():
            # mtx.exe exits some time after APPUNLOAD: now that the file is free, the same sequence finishes.
            out = run.send(apply)
            released = run.released(out)
        if not released and plan.widen is not None and run.wait_until_free(plan.widen):
            # Another isolated application's process had the DLL loaded too: unloading those freed it.
            unloaded += list(plan.widen_roots)
            also = (
                "the DLL was also loaded by "
                + ", ".join("/LM/" + (a.unload_path or "") for a in plan.widen_roots)
                + ", which were unloaded too"
            )
            note = "; ".join(filter(None, [note, also]))
            out = run.send(apply)
            released = run.released(out)
        if released:
            run.tidy_if_left(out)
            result["outage_seconds"] = 0.0
            result["unloaded"] = [a.unload_path for a in unloaded]
            self.conclude(out, run, note)
            return
        unload_text = out["unload"]
        unload_err = parse_adsutil_error(unload_text)
        reason = "unloading did not release the DLL (it is still loaded)"
        if unload_err is not None:
            reason = f"adsutil APPUNLOAD failed: {unload_err.message}"
        if plan.fallback is None:
            # The old DLL stays loaded: take the new one back out, so dest matches what runs and a rerun
            # does the whole update again instead of finding "nothing to do".
            run.put_old_back()
            raise StepFailed(
                "unload",
                f"{reason}; it is loaded by: {run.holders()}; unload_fallback is off, so IIS was not restarted; "
                "dest holds the OLD DLL again (restored from the backup) and nothing else changed; unload the "
                "application, or set unload_fallback to restart IIS",
                unload_text,
            )
        result["fallback"] = reason
        fell_back = f"fell back to restarting IIS because {reason}"
        plan.fallback_strategy.release(run, plan.fallback, f"{note}; {fell_back}" if note else fell_back)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """A released unload: the common checks and the sentence."""
        run.ran_to_end(out)
        run.finish(out, note, self.done)

    @staticmethod
    def done(run: ReleaseRun) -> str:
        roots = run.plan.unload_roots
        return "unloaded " + ", ".join("/LM/" + (a.unload_path or "") for a in roots) + "; W3SVC kept running"

    @staticmethod
    def prediction(plan: Any, paths: Any, unload_fallback: bool) -> str:
        apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"])
        return f"would unload {apps or 'none'} (isolated), swap {paths.dest}; W3SVC keeps running" + (
            "; if the lock is not released it would fall back to restarting IIS" if unload_fallback else ""
        )

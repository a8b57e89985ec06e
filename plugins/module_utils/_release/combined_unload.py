# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Combined unload: several DLLs of the same isolated applications released by ONE unload of each (issue 23).

The unload's sequence (``unload``) with every DLL of ``Release.swaps``: ``APPUNLOAD`` each application root once,
swap every DLL, check every one and put every one back when any is not the new DLL (``combined_restart``), then
each DLL's registration, lock probe, check and tidy under its own marker label.  While a DLL stays loaded (the
process exits some time after the unload) the group waits for every DLL, widens the unload to the host's other
isolated applications, then falls back to one combined full restart, or every DLL is put back.
"""

from __future__ import annotations

from typing import Any

from .._host.parsers.adsutil import parse_adsutil_error
from .._host.parsers.sequence import SequenceOutput
from ..errors import StepFailed
from .base import Release
from .combined_restart import Member, MembersFailed, conclude_each, ran_to_end, released_then_swapped_all, send_group
from .run import ReleaseRun
from .unload import IsolatedUnload


class CombinedUnload(IsolatedUnload):
    """Unload each isolated application root once, swap every DLL, probe each one's lock (W3SVC keeps running)."""

    def sequence(self, r: Release) -> list[str]:
        return released_then_swapped_all(r, self.phase, self.unload_parts(r.unload_roots, r.adsutil_path))

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """As one DLL's unload, for every DLL at once: wait while any is still loaded, widen, then fall back to
        the group's full restart (or put every DLL back)."""
        plan, group = run.plan, run.group
        apply = step or plan.step("apply")
        out, released = send_group(run, apply)
        unloaded = list(plan.unload_roots)
        for m in group:
            m.run.result["method"] = self.method
            m.run.report.set_services([], [])
        if not released and all(m.run.wait_until_free() for m in group):
            out, released = send_group(run, apply)  # the processes have exited: the same sequence finishes now
        widened = not released and plan.widen is not None and run.wait_until_free(plan.widen)
        if widened and all(m.run.wait_until_free() for m in group):
            unloaded += list(plan.widen_roots)
            also = "the DLLs were also loaded by " + ", ".join("/LM/" + (a.unload_path or "") for a in plan.widen_roots)
            note = "; ".join(filter(None, [note, also + ", which were unloaded too"]))
            out, released = send_group(run, apply)
        if released:
            run.result["unloaded"] = [a.unload_path for a in unloaded]
            self.conclude(out, run, note)
            return
        unload_err = parse_adsutil_error(out["unload"])
        reason = "unloading did not release every DLL (one is still loaded)"
        if unload_err is not None:
            reason = f"adsutil APPUNLOAD failed: {unload_err.message}"
        if plan.fallback is None:
            failure = StepFailed(
                "unload",
                f"{reason}; it is loaded by: {run.holders()}; unload_fallback is off, so IIS was not restarted; every "
                "DLL of the task's release holds its OLD DLL again and nothing else changed",
                out["unload"],
            )
            for m in group:
                m.run.put_old_back()
            raise MembersFailed(dict.fromkeys(range(len(group)), failure))
        for m in group:
            m.run.result["fallback"] = reason
        fell_back = f"fell back to restarting IIS because {reason}"
        plan.fallback_strategy.release(run, plan.fallback, f"{note}; {fell_back}" if note else fell_back)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """Every DLL released: each one's leftovers tidied, the common checks."""
        ran_to_end(out, run)
        run.result["outage_seconds"] = 0.0
        unloaded = run.result.get("unloaded") or [a.unload_path for a in run.plan.unload_roots]

        def each(member: Member, mine: SequenceOutput) -> None:
            member.run.tidy_if_left(mine)
            member.run.result["unloaded"] = unloaded
            member.run.finish(mine, note, lambda r: f"{self.done(r)}; one unload for {len(run.group)} DLLs")

        conclude_each(out, run, self.method, each)

    @staticmethod
    def predict_group(plan: Any, dests: list[str]) -> str:
        """Check mode's sentence for one DLL of the group."""
        apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"])
        return (
            f"would unload {apps or 'none'} (isolated) ONCE for {len(dests)} DLLs, swap {', '.join(dests)} (every "
            "one put back if any is not the new DLL); W3SVC keeps running"
        )

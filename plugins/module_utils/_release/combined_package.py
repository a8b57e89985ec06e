# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Combined package shutdown: several DLLs of the same MTS server package or COM+ server application released by
ONE shutdown of it (issue 23).

The package shutdown's sequence (``package_shutdown``) with every DLL of ``Release.swaps``: shut the package down
once, swap every DLL, check every one and put every one back when any is not the new DLL (``combined_restart``),
then each DLL's registration, lock probe, check and tidy under its own marker label.  While the package's process
is still exiting the group waits for every DLL.  When a DLL stays loaded for another reason (IIS loads it too, the
catalog refused the shutdown), every DLL has been put back and each goes on with its own release, one by one, as
it would alone (its package shutdown, then the IIS rules where they apply).
"""

from __future__ import annotations

from typing import Any

from .._host.parsers.catalog import parse_answer
from .._host.parsers.sequence import SequenceOutput
from ..errors import IIS4Error
from .base import Release
from .combined_restart import Member, MembersFailed, conclude_each, ran_to_end, released_then_swapped_all, send_group
from .package_shutdown import PackageShutdown, package_words
from .run import ReleaseRun


class CombinedPackageShutdown(PackageShutdown):
    """Shut the package down once, swap every DLL, probe each one's lock (IIS keeps serving)."""

    @classmethod
    def of(cls, one: PackageShutdown) -> CombinedPackageShutdown:
        return cls(one.kind, one.package)

    def sequence(self, r: Release) -> list[str]:
        return released_then_swapped_all(r, self.phase, self.release_parts(r.swap.p.catalog_script, r.limit))

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        plan, group = run.plan, run.group
        apply = step or plan.step("apply")
        out, released = send_group(run, apply)
        for m in group:
            m.run.report.set_services([], [])
        answer = parse_answer(out["shutdown"])
        if not released and (answer.ok or self.package is None):
            holders = run.holders_now()
            if self._may_exit(holders, plan) and all(m.run.wait_until_free() for m in group):
                out, released = send_group(
                    run, apply
                )  # the package's process has exited: the same sequence finishes now
        if released:
            run.result["outage_seconds"] = 0.0
            if run.params.package_restart and plan.package is not None:
                self._start_package(run)
            self.conclude(out, run, note)
            return
        self.one_by_one(run, answer.message if not answer.ok else "a DLL was still loaded after the shutdown")

    @staticmethod
    def one_by_one(run: ReleaseRun, why: str) -> None:
        """Every DLL is the old one again (the group was put back in the sequence): each goes on with its own
        release, as it would alone.  Raises MembersFailed naming the DLLs that failed."""
        failures: dict[int, IIS4Error] = {}
        for i, member in enumerate(run.group):
            member.run.result["fallback"] = (
                f"the one package shutdown did not free every DLL ({why}): released one by one"
            )
            try:
                member.alone.strategy.release(member.run.for_plan(member.alone))
            except IIS4Error as exc:
                failures[i] = exc
        if failures:
            raise MembersFailed(failures)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        ran_to_end(out, run)

        def each(member: Member, mine: SequenceOutput) -> None:
            member.run.tidy_if_left(mine)
            member.run.finish(mine, note, lambda r: f"{self.done(r)}; one shutdown for {len(run.group)} DLLs")

        conclude_each(out, run, self.method, each)

    @staticmethod
    def predict_group(plan: Any, dests: list[str]) -> str:
        """Check mode's sentence for one DLL of the group."""
        return (
            f"would shut down {package_words(plan)} ONCE for {len(dests)} DLLs, swap {', '.join(dests)} (every one "
            "put back if any is not the new DLL); W3SVC keeps running; a DLL that stays loaded then goes on alone"
        )

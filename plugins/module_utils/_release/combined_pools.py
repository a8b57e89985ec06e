# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Combined pool restart: several DLLs of the same application pools released by ONE stop and start of each
pool (issue 23).

The pool restart's sequence (``pool_restart``) with every DLL of ``Release.swaps``: stop the pools once, swap
every DLL, check every one and put every one back when any is not the new DLL (``combined_restart``), register,
start the pools once, then each DLL's lock probe, check and tidy under its own marker label.  A swap the old
worker process still blocked is retried once every DLL is free, as for one DLL; when a DLL stays loaded the
group falls back to one combined full restart (WAS), or every DLL is put back.
"""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import marker, quote_arg
from .._cmd.swap import Swap
from .._host.parsers.sequence import SequenceOutput
from ..errors import StepFailed
from .base import Release
from .combined_restart import Member, MembersFailed, check_every_one, conclude_each, group_started, ran_to_end
from .elevation import was_refusal, was_refused
from .pool_restart import PoolRestart
from .run import ReleaseRun


class CombinedPoolRestart(PoolRestart):
    """Stop the pools once, swap every DLL, start them once (IIS 6 worker process isolation, IIS 7+)."""

    @classmethod
    def of(cls, one: PoolRestart) -> CombinedPoolRestart:
        """The same pools, tool and limits as one DLL's pool restart."""
        return cls(
            (*one.pools, *one.stopped),
            one.tool,
            one.appcmd,
            one.stopped,
            one.shutdown_limit,
            host_pools=one.host_pools,
            host_sites=one.host_sites,
        )

    def sequence(self, r: Release) -> list[str]:
        swaps = r.swaps
        down = [marker("outage_begin")] if self.pools else []
        up = [marker("outage_end")] if self.pools else []
        parts = [*group_started(swaps, self.phase), *down, *self.stop_parts(r.adsutil_path)]
        for s in swaps:
            parts += s.swap_in("swap")
        parts += check_every_one(swaps, quote_arg(swaps[0].p.group_flag), None)
        for s in swaps:
            parts += s.register() if r.register else []
        parts += [*self.start_parts(r.adsutil_path), *up, *self.state_parts(r.adsutil_path)]
        for s in swaps:
            parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={self.phase}")]
            parts += [marker(s.at("tidy")), s.tidy_when_released(r.backup, r.register)]
        return [*parts, marker("done")]

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """As one DLL's pool restart: a swap the exiting worker still blocked is sent again once every DLL is
        free; when one never is, the pools start again and the group falls back to one full restart, or every
        DLL is put back."""
        plan, group = run.plan, run.group
        apply = step or plan.step("apply")
        readback = [part for m in group for part in m.swap.verify()]
        out = run.send(apply, [*readback, *run.running_parts()])
        ran_to_end(out, run)
        for m in group:
            m.run.report.set_services([], [])
        if self.tool == "appcmd" and self.pools and was_refused(out["pool_stop"]):
            # review S13 (WAS down, or an account without an elevated token): no pool stopped, every worker still has
            # its old DLL loaded
            failure = was_refusal(run.session, out["pool_stop"], self.pools, out.text, "each dest holds its old DLL")
            for m in group:
                m.run.put_old_back()
            raise MembersFailed(dict.fromkeys(range(len(group)), failure))
        labels = tuple(m.swap.label for m in group)
        if any(self._swap_blocked(out.of(label, labels)) for label in labels):
            adsutil_path = run.target.adsutil_path
            run.session.run("pool_stop", self.stop_parts(adsutil_path), here=True)
            bound = self.exit_wait(run.params.timeout)
            if all(m.run.wait_until_free(bound=bound) for m in group):
                out = run.send(apply, [*readback, *run.running_parts()])
                ran_to_end(out, run)
            else:
                run.session.run("pool_start", self.start_parts(adsutil_path), here=True)
                self._not_freed(run, note, out)
                return
        self.conclude(out, run, note)

    def _not_freed(self, run: ReleaseRun, note: str, out: SequenceOutput) -> None:
        """A DLL stayed loaded after the pools stopped: fall back to the group's full restart, or fail with every
        old DLL in place."""
        plan, group = run.plan, run.group
        holders = run.holders()
        reason = f"the worker process of {', '.join(self.pools)} did not let go of a DLL ({holders})"
        if plan.fallback is not None:
            for m in group:
                m.run.result["fallback"] = reason
            try:
                plan.fallback_strategy.release(run, plan.fallback, f"fell back to restarting IIS because {reason}")
            finally:
                self.keep_pool_states(run)
            return
        for m in group:
            m.run.put_old_back()
        again = self.started_again(run, "the pools were")
        failure = StepFailed(
            "stop",
            f"{reason} {self.exit_wait(run.params.timeout):.0f} seconds after the pools stopped; {again} and every "
            "DLL of the task's release holds its old DLL; unload_fallback is off, so IIS was not restarted",
            out.text,
        )
        raise MembersFailed(dict.fromkeys(range(len(group)), failure))

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """The pools once (started again, the outage), then each DLL: its old image free or still held by an
        exiting worker, then the common checks."""
        ran_to_end(out, run)
        not_started = self.read_pools(out, run)
        if not_started:
            failure = StepFailed(
                "start",
                f"the new DLLs are in place but these application pools did not start again: {'; '.join(not_started)}",
                out.text,
            )
            for m in run.group:
                m.run.report.keep_record()
            raise MembersFailed(dict.fromkeys(range(len(run.group)), failure))

        def each(member: Member, mine: SequenceOutput) -> None:
            one = member.run
            if mine.verified and one.still_locked(mine) and not one.wait_until_free():
                one.session.run("cleanup", [Swap(one.report.paths).drop_record()])
                one.report.warn(f"the old DLL is still loaded by an exiting worker process: {one.holders()}")
            elif mine.verified:
                one.tidy_if_left(mine)
            one.finish(mine, note, lambda r: f"{self.done(r)}; one outage for {len(run.group)} DLLs")

        conclude_each(out, run, self.method, each)

    def predict_group(self, plan: Any, dests: list[str]) -> str:
        """Check mode's sentence for one DLL of the group."""
        return (
            f"would stop the application pool(s) {', '.join(self.pools)} ONCE for {len(dests)} DLLs, swap "
            f"{', '.join(dests)} (every one put back if any is not the new DLL) and start them again; W3SVC and "
            "every other pool keep serving"
        )

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a ``pool_restart`` plan (IIS 6 worker process isolation, IIS 7 and later): part of :class:`apply.Apply`."""

from __future__ import annotations

from typing import Any

from .._cmd.swap import Swap
from .._host.facts import section
from .._host.parsers.common import classify_error, split_sections
from .._host.parsers.versions import pool_started
from .._transport.winrm_runner import CommandResult
from ..errors import StepFailed

#: The longest wait for an exiting process to free the DLL (seconds; a quarter of ``timeout`` when shorter).
UNLOAD_WAIT = 30.0


class PoolRelease:
    """Mixed into :class:`apply.Apply`, whose helpers (``_send``, ``_wait_until_free``, ...) it uses."""

    plan: Any
    p: Any
    session: Any
    report: Any
    result: dict[str, Any]

    def _pool(self) -> None:
        """Stop the pools, swap, start them (one sequence).  When the swap could not happen because the old
        w3wp.exe still held dest (a host that does not let a loaded DLL be renamed), stop the pools again, wait
        for the worker to exit, and run the sequence once more; if it never lets go, start the pools again and
        fail with the old DLL in place."""
        plan = self.plan
        strategy = plan.strategy
        apply = plan.step("apply")
        adsutil_path = self.p.adsutil_path
        res = self._send(apply)
        self._ran_to_end(res)
        self.report.set_services([], [])
        if not self._verified(res) and self._swap_blocked(res):
            self.session.run("pool_stop", strategy.stop_parts(adsutil_path), here=True)
            if self._wait_until_free():
                res = self._send(apply)
                self._ran_to_end(res)
            else:
                self.session.run("pool_start", strategy.start_parts(adsutil_path), here=True)
                holders = self._holders()
                if plan.fallback is not None:
                    reason = f"the worker process of {', '.join(strategy.pools)} did not let go of the DLL ({holders})"
                    self.result["fallback"] = reason
                    self._restart(plan.fallback, note=f"fell back to restarting IIS because {reason}")
                    return
                self._rollback()
                self.report.old_dll_in_place()
                raise StepFailed(
                    "stop",
                    f"the worker process of {', '.join(strategy.pools)} still had the DLL loaded "
                    f"{min(UNLOAD_WAIT, self.p.timeout / 4):.0f} seconds after the pool stopped (loaded by: "
                    f"{holders}); the pool was started again and dest holds the old DLL; unload_fallback is off, so "
                    "IIS was not restarted; nothing else changed",
                    res.output,
                )
        not_started = self._pools_not_started(res)
        self.result["pools"] = list(strategy.pools)
        self.result["outage_seconds"] = 0.0
        if not_started:
            kept = self.report.keep_record()
            raise StepFailed(
                "start",
                f"the new DLL is in place but these application pools did not start again: {'; '.join(not_started)}"
                + kept,
                res.output,
            )
        if self._verified(res) and self._still_locked(res) and not self._wait_until_free():
            # The old w3wp.exe is still exiting with the old image (under the backup's name); the restarted pool
            # already runs the new DLL, so the update is done: drop the record, leave the backup.
            self.session.run("cleanup", [Swap(self.report.paths).drop_record()])
            self.report.warn(f"the old DLL is still loaded by an exiting worker process: {self._holders()}")
        elif self._verified(res):
            self._tidy_if_left(res)
        self._conclude(res, "")

    @staticmethod
    def _swap_blocked(res: CommandResult) -> bool:
        swap = section(split_sections(res.output), "swap")
        return classify_error(swap) in ("sharing_violation", "access_denied")

    def _pools_not_started(self, res: CommandResult) -> list[str]:
        """Each pool that the state read after the start does not show as started, with what it showed."""
        s = split_sections(res.output)
        bad = []
        for i, pool in enumerate(self.plan.strategy.pools):
            text = section(s, f"pool_state_{i}")
            if res.step.startswith("readback") and not text:
                continue
            if not pool_started(text):
                bad.append(f"{pool}: {' '.join(text.split())[:200] or 'no state was printed'}")
        return bad

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pool restart: stop the application pool(s) of the applications, swap, start them again.

For IIS 6 worker process isolation and IIS 7 and later (one w3wp.exe per pool).  W3SVC and every other pool
keep serving; the pool's applications answer 503 between the stop and the start.  Where the host let the
loaded DLL be renamed at staging, the old worker process keeps the old image under the backup's name while it
exits, and the restarted pool's new worker loads the new DLL.
"""

from __future__ import annotations

import time
from typing import Any

from .._cmd.cmdline import marker
from .._cmd.swap import Swap
from .._host.appcmd import appcmd_path, pool_command, site_command
from .._host.parsers.common import Sections, classify_error
from .._host.parsers.sequence import SequenceOutput
from .._host.parsers.versions import parse_appcmd_site_states, pool_started, pool_state
from ..errors import StepFailed
from .base import Release, Scope
from .elevation import refused_pool_stop, was_refused
from .run import POLL_PAUSE, UNLOAD_WAIT, ReleaseRun

#: ShutdownTimeLimit's default on IIS 6 and on IIS 7 and later (seconds a stopping worker may take to exit).
DEFAULT_SHUTDOWN_LIMIT = 90.0
#: Added to ShutdownTimeLimit when waiting for a stopped pool's worker to exit (it is killed at the limit).
EXIT_MARGIN = 5.0


class PoolRestart:
    """Stop the pools, swap, start them (one sequence); the pools' worker processes restart.

    ``pools`` are every pool the applications run in; ``stopped`` those an administrator had stopped before
    the run (read while gathering): they are neither stopped nor started, and their DLL is swapped without
    starting them.  ``shutdown_limit`` is the pools' ShutdownTimeLimit where the host showed it."""

    method = "pool_restart"
    phase = "pool"
    process = "w3wp.exe"
    stops_services = False

    def __init__(
        self,
        pools: tuple[str, ...],
        tool: str,
        appcmd: str = "",
        stopped: tuple[str, ...] = (),
        shutdown_limit: float | None = None,
        *,
        host_pools: tuple[tuple[str, bool], ...] = (),
        host_sites: tuple[tuple[str, bool], ...] = (),
    ) -> None:
        down = {p.lower() for p in stopped}
        self.pools = tuple(p for p in pools if p.lower() not in down)  # the pools this run stops and starts
        self.stopped = tuple(p for p in pools if p.lower() in down)  # stopped before the run: stay stopped
        self.tool = tool  # "appcmd" or "adsutil"
        self.appcmd = appcmd or appcmd_path(None)  # appcmd.exe's full path on this host
        self.shutdown_limit = shutdown_limit
        # every pool of the host whose state gathering read (name, started): a full restart resets them all
        self.host_pools = host_pools
        # IIS 7+: every site whose state appcmd showed (name, started); W3SVC's start resets them too (review S3)
        self.host_sites = host_sites

    def exit_wait(self, timeout: float) -> float:
        """How long a stopped pool's worker may take to exit: its ShutdownTimeLimit (90 s when the host does not
        show it) and a margin, bounded by ``timeout`` (what a service may take to stop)."""
        limit = self.shutdown_limit if self.shutdown_limit is not None else DEFAULT_SHUTDOWN_LIMIT
        return max(1.0, min(limit + EXIT_MARGIN, float(timeout)))

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        kept = (
            f"; {', '.join(self.stopped)} stopped before the run and stay stopped (the DLL is swapped without "
            "starting them)"
            if self.stopped
            else ""
        )
        return {
            "process": ("w3wp.exe of " + ", ".join(self.pools)) if self.pools else "none",
            "pools": list(self.pools),
            "pools_kept_stopped": list(self.stopped),
            "applications": list(scope.sharing),
            "services": [],
            "note": "only the application pools listed stop and start again; W3SVC and every other pool keep serving"
            + kept,
            "if_still_loaded": {
                "then": "restart IIS (every site and IIS service)" if scope.falls_back else "fail",
                "services": list(scope.stops) if scope.falls_back else [],
            },
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

    def undo_around(self, adsutil_path: str) -> tuple[list[str], list[str]]:
        """What a failed registration runs around putting the old DLL back: stop the pools, then start them."""
        stop = [pool_command(self.tool, "stop", pool, adsutil_path, self.appcmd) for pool in self.pools]
        start = [pool_command(self.tool, "start", pool, adsutil_path, self.appcmd) for pool in self.pools]
        return stop, start

    def sequence(self, r: Release) -> list[str]:
        s = r.swap
        # The outage is the pools' downtime: from before the stop to after the start (the start is asynchronous
        # on IIS 6, so the run adds the time it then waits for AppPoolState 2).  No pool to stop: no outage.
        down = [marker("outage_begin")] if self.pools else []
        up = [marker("outage_end")] if self.pools else []
        parts = [s.append_record(f"started={self.phase}"), *down, *self.stop_parts(r.adsutil_path)]
        parts += s.swap_in("swap")
        parts += [*self.start_parts(r.adsutil_path), *up, *self.state_parts(r.adsutil_path)]
        # regsvr32 runs once the pools are started again, as in the service restart: DllRegisterServer is the DLL's
        # own code and nothing on the host bounds it, so a registration that never returns must not keep the pools
        # down (issue 21).  Should it fail, the pools stop again around putting the old DLL back.
        parts += s.register(None, self.undo_around(r.adsutil_path)) if r.register else []
        parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={self.phase}")]
        return [*parts, marker("tidy"), s.tidy_when_released(r.backup, r.register), marker("done")]

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """When the swap could not happen because the old w3wp.exe still held dest (a host that does not let a
        loaded DLL be renamed), stop the pools again, wait for the worker to exit, and run the sequence once
        more; if it never lets go, start the pools again and fall back to the full restart, or fail with the old
        DLL in place."""
        plan = run.plan
        run.result["method"] = self.method
        apply = step or plan.step("apply")
        adsutil_path = run.target.adsutil_path
        out = run.send(apply)
        run.ran_to_end(out)
        run.report.set_services([], [])
        if self.tool == "appcmd" and self.pools and was_refused(out["pool_stop"]):
            refused_pool_stop(run, out["pool_stop"], self.pools, out.text)  # review S13: WAS down or not elevated
        # A swap the old worker blocked; or one whose answer was lost with the connection (read back: the sequence
        # ended on the host and dest is not the new DLL), which on a host that refuses to rename a loaded DLL is
        # the same thing as far as anyone can tell (found by the soak, seed 21240863).
        if not out.verified and (self._swap_blocked(out) or out.readback):
            run.session.run("pool_stop", self.stop_parts(adsutil_path), here=True)
            if run.wait_until_free(bound=self.exit_wait(run.params.timeout)):
                out = run.send(apply)
                run.ran_to_end(out)
            else:
                run.session.run("pool_start", self.start_parts(adsutil_path), here=True)
                holders = run.holders()
                if plan.fallback is not None:
                    reason = f"the worker process of {', '.join(self.pools)} did not let go of the DLL ({holders})"
                    run.result["fallback"] = reason
                    try:
                        plan.fallback_strategy.release(
                            run, plan.fallback, f"fell back to restarting IIS because {reason}"
                        )
                    finally:
                        # also when the restart failed: the pools it reset are put back all the same
                        self.keep_pool_states(run)
                    return
                run.put_old_back()
                raise StepFailed(
                    "stop",
                    f"the worker process of {', '.join(self.pools or self.stopped)} still had the DLL loaded "
                    f"{self.exit_wait(run.params.timeout):.0f} seconds after the pool stopped (loaded by: "
                    f"{holders}); {self.started_again(run)} and dest holds the old DLL; unload_fallback is off, so "
                    "IIS was not restarted; nothing else changed",
                    out.text,
                )
        self.conclude(out, run, note)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """The pools started again (else the record stays for the next run), the old image free or still held
        by an exiting worker, then the common checks."""
        run.ran_to_end(out)
        not_started = self.read_pools(out, run)
        if not_started:
            kept = run.report.keep_record()
            raise StepFailed(
                "start",
                f"the new DLL is in place but these application pools did not start again: {'; '.join(not_started)}"
                + kept,
                out.text,
            )
        if run.params.register and out.printed("##register_rolled_back"):
            # The registration failed and the old DLL is back at dest, registered again, its pools started: the
            # new DLL (back under the staged name) and the state record have nothing left to do (run.finish fails).
            run.session.run("cleanup", Swap(run.report.paths).unstage())
        if out.verified and run.still_locked(out) and not run.wait_until_free():
            # The old w3wp.exe is still exiting with the old image (under the backup's name); the restarted pool
            # already runs the new DLL, so the update is done: drop the record, leave the backup.
            run.session.run("cleanup", [Swap(run.report.paths).drop_record()])
            run.report.warn(f"the old DLL is still loaded by an exiting worker process: {run.holders()}")
        elif out.verified:
            run.tidy_if_left(out)
        run.finish(out, note, self.done)

    def read_pools(self, out: SequenceOutput, run: ReleaseRun) -> list[str]:
        """The pools once the sequence ended: those that did not start again (with what they showed), after a
        bounded wait for those still starting; the result's pools and outage (the pools' downtime)."""
        not_started = self._not_started(out)
        waited = 0.0
        if not not_started:
            not_started, waited = self._await_started(run, self._starting(out))
        run.result["pools"] = list(self.pools)
        run.result["pools_kept_stopped"] = list(self.stopped)
        measured = out.outage_seconds if self.pools else 0.0
        if measured is None and self.pools:
            measured = out.seconds  # the markers' times were lost: the whole sequence bounds the outage
        run.result["outage_seconds"] = None if measured is None else round(measured + waited, 3)
        return not_started

    def keep_pool_states(self, run: ReleaseRun) -> None:
        """After the full restart (the fallback): every pool comes back by its auto-start, not as it was (IIS 6
        sets AppPoolState by AppPoolAutoStart when W3SVC starts, IIS 7+ by autoStart when WAS starts; appcmd's and
        AppPoolCommand's stop and start leave those alone: review S1/S2).  Read every pool whose state gathering
        read (this run's pools included) and put each back: stop a pool that was stopped and now runs, start one
        that ran and is now stopped.  Never raises: it runs after a failed restart too."""
        run.result["pools_kept_stopped"] = list(self.stopped)
        known = dict((p.lower(), (p, True)) for p in self.pools)
        known.update((p.lower(), (p, False)) for p in self.stopped)
        known.update((name.lower(), (name, started)) for name, started in self.host_pools)
        pools = list(known.values())
        self._put_sites_back(run)
        if not pools:
            return
        try:
            restop, restart, pending = self._put_pools_back(run, pools)
        except Exception as exc:  # noqa: BLE001 - a failure here must not hide the restart's own outcome
            run.report.warn(f"could not read or put back the application pools' states after restarting IIS: {exc}")
            return
        if pending:
            run.report.warn(f"application pool(s) {', '.join(pending)} had not settled in the state they had before")
        if restop:
            run.report.warn(
                f"restarting IIS started the application pool(s) {', '.join(restop)}, which were stopped before the "
                "run: they were stopped again"
            )
        if restart:
            run.report.warn(
                f"restarting IIS left the application pool(s) {', '.join(restart)} stopped (auto-start off), which "
                "ran before the run: they were started again"
            )
        others = [p for p in restop if p.lower() not in {s.lower() for s in self.stopped}]
        if others:
            run.result["pools_kept_stopped"] = [*self.stopped, *others]

    def _put_sites_back(self, run: ReleaseRun) -> None:
        """IIS 7+ (review S3): W3SVC's start starts every site whose serverAutoStart is true and stops the others,
        whatever appcmd's stop or start left.  Read the sites again and put each back as gathering saw it (a site
        stopped before is stopped again, one that ran is started again).  Never raises."""
        if self.tool != "appcmd" or not self.host_sites:
            return
        try:
            listed = run.session.run("site_kept", [site_command("list", None, self.appcmd)], here=True)
            now = parse_appcmd_site_states(listed.output)
            stop = [name for name, was in self.host_sites if not was and now.get(name) is True]
            start = [name for name, was in self.host_sites if was and now.get(name) is False]
            fix = [site_command("stop", n, self.appcmd) for n in stop]
            fix += [site_command("start", n, self.appcmd) for n in start]
            if fix:
                run.session.run("site_restore", fix, here=True)  # not a line that starts with appcmd's quoted path
        except Exception as exc:  # noqa: BLE001 - a failure here must not hide the restart's own outcome
            run.report.warn(f"could not read or put back the web sites' states after restarting IIS: {exc}")
            return
        if stop:
            run.report.warn(f"restarting IIS started the web site(s) {', '.join(stop)}, stopped before: stopped again")
            run.result["sites_kept_stopped"] = stop
        if start:
            run.report.warn(f"restarting IIS left the web site(s) {', '.join(start)} stopped: started again")

    def _put_pools_back(self, run: ReleaseRun, pools: list[tuple[str, bool]]) -> tuple[list[str], list[str], list[str]]:
        """Read every pool's state, send one stop (start) to each that runs (is stopped) against what it was, and
        read again until each has settled as it was (AppPoolCommand is asynchronous on IIS 6), a bounded wait.
        Returns the pools stopped again, those started again, and those not settled at the bound."""
        adsutil_path = run.target.adsutil_path
        want = {name: 2 if started else 4 for name, started in pools}
        restop: list[str] = []
        restart: list[str] = []
        t0 = time.monotonic()
        bound = min(UNLOAD_WAIT, float(run.params.timeout))
        while True:
            parts = []
            for i, (pool, _started) in enumerate(pools):
                parts += [marker(f"pool_kept_{i}"), pool_command(self.tool, "state", pool, adsutil_path, self.appcmd)]
            sections = Sections.parse(run.session.run("pool_kept", parts, here=True).output)
            now = {pool: pool_state(sections[f"pool_kept_{i}"]) for i, (pool, _s) in enumerate(pools)}
            done = set(restop) | set(restart)
            stop = [p for p, _s in pools if want[p] == 4 and now[p] in (1, 2) and p not in done]
            start = [p for p, _s in pools if want[p] == 2 and now[p] in (3, 4) and p not in done]
            fix = [pool_command(self.tool, "stop", p, adsutil_path, self.appcmd) for p in stop]
            fix += [pool_command(self.tool, "start", p, adsutil_path, self.appcmd) for p in start]
            if fix:
                run.session.run("pool_restore", fix, here=True)  # not a line that starts with appcmd's quoted path
                restop += stop
                restart += start
            pending = [p for p, _s in pools if now[p] != want[p]]
            if not pending or (not fix and time.monotonic() - t0 >= bound):
                return restop, restart, pending
            time.sleep(POLL_PAUSE)

    @staticmethod
    def done(run: ReleaseRun) -> str:
        pools = ", ".join(run.result.get("pools") or [])
        kept = ", ".join(run.result.get("pools_kept_stopped") or [])
        outage = run.result.get("outage_seconds")
        if not pools:
            return (
                f"swapped the DLL of the stopped application pool(s) {kept} without starting them; W3SVC kept running"
            )
        words = f"stopped and started the application pool(s) {pools}"
        words += f" (their applications were down {outage}s)" if outage is not None else " (outage not measured)"
        return words + (f"; {kept} stopped before the run, left stopped" if kept else "") + "; W3SVC kept running"

    def prediction(self, plan: Any, paths: Any, unload_fallback: bool) -> str:
        del unload_fallback
        apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"])
        kept = f"; {', '.join(self.stopped)} stopped before the run: left stopped, not started" if self.stopped else ""
        if not self.pools:
            return (
                f"would swap {paths.dest} without stopping or starting any pool{kept}; W3SVC and every other pool "
                f"keep serving; applications in those pools: {apps or 'none'}"
            )
        return (
            f"would stop the application pool(s) {', '.join(self.pools)}, swap {paths.dest} and start them "
            f"again{kept}; W3SVC and every other pool keep serving; applications in those pools: {apps or 'none'}"
        )

    def started_again(self, run: ReleaseRun, subject: str = "the pool was") -> str:
        """After a failure that started the pools again: wait until they report started (AppPoolCommand is
        asynchronous on IIS 6: the run must not end while a pool it stopped is still starting), and say so."""
        bad, _waited = self._await_started(run, list(self.pools))
        return f"{subject} started again" + (f", but {'; '.join(bad)}" if bad else "")

    def _starting(self, out: SequenceOutput) -> list[str]:
        """The pools whose state read after the start still says starting (AppPoolCommand is asynchronous)."""
        return [pool for i, pool in enumerate(self.pools) if pool_state(out[f"pool_state_{i}"]) == 1]

    def _await_started(self, run: ReleaseRun, pools: list[str]) -> tuple[list[str], float]:
        """Read the state of ``pools`` until each is started (AppPoolState 2), a bounded wait: (the pools that
        went to stopping/stopped instead, with what they showed; seconds waited).  A pool still starting at the
        bound is a warning: it was started and serves once it is up."""
        if not pools:
            return [], 0.0
        t0 = time.monotonic()
        bound = min(UNLOAD_WAIT, float(run.params.timeout))
        run.report.progress(f"waiting up to {bound:.0f}s for {', '.join(pools)} to report started")
        adsutil_path = run.target.adsutil_path
        while True:
            time.sleep(POLL_PAUSE)
            parts = []
            for i, pool in enumerate(pools):
                parts += [marker(f"pool_state_{i}"), pool_command(self.tool, "state", pool, adsutil_path, self.appcmd)]
            res = run.session.run("pool_state", parts, here=True)
            sections = Sections.parse(res.output)
            states = {pool: pool_state(sections[f"pool_state_{i}"]) for i, pool in enumerate(pools)}
            bad = [
                f"{pool}: {' '.join(sections[f'pool_state_{i}'].split())[:200]}"
                for i, pool in enumerate(pools)
                if states[pool] in (3, 4)
            ]
            waiting = [pool for pool in pools if states[pool] not in (2, 3, 4)]
            if bad or not waiting or time.monotonic() - t0 >= bound:
                if waiting and not bad:
                    run.report.warn(
                        f"application pool(s) {', '.join(waiting)} still starting {bound:.0f}s after the start"
                    )
                return bad, round(time.monotonic() - t0, 3)

    @staticmethod
    def _swap_blocked(out: SequenceOutput) -> bool:
        return classify_error(out["swap"]) in ("sharing_violation", "access_denied")

    def _not_started(self, out: SequenceOutput) -> list[str]:
        """Each pool that the state read after the start does not show as started, with what it showed."""
        bad = []
        for i, pool in enumerate(self.pools):
            text = out[f"pool_state_{i}"]
            if out.readback and not text:
                continue
            if not pool_started(text):
                bad.append(f"{pool}: {' '.join(text.split())[:200] or 'no state was printed'}")
        return bad

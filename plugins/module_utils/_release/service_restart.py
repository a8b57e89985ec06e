# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Service restart: stop IIS Admin and everything that depends on it, swap, start what was running.

For applications that run inside inetinfo.exe (IIS 4 and 5 in-process), and the full restart that an unload
or a pool restart falls back to when its process does not let go of the DLL (option ``unload_fallback``).
Every in-process application of every site is down between the stop and the start.
"""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import build_command, echo_to_file, marker, quote_arg, redirect
from .._cmd.lines import IN_BLOCK, block, mark, sink
from .._cmd.script import fits_one_line
from .._cmd.swap import Swap
from .._host.catalog import holders_text
from .._host.metabase import Application
from .._host.parsers.common import classify_error
from .._host.parsers.net import parse_net_start, parse_net_start_list, parse_net_stop
from .._host.parsers.sequence import SequenceOutput
from .._host.services import running_services, started_ok
from ..errors import StepFailed
from .base import Release, Scope, unknown_radius
from .recovery import ensure_running
from .run import ReleaseRun

#: After net stop reports STOPPED, inetinfo.exe (w3wp.exe on IIS 7+) may still be exiting with the DLL mapped for a
#: moment (issue 21): the host tries the lock again after each of these pauses (seconds, 6 in all) before it
#: concludes that something other than IIS holds the DLL.  A bound, so the outage never waits for ever.
SETTLE_WAITS = (2, 4)


def outage_text(seconds: float | None) -> str:
    if seconds is None:
        return "(outage not measured: its output was lost with the connection)"
    return f"(outage {seconds}s)"


class ServiceRestart:
    """Stop IIS Admin and everything that depends on it, swap, start what was running (in-process)."""

    method = "service_restart"
    phase = "restart"
    process = "inetinfo.exe"
    stops_services = True
    root = "IISADMIN"  # net stop <root> /y takes IIS down
    root_display = "IIS Admin Service"

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        if scope.metabase is None:
            return unknown_radius(self.process, scope, list(scope.stops))
        sharing = [a.as_dict() for a in scope.metabase.sharing_process(Application("/", "", None, False, scope.site))]
        return {
            "process": self.process,
            "applications": sharing,
            "services": list(scope.stops),
            "note": "every in-process application of every site and every running IIS service stops",
        }

    def sequence(self, r: Release) -> list[str]:
        """The outage as one block with one redirection (the shortest line); when that does not fit the host's
        command line, every command gets its own redirection, so that each fits a line of the batch file."""
        parts = self.parts(r, compact=True)
        return parts if fits_one_line(parts, r.limit, r.folder) else self.parts(r, compact=False)

    def parts(self, r: Release, compact: bool) -> list[str]:
        """Stop, swap, start: what happens inside the outage, then the common tail.

        net.exe prints a progress dot for every poll while a service is pending, and WinRS hands output to
        the client as it comes, so streaming it would cost a Receive round trip per dot.  The outage writes
        its output to a log beside dest instead and types it at the end; only the two markers that time the
        outage go straight to the client.
        """
        s = r.swap
        log = quote_arg(s.p.log)
        fail = quote_arg(s.p.fail_flag)
        inner = IN_BLOCK if compact else log
        outage = [redirect(build_command("net", "stop", self.root, "/y"), sink(inner))] if r.stops else []
        # Still loaded once IIS is down (and its process had a moment to exit): something else holds the DLL;
        # keep the old one and start IIS again.
        outage += s.hold_if_still_loaded(inner, SETTLE_WAITS if r.stops else ())
        outage += s.swap_in("swap", inner, unless=s.p.held_flag)
        for svc in r.starts:
            # net.exe's exit code is reliable (an external program): remember each failure on the host.
            start = redirect(build_command("net", "start", svc), sink(inner))
            outage += [mark(f"start_{svc}", inner), f"{start}||(echo {svc})>>{fail}"]
        parts = [s.append_record(f"started={self.phase}"), marker("outage_begin")]
        parts.append(echo_to_file("@@stop", log, append=False))
        parts += [block(outage, log)] if compact else outage
        parts += [marker("outage_end"), build_command("type", log), build_command("del", log)]
        # regsvr32 runs once the services are up again: DllRegisterServer is the DLL's own code and nothing on
        # the host bounds it, so a registration that never returns must not hold the outage open (issue 21).
        # Should it fail, a second, short outage puts the old DLL back and registers it again.
        parts += s.register(None, self.undo_around(r, fail)) if r.register else []
        parts += [s.report_held(), *s.verify()]
        parts += s.tidy(r.backup, r.register)
        parts += [
            # A service that did not start again: keep the state record (the next run starts it), else drop it.
            s.append_record(f"finished={self.phase}"),
            s.drop_record_unless_failed(),
            marker("done"),
        ]
        return parts

    def undo_around(self, r: Release, fail: str) -> tuple[list[str], list[str]]:
        """What a failed registration runs around putting the old DLL back: stop again, then start each service
        (a failure remembered in the fail flag, so the state record is kept for the next run)."""
        quiet = " >nul 2>&1"
        stop = build_command("net", "stop", self.root, "/y") + quiet if r.stops else ""
        starts = [f"{build_command('net', 'start', svc)}{quiet}||(echo {svc})>>{fail}" for svc in r.starts]
        return ([stop] if stop else []), starts

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        self.conclude(run.send(step or run.plan.step("apply")), run, note)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        run.ran_to_end(out)
        self._read(out, run)
        self._start_pending(out, run)
        self._check_held(out, run)
        run.result["method"] = self.method
        run.finish(out, note, self.done)

    @staticmethod
    def done(run: ReleaseRun) -> str:
        r = run.result
        pending = [k for k in r.get("services_stop_pending") or [] if k not in r["services_stopped"]]
        down = [*r["services_stopped"], *(f"{k} (still stopping when net stop gave up)" for k in pending)]
        return (
            f"stopped {', '.join(down) or 'nothing'} and started "
            f"{', '.join(r['services_started']) or 'nothing'} again " + outage_text(r["outage_seconds"])
        )

    def prediction(self, plan: Any, paths: Any, unload_fallback: bool) -> str:
        del unload_fallback
        apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"])
        return (
            f"would stop {', '.join(plan.stops)} (net stop {self.root} /y), swap {paths.dest}, then start "
            f"{', '.join(plan.starts)}; {self.taken_down} {apps or 'none'}"
        )

    taken_down = "in-process applications taken down with inetinfo.exe:"

    def _read(self, out: SequenceOutput, run: ReleaseRun) -> None:
        """Which services stopped and started, from net's own words, and the outage the markers timed."""
        plan, report = run.plan, run.report
        if out.readback:
            running = running_services(parse_net_start_list(out["running"]), plan.names)
            report.set_services(
                plan.stops,
                [k for k in plan.starts if k in running],
                [
                    f"{k}: not running after the sequence (its net output was lost with the connection)"
                    for k in plan.starts
                    if k not in running
                ],
            )
            run.result["outage_seconds"] = None
            return
        stopped = parse_net_stop(out["stop"])
        started_keys, errors = [], []
        for svc in plan.starts:
            text = out[f"start_{svc}"]
            if started_ok(svc, plan.names, parse_net_start(text), text):
                started_keys.append(svc)
            else:
                errors.append(f"{svc}: {text.strip()}")
        by_display = {d: k for k, d in plan.names.items()}
        stopped_keys = [by_display.get(d, d) for d in stopped.stopped]
        # Services net showed "is stopping..." but gave up on (STOP_PENDING past net's patience): they went down
        # all the same, so the result says so rather than "stopped nothing" (issue 21).
        pending = [by_display.get(d, d) for d in dict.fromkeys(stopped.pending) if d not in stopped.stopped]
        if pending:
            run.result["services_stop_pending"] = pending
        # A service that net stop /y stopped and the plan did not know: neither sc.exe (where the host has it)
        # nor the display names known for IIS's services named it, so it could not be started again.
        for display in stopped.stopped:
            if display not in by_display:
                errors.append(
                    f"{display}: stopped by net stop {self.root} /y, but the host had not named its service (key) "
                    f"name before (sc enumdepend {self.root}, where sc.exe is installed), so it was not started "
                    "again: start it by hand"
                )
        # A service that net stop /y stopped and the plan did not start: it was not running when the host was
        # read (it started since, e.g. between a dry run and this run).  It was running now, so it runs again
        # (unless restart_services names what to start: the user's list is the list).
        chosen = run.params.restart_services is not None
        missed = [] if chosen else [k for k in stopped_keys if k in plan.names and k not in plan.starts]
        if missed:
            still = ensure_running(run.session, missed, run.params.timeout)
            started_keys += [k for k in missed if not any(line.startswith(f"{k}:") for line in still)]
            errors += still
            report.warn(
                f"net stop {self.root} /y also stopped {', '.join(missed)}, which was not running when the host was "
                "read; started again"
            )
        report.set_services(stopped_keys, started_keys, errors)
        measured = out.outage_seconds
        run.result["outage_seconds"] = measured if measured is not None else out.seconds

    @staticmethod
    def _start_pending(out: SequenceOutput, run: ReleaseRun) -> None:
        """A service that was still stopping when the sequence started it (net stop gave up waiting for it, as
        net.exe does after a while) answered "starting or stopping": keep starting it until it runs, for at most
        ``timeout`` seconds, so that no service that was running is left down."""
        report, result = run.report, run.result
        pending = [e.split(":", 1)[0] for e in report.not_running if "starting or stopping" in e]
        if pending:
            still = ensure_running(run.session, pending, run.params.timeout)
            still_keys = {e.split(":", 1)[0] for e in still}
            started = set(result["services_started"]) | (set(pending) - still_keys)
            result["services_started"] = [k for k in run.plan.starts if k in started]
            others = [e for e in report.not_running if e.split(":", 1)[0] not in pending]
            result["services_not_running"] = others + still
        if not report.not_running and out.printed("##record_kept") and not run.record_dropped:
            # Every service runs now (also one whose net start said "already been started": something started it
            # first): the record the sequence kept for the next run is not needed.
            run.session.run("cleanup", [Swap(report.paths).drop_record()])
            run.record_dropped = True

    def _check_held(self, out: SequenceOutput, run: ReleaseRun) -> None:
        """The old DLL was still loaded once IIS had stopped, so the sequence kept it at dest and started IIS
        again: say who could hold it, and that nothing changed."""
        if not out.printed("##held_after_stop"):
            return
        stopped = parse_net_stop(out["stop"])
        run.report.old_dll_in_place()
        if self.root_display not in stopped.stopped:
            net_said = "; ".join(msg for _name, msg in stopped.errors) or out["stop"].strip()[-300:]
            reason = (
                f"IIS did not stop completely (net stop said: {net_said!r}), so inetinfo.exe still had the DLL loaded"
            )
        else:
            now = run.holders_now()
            if now and any(h.image.lower() == self.process for h in now):
                # The service's own process, stopped as the SCM says, but still exiting past the wait.
                said_now = holders_text(now, run.holders_tool)
                reason = (
                    f"the DLL was still loaded {sum(SETTLE_WAITS)} seconds after IIS had stopped: {self.process} was "
                    f"still exiting with it mapped; now loaded by: {said_now}; run the task again once "
                    f"{self.process} has exited"
                )
            else:
                reason = (
                    f"the DLL was still loaded {sum(SETTLE_WAITS)} seconds after IIS had stopped (the host tried "
                    f"again while {self.process} could still be exiting): something other than IIS holds it (an MTS "
                    "server package, the process of an application not named, or another program); now loaded by: "
                    + holders_text(now, run.holders_tool)
                )
        said = next((line.strip() for line in out["stop"].splitlines() if classify_error(line)), "")
        not_running = run.report.not_running
        started = run.result["services_started"]
        kept = run.report.keep_record() if run.record_kept(out) else ""
        raise StepFailed(
            "stop",
            f"{reason}"
            + (f" (opening it said: {said!r})" if said else "")
            + f"; the new DLL was not swapped in and dest still holds the old DLL; services started again: "
            f"{', '.join(started) or 'none'}"
            + (f"; NOT running: {'; '.join(not_running)}" if not_running else "")
            + kept,
            out.text,
        )

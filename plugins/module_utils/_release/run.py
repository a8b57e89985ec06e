# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running the plan's release sequence and reading what it did.

:class:`Apply` sends the plan's ``apply`` step, reads the sections the sequence printed, and decides:
success (with the services stopped/started and the outage as the host reported them), an unload that did
not free the DLL (wait, unload the other isolated applications, then fall back to the plan's ``fallback``
step or take the new DLL back out), a DLL still loaded once IIS had stopped (the sequence kept the old one),
a sequence cut short on the host (recover at once), or a swap or a service start that failed.  Every failure
says what state the host is in.
"""

from __future__ import annotations

import time
from typing import Any

from .._cmd.cmdline import marker
from .._cmd.swap import Swap
from .._host.catalog import (
    holder_dicts,
    holders_parts,
    holders_text,
    read_holders,
)
from .._host.facts import gather, ladder_rc, section
from .._host.parsers.adsutil import parse_adsutil_error
from .._host.parsers.common import classify_error, parse_rc_ladder, split_sections
from .._host.parsers.holders import Holder
from .._host.parsers.net import parse_net_start, parse_net_start_list, parse_net_stop
from .._host.parsers.regsvr32 import parse_regsvr32
from .._host.services import running_services, started_ok
from .._transport.session import Session
from .._transport.winrm_runner import CommandResult
from ..errors import StepFailed
from ..params import Params
from ..plan import Plan, Step
from ..results import Report, success_message
from .package_shutdown import PackageRelease
from .pool_restart import UNLOAD_WAIT, PoolRelease
from .recovery import ensure_running, recover

POLL_PAUSE = 0.5


class Apply(PackageRelease, PoolRelease):
    """The release sequence of the plan and what it did; packages and pools in :mod:`apply_packages` and
    :mod:`apply_pools`."""

    def __init__(self, params: Params, session: Session, report: Report, plan: Plan, stage_output: str) -> None:
        self.p = params
        self.session = session
        self.report = report
        self.plan = plan
        self.swap = Swap(report.paths.relative())
        self.stage_output = stage_output  # what staging printed: its pre-swap section explains a failed swap
        self.record_dropped = False

    @property
    def result(self) -> dict[str, Any]:
        return self.report.result

    def run(self) -> None:
        if self.plan.iis is not None:
            self._package()
        elif self.plan.method == "pool_restart":
            self._pool()
        elif self.plan.method == "unload":
            self._unload()
        elif self.plan.method == "copy":
            self._copy()
        else:
            self._restart(self.plan.step("apply"))

    def _copy(self) -> None:
        """dest did not exist: the staged file is renamed into place; nothing was loaded, nothing stops."""
        res = self._send(self.plan.step("apply"))
        self._ran_to_end(res)
        self.report.set_services([], [])
        self.result["outage_seconds"] = 0.0
        self._conclude(res, "")

    def _send(self, step: Step) -> CommandResult:
        readback = [*self.swap.verify(), marker("running"), "net start 2>&1"]
        return self.session.run_sequence(
            "apply", list(step.parts), step.phase or "", self.report.paths.record, readback
        )

    # -- in-process ----------------------------------------------------------------------------------

    def _restart(self, step: Step, note: str = "") -> None:
        res = self._send(step)
        self._ran_to_end(res)
        self._read_restart(res)
        self._start_pending(res)
        self._check_held(res)
        self.result["method"] = "service_restart"
        self._conclude(res, note)

    def _start_pending(self, res: CommandResult) -> None:
        """A service that was still stopping when the sequence started it (net stop gave up waiting for it, as
        net.exe does after a while) answered "starting or stopping": keep starting it until it runs, for at most
        ``timeout`` seconds, so that no service that was running is left down."""
        pending = [e.split(":", 1)[0] for e in self.report.not_running if "starting or stopping" in e]
        if not pending:
            return
        still = ensure_running(self.session, pending, self.p.timeout)
        still_keys = {e.split(":", 1)[0] for e in still}
        started = set(self.result["services_started"]) | (set(pending) - still_keys)
        self.result["services_started"] = [k for k in self.plan.starts if k in started]
        others = [e for e in self.report.not_running if e.split(":", 1)[0] not in pending]
        self.result["services_not_running"] = others + still
        if not self.report.not_running and "##record_kept" in res.output:
            # Every service runs now: the record the sequence kept for the next run is not needed.
            self.session.run("cleanup", [Swap(self.report.paths).drop_record()])
            self.record_dropped = True

    def _read_restart(self, res: CommandResult) -> None:
        s = split_sections(res.output)
        plan = self.plan
        if res.step.startswith("readback"):
            running = running_services(parse_net_start_list(section(s, "running")), plan.names)
            self.report.set_services(
                plan.stops,
                [k for k in plan.starts if k in running],
                [
                    f"{k}: not running after the sequence (its net output was lost with the connection)"
                    for k in plan.starts
                    if k not in running
                ],
            )
            self.result["outage_seconds"] = None
            return
        stopped = parse_net_stop(section(s, "stop"))
        started_keys, errors = [], []
        for svc in plan.starts:
            text = section(s, f"start_{svc}")
            r = parse_net_start(text)
            if started_ok(svc, plan.names, r, text):
                started_keys.append(svc)
            else:
                errors.append(f"{svc}: {text.strip()}")
        by_display = {d: k for k, d in plan.names.items()}
        stopped_keys = [by_display.get(d, d) for d in stopped.stopped]
        # A service outside IIS that net stop /y stopped and the plan did not know (no sc.exe to ask): its
        # name is unknown, so it could not be started again.
        for display in stopped.stopped:
            if display not in by_display:
                errors.append(
                    f"{display}: stopped by net stop IISADMIN /y, but sc.exe is not installed, so its service name "
                    "could not be looked up and it was not started again: start it by hand"
                )
        self.report.set_services(stopped_keys, started_keys, errors)
        t_stop, t_started = res.time_of("@@outage_begin"), res.time_of("@@outage_end")
        if t_stop is not None and t_started is not None:
            self.result["outage_seconds"] = round(max(0.0, t_started - t_stop), 3)
        else:
            self.result["outage_seconds"] = res.seconds

    def _check_held(self, res: CommandResult) -> None:
        """The old DLL was still loaded once IIS had stopped, so the sequence kept it at dest and started IIS
        again: say who could hold it, and that nothing changed."""
        if "##held_after_stop" not in res.output:
            return
        s = split_sections(res.output)
        stopped = parse_net_stop(section(s, "stop"))
        self.report.old_dll_in_place()
        if "IIS Admin Service" not in stopped.stopped:
            net_said = "; ".join(msg for _name, msg in stopped.errors) or section(s, "stop").strip()[-300:]
            reason = (
                f"IIS did not stop completely (net stop said: {net_said!r}), so inetinfo.exe still had the DLL loaded"
            )
        else:
            reason = (
                "the DLL was still loaded after IIS had stopped: something other than IIS holds it (an MTS server "
                "package, the process of an application not named, or another program); now loaded by: "
                + self._holders()
            )
        said = next((line.strip() for line in section(s, "stop").splitlines() if classify_error(line)), "")
        not_running = self.report.not_running
        started = self.result["services_started"]
        kept = self.report.keep_record() if self._record_kept(res) else ""
        raise StepFailed(
            "stop",
            f"{reason}"
            + (f" (opening it said: {said!r})" if said else "")
            + f"; the new DLL was not swapped in and dest still holds the old DLL; services started again: "
            f"{', '.join(started) or 'none'}"
            + (f"; NOT running: {'; '.join(not_running)}" if not_running else "")
            + kept,
            res.output,
        )

    # -- who holds the DLL -----------------------------------------------------------------------------

    def _holders_now(self) -> tuple[Holder, ...] | None:
        """Ask tlist / tasklist who has dest loaded now (None: neither is there); the result keeps the answer."""
        res = self.session.run("holders", holders_parts(self.report.paths.dest_name), here=True)
        holders, _tool = read_holders(res.output)
        self.result["holders"] = holder_dicts(holders)
        return holders

    def _holders(self) -> str:
        """Who has dest loaded now, as a phrase for a failure message."""
        return holders_text(self._holders_now())

    def _tidy_if_left(self, res: CommandResult) -> None:
        if "##tidy" not in section(split_sections(res.output), "tidy"):
            full = Swap(self.report.paths)
            self.session.run("cleanup", [*full.tidy(self.p.backup, self.p.register), full.drop_record()])

    def run_iis(self, note: str) -> None:
        """The IIS plan, after a package shutdown that did not free the DLL."""
        if self.plan.method == "unload":
            self.result["method"] = "unload"
            self._unload(note)
        else:
            self._restart(self.plan.step("apply"), note=note)

    # -- isolated ------------------------------------------------------------------------------------

    def _unload(self, note: str = "") -> None:
        apply = self.plan.step("apply")
        res = self._send(apply)
        released = self._released(res)
        unloaded = list(self.plan.unload_roots)
        self.report.set_services([], [])
        if not released and self._wait_until_free():
            # mtx.exe exits some time after APPUNLOAD: now that the file is free, the same sequence finishes.
            res = self._send(apply)
            released = self._released(res)
        if not released and self.plan.widen is not None and self._wait_until_free(self.plan.widen):
            # Another isolated application's process had the DLL loaded too: unloading those freed it.
            unloaded += list(self.plan.widen_roots)
            note = "; ".join(
                filter(
                    None,
                    [
                        note,
                        "the DLL was also loaded by "
                        + ", ".join("/LM/" + (a.unload_path or "") for a in self.plan.widen_roots)
                        + ", which were unloaded too",
                    ],
                )
            )
            res = self._send(apply)
            released = self._released(res)
        if released:
            self._tidy_if_left(res)
            self.result["outage_seconds"] = 0.0
            self.result["unloaded"] = [a.unload_path for a in unloaded]
            self._conclude(res, note)
            return
        unload_text = section(split_sections(res.output), "unload")
        unload_err = parse_adsutil_error(unload_text)
        reason = "unloading did not release the DLL (it is still loaded)"
        if unload_err is not None:
            reason = f"adsutil APPUNLOAD failed: {unload_err.message}"
        if self.plan.fallback is None:
            # The old DLL stays loaded: take the new one back out, so dest matches what runs and a rerun
            # does the whole update again instead of finding "nothing to do".
            self._rollback()
            self.report.old_dll_in_place()
            raise StepFailed(
                "unload",
                f"{reason}; it is loaded by: {self._holders()}; unload_fallback is off, so IIS was not restarted; "
                "dest holds the OLD DLL again (restored from the backup) and nothing else changed; unload the "
                "application, or set unload_fallback to restart IIS",
                unload_text,
            )
        self.result["fallback"] = reason
        fell_back = f"fell back to restarting IIS because {reason}"
        self._restart(self.plan.fallback, note=f"{note}; {fell_back}" if note else fell_back)

    def _released(self, res: CommandResult) -> bool:
        """The unload sequence ran to its end, dest is the new DLL and nothing holds the old one."""
        self._ran_to_end(res)
        return self._verified(res) and not self._still_locked(res)

    @staticmethod
    def _still_locked(res: CommandResult) -> bool:
        """The lock probe (``Swap.lock_probe``) could not open the old or the new DLL for writing."""
        probe = section(split_sections(res.output), "probe")
        return classify_error(probe) in ("sharing_violation", "access_denied")

    def _wait_until_free(self, first: Step | None = None) -> bool:
        """Send ``first`` (if any), then probe the old DLL's lock until it is free, for at most UNLOAD_WAIT
        seconds (or a quarter of the module's timeout when shorter)."""
        if first is not None:
            self.session.run(first.name, list(first.parts))
        bound = min(UNLOAD_WAIT, self.p.timeout / 4)
        self.report.progress(f"waiting up to {bound:.0f}s for the old DLL to be released (its process is exiting)")
        deadline = time.monotonic() + bound
        probe = self.swap.lock_probe()
        while True:
            if not self._still_locked(self.session.run("wait_unloaded", probe, here=True)):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_PAUSE)

    # -- common ----------------------------------------------------------------------------------------

    @staticmethod
    def _verified(res: CommandResult) -> bool:
        return ladder_rc(res.output, split_sections(res.output), "verify") == 0

    def _rollback(self) -> CommandResult:
        return self.session.run("rollback", self.swap.rollback(), here=True)

    def _record_kept(self, res: CommandResult) -> bool:
        """The state record stays beside dest for the next run: the sequence kept it (a service did not start)
        and no later start brought everything back, or the outcome was read back with services down."""
        kept_by_sequence = "##record_kept" in res.output and not self.record_dropped
        return kept_by_sequence or bool(self.report.not_running and res.step.startswith("readback"))

    def _ran_to_end(self, res: CommandResult) -> None:
        """A sequence whose last marker never printed was ended on the host: recover at once (raises)."""
        if not res.step.startswith("readback") and "@@done" not in res.output:
            self._cut_short(res)

    def _cut_short(self, res: CommandResult) -> None:
        """The sequence ended without reaching its last marker (cmd.exe was ended on the host): put the
        host back in order right away and say where it stopped."""
        labels = [label for label in split_sections(res.output) if label]
        last = labels[-1] if labels else "the beginning"
        facts = gather(self.session, self.report.paths, self.p.adsutil_path)
        recovered = recover(self.session, facts, self.report.paths.dest, self.p.timeout) if facts.record else None
        self.result["recovered"] = recovered
        started = (recovered or {}).get("services_started", [])
        self.result["services_started"] = started
        self.result["services_not_running"] = (recovered or {}).get("services_not_running", [])
        not_running = self.report.not_running
        self.report.old_dll_in_place()
        raise StepFailed(
            "apply",
            f"the sequence was cut short on the host after its '{last}' step (it printed: "
            f"{res.output.strip()[-300:]!r}); the host was put back in order: "
            f"{(recovered or {}).get('action', 'nothing to recover')}, services started again: {started or 'none'}"
            + (f", NOT running: {'; '.join(not_running)}" if not_running else "")
            + "; dest holds the old DLL; run the task again",
            res.output,
        )

    def _conclude(self, res: CommandResult, note: str) -> None:
        s = split_sections(res.output)
        leftover = section(s, "leftover")
        reg_rc = parse_rc_ladder(res.output).get("register")
        if self.p.register:
            self.result["register_rc"] = reg_rc
        if res.error:
            self.report.warn(res.error)
        not_running = self.report.not_running
        kept = self.report.keep_record() if self._record_kept(res) else ""
        if self.p.register and "##register_rolled_back" in res.output:
            self.report.old_dll_in_place()
            raise StepFailed(
                "register",
                f"regsvr32 failed for the new DLL (exit {reg_rc}: {parse_regsvr32(reg_rc)}); the old DLL was put back "
                f"and registered again{'; services not running: ' + '; '.join(not_running) if not_running else ''}"
                + kept,
                res.output,
            )
        if not self._verified(res):
            state = "the old DLL is still in place" if "##backup_present" not in leftover else "dest is not the new DLL"
            if "##backup_present" not in leftover:
                self.report.old_dll_in_place()
            staged = split_sections(self.stage_output)
            swap_text = " ".join(
                dict.fromkeys(
                    line.strip()
                    for line in (section(s, "swap") + "\n" + section(staged, "preswap")).splitlines()
                    if line.strip()
                )
            )
            raise StepFailed(
                "swap",
                f"dest could not be replaced ({classify_error(swap_text) or 'see host output'}: {swap_text[:400]!r}); "
                f"{state}; services started again: {self.result['services_started']}"
                + (f"; NOT running: {not_running}" if not_running else "")
                + kept,
                res.output,
            )
        if not_running:
            raise StepFailed(
                "start",
                f"the new DLL is in place but these services did not start again: {'; '.join(not_running)}" + kept,
                res.output,
            )
        self.result["msg"] = success_message(self.report, self.plan, self.p.backup, note)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run a strategy acts in: what it may send, and the readings every strategy shares.

:class:`ReleaseRun` holds what the user asked (``params``), what the host is (``target``), the session, the
run's report, the plan and what staging printed.  Its helpers send a sequence and read it once
(:meth:`ReleaseRun.send` -> :class:`SequenceOutput`), tell whether the old DLL is free, wait for an exiting
process, ask who holds the DLL, roll back, recover at once from a sequence cut short on the host, and
:meth:`ReleaseRun.finish`: the checks every release ends with (register, swap, services) and the one
sentence of a success.  Each strategy decides, in its own file, which of these it needs and in what order.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .._cmd.cmdline import marker
from .._cmd.swap import Swap
from .._host.catalog import holder_dicts, holders_parts, holders_text, read_holders
from .._host.facts import gather
from .._host.parsers.common import ParseError, Sections, classify_error
from .._host.parsers.holders import Holder
from .._host.parsers.regsvr32 import parse_regsvr32
from .._host.parsers.sequence import SequenceOutput
from .._host.target import Target
from .._transport.report import Report
from .._transport.session import Session
from ..errors import StepFailed
from ..params import Params
from .recovery import recover

POLL_PAUSE = 0.5
#: The longest wait for an exiting process to free the DLL (seconds; a quarter of ``timeout`` when shorter).
UNLOAD_WAIT = 30.0


@dataclasses.dataclass
class ReleaseRun:
    params: Params
    target: Target
    session: Session
    report: Report
    plan: Any  # plan.Plan: the steps this release sends (a package's hand-over gets the IIS plan)
    stage: Sections  # what staging printed: its pre-swap section explains a failed swap
    record_dropped: bool = False
    group: tuple[Any, ...] = ()  # a combined release (combined_restart.Member): every DLL of it, this one first
    holders_tool: str | None = None  # the tool that answered the last holders_now (None: neither is there)

    @property
    def result(self) -> dict[str, Any]:
        return self.report.result

    @property
    def swap(self) -> Swap:
        return Swap(self.report.paths.relative())

    def for_plan(self, plan: Any) -> ReleaseRun:
        """The same run acting for another plan (a package shutdown handing over to IIS's own release)."""
        return dataclasses.replace(self, plan=plan)

    # -- sending ---------------------------------------------------------------------------------------

    @staticmethod
    def running_parts() -> list[str]:
        """What a read-back asks about the services: which run now."""
        return [marker("running"), "net start 2>&1"]

    def send(self, step: Any, readback: list[str] | None = None) -> SequenceOutput:
        """Send a sequence step and read what it printed, once (``readback``: what to read from the host when
        the connection dropped; by default whether dest is the new DLL and which services run)."""
        readback = readback or [*self.swap.verify(), *self.running_parts()]
        res = self.session.run_sequence("apply", list(step.parts), step.phase or "", self.report.paths.record, readback)
        return SequenceOutput.read(
            res.output,
            readback=res.step.startswith("readback"),
            error=res.error,
            seconds=res.seconds,
            outage_begin=res.time_of("@@outage_begin"),
            outage_end=res.time_of("@@outage_end"),
        )

    def rollback(self) -> None:
        self.session.run("rollback", self.swap.rollback(), here=True)

    def put_old_back(self) -> None:
        """Swap the old DLL back into dest (nothing of the release took effect) and say so: no backup is left for
        anyone to roll back from."""
        self.rollback()
        self.report.old_dll_in_place()

    def tidy_if_left(self, out: SequenceOutput) -> None:
        """The sequence did not tidy (the old image was still loaded when it probed): tidy now."""
        if "##tidy" not in out["tidy"]:
            full = Swap(self.report.paths)
            self.session.run("cleanup", [*full.tidy(self.params.backup, self.params.register), full.drop_record()])

    # -- is the DLL free -------------------------------------------------------------------------------

    @staticmethod
    def still_locked(out: SequenceOutput | Sections) -> bool:
        """The lock probe (``Swap.lock_probe``) could not open the old or the new DLL for writing."""
        return classify_error(out["probe"]) in ("sharing_violation", "access_denied")

    def released(self, out: SequenceOutput) -> bool:
        """The sequence ran to its end, dest is the new DLL and nothing holds the old one."""
        self.ran_to_end(out)
        return out.verified and not self.still_locked(out)

    def wait_until_free(self, first: Any = None, bound: float | None = None) -> bool:
        """Send ``first`` (if any), then probe the old DLL's lock until it is free, for at most ``bound``
        seconds (default UNLOAD_WAIT, or a quarter of the module's timeout when shorter)."""
        if first is not None:
            self.session.run(first.name, list(first.parts))
        if bound is None:
            bound = min(UNLOAD_WAIT, self.params.timeout / 4)
        self.report.progress(f"waiting up to {bound:.0f}s for the old DLL to be released (its process is exiting)")
        deadline = time.monotonic() + bound
        probe = self.swap.lock_probe()
        while True:
            res = self.session.run("wait_unloaded", probe, here=True)
            if not self.still_locked(Sections.parse(res.output)):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_PAUSE)

    def holders_now(self) -> tuple[Holder, ...] | None:
        """Ask tlist / tasklist who has dest loaded now (None: neither is there); the result keeps the answer."""
        res = self.session.run("holders", holders_parts(self.report.paths.dest_name), here=True)
        tool = None
        try:
            holders, tool = read_holders(res.output, self.target.x64)
        except ParseError as exc:  # only names holders for a message: say what could not be read
            self.report.warn(str(exc))
            holders = None
        self.result["holders"] = holder_dicts(holders)
        self.holders_tool = tool
        return holders

    def holders(self) -> str:
        """Who has dest loaded now, as a phrase for a failure message."""
        holders = self.holders_now()
        return holders_text(holders, self.holders_tool)

    # -- how it ended ----------------------------------------------------------------------------------

    def record_kept(self, out: SequenceOutput) -> bool:
        """The state record stays beside dest for the next run: the sequence kept it (a service did not start)
        and no later start brought everything back, or the outcome was read back with services down."""
        kept_by_sequence = out.printed("##record_kept") and not self.record_dropped
        return kept_by_sequence or bool(self.report.not_running and out.readback)

    def ran_to_end(self, out: SequenceOutput) -> None:
        """A sequence whose last marker never printed was ended on the host: recover at once (raises)."""
        if not out.finished:
            self.cut_short(out)

    def cut_short(self, out: SequenceOutput) -> None:
        """The sequence ended without reaching its last marker (cmd.exe was ended on the host): put the
        host back in order right away and say where it stopped."""
        labels = out.out.labels
        last = labels[-1] if labels else "the beginning"
        paths = self.report.paths
        facts = gather(self.session, paths, self.target.adsutil_path)
        recovered = recover(self.session, facts, paths.dest, self.params.timeout) if facts.record else None
        self.result["recovered"] = recovered
        started = (recovered or {}).get("services_started", [])
        self.result["services_started"] = started
        self.result["services_not_running"] = (recovered or {}).get("services_not_running", [])
        not_running = self.report.not_running
        self.report.old_dll_in_place()
        raise StepFailed(
            "apply",
            f"the sequence was cut short on the host after its '{last}' step (it printed: "
            f"{out.text.strip()[-300:]!r}); the host was put back in order: "
            f"{(recovered or {}).get('action', 'nothing to recover')}, services started again: {started or 'none'}"
            + (f", NOT running: {'; '.join(not_running)}" if not_running else "")
            + "; dest holds the old DLL; run the task again",
            out.text,
        )

    def finish(self, out: SequenceOutput, note: str, how: Callable[[ReleaseRun], str]) -> None:
        """The checks every release ends with, then the sentence of a success (``how``: the strategy's words
        for what it did)."""
        leftover = out["leftover"]
        reg_rc = out.out.rcs.get("register")
        params = self.params
        if params.register:
            self.result["register_rc"] = reg_rc
        if out.error:
            self.report.warn(out.error)
        not_running = self.report.not_running
        kept = self.report.keep_record() if self.record_kept(out) else ""
        if params.register and out.printed("##register_rolled_back"):
            self.report.old_dll_in_place()
            raise StepFailed(
                "register",
                f"regsvr32 failed for the new DLL (exit {reg_rc}: {parse_regsvr32(reg_rc)}); the old DLL was put back "
                f"and registered again{'; services not running: ' + '; '.join(not_running) if not_running else ''}"
                + kept,
                out.text,
            )
        if params.register and out.printed("##register_not_rolled_back"):
            # The undo ran but the renames were refused (the DLL still loaded): dest is the new DLL, unregistered.
            raise StepFailed(
                "register",
                f"regsvr32 failed for the new DLL (exit {reg_rc}: {parse_regsvr32(reg_rc)}) and the old DLL could "
                "not be put back (dest was still in use): dest holds the new DLL, not registered"
                + (f"; services not running: {'; '.join(not_running)}" if not_running else "")
                + kept,
                out.text,
            )
        if not out.verified:
            state = "the old DLL is still in place" if "##backup_present" not in leftover else "dest is not the new DLL"
            if "##backup_present" not in leftover:
                self.report.old_dll_in_place()
            swap_text = " ".join(
                dict.fromkeys(
                    line.strip() for line in (out["swap"] + "\n" + self.stage["preswap"]).splitlines() if line.strip()
                )
            )
            raise StepFailed(
                "swap",
                f"dest could not be replaced ({classify_error(swap_text) or 'see host output'}: {swap_text[:400]!r}); "
                f"{state}; services started again: {self.result['services_started']}"
                + (f"; NOT running: {not_running}" if not_running else "")
                + kept,
                out.text,
            )
        if not_running:
            raise StepFailed(
                "start",
                f"the new DLL is in place but these services did not start again: {'; '.join(not_running)}" + kept,
                out.text,
            )
        paths = self.report.paths
        self.result["msg"] = (
            f"replaced {paths.dest} ({self.result['isolation']}): {how(self)}"
            + (f"; backup kept as {paths.backup}" if params.backup else "")
            + (f"; {note}" if note else "")
        )

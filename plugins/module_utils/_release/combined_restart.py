# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Combined restart: several DLLs of one host released by ONE stop and start of IIS (issue 23).

Every in-process DLL of a task's ``components`` (or every DLL a full restart releases) is staged first, each
beside its own dest with its own state record; then one sequence stops IIS Admin (WAS on IIS 7+) once, swaps
every DLL, checks every one inside the outage, and when any of them is not the new DLL (its swap failed, or
something else still held the old one) puts EVERY one back before it starts the services again, so the host
never runs a mix of old and new DLLs and no service that ran is left down.

Each DLL's markers carry its label (``Swap.label``: ``c1_swap``, ``c2_verify``), so the one output is read per
DLL (``SequenceOutput.of``) by the checks a single release ends with (``ReleaseRun.finish``).  The outage's
services are read once, by the full restart's own reading (``ServiceRestart``), and shared by every DLL.

The sequence appends ``started=``/``finished=`` to every DLL's state record, and each record names the DLLs
released with it (``group=``): a run that finds one of them unfinished rolls every one back in the same
recovery (``recovery.group_swaps``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from .._cmd.cmdline import (
    build_command,
    echo_text,
    echo_to_file,
    exists,
    guarded,
    if_exist,
    marker,
    quote_arg,
    redirect,
)
from .._cmd.lines import IN_BLOCK, QUIET, block, delete_if_exists, mark, sink
from .._cmd.paths import GROUP_KEY
from .._cmd.script import fits_one_line
from .._cmd.swap import Swap
from .._host.parsers.sequence import SequenceOutput
from ..errors import IIS4Error, StepFailed
from .base import Release, Scope
from .run import ReleaseRun
from .service_restart import ServiceRestart


class MembersFailed(Exception):
    """Some DLLs of a combined release failed: ``failures`` maps each one's index in the group to its error;
    ``followers`` are the indexes of those that failed only because another one did (put back with it)."""

    def __init__(self, failures: dict[int, IIS4Error], followers: frozenset[int] = frozenset()) -> None:
        super().__init__("; ".join(str(e) for e in failures.values()))
        self.failures = failures
        self.followers = followers


class CombinedRestart:
    """One full restart (``full``: IIS Admin, or WAS on IIS 7+) for every DLL of ``Release.swaps``."""

    stops_services = True

    def __init__(self, full: ServiceRestart) -> None:
        self.full = full
        self.method = full.method
        self.phase = full.phase
        self.process = full.process

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        return self.full.blast_radius(scope)

    def sequence(self, r: Release) -> list[str]:
        """One block with one redirection when it fits the host's line, else a redirection per command (each
        fits a line of the batch file the session then writes, ``_cmd.script``)."""
        parts = self.parts(r, compact=True)
        return parts if fits_one_line(parts, r.limit, r.folder) else self.parts(r, compact=False)

    def parts(self, r: Release, compact: bool) -> list[str]:
        swaps, root = r.swaps, self.full.root
        lead = swaps[0].p
        log, fail, group = quote_arg(lead.log), quote_arg(lead.fail_flag), quote_arg(lead.group_flag)
        inner = IN_BLOCK if compact else log
        outage = [redirect(build_command("net", "stop", root, "/y"), sink(inner))] if r.stops else []
        for s in swaps:  # an old DLL still loaded once IIS is down: keep it (then every DLL goes back below)
            outage += s.hold_if_still_loaded(inner)
        for s in swaps:
            outage += s.swap_in("swap", inner, unless=s.p.held_flag)
        outage += check_every_one(swaps, group, inner)
        for svc in r.starts:
            start = redirect(build_command("net", "start", svc), sink(inner))
            outage += [mark(f"start_{svc}", inner), f"{start}||(echo {svc})>>{fail}"]
        parts = [*group_started(swaps, self.phase), marker("outage_begin"), echo_to_file("@@stop", log, append=False)]
        parts += [block(outage, log)] if compact else outage
        parts += [marker("outage_end"), build_command("type", log), build_command("del", log)]
        for s in swaps:
            # regsvr32 after the start, as for one DLL; a failed registration puts that DLL back in a short
            # outage of its own (ServiceRestart.undo_around).
            parts += s.register(None, self.full.undo_around(r, fail)) if r.register else []
            parts += [marker(s.at("held")), s.report_held(), *s.verify(), *s.tidy(r.backup, r.register)]
        # finished= only once every DLL's tail ran: a record that says finished speaks for the whole group
        parts += [s.append_record(f"finished={self.phase}") for s in swaps]
        for s in swaps:  # a service that did not start again: every record stays for the next run
            kept = if_exist(fail, "echo ##record_kept", build_command("del", quote_arg(s.p.record)))
            parts += [marker(s.at("record")), redirect(kept)]
        return [*parts, delete_if_exists(lead.fail_flag), marker("done")]

    # -- the run ---------------------------------------------------------------------------------------

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """Send the one sequence through the lead's run (``run.group[0]``); after a dropped connection every
        DLL's state is read back under its own label."""
        readback = [part for m in run.group for part in m.swap.verify()]
        self.conclude(run.send(step or run.plan.step("apply"), [*readback, *run.running_parts()]), run, note)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """The services once (the lead's run), then each DLL's own checks on its part of the output.  Raises
        MembersFailed naming every DLL that failed (the others succeeded)."""
        ran_to_end(out, run)
        # The full restart's own reading of the one outage (net's words, the starts still pending).
        self.full._read(out, run)  # pylint: disable=protected-access
        self.full._start_pending(out, run)  # pylint: disable=protected-access
        if run.record_dropped:  # every service runs now: no DLL's record is needed
            run.session.run("cleanup", [Swap(m.run.report.paths).drop_record() for m in run.group[1:]])

        def each(member: Member, mine: SequenceOutput) -> None:
            self.full._check_held(mine, member.run)  # pylint: disable=protected-access
            member.run.finish(mine, note, lambda r: self.done(r, len(run.group)))

        conclude_each(out, run, self.method, each)

    def done(self, run: ReleaseRun, count: int) -> str:
        return f"{self.full.done(run)}, one outage for {count} DLLs"

    def prediction(self, plan: Any, paths: Any, unload_fallback: bool) -> str:
        return self.full.prediction(plan, paths, unload_fallback)

    def predict_group(self, plan: Any, dests: list[str]) -> str:
        """Check mode's sentence for one DLL of the group."""
        apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"])
        return (
            f"would stop {', '.join(plan.stops)} (net stop {self.full.root} /y) ONCE for {len(dests)} DLLs, swap "
            f"{', '.join(dests)} (every one put back if any is not the new DLL), then start {', '.join(plan.starts)}; "
            f"{self.full.taken_down} {apps or 'none'}"
        )


def ran_to_end(out: SequenceOutput, run: ReleaseRun) -> None:
    """A combined sequence cut short on the host: the lead's recovery puts every DLL of the group back (its
    record names them); every DLL fails with the lead's message.  Raises MembersFailed."""
    if out.finished:
        return
    try:
        run.ran_to_end(out)
    except IIS4Error as exc:
        for m in run.group[1:]:
            m.run.report.old_dll_in_place()
        raise MembersFailed(dict.fromkeys(range(len(run.group)), exc)) from None


def conclude_each(
    out: SequenceOutput, run: ReleaseRun, method: str, each: Callable[[Member, SequenceOutput], None]
) -> None:
    """Each DLL of the group on its part of ``out``: the outage's keys the lead's run read (shared), then
    ``each`` (its checks and ``ReleaseRun.finish``).  A DLL put back only because another could not be replaced
    fails saying so.  Raises MembersFailed naming every DLL that failed (the others succeeded)."""
    labels = tuple(m.swap.label for m in run.group)
    shared = {k: run.result.get(k) for k in SHARED if k in run.result}
    rolled_back = out.printed("##group_rolled_back")
    views = [out.of(label, labels) for label in labels]
    culprits = [m.dest for m, mine in zip(run.group, views, strict=True) if "##not_swapped" in mine["check"]]
    failures: dict[int, IIS4Error] = {}
    followers = set()
    for i, (member, mine) in enumerate(zip(run.group, views, strict=True)):
        member.run.result.update(shared, method=method)
        try:
            if rolled_back and "##not_swapped" not in mine["check"]:
                followers.add(i)
                member.run.report.old_dll_in_place()
                raise StepFailed(
                    "swap",
                    f"put back in the same outage: {', '.join(culprits)} could not be replaced, so every DLL "
                    "released with it is the old DLL again; services started again: "
                    f"{', '.join(member.run.result['services_started']) or 'none'}",
                    out.text,
                )
            each(member, mine)
        except IIS4Error as exc:
            failures[i] = exc
    if failures:
        raise MembersFailed(failures, frozenset(followers))


def group_started(swaps: tuple[Swap, ...], phase: str) -> list[str]:
    """The first parts of a combined sequence: each record names every DLL of the outage (a run that finds one
    unfinished puts every one back), then ``started=<phase>``; a group flag left by a sequence cut short goes."""
    named = group_line(swaps)
    parts = [part for s in swaps for part in (s.append_record(named), s.append_record(f"started={phase}"))]
    return [*parts, delete_if_exists(swaps[0].p.group_flag)]


def check_every_one(swaps: tuple[Swap, ...], group: str, log: str | None) -> list[str]:
    """After every swap, before the process comes back: each DLL that is not the new one prints
    ``##not_swapped`` under its ``check`` and flags the group (``group``: the quoted flag file); then, when the
    flag is there, EVERY DLL is put back (``##group_rolled_back``), one command per rename so that each fits a
    line of a batch file however many DLLs there are.  ``log``: as ``Swap.swap_in``."""
    parts = []
    for s in swaps:
        fc = f"{build_command('fc', '/b', quote_arg(s.p.src), quote_arg(s.p.dest))} {QUIET}"
        flag = f"(echo {s.label})>>{group}"
        parts += [mark(s.at("check"), log), redirect(f"({fc}||(echo ##not_swapped&{flag}))", sink(log))]
    back = ["echo ##group_rolled_back", *(part for s in swaps for part in s.swap_back()), f"del {group}"]
    parts.append(mark("group_back", log))
    return [*parts, *(redirect(guarded(f"({part})", exists(group)), sink(log)) for part in back)]


def released_then_swapped_all(r: Release, phase: str, release: list[str]) -> list[str]:
    """``base.released_then_swapped`` for every DLL of ``r``: release once, swap every DLL, check every one (and
    put every one back when any failed), then each one's registration, lock probe, check and tidy."""
    swaps = r.swaps
    parts = [*group_started(swaps, phase), *release]
    for s in swaps:
        parts += s.swap_in("swap")
    parts += check_every_one(swaps, quote_arg(swaps[0].p.group_flag), None)
    for s in swaps:
        parts += s.register() if r.register else []
        parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={phase}")]
        parts += [marker(s.at("tidy")), s.tidy_when_released(r.backup, r.register)]
    return [*parts, marker("done")]


def send_group(run: ReleaseRun, apply: Any) -> tuple[SequenceOutput, bool]:
    """Send a combined sequence through the lead's run (after a dropped connection every DLL's state is read back
    under its own label): what it printed, and whether every DLL is the new one with its old image free."""
    readback = [*(part for m in run.group for part in m.swap.verify()), *run.running_parts()]
    out = run.send(apply, readback)
    ran_to_end(out, run)
    labels = tuple(m.swap.label for m in run.group)
    views = [out.of(label, labels) for label in labels]
    return out, all(m.run.released(v) for m, v in zip(run.group, views, strict=True))


def group_line(swaps: tuple[Swap, ...]) -> str:
    """``group=<dest>*<stamp>*<dest>*<stamp>...`` (``*`` is in no Windows path), escaped for ``echo``."""
    pairs = [f"{s.p.absolute().dest}*{s.p.stamp}" for s in swaps]
    return echo_text(f"{GROUP_KEY}=" + "*".join(pairs))


#: The keys of a release's result that describe the one outage every DLL of the group shared.
SHARED = (
    "services_stopped",
    "services_started",
    "services_not_running",
    "services_stop_pending",
    "outage_seconds",
    "pools",
    "pools_kept_stopped",
)


@dataclasses.dataclass(frozen=True)
class Member:
    """One DLL of a combined release: its run (its report, paths, stage output) and its swap in the one
    sequence (names relative to the lead's folder where it shares it, and its marker label)."""

    run: ReleaseRun
    swap: Swap
    alone: Any = None  # plan.Plan: this DLL's own plan (what it would do alone)

    @property
    def dest(self) -> str:
        return self.run.report.paths.dest

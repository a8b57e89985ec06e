# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace a COM DLL used by ASP applications on an IIS 4.0 host with the least outage (KB Q315663).

The way of the data: options -> ``params`` (checked once: what the user wants) -> ``_host.facts`` (one batched
line asks the host) and ``_host.target`` (what the host is) -> ``_release.recovery`` (when an earlier run left a
state record) -> ``plan`` (pure: the strategy, the services, the blast radius and every command as steps) ->
stage, then the strategy's own release (``_release``: its sequence sent through ``_transport.session`` and read
once) -> the result (``_transport.report``).

The run talks to the host through one WinRS cmd shell and few command lines: gather, stage, and one
sequence that releases the DLL, swaps it and brings IIS back, which the host finishes even if the
controller goes away.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import time
from collections.abc import Callable
from typing import Any, TypeVar

from ._cmd.paths import REVERTED_TAG, Paths
from ._cmd.swap import Swap
from ._host import gathered
from ._host.bindings import site_bindings
from ._host.catalog import (
    IIS_IMAGES,
    CatalogFacts,
    catalog_for,
    gather_catalog,
    holder_dicts,
    holders_text,
    read_catalog,
)
from ._host.facts import HostFacts, check_host_inputs, gather, read_facts
from ._host.metabase_read import IIS5_ADSUTIL
from ._host.parsers.common import Sections
from ._host.parsers.regsvr32 import parse_regsvr32
from ._host.target import Target
from ._release.recovery import recover, wait_for_running_sequence
from ._release.run import ReleaseRun
from ._transport.report import Report
from ._transport.session import Session
from .argspec import DEFAULT_ADSUTIL
from .errors import IIS4Error, InputError, StepFailed
from .params import Params
from .plan import Plan, make_plan
from .results import describe_file, entry_dict, prediction

T = TypeVar("T")


class ComponentUpdate:
    def __init__(self, params: Params, runner: Any, check_mode: bool = False, diff: bool = False) -> None:
        self.p = params
        self.runner = runner
        self.check_mode = check_mode
        self.diff = diff
        self.t0 = time.monotonic()
        now = datetime.datetime.now(datetime.UTC)
        tag = REVERTED_TAG if params.reverting else ""
        self.paths = Paths(params.src, params.dest, now.strftime("%Y%m%d%H%M%S"), tag=tag)
        if self.paths.backup.lower() == params.src.lower():
            # A rollback from a backup made in this same second (rollout.py): its own backup name would be the
            # file it restores from.
            later = now + datetime.timedelta(seconds=1)
            self.paths = Paths(params.src, params.dest, later.strftime("%Y%m%d%H%M%S"), tag=tag)
        self.report = Report(self.paths)
        self.result = self.report.result
        # What the host is, beside what the user wants: refined by each gather, never written into ``p``.
        self.target = Target(
            self.paths, params.cmdline_limit, params.adsutil_path, limit_known=not params.cmdline_limit_auto
        )
        self.session: Any = Session(
            runner, self.report, limit=params.cmdline_limit, timeout=params.timeout, folder=self.paths.dest_dir
        )
        # A dry run's reading (``gathered``) stands for this run's first gather and catalog step (_host.gathered).
        self.asked = (params.src, params.dest, params.adsutil_path)
        self.reuse = None if check_mode else gathered.unpack(params.gathered, *self.asked)
        if params.keep_gathered and check_mode:
            self.session = gathered.RecordingSession(self.session)

    def gather(self) -> HostFacts:
        # Left at its default, adsutil.vbs is looked for where IIS 4.0 and where IIS 5.0-6.0 keep it.
        adsutil_path = self.target.adsutil_path
        if self.reuse is not None and "gather" in self.reuse:
            # The dry run's reading, once (a second gather, after a recovery or for a revert, asks the host).
            facts = read_facts(self.reuse.pop("gather"), adsutil_path, self.paths.dest_name)
            if not facts.needs_walk:
                self.result["gathered_by_dry_run"] = True
                self.target = self.target.learned(facts)
                self.session.limit = self.target.cmdline_limit
                return facts
            self.reuse = None
        candidates = (DEFAULT_ADSUTIL, IIS5_ADSUTIL) if adsutil_path == DEFAULT_ADSUTIL else None
        facts = gather(
            self.session,
            self.paths,
            adsutil_path,
            probe_lock=not self.check_mode,
            walk=self.p.isolation == "auto",
            candidates=candidates,
        )
        self.target = self.target.learned(facts)
        self.session.limit = self.target.cmdline_limit
        return facts

    def run(self) -> dict[str, Any]:
        plan = self.prepare()
        return self.report.finish(self.t0, self.runner) if plan is None else self.release(plan)

    def prepare(self) -> Plan | None:
        """Everything before the host is changed: gather (and recover an earlier run), ask the catalog, plan,
        and the result's description of the host.  None: nothing to do (dest already matches)."""
        self.t0 = time.monotonic()
        facts = self.gather()
        if facts.record:
            facts = self._recover_first(facts)
        if self.p.reverting:
            facts = self._revert_to_newest_backup(facts)
        self._fresh_backup_name(facts)
        check_host_inputs(facts, self.paths, self.session)
        # Who owns and who holds the DLL: only asked when there is something to update.
        catalog = self._catalog(facts) if facts.dest is not None and not facts.identical else None
        if catalog is not None and self.result.get("gathered_by_dry_run") and _outside_only(catalog):
            # Only the lock probe, which a dry run does not send, tells a namesake from dest itself: read again.
            self.result["gathered_by_dry_run"] = False
            self.reuse = None
            facts = self.gather()
            catalog = self._catalog(facts) if facts.dest is not None and not facts.identical else None
        plan = make_plan(facts, self.p, self.paths, catalog, self.target)
        if catalog is not None:
            refuse_outside_holders(catalog, facts.dest_locked, self.report)
        if catalog is not None and catalog.error:
            self.report.warn(f"the {catalog.kind or 'MTS/COM+'} catalog could not be read ({catalog.error})")
        self.result.update(
            iis_version=facts.iis_version,
            isolation_mode=facts.isolation_mode,
            windows=facts.windows.name if facts.windows else None,
            catalog=catalog.kind if catalog else None,
            package=plan.package.as_dict() if plan.package else None,
            holders=holder_dicts(catalog.holders) if catalog else None,
            holders_tool=catalog.holders_tool if catalog else None,
        )
        self.result.update(
            isolation=plan.isolation,
            applications=[a.as_dict() for a in plan.applications],
            bindings=site_bindings(facts, plan.site),
            blast_radius=plan.blast_radius,
            old=entry_dict(facts.dest, self.paths.dest),
            new=entry_dict(facts.src, self.paths.src),
            dest_locked=facts.dest_locked,
            sc_available=facts.has_sc,
            services_running_before=list(facts.running),
        )
        if self.diff:
            self.result["diff"] = {
                "before_header": self.paths.dest,
                "after_header": self.paths.src,
                "before": describe_file(facts.dest),
                "after": describe_file(facts.src),
            }
        if facts.identical:
            self.result["msg"] = f"{self.paths.dest} already matches {self.paths.src} byte for byte; nothing to do"
            if self.p.reverting:
                self.result["msg"] = f"{self.paths.dest} is already the backup {self.paths.src}; nothing to revert"
            return None
        restart = plan.strategy.stops_services
        self.result.update(changed=True, method=plan.method)
        self.report.set_services(plan.stops if restart else [], plan.starts if restart else [])
        return plan

    def release(self, plan: Plan) -> dict[str, Any]:
        """Check mode: what a real run would do.  Else stage, then the strategy's release; the result."""
        if self.check_mode:
            self.result["msg"] = self._reverting_text("would restore") + prediction(
                plan, self.paths, self.p.unload_fallback
            )
            self.result["commands"] = plan.commands(self.paths, self.target.cmdline_limit)
            if plan.fallback is not None:
                self.result["fallback_commands"] = plan.fallback_commands(self.paths, self.target.cmdline_limit)
            return self.report.finish(self.t0, self.runner)
        run = self.release_run(plan, self.stage(plan))
        plan.strategy.release(run)
        return self.released()

    def stage(self, plan: Plan) -> Sections:
        """Stage src beside dest (the plan's stage step); what it printed."""
        for warning in plan.warnings:  # said only when a backup is really made (not on a no-op or a dry run)
            self.report.warn(warning)
        stage = self._stage(plan)
        self.result["backup_file"] = self.paths.backup if self.p.backup else None
        return stage

    def release_run(self, plan: Plan, stage: Sections) -> ReleaseRun:
        return ReleaseRun(self.p, self.target, self.session, self.report, plan, stage)

    def released(self) -> dict[str, Any]:
        """The result once the release succeeded."""
        self.result["msg"] = self._reverting_text("restored") + self.result.get("msg", "")
        return self.report.finish(self.t0, self.runner)

    def attempt(self, step: Callable[[], T]) -> T | None:
        """Run ``step``; an IIS4Error becomes the result's failure (None returned)."""
        try:
            return step()
        except IIS4Error as exc:
            self.fail(exc)
            return None

    def fail(self, exc: IIS4Error) -> None:
        """Write ``exc`` into the result: the step it names, what it says, what the host printed."""
        last = self.report.steps[-1]["step"] if self.report.steps else None
        self.result.update(failed=True, **exc.describe(last))
        if isinstance(exc, StepFailed) and exc.host_output:
            self.result["host_output"] = self.runner.scrub(exc.host_output)[-4000:]

    def closed(self) -> dict[str, Any]:
        """Close the shell (the next command opens a new one) and return the result, passwords scrubbed."""
        with contextlib.suppress(Exception):
            self.runner.close()
        if self.check_mode and not self.p.preview and not self.result.get("failed"):
            self.report.drop_preview()
        self.result["msg"] = self.runner.scrub(self.result.get("msg", ""))
        return self.result

    def _catalog(self, facts: HostFacts) -> CatalogFacts:
        kept = self.reuse.pop("catalog", None) if self.reuse is not None else None
        if kept is not None:
            return read_catalog(kept, catalog_for(facts.windows_major))
        return gather_catalog(self.session, self.paths, facts.windows_major)

    def keep_gathered(self) -> None:
        """Check mode with keep_gathered: what the gather and the catalog step printed, for the update to reuse."""
        outputs = getattr(self.session, "outputs", None)
        if outputs and "gather" in outputs:
            self.result["gathered"] = gathered.pack(dict(outputs), *self.asked)

    def _fresh_backup_name(self, facts: HostFacts) -> None:
        """This run's backup name is already a file beside dest (a backup made in this same UTC second, which a
        revert leaves in place): take the next second's name."""
        taken = {name.lower() for name in facts.backups}
        while self.paths.backup_name.lower() in taken:
            later = datetime.datetime.strptime(self.paths.stamp, "%Y%m%d%H%M%S") + datetime.timedelta(seconds=1)
            self._retarget(dataclasses.replace(self.paths, stamp=later.strftime("%Y%m%d%H%M%S")))

    def _retarget(self, paths: Paths) -> None:
        """Name other files (a revert's src, the next second's backup) everywhere the run keeps its paths."""
        self.paths = paths
        self.p = dataclasses.replace(self.p, src=paths.src)
        self.report.paths = paths
        self.target = dataclasses.replace(self.target, paths=paths)

    def _reverting_text(self, verb: str) -> str:
        return f"{verb} the backup {self.paths.src}: " if self.p.reverting else ""

    def _revert_to_newest_backup(self, facts: HostFacts) -> HostFacts:
        """``state=reverted``: the newest backup an update left beside dest becomes src (by its stamp; the
        ``.rev.bak`` a revert keeps is not one of them), then the host is asked again about that file.  No
        backup: fail before anything is stopped or changed."""
        if not facts.backups:
            raise StepFailed(
                "revert",
                f"no backup of {self.paths.dest} to revert to (an update keeps <name>.<UTC stamp>.bak beside dest "
                "when backup is on): nothing was stopped or changed",
            )
        src = f"{self.paths.dest_dir}\\{facts.backups[-1]}"
        self._retarget(dataclasses.replace(self.paths, src=src))
        self.result["restored_backup"] = src
        return self.gather()

    def _recover_first(self, facts: HostFacts) -> HostFacts:
        """An earlier run left its state record: wait for its sequence if it may still run, then recover."""
        record = facts.record
        if record is None:
            return facts
        if self.check_mode:
            self.result["recovered"] = {"record": record.as_dict(), "note": "a real run would first recover this"}
            return facts
        if record.running and wait_for_running_sequence(self.session, self.paths.record, self.p.timeout):
            self.report.warn("an earlier run's sequence was still running on the host; this run waited for it to end")
            facts = self.gather()
            if not facts.record:
                self.result["recovered"] = {
                    "record": record.as_dict(),
                    "action": "waited for the earlier run's sequence, still running on the host, to finish",
                }
        if facts.record:
            self.result["recovered"] = recover(self.session, facts, self.paths.dest, self.p.timeout)
            self.result["changed"] = True
            facts = self.gather()
        return facts

    def _stage(self, plan: Plan) -> Sections:
        """Copy src beside dest, check it, write the state record (and swap early where the host allows)."""
        res = self.session.run("stage", list(plan.step("stage").parts), here=True)
        rel = self.paths.relative()
        s = Sections.parse(res.output)
        if not res.complete:
            raise StepFailed("stage", f"connection lost while staging: {res.error}; nothing was swapped")
        copy_rc = s.rcs.get("copy", 0)
        if copy_rc != 0 or s.rc("verify") != 0 or "##record_ok" not in s["record"]:
            self.session.run("stage_cleanup", Swap(rel).unstage(), here=True)
            why = s["copy"].strip() or s["verify"].strip() or s["record"].strip()
            raise StepFailed(
                "stage",
                f"could not stage {rel.src} as {rel.staged}: host said: {why!r}; "
                "nothing was swapped and no service was touched",
                res.output,
            )
        if self.p.register and "##still_staged" not in s["staged"]:
            self._register_early(plan)
        return s

    def _register_early(self, plan: Plan) -> None:
        """The swap happened at staging (the old image stays loaded under the backup's name): register the new
        DLL now, before any outage, waiting at most ``timeout`` seconds.  If it fails or hangs, put the old DLL
        back (and register it again) and stop: nothing was stopped."""
        rel = self.paths.relative()
        res = self.session.run(
            "register", Swap(rel).register_now(), here=True, retry=False, timeout=float(self.p.timeout)
        )
        rc = Sections.parse(res.output).rcs.get("register", 0)
        if res.complete and rc == 0:
            return
        self.runner.reset()  # a regsvr32 that still runs keeps its shell; go on in a new one
        back = [*Swap(rel).rollback(), Swap(rel).reregister_old()]
        self.session.run("rollback", back, here=True)
        self.report.old_dll_in_place()
        self.report.set_services([], [])
        why = (
            f"did not finish within {self.p.timeout} seconds (regsvr32 /s shows no dialog: the DLL's "
            "DllRegisterServer hangs)"
            if not res.complete
            else f"failed (exit {rc}: {parse_regsvr32(rc)})"
        )
        raise StepFailed(
            "register",
            f"regsvr32 for the new DLL {why}; this happened before any outage: the old DLL was put back at dest "
            "and registered again, and nothing was stopped",
            res.output,
        )


def _outside_only(catalog: CatalogFacts) -> bool:
    holders = catalog.holders
    return bool(holders) and not any(h.image.lower() in IIS_IMAGES for h in holders)


def refuse_outside_holders(catalog: CatalogFacts, dest_locked: bool | None = None, report: Any = None) -> None:
    """Every process that has dest loaded is a program outside IIS and its packages: nothing this run could stop
    or unload would free the file, so fail before any outage, naming them.

    tlist and tasklist match module names only, so a process with another DLL of the same file name loaded from
    elsewhere is listed too.  The host's own answer settles it: when gathering could open dest for writing
    (``dest_locked`` False), no process has dest itself mapped, and the listed programs hold a namesake."""
    holders = catalog.holders
    if not holders or any(h.image.lower() in IIS_IMAGES for h in holders):
        return
    if dest_locked is False:
        if report is not None:
            report.warn(
                f"{holders_text(holders)} has a DLL named like dest loaded, but not dest itself (dest could be opened "
                "for writing): another file of the same name"
            )
        return
    raise StepFailed(
        "holders",
        f"dest is loaded only by {holders_text(holders)}: neither a package shutdown nor restarting or unloading IIS "
        "would free it; nothing was stopped or changed; run the task again once that program has exited",
    )


def run_update(
    params: dict[str, Any], runner: Any, check_mode: bool = False, diff: bool = False, progress: Any = None
) -> dict[str, Any]:
    """Validate ``params`` and run the update through ``runner``; returns an Ansible result dict.

    Never raises for host or input problems: they become ``failed: true`` with a message naming the step.
    """
    try:
        p = Params.from_module_params(params)
    except InputError as exc:
        return {"failed": True, "changed": False, **exc.describe()}
    return update(p, runner, check_mode=check_mode, diff=diff, progress=progress)


def update(
    p: Params, runner: Any, check_mode: bool = False, diff: bool = False, progress: Any = None
) -> dict[str, Any]:
    """Run the update of options already validated (``Params``) through ``runner``; returns an Ansible result
    dict.  Never raises for host problems: they become ``failed: true`` with a message naming the step."""
    job = ComponentUpdate(p, runner, check_mode=check_mode, diff=diff)
    if progress is not None:
        job.report.progress = progress
    if job.attempt(job.run) is not None:
        job.keep_gathered()
    return job.closed()

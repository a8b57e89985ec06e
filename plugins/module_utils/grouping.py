# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Several DLLs of one host in as few outages as their strategies allow (issue 23).

``rollout`` prepares every component first (``ComponentUpdate.prepare``: gather, recover, plan; nothing on the
host changes), then :func:`groups` puts together the components whose release is the same outage: every DLL a
full restart releases (in-process on IIS 4/5, the restart of IIS Admin; WAS on IIS 7+) with the same services.
A group of one is released as always (``ComponentUpdate.release``); a larger group by :func:`release_group`:
stage every DLL, then ONE sequence (``_release.combined_restart``) stops IIS once, swaps every DLL, checks every
one and puts every one back when any failed, and starts IIS once.  Every DLL of the same application pools shares
one stop and start of each pool the same way (``_release.combined_pools``), and every DLL of the same isolated
applications one unload of each (``_release.combined_unload``), and every DLL of the same server package one
shutdown of it (``_release.combined_package``).

Each component keeps its own result (changed, backup, old and new, msg); ``shared_release`` says which DLLs
shared its outage, and the outage is counted once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable
from typing import Any, cast

from ._cmd.script import sequence_lines
from ._cmd.swap import Swap
from ._release.base import Release
from ._release.combined_package import CombinedPackageShutdown
from ._release.combined_pools import CombinedPoolRestart
from ._release.combined_restart import CombinedRestart, Member, MembersFailed
from ._release.combined_unload import CombinedUnload
from ._release.package_shutdown import PackageShutdown
from ._release.pool_restart import PoolRestart
from ._release.service_restart import ServiceRestart
from ._release.unload import IsolatedUnload
from .errors import IIS4Error
from .plan import Plan, sequence_step
from .update import ComponentUpdate

Prepared = tuple[ComponentUpdate, Plan]


def group_key(job: ComponentUpdate, plan: Plan) -> Hashable | None:
    """What must be alike for two DLLs to share one release; None: this DLL is released on its own.

    A full restart (IIS Admin, or WAS on IIS 7+) frees every DLL the host's IIS processes have loaded, so every
    DLL it would release shares one when the services stopped and started are the same; a pool restart, every
    DLL of the same pools; an unload, every DLL of the same isolated applications (each with the same full
    restart to fall back to); a package shutdown, every DLL of the same server package.  The swap options
    (backup, register) must agree too."""
    strategy = plan.strategy
    options = (job.p.backup, job.p.register, plan.stops, plan.starts)
    if isinstance(strategy, ServiceRestart):
        return ("restart", strategy.root, *options)
    fallback = getattr(plan.fallback_strategy, "root", None)
    if isinstance(strategy, PoolRestart):
        pools = tuple(sorted(p.lower() for p in (*strategy.pools, *strategy.stopped)))
        return ("pools", strategy.tool, pools, tuple(sorted(p.lower() for p in strategy.stopped)), fallback, *options)
    if isinstance(strategy, IsolatedUnload):
        roots = tuple(sorted((a.unload_path or "").lower() for a in plan.unload_roots))
        return ("unload", roots, fallback, *options)
    if isinstance(strategy, PackageShutdown):
        package = strategy.package.id.lower() if strategy.package is not None else None
        return ("package", strategy.kind, package, plan.mtxstop is not None, job.p.package_restart, *options)
    return None


def groups(prepared: list[Prepared]) -> list[list[Prepared]]:
    """The prepared components in release groups, in the order of each group's first component."""
    out: list[list[Prepared]] = []
    by_key: dict[Hashable, list[Prepared]] = {}
    for job, plan in prepared:
        key = group_key(job, plan)
        if key is None:
            out.append([(job, plan)])
        elif key in by_key:
            by_key[key].append((job, plan))
        else:
            by_key[key] = [(job, plan)]
            out.append(by_key[key])
    return out


def member_swaps(members: list[Prepared]) -> list[Swap]:
    """Each DLL's swap in the one sequence: names relative to the lead's folder (where the sequence runs) when
    it shares it, else full paths; markers labelled ``c1``, ``c2``, ..."""
    folder = members[0][0].paths.dest_dir.lower()
    swaps = []
    for i, (job, _plan) in enumerate(members, start=1):
        same = job.paths.dest_dir.lower() == folder
        swaps.append(Swap(job.paths.relative() if same else job.paths.absolute(), label=f"c{i}"))
    return swaps


def combined_release(members: list[Prepared]) -> tuple[Plan, Release]:
    """The plan of one sequence for every DLL of ``members``: the first one's plan with the combined strategy,
    its sequence and (a pool restart) the combined full restart to fall back to.  The first DLL leads: the
    sequence runs in its folder, its log and flags hold the outage's."""
    lead, plan = members[0]
    swaps = member_swaps(members)
    release = Release(
        swaps[0],
        plan.stops,
        plan.starts,
        plan.unload_roots,
        lead.p.backup,
        lead.p.register,
        lead.target.adsutil_path,
        lead.target.cmdline_limit,
        lead.paths.dest_dir,
        also=tuple(swaps[1:]),
    )
    if isinstance(plan.strategy, PoolRestart):
        strategy: Any = CombinedPoolRestart.of(plan.strategy)
    elif isinstance(plan.strategy, IsolatedUnload):
        strategy = CombinedUnload()
    elif isinstance(plan.strategy, PackageShutdown):
        strategy = CombinedPackageShutdown.of(plan.strategy)
    else:
        strategy = CombinedRestart(cast(ServiceRestart, plan.strategy))  # group_key: the only other kind
    full = plan.fallback_strategy
    fallback = CombinedRestart(full) if isinstance(full, ServiceRestart) else None
    group_plan = dataclasses.replace(
        plan,
        strategy=strategy,
        steps=(sequence_step(strategy, release),),
        fallback=sequence_step(fallback, release) if fallback is not None else None,
        fallback_strategy=fallback,
    )
    return group_plan, release


def shared(members: list[Prepared], index: int, outage: Any = None, failed: list[int] | None = None) -> dict[str, Any]:
    """The ``shared_release`` entry of the ``index``-th DLL of a group (``failed``: the DLLs that failed on their
    own, by index)."""
    return {
        "components": [job.paths.dest for job, _plan in members],
        "index": index,
        "method": members[0][1].method,
        "outage_seconds": outage,
        "failed": failed or [],
    }


def predict_group(members: list[Prepared]) -> None:
    """Check mode: each DLL's result says the one release it shares, and the commands of it."""
    group_plan, _release = combined_release(members)
    lead = members[0][0]
    step = group_plan.step("apply")
    apply = sequence_lines(
        list(step.parts), lead.target.cmdline_limit, lead.paths.dest_dir, lead.paths.relative().batch
    )
    dests = [job.paths.dest for job, _plan in members]
    for i, (job, plan) in enumerate(members):
        job.release(plan)
        rel = job.paths.relative()
        stage = plan.step("stage").lines(job.target.cmdline_limit, job.paths.dest_dir, rel.batch)
        job.result["commands"] = [*stage, *apply]
        job.result["msg"] = group_plan.strategy.predict_group(plan, dests)
        job.result["shared_release"] = shared(members, i)


def release_group(members: list[Prepared]) -> None:
    """Stage every DLL, then release them all in one sequence; each result says how its DLL ended."""
    group_plan, release = combined_release(members)
    stages = []
    for i, (job, plan) in enumerate(members):
        stage = job.attempt(lambda job=job, plan=plan: job.stage(plan))
        if stage is None:
            why = f"{job.paths.dest} failed at step {job.result.get('step')} before the outage"
            undo_staged(members[:i], why)
            not_released(members[i + 1 :], why)
            return
        stages.append(stage)
    plans = [group_plan, *(plan for _job, plan in members[1:])]
    runs = [job.release_run(plan, stage) for (job, _plan), plan, stage in zip(members, plans, stages, strict=True)]
    alone = [plan for _job, plan in members]
    group = tuple(Member(run, swap, own) for run, swap, own in zip(runs, release.swaps, alone, strict=True))
    lead = runs[0]
    lead.group = group
    failures: dict[int, IIS4Error] = {}
    followers: frozenset[int] = frozenset()
    try:
        group_plan.strategy.release(lead)
    except MembersFailed as exc:
        failures, followers = exc.failures, exc.followers
    except IIS4Error as exc:  # the sequence itself (a lost connection): every DLL's state is the lead's
        failures = dict.fromkeys(range(len(members)), exc)
    outage = lead.result.get("outage_seconds")
    failed_alone = sorted(set(failures) - followers)
    for i, (job, _plan) in enumerate(members):
        job.result["shared_release"] = shared(members, i, outage, failed_alone)
        if i in failures:
            job.fail(failures[i])
        else:
            job.released()


def undo_staged(members: list[Prepared], why: str) -> None:
    """A later DLL could not be staged: put the ones staged before it back as they were (the staged copy and
    the record removed; where the swap happened at staging, the old DLL back at dest).  Nothing was stopped."""
    for job, _plan in members:
        rel = Swap(job.paths.relative())
        back = [*rel.rollback(), rel.reregister_old()] if job.p.register else rel.rollback()
        job.attempt(lambda job=job, back=back: job.session.run("unstage", back, here=True))
    not_released(members, f"{why}, so no DLL of the same outage was (its staged copy was removed)")


def not_released(members: list[Prepared], why: str) -> None:
    """DLLs prepared but never staged: nothing of theirs changed."""
    for job, _plan in members:
        job.report.set_services([], [])
        # changed stays true only where recovering an earlier run's state record changed the host
        recovered = bool(job.result.get("recovered")) and not job.check_mode
        job.result.update(
            changed=recovered, method="none", skipped=True, msg=f"not updated: {why}; nothing of this DLL changed"
        )


def update_all(
    wants: list[Any], runner: Any, *, check_mode: bool = False, diff: bool = False, progress: Any = None
) -> list[dict[str, Any]]:
    """Update every component of one host (``wants``: their Params, in order) in as few outages as their
    strategies allow; one result per component, in order.  Every component is prepared first (nothing on the
    host changes; the first one that fails ends the list); then each release group, in order, until one fails:
    the components of the groups after it are left as they were."""
    jobs: list[ComponentUpdate] = []
    prepared: list[Prepared] = []
    for i, want in enumerate(wants):
        job = ComponentUpdate(want, runner, check_mode=check_mode, diff=diff)
        if progress is not None:
            job.report.progress = progress
            if len(wants) > 1:
                progress(f"component {i + 1} of {len(wants)}: {want.dest}")
        jobs.append(job)
        plan = job.attempt(job.prepare)
        if job.result.get("failed"):
            not_released(prepared, f"{want.dest} failed before any outage")
            return [j.closed() for j in jobs]
        if plan is None:
            job.report.finish(job.t0, runner)
        else:
            prepared.append((job, plan))
    ordered = groups(prepared)
    for n, members in enumerate(ordered):
        if len(members) > 1 and check_mode:
            predict_group(members)
        elif len(members) > 1:
            release_group(members)
        else:
            job, plan = members[0]
            job.attempt(lambda job=job, plan=plan: job.release(plan))
        failed = next((job for job, _plan in members if job.result.get("failed")), None)
        if failed is not None:
            later = [m for rest in ordered[n + 1 :] for m in rest]
            not_released(later, f"{failed.paths.dest} failed")
            break
    for job in jobs:
        if not job.result.get("failed"):
            job.keep_gathered()  # check mode with keep_gathered: the reading the update starts from (issue 22)
    return [job.closed() for job in jobs]

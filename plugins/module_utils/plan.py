# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: facts and options in, a frozen :class:`Plan` with its steps out.  No I/O.

:func:`make_plan` resolves the site and the applications (the metabase on IIS 4-6, appcmd on IIS 7+) and
their isolation (``resolve.py``), works out which services a full restart stops and starts again, lets
``_release.choose`` pick the strategies, and writes every command of the run as :class:`Step` s:

1. ``stage``  - copy src beside dest, check it, write the state record, and (where the host lets a loaded
   image be renamed) swap before any outage;
2. ``apply``  - the strategy's sequence: release the DLL, swap, bring the process back, verify, tidy;
3. ``fallback`` - for an unload or a pool restart: the full restart, run only when the DLL stays loaded;
   ``widen`` - for an unload: APPUNLOAD of the host's other isolated applications.

When the DLL belongs to an MTS server package or COM+ server application (``catalog.py``), the ``apply``
step shuts down that package instead, and ``Plan.iis`` is the plan IIS alone would have had: the run goes
on with it only when the DLL is still loaded once the package has let go (IIS loads it directly too).

Check mode returns :meth:`Plan.commands` (what a real run would send) and the blast radius; a real run
executes the same steps (``update.py``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from ._cmd.paths import Paths
from ._cmd.script import packed_lines, sequence_lines
from ._cmd.swap import Swap
from ._host.appcmd import appcmd_path
from ._host.catalog import CatalogFacts
from ._host.facts import HostFacts
from ._host.metabase import Application
from ._host.services import dependencies_of, display_names, restart_root, start_order, stop_set
from ._host.target import Target
from ._release.base import Release, Scope, Strategy
from ._release.choose import Choice, choose
from ._release.package_shutdown import PackageShutdown, mtxstop_parts
from ._release.pool_restart import PoolRestart
from ._release.unload import IsolatedUnload
from .params import Params
from .resolve import Resolved, resolve


@dataclass(frozen=True)
class Step:
    """Command parts sent together.  ``sequence``: one line (or batch file) that must run whole, appending
    ``started=<phase>``/``finished=<phase>`` to the state record; otherwise packed lines, safe to repeat."""

    name: str
    parts: tuple[str, ...]
    sequence: bool = False
    phase: str | None = None

    def lines(self, limit: int, folder: str, batch: str) -> list[str]:
        """The command lines this step costs on a host whose limit is ``limit``."""
        if self.sequence:
            return sequence_lines(list(self.parts), limit, folder, batch)
        return packed_lines(list(self.parts), limit, folder)


@dataclass(frozen=True)
class Plan:
    site: int
    applications: tuple[Application, ...]
    isolation: str
    strategy: Strategy
    stops: tuple[str, ...]
    starts: tuple[str, ...]
    unload_roots: tuple[Application, ...]
    blast_radius: dict[str, Any] = field(hash=False)
    steps: tuple[Step, ...] = ()
    fallback: Step | None = None  # the full restart's sequence, when the strategy may not free the DLL
    fallback_strategy: Strategy | None = None
    widen: Step | None = None  # unload: APPUNLOAD of every other isolated application, if the DLL stays loaded
    widen_roots: tuple[Application, ...] = ()
    names: dict[str, str] = field(default_factory=dict, hash=False)  # service key -> display name
    warnings: tuple[str, ...] = ()
    catalog: CatalogFacts | None = None
    package: Any = None  # the package that registers dest (parsers.catalog.Package), server or library
    iis: Plan | None = None  # package strategy: what IIS alone would do, when the DLL stays loaded
    mtxstop: Step | None = None  # package strategy: mtxstop.exe, when the catalog refused the shutdown

    @property
    def method(self) -> str:
        return self.strategy.method

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def commands(self, paths: Paths, limit: int) -> list[str]:
        """Every command line the run sends after gathering, in order (the fallback not included)."""
        rel = paths.relative()
        return [line for s in self.steps for line in s.lines(limit, paths.dest_dir, rel.batch)]

    def fallback_commands(self, paths: Paths, limit: int) -> list[str]:
        if self.fallback is None:
            return []
        return self.fallback.lines(limit, paths.dest_dir, paths.relative().batch)


def stage_step(swap: Swap, facts: HostFacts, params: Params, method: str, services: list[str], *extra: str) -> Step:
    """The ``stage`` step: prune old backups, clear a read-only dest, stage, write the record (``extra`` lines
    added), and swap now where the host allows it."""
    # A revert makes no <name>.<stamp>.bak (it keeps the DLL it replaces as .rev.bak) and restores from the newest.
    prune = [] if params.reverting else swap.prune(facts.backups, params.keep_backups)
    readonly = bool(facts.dest_readonly and facts.dest is not None)
    return Step("stage", tuple(swap.stage(method, services, prune, readonly, extra)))


def other_isolated_roots(mb: Any, roots: tuple[Application, ...]) -> tuple[Application, ...]:
    """Every isolated application root of the host besides ``roots``: their processes may have the DLL loaded
    too (an application that was not named)."""
    if mb is None:
        return ()
    named = {r.app_root.upper() for r in roots if r.app_root}
    return tuple(a for a in mb.applications() if a.isolated and a.app_root and a.app_root.upper() not in named)


def unload_roots(apps: list[Application]) -> tuple[Application, ...]:
    """The distinct isolated application roots serving ``apps`` (one mtx.exe each)."""
    roots: list[Application] = []
    for a in apps:
        if a.isolated and a.app_root and a.app_root not in [r.app_root for r in roots]:
            roots.append(a)
    return tuple(roots)


def service_lists(facts: HostFacts, params: Params) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What ``net stop IISADMIN /y`` stops, and what starts again afterwards, in order.

    Services outside IIS that depend on IIS Admin: net stop /y stops them too, so they always start again,
    after the IIS ones, in the reverse of sc enumdepend's order (a start order) - except one that an IIS service
    depends on, which starts before it."""
    graph = facts.dependencies
    root = restart_root(facts.windows.iis_major if facts.windows else 4)
    stopped = stop_set(list(facts.running), graph, root)
    running = facts.running if root == "IISADMIN" else [k for k in facts.running if k in stopped]
    restart = list(running if params.restart_services is None else params.restart_services)
    extras = [key for key, _display in (facts.extras or ())]
    stops = tuple(extras + stopped)
    wanted = set(restart) | ({root} if restart or extras else set())
    # An extra that a restarted IIS service depends on (2003: W3SVC on HTTP SSL) starts in the dependency order,
    # before that service: started after it, the SCM would have started it already ("already been started").
    needed = dependencies_of(wanted, graph) & set(extras)
    starts = start_order(sorted(wanted | needed), graph)
    return stops, tuple(starts + [e for e in reversed(extras) if e not in needed])


def sequence_step(strategy: Strategy, release: Release) -> Step:
    """The strategy's sequence as one step, sent whole (one line or a batch file)."""
    return Step("apply", tuple(strategy.sequence(release)), sequence=True, phase=strategy.phase)


def make_plan(
    facts: HostFacts, params: Params, paths: Paths, catalog: CatalogFacts | None = None, target: Target | None = None
) -> Plan:
    """The whole run from what the host looks like (pure).  ``target``: what gathering found (the options'
    values when not given).  Raises StepFailed without a metabase and InputError for a site or application
    the metabase does not have."""
    target = target or Target(paths, params.cmdline_limit, params.adsutil_path)
    found = resolve(facts, params, target)
    appcmd = appcmd_path(facts.system_root)
    choice = choose(
        facts,
        catalog,
        found.isolation,
        found.applications,
        dest=paths.dest,
        pools=found.pools,
        pool_tool=found.pool_tool,
        appcmd=appcmd,
        pool_state=(found.stopped_pools, found.shutdown_limit),
        host_pools=found.host_pools,
        host_sites=found.host_sites,
        unload_fallback=params.unload_fallback,
    )
    base = iis_plan(facts, params, paths, target, found, choice, appcmd)
    owner = catalog.owner(paths.dest) if catalog else None
    if choice.package is None:
        if facts.iis_version != "4.0" and base.blast_radius.get("process") == "mtx.exe":
            base.blast_radius["process"] = "dllhost.exe"  # IIS 5 and later run isolated applications in COM+
        return dataclasses.replace(base, catalog=catalog, package=owner)
    return package_plan(facts, params, paths, target, catalog, choice.package, base)


def package_plan(
    facts: HostFacts,
    params: Params,
    paths: Paths,
    target: Target,
    catalog: CatalogFacts | None,
    strategy: PackageShutdown,
    base: Plan,
) -> Plan:
    """A server package owns the DLL: shut it down first; ``base`` (what IIS alone would do) follows when the
    DLL stays loaded."""
    owner = catalog.owner(paths.dest) if catalog else None
    swap = Swap(paths.relative())
    release = Release(swap, (), (), (), params.backup, params.register, target.adsutil_path, target.cmdline_limit)
    record_services = list(base.starts) if base.strategy.stops_services or base.fallback is not None else []
    steps = (stage_step(swap, facts, params, strategy.method, record_services), sequence_step(strategy, release))
    can_mtxstop = bool(catalog and catalog.kind == "mts" and catalog.mtxstop and strategy.package is not None)
    blast = strategy.blast_radius(Scope(base.site, base.applications, metabase=facts.metabase))
    if owner is not None:
        blast["package"] = owner.as_dict()
    if can_mtxstop:
        blast["if_refused"] = (
            "mtxstop.exe shuts down every MTS server package, the mtx.exe of every isolated application included"
        )
    blast["if_still_loaded"] = {
        "then": base.method,
        "applications": base.blast_radius.get("applications", []),
        "services": base.blast_radius.get("services", []),
        "note": base.blast_radius.get("note", ""),
    }
    return dataclasses.replace(
        base,
        strategy=strategy,
        stops=(),
        starts=(),
        unload_roots=(),
        blast_radius=blast,
        steps=steps,
        fallback=None,
        fallback_strategy=None,
        widen=None,
        widen_roots=(),
        catalog=catalog,
        package=owner,
        iis=base,
        mtxstop=Step("mtxstop", tuple(mtxstop_parts())) if can_mtxstop else None,
    )


def pool_sharing(facts: HostFacts, pools: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The applications of ``pools``: from the metabase on IIS 6, from ``appcmd list app`` on IIS 7+."""
    sharing: list[dict[str, Any]] = []
    for pool in pools:
        if facts.metabase is not None:
            sharing += [a.as_dict() for a in facts.metabase.sharing_pool(pool)]
        else:
            sharing += [
                {"name": n, "app_pool": p} for n, p in (facts.appcmd_apps or {}).items() if p.lower() == pool.lower()
            ]
    return tuple(sharing)


def iis_plan(
    facts: HostFacts, params: Params, paths: Paths, target: Target, found: Resolved, choice: Choice, appcmd: str
) -> Plan:
    """The plan when IIS's own processes are what holds the DLL: the strategy chosen for the isolation."""
    mb = facts.metabase
    worker = found.isolation == "worker_process"
    strategy, full_restart = choice.strategy, choice.fallback
    stops, starts = service_lists(facts, params)
    roots = () if worker else unload_roots(list(found.applications))
    swap = Swap(paths.relative())
    release = Release(
        swap,
        stops,
        starts,
        roots,
        params.backup,
        params.register,
        found.adsutil_path,
        target.cmdline_limit,
        paths.dest_dir,
    )
    extra: tuple[str, ...] = ()
    if worker:
        extra = (
            # the pools the sequence stops and starts (recovery starts these, never a pool stopped before the run)
            f"pools={','.join(strategy.pools if isinstance(strategy, PoolRestart) else found.pools)}",
            f"pool_tool={found.pool_tool}",
            f"adsutil={found.adsutil_path}",
            f"appcmd={appcmd}",
        )
    record_services = list(starts) if strategy.stops_services or full_restart is not None else []
    steps = (
        stage_step(swap, facts, params, strategy.method, record_services, *extra),
        sequence_step(strategy, release),
    )
    # An unload that does not free the DLL first unloads the host's other isolated applications.
    others = other_isolated_roots(mb, roots) if isinstance(strategy, IsolatedUnload) else ()
    widen = Step("widen", tuple(strategy.unload_parts(others, found.adsutil_path))) if others else None
    scope = Scope(
        found.site,
        found.applications,
        metabase=mb,
        stops=stops,
        roots=roots,
        others=others,
        falls_back=full_restart is not None,
        sharing=pool_sharing(facts, found.pools) if worker else (),
        listed=worker or mb is not None,
    )
    radius = strategy.blast_radius(scope)
    then = radius.get("if_still_loaded")
    if full_restart is not None and isinstance(then, dict) and then.get("then") != "fail":
        # What the full restart is on this host (net stop IISADMIN /y; net stop WAS /y on IIS 7+) and what it ends.
        then["how"] = f"net stop {getattr(full_restart, 'root', 'IISADMIN')} /y"
        then["note"] = full_restart.blast_radius(scope).get("note", "")
    return Plan(
        site=found.site,
        applications=found.applications,
        isolation=found.isolation,
        strategy=strategy,
        stops=stops,
        starts=starts,
        unload_roots=roots,
        blast_radius=radius,
        steps=steps,
        fallback=sequence_step(full_restart, release) if full_restart is not None else None,
        fallback_strategy=full_restart,
        widen=widen,
        widen_roots=others,
        names=display_names(facts.extras or (), facts.service_names),
        warnings=served_backup_warnings(mb, paths) if params.backup else (),
    )


def served_backup_warnings(mb: Any, paths: Paths) -> tuple[str, ...]:
    """A backup in a folder a web site serves can be downloaded by anyone: say so."""
    if mb is None:
        return ()
    folder = paths.dest_dir.lower().rstrip("\\") + "\\"
    found = []
    for key, props in mb.nodes.items():
        physical = next((v for n, v in props.items() if n.lower() == "path"), None)
        parts = key.split("/")
        if not isinstance(physical, str) or len(parts) < 3 or parts[2].upper() != "ROOT":
            continue
        if folder.startswith(physical.lower().rstrip("\\") + "\\"):
            found.append(f"/LM/{key}")
    if not found:
        return ()
    return (
        f"backups are kept beside dest in {paths.dest_dir}, which the web server serves ({', '.join(sorted(found))}): "
        "they can be downloaded; set backup: false or keep the DLL outside the site's folders",
    )

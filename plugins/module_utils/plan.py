# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: facts and options in, a frozen :class:`Plan` with its steps out.  No I/O.

:func:`make_plan` resolves the site and the applications in the metabase, chooses the release strategy from
their isolation (``strategies.STRATEGIES``), works out which services stop and which start again, the blast
radius, and writes every command of the run as :class:`Step` s:

1. ``stage``  - copy src beside dest, check it, write the state record, and (where the host lets a loaded
   image be renamed) swap before any outage;
2. ``apply``  - the strategy's sequence: release the DLL, swap, bring the process back, verify, tidy;
3. ``fallback`` - for an unload: the in-process sequence, run only when the unload did not free the DLL.

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
from ._cmd.script import fits_one_line, packed_lines, sequence_lines
from ._cmd.swap import Swap
from ._host.appcmd import appcmd_applications, appcmd_path
from ._host.catalog import POOLED_APPLICATION, CatalogFacts
from ._host.facts import HostFacts
from ._host.metabase import DEFAULT_APP_POOL, Application
from ._host.services import display_names, start_order, stop_set
from ._release.strategies import (
    FALLBACK,
    FIRST_COPY,
    STRATEGIES,
    PoolRestart,
    Release,
    mtxstop_parts,
    package_strategy,
    pooled_strategy,
)
from .argspec import DEFAULT_SITE
from .errors import InputError, StepFailed
from .params import Params


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
    strategy: Any
    stops: tuple[str, ...]
    starts: tuple[str, ...]
    unload_roots: tuple[Application, ...]
    blast_radius: dict[str, Any] = field(hash=False)
    steps: tuple[Step, ...] = ()
    fallback: Step | None = None
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
    prune = swap.prune(facts.backups, params.keep_backups)
    readonly = bool(facts.dest_readonly and facts.dest is not None)
    return Step("stage", tuple(swap.stage(method, services, prune, readonly, extra)))


def sequence_step(strategy: Any, release: Release, limit: int, folder: str) -> Step:
    """The strategy's sequence as one step: compact (one line) when that fits the host's command line,
    else with a redirection per command, each short enough for a line of the batch file it becomes."""
    parts = strategy.sequence(release)
    if strategy is FALLBACK and not fits_one_line(parts, limit, folder):
        parts = strategy.sequence(release, compact=False)
    return Step("apply", tuple(parts), sequence=True, phase=strategy.phase)


def other_isolated_roots(mb: Any, roots: tuple[Application, ...]) -> tuple[Application, ...]:
    """Every isolated application root of the host besides ``roots``: their processes may have the DLL loaded
    too (an application that was not named)."""
    if mb is None:
        return ()
    named = {r.app_root.upper() for r in roots if r.app_root}
    return tuple(a for a in mb.applications() if a.isolated and a.app_root and a.app_root.upper() not in named)


def choose_isolation(wanted: str, apps: list[Application]) -> str:
    """The isolation to act for: forced by the option, else in-process as soon as one application is."""
    if wanted in ("in_process", "out_of_process"):
        return wanted
    return "in_process" if any(not a.isolated for a in apps) else "out_of_process"


def unload_roots(apps: list[Application]) -> tuple[Application, ...]:
    """The distinct isolated application roots serving ``apps`` (one mtx.exe each)."""
    roots: list[Application] = []
    for a in apps:
        if a.isolated and a.app_root and a.app_root not in [r.app_root for r in roots]:
            roots.append(a)
    return tuple(roots)


def forced_applications(params: Params) -> tuple[int, list[Application]]:
    """The applications as the options name them, for a forced isolation on a host whose metabase was not
    listed (an adsutil.vbs without ENUM_ALL): the site must be a number (Default Web Site is always 1)."""
    site = params.site
    if isinstance(site, str):
        if site.strip().lower() != DEFAULT_SITE.lower():
            raise InputError(
                "site",
                f"{site!r}: the metabase was not listed (isolation is forced and this adsutil.vbs has no ENUM_ALL), "
                "so the site must be given by its number",
            )
        site = 1
    isolated = params.isolation == "out_of_process"
    apps = []
    for path in params.applications:
        key = f"W3SVC/{site}/ROOT" + ("" if path == "/" else path)
        apps.append(Application(path=path, key=key, app_root=key, isolated=isolated, site=site))
    return site, apps


def unknown_blast_radius(strategy: Any, apps: list[Application], stops: tuple[str, ...]) -> dict[str, Any]:
    return {
        "process": strategy.process,
        "applications": [a.as_dict() for a in apps],
        "services": list(stops) if strategy is FALLBACK else [],
        "note": "the metabase was not listed (forced isolation): other applications sharing the process are not known",
    }


def make_plan(facts: HostFacts, params: Params, paths: Paths, catalog: CatalogFacts | None = None) -> Plan:
    """The whole run from what the host looks like (pure).  Raises StepFailed without a metabase and
    InputError for a site or application the metabase does not have."""
    base = worker_plan(facts, params, paths) if facts.worker_process_mode else iis_plan(facts, params, paths)
    owner = catalog.owner(paths.dest) if catalog else None
    strategy = package_strategy(catalog, paths.dest) if facts.dest is not None else None
    if strategy is None and base.strategy is STRATEGIES["out_of_process"] and facts.dest is not None:
        strategy = pooled_strategy(catalog, base.applications)
    if strategy is None:
        if facts.iis_version != "4.0" and base.blast_radius.get("process") == "mtx.exe":
            base.blast_radius["process"] = "dllhost.exe"  # IIS 5 and later run isolated applications in COM+
        return dataclasses.replace(base, catalog=catalog, package=owner)
    swap = Swap(paths.relative())
    release = Release(swap, (), (), (), params.backup, params.register, params.adsutil_path, params.cmdline_limit)
    record_services = list(base.starts) if base.strategy is FALLBACK or base.fallback is not None else []
    steps = (
        stage_step(swap, facts, params, strategy.method, record_services),
        Step("apply", tuple(strategy.sequence(release)), sequence=True, phase=strategy.phase),
    )
    can_mtxstop = bool(catalog and catalog.kind == "mts" and catalog.mtxstop and strategy.package is not None)
    blast = strategy.blast_radius(None, base.site, (), ())
    if strategy.package is not None and strategy.package.name == POOLED_APPLICATION:
        blast["applications"] = [a.as_dict() for a in facts.metabase.pooled_applications()] if facts.metabase else []
        blast["note"] = (
            f"the COM+ application {POOLED_APPLICATION!r} shuts down: every pooled application of the host restarts "
            "on its next request; IIS and the other applications keep serving"
        )
    if owner is not None:
        blast["package"] = owner.as_dict()
    if can_mtxstop:
        blast["if_refused"] = "mtxstop.exe shuts down every MTS server package"
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
        widen=None,
        widen_roots=(),
        catalog=catalog,
        package=owner,
        iis=base,
        mtxstop=Step("mtxstop", tuple(mtxstop_parts())) if can_mtxstop else None,
    )


def worker_applications(facts: HostFacts, params: Params) -> tuple[int, list[Application]]:
    """The applications and their pools: from the metabase on IIS 6, from ``appcmd list app`` on IIS 7+."""
    mb = facts.metabase
    if mb is not None:
        site = mb.resolve_site(params.site)
        return site, [mb.resolve_application(site, a) for a in params.applications]
    if not facts.appcmd_apps:
        raise StepFailed("detect", facts.metabase_error or "appcmd list app listed no application")
    return appcmd_applications(facts.appcmd_apps, facts.appcmd_sites, params.site, params.applications)


def worker_plan(facts: HostFacts, params: Params, paths: Paths) -> Plan:
    """IIS 6 worker process isolation, IIS 7 and later: stop the applications' pools, swap, start them."""
    site, apps = worker_applications(facts, params)
    pools = tuple(dict.fromkeys(a.app_pool or DEFAULT_APP_POOL for a in apps))
    tool = "adsutil" if facts.metabase is not None else "appcmd"
    adsutil_path = facts.adsutil or params.adsutil_path
    appcmd = appcmd_path(facts.system_root)
    strategy = PoolRestart(pools, tool, appcmd) if facts.dest is not None else FIRST_COPY
    stops, starts = service_lists(facts, params)
    swap = Swap(paths.relative())
    release = Release(swap, stops, starts, (), params.backup, params.register, adsutil_path, params.cmdline_limit)
    extra = (f"pools={','.join(pools)}", f"pool_tool={tool}", f"adsutil={adsutil_path}", f"appcmd={appcmd}")
    # A worker that never lets go of the DLL: restarting IIS ends every worker (option unload_fallback).
    falls_back = strategy is not FIRST_COPY and params.unload_fallback
    record_services = list(starts) if falls_back else []
    steps = (
        stage_step(swap, facts, params, strategy.method, record_services, *extra),
        Step("apply", tuple(strategy.sequence(release)), sequence=True, phase=strategy.phase),
    )
    fallback = sequence_step(FALLBACK, release, params.cmdline_limit, paths.dest_dir) if falls_back else None
    if strategy is FIRST_COPY:
        blast = strategy.blast_radius(None, site, (), ())
    else:
        sharing = []
        for pool in pools:
            if facts.metabase is not None:
                sharing += [a.as_dict() for a in facts.metabase.sharing_pool(pool)]
            else:
                sharing += [
                    {"name": n, "app_pool": p}
                    for n, p in (facts.appcmd_apps or {}).items()
                    if p.lower() == pool.lower()
                ]
        blast = strategy.blast_radius(sharing)
        blast["if_still_loaded"] = {
            "then": "restart IIS (every site and IIS service)" if falls_back else "fail",
            "services": list(stops) if falls_back else [],
        }
    return Plan(
        site=site,
        applications=tuple(apps),
        isolation="worker_process",
        strategy=strategy,
        stops=stops,
        starts=starts,
        unload_roots=(),
        blast_radius=blast,
        steps=steps,
        fallback=fallback,
        names=display_names(facts.extras or ()),
        warnings=served_backup_warnings(facts.metabase, paths) if params.backup else (),
    )


def service_lists(facts: HostFacts, params: Params) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What ``net stop IISADMIN /y`` stops, and what starts again afterwards, in order.

    Services outside IIS that depend on IIS Admin: net stop /y stops them too, so they always start again,
    after the IIS ones, in the reverse of sc enumdepend's order (a start order)."""
    graph = facts.dependencies
    restart = list(facts.running if params.restart_services is None else params.restart_services)
    extras = [key for key, _display in (facts.extras or ())]
    stops = tuple(extras + stop_set(list(facts.running), graph))
    starts = start_order(sorted(set(restart) | ({"IISADMIN"} if restart or extras else set())), graph)
    return stops, tuple(starts + list(reversed(extras)))


def iis_plan(facts: HostFacts, params: Params, paths: Paths) -> Plan:
    """The plan when IIS's own processes are what holds the DLL (the applications' isolation decides)."""
    mb = facts.metabase
    if mb is None and params.isolation == "auto":
        raise StepFailed("detect", facts.metabase_error or "could not read the metabase")
    if mb is None:
        site, apps = forced_applications(params)
    else:
        site = mb.resolve_site(params.site)
        apps = [mb.resolve_application(site, a) for a in params.applications]
    isolation = choose_isolation(params.isolation, apps)
    stops, starts = service_lists(facts, params)
    roots = unload_roots(apps)
    strategy = STRATEGIES[isolation] if facts.dest is not None else FIRST_COPY
    swap = Swap(paths.relative())
    release = Release(swap, stops, starts, roots, params.backup, params.register, params.adsutil_path)
    falls_back = strategy is STRATEGIES["out_of_process"] and params.unload_fallback
    record_services = list(starts) if strategy is FALLBACK or falls_back else []
    steps = (
        stage_step(swap, facts, params, strategy.method, record_services),
        sequence_step(strategy, release, params.cmdline_limit, paths.dest_dir),
    )
    fallback = sequence_step(FALLBACK, release, params.cmdline_limit, paths.dest_dir) if falls_back else None
    others = other_isolated_roots(mb, roots) if strategy is STRATEGIES["out_of_process"] else ()
    widen = Step("widen", tuple(strategy.unload_parts(others, params.adsutil_path))) if others else None
    blast = strategy.blast_radius(mb, site, roots, stops) if mb else unknown_blast_radius(strategy, apps, stops)
    if strategy is STRATEGIES["out_of_process"]:
        blast["if_still_loaded"] = {
            "applications": [a.as_dict() for a in others],
            "then": "restart IIS (every in-process application and IIS service)" if falls_back else "fail",
        }
    return Plan(
        site=site,
        applications=tuple(apps),
        isolation=isolation,
        strategy=strategy,
        stops=stops,
        starts=starts,
        unload_roots=roots,
        blast_radius=blast,
        steps=steps,
        fallback=fallback,
        widen=widen,
        widen_roots=others,
        names=display_names(facts.extras or ()),
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

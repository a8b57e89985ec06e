# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the options name, as the host has it: the site, the applications and their isolation (pure).

:func:`resolve` reads the metabase on IIS 4-6 and appcmd's lists on IIS 7+, and for application pools which
of them are stopped now and how long IIS lets them take to stop.  The plan (``plan.py``) starts from its
:class:`Resolved`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ._host.appcmd import appcmd_applications
from ._host.facts import HostFacts
from ._host.metabase import DEFAULT_APP_POOL, Application
from ._host.parsers.versions import pool_stopped_state
from ._host.target import Target
from .argspec import DEFAULT_SITE
from .errors import InputError, StepFailed
from .params import Params


def choose_isolation(wanted: str, apps: list[Application]) -> str:
    """The isolation to act for: forced by the option, else in-process as soon as one application is."""
    if wanted in ("in_process", "out_of_process"):
        return wanted
    return "in_process" if any(not a.isolated for a in apps) else "out_of_process"


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


def worker_applications(facts: HostFacts, params: Params) -> tuple[int, list[Application]]:
    """The applications and their pools: from the metabase on IIS 6, from ``appcmd list app`` on IIS 7+."""
    mb = facts.metabase
    if mb is not None:
        site = mb.resolve_site(params.site)
        return site, [mb.resolve_application(site, a) for a in params.applications]
    if not facts.appcmd_apps:
        raise StepFailed("detect", facts.metabase_error or "appcmd list app listed no application")
    return appcmd_applications(facts.appcmd_apps, facts.appcmd_sites, params.site, params.applications)


@dataclass(frozen=True)
class Resolved:
    """The applications the options name, as the host has them."""

    site: int
    applications: tuple[Application, ...]
    isolation: str  # in_process, out_of_process or worker_process
    pools: tuple[str, ...] = ()
    pool_tool: str = ""  # IIS 6+: adsutil (IIS 6 metabase) or appcmd (IIS 7+)
    adsutil_path: str = ""
    stopped_pools: tuple[str, ...] = ()  # of ``pools``: stopped (or stopping) before the run; they stay so
    shutdown_limit: float | None = None  # the longest ShutdownTimeLimit of ``pools`` (None: not readable)
    host_pools: tuple[tuple[str, bool], ...] = ()  # every pool of the host whose state was read: (name, started)
    host_sites: tuple[tuple[str, bool], ...] = ()  # IIS 7+: every site whose state appcmd showed: (name, started)


def pool_facts(facts: HostFacts, pools: tuple[str, ...]) -> tuple[tuple[str, ...], float | None]:
    """Which of ``pools`` are stopped (or stopping) now - the IIS 6 metabase's ``AppPoolState``, appcmd's
    ``state:`` - and the longest ``ShutdownTimeLimit`` among them (IIS 6 metabase only)."""
    stopped, limits = [], []
    mb = facts.metabase
    states = {k.lower(): v for k, v in (facts.appcmd_pools or {}).items()}
    for pool in pools:
        state: object = states.get(pool.lower())
        key = mb.key(f"W3SVC/AppPools/{pool}") if mb is not None else None
        if key is not None:
            state = mb.stored(key, "AppPoolState") if state is None else state
            limit = mb.effective(key, "ShutdownTimeLimit")[0]
            if isinstance(limit, int) or (isinstance(limit, str) and limit.strip().isdigit()):
                limits.append(float(limit))
        if state is not None and pool_stopped_state(state):
            stopped.append(pool)
    return tuple(stopped), (max(limits) if limits else None)


def host_pool_states(facts: HostFacts) -> tuple[tuple[str, bool], ...]:
    """Every application pool of the host whose state gathering read, with whether it was started (or starting):
    appcmd's ``state:`` (IIS 7+), else the IIS 6 metabase's ``AppPoolState`` of each key under ``W3SVC/AppPools``.
    A pool whose state was not read is left out: the run never changes what it does not know (review S1/S2)."""
    found: dict[str, tuple[str, bool]] = {}
    states = list((facts.appcmd_pools or {}).items())
    mb = facts.metabase
    parent = mb.key("W3SVC/AppPools") if mb is not None and not states else None
    if mb is not None and parent is not None:
        states = [(key.rstrip("/").rsplit("/", 1)[-1], mb.stored(key, "AppPoolState")) for key in mb.children(parent)]
    for name, state in states:
        started = _started(state)
        if started is not None:
            found[name.lower()] = (name, started)
    return tuple(found.values())


def _started(state: object) -> bool | None:
    """A pool state as gathered (appcmd's word, AppPoolState's number): started or starting True, stopped or
    stopping False, anything else (``Unknown``, not read) None."""
    if state is None:
        return None
    if pool_stopped_state(state):
        return False
    word = str(state).strip().lower()
    return True if word in ("1", "2", "started", "starting") else None


def resolve(facts: HostFacts, params: Params, target: Target) -> Resolved:
    """The site, the applications and their isolation.  Raises StepFailed without a metabase (or appcmd list)
    and InputError for a site or application the host does not have."""
    if facts.worker_process_mode:
        site, apps = worker_applications(facts, params)
        pools = tuple(dict.fromkeys(a.app_pool or DEFAULT_APP_POOL for a in apps))
        tool = "adsutil" if facts.metabase is not None else "appcmd"
        stopped, limit = pool_facts(facts, pools)
        adsutil = facts.adsutil or target.adsutil_path
        return Resolved(
            site,
            tuple(apps),
            "worker_process",
            pools,
            tool,
            adsutil,
            stopped,
            limit,
            host_pool_states(facts),
            tuple((facts.appcmd_site_states or {}).items()) if tool == "appcmd" else (),
        )
    mb = facts.metabase
    if mb is None and params.isolation == "auto":
        raise StepFailed("detect", facts.metabase_error or "could not read the metabase")
    if mb is None:
        site, apps = forced_applications(params)
    else:
        site = mb.resolve_site(params.site)
        apps = [mb.resolve_application(site, a) for a in params.applications]
    return Resolved(site, tuple(apps), choose_isolation(params.isolation, apps), adsutil_path=target.adsutil_path)

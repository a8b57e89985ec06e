# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which strategy a host gets: chosen once, here, from the facts.

:func:`choose` answers with a :class:`Choice`: the strategy for IIS's own processes (by the isolation the plan
resolved), the full restart it falls back to, and a package strategy that goes first when an MTS server package
or COM+ server application owns the DLL.  A new strategy is a new file in this package and one line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from .._host.catalog import POOLED_APPLICATION, CatalogFacts
from .._host.facts import HostFacts
from .._host.metabase import Application
from .base import Strategy
from .first_copy import FirstCopy
from .package_shutdown import PackageShutdown
from .pool_restart import PoolRestart
from .service_restart import ServiceRestart
from .unload import IsolatedUnload
from .was_restart import WasRestart


@dataclass(frozen=True)
class Choice:
    strategy: Strategy  # what IIS's own processes need to let go of the DLL
    fallback: Strategy | None = None  # the full restart, when ``strategy`` may not free the DLL (unload_fallback)
    package: PackageShutdown | None = None  # goes first: a server package owns the DLL

    @property
    def first(self) -> Strategy:
        """The strategy whose sequence the run sends first."""
        return self.package or self.strategy


def choose(
    facts: HostFacts,
    catalog: CatalogFacts | None,
    isolation: str,
    applications: tuple[Application, ...],
    *,
    dest: str,
    pools: tuple[str, ...] = (),
    pool_tool: str = "",
    appcmd: str = "",
    unload_fallback: bool = True,
    pool_state: tuple[tuple[str, ...], float | None] = ((), None),
    host_pools: tuple[tuple[str, bool], ...] = (),
    host_sites: tuple[tuple[str, bool], ...] = (),
) -> Choice:
    """The strategies for this host, from its facts and the isolation of the applications."""
    iis7 = facts.windows is not None and facts.windows.iis_major >= 7
    full_restart = (WasRestart() if iis7 else ServiceRestart()) if unload_fallback else None
    if facts.dest is None:
        return Choice(FirstCopy())
    if isolation == "worker_process":
        pool = PoolRestart(pools, pool_tool, appcmd, *pool_state, host_pools=host_pools, host_sites=host_sites)
        return Choice(pool, full_restart, package_strategy(catalog, dest))
    if isolation == "out_of_process":
        package = package_strategy(catalog, dest) or pooled_strategy(catalog, applications)
        return Choice(IsolatedUnload(), full_restart, package)
    return Choice(ServiceRestart(), None, package_strategy(catalog, dest))


def package_strategy(catalog: CatalogFacts | None, dest: str) -> PackageShutdown | None:
    """The package to shut down: the server package that registers dest; or, where the host has MTS but its
    catalog could not be read, every MTS server package (mtxstop.exe) unless the processes that have dest
    loaded are known and none of them is an mtx.exe.  None: the IIS rules apply (library package, none)."""
    if catalog is None:
        return None
    owner = catalog.owner(dest)
    if owner is not None:
        return PackageShutdown(catalog.kind, owner) if owner.server else None
    held_by_mtx = catalog.holders is None or any(h.image.lower() == "mtx.exe" for h in catalog.holders)
    if catalog.error and catalog.mtxstop and held_by_mtx:
        return PackageShutdown(None, None)
    return None


def pooled_strategy(catalog: CatalogFacts | None, apps: tuple[Application, ...]) -> PackageShutdown | None:
    """IIS 5 pooled applications (all of those named; none in-process or isolated on its own): shut down the
    COM+ application they share, found in the catalog by its name.  None when the catalog does not list it."""
    if not apps or not all(a.pooled for a in apps) or catalog is None or catalog.kind != "complus":
        return None
    pooled = next((p for p in catalog.packages if p.name.lower() == POOLED_APPLICATION.lower() and p.server), None)
    return PackageShutdown("complus", pooled) if pooled is not None else None

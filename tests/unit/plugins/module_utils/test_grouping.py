"""Which components of one host share a release (module_utils.grouping, issue 23)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.catalog import Package
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.choose import Choice
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.first_copy import FirstCopy
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.package_shutdown import PackageShutdown
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.pool_restart import PoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.was_restart import WasRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils.grouping import group_key, groups

SHOP = Package("{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}", "Shop Components", True, False, 3)
BILLING = Package("{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E602}", "Billing", True, False, 3)
STOPS, STARTS = ("W3SVC", "IISADMIN"), ("IISADMIN", "W3SVC")


def prepared(
    name: str, strategy: object, *, stops=STOPS, starts=STARTS, backup=True, register=False, roots=(), fallback=None
):
    job = SimpleNamespace(name=name, p=SimpleNamespace(backup=backup, register=register, package_restart=False))
    unload_roots = tuple(SimpleNamespace(unload_path=r) for r in roots)
    plan = SimpleNamespace(
        strategy=strategy,
        stops=stops,
        starts=starts,
        unload_roots=unload_roots,
        fallback_strategy=fallback,
        mtxstop=None,
    )
    return job, plan


def names(grouped) -> list[list[str]]:
    return [[job.name for job, _plan in g] for g in grouped]


def test_every_full_restart_shares_one_release_and_the_others_keep_their_own_in_order():
    items = [
        prepared("cart", ServiceRestart()),
        prepared("report", IsolatedUnload(), roots=("W3SVC/1/ROOT/Report",)),
        prepared("pricing", ServiceRestart()),
        prepared("orders", PackageShutdown("mts", SHOP)),
        prepared("tax", ServiceRestart()),
        prepared("charts", IsolatedUnload(), roots=("W3SVC/1/ROOT/Report",)),
        prepared("billing", PackageShutdown("mts", BILLING)),
        prepared("invoices", PackageShutdown("mts", SHOP)),
    ]
    groups_of = names(groups(items))
    assert groups_of == [["cart", "pricing", "tax"], ["report", "charts"], ["orders", "invoices"], ["billing"]]


def test_one_unload_per_application_and_one_restart_per_pool():
    report = prepared("a", IsolatedUnload(), roots=("W3SVC/1/ROOT/Report",))
    assert group_key(*report) == group_key(*prepared("b", IsolatedUnload(), roots=("w3svc/1/root/report",)))
    assert group_key(*report) != group_key(*prepared("b", IsolatedUnload(), roots=("W3SVC/1/ROOT/Shop",)))
    assert group_key(*report) != group_key(
        *prepared("b", IsolatedUnload(), roots=("W3SVC/1/ROOT/Report",), fallback=WasRestart())
    )
    both = prepared("a", PoolRestart(("ShopPool", "OrderPool"), "adsutil"))
    assert group_key(*both) == group_key(*prepared("b", PoolRestart(("OrderPool", "ShopPool"), "adsutil")))
    assert group_key(*both) != group_key(*prepared("b", PoolRestart(("ShopPool",), "adsutil")))
    kept = PoolRestart(("ShopPool", "OrderPool"), "adsutil", stopped=("OrderPool",))
    assert group_key(*both) != group_key(*prepared("b", kept))


def test_what_must_agree_for_one_outage():
    base = prepared("a", ServiceRestart())
    assert group_key(*base) == group_key(*prepared("b", ServiceRestart()))
    for other in (
        prepared("b", WasRestart()),  # another root: another outage
        prepared("b", ServiceRestart(), stops=("W3SVC",)),
        prepared("b", ServiceRestart(), backup=False),
        prepared("b", ServiceRestart(), register=True),
    ):
        assert group_key(*other) != group_key(*base)
    assert group_key(*prepared("p", FirstCopy())) is None  # nothing stops: nothing to share
    assert group_key(*prepared("p", Choice(ServiceRestart()).first)) is not None


def test_one_component_is_a_group_of_one():
    assert names(groups([prepared("cart", ServiceRestart())])) == [["cart"]]
    assert groups([]) == []

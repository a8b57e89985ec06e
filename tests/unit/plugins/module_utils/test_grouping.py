"""Which components of one host share a release (module_utils.grouping, issue 23)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.choose import Choice
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.package_shutdown import PackageShutdown
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.was_restart import WasRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils.grouping import group_key, groups

STOPS, STARTS = ("W3SVC", "IISADMIN"), ("IISADMIN", "W3SVC")


def prepared(name: str, strategy: object, *, stops=STOPS, starts=STARTS, backup=True, register=False):
    job = SimpleNamespace(name=name, p=SimpleNamespace(backup=backup, register=register))
    return job, SimpleNamespace(strategy=strategy, stops=stops, starts=starts)


def names(grouped) -> list[list[str]]:
    return [[job.name for job, _plan in g] for g in grouped]


def test_every_full_restart_shares_one_release_and_the_others_keep_their_own_in_order():
    items = [
        prepared("cart", ServiceRestart()),
        prepared("report", IsolatedUnload()),
        prepared("pricing", ServiceRestart()),
        prepared("orders", PackageShutdown(None, None)),
        prepared("tax", ServiceRestart()),
    ]
    assert names(groups(items)) == [["cart", "pricing", "tax"], ["report"], ["orders"]]


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
    assert group_key(*prepared("u", IsolatedUnload())) is None
    assert group_key(*prepared("p", Choice(ServiceRestart()).first)) is not None


def test_one_component_is_a_group_of_one():
    assert names(groups([prepared("cart", ServiceRestart())])) == [["cart"]]
    assert groups([]) == []

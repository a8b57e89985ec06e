"""IIS 7 and later (issue 21, defect 3): the full restart a pool restart falls back to is ``net stop WAS /y``
(W3SVC depends on WAS, which owns the worker processes), never ``net stop IISADMIN``; what it stopped starts
again.  Read from the recorded IIS 7.5 and 10 runs (what their gather line printed)."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.was_restart import WasRestart

from .runs import release_run


@pytest.mark.parametrize("name", ["iis75_pool", "iis10_pool"])
def test_the_iis7_fallback_stops_was_and_starts_what_it_stopped(name):
    plan = release_run(name).plan
    assert isinstance(plan.fallback_strategy, WasRestart)
    fallback = " ".join(plan.fallback.parts)
    assert "net stop WAS /y" in fallback and "IISADMIN" not in fallback
    assert plan.stops[-1] == "WAS" and "W3SVC" in plan.stops
    assert plan.starts[:2] == ("WAS", "W3SVC")  # WAS first, then its dependants that were running
    assert "IISADMIN" not in plan.starts  # net stop WAS /y does not stop IIS Admin (where it exists at all)
    then = plan.blast_radius["if_still_loaded"]
    assert then["how"] == "net stop WAS /y" and "depends on WAS" in then["note"]


def test_iis6_and_earlier_keep_net_stop_iisadmin():
    plan = release_run("pool_ok").plan  # IIS 6.0, worker process isolation
    assert isinstance(plan.fallback_strategy, ServiceRestart) and not isinstance(plan.fallback_strategy, WasRestart)
    assert "net stop IISADMIN /y" in " ".join(plan.fallback.parts)
    assert plan.blast_radius["if_still_loaded"]["how"] == "net stop IISADMIN /y"

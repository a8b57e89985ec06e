"""A revert over whole lab scenarios (issue 23, part 2): every host of mixed, versions and packages is updated,
then ``state: reverted`` puts the previous version back by the same release strategy.  Afterwards each host serves
the version it served before, runs the same services, and its pools (IIS 6+) are in the states they were in (a second
revert changing nothing is shown on the default fleet's hosts, test_revert.py)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running, served

pytestmark = [pytest.mark.lab, pytest.mark.timeout(600)]

VERSION = re.compile(r"version=([0-9.]+)")

#: The prefix of what update_then_revert says about a host whose update itself failed: until issue 21 (catalog and
#: tlist readings on Windows 2000 and later, see test_versions.py and test_packages.py) some hosts of versions and
#: packages are not updated, so there is nothing to revert there; every host that was updated must revert.
NOT_UPDATED = "not updated"


def pool_states(host: Any) -> dict[str, int]:
    m = host.machine
    return {name: m.pool_state(name) for name in m.pools}


def settled(host: Any, pools: dict[str, int], wait: float = 10.0) -> bool:
    """The pools are back in ``pools``' states (a pool start is asynchronous on IIS 6+: STARTING, then STARTED)."""
    end = time.monotonic() + wait
    while pool_states(host) != pools and time.monotonic() < end:
        time.sleep(0.1)
    return pool_states(host) == pools


def version(text: str) -> str:
    found = VERSION.search(text)
    return found.group(1) if found else f"(none in {text[:80]!r})"


def update_then_revert(host: Any) -> list[str]:
    before_page, before_services, before_pools = served(host), running(host), pool_states(host)
    args = {**args_of(host), "timeout": 10}  # a host where a wait runs to its end (issue 21) costs 10s, not 120s
    update = h.run_module(host, args)
    if update.get("failed") or not update.get("changed"):
        return [f"{NOT_UPDATED}: {host.name}: {update.get('msg')}"]
    problems = []
    revert = h.run_module(host, {**args, "state": "reverted"})
    if revert.get("failed") or not revert.get("changed"):
        return [f"{host.name}: the revert failed or changed nothing: {revert.get('msg')}"]
    # The same strategy is chosen for the same host (its fallback may differ: the new image let go, the old not).
    if revert.get("isolation") != update.get("isolation"):
        problems.append(f"{host.name}: reverted as {revert.get('isolation')}, updated as {update.get('isolation')}")
    if revert.get("restored_backup") != update.get("backup_file"):
        problems.append(f"{host.name}: restored {revert.get('restored_backup')}, not {update.get('backup_file')}")
    if version(served(host)) != version(before_page):
        problems.append(f"{host.name}: serves {version(served(host))} after the revert, {version(before_page)} before")
    if running(host) != before_services:
        problems.append(f"{host.name}: services changed: {sorted(before_services ^ running(host))}")
    if not settled(host, before_pools):
        problems.append(f"{host.name}: pools {before_pools} before, {pool_states(host)} after")
    return problems


@pytest.mark.parametrize("scenario", ["mixed.yaml", "versions.yaml", "packages.yaml"])
def test_a_revert_over_a_scenario_serves_the_old_version_everywhere(scenario_hosts, scenario):
    hosts = [host for host in scenario_hosts(scenario, prefix="Q") if host.inventory_vars().get("lab_update_src")]
    assert hosts
    said = [p for host in hosts for p in update_then_revert(host)]
    problems = [p for p in said if not p.startswith(NOT_UPDATED)]
    reverted = len(hosts) - (len(said) - len(problems))
    assert not problems, "\n".join(said)
    assert reverted >= (len(hosts) if scenario == "mixed.yaml" else 2), "\n".join(said)

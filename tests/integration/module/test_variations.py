"""The module over every host of tests/lab/scenarios/variations.yaml (issue 11), twice.

Each host is a way a real NT 4.0 + IIS 4.0 host differs from the lab's default (AppRoot spelling, adsutil
without ENUM_ALL, keys with spaces and metacharacters, WinRS shells that end their commands, services outside
IIS, other holders of the DLL, a slow mtx.exe, read-only files, adsutil errors it goes on after).  The
arguments come from the generic ``lab_update_*`` inventory variables, as one playbook would use them.

Every host must end up serving the new version, a second run must change nothing, and every service that
ran before must run after.  The one allowed failure is the one the module must give: an in-process host whose
DLL a program outside IIS keeps loaded fails cleanly (old DLL kept, IIS running) and succeeds once it exits.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running, served

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


@pytest.fixture
def variation_hosts(scenario_hosts):
    return scenario_hosts("variations.yaml", prefix="M")


def held_outside_iis(host: Any) -> float:
    """Seconds until the last program outside IIS that loads the DLL exits (0: none)."""
    return max((loader.lifetime or 0.0 for loader in host.config.foreign_loaders), default=0.0)


def update_twice(host: Any) -> list[str]:
    problems: list[str] = []
    served(host)  # a request loads the component, as on a host in use
    before = running(host)
    expect = host.inventory_vars()["lab_update_expect"]
    t0 = time.monotonic()
    first = h.run_module(host, args_of(host))
    if first.get("failed") and held_outside_iis(host) and "something other than IIS holds it" in first["msg"]:
        # The clean failure: old DLL kept, IIS started again.  Once the program has exited, the update works.
        if running(host) != before:
            problems.append(f"services down after the clean failure: {sorted(before - running(host))}")
        time.sleep(max(0.0, held_outside_iis(host) - (time.monotonic() - t0)) + 0.5)
        first = h.run_module(host, args_of(host))
    if first.get("failed"):
        return [f"first run failed at step {first.get('step')}: {first.get('msg')}"]
    page = served(host)
    if expect not in page:
        problems.append(f"serves {page[:80]!r} after the update, not {expect!r} ({first.get('msg')})")
    second = h.run_module(host, args_of(host))
    if second.get("failed") or second.get("changed"):
        problems.append(
            f"second run: changed={second.get('changed')} failed={second.get('failed')}: {second.get('msg')}"
        )
    if not h.wait_quiet(host):
        problems.append("the host did not settle")
    down = before - running(host)
    if down:
        problems.append(f"services that ran before are down: {sorted(down)}")
    return problems


def test_every_variation_host_is_updated_once_and_then_left_alone(variation_hosts):
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = dict(zip([h_.name for h_ in variation_hosts], pool.map(update_twice, variation_hosts), strict=True))
    bad = {name: problems for name, problems in outcomes.items() if problems}
    assert not bad, "\n".join(f"{name}: {'; '.join(p)}" for name, p in bad.items())

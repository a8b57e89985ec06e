"""The module over tests/lab/scenarios/realhosts.yaml (issue 21): variations combined across Windows kinds.

Each host is updated, must hold the new DLL at dest, serve it (unless its pool was stopped before the run, which
must stay stopped), keep every service and pool in the state it had, and a second run must change nothing.
Hosts where the module is known to be wrong against the faithful lab are strict xfails naming the defect; the
module fix flips them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running, served
from tests.lab.harness.fixtures import SCENARIOS, worker_index
from tests.lab.machine.config import load_scenario
from tests.lab.machine.dll import dll_version

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


def _xfail(defect: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=f"issue 21: {defect}")


ASYNC_POOL = _xfail(
    "AppPoolCommand is asynchronous (cc787263): the module returns while the pool's AppPoolState is still 1 "
    "(starting) instead of polling it to 2 with a bound"
)
HOSTS = {
    "R3POOLOFF": [
        _xfail(
            "stopped pools: the module starts a pool an administrator had stopped (it stops and starts every "
            "affected pool without reading its state first)"
        )
    ],
    "R3SMTP": [ASYNC_POOL],
    "R2KSMTP": [],
    "R2KCOMPLUS": [],
    "R75SMTP": [ASYNC_POOL],
    "R10COLON": [
        _xfail(
            "names with the tools' punctuation: the module refuses a site named with '(' at validation instead of "
            "quoting it on the command lines"
        )
    ],
    "R4MTS": [
        _xfail(
            "tlist window titles: the module reads 'mtx.exe  OleMainThreadWndName' as the image name, takes the "
            "isolated application's mtx.exe for a program outside IIS and refuses the update"
        )
    ],
}


@pytest.fixture
def realhost(lab):
    """A factory starting one host of the scenario (the others are not needed by that test)."""
    started: list[Any] = []

    def start(name: str) -> Any:
        cfg = next(c for c in load_scenario(SCENARIOS / "realhosts.yaml") if c.name == name)
        cfg.name = f"R{worker_index()}{cfg.name}"
        started.extend(lab.add_hosts([cfg], auto_ip=True))
        return started[-1]

    yield start
    for host in started:
        lab.remove_host(host.name)


def pool_states(host: Any) -> dict[str, int]:
    return {p.name: host.machine.pool_state(p.name) for p in host.machine.pools.values()}


@pytest.mark.parametrize("name", [pytest.param(n, marks=m) for n, m in HOSTS.items()])
def test_realhosts_host_is_updated_and_keeps_its_state(name, realhost):
    host = realhost(name)
    pool_off = name == "R3POOLOFF"
    served(host)  # the component is loaded, as on a host in use (a stopped pool answers 503)
    before, pools = running(host), pool_states(host)
    first = h.run_module(host, args_of(host))
    assert not first.get("failed"), f"failed at step {first.get('step')}: {first.get('msg')}"
    dest = host.inventory_vars()["lab_update_dest"]
    assert dll_version(h.read_file(host, dest) or b"") == "2.0.0.0", first["msg"]
    if not pool_off:
        assert host.inventory_vars()["lab_update_expect"] in served(host), first["msg"]
    assert running(host) == before, f"services changed: {sorted(before ^ running(host))}; {first['msg']}"
    assert pool_states(host) == pools, f"pools changed; {first['msg']}"
    second = h.run_module(host, args_of(host))
    assert not second.get("failed") and not second.get("changed"), second.get("msg")


# --------------------------------------------------------------------------------------------------
# module-level defects the faithful lab shows outside the scenario


@pytest.mark.xfail(
    strict=True,
    reason="issue 21: WS-Man Signal: the runner never sends Signal terminate for a finished command "
    "(MS-WSMV 3.1.4.14), so every command of a run stays an open operation of its shell",
)
def test_the_module_signals_every_finished_command(lab_host):
    host = lab_host(fleet_index=1)  # isolated shop: an unload, no outage
    served(host)
    res = h.run_module(host, h.module_args())
    assert not res.get("failed"), res.get("msg")
    summary = host.wsman.summary()
    assert summary["unsignalled_peak"] == 0 and summary["unsignalled_left"] == 0, summary


@pytest.mark.xfail(
    strict=True,
    reason="issue 21: regsvr32 inside the outage: a hung DllRegisterServer keeps IIS stopped after the controller "
    "gives up (connection lost, nothing on the host bounds regsvr32 or starts the services again)",
)
def test_a_hung_regsvr32_inside_the_outage_never_keeps_iis_down(lab_host):
    """The rename at staging is refused (the loader keeps the image from being renamed), so the swap and the
    registration happen while IIS is stopped; DllRegisterServer then never returns (fault regsvr32_hang)."""
    host = lab_host(fleet_index=0, rename_loaded_image=False)  # in-process shop: IIS must stop
    served(host)
    before = running(host)
    host.set_faults(regsvr32_hang=True)
    res = h.run_module(host, h.module_args(register_dll=True, timeout=5))
    host.set_faults(regsvr32_hang=False)
    assert running(host) == before, f"services left down: {sorted(before - running(host))}; {res.get('msg')}"

"""The module over tests/lab/scenarios/realhosts.yaml (issue 21): variations combined across Windows kinds.

Each host is updated, must hold the new DLL at dest, serve it (unless its pool was stopped before the run, which
must stay stopped), keep every service and pool in the state it had, and a second run must change nothing.
Hosts where the module is known to be wrong against the faithful lab are strict xfails naming the defect; the
module fix flips them.
"""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
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


def test_the_module_signals_every_finished_command(lab_host):
    host = lab_host(fleet_index=1)  # isolated shop: an unload, no outage
    served(host)
    res = h.run_module(host, h.module_args())
    assert not res.get("failed"), res.get("msg")
    summary = host.wsman.summary()
    # A command counts as un-signalled between its last Receive and its Signal: at most one at a time
    assert summary["unsignalled_peak"] <= 1 and summary["unsignalled_left"] == 0, summary


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


def test_a_long_run_never_meets_the_winrm_2_operation_quota(lab, lab_host):
    """WinRM 2.0 allows a user 15 operations by default and a Signal does not give one back (MS-WSMV <118>): a run
    of more commands than that opens a new shell before it gets there.  A short command line (``cmdline_limit``)
    makes the in-process restart a run of more than 15 commands."""
    host = lab_host(fleet_index=0, max_unsignalled_per_shell=15)  # in-process shop: IIS stops and starts
    served(host)
    before = running(host)
    runner = h.make_runner(host)
    res = run_update(h.module_args(cmdline_limit=512), runner)
    assert not res.get("failed"), res.get("msg")
    assert len(runner.history) > 15 and runner.shells_opened >= 2, (len(runner.history), runner.shells_opened)
    refused = [e for e in lab.log.events(host.name, "shell") if e.detail.get("event") == "operation_quota"]
    assert refused == [], refused  # never refused and retried: the shell was renewed before the quota
    assert dll_version(h.read_file(host, h.SHOP_DLL) or b"") == "2.0.0.0"
    assert running(host) == before

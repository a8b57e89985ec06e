"""The module over tests/lab/scenarios/realhosts.yaml (issue 21): variations combined across Windows kinds.

Each host is updated, must hold the new DLL at dest, serve it (unless its pool was stopped before the run, which
must stay stopped), keep every service and pool in the state it had, and a second run must change nothing.
Hosts where the module is known to be wrong against the faithful lab are strict xfails naming the defect; the
module fix flips them.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running, served
from tests.lab.harness.fixtures import SCENARIOS, worker_index
from tests.lab.machine.config import ForeignLoader, default_host, load_scenario
from tests.lab.machine.dll import dll_version, make_dll

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


def _xfail(defect: str) -> Any:
    return pytest.mark.xfail(strict=True, reason=f"issue 21: {defect}")


HOSTS = {
    "R3POOLOFF": [],
    "R3SMTP": [],
    "R2KSMTP": [],
    "R2KCOMPLUS": [],
    "R75SMTP": [],
    "R10COLON": [],
    "R4MTS": [],
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
    """The rename at staging is refused (the loader keeps the image from being renamed), so the swap happens while
    IIS is stopped and regsvr32 runs in the same sequence; DllRegisterServer then never returns (fault
    regsvr32_hang).  While it hangs every service runs again: nothing waits for regsvr32 to bring IIS back.

    The hang is ended once that is seen (the fault cleared: regsvr32 returns): left alone, the module would wait
    out its sequence bound (45 s) and fail, keeping the state record for the rerun (the fault matrix's
    regsvr32-hangs rows)."""
    host = lab_host(fleet_index=0, rename_loaded_image=False)  # in-process shop: IIS must stop
    served(host)
    before = running(host)
    host.set_faults(regsvr32_hang=True)
    result: dict[str, Any] = {}
    run = threading.Thread(target=lambda: result.update(h.run_module(host, h.module_args(register_dll=True))))
    run.start()
    try:
        deadline = time.monotonic() + 60
        while not any(e.detail.get("action") == "hang" for e in host.lab.log.events(host=host.name, kind="regsvr32")):
            assert time.monotonic() < deadline, "regsvr32 never ran"
            time.sleep(0.02)
        during = running(host)
    finally:
        host.set_faults(regsvr32_hang=False)
        run.join(120)
    assert during == before, f"services down while regsvr32 hangs: {sorted(before - during)}"
    assert running(host) == before, f"services left down: {sorted(before - running(host))}; {result.get('msg')}"
    assert not result.get("failed"), result.get("msg")  # regsvr32 returned once the hang ended


def test_a_namesake_dll_loaded_elsewhere_does_not_block_the_update(lab_host):
    """tlist -m matches module names only: a scheduled job's cscript.exe with another ShopCart.dll (another folder)
    is listed as a holder although it does not hold dest.  Gathering could open dest for writing, so the module
    knows no process has dest itself mapped: it updates (before issue 21 it refused, 'dest is loaded only by
    cscript.exe ... a program outside IIS')."""
    other = "C:\\Tools\\ShopCart.dll"
    host = lab_host(
        fleet_index=0,
        has_tlist=True,
        files={**default_host(0, "127.0.0.2").files, other: make_dll("ShopCart", "0.9.0.0")},
        foreign_loaders=[ForeignLoader("cscript.exe", other)],
    )  # nothing requested /Shop: dest itself is not loaded
    res = h.run_module(host, h.module_args())
    assert not res.get("failed"), f"failed at step {res.get('step')}: {res.get('msg')}"
    assert [x["image"] for x in res["holders"]] == ["cscript.exe"], res["holders"]
    assert any("another file of the same name" in w for w in res.get("warnings", [])), res.get("warnings")
    assert dll_version(h.read_file(host, h.SHOP_DLL) or b"") == "2.0.0.0"
    assert dll_version(h.read_file(host, other) or b"") == "0.9.0.0"


def test_check_mode_and_the_result_say_a_stopped_pool_stays_stopped(realhost):
    """R3POOLOFF: the pool 'Shop Pool (Legacy), A&B' was stopped by an administrator.  Check mode says the DLL
    would be swapped without starting it; the run swaps it, leaves the pool stopped, and reports no outage."""
    host = realhost("R3POOLOFF")
    pool = "Shop Pool (Legacy), A&B"
    dry = run_update(dict(args_of(host)), h.make_runner(host), check_mode=True)
    assert not dry.get("failed"), dry.get("msg")
    assert dry["blast_radius"]["pools_kept_stopped"] == [pool] and dry["blast_radius"]["pools"] == []
    assert f"{pool} stopped before the run: left stopped, not started" in dry["msg"]
    assert not any("AppPoolCommand" in c for c in dry["commands"])
    res = h.run_module(host, args_of(host))
    assert not res.get("failed"), res.get("msg")
    assert res["pools"] == [] and res["pools_kept_stopped"] == [pool] and res["outage_seconds"] == 0.0
    assert host.machine.pool_state(pool) == 4
    events = [e.detail for e in host.lab.log.events(host=host.name, kind="pool")]
    assert not any(d.get("name") == pool and d.get("state") in (1, 2) for d in events), events


def test_a_pool_restart_reports_the_pools_downtime_and_waits_for_started(realhost):
    """R3SMTP: AppPoolCommand 1 leaves AppPoolState at 1 (starting) for a while (scenario pool_transition); the
    module polls it to 2, and the outage it reports is the pool's downtime, not 0.0."""
    host = realhost("R3SMTP")
    served(host)
    res = h.run_module(host, args_of(host))
    assert not res.get("failed"), res.get("msg")
    assert res["method"] == "pool_restart" and res["pools"] == ["Shop Pool (Legacy), A&B"]
    assert host.machine.pool_state("Shop Pool (Legacy), A&B") == 2
    assert res["outage_seconds"] > 0.0, res["msg"]
    assert f"their applications were down {res['outage_seconds']}s" in res["msg"]
    assert any(s["step"] == "pool_state" for s in res["steps"]), [s["step"] for s in res["steps"]]


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

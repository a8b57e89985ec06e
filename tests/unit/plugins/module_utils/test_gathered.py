"""One gather per host for a dry run followed by the update (issue 22, fleet speed): a check-mode run with
keep_gathered returns what it read, and the update given it back sends neither the gather line nor the catalog
step, on a lab machine (no wire), with the same outcome as an update that reads the host itself."""

from __future__ import annotations

import time

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host import gathered
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.lab.machine.config import SHOP_DLL, default_host
from tests.lab.machine.dll import dll_version
from tests.unit.plugins.module_utils.recorded.record_runs import ARGS, MachineRunner, machine


def steps(runner: MachineRunner) -> list[str]:
    return [s["step"] for s in runner.sent]


@pytest.mark.parametrize("index", [0, 1], ids=["in_process", "isolated"])
def test_the_update_starts_from_what_the_dry_run_read(index):
    m = machine(default_host(index, "127.0.0.2"))
    dry = MachineRunner(m)
    plan = run_update({**ARGS, "keep_gathered": True}, dry, check_mode=True)
    assert plan["changed"] and steps(dry) == ["gather", "catalog"]
    kept = plan["gathered"]
    assert kept["dest"] == SHOP_DLL and set(kept["outputs"]) == {"gather", "catalog"}

    real = MachineRunner(m)
    done = run_update({**ARGS, "gathered": kept}, real)
    assert not done.get("failed"), done.get("msg")
    assert done["gathered_by_dry_run"] is True
    assert "gather" not in steps(real) and "catalog" not in steps(real)
    assert steps(real)[0] == "stage"
    assert done["method"] == plan["method"] and done["bindings"] == plan["bindings"]
    assert dll_version(m.fs.read(SHOP_DLL)) == "2.0.0.0"
    # the same run without it reads the host first (a check-mode run without keep_gathered keeps nothing)
    assert "gathered" not in run_update(dict(ARGS), MachineRunner(machine(default_host(index, "127.0.0.2"))), True)


def test_a_stale_or_foreign_reading_is_not_used_and_the_host_is_read_again():
    m = machine(default_host(1, "127.0.0.2"))
    kept = run_update({**ARGS, "keep_gathered": True}, MachineRunner(m), check_mode=True)["gathered"]
    old = {**kept, "read_at": time.time() - gathered.MAX_AGE - 1}
    other = {**kept, "dest": "C:\\InetPub\\other\\bin\\ShopCart.dll"}
    for value in (old, other, {"version": 99}, {**kept, "outputs": {"gather": "not base64!"}}):
        runner = MachineRunner(m)
        run_update({**ARGS, "gathered": value}, runner, check_mode=True)  # check mode never uses it either
        runner = MachineRunner(machine(default_host(1, "127.0.0.2")))
        done = run_update({**ARGS, "gathered": value}, runner)
        assert steps(runner)[0] == "gather" and "gathered_by_dry_run" not in done, value
        assert not done.get("failed"), done.get("msg")


def test_pack_and_unpack():
    kept = gathered.pack({"gather": "@@net\r\nx" * 500}, "C:\\a.dll", "C:\\b.dll", "C:\\adsutil.vbs", now=1000.0)
    assert len(str(kept)) < 1000  # a metabase listing packs small
    assert gathered.unpack(kept, "c:\\A.DLL", "C:\\b.dll", "C:\\adsutil.vbs", now=1100.0) == {
        "gather": "@@net\r\nx" * 500
    }
    assert gathered.unpack(kept, "C:\\a.dll", "C:\\b.dll", "C:\\other.vbs", now=1100.0) is None
    assert gathered.unpack(kept, "C:\\a.dll", "C:\\b.dll", "C:\\adsutil.vbs", now=999.0) is not None  # clock skew
    assert gathered.unpack(kept, "C:\\a.dll", "C:\\b.dll", "C:\\adsutil.vbs", now=900.0) is None  # from the future
    assert gathered.unpack(None, "C:\\a.dll", "C:\\b.dll", "C:\\adsutil.vbs") is None


def test_a_service_started_after_the_dry_run_runs_again_after_the_outage():
    """The dry run read SMTP stopped; someone started it before the update.  net stop IISADMIN /y stops it with
    IIS, and the update must start it again although the reading it plans from says it was not running."""
    m = machine(default_host(0, "127.0.0.2"))
    m.scm.stop("SMTPSVC")
    kept = run_update({**ARGS, "keep_gathered": True}, MachineRunner(m), check_mode=True)["gathered"]
    m.scm.start("SMTPSVC")
    done = run_update({**ARGS, "gathered": kept}, MachineRunner(m))
    assert not done.get("failed"), done.get("msg")
    assert done["gathered_by_dry_run"] is True
    assert m.scm.state("SMTPSVC") == "RUNNING"
    assert "SMTPSVC" in done["services_started"]
    assert any("SMTPSVC" in w and "started again" in w for w in done.get("warnings", []))


@pytest.mark.parametrize("index", [0, 1], ids=["in_process", "isolated"])
def test_a_dry_run_without_preview_leaves_out_what_only_a_person_reads(index):
    m = machine(default_host(index, "127.0.0.2"))
    full = run_update({**ARGS, "keep_gathered": True}, MachineRunner(m), check_mode=True)
    lean = run_update({**ARGS, "keep_gathered": True, "preview": False}, MachineRunner(m), check_mode=True)
    assert full["commands"] and full["steps"]
    assert not {"commands", "fallback_commands", "steps"} & set(lean)
    # everything else, the reading for the update included, is the same
    drop = ("commands", "fallback_commands", "steps", "elapsed_seconds", "gathered")
    assert {k: v for k, v in full.items() if k not in drop} == {k: v for k, v in lean.items() if k not in drop}
    assert lean["gathered"]["outputs"] == full["gathered"]["outputs"]
    # a real run ignores it (its steps are the record of what it did)
    done = run_update({**ARGS, "preview": False, "gathered": lean["gathered"]}, MachineRunner(m))
    assert not done.get("failed") and done["steps"]


def test_a_failed_dry_run_keeps_its_steps_without_preview():
    m = machine(default_host(0, "127.0.0.2"))
    args = {**ARGS, "src": "C:\\Staging\\Missing.dll", "keep_gathered": True, "preview": False}
    failed = run_update(args, MachineRunner(m), check_mode=True)
    assert failed["failed"] and failed["steps"], failed.get("msg")

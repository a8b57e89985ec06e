"""``state: reverted`` (issue 23, part 2): put back the newest backup the module made for dest, by the same
release strategy as an update, on lab hosts of the default fleet.

Host roles (tests.lab.machine.config.default_host): index 0 runs /Shop in-process, index 1 runs it isolated.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.faults import harness as h
from tests.integration.module.scenario import running
from tests.integration.module.test_iis4_component import files_beside, served_version
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

UPDATE = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": ["/Shop"]}
REVERT = {"dest": SHOP_DLL, "application": ["/Shop"], "state": "reverted"}


def backups(host) -> list[str]:
    return [p.rsplit("\\", 1)[1] for p in files_beside(host, SHOP_DLL) if p.lower().endswith(".bak")]


@pytest.mark.parametrize("index", [0, 1], ids=["in_process", "isolated"])
def test_revert_serves_the_old_version_by_the_same_strategy_and_can_be_undone(lab, lab_host, index):
    host = lab_host(fleet_index=index)
    assert served_version(host) == "1.0.0.0"
    before = running(host)
    update = h.run_module(host, UPDATE)
    assert not update.get("failed"), update.get("msg")
    assert served_version(host) == "2.0.0.0"
    bak = update["backup_file"].rsplit("\\", 1)[1]

    t0 = time.monotonic()
    revert = h.run_module(host, REVERT)
    assert not revert.get("failed"), revert
    assert revert["changed"] is True
    assert revert["method"] == update["method"]  # the same release strategy
    assert revert["restored_backup"].endswith(bak), revert
    assert bak in revert["msg"]
    assert served_version(host) == "1.0.0.0"
    assert running(host) == before
    down = lab.log.downtime(host.name, "W3SVC", since=t0)
    assert (down > 0) == (update["method"] == "service_restart"), down
    # The DLL the revert replaced is kept (.rev.bak) beside the backup it restored, which stays.
    kept = revert["backup_file"].rsplit("\\", 1)[1]
    assert kept.endswith(".rev.bak") and {bak, kept} <= set(backups(host)), backups(host)

    # Idempotent: the host is on the newest backup's bytes, so nothing stops or changes.
    t1 = time.monotonic()
    again = h.run_module(host, REVERT)
    assert not again.get("failed") and again["changed"] is False, again
    assert again["restored_backup"].endswith(bak)
    assert not [e for e in lab.log.events(host=host.name, kind="service") if e.t >= t1]

    # Undone: the kept DLL is a src like any other.
    undo = h.run_module(host, {**UPDATE, "src": revert["backup_file"]})
    assert not undo.get("failed") and undo["changed"] is True, undo.get("msg")
    assert served_version(host) == "2.0.0.0"


def test_revert_without_a_backup_fails_before_anything_stops(lab, lab_host):
    host = lab_host(fleet_index=0)
    t0 = time.monotonic()
    res = h.run_module(host, REVERT)
    assert res["failed"] is True and res["step"] == "revert", res
    assert "no backup" in res["msg"] and "nothing was stopped" in res["msg"]
    assert not [e for e in lab.log.events(host=host.name, kind="service") if e.t >= t0]
    assert served_version(host) == "1.0.0.0"


def test_revert_in_check_mode_names_the_backup_and_changes_nothing(lab, lab_host):
    host = lab_host(fleet_index=0)
    update = h.run_module(host, UPDATE)
    assert not update.get("failed"), update.get("msg")
    res = h.run_update(dict(REVERT), h.make_runner(host), check_mode=True)
    assert res["changed"] is True and not res.get("failed"), res
    assert res["msg"].startswith("would restore the backup ") and update["backup_file"] in res["msg"]
    assert res["commands"] and served_version(host) == "2.0.0.0"

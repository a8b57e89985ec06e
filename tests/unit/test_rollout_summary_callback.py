"""The rollout_summary callback's own logic: where audit records go (never into the current directory when no
directory is set), the role's record format the next run reads, and the table. The whole callback runs under
ansible in tests/integration/module/test_rollout_summary.py and the role tests."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.legacy_iis.iis4.plugins.callback.rollout_summary import CallbackModule

REPORT = {
    "host": "web01",
    "result": "rolled back",
    "check_mode": False,
    "isolation": "in_process",
    "method": "service_restart",
    "outage_seconds": 12.3,
    "services_stopped": ["W3SVC", "IISADMIN"],
    "services_restarted": ["IISADMIN", "W3SVC"],
    "version_served": "1.0.0.0",
    "drained_before": False,
    "drained": True,
    "rolled_back": ["C:\\InetPub\\shop\\bin\\ShopCart.dll"],
    "failure": "verify failed",
    "components": [],
    "audit_dir": "",
}


@pytest.fixture
def callback(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    cb = CallbackModule()
    options = {"audit_dir": ""}
    monkeypatch.setattr(cb, "get_option", options.get)
    cb.options = options
    return cb


def test_no_directory_means_no_record_anywhere(callback, tmp_path):
    callback._write_role_record("web01", REPORT)
    assert os.listdir(tmp_path) == []


def test_the_role_record_carries_what_the_next_run_reads(callback, tmp_path):
    audit = tmp_path / "audit"
    callback.who = "jdoe"
    callback._write_role_record("web01", {**REPORT, "audit_dir": str(audit)})
    (path,) = audit.iterdir()
    assert path.name.startswith("web01-") and path.name.endswith("Z.json")
    record = json.loads(path.read_text())
    assert (record["drained_after"], record["who"], record["result"]) == (True, "jdoe", "rolled back")
    assert record["services"] == {"stopped": ["W3SVC", "IISADMIN"], "started": ["IISADMIN", "W3SVC"]}


def test_a_dry_run_writes_no_record_and_the_option_is_used_without_the_role_setting(callback, tmp_path):
    callback.options["audit_dir"] = str(tmp_path / "from-option")
    callback._write_role_record("web01", {**REPORT, "check_mode": True})
    assert not (tmp_path / "from-option").exists()
    callback._write_role_record("web01", REPORT)
    assert len(list((tmp_path / "from-option").iterdir())) == 1


def test_the_table_counts_the_hosts_not_reached_yet():
    cb = CallbackModule()
    cb.reports = {"web01": REPORT, "web02": {**REPORT, "host": "web02", "result": "changed", "drained": False}}
    lines = cb._role_lines(["web01", "web02", "web03"], final=True)
    assert lines[0] == "Rollout so far: 2 of 3 host(s), 1 failed, 0 unreachable"
    assert lines[2].split()[:2] == ["web01", "rolled"] and "12.3s" in lines[2] and "None" not in "".join(lines)
    cb.reports["web03"] = {**REPORT, "host": "web03", "result": "unreachable"}
    assert cb._role_lines(["web01", "web02", "web03"], final=True)[0].startswith("Rollout summary: 3 of 3")

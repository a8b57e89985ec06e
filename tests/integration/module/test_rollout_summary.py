"""The legacy_iis.iis4.rollout_summary callback (issue 14): one line per host at the end of a run - also for a
host that could not be reached - never a Python None, and one JSON audit record per host."""

from __future__ import annotations

import json

import pytest

from tests.integration.ansible_helpers import run_adhoc
from tests.integration.module.test_iis4_component import ARGS

# The callback for the ad-hoc command (ad-hoc commands load callbacks only with ANSIBLE_LOAD_CALLBACK_PLUGINS).
SUMMARY_ENV = {"ANSIBLE_CALLBACKS_ENABLED": "legacy_iis.iis4.rollout_summary", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"}

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


def test_summary_table_and_audit_records(lab, lab_host, lab_inventory, tmp_path, monkeypatch):
    good = lab_host(fleet_index=1)
    down = lab_host(fleet_index=1)
    down.set_faults(wsman_down=True)
    audit = tmp_path / "audit"
    monkeypatch.setenv("ROLLOUT_SUMMARY_AUDIT_DIR", str(audit))
    run = run_adhoc(lab_inventory(good, down), "all", ARGS, tmp_path, env=SUMMARY_ENV)
    out = run.stdout
    assert "ROLLOUT SUMMARY (legacy_iis.iis4)" in out, out[-3000:]
    table = out[out.index("ROLLOUT SUMMARY") :]
    line = {h.name: next(ln for ln in table.splitlines() if ln.startswith(h.name)) for h in (good, down)}
    assert " changed " in line[good.name] and " unload " in line[good.name]
    assert table.splitlines()[1].split() == ["HOST", "RESULT", "ISOLATION", "METHOD", "OUTAGE", "VERSION", "MESSAGE"]
    assert " unreachable " in line[down.name] and "cannot reach" in line[down.name]
    assert "None" not in table
    records = {json.loads(p.read_text())["host"]: json.loads(p.read_text()) for p in audit.glob("*.json")}
    assert set(records) == {good.name, down.name}
    assert records[good.name]["result"] == "changed" and records[good.name]["component"]["method"] == "unload"
    assert records[down.name]["result"] == "unreachable"


def test_a_dry_run_is_not_a_change(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, check=True, env=SUMMARY_ENV)
    table = run.stdout[run.stdout.index("ROLLOUT SUMMARY") :]
    assert " would change " in next(ln for ln in table.splitlines() if ln.startswith(host.name))

"""The rollout_summary callback's own logic: the table. The whole callback runs under ansible in
tests/integration/module/test_rollout_summary.py and the role tests; the role's audit records are its own
(tests/unit/test_role_filters.py)."""

from __future__ import annotations

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


def test_the_table_counts_the_hosts_not_reached_yet():
    cb = CallbackModule()
    cb.reports = {"web01": REPORT, "web02": {**REPORT, "host": "web02", "result": "changed", "drained": False}}
    lines = cb._role_lines(["web01", "web02", "web03"], final=True)
    assert lines[0] == "Rollout so far: 2 of 3 host(s), 1 failed, 0 unreachable"
    assert lines[2].split()[:2] == ["web01", "rolled"] and "12.3s" in lines[2] and "None" not in "".join(lines)
    cb.reports["web03"] = {**REPORT, "host": "web03", "result": "unreachable"}
    assert cb._role_lines(["web01", "web02", "web03"], final=True)[0].startswith("Rollout summary: 3 of 3")

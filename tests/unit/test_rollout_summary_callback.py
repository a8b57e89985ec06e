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
    cb.reports = {
        "web01": REPORT,
        "web02": {**REPORT, "host": "web02", "result": "changed", "drained": False, "failure": ""},
    }
    lines = cb._role_lines(["web01", "web02", "web03"], final=True)
    assert lines[0] == "Rollout so far: 2 of 3 host(s), 1 failed, 0 unreachable"
    assert lines[2].split()[:2] == ["web01", "rolled"] and "12.3s" in lines[2] and "None" not in "".join(lines)
    assert lines[1].split() == ["HOST", "RESULT", "ISOLATION", "METHOD", "OUTAGE", "VERSION", "MESSAGE"]
    assert lines[2].endswith("verify failed")  # a failed row says why
    assert lines[3].split()[:2] == ["web02", "changed"] and lines[3].endswith("restarted IISADMIN,W3SVC")
    # the rollout stopped before web03: listed as never tried
    assert lines[4].split()[:3] == ["web03", "not", "tried"]
    cb.reports["web03"] = {**REPORT, "host": "web03", "result": "unreachable"}
    assert cb._role_lines(["web01", "web02", "web03"], final=True)[0].startswith("Rollout summary: 3 of 3")


def test_the_ad_hoc_table_has_the_role_layout_and_a_reason_for_a_failed_row():
    cb = CallbackModule()
    cb.rows = {
        "web01": {
            "status": "ok",
            "check": False,
            "changed": True,
            "would_change": False,
            "method": "unload",
            "isolation": "out_of_process",
            "outage_seconds": 0.0,
            "msg": "replaced",
            "version_served": "2.0",
        },
        "web02": {
            "status": "failed",
            "check": False,
            "changed": False,
            "would_change": False,
            "step": "stage",
            "msg": "disk full",
        },
    }
    lines = cb._lines(["web01", "web02", "web03"])
    assert lines[0] == cb._role_lines([], final=False)[1]  # one header for both
    assert lines[1].split()[:6] == ["web01", "changed", "out_of_process", "unload", "0.0s", "2.0"]
    assert lines[2].split()[:2] == ["web02", "failed"] and lines[2].endswith("step stage: disk full")
    assert lines[3].split()[:3] == ["web03", "not", "run"]

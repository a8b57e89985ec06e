"""The component_update role's filters (plugins/filter/component_update.py): the component list as the module
takes it, the capacity floor of a batch, and one host's report, summary and failure message from module
results shaped like the ones the lab returns (tests/integration/role runs the whole role)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.legacy_iis.iis4.plugins.filter.component_update import (
    FilterModule,
    component_update_capacity,
    component_update_entries,
    component_update_left_drained,
    component_update_outcome,
    write_audit_record,
)

SHOP = "C:\\InetPub\\shop\\bin\\ShopCart.dll"
NEW = "C:\\Staging\\ShopCart.dll"
ENTRY = {"src": NEW, "dest": SHOP, "application": ["/Shop"], "verify_url": "http://web01/Shop/", "verify_expect": "x"}


def test_every_filter_is_registered():
    assert set(FilterModule().filters()) == {
        "component_update_entries",
        "component_update_capacity",
        "component_update_left_drained",
        "component_update_outcome",
    }


# -- entries --------------------------------------------------------------------------------------------------


def test_entries_turn_health_keys_into_verify_options_with_the_default_url():
    comps = [
        {"src": NEW, "dest": SHOP, "application": "/Shop/", "health_expect": r"version=2\.0", "register": True},
        {"src": NEW, "dest": "C:\\x\\B.dll", "health_url": ""},
        {"src": NEW, "dest": "C:\\x\\C.dll", "health_url": "https://lb/ping"},
    ]
    a, b, c = component_update_entries(comps, "http://web01/")
    assert a == {
        "src": NEW,
        "dest": SHOP,
        "application": ["/Shop/"],
        "register": True,
        "verify_url": "http://web01/Shop/",
        "verify_expect": r"version=2\.0",
    }
    assert (b["verify_url"], b["application"]) == ("", ["/"])  # an empty health_url turns the check off
    assert c["verify_url"] == "https://lb/ping" and c["verify_expect"] is None
    assert component_update_entries(comps[:1], "")[0]["verify_url"] == ""  # no base URL: no default check


def test_without_a_base_url_the_module_is_given_the_path_and_checks_it_on_the_binding_it_reads():
    comps = [{"src": NEW, "dest": SHOP, "application": "/Shop"}, {"src": NEW, "dest": "C:\\x\\B.dll", "site": 2}]
    dry_run = {"components": [{"bindings": [{"protocol": "http", "address": "*", "port": 8080, "host_header": ""}]}]}
    for plan in ({}, dry_run):  # before or after the dry run: the module reads the binding either way
        a, b = component_update_entries(comps, None, "present", plan)
        assert (a["verify_url"], b["verify_url"]) == ("/Shop/", "/")
    # a base URL given wins; "" still turns the check off
    assert component_update_entries(comps[:1], "http://lb:9", "present", dry_run)[0]["verify_url"] == (
        "http://lb:9/Shop/"
    )
    assert component_update_entries(comps[:1], "", "present", dry_run)[0]["verify_url"] == ""


def test_the_report_names_the_url_the_module_checked():
    entry = {**ENTRY, "verify_url": "/Shop/"}
    apply = {
        "changed": True,
        "components": [{"dest": SHOP, "changed": True, "verify_url": "http://web01:8080/Shop/"}],
        "verify": [{"url": "http://web01:8080/Shop/", "body": "version=2.0.0.0"}],
    }
    (row,) = component_update_outcome(apply, {}, [entry], host="web01")["report"]["components"]
    assert (row["health_url"], row["version_served"]) == ("http://web01:8080/Shop/", "2.0.0.0")


# -- capacity floor ---------------------------------------------------------------------------------------------


def plan(changed: bool = True, **extra):
    return {"changed": False, "components": [{"dest": SHOP, "changed": changed}], **extra}


def test_capacity_counts_hosts_left_drained_and_unreachable_ones():
    hostvars = {
        "w1": {"component_update_drained": True},  # an earlier batch left it drained
        "w2": {"component_update_report": {"result": "unreachable"}},
        "w3": {"_component_update_plan": plan()},
        "w4": {"_component_update_plan": plan()},
    }
    cap = component_update_capacity(["w3", "w4"], hostvars, ["w1", "w2", "w3", "w4"], max_drained=3)
    assert cap["batch_needing"] == ["w3", "w4"] and cap["down"] == ["w1", "w2"]
    assert cap["refused"] == ["w3", "w4"] and "capacity floor" in cap["reason"] and "w1, w2" in cap["reason"]
    ok = component_update_capacity(["w3", "w4"], hostvars, ["w1", "w2", "w3", "w4"], max_drained="100%")
    assert ok["refused"] == [] and ok["allowed"] == 4


def test_a_host_that_needs_nothing_is_never_refused_and_a_drained_one_counts_as_down():
    hostvars = {"w1": {"_component_update_plan": plan(False), "component_update_assume_drained": True}, "w2": {}}
    cap = component_update_capacity(["w1"], hostvars, ["w1", "w2"], max_drained=1)
    assert cap["drained_before"] == ["w1"] and cap["down"] == ["w1"] and cap["refused"] == []


def test_a_fact_of_this_run_wins_over_assume_drained_and_records(tmp_path):
    (tmp_path / "w1-20261130T080000.000001Z.json").write_text(json.dumps({"drained_after": True}))
    hostvars = {"w1": {"component_update_drained": False}, "w2": {}}
    cap = component_update_capacity(["w1", "w2"], hostvars, ["w1", "w2"], audit_dir=str(tmp_path))
    assert cap["drained_before"] == []
    hostvars = {"w1": {}, "w2": {}}
    cap = component_update_capacity(["w1", "w2"], hostvars, ["w1", "w2"], audit_dir=str(tmp_path))
    assert cap["drained_before"] == ["w1"]


def test_audit_records_need_no_callback_and_hosts_lost_earlier_count_as_down_and_stop_the_rollout(tmp_path):
    cap = component_update_capacity(
        ["w1"], {"w1": {"_component_update_plan": plan(False)}}, ["w1"], audit_dir=str(tmp_path)
    )
    assert cap["refused"] == []
    # w1 could not be reached in the first batch: Ansible removed it from the play and kept only its registered
    # dry run (no facts). It counts as down; with the stop rule it refuses the next batch.
    hostvars = {
        "w1": {"_component_update_plan": {"unreachable": True, "msg": "cannot reach"}},
        "w2": {"_component_update_plan": plan()},
        "w3": {"_component_update_plan": plan()},
    }
    batch, hosts, active = ["w2", "w3"], ["w1", "w2", "w3"], ["w2", "w3"]
    cap = component_update_capacity(batch, hostvars, hosts, max_drained="100%", active_hosts=active)
    assert cap["down"] == ["w1"] and cap["refused"] == []
    cap = component_update_capacity(
        batch, hostvars, hosts, max_drained="100%", active_hosts=active, max_unreachable="0%"
    )
    assert cap["refused"] == ["w2", "w3"] and "stop rule" in cap["reason"] and "w1" in cap["reason"]
    assert (
        component_update_capacity(batch, hostvars, hosts, max_drained="100%", active_hosts=active, max_unreachable=1)[
            "refused"
        ]
        == []
    )
    # a host still in the play (ignore_unreachable, or a later batch with an earlier play's result) is not lost
    cap = component_update_capacity(batch, hostvars, hosts, max_drained="100%", active_hosts=hosts, max_unreachable=0)
    assert cap["refused"] == []


def test_the_role_writes_the_record_the_next_run_reads(tmp_path):
    audit = tmp_path / "audit"
    report = component_update_outcome(
        {}, {"unreachable": True, "msg": "cannot reach http://w1:5985/wsman"}, [ENTRY], host="w1", audit_dir=str(audit)
    )["report"]
    assert report["result"] == "unreachable" and "cannot reach" in report["failure"]
    path = write_audit_record(report, who="jdoe", play="Update")
    (found,) = audit.iterdir()
    assert str(found) == path and found.name.startswith("w1-") and found.name.endswith("Z.json")
    record = json.loads(found.read_text())
    assert (record["who"], record["play"], record["result"], record["drained_after"]) == (
        "jdoe",
        "Update",
        "unreachable",
        False,
    )
    assert component_update_left_drained("w1", str(audit)) is False


def test_the_last_record_decides(tmp_path):
    (tmp_path / "web1-20261129T080000.5Z.json").write_text(json.dumps({"drained_after": True}))
    (tmp_path / "web1-20261130T080000.5Z.json").write_text(json.dumps({"drained_after": False}))
    (tmp_path / "web10-20261201T080000.5Z.json").write_text(json.dumps({"drained_after": True}))  # another host
    assert component_update_left_drained("web1", str(tmp_path)) is False
    assert component_update_left_drained("web10", str(tmp_path)) is True
    assert component_update_left_drained("web2", str(tmp_path)) is False
    assert component_update_left_drained("web1", "") is False


# -- outcome --------------------------------------------------------------------------------------------------


def done(**extra):
    comp = {
        "dest": SHOP,
        "changed": True,
        "method": "service_restart",
        "isolation": "in_process",
        "outage_seconds": 6.0,
        "services_stopped": ["W3SVC", "IISADMIN"],
        "services_started": ["IISADMIN", "W3SVC"],
        "applications": [{"path": "/Shop"}],
        "old": {"size": 1},
        "new": {"size": 2},
        "backup_file": SHOP + ".20261130.bak",
        "dest_holds": "new",
        "rolled_back_by": "",
        **extra,
    }
    return {"components": [comp], "outage_seconds": comp["outage_seconds"]}


def test_a_changed_host():
    apply = {**done(), "verify": [{"url": "http://web01/Shop/", "body": "component=ShopCart version=2.0.0.0"}]}
    out = component_update_outcome(apply, plan(), [ENTRY], host="w1")
    r = out["report"]
    assert (r["result"], r["method"], r["version_served"], r["drained"]) == (
        "changed",
        "service_restart",
        "2.0.0.0",
        False,
    )
    assert r["components"][0]["applications"] == ["/Shop"] and r["services_restarted"] == ["IISADMIN", "W3SVC"]
    assert (
        out["summary"]
        == "w1: changed; in_process via service_restart; outage 6.0 s; restarted IISADMIN W3SVC; serving 2.0.0.0"
    )
    assert out["message"] == ""


def test_a_check_failure_the_module_rolled_back_leaves_the_host_drained():
    apply = {
        **done(dest_holds="old", rolled_back_by="rollback"),
        "failed": True,
        "served_after_failure": [{"url": "http://web01/Shop/", "body": "version=1.0.0.0"}],
    }
    out = component_update_outcome(apply, plan(), [ENTRY], host="w1", failure="Replace ...: verify failed")
    r = out["report"]
    assert (r["result"], r["rolled_back"], r["drained"], r["version_served"]) == (
        "rolled back",
        [SHOP],
        True,
        "1.0.0.0",
    )
    assert r["components"][0]["rolled_back_by"] == "role"
    assert out["message"].startswith("w1: Replace ...: verify failed. Rolled back: " + SHOP + ".")
    assert out["message"].endswith("run the undrain tasks by hand).") and "left out of service" in out["summary"]


def test_a_refused_or_unreachable_host_was_not_drained_and_nothing_was_replaced():
    refused = component_update_outcome({}, plan(), [ENTRY], host="w1", failure="capacity floor", refused=True)
    assert (refused["report"]["result"], refused["report"]["drained"]) == ("failed", False)
    assert "No DLL was replaced." in refused["message"] and refused["report"]["components"][0]["dest_holds"] == "old"
    gone = component_update_outcome(
        {}, {"failed": True, "unreachable": True}, [ENTRY], host="w1", failure="x", drained_before=True
    )
    assert (gone["report"]["result"], gone["report"]["drained"]) == ("unreachable", True)
    assert gone["report"]["components"][0]["dest_holds"] == "-"


@pytest.mark.parametrize(("changed", "result"), [(True, "would change"), (False, "unchanged")])
def test_check_mode(changed, result):
    out = component_update_outcome(
        {"skipped": True}, plan(changed, method="unload"), [ENTRY], host="w1", check_mode=True
    )
    assert out["report"]["result"] == result and out["report"]["check_mode"] is True
    assert out["report"]["components"][0]["changed"] is False


def test_a_revert_checks_the_page_against_revert_expect_not_health_expect():
    comps = [{"dest": SHOP, "health_expect": r"version=2\.0", "revert_expect": r"version=1\.0"}, {"dest": SHOP}]
    a, b = component_update_entries(comps, "http://web01/", "reverted")
    assert a["verify_expect"] == r"version=1\.0" and "revert_expect" not in a and "src" not in a
    assert b["verify_expect"] is None
    assert component_update_entries(comps[:1], "http://web01/")[0]["verify_expect"] == r"version=2\.0"


def test_without_a_dry_run_the_update_says_whether_the_host_needed_work():
    """The role ran no dry run (no capacity floor, drain steps or stop rule): a host whose update failed after it
    planned the replacement is reported as left out of service, as after a dry run that found work; one whose
    update failed before it could read the host is not."""
    planned = {"failed": True, "components": [{"dest": SHOP, "method": "unload", "failed": True, "step": "stage"}]}
    unread = {"failed": True, "components": [{"dest": SHOP, "method": "none", "failed": True, "step": "gather"}]}
    assert component_update_outcome(planned, {}, [ENTRY], host="w1", failure="stage failed")["report"]["drained"]
    assert not component_update_outcome(unread, {}, [ENTRY], host="w1", failure="gather failed")["report"]["drained"]
    lost = {"unreachable": True, "msg": "cannot reach http://w1:5985/wsman"}
    assert not component_update_outcome(lost, {}, [ENTRY], host="w1")["report"]["drained"]

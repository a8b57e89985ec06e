"""Several components in one task, the page check from the controller and the rollback, against lab hosts.

The lab's pages name the version of every component the application loaded (tests.lab.machine.web), so a check of
``version=2.0.0.0`` passes only once the new DLL is really served. A second component (``Pricing.dll``) is
added to /Shop of a default fleet host for the tests that need two.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.ansible_helpers import run_adhoc
from tests.integration.module.test_iis4_component import ARGS, fetch, served_version, service_events
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL, default_host
from tests.lab.machine.dll import dll_version, make_dll
from tests.unit.test_return_doc import undocumented

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

PRICING = "C:\\InetPub\\shop\\bin\\Pricing.dll"
PRICING_NEW = "C:\\Staging\\Pricing.dll"
NEW = r"version=2\.0\.0\.0"


def two_component_host(lab_host, index: int, *, staged: bool = True):
    """A default fleet host whose /Shop pages load ShopCart.dll and Pricing.dll (new Pricing.dll staged or not)."""
    cfg = default_host(index, "127.0.0.2")
    cfg.sites[0].apps[1].components.append(PRICING)
    cfg.files[PRICING] = make_dll("Pricing", "1.0.0.0", 20480)
    if staged:
        cfg.files[PRICING_NEW] = make_dll("Pricing", "2.0.0.0", 20992)
    return lab_host(cfg)


def handshakes(lab, host, since: float) -> int:
    """NTLM handshakes the lab answered for ``host`` since ``since``: each is a 401 to the anonymous probe and a
    401 carrying the challenge."""
    denied = [e for e in lab.log.events(host=host.name, kind="http", since=since) if e.detail.get("status") == 401]
    assert all(e.detail["action"] == "Auth" for e in denied), denied
    return len(denied) // 2


def page(host) -> str:
    return host.web_url(1) + "/Shop/"


def version_of(host, path: str) -> str | None:
    return dll_version(host.machine.fs.read(path))


def test_an_ad_hoc_run_proves_the_new_version_is_served(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    run = run_adhoc(lab_inventory(host), host.name, {**ARGS, "verify_url": page(host), "verify_expect": NEW}, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] and res["dest_holds"] == "new" and res["rolled_back_by"] == ""
    (check,) = res["verify"]
    assert check["ok"] and check["status"] == 200 and "version=2.0.0.0" in check["body"]
    assert "verified: " in res["msg"]
    assert undocumented(res) == set()


def test_a_page_without_the_new_version_puts_the_old_dll_back(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)  # in-process: the rollback restarts IIS again
    assert served_version(host) == "1.0.0.0"
    args = {**ARGS, "verify_url": page(host), "verify_expect": r"version=9\.9", "verify_retries": 1, "verify_delay": 0}
    t0 = time.monotonic()
    run = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    res = run.result(host.name)
    assert run.rc != 0
    assert res["step"] == "verify" and res["rolled_back"] is True
    assert res["rolled_back_by"] == "rollback" and res["dest_holds"] == "old"
    assert res["verify"][0]["attempts"] == 2 and not res["verify"][0]["ok"]
    assert res["rollback"]["ok"] and res["rollback"]["method"] == "service_restart"
    assert "version=1.0.0.0" in res["served_after_failure"][0]["body"]
    assert undocumented(res) == set()
    assert version_of(host, SHOP_DLL) == "1.0.0.0" and served_version(host) == "1.0.0.0"
    # everything that was running runs again, and the outage covers both restarts
    assert host.machine.scm.states()["W3SVC"] == "RUNNING" and host.machine.scm.states()["SMTPSVC"] == "RUNNING"
    stops = [
        e for e in service_events(lab, host, t0) if e.detail["name"] == "W3SVC" and e.detail.get("new") == "STOPPED"
    ]
    assert len(stops) == 2
    assert res["outage_seconds"] > res["rollback"]["outage_seconds"] > 0  # the update and the rollback


def test_two_components_in_one_task_over_one_connection(lab, lab_host, lab_inventory, tmp_path):
    host = two_component_host(lab_host, 1)
    assert "component=Pricing version=1.0.0.0" in fetch(page(host))
    args = {
        "application": "/Shop",
        "components": [{"src": STAGED_DLL, "dest": SHOP_DLL}, {"src": PRICING_NEW, "dest": PRICING}],
        "verify_url": page(host),
        "verify_expect": r"component=Pricing version=2\.0\.0\.0",
    }
    t0 = time.monotonic()
    run = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert [c["dest"] for c in res["components"]] == [SHOP_DLL, PRICING]
    assert all(c["changed"] and c["method"] == "unload" for c in res["components"])
    # one unload of /Shop for both DLLs (issue 23)
    assert all(c["shared_release"]["components"] == [SHOP_DLL, PRICING] for c in res["components"])
    commands = [e.detail["line"] for e in lab.log.events(host=host.name, kind="command", since=t0)]
    assert sum(line.count("APPUNLOAD") for line in commands) == 1
    assert res["method"] == "unload" and res["isolation"] == "out_of_process"
    assert len(res["verify"]) == 1 and res["verify"][0]["ok"]
    assert undocumented(res) == set() and all(undocumented(c) == set() for c in res["components"])
    body = fetch(page(host))
    assert "component=ShopCart version=2.0.0.0" in body and "component=Pricing version=2.0.0.0" in body
    again = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    assert again.rc == 0 and again.result(host.name)["changed"] is False


def test_a_second_component_needs_no_second_connection(lab, lab_host, lab_inventory, tmp_path):
    """A task with two components needs as many NTLM handshakes (401 answers: the anonymous probe and the
    challenge of each) as the same task with only the first component, on a host of the same kind."""
    args = {
        "application": "/Shop",
        "components": [{"src": STAGED_DLL, "dest": SHOP_DLL}, {"src": PRICING_NEW, "dest": PRICING}],
    }
    counts = []
    for components in (args["components"], args["components"][:1]):
        host = two_component_host(lab_host, 1)
        t0 = time.monotonic()
        run = run_adhoc(lab_inventory(host), host.name, {**args, "components": components}, tmp_path)
        assert run.rc == 0, run.stdout + run.stderr
        counts.append(handshakes(lab, host, t0))
    assert counts[0] == counts[1] >= 1, f"handshakes with two components, with one: {counts}"


def test_a_later_component_that_fails_before_any_outage_leaves_the_one_before_untouched(
    lab, lab_host, lab_inventory, tmp_path
):
    """Every component is read and planned before anything changes (issue 23): the second one's missing src
    stops the task before the first one is staged, so nothing needs rolling back."""
    host = two_component_host(lab_host, 1, staged=False)  # the second component's new DLL is missing
    args = {
        "application": "/Shop",
        "components": [{"src": STAGED_DLL, "dest": SHOP_DLL}, {"src": PRICING_NEW, "dest": PRICING}],
        "verify_url": page(host),
    }
    t0 = time.monotonic()
    run = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    res = run.result(host.name)
    assert run.rc != 0
    first, second = res["components"]
    assert first["skipped"] and not first["changed"] and first["dest_holds"] == "old"
    assert first["rolled_back_by"] == "" and "rollback" not in first
    assert second["failed"] and second["dest_holds"] == "old" and not second["changed"]
    assert res["msg"].startswith(f"components[1] ({PRICING}): ")
    assert "verify" not in res  # the pages are not checked after a failed update
    assert version_of(host, SHOP_DLL) == "1.0.0.0" and version_of(host, PRICING) == "1.0.0.0"
    assert not [e for e in lab.log.events(host=host.name, kind="command", since=t0) if "copy /b" in str(e.detail)]
    assert "component=ShopCart version=1.0.0.0" in res["served_after_failure"][0]["body"]


def test_a_component_entry_with_an_unknown_key_is_refused_before_the_host_is_touched(
    lab, lab_host, lab_inventory, tmp_path
):
    host = lab_host(fleet_index=1)
    before = len(lab.log.events(host=host.name))
    args = {"components": [{"src": STAGED_DLL, "dest": SHOP_DLL, "health_url": "http://x/"}]}
    run = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    assert run.rc != 0 and "health_url" in (run.stdout + run.stderr)
    assert len(lab.log.events(host=host.name)) == before

"""Several DLLs of one host in one outage (issue 23), against tests/lab/scenarios/combined.yaml.

The module logic runs in-process (``run_rollout`` with a real WinRM runner): what is asserted is what the lab
host did, read from its events (each service state change) and its pages (the version of every DLL a page
loaded).
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from tests.integration.faults.harness import make_runner
from tests.integration.module.test_iis4_component import fetch, service_events
from tests.lab.harness.fixtures import SCENARIOS, worker_index
from tests.lab.machine.config import load_scenario
from tests.lab.machine.dll import dll_version
from tests.unit.test_return_doc import undocumented

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

NAMES = ("ShopCart", "Pricing", "Tax")
#: Where each DLL is on the scenario's hosts (Tax.dll in a folder of its own: the sequence names it in full).
DEST = {
    "ShopCart": "C:\\InetPub\\shop\\bin\\ShopCart.dll",
    "Pricing": "C:\\InetPub\\shop\\bin\\Pricing.dll",
    "Tax": "C:\\InetPub\\common\\Tax.dll",
}


def components(*names: str) -> list[dict[str, str]]:
    return [{"src": f"C:\\Staging\\{n}.dll", "dest": DEST[n]} for n in names]


def run(host: Any, *names: str, **args: Any) -> dict[str, Any]:
    task = {"application": ["/Shop"], "timeout": 10, "components": components(*names), **args}
    return run_rollout(task, make_runner(host))


def stops(lab: Any, host: Any, since: float, service: str = "W3SVC") -> int:
    """How many times ``service`` stopped on ``host`` since ``since`` (the lab's service events)."""
    return sum(
        1 for e in service_events(lab, host, since) if e.detail["name"] == service and e.detail["new"] == "STOPPED"
    )


def served(host: Any) -> dict[str, str]:
    """The version of each DLL /Shop's page loaded: ``{name: version}``."""
    words = fetch(host.web_url(1) + "/Shop/").split()
    found = {}
    for a, b in zip(words, words[1:], strict=False):
        if a.startswith("component=") and b.startswith("version="):
            found[a.split("=", 1)[1]] = b.split("=", 1)[1]
    return found


def on_disk(host: Any, name: str) -> str | None:
    return dll_version(host.machine.fs.read(DEST[name]))


@pytest.fixture
def hosts(scenario_hosts: Any) -> dict[str, Any]:
    return {
        name: h
        for h in scenario_hosts("combined.yaml", prefix="C")
        for name in ("CMB3", "CMBPKG", "CMBPOOL", "CMBPKG2", "CMBPOOL10")
        if h.name.endswith(name)
    }


def test_three_in_process_dlls_share_one_iis_restart(lab, hosts):
    host = hosts["CMB3"]
    assert served(host) == dict.fromkeys(NAMES, "1.0.0.0")  # inetinfo.exe has all three loaded
    t0 = time.monotonic()
    res = run(host, *NAMES)
    assert not res.get("failed"), res["msg"]
    assert stops(lab, host, t0) == 1 and stops(lab, host, t0, "IISADMIN") == 1
    assert served(host) == dict.fromkeys(NAMES, "2.0.0.0")
    assert all(on_disk(host, n) == "2.0.0.0" for n in NAMES)
    comps = res["components"]
    assert all(c["changed"] and c["method"] == "service_restart" for c in comps)
    assert [c["shared_release"]["index"] for c in comps] == [0, 1, 2]
    assert comps[0]["shared_release"]["components"] == [c["dest"] for c in comps]
    assert all(c["backup_file"] and "one outage for 3 DLLs" in c["msg"] for c in comps)
    assert res["outage_seconds"] == comps[0]["outage_seconds"] > 0  # the one outage, counted once
    assert host.machine.scm.states()["SMTPSVC"] == "RUNNING" and host.machine.scm.states()["MSFTPSVC"] == "RUNNING"
    assert undocumented(res) == set() and all(undocumented(c) == set() for c in comps)
    t1 = time.monotonic()
    again = run(host, *NAMES)
    assert again["changed"] is False and stops(lab, host, t1) == 0


def test_check_mode_shows_the_one_release_and_its_commands(lab, hosts):
    host = hosts["CMB3"]
    t0 = time.monotonic()
    res = run_rollout(
        {"application": ["/Shop"], "timeout": 10, "components": components(*NAMES)}, make_runner(host), check_mode=True
    )
    assert stops(lab, host, t0) == 0 and served(host) == dict.fromkeys(NAMES, "1.0.0.0")
    comps = res["components"]
    assert all("ONCE for 3 DLLs" in c["msg"] for c in comps)
    # every DLL's commands end with the same one sequence: one net stop of IIS Admin in it
    tails = {tuple(c["commands"][-1:]) for c in comps}
    assert len(tails) == 1
    text = "\n".join(comps[0]["commands"])
    assert text.count("net stop IISADMIN /y") == 1 and all(f"{n}.dll" in text for n in NAMES)


def shutdowns(lab: Any, host: Any, since: float) -> int:
    """How many times a package of ``host`` was shut down through the catalog since ``since`` (lab events)."""
    events = lab.log.events(host=host.name, kind="package", since=since)
    return sum(1 for e in events if e.detail.get("action") in ("shutdown", "shutdown-all"))


def test_two_dlls_of_one_server_package_one_shutdown(lab, hosts):
    host = hosts["CMBPKG2"]
    assert served(host) == {"ShopCart": "1.0.0.0", "Pricing": "1.0.0.0"}  # mtx.exe /p:{id} has both loaded
    t0 = time.monotonic()
    res = run(host, "ShopCart", "Pricing")
    assert not res.get("failed"), res["msg"]
    assert shutdowns(lab, host, t0) == 1 and stops(lab, host, t0) == 0
    cart, pricing = res["components"]
    assert cart["method"] == pricing["method"] == "package_shutdown"
    assert pricing["shared_release"]["components"] == [cart["dest"], pricing["dest"]]
    assert served(host) == {"ShopCart": "2.0.0.0", "Pricing": "2.0.0.0"}
    again = run(host, "ShopCart", "Pricing")
    assert again["changed"] is False


def test_a_package_dll_iis_loads_too_sends_the_group_on_one_by_one(lab, lab_host):
    """/Shop also creates a class of ShopCart.dll that is not in the package (inetinfo.exe loads it): the one
    shutdown frees Pricing.dll only, so every DLL is put back and each goes on alone (ShopCart.dll with the IIS
    rules), never leaving a mix of old and new."""
    cfg = next(c for c in load_scenario(SCENARIOS / "combined.yaml") if c.name == "CMBPKG2")
    cfg.name = f"CMBPKGIIS{worker_index()}"
    cfg.sites[0].apps[1].direct_components = [DEST["ShopCart"]]
    host = lab_host(cfg)
    assert served(host) == {"ShopCart": "1.0.0.0", "Pricing": "1.0.0.0"}
    t0 = time.monotonic()
    res = run(host, "ShopCart", "Pricing")
    assert not res.get("failed"), res["msg"]
    cart, pricing = res["components"]
    assert cart["method"] == "service_restart" and pricing["method"] == "package_shutdown"
    assert "released one by one" in pricing["fallback"]
    assert stops(lab, host, t0) == 1 and served(host) == {"ShopCart": "2.0.0.0", "Pricing": "2.0.0.0"}


def test_a_package_dll_and_two_in_process_dlls_one_shutdown_and_one_restart(lab, hosts):
    host = hosts["CMBPKG"]
    assert served(host) == dict.fromkeys(NAMES, "1.0.0.0")
    t0 = time.monotonic()
    res = run(host, *NAMES)
    assert not res.get("failed"), res["msg"]
    cart, pricing, tax = res["components"]
    assert cart["method"] == "package_shutdown" and "shared_release" not in cart  # a release of its own
    assert pricing["method"] == tax["method"] == "service_restart"
    assert pricing["shared_release"]["components"] == [pricing["dest"], tax["dest"]]
    assert stops(lab, host, t0) == 1  # the two in-process DLLs: one restart
    assert served(host) == dict.fromkeys(NAMES, "2.0.0.0")
    again = run(host, *NAMES)
    assert again["changed"] is False


def pool_stops(lab: Any, host: Any, since: float) -> dict[str, int]:
    """How many times each application pool of ``host`` went down since ``since`` (lab ``pool`` events: into
    3 stopping or 4 stopped from a state that was up)."""
    counts: dict[str, int] = {}
    down: set[str] = set()
    for e in lab.log.events(host=host.name, kind="pool", since=since):
        name, state = e.detail.get("name"), e.detail.get("state")
        if name is None:  # a command appcmd refused (an account without an elevated token)
            continue
        if state in (3, 4) and name not in down:
            counts[name] = counts.get(name, 0) + 1
            down.add(name)
        elif state in (1, 2):
            down.discard(name)
    return counts


def test_a_pool_stop_refused_for_want_of_an_elevated_token_puts_every_dll_back(lab, hosts):
    """Review S13 with two DLLs of one pool on IIS 10: appcmd answers "The WAS service is not available" to the
    pool stop although WAS runs (the account's token is not elevated).  Before the fix the combined pool restart
    went on: both swaps renamed loaded DLLs, ShopPool (never stopped) kept the old ones, and the run said it had
    updated both with a warning.  Now it asks sc query WAS, puts every old DLL back and fails at the stop."""
    host = hosts["CMBPOOL10"]
    assert served(host) == {"ShopCart": "1.0.0.0", "Pricing": "1.0.0.0"}  # ShopPool's worker has both loaded
    host.machine.config.elevated = False
    t0 = time.monotonic()
    res = run(host, "ShopCart", "Pricing")
    assert res.get("failed"), res["msg"]
    for comp in res["components"]:
        assert comp["step"] == "stop" and "no elevated token" in comp["msg"], comp["msg"]
        assert "each dest holds its old DLL" in comp["msg"], comp["msg"]
    assert on_disk(host, "ShopCart") == on_disk(host, "Pricing") == "1.0.0.0"
    assert pool_stops(lab, host, t0) == {} and host.machine.pool_state("ShopPool") == 2
    refused = [e for e in lab.log.events(host=host.name, kind="pool", since=t0) if e.detail.get("refused")]
    assert refused, "appcmd never refused a pool command: the fault did not fire"
    host.machine.config.elevated = True  # an administrator's token: the same task updates both in one pool stop
    t1 = time.monotonic()
    again = run(host, "ShopCart", "Pricing")
    assert not again.get("failed"), again["msg"]
    assert pool_stops(lab, host, t1) == {"ShopPool": 1}
    assert served(host) == {"ShopCart": "2.0.0.0", "Pricing": "2.0.0.0"}


def test_two_dlls_of_two_pools_one_stop_and_start_of_each_pool(lab, hosts):
    host = hosts["CMBPOOL"]
    assert served(host) == {"ShopCart": "1.0.0.0", "Pricing": "1.0.0.0"}
    fetch(host.web_url(1) + "/Orders/")  # OrderPool's worker has both DLLs loaded too
    t0 = time.monotonic()
    res = run(host, "ShopCart", "Pricing", application=["/Shop", "/Orders"])
    assert not res.get("failed"), res["msg"]
    assert pool_stops(lab, host, t0) == {"ShopPool": 1, "OrderPool": 1}
    assert stops(lab, host, t0) == 0  # W3SVC kept running
    cart, pricing = res["components"]
    assert cart["method"] == pricing["method"] == "pool_restart"
    assert cart["shared_release"]["components"] == [cart["dest"], pricing["dest"]]
    assert sorted(cart["pools"]) == sorted(pricing["pools"]) == ["OrderPool", "ShopPool"]
    assert served(host) == {"ShopCart": "2.0.0.0", "Pricing": "2.0.0.0"}
    assert "version=2.0.0.0" in fetch(host.web_url(1) + "/Orders/")
    t1 = time.monotonic()
    again = run(host, "ShopCart", "Pricing", application=["/Shop", "/Orders"])
    assert again["changed"] is False and pool_stops(lab, host, t1) == {}

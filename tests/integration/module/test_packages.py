"""The module over tests/lab/scenarios/packages.yaml (issue 12): components in MTS packages and COM+ applications.

A component in a server package runs in the package's own process (mtx.exe /p:{id}, dllhost.exe
/ProcessID:{id}): the module shuts that package down and W3SVC is never down (lab event log).  A library
package lives in IIS's process (the IIS rules).  A DLL used both directly by an in-process application and
through a server package needs both.  Check mode and failures name the processes that hold the DLL where the
host has tlist or tasklist, and say so where it has neither.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.unit.test_return_doc import undocumented

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

#: What each host of packages.yaml must do: (method, W3SVC may go down).
EXPECTED = {
    "PKG01": ("package_shutdown", False),
    "PKG02": ("package_shutdown", False),
    "PKG03": ("service_restart", True),  # library package: inetinfo.exe holds it
    "PKG04": ("service_restart", True),  # the package, then IIS: /Shop loads the DLL itself too
    "PKG05": ("package_shutdown", False),  # RunForever
    "PKG06": ("mtxstop", False),  # the catalog refuses the shutdown; mtxstop.exe ends it
    "PKG07": ("package_shutdown", False),
    "PKG08": ("package_shutdown", False),  # COM+ ShutdownApplication
}


@pytest.fixture
def package_hosts(scenario_hosts):
    return {host.name[-5:]: host for host in scenario_hosts("packages.yaml", prefix="P")}


def get(host: Any, path: str = "/Shop/") -> str:
    url = host.inventory_vars()["lab_update_url"].rsplit("/Shop", 1)[0] + path
    return requests.get(url, timeout=10).text


def check_mode(host: Any, args: dict[str, Any]) -> dict[str, Any]:
    return run_update(dict(args), h.make_runner(host), check_mode=True)


def leftovers(host: Any) -> list[str]:
    return [n for n in h.files_beside(host, SHOP_DLL) if n.lower().endswith((".vbs", ".iis4new", ".iis4state", ".cmd"))]


def update(host: Any, lab: Any) -> list[str]:
    problems: list[str] = []
    name = host.name[-5:]
    method, may_stop = EXPECTED[name]
    get(host)
    if name == "PKG04":
        get(host, "/Orders/")  # the package's process loads the DLL too
    before = running(host)
    t0 = time.monotonic()
    first = h.run_module(host, args_of(host))
    if first.get("failed"):
        return [f"{name}: failed at step {first.get('step')}: {first.get('msg')}"]
    if first["method"] != method:
        problems.append(f"{name}: method {first['method']}, expected {method}: {first['msg']}")
    down = lab.log.downtime(host.name, "W3SVC", since=t0)
    if not may_stop and down:
        problems.append(f"{name}: W3SVC was down {down}s for a package strategy")
    if not (first.get("package") or {}).get("id"):
        problems.append(f"{name}: the result does not name the package: {first.get('package')}")
    page = get(host)
    if host.inventory_vars()["lab_update_expect"] not in page:
        problems.append(f"{name}: serves {page[:90]!r} after the update")
    if running(host) != before:
        problems.append(f"{name}: services changed: {sorted(before ^ running(host))}")
    if leftovers(host):
        problems.append(f"{name}: files left beside dest: {leftovers(host)}")
    second = h.run_module(host, args_of(host))
    if second.get("failed") or second.get("changed"):
        problems.append(f"{name}: rerun changed={second.get('changed')} failed={second.get('failed')}: {second['msg']}")
    return problems


def test_every_package_host_is_updated_once(package_hosts, lab):
    problems = []
    for host in package_hosts.values():
        problems += update(host, lab)
    assert not problems, "\n".join(problems)


def test_server_package_update_names_the_package_and_keeps_w3svc(package_hosts, lab):
    host = package_hosts["PKG01"]
    assert "process=mtx.exe" in get(host)
    t0 = time.monotonic()
    res = h.run_module(host, args_of(host))
    assert not res.get("failed"), res["msg"]
    assert res["package"] == {
        "id": "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}",
        "name": "Shop Components",
        "activation": "server",
        "run_forever": False,
        "shutdown_after": 3,
    }
    assert res["catalog"] == "mts"
    assert res["services_stopped"] == [] and res["services_started"] == []
    assert res["outage_seconds"] == 0.0
    assert "Shop Components" in res["msg"] and "W3SVC kept running" in res["msg"]
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    # No tlist or tasklist on this host: the result says it cannot name holders.
    assert res["holders"] is None and res["holders_tool"] is None
    assert "version=2.0.0.0" in get(host)
    assert undocumented(res) == set()


def test_check_mode_names_holders_and_the_blast_radius(package_hosts):
    host = package_hosts["PKG04"]  # tlist installed; /Shop loads the DLL itself, /Orders through the package
    get(host)
    get(host, "/Orders/")
    snapshot = host.machine.fs.snapshot()
    res = check_mode(host, args_of(host))
    assert not res.get("failed"), res["msg"]
    assert res["changed"] is True
    assert res["method"] == "package_shutdown"
    assert res["holders_tool"] == "tlist"
    images = sorted(x["image"] for x in res["holders"])
    assert images == ["inetinfo.exe", "mtx.exe"], res["holders"]
    assert all(isinstance(x["pid"], int) and x["what"] for x in res["holders"])
    blast = res["blast_radius"]
    assert blast["package"]["name"] == "Shop Components"
    assert blast["process"] == "mtx.exe /p:{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}"
    assert blast["if_still_loaded"]["then"] == "service_restart"
    assert "W3SVC" in blast["if_still_loaded"]["services"]
    assert blast["if_refused"].startswith("mtxstop.exe")
    assert "would shut down the MTS package 'Shop Components'" in res["msg"]
    assert any("catalog shutdown" in c and "ShutdownPackage" in c for c in res["commands"])
    assert undocumented(res) == set()
    # A dry run leaves the host as it found it (its catalog script is written and deleted in one line).
    assert host.machine.fs.snapshot() == snapshot


def test_complus_check_mode_names_dllhost(package_hosts):
    host = package_hosts["PKG08"]
    get(host)
    res = check_mode(host, args_of(host))
    assert res["catalog"] == "complus" and res["holders_tool"] == "tasklist"
    assert [x["image"] for x in res["holders"]] == ["dllhost.exe"]
    assert res["blast_radius"]["process"] == "dllhost.exe /ProcessID:{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E608}"
    assert "would shut down the COM+ application 'Shop Application'" in res["msg"]
    assert "if_refused" not in res["blast_radius"]  # no mtxstop.exe on a COM+ host


def test_refused_shutdown_without_mtxstop_fails_cleanly(package_hosts, lab):
    host = package_hosts["PKG08"]
    host.config.packages[0].shutdown_refused = True
    get(host)
    before = running(host)
    t0 = time.monotonic()
    res = h.run_module(host, args_of(host))
    assert res.get("failed") and res["step"] == "shutdown", res["msg"]
    assert "Access is denied" in res["msg"]
    assert "dllhost.exe (PID" in res["msg"]  # tasklist names the holder
    assert "OLD DLL" in res["msg"] and res["rolled_back"] is True
    assert undocumented(res) == set()
    assert h.version_of(h.read_file(host, SHOP_DLL)) == "1.0.0.0"
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    assert running(host) == before
    assert leftovers(host) == []
    host.config.packages[0].shutdown_refused = False
    again = h.run_module(host, args_of(host))
    assert not again.get("failed") and again["method"] == "package_shutdown", again["msg"]


def test_catalog_script_error_on_mts_uses_mtxstop(package_hosts, lab):
    host = package_hosts["PKG01"]
    get(host)
    host.set_faults(catalog_script_error=True)
    preview = check_mode(host, args_of(host))
    assert preview["method"] == "mtxstop" and preview["package"] is None
    assert "every MTS server package" in preview["blast_radius"]["note"]
    t0 = time.monotonic()
    res = h.run_module(host, args_of(host))
    assert not res.get("failed"), res["msg"]
    assert res["method"] == "mtxstop"
    assert any("catalog could not be read" in w for w in res.get("warnings", []))
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    assert "version=2.0.0.0" in get(host)


def test_holder_outside_iis_is_refused_before_any_outage(package_hosts, lab):
    """Every process that has the DLL loaded is a program outside IIS: nothing the module can stop frees it."""
    host = package_hosts["PKG07"]  # tlist installed
    host.config.packages.clear()  # no package: the DLL is only loaded by the program below
    host.machine.processes.start_foreign("cscript.exe", SHOP_DLL, None)
    t0 = time.monotonic()
    res = h.run_module(host, args_of(host))
    assert res.get("failed") and res["step"] == "holders", res["msg"]
    assert "cscript.exe (PID" in res["msg"] and "nothing was stopped or changed" in res["msg"]
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    assert leftovers(host) == []


def test_package_restart_starts_the_package_with_the_new_dll(package_hosts, lab):
    host = package_hosts["PKG05"]  # RunForever: started again, it keeps the new DLL until the next update
    get(host)
    t0 = time.monotonic()
    res = h.run_module(host, {**args_of(host), "package_restart": True})
    assert not res.get("failed"), res["msg"]
    assert res["package_started"] is True and "started again" in res["msg"]
    proc = host.machine.processes.package_process("{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E605}")
    assert proc is not None and proc.loaded(SHOP_DLL).version == "2.0.0.0"  # before any request
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    assert leftovers(host) == []


def test_package_restart_that_fails_is_a_warning(package_hosts):
    host = package_hosts["PKG01"]
    broken = b"MZ but not a Windows NT image" * 100
    host.machine.write_file(STAGED_DLL, broken)  # the new DLL does not load
    get(host)
    res = h.run_module(host, {**args_of(host), "package_restart": True})
    assert not res.get("failed"), res["msg"]
    assert res["package_started"] is False
    assert any("did not start again" in w and "8007007E" in w for w in res["warnings"]), res.get("warnings")
    assert h.read_file(host, SHOP_DLL) == broken  # the new DLL stays (a health check decides about it)

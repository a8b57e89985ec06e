"""The module over tests/lab/scenarios/versions.yaml (issue 13): one host per IIS version and isolation mode.

The module tells each host's version and mode apart by itself (no option), reports them, updates the component
with the least outage the host allows (W3SVC never down unless an in-process application needs IIS stopped),
serves the new version afterwards, and a second run changes nothing.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, running, served

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

#: Lab host kind -> the IIS version the module must report.
IIS_OF_KIND = {"nt4": "4.0", "w2k": "5.0", "xp": "5.1", "w2k3": "6.0", "w2k8r2": "7.5", "w2k19": "10.0"}


@pytest.fixture
def version_hosts(scenario_hosts):
    return scenario_hosts("versions.yaml", prefix="V")


def update_twice(host: Any, lab: Any) -> tuple[list[str], dict[str, Any]]:
    problems: list[str] = []
    served(host)  # the component is loaded, as on a host in use
    before = running(host)
    t0 = time.monotonic()
    first = h.run_module(host, args_of(host))
    if first.get("failed"):
        return [f"{host.name}: failed at step {first.get('step')}: {first.get('msg')}"], first
    expect = host.inventory_vars()["lab_update_expect"]
    if expect not in served(host):
        problems.append(f"{host.name}: serves {served(host)[:90]!r} after {first['method']}: {first['msg']}")
    if first["iis_version"] != IIS_OF_KIND[host.config.kind]:
        problems.append(f"{host.name}: iis_version {first['iis_version']} on a {host.config.kind} host")
    down = lab.log.downtime(host.name, "W3SVC", since=t0)
    if down and first["method"] != "service_restart":
        problems.append(f"{host.name}: W3SVC down {down:.2f}s for {first['method']}")
    if running(host) != before:
        problems.append(f"{host.name}: services changed: {sorted(before ^ running(host))}")
    second = h.run_module(host, args_of(host))
    if second.get("failed") or second.get("changed"):
        problems.append(f"{host.name}: rerun changed={second.get('changed')}: {second.get('msg')}")
    return problems, first


def test_every_version_host_is_updated_once(version_hosts, lab):
    problems: list[str] = []
    methods: dict[str, str] = {}
    for host in version_hosts:
        found, first = update_twice(host, lab)
        problems += found
        methods[host.name] = f"{first.get('method')} ({first.get('isolation_mode')})"
    assert not problems, "\n".join(problems) + f"\nmethods: {methods}"
    kinds = {m.split(" ")[0] for m in methods.values()}
    assert {"pool_restart", "package_shutdown", "unload", "service_restart"} <= kinds, methods


def test_check_mode_reports_version_mode_and_the_pool(version_hosts):
    host = next(h_ for h_ in version_hosts if h_.config.kind == "w2k3" and not h_.config.iis5_isolation_mode)
    served(host)
    res = run_update(args_of(host), h.make_runner(host), check_mode=True)
    assert not res.get("failed"), res["msg"]
    assert (res["iis_version"], res["isolation_mode"], res["method"]) == ("6.0", "worker_process", "pool_restart")
    assert res["blast_radius"]["pools"] and "W3SVC and every other pool keep serving" in res["blast_radius"]["note"]
    assert "would stop the application pool(s)" in res["msg"]


def test_iis7_without_appcmd_fails_before_anything_changes(lab_host):
    # W3SVC only: SMTP (fleet host 0 has it) would bring the IIS 6 compatibility components and adsutil (issue 21)
    host = lab_host(fleet_index=0, kind="w2k8r2", has_appcmd=False, services=["W3SVC"])
    before = h.capture(host)
    res = h.run_module(host, h.module_args())
    assert res.get("failed") and res["step"] == "detect", res["msg"]
    assert "appcmd.exe" in res["msg"] and "adsutil.vbs" in res["msg"]
    assert h.files_beside(host, before.dest) == before.files

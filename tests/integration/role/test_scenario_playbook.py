"""The role over a whole lab scenario with one generic playbook (tests/lab/playbooks/update_scenario.yml), which
takes each host's component from its lab_update_* inventory variables.

packages.yaml (issue 12): components in MTS server packages and COM+ server applications are updated with
W3SVC never down; the library-package host and the host whose application also loads the DLL itself restart
IIS.  A second run changes nothing.
"""

from __future__ import annotations

import contextlib
import re
import time
import urllib.error
import urllib.request

import pytest

from tests.ansible_env import REPO
from tests.integration.ansible_helpers import run_playbook
from tests.integration.role.test_component_update_role import recap

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(600)]

PLAYBOOK = REPO / "tests" / "lab" / "playbooks" / "update_scenario.yml"
FAST = {"component_update_health_retries": 2, "component_update_health_delay": 0}
#: packages.yaml hosts whose update restarts IIS (library package; the application loads the DLL itself too).
RESTART_IIS = ("PKG03", "PKG04")


def test_packages_scenario_through_the_role(scenario_hosts, lab, lab_inventory, tmp_path):
    hosts = scenario_hosts("packages.yaml", prefix="R")
    inventory = lab_inventory(*hosts)
    for host in hosts:  # hosts in use: the component is loaded (PKG04: by /Shop itself and by the package)
        url = host.inventory_vars()["lab_update_url"]
        for page in (url, url.replace("/Shop/", "/Orders/")):
            with contextlib.suppress(urllib.error.HTTPError):  # /Orders exists on PKG04 only
                urllib.request.urlopen(page, timeout=10).read()  # noqa: S310 - lab loopback
    t0 = time.monotonic()
    run = run_playbook(PLAYBOOK, inventory, tmp_path, extra_vars={**FAST, "lab_audit_dir": str(tmp_path / "audit")})
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    rows = recap(run)
    assert set(rows) == {h.name for h in hosts}, rows
    assert all(r["failed"] == 0 and r["unreachable"] == 0 and r["changed"] >= 1 for r in rows.values()), rows
    # The dry run before the update changes nothing, so it does not count as a change in the recap.
    dry_runs = re.findall(r"TASK \[[^\]]*Find out which components differ[^\n]*\n(.*?)(?=\nTASK |\Z)", run.stdout, re.S)
    assert dry_runs and not any("changed:" in block for block in dry_runs), dry_runs
    for host in hosts:
        down = lab.log.downtime(host.name, "W3SVC", since=t0)
        if host.name.endswith(RESTART_IIS):
            assert down > 0, host.name
        else:
            assert down == 0.0, f"{host.name}: W3SVC down {down}s for a package shutdown"
    assert "package_shutdown" in run.stdout and "mtxstop" in run.stdout  # the summary table's METHOD column
    again = run_playbook(PLAYBOOK, inventory, tmp_path, extra_vars=FAST)
    assert again.rc == 0, again.stdout[-4000:]
    assert all(r["changed"] == 0 and r["failed"] == 0 for r in recap(again).values()), recap(again)


def test_versions_scenario_through_the_role(scenario_hosts, lab, lab_inventory, tmp_path):
    """versions.yaml (issue 13): one host per IIS version and isolation mode, through the same generic playbook.
    W3SVC stays up everywhere but on the host whose application runs in-process."""
    hosts = scenario_hosts("versions.yaml", prefix="R")
    inventory = lab_inventory(*hosts)
    for host in hosts:
        urllib.request.urlopen(host.inventory_vars()["lab_update_url"], timeout=10).read()  # noqa: S310 - lab
    t0 = time.monotonic()
    run = run_playbook(PLAYBOOK, inventory, tmp_path, extra_vars=FAST)
    assert run.rc == 0, run.stdout[-4000:] + run.stderr[-2000:]
    rows = recap(run)
    assert set(rows) == {h.name for h in hosts}, rows
    assert all(r["failed"] == 0 and r["unreachable"] == 0 and r["changed"] >= 1 for r in rows.values()), rows
    for host in hosts:
        down = lab.log.downtime(host.name, "W3SVC", since=t0)
        in_process = any(a.isolation == 0 for s in host.config.sites for a in s.apps if a.components)
        assert down == 0.0 or in_process, f"{host.name}: W3SVC down {down}s"
    for method in ("pool_restart", "package_shutdown", "unload", "service_restart"):
        assert method in run.stdout, method  # the summary table's METHOD column
    again = run_playbook(PLAYBOOK, inventory, tmp_path, extra_vars=FAST)
    assert again.rc == 0, again.stdout[-4000:]
    assert all(r["changed"] == 0 and r["failed"] == 0 for r in recap(again).values()), recap(again)

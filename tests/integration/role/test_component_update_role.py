"""The legacy_iis.iis4.component_update role through playbooks/update_component.yml, against lab hosts.

Each test starts its own lab hosts (``lab_host``), writes an inventory for them and runs the real
``ansible-playbook``. Hosts come from the default mixed fleet (tests.lab.machine.config.default_host): fleet index 0
and 2 run /Shop in-process (index 0 also has FTP and SMTP), index 1 and 3 run it isolated.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ansible_env import REPO
from tests.integration.ansible_helpers import Run, run_playbook
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import dll_version

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(600)]

PLAYBOOK = REPO / "playbooks" / "update_component.yml"
# Quick health checks: the lab answers at once, and failing checks should not wait long.
FAST = {"component_update_health_retries": 2, "component_update_health_delay": 0}


def served_version(host: Any) -> str | None:
    with urllib.request.urlopen(host.web_url(1) + "/Shop/", timeout=10) as resp:  # noqa: S310 - lab loopback
        body = resp.read().decode("ascii", "replace")
    match = re.search(r"version=(\S+)", body)
    return match.group(1) if match else None


def file_version(host: Any) -> str | None:
    return dll_version(host.machine.fs.read(SHOP_DLL))


def audit(audit_dir: Path, host: Any) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(audit_dir.glob(f"{host.name}-*.json"))]


def rollout(
    inventory: Path,
    workdir: Path,
    audit_dir: Path,
    *,
    check: bool = False,
    diff: bool = False,
    env: dict[str, str] | None = None,
    **extra_vars: Any,
) -> Run:
    extra = {"rollout_audit_dir": str(audit_dir), **FAST, **extra_vars}
    return run_playbook(PLAYBOOK, inventory, workdir, extra_vars=extra, check=check, diff=diff, env=env)


def recap(run: Run) -> dict[str, dict[str, int]]:
    rows = {}
    for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", run.stdout, re.M):
        rows[m.group(1)] = {"changed": int(m.group(3)), "unreachable": int(m.group(4)), "failed": int(m.group(5))}
    return rows


def batches(run: Run) -> list[list[str]]:
    """Hosts of each batch, in order, from the first task of the role in each play."""
    found: list[list[str]] = []
    for block in run.stdout.split("TASK [legacy_iis.iis4.component_update : Find out which components differ")[1:]:
        body = block.split("TASK [", 1)[0]
        found.append(re.findall(r"^ok: \[([^\]]+)\]", body, re.M))
    return found


def with_host_vars(inventory: Path, **per_host: dict[str, Any]) -> Path:
    """Add host variables to an inventory written by the lab."""
    data = yaml.safe_load(inventory.read_text(encoding="utf-8"))
    for name, values in per_host.items():
        data["all"]["children"]["iis4"]["hosts"][name].update(values)
    inventory.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return inventory


def play_file(path: Path, play: dict[str, Any]) -> Path:
    """A playbook of one play, written to ``path``."""
    path.write_text(yaml.safe_dump([play], sort_keys=False), encoding="utf-8")
    return path


def host_reads(lab: Any, host: Any, since: float) -> tuple[int, int]:
    """How many gather lines and catalog steps the host ran since ``since`` (the lab's log of command lines)."""
    lines = [str(e.detail.get("line", "")) for e in lab.log.events(host=host.name, kind="command") if e.t >= since]
    return sum("echo @@state&" in ln for ln in lines), sum("echo @@catalog_" in ln for ln in lines)


def service_changes(lab: Any, host: Any, since: float) -> list[Any]:
    return [e for e in lab.log.events(host=host.name, kind="service") if e.t >= since]


def test_batches_update_in_process_and_isolated_hosts_then_rerun_changes_nothing(
    lab, lab_host, lab_inventory, tmp_path
):
    hosts = [lab_host(fleet_index=i) for i in range(4)]
    inv = lab_inventory(*hosts)
    audit_dir = tmp_path / "audit"
    assert {served_version(h) for h in hosts} == {"1.0.0.0"}

    t_first = time.monotonic()
    first = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 2])
    assert first.rc == 0, first.stdout + first.stderr
    # one reading of each host per run: the update starts from what the dry run read (issue 22)
    for host in hosts:
        assert host_reads(lab, host, t_first) == (1, 1), host.name
    # within a batch, hosts are reported in the order they finish
    assert [sorted(batch) for batch in batches(first)] == [
        [hosts[0].name],
        [hosts[1].name, hosts[2].name],
        [hosts[3].name],
    ]
    assert "Rollout summary: 4 of 4 host(s), 0 failed" in first.stdout
    # the callback's table of the hosts so far, when the second and the third batch start
    assert first.stdout.count("ROLLOUT SO FAR (legacy_iis.iis4)") == 2
    assert "Rollout so far: 1 of 4 host(s)" in first.stdout and "Rollout so far: 3 of 4 host(s)" in first.stdout
    for index, host in enumerate(hosts):
        assert served_version(host) == "2.0.0.0"
        assert file_version(host) == "2.0.0.0"
        (record,) = audit(audit_dir, host)
        assert record["result"] == "changed"
        assert record["host"] == host.name
        assert record["drained_after"] is False
        assert record["components"][0]["old"]["size"] != record["components"][0]["new"]["size"]
        assert record["components"][0]["version_served"] == "2.0.0.0"
        if index % 2 == 0:
            assert (record["isolation"], record["method"]) == ("in_process", "service_restart")
            assert "W3SVC" in record["services"]["started"]
        else:
            assert (record["isolation"], record["method"]) == ("out_of_process", "unload")
            assert record["services"]["started"] == []
            assert record["outage_seconds"] == 0
    assert set(audit(audit_dir, hosts[0])[0]["services"]["started"]) == {"IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"}

    t0 = time.monotonic()
    second = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 2])
    assert second.rc == 0, second.stdout + second.stderr
    assert all(row["changed"] == 0 for row in recap(second).values()), recap(second)
    assert "example drain:" not in second.stdout  # no host was drained
    # the backups go into bin under the site's folder: said when one is made, not on a run that makes none
    assert "can be downloaded" in first.stderr + first.stdout
    assert "can be downloaded" not in second.stderr + second.stdout
    assert "example undrain:" not in second.stdout  # and none was left drained, so none is undrained
    for host in hosts:
        assert service_changes(lab, host, t0) == [], f"{host.name} stopped a service on the rerun"
        assert audit(audit_dir, host)[-1]["result"] == "unchanged"
        assert served_version(host) == "2.0.0.0"


def test_check_mode_previews_and_changes_nothing(lab, lab_host, lab_inventory, tmp_path):
    hosts = [lab_host(fleet_index=0), lab_host(fleet_index=1)]
    inv = lab_inventory(*hosts)
    t0 = time.monotonic()
    run = rollout(inv, tmp_path, tmp_path / "audit", check=True, diff=True, rollout_serial=[1])
    assert run.rc == 0, run.stdout + run.stderr
    assert run.stdout.count("would change") >= 2
    out = run.stdout.replace("\\\\", "\\")
    for host in hosts:
        # a host that would change shows as changed, with the DLLs' diff and the commands the update would run
        assert recap(run)[host.name]["changed"] >= 1, recap(run)
        assert f"{host.name}: {SHOP_DLL} would be replaced" in out, out[-4000:]
        assert f"--- before: {SHOP_DLL}" in out and f"+++ after: {STAGED_DLL}" in out
    assert "net stop iisadmin /y" in out.lower()  # the in-process host's outage, as it would run
    assert "can be downloaded" not in run.stderr + out  # a dry run makes no backup
    for host in hosts:
        assert file_version(host) == "1.0.0.0"
        assert service_changes(lab, host, t0) == []
    assert not (tmp_path / "audit").exists()


@pytest.mark.parametrize("fleet_index", [0, 1], ids=["in_process", "isolated"])
def test_failed_health_check_rolls_back_and_leaves_the_host_drained(
    lab, lab_host, lab_inventory, tmp_path, fleet_index
):
    host = lab_host(fleet_index=fleet_index)
    inv = lab_inventory(host)
    audit_dir = tmp_path / "audit"
    # The new DLL goes in, but the page never shows the version the check waits for.
    run = rollout(inv, tmp_path, audit_dir, rollout_expect=r"version=9\.9\.9\.9")
    assert run.rc != 0
    assert "verify failed: " in run.stdout and "without a match for" in run.stdout
    assert "Rolled back: " + SHOP_DLL in run.stdout.replace("\\\\", "\\")
    assert "left out of service" in run.stdout
    assert "example undrain" not in run.stdout
    assert file_version(host) == "1.0.0.0"
    assert served_version(host) == "1.0.0.0"
    (record,) = audit(audit_dir, host)
    assert record["result"] == "rolled back"
    assert record["rolled_back"] == [SHOP_DLL]
    assert record["drained_after"] is True
    assert record["components"][0]["version_served"] == "1.0.0.0"


def test_health_failure_without_rollback_keeps_the_new_dll(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    inv = lab_inventory(host)
    run = rollout(
        inv,
        tmp_path,
        tmp_path / "audit",
        rollout_expect=r"version=9\.9\.9\.9",
        component_update_rollback_on_health_failure=False,
    )
    assert run.rc != 0
    assert "The new version stays in place" in run.stdout
    assert file_version(host) == "2.0.0.0"


def test_a_failing_host_stops_the_rollout(lab, lab_host, lab_inventory, tmp_path):
    hosts = [lab_host(fleet_index=i) for i in range(4)]
    # The second host's site cannot be reached by the health check: its update is rolled back.
    inv = with_host_vars(lab_inventory(*hosts), **{hosts[1].name: {"web_base_url": "http://127.0.0.1:9"}})
    audit_dir = tmp_path / "audit"
    run = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 1], rollout_max_fail_percentage=0)
    assert run.rc != 0
    rows = recap(run)
    assert rows[hosts[1].name]["failed"] == 1
    assert served_version(hosts[0]) == "2.0.0.0"
    assert file_version(hosts[1]) == "1.0.0.0"
    # max_fail_percentage 0: nothing after the failed batch was touched
    for host in hosts[2:]:
        assert file_version(host) == "1.0.0.0"
        assert audit(audit_dir, host) == []
    assert "Rollout so far: 2 of 4 host(s), 1 failed" in run.stdout, run.stdout[run.stdout.find("ROLLOUT") :]
    # one layout with the reason of the failed row and the hosts the rollout never tried
    table = run.stdout[run.stdout.rindex("ROLLOUT SUMMARY") :]
    rows = {ln.split()[0]: ln for ln in table.splitlines()[3:] if ln.strip()}
    assert "nothing listens at 127.0.0.1:9" in rows[hosts[1].name], table
    for host in hosts[2:]:
        assert rows[host.name].split()[1:3] == ["not", "tried"], table
    # nothing listens there: the check gives up after one retry and says what to set
    assert "nothing listens at 127.0.0.1:9 (connection refused)" in run.stdout
    assert "component_update_health_base_url" in run.stdout and "after 2 attempts" in run.stdout


def test_capacity_floor_counts_hosts_left_drained(lab, lab_host, lab_inventory, tmp_path):
    hosts = [lab_host(fleet_index=i) for i in range(4)]
    inv = with_host_vars(lab_inventory(*hosts), **{hosts[0].name: {"web_base_url": "http://127.0.0.1:9"}})
    audit_dir = tmp_path / "audit"
    # Batch 1: the first host fails and stays drained, which 50% tolerates. Batch 2 would then have three
    # hosts out of service at once, more than component_update_max_drained allows.
    run = rollout(
        inv,
        tmp_path,
        audit_dir,
        rollout_serial=[2, 2],
        rollout_max_fail_percentage=50,
        component_update_max_drained=2,
    )
    assert run.rc != 0
    assert audit(audit_dir, hosts[0])[0]["drained_after"] is True
    assert audit(audit_dir, hosts[1])[0]["result"] == "changed"
    for host in hosts[2:]:
        (record,) = audit(audit_dir, host)
        assert record["result"] == "failed"
        assert "capacity floor" in record["failure"]
        assert record["drained_after"] is False
        assert file_version(host) == "1.0.0.0"
        assert f"example drain: {host.name}" not in run.stdout


def test_rerun_recovers_a_host_left_half_way_by_an_interrupted_run(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    machine = host.machine
    # What a run killed in the middle of its outage leaves: IIS stopped, the new DLL already swapped in,
    # the old one kept as a backup, and the state record beside dest.
    for name in ("W3SVC", "MSFTPSVC", "SMTPSVC", "IISADMIN"):
        machine.scm.stop(name)
        assert machine.scm.wait_for(name, ("STOPPED",), timeout=10)
    stamp = "20261125170000"
    backup = f"{SHOP_DLL}.{stamp}.bak"
    machine.fs.write(backup, machine.fs.read(SHOP_DLL))
    machine.fs.write(SHOP_DLL, machine.fs.read(STAGED_DLL))
    record = [
        f"run={stamp}",
        f"dest={SHOP_DLL}",
        f"src={STAGED_DLL}",
        f"staged={SHOP_DLL}.iis4new",
        f"backup={backup}",
        "method=service_restart",
        "services=IISADMIN,W3SVC,MSFTPSVC,SMTPSVC",
    ]
    machine.fs.write(SHOP_DLL + ".iis4state", ("\r\n".join(record) + "\r\n").encode("ascii"))

    # dest already equals src, yet the role must not skip the host: the state record is work to do.
    run = rollout(lab_inventory(host), tmp_path, tmp_path / "audit")
    assert run.rc == 0, run.stdout + run.stderr
    states = machine.scm.states()
    assert all(states[s] == "RUNNING" for s in ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC")), states
    assert not machine.fs.exists(SHOP_DLL + ".iis4state")
    assert served_version(host) == "2.0.0.0"
    (entry,) = audit(tmp_path / "audit", host)
    assert entry["components"][0]["recovered"]


# -- issue 11: a failure the module undid itself, a rerun after a failure, hosts that cannot be reached

SHOP_COMPONENT = {
    "src": STAGED_DLL,
    "dest": SHOP_DLL,
    "application": "/Shop",
    "health_expect": r"version=2\.0\.0\.0",
}


def table_result(run: Run, host: Any) -> str | None:
    """The RESULT column of the host's row in the last rollout table printed."""
    rows = re.findall(
        rf"^{re.escape(host.name)}\s+(unchanged|changed|would change|failed|rolled back|unreachable)\s",
        run.stdout,
        re.M,
    )
    return rows[-1] if rows else None


def custom_stats(run: Run) -> dict[str, Any]:
    """What set_stats handed over, as printed with ANSIBLE_SHOW_CUSTOM_STATS."""
    match = re.search(r"^\tRUN: (.*)$", run.stdout, re.M)
    assert match, run.stdout
    return json.loads(match.group(1))


def test_a_failure_the_module_rolled_back_itself_is_not_rolled_back_again(lab, lab_host, lab_inventory, tmp_path):
    # Unloading does not free the DLL and the fallback is off: the module fails at step unload and puts the old
    # DLL back itself, so there is no backup left for the role to roll back from.  (timeout 20: the module waits
    # a quarter of it for the unloaded DLL to be released, not the default 30 s.)
    host = lab_host(fleet_index=1, faults={"unload_noop": True})
    assert served_version(host) == "1.0.0.0"  # the application is loaded and holds the DLL
    audit_dir = tmp_path / "audit"
    run = rollout(
        lab_inventory(host),
        tmp_path,
        audit_dir,
        component_update_components=[{**SHOP_COMPONENT, "unload_fallback": False, "timeout": 20}],
    )
    assert run.rc != 0
    out = run.stdout.replace("\\\\", "\\")
    assert "(module step unload)" in out
    assert f"The module put the old DLL back itself: {SHOP_DLL}." in out
    assert "The new version stays in place" not in out
    assert "(backup was off)" not in out
    assert "the rollback failed as well" not in out
    assert "left out of service" in out
    assert "example undrain" not in out
    assert file_version(host) == "1.0.0.0"
    assert served_version(host) == "1.0.0.0"
    assert table_result(run, host) == "rolled back"
    (record,) = audit(audit_dir, host)
    assert record["result"] == "rolled back"
    assert record["rolled_back"] == [SHOP_DLL]
    assert record["drained_after"] is True
    (component,) = record["components"]
    assert component["rolled_back"] is True
    assert component["rolled_back_by"] == "module"
    assert component["dest_holds"] == "old"
    assert not component["backup_file"]
    assert component["version_served"] == "1.0.0.0"


def test_a_failure_before_anything_changed_has_nothing_to_roll_back(lab, lab_host, lab_inventory, tmp_path):
    # The disk fills up while the new DLL is staged: nothing was swapped.
    host = lab_host(fleet_index=1)
    host.set_faults(disk_full=True)
    audit_dir = tmp_path / "audit"
    run = rollout(lab_inventory(host), tmp_path, audit_dir)
    assert run.rc != 0
    out = run.stdout.replace("\\\\", "\\")
    assert "(module step stage)" in out
    assert "No DLL was replaced." in out
    assert "The new version stays in place" not in out
    assert "(backup was off)" not in out
    assert file_version(host) == "1.0.0.0"
    assert table_result(run, host) == "failed"
    (record,) = audit(audit_dir, host)
    assert record["result"] == "failed"
    assert record["rolled_back"] == []
    assert record["drained_after"] is True
    (component,) = record["components"]
    assert component["rolled_back"] is False
    assert component["dest_holds"] == "old"


def test_a_rerun_brings_back_a_host_a_failed_run_left_drained(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    inv = lab_inventory(host)
    audit_dir = tmp_path / "audit"
    # The new DLL goes in, the health check waits for the wrong version, and rollback is off: the host is left
    # drained with the new DLL in place.
    first = rollout(
        inv,
        tmp_path,
        audit_dir,
        rollout_expect=r"version=9\.9\.9\.9",
        component_update_rollback_on_health_failure=False,
    )
    assert first.rc != 0
    assert audit(audit_dir, host)[-1]["drained_after"] is True
    assert file_version(host) == "2.0.0.0"

    # A rerun that still finds the host unhealthy leaves it drained.
    still_bad = rollout(inv, tmp_path, audit_dir, rollout_expect=r"version=9\.9\.9\.9")
    assert still_bad.rc != 0
    assert "example undrain" not in still_bad.stdout
    assert "example drain" not in still_bad.stdout
    assert audit(audit_dir, host)[-1]["drained_after"] is True
    assert "left out of service" in still_bad.stdout

    # The cause is fixed (here: the expectation): nothing needs updating, the host is healthy, so the rerun
    # puts it back into service without draining it again.
    t0 = time.monotonic()
    fixed = rollout(inv, tmp_path, audit_dir)
    assert fixed.rc == 0, fixed.stdout + fixed.stderr
    assert f"example undrain: {host.name}" in fixed.stdout
    assert "example drain" not in fixed.stdout
    assert service_changes(lab, host, t0) == []
    record = audit(audit_dir, host)[-1]
    assert record["result"] == "unchanged"
    assert record["drained_before"] is True
    assert record["drained_after"] is False

    # And the run after that leaves it alone.
    again = rollout(inv, tmp_path, audit_dir)
    assert again.rc == 0, again.stdout + again.stderr
    assert "example undrain" not in again.stdout
    assert audit(audit_dir, host)[-1]["drained_before"] is False


def test_a_host_known_to_be_drained_is_brought_back_without_audit_records(lab, lab_host, lab_inventory, tmp_path):
    # Where audit records do not survive between jobs (an AWX execution environment without a kept directory),
    # the operator says which host is still drained.
    host = lab_host(fleet_index=1)
    host.machine.fs.write(SHOP_DLL, host.machine.fs.read(STAGED_DLL))  # already up to date
    inv = with_host_vars(lab_inventory(host), **{host.name: {"component_update_assume_drained": True}})
    run = rollout(inv, tmp_path, tmp_path / "audit")
    assert run.rc == 0, run.stdout + run.stderr
    assert f"example undrain: {host.name}" in run.stdout
    assert "example drain" not in run.stdout
    (record,) = audit(tmp_path / "audit", host)
    assert (record["result"], record["drained_before"], record["drained_after"]) == ("unchanged", True, False)


def test_an_unreachable_host_is_reported_and_stops_the_rollout(lab, lab_host, lab_inventory, tmp_path):
    hosts = [lab_host(fleet_index=i) for i in range(4)]
    hosts[1].set_faults(wsman_down=True)
    audit_dir = tmp_path / "audit"
    run = rollout(
        lab_inventory(*hosts),
        tmp_path,
        audit_dir,
        env={"ANSIBLE_SHOW_CUSTOM_STATS": "true"},
        rollout_serial=[2, 2],
        rollout_max_fail_percentage=0,
    )
    assert run.rc != 0
    # Ansible's own status: unreachable, neither failed nor rescued (the recap, AWX and ignore_unreachable read it)
    assert recap(run)[hosts[1].name] == {"changed": 0, "unreachable": 1, "failed": 0}, run.stdout[-4000:]
    assert not re.search(rf"^{hosts[1].name}\s+:.*rescued=[1-9]", run.stdout, re.M)
    # max_fail_percentage does not count it; the role's stop rule does: the second batch is refused untouched.
    for host in hosts[2:]:
        (record,) = audit(audit_dir, host)
        assert record["result"] == "failed" and "stop rule" in record["failure"], record["failure"]
        assert hosts[1].name in record["failure"]
        assert file_version(host) == "1.0.0.0"
        assert f"example drain: {host.name}" not in run.stdout
    assert table_result(run, hosts[1]) == "unreachable"
    assert table_result(run, hosts[0]) == "changed"
    (record,) = audit(audit_dir, hosts[1])
    assert record["result"] == "unreachable"
    assert record["drained_after"] is False
    assert "cannot reach" in record["failure"]
    reports = custom_stats(run)["component_update_reports"]
    # Ansible keeps no stats of an unreachable result: the artifact has the hosts it reached
    assert set(reports) >= {hosts[0].name, hosts[2].name}, run.stdout[-6000:]
    assert reports[hosts[0].name]["result"] == "changed"
    assert f"example drain: {hosts[1].name}" not in run.stdout


def test_a_canary_host_that_is_down_is_reported_unreachable_and_ends_the_rollout(
    lab, lab_host, lab_inventory, tmp_path
):
    # The README's serial: one canary host first. It cannot be reached: the whole batch is down, so Ansible ends
    # the play; the role still reports and records it (it used to crash in its rescue).
    hosts = [lab_host(fleet_index=i) for i in range(3)]
    hosts[0].set_faults(wsman_down=True)
    audit_dir = tmp_path / "audit"
    run = rollout(lab_inventory(*hosts), tmp_path, audit_dir, rollout_serial=[1, 2])
    assert run.rc != 0
    out = run.stdout
    assert "is undefined" not in out + run.stderr, out[-4000:]
    assert recap(run)[hosts[0].name] == {"changed": 0, "unreachable": 1, "failed": 0}, out[-4000:]
    assert "rescued=1" not in out
    (record,) = audit(audit_dir, hosts[0])
    assert (record["result"], record["drained_after"]) == ("unreachable", False)
    assert "cannot reach" in record["failure"]
    assert table_result(run, hosts[0]) == "unreachable"
    for host in hosts[1:]:
        assert audit(audit_dir, host) == []
        assert file_version(host) == "1.0.0.0"


def test_capacity_floor_counts_unreachable_hosts_as_down(lab, lab_host, lab_inventory, tmp_path):
    hosts = [lab_host(fleet_index=i) for i in range(4)]
    hosts[0].set_faults(wsman_down=True)
    audit_dir = tmp_path / "audit"
    # Batch 1: the first host cannot be reached (tolerated by 50%), the second is updated. Batch 2 would then
    # have three hosts down at once, more than component_update_max_drained allows.
    run = rollout(
        lab_inventory(*hosts),
        tmp_path,
        audit_dir,
        rollout_serial=[2, 2],
        rollout_max_fail_percentage=50,
        component_update_max_drained=2,
    )
    assert run.rc != 0
    assert audit(audit_dir, hosts[0])[0]["result"] == "unreachable"
    assert audit(audit_dir, hosts[1])[0]["result"] == "changed"
    for host in hosts[2:]:
        (record,) = audit(audit_dir, host)
        assert record["result"] == "failed"
        assert "capacity floor" in record["failure"]
        assert hosts[0].name in record["failure"]
        assert file_version(host) == "1.0.0.0"
    assert "Rollout summary: 4 of 4 host(s), 2 failed, 1 unreachable" in run.stdout


# -- issue 14: the lean role ---------------------------------------------------------------------------------

SCENARIO_PLAYBOOK = REPO / "tests" / "lab" / "playbooks" / "update_scenario.yml"
#: What the role runs per host on the happy path of a play without drain and undrain task files: the argument
#: check Ansible adds, the dry run, and the update with its page check and the report in one task (issue 22);
#: without a capacity floor (100 %) or a stop rule, the dry run decides nothing and is not run.
LEAN_TASKS_PER_HOST = {"3": 3, "100%": 2}


@pytest.mark.parametrize("max_drained", ["3", "100%"], ids=["floor", "no_floor"])
def test_without_drain_tasks_a_host_costs_few_tasks_and_a_host_that_sets_them_alone_is_refused(
    lab, lab_host, lab_inventory, tmp_path, max_drained
):
    hosts = [lab_host(fleet_index=i) for i in range(3)]
    drain = REPO / "playbooks" / "tasks" / "drain_example.yml"
    # The play sets no drain tasks; the third host's inventory does. That host must not be updated without them.
    inv = with_host_vars(lab_inventory(*hosts), **{hosts[2].name: {"component_update_drain_tasks": str(drain)}})
    run = run_playbook(
        SCENARIO_PLAYBOOK,
        inv,
        tmp_path,
        extra_vars={**FAST, "lab_serial": 3, "component_update_max_drained": max_drained},
    )
    text = run.stdout
    assert run.rc != 0, text[-3000:]
    assert ("Find out which components differ" in text) is (max_drained != "100%")
    rows = {m.group(1): m for m in re.finditer(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+).*?skipped=(\d+)", text, re.M)}
    for host in hosts[:2]:
        assert host_reads(lab, host, 0.0) == (1, 1), host.name  # one reading: the dry run's or the update's own
        m = rows[host.name]
        assert int(m.group(3)) == 1 and served_version(host) == "2.0.0.0", text[-6000:]
        # ok + skipped per host, the run_once task (capacity floor) counted on one host only
        floor = 1 if host is hosts[0] and max_drained != "100%" else 0
        assert int(m.group(2)) + int(m.group(4)) - floor == LEAN_TASKS_PER_HOST[max_drained], m.group(0)
    assert "set for this host by its inventory only" in text
    assert file_version(hosts[2]) == "1.0.0.0" and "example drain" not in text
    assert table_result(run, hosts[2]) == "failed"


def test_without_a_capacity_floor_the_update_reads_each_host_itself_and_reports_every_outcome(
    lab, lab_host, lab_inventory, tmp_path
):
    """component_update_max_drained 100 %, no drain steps, no stop rule: no dry run and no capacity floor. The
    update reads each host once, checks the page where the site's binding says it answers (the module's own
    reading), and a failure, a host that cannot be reached and a success each get their report and audit record."""
    good, failing, down = lab_host(fleet_index=0), lab_host(fleet_index=1), lab_host(fleet_index=3)
    failing.set_faults(disk_full=True)  # fails at step stage, after the update found work
    down.set_faults(wsman_down=True)
    audit_dir = tmp_path / "audit"
    playbook = play_file(
        tmp_path / "no_floor.yml",
        {
            "name": "Every host at once",
            "hosts": "all",
            "gather_facts": False,
            "vars": {
                "component_update_components": [SHOP_COMPONENT],
                "component_update_max_drained": "100%",
                "component_update_audit_dir": str(audit_dir),
            },
            "roles": ["legacy_iis.iis4.component_update"],
        },
    )
    inventory = lab_inventory(good, failing, down)
    # a check run still runs the dry run: it is the preview
    check = run_playbook(playbook, inventory, tmp_path, extra_vars=FAST, check=True)
    assert "Find out which components differ" in check.stdout and table_result(check, good) == "would change"
    assert not audit_dir.exists() and file_version(good) == "1.0.0.0"
    t0 = time.monotonic()
    run = run_playbook(playbook, inventory, tmp_path, extra_vars=FAST)
    out = run.stdout
    assert run.rc != 0, out[-3000:]
    assert "Find out which components differ" not in out and "(capacity floor)" not in out
    rows = recap(run)
    assert rows[good.name]["changed"] == 1 and rows[good.name]["failed"] == 0
    assert rows[failing.name]["failed"] == 1 and rows[down.name]["unreachable"] == 1, rows
    assert host_reads(lab, good, t0) == (1, 1)  # the update's own reading, once
    (record,) = audit(audit_dir, good)
    assert record["result"] == "changed" and record["drained_after"] is False
    (component,) = record["components"]
    # the page where the site's binding says it answers, as the module read it (no dry run, no base URL given)
    assert component["health_url"] == f"http://{good.config.ip}:{good.config.web_port}/Shop/"
    assert component["version_served"] == "2.0.0.0" and served_version(good) == "2.0.0.0"
    (record,) = audit(audit_dir, failing)
    # it needed an update and failed: left out of service, as after a dry run that found work
    assert record["result"] == "failed" and record["drained_after"] is True, record
    assert "stage" in record["failure"] and file_version(failing) == "1.0.0.0"
    (record,) = audit(audit_dir, down)
    assert record["result"] == "unreachable" and record["drained_after"] is False, record
    assert table_result(run, down) == "unreachable"


def test_include_role_with_drain_tasks_as_include_vars_drains_and_undrains_without_the_callback(
    lab, lab_host, lab_inventory, tmp_path
):
    # The drain steps are chosen when the role is loaded; include_role loads it with the include's vars. The
    # second host cannot be reached: the play's ignore_unreachable lets it go on to the play's next task.
    host, down = lab_host(fleet_index=1), lab_host(fleet_index=3)
    down.set_faults(wsman_down=True)
    tasks = REPO / "playbooks" / "tasks"
    audit_dir = tmp_path / "audit"
    playbook = play_file(
        tmp_path / "include_role.yml",
        {
            "name": "The role through include_role",
            "hosts": "all",
            "gather_facts": False,
            "ignore_unreachable": True,
            "tasks": [
                {
                    "name": "Run the role",
                    "ansible.builtin.include_role": {"name": "legacy_iis.iis4.component_update"},
                    "vars": {
                        "component_update_components": [SHOP_COMPONENT],
                        "component_update_health_base_url": "{{ lab_web_url }}",
                        "component_update_drain_tasks": str(tasks / "drain_example.yml"),
                        "component_update_undrain_tasks": str(tasks / "undrain_example.yml"),
                        "component_update_max_drained": "100%",
                        "component_update_audit_dir": str(audit_dir),
                    },
                },
                {
                    "name": "After the role",
                    "ansible.builtin.debug": {"msg": "after the role: {{ inventory_hostname }}"},
                },
            ],
        },
    )
    # without the rollout_summary callback: the role works and writes its audit records
    run = run_playbook(
        playbook, lab_inventory(host, down), tmp_path, extra_vars=FAST, env={"ANSIBLE_CALLBACKS_ENABLED": ""}
    )
    out = run.stdout
    assert run.rc == 0, out[-3000:]
    assert f"example drain: {host.name}" in out and f"example undrain: {host.name}" in out
    assert served_version(host) == "2.0.0.0"
    assert f"after the role: {down.name}" in out, out[-3000:]
    assert "ROLLOUT SUMMARY" not in out
    # the reason is shown where it happens, not censored
    assert "Unknown error" not in out and "cannot reach" in out
    assert [r["result"] for r in audit(audit_dir, host)] == ["changed"]
    assert [r["result"] for r in audit(audit_dir, down)] == ["unreachable"]
    assert recap(run)[down.name]["failed"] == 0


def test_a_canary_whose_dry_run_fails_is_reported_with_its_reason(lab, lab_host, lab_inventory, tmp_path):
    # A batch of one whose dry run fails never reaches the capacity floor: the rescue must still report it.
    host = lab_host(fleet_index=1)
    audit_dir = tmp_path / "audit"
    missing = {**SHOP_COMPONENT, "src": "C:\\Staging\\Missing.dll"}
    run = rollout(lab_inventory(host), tmp_path, audit_dir, rollout_serial=[1], component_update_components=[missing])
    assert run.rc != 0
    assert "is undefined" not in run.stdout + run.stderr, run.stdout[-4000:]
    assert recap(run)[host.name]["failed"] == 1
    (record,) = audit(audit_dir, host)
    assert record["result"] == "failed" and "Missing.dll" in record["failure"], record["failure"]
    assert record["drained_after"] is False
    assert table_result(run, host) == "failed"


def test_a_revert_rollout_serves_the_previous_version_and_a_rerun_changes_nothing(
    lab, lab_host, lab_inventory, tmp_path
):
    """component_update_state: reverted (issue 23): after an update, the same rollout puts the previous version back
    on every host by each host's own release, names the backup in the audit record, and a rerun changes nothing."""
    hosts = [lab_host(fleet_index=i) for i in range(2)]
    inv = lab_inventory(*hosts)
    audit_dir = tmp_path / "audit"
    first = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 1])
    assert first.rc == 0, first.stdout + first.stderr
    assert {served_version(h) for h in hosts} == {"2.0.0.0"}
    running = {h.name: h.machine.scm.states() for h in hosts}

    revert = {"component_update_state": "reverted", "rollout_revert_expect": r"version=1\.0\.0\.0"}
    back = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 1], **revert)
    assert back.rc == 0, back.stdout + back.stderr
    for host in hosts:
        assert served_version(host) == file_version(host) == "1.0.0.0"
        assert host.machine.scm.states() == running[host.name]
        updated, reverted = audit(audit_dir, host)
        assert reverted["result"] == "changed" and reverted["method"] == updated["method"]
        assert reverted["components"][0]["restored_backup"] == updated["components"][0]["backup_file"]
        assert reverted["components"][0]["version_served"] == "1.0.0.0"

    t0 = time.monotonic()
    again = rollout(inv, tmp_path, audit_dir, rollout_serial=[1, 1], **revert)
    assert again.rc == 0, again.stdout + again.stderr
    assert all(row["changed"] == 0 for row in recap(again).values()), recap(again)
    for host in hosts:
        assert service_changes(lab, host, t0) == []
        assert served_version(host) == "1.0.0.0"


def test_the_health_check_goes_where_the_sites_binding_says_and_a_refused_one_fails_fast(
    lab, lab_host, lab_inventory, tmp_path
):
    from tests.lab.machine.config import default_host

    # The lab serves site 1 on port 8080 and its ServerBindings say so (":8080:"); the playbook sets no base URL.
    good = lab_host(fleet_index=1)
    # A site bound to one address the controller cannot reach: nothing listens there (connection refused).
    unreachable_site = default_host(3, "127.0.0.2")
    unreachable_site.sites[0].bindings = [f"127.254.254.254:{unreachable_site.web_port}:"]
    bad = lab_host(unreachable_site)
    inv = lab_inventory(good, bad)
    audit_dir = tmp_path / "audit"
    run = rollout(
        inv,
        tmp_path,
        audit_dir,
        rollout_serial=[2],
        component_update_max_drained="100%",
        component_update_health_retries=5,
    )
    assert run.rc != 0, run.stdout[-3000:]
    records = audit(audit_dir, good)
    assert len(records) == 1, run.stdout[-4000:] + run.stderr[-2000:]
    record = records[0]
    assert record["result"] == "changed", record
    assert record["components"][0]["health_url"] == f"http://{good.config.ip}:{good.config.web_port}/Shop/"
    assert record["components"][0]["version_served"] == "2.0.0.0"
    (failed,) = audit(audit_dir, bad)
    assert failed["result"] == "rolled back"
    assert failed["components"][0]["health_url"] == f"http://127.254.254.254:{bad.config.web_port}/Shop/"
    # refused: given up after one retry of the five allowed, naming what to set
    assert "nothing listens at 127.254.254.254:8080 (connection refused)" in failed["failure"]
    assert "component_update_health_base_url" in failed["failure"]
    assert "after 2 attempts" in failed["failure"]
    assert file_version(bad) == "1.0.0.0"

"""What AWX / automation controller runs: ansible-runner, here with job slicing (issue 14).

A job template with a slice count of N runs N jobs at once, each on every N-th host of the inventory, each
with the playbook's own ``serial``, canary and capacity floor.  The test runs playbooks/update_component.yml
as two slices at once under ansible-runner against four lab hosts, and the same playbook as one plain
ansible-runner job against four hosts of the same kinds, and checks that every host ends up the same way:
the same per-host result (method, isolation, outcome, version served) and an audit record per host.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import ansible_runner  # a dev requirement: a missing runner fails the test, it is not skipped
import pytest

from tests.ansible_env import BIN, REPO, ansible_env
from tests.integration.role.test_component_update_role import FAST, served_version

pytestmark = [pytest.mark.lab, pytest.mark.slow, pytest.mark.timeout(600)]

PLAYBOOK = REPO / "playbooks" / "update_component.yml"
#: What must be the same for a host of the same kind, sliced or not (times and stamps differ).
COMPARED = ("result", "isolation", "method")
COMPARED_COMPONENT = ("dest_holds", "changed", "rolled_back")


def slice_of(hosts: list[Any], index: int, count: int) -> list[Any]:
    """AWX's slicing: slice ``index`` (1-based) of ``count`` gets every ``count``-th host, starting at index."""
    return hosts[index - 1 :: count]


def run_job(name: str, hosts: list[Any], lab: Any, base: Path, audit: Path) -> Any:
    """One ansible-runner job over ``hosts`` (its own private data dir and inventory, as AWX gives each slice)."""
    private = base / name
    (private / "inventory").mkdir(parents=True)
    lab.write_inventory(private / "inventory" / "hosts.yml", hosts=hosts)
    env = {k: v for k, v in ansible_env(private).items() if k.startswith("ANSIBLE_")}
    env["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"  # the venv's ansible-playbook, as in an EE
    return ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(PLAYBOOK.parent),
        playbook=PLAYBOOK.name,
        extravars={
            **FAST,
            "rollout_hosts": "all",
            "rollout_audit_dir": str(audit),
            # Each slice applies the floor to its own hosts: as a percentage it holds for the whole fleet too.
            "component_update_max_drained": "50%",
        },
        envvars=env,
        quiet=True,
        timeout=500,
    )


def event_host(event: dict[str, Any]) -> str | None:
    """The host a runner event is about, read as AWX reads it: only events with ``event_data`` name a host.

    Lines a run prints outside Ansible's callbacks (a Python warning on stderr at start-up, say) arrive as
    ``verbose`` events with no ``event_data`` at all.
    """
    return (event.get("event_data") or {}).get("host")


def outcomes(audit: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for path in sorted(audit.glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        found[record["host"]] = record
    return found


def per_kind(records: dict[str, dict[str, Any]], hosts: list[Any]) -> list[dict[str, Any]]:
    """The compared fields of each host's audit record, in fleet order (the kind of host is its position)."""
    rows = []
    for host in hosts:
        rec = records[host.name]
        comp = (rec.get("components") or [{}])[0]
        rows.append({**{k: rec.get(k) for k in COMPARED}, **{k: comp.get(k) for k in COMPARED_COMPONENT}})
    return rows


def test_sliced_run_under_ansible_runner_matches_a_plain_run(lab, lab_host, tmp_path):
    sliced_hosts = [lab_host(fleet_index=i) for i in range(4)]
    plain_hosts = [lab_host(fleet_index=i) for i in range(4)]
    sliced_audit, plain_audit = tmp_path / "audit-sliced", tmp_path / "audit-plain"

    runs: dict[str, Any] = {}

    def job(name: str, hosts: list[Any], audit: Path) -> None:
        runs[name] = run_job(name, hosts, lab, tmp_path, audit)

    threads = [
        threading.Thread(target=job, args=(f"slice{i}", slice_of(sliced_hosts, i, 2), sliced_audit)) for i in (1, 2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    job("plain", plain_hosts, plain_audit)

    for name, run in runs.items():
        assert run.status == "successful" and run.rc == 0, (name, run.status, run.stdout.read()[-3000:])
    # Each slice job's own events name only its hosts, and every host ran the update task.
    for i in (1, 2):
        names = {h.name for h in slice_of(sliced_hosts, i, 2)}
        seen = {host for e in runs[f"slice{i}"].events if (host := event_host(e))}
        assert seen == names, (i, seen)
    sliced, plain = outcomes(sliced_audit), outcomes(plain_audit)
    assert set(sliced) == {h.name for h in sliced_hosts} and set(plain) == {h.name for h in plain_hosts}
    assert per_kind(sliced, sliced_hosts) == per_kind(plain, plain_hosts)
    assert all(served_version(h) == "2.0.0.0" for h in sliced_hosts + plain_hosts)
    # AWX reads the role's set_stats from the runner artifacts of each slice.
    for name in ("slice1", "slice2", "plain"):
        artifacts = Path(runs[name].config.artifact_dir)
        assert (artifacts / "job_events").is_dir()
    # The audit directories hold one JSON object per host and nothing else (outcomes() parsed each with json).
    for audit, hosts in ((sliced_audit, sliced_hosts), (plain_audit, plain_hosts)):
        files = sorted(p.name for p in audit.iterdir())
        assert len(files) == len(hosts) and all(f.endswith(".json") for f in files), files
        assert all(isinstance(json.loads(p.read_text(encoding="utf-8")), dict) for p in audit.iterdir())


def test_event_host_skips_events_without_event_data():
    # What ansible-runner hands over for a warning ansible-core prints on stderr at start-up (a newer
    # cryptography's deprecation warning, say): a verbose event with the line and no event_data.
    verbose = {"uuid": "0", "counter": 1, "stdout": "CryptographyDeprecationWarning: ...", "event": "verbose"}
    ok = {"uuid": "1", "counter": 9, "event": "runner_on_ok", "event_data": {"host": "web1", "task": "update"}}
    start = {"uuid": "2", "counter": 2, "event": "playbook_on_start", "event_data": {"playbook": "x.yml"}}
    assert [event_host(e) for e in (verbose, ok, start)] == [None, "web1", None]


def test_a_check_job_shows_what_would_change_and_a_host_down_is_dark(lab, lab_host, tmp_path):
    # What an AWX Check job of the template runs: --check --diff. The first host would change; the second cannot
    # be reached, which AWX must show as unreachable (the runner's "dark"), not as failed.
    hosts = [lab_host(fleet_index=0), lab_host(fleet_index=1)]
    hosts[1].set_faults(wsman_down=True)
    private = tmp_path / "job"
    (private / "inventory").mkdir(parents=True)
    lab.write_inventory(private / "inventory" / "hosts.yml", hosts=hosts)
    env = {k: v for k, v in ansible_env(private).items() if k.startswith("ANSIBLE_")}
    env["PATH"] = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    env.pop("ANSIBLE_CALLBACKS_ENABLED")  # the role does not need the callback
    run = ansible_runner.run(
        private_data_dir=str(private),
        project_dir=str(PLAYBOOK.parent),
        playbook=PLAYBOOK.name,
        cmdline="--check --diff",
        extravars={**FAST, "rollout_hosts": "all", "rollout_audit_dir": str(tmp_path / "audit")},
        envvars=env,
        quiet=True,
        timeout=300,
    )
    text = run.stdout.read()
    stats = run.stats or {}
    assert set(stats.get("dark") or {}) == {hosts[1].name}, (stats, text[-3000:])
    assert hosts[1].name not in (stats.get("failures") or {}) and hosts[1].name not in (stats.get("rescued") or {})
    assert hosts[0].name in (stats.get("changed") or {}), stats
    changed = [
        e["event_data"]["res"]
        for e in run.events
        if e["event"] == "runner_on_ok" and event_host(e) == hosts[0].name
        if e["event_data"].get("res", {}).get("changed")
    ]
    assert [e for e in run.events if e["event"] == "warning"] == [], text[-3000:]
    assert changed, text[-3000:]
    preview = "".join(d.get("prepared", "") for res in changed for d in res.get("diff") or [])
    assert "would be replaced" in preview and "iisadmin" in preview.lower(), changed
    assert not (tmp_path / "audit").exists()  # a check job writes no audit record
    assert served_version(hosts[0]) == "1.0.0.0"

"""Faults that are about Ansible itself, through the real ``ansible`` / ``ansible-playbook`` commands.

Passwords never in any output (``-vvv``, the log file, results, the step timeline, the lab's own event log);
wrong credentials, an untrusted certificate, validation on by default, Basic over HTTP refused unless
allowed; the ad-hoc failure message; and the controller SIGKILLed while IIS is down on the host.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ansible_env import BIN, ansible_env, collections_path
from tests.integration.ansible_helpers import run_adhoc
from tests.integration.faults import harness as h
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import dll_version, make_dll

pytestmark = [pytest.mark.lab, pytest.mark.timeout(240)]

ARGS = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": "/Shop", "timeout": 10}


def write_inventory(path: Path, host: Any, scheme: str = "http", **changes: Any) -> Path:
    """An inventory for one lab host; ``changes`` override (value None removes) host variables."""
    hostvars = host.inventory_vars(scheme)
    for key, value in changes.items():
        if value is None:
            hostvars.pop(key, None)
        else:
            hostvars[key] = value
    data = {"all": {"children": {"iis4": {"hosts": {host.name: hostvars}}}}}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def commands_on(host: Any, since: float) -> int:
    events = host.lab.log.events(host=host.name, kind="http", since=since)
    return sum(1 for e in events if e.detail.get("action") == "Command")


def requests_on(host: Any, since: float) -> int:
    return len(host.lab.log.events(host=host.name, kind="http", since=since))


def lab_text(host: Any, since: float) -> str:
    """Everything the lab logged for the host (command lines, requests) as one text."""
    return json.dumps([e.detail for e in host.lab.log.events(host=host.name, since=since)], default=str)


def result_of(run: Any, host: Any) -> dict[str, Any]:
    res = dict(run.results.get(host.name) or {})
    # The tree callback leaves "failed" out of its records; the exit code carries it.
    res["failed"] = run.rc != 0
    return res


def row(what: str, outcome: str, msg: str, violations: list[str], checked: tuple[str, ...]) -> dict[str, Any]:
    return {"what": what, "outcome": outcome, "msg": msg, "violations": violations, "checked": checked, "defect": None}


# ------------------------------------------------------------------------------------------------------
# Secrets


def _password_hunt(password: str, texts: dict[str, str]) -> list[str]:
    return [f"the password appears in {where}" for where, text in texts.items() if password in text]


@pytest.mark.parametrize("outcome", ["success", "failure"])
def test_password_never_in_output(outcome: str, lab_host: Any, tmp_path: Path, matrix_record: Any) -> None:
    host = lab_host(fleet_index=0)
    h.served_version(host)
    if outcome == "failure":
        host.set_faults(fail_start={"W3SVC": "noreport"})  # the failure path carries the host's output back
    password = host.password
    logfile = tmp_path / "ansible.log"
    t0 = time.monotonic()
    inventory = write_inventory(tmp_path / "inv.yml", host)
    args = {**ARGS, "timeout": 5}  # the failure path waits for W3SVC to start: the shortest timeout will do
    run = run_adhoc(inventory, host.name, args, tmp_path, verbosity=3, env={"ANSIBLE_LOG_PATH": str(logfile)})
    res = result_of(run, host)
    texts = {
        "-vvv stdout": run.stdout,
        "stderr": run.stderr,
        "the result": json.dumps(run.results),
        "the step timeline": json.dumps(res.get("steps", [])),
        "the Ansible log file": logfile.read_text(encoding="utf-8", errors="replace") if logfile.exists() else "",
        "the host's event log": lab_text(host, t0),
    }
    violations = _password_hunt(password, texts)
    if not logfile.exists() or not logfile.stat().st_size:
        violations.append("test: the Ansible log file was not written")
    if "iis4_component: gather: done in" not in run.stdout:
        violations.append("test: -vvv output does not show the step timeline")
    if (run.rc == 0) != (outcome == "success"):
        violations.append(f"test: expected {outcome}, rc={run.rc}: {res.get('msg')}")
    matrix_record(
        "ansible",
        f"password-not-in-vvv-{outcome}",
        row(
            f"password never in -vvv output, log or result ({outcome})",
            "succeeded" if run.rc == 0 else f"failed at step {res.get('step')}",
            res.get("msg", ""),
            violations,
            ("3",),
        ),
    )
    assert not violations, violations


def test_wrong_credentials(lab_host: Any, tmp_path: Path, matrix_record: Any) -> None:
    host = lab_host(fleet_index=1)
    h.served_version(host)
    before = h.capture(host)
    wrong = "Not-The-Passw0rd"  # noqa: S105 - a deliberately wrong lab credential
    t0 = time.monotonic()
    run = run_adhoc(
        write_inventory(tmp_path / "inv.yml", host, ansible_password=wrong), host.name, ARGS, tmp_path, verbosity=3
    )
    res = result_of(run, host)
    msg = str(res.get("msg") or "")
    violations = h.check_invariants(host, before, res, before.old_bytes, before.new_bytes)
    if run.rc == 0 or res.get("step") != "connect" or "refused the credentials" not in msg:
        violations.append(f"3: expected a refusal of the credentials at step connect, got: {msg!r}")
    if commands_on(host, t0):
        violations.append("a command ran on the host with wrong credentials")
    violations += _password_hunt(wrong, {"-vvv output": run.stdout + run.stderr, "the result": json.dumps(res)})
    matrix_record(
        "ansible",
        "wrong-credentials",
        row("wrong credentials", f"failed at step {res.get('step')}", msg, violations, ("1", "2", "3", "5")),
    )
    assert not violations, violations


@pytest.mark.parametrize("variant", ["cert-untrusted", "cert-validation-default"])
def test_https_certificate_is_validated(
    variant: str, lab: Any, lab_host: Any, tmp_path: Path, matrix_record: Any
) -> None:
    host = lab_host(fleet_index=1)
    h.served_version(host)
    before = h.capture(host)
    if variant == "cert-untrusted":
        # A CA bundle that does not hold the lab CA: the host's certificate cannot be trusted.
        from tests.lab.wire.certs import LabCA

        other = LabCA().write_ca(tmp_path / "other-ca.pem")
        changes = {"ansible_winrm_ca_trust_path": str(other)}
    else:
        # No CA and no validation setting at all: validation must still be on.
        changes = {"ansible_winrm_ca_trust_path": None, "ansible_winrm_server_cert_validation": None}
    inv = write_inventory(tmp_path / "inv.yml", host, scheme="https", **changes)
    t0 = time.monotonic()
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = result_of(run, host)
    msg = str(res.get("msg") or "")
    violations = h.check_invariants(host, before, res, before.old_bytes, before.new_bytes)
    if run.rc == 0 or res.get("error_kind") != "certificate" or "not trusted" not in msg:
        violations.append(f"3: expected 'certificate not trusted' at step connect, got: {msg!r}")
    if commands_on(host, t0):
        violations.append("a command ran over a connection whose certificate was not trusted")
    what = "HTTPS certificate not trusted" if variant == "cert-untrusted" else "certificate validation on by default"
    matrix_record(
        "ansible", variant, row(what, f"failed at step {res.get('step')}", msg, violations, ("1", "2", "3", "5"))
    )
    assert not violations, violations


def test_basic_over_http_is_refused_unless_allowed(lab_host: Any, tmp_path: Path, matrix_record: Any) -> None:
    host = lab_host(fleet_index=1, allow_unencrypted=True)  # the host would accept it: the refusal is ours
    h.served_version(host)
    before = h.capture(host)
    t0 = time.monotonic()
    inv = write_inventory(tmp_path / "inv.yml", host, ansible_winrm_transport="basic")
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = result_of(run, host)
    msg = str(res.get("msg") or "")
    violations = h.check_invariants(host, before, res, before.old_bytes, before.new_bytes)
    if run.rc == 0 or res.get("error_kind") != "insecure" or "plain HTTP" not in msg:
        violations.append(f"3: expected a refusal of Basic over plain HTTP, got: {msg!r}")
    if requests_on(host, t0):
        violations.append("credentials were sent: the host saw WS-Management requests")
    matrix_record(
        "ansible",
        "basic-http-refused",
        row(
            "Basic over HTTP refused unless allowed",
            f"failed at step {res.get('step')}",
            msg,
            violations,
            ("1", "2", "3", "5"),
        ),
    )
    assert not violations, violations

    inv = write_inventory(
        tmp_path / "inv2.yml", host, ansible_winrm_transport="basic", ansible_winrm_allow_unencrypted=True
    )
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = result_of(run, host)
    violations = h.check_invariants(host, before, res, before.old_bytes, before.new_bytes)
    if run.rc != 0:
        violations.append(f"explicitly allowed Basic over HTTP failed: {res.get('msg')!r}")
    matrix_record(
        "ansible",
        "basic-http-allowed",
        row(
            "Basic over HTTP when explicitly allowed",
            "succeeded" if run.rc == 0 else "failed",
            res.get("msg", ""),
            violations,
            ("1", "2", "3", "5"),
        ),
    )
    assert not violations, violations


def test_adhoc_failure_message(lab_host: Any, tmp_path: Path, matrix_record: Any) -> None:
    """What a user sees on the terminal when a step fails: the step, the host's words, the state now."""
    host = lab_host(fleet_index=0)
    h.served_version(host)
    before = h.capture(host)
    host.set_faults(foreign_locks=[SHOP_DLL])
    run = run_adhoc(write_inventory(tmp_path / "inv.yml", host), host.name, ARGS, tmp_path)
    res = result_of(run, host)
    violations = h.check_invariants(host, before, res, before.old_bytes, before.new_bytes)
    shown = run.stdout + run.stderr
    for needle in ("FAILED", "step stop failed", "being used by another process", "old DLL"):
        if needle not in shown:
            violations.append(f"3: the terminal output does not show {needle!r}")
    if "Traceback" in shown:
        violations.append("3: the terminal output shows a stack trace")
    matrix_record(
        "ansible",
        "adhoc-failure-message",
        row(
            "ad-hoc failure names step, host answer and state",
            f"failed at step {res.get('step')}",
            res.get("msg", ""),
            violations,
            ("1", "2", "3", "5"),
        ),
    )
    assert not violations, violations


# ------------------------------------------------------------------------------------------------------
# The controller dies while IIS is down


PLAYBOOK = """\
- name: Update the shop component
  hosts: iis4
  gather_facts: false
  tasks:
    - name: Replace ShopCart.dll
      legacy_iis.iis4.iis4_component:
        src: '{src}'
        dest: '{dest}'
        application: /Shop
        timeout: 10
"""


def _playbook_env(workdir: Path, tree: Path) -> dict[str, str]:
    env = ansible_env(workdir)
    env.update(ANSIBLE_CALLBACKS_ENABLED="ansible.builtin.tree", ANSIBLE_CALLBACK_TREE_DIR=str(tree))
    return env


def _playbook_until_outage(
    host: Any, tmp_path: Path, interrupt: Callable[[subprocess.Popen[bytes]], None]
) -> tuple[list[str], subprocess.Popen[bytes], bool, bytes]:
    """Run the update playbook against ``host`` and call ``interrupt(proc)`` once IIS Admin is down; returns the
    command (for a rerun), the ended process, whether IIS went down, and what ansible-playbook printed."""
    playbook = tmp_path / "update.yml"
    playbook.write_text(PLAYBOOK.format(src=STAGED_DLL, dest=SHOP_DLL), encoding="utf-8")
    inv = write_inventory(tmp_path / "inv.yml", host)
    down = threading.Event()
    cmd = [str(BIN / "ansible-playbook"), str(playbook), "-i", str(inv)]
    output = b""
    with h.Trigger(host, "IISADMIN", "STOPPED", action=lambda _h: down.set()):
        proc = subprocess.Popen(  # noqa: S603 - our own command line
            cmd,
            stdin=subprocess.DEVNULL,
            env=_playbook_env(tmp_path, tmp_path / "tree1"),
            cwd=tmp_path,
            start_new_session=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            fired = down.wait(timeout=120)
            if fired:
                interrupt(proc)
            output = proc.communicate(timeout=90)[0]
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate(timeout=30)
    return cmd, proc, fired, output


def _rerun(cmd: list[str], tmp_path: Path, host: Any) -> dict[str, Any]:
    """The same playbook once more; its result for ``host`` (from the tree callback), ``failed`` from the exit."""
    tree = tmp_path / "tree2"
    rerun = subprocess.run(  # noqa: S603 - our own command line
        cmd,
        stdin=subprocess.DEVNULL,
        env=_playbook_env(tmp_path, tree),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    res = json.loads((tree / host.name).read_text(encoding="utf-8")) if (tree / host.name).exists() else {}
    res["failed"] = rerun.returncode != 0
    res["_stdout"] = rerun.stdout[-3000:]
    return res


@pytest.mark.parametrize(
    "at_once",
    [
        pytest.param(False, id="rerun-after-host-settled"),
        pytest.param(True, id="rerun-at-once"),
    ],
)
def test_killed_controller_then_one_rerun(at_once: bool, lab_host: Any, tmp_path: Path, matrix_record: Any) -> None:
    """SIGKILL ansible-playbook (its whole process group: the controller machine dies) while IIS is stopped on
    the host, then run the same playbook once: the host must end up fully serving the new DLL.

    ``at_once``: the rerun starts straight away, while the host is still running the outage line it was
    given (slow service starts make sure of the overlap); otherwise the rerun waits until the host is idle.
    """
    # at_once: IIS Admin takes 8 s to start, so the rerun (Ansible needs a few seconds to get going) lands while
    # the killed run's line is still starting it (checked below from the lab's log).
    timing: dict[str, Any] = {"default_stop": 0.2, "default_start": 0.4, "net_give_up": 2.0}
    if at_once:
        timing["service_start"] = {"IISADMIN": 8.0}
    host = lab_host(fleet_index=0, timing=timing)
    before = h.capture(host)
    before.served = h.served_version(host)
    cmd, proc, fired, _output = _playbook_until_outage(host, tmp_path, lambda p: os.killpg(p.pid, signal.SIGKILL))
    assert fired, "IIS never went down: the playbook did not get to the outage"
    assert proc.returncode == -signal.SIGKILL, f"ansible-playbook ended on its own (rc {proc.returncode})"
    killed_at = time.monotonic()
    record_at_kill = h.record_present(host)
    if not at_once:
        assert h.wait_quiet(host), "the host did not finish the outage line on its own"
    rerun_started = time.monotonic()
    res = _rerun(cmd, tmp_path, host)
    rerun_stdout = res.pop("_stdout")
    assert h.wait_quiet(host)
    violations = h.check_converged(host, before, res, before.new_bytes)
    if at_once:
        # The rerun's first WS-Management request reached the host before IIS Admin was running again.
        log = host.lab.log
        first = min((e.t for e in log.events(host=host.name, kind="http", since=rerun_started)), default=None)
        up = [
            e.t
            for e in log.events(host=host.name, kind="service", since=killed_at)
            if e.detail.get("name") == "IISADMIN" and e.detail.get("new") == h.RUNNING
        ]
        if first is None or not up or first >= up[0]:
            violations.append("test: the rerun did not reach the host while the killed run's line was starting IIS")
    if h.read_file(host, SHOP_DLL) not in (before.old_bytes, before.new_bytes):
        violations.append("1: dest is neither DLL after the rerun")
    outcome = "failed at step " + str(res.get("step")) if res["failed"] else "succeeded"
    if res.get("recovered"):
        outcome = "recovered, " + outcome
    case_id = "killed-controller-rerun-at-once" if at_once else "killed-controller"
    when = "at once" if at_once else "after the host finished the line on its own"
    matrix_record(
        "ansible",
        case_id,
        {
            **row(
                f"ansible-playbook SIGKILLed while IIS is down, one rerun {when}",
                f"killed; state record {'present' if record_at_kill else 'absent'} on the host; rerun {outcome}",
                res.get("msg", ""),
                violations,
                ("1", "4", "5"),
            ),
            "defect": None,
        },
    )
    assert not violations, [*violations, rerun_stdout]


@pytest.mark.parametrize(
    ("signum", "group"),
    [
        pytest.param(signal.SIGINT, True, id="sigint-ctrl-c"),
        pytest.param(signal.SIGTERM, False, id="sigterm-awx-cancel"),
        pytest.param(signal.SIGTERM, True, id="sigterm-process-group"),
    ],
)
def test_interrupted_controller_leaves_iis_to_come_back(
    signum: int, group: bool, lab_host: Any, tmp_path: Path, matrix_record: Any
) -> None:
    """Ctrl-C (SIGINT to the foreground process group) or a cancel (SIGTERM) while IIS is down: Ansible ends,
    but the module must not delete its WinRS shell, since a WS-Man Delete ends the outage line at once
    (MS-WSMV 3.1.4.4.1, which the lab models). IIS comes back on its own, and a rerun finds a clean host."""
    timing: dict[str, Any] = {"default_stop": 0.2, "default_start": 0.4, "service_start": {"IISADMIN": 3.0}}
    host = lab_host(fleet_index=0, timing=timing)
    before = h.capture(host)
    before.served = h.served_version(host)
    running_before = {s for s, v in h.iis_states(host).items() if v == h.RUNNING}

    def interrupt(proc: subprocess.Popen[bytes]) -> None:
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)

    cmd, proc, fired, output = _playbook_until_outage(host, tmp_path, interrupt)
    assert fired, "IIS never went down: the playbook did not get to the outage"
    assert h.wait_quiet(host), "the host did not finish the outage line on its own"
    violations = []
    running_now = {s for s, v in h.iis_states(host).items() if v == h.RUNNING}
    if running_now != running_before:
        violations.append(f"2: after the interruption {sorted(running_before - running_now)} stayed down")
    shells_cut = [
        e.detail.get("line", "")[:80]
        for e in host.lab.log.events(host=host.name, kind="shell")
        if e.detail.get("event") == "command_terminated"
    ]
    if shells_cut:
        violations.append(f"2: a command was terminated on the host: {shells_cut[:2]}")
    res = _rerun(cmd, tmp_path, host)
    rerun_stdout = res.pop("_stdout")
    assert h.wait_quiet(host)
    violations += h.check_converged(host, before, res, before.new_bytes)
    name = {signal.SIGINT: "SIGINT"}.get(signum, "SIGTERM") + (
        " to the process group" if group else " to ansible-playbook"
    )
    matrix_record(
        "ansible",
        f"interrupted-controller-{'sigint' if signum == signal.SIGINT else 'sigterm'}{'-group' if group else ''}",
        {
            **row(
                f"{name} while IIS is down, then one rerun",
                f"interrupted (exit {proc.returncode}); IIS {'came back' if running_now == running_before else 'DOWN'}"
                f" on its own; rerun {'failed' if res['failed'] else 'succeeded'}",
                res.get("msg", ""),
                violations,
                ("2", "4", "5"),
            ),
            "defect": None,
        },
    )
    assert not violations, [*violations, output[-2000:].decode("cp437", "replace"), rerun_stdout]


MODULE_CHILD = """
import json, signal, sys
# As in a terminal: a background or CI shell starts children with SIGINT ignored, which Python then keeps.
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.path.insert(0, sys.argv[1])
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
options, args = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps(run_update(args, WinRMRunner(ConnectionOptions(**options))), default=str))
"""


@pytest.mark.parametrize("transport", ["basic-https", "ntlm-http"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupted_module_never_deletes_a_shell_whose_outage_runs(signum: int, transport: str, lab_host: Any) -> None:
    """The module's own process interrupted during the outage (KeyboardInterrupt runs every ``finally``; SIGTERM
    ends it at once): no WS-Man Delete may reach the host while the outage line runs, so IIS comes back.

    Over Basic/HTTPS a Delete sent from a ``finally`` would get through on a fresh connection (with NTLM message
    encryption the interrupted connection's security context is lost, so it usually cannot)."""
    host = lab_host(
        fleet_index=0, timing={"default_stop": 0.2, "default_start": 0.4, "service_start": {"IISADMIN": 3.0}}
    )
    running_before = {s for s, v in h.iis_states(host).items() if v == h.RUNNING}
    options = {"host": host.ip, "port": 5985, "user": host.username, "password": host.password}
    if transport == "basic-https":
        options.update(port=5986, scheme="https", transport="basic", ca_trust_path=str(host.lab.ca_path))
    cmd = [sys.executable, "-c", MODULE_CHILD, str(collections_path()), json.dumps(options)]
    cmd.append(json.dumps(h.module_args(timeout=10)))
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603 - our own child

    def interrupt(_host: Any) -> None:
        if child.poll() is None:
            os.kill(child.pid, signum)

    with h.Trigger(host, "IISADMIN", "STOPPED", action=interrupt) as trigger:
        output, _stderr = child.communicate(timeout=120)
    assert trigger.fired, "IIS never went down"
    assert child.returncode != 0, f"the module was not interrupted: {output[-500:]!r}"
    assert h.wait_quiet(host), "the host did not finish the outage line on its own"
    cut = [
        e for e in host.lab.log.events(host=host.name, kind="shell") if e.detail.get("event") == "command_terminated"
    ]
    assert not cut, f"the outage line was terminated on the host: {cut[:1]}"
    running_now = {s for s, v in h.iis_states(host).items() if v == h.RUNNING}
    assert running_now == running_before, f"{sorted(running_before - running_now)} stayed down"
    again = h.run_module(host, h.module_args(timeout=10))
    assert not again.get("failed"), again.get("msg")
    assert h.served_version(host) == dll_version(h.read_file(host, STAGED_DLL)) == "2.0.0.0"


def test_make_dll_versions_differ() -> None:
    """The lab's old and new DLLs really differ, so byte-equality checks above mean something."""
    assert make_dll("ShopCart", "1.0.0.0", 24576) != make_dll("ShopCart", "2.0.0.0", 28672)

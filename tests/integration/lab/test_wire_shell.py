"""WinRS shell behaviour of lab hosts (Create/Command/Send/Receive/Signal/Delete), through the real pywinrm."""

from __future__ import annotations

import time

import pytest
from winrm.exceptions import WinRMTransportError, WSManFaultError

from tests.lab.wsman import (
    ERROR_WSMAN_OPERATION_TIMEDOUT,
    ERROR_WSMAN_QUOTA_MAX_SHELLS,
    ERROR_WSMAN_UNEXPECTED_SELECTORS,
)

from . import ScriptMachine

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]


@pytest.fixture
def host(lab_host):
    return lab_host(machine_factory=ScriptMachine)


def _receives(lab, host, since=None):
    events = lab.log.events(host=host.name, kind="http", since=since)
    return [e.detail for e in events if e.detail["action"] == "Receive"]


@pytest.mark.parametrize("code", [0, 1, 2, 255, 1326])
def test_exit_codes(host, winrm_session, code):
    assert winrm_session(host).run_cmd(f"exit {code}").status_code == code


def test_stdout_and_stderr(host, winrm_session):
    result = winrm_session(host).run_cmd("err", ["Access", "is", "denied."])
    assert (result.status_code, result.std_out, result.std_err) == (1, b"", b"Access is denied.\r\n")


def test_short_command_completes_in_one_receive(lab, host, winrm_session):
    since = time.monotonic()
    winrm_session(host).run_cmd("echo fast")
    receives = _receives(lab, host, since)
    assert len(receives) == 1 and receives[0]["status"] == 200


def test_stdin_via_send(host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    try:
        command = protocol.run_command(shell, "cat")
        protocol.send_command_input(shell, command, b"line one\r\n")
        protocol.send_command_input(shell, command, "line two\r\n", end=True)
        out, err, code = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert (out, err, code) == (b"line one\r\nline two\r\n", b"", 0)


def test_long_command_survives_operation_timeouts(lab, host, winrm_session):
    session = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3)
    since = time.monotonic()
    started = time.monotonic()
    result = session.run_cmd("sleep 2.5")
    elapsed = time.monotonic() - started
    assert result.status_code == 0
    assert elapsed >= 2.5
    timeouts = [r for r in _receives(lab, host, since) if r.get("fault_code") == ERROR_WSMAN_OPERATION_TIMEDOUT]
    assert len(timeouts) >= 2  # pywinrm retried silently


def test_output_trickle_is_streamed(host, winrm_session):
    protocol = winrm_session(host, operation_timeout_sec=5, read_timeout_sec=8).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "tick 3 0.3")
    chunks = []
    done = False
    while not done:
        out, _err, code, done = protocol.get_command_output_raw(shell, command)
        chunks.append(out)
    protocol.close_shell(shell)
    assert b"".join(chunks) == b"tick 0\r\ntick 1\r\ntick 2\r\n"
    assert len([c for c in chunks if c]) >= 2  # not held back until the end
    assert code == 0


def test_large_output_is_split_within_the_envelope(lab, host, winrm_session):
    since = time.monotonic()
    size = 400_000
    result = winrm_session(host).run_cmd(f"big {size}")
    assert len(result.std_out) == size
    assert result.std_out == bytes(48 + i % 10 for i in range(size))
    receives = _receives(lab, host, since)
    assert len(receives) >= 3
    assert all(r["bytes_out"] < 153600 + 1024 for r in receives)


@pytest.mark.parametrize("signal", ["ctrl_c", "terminate"])
def test_signal(host, winrm_session, signal):
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    command_id = protocol.run_command(shell, "sleep 30")
    if signal == "terminate":
        protocol.cleanup_command(shell, command_id)  # pywinrm sends the terminate signal
    else:
        import uuid

        import xmltodict

        req = {
            "env:Envelope": protocol.build_wsman_header(
                resource_uri="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
                action="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal",
                shell_id=shell,
                message_id=uuid.uuid4(),
            )
        }
        sig = req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Signal", {})
        sig["@CommandId"] = command_id
        sig["rsp:Code"] = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/signal/ctrl_c"
        protocol.send_message(xmltodict.unparse(req))
        out, err, code = protocol.get_command_output(shell, command_id)
        assert code == 130
    machine = host.machine
    deadline = time.monotonic() + 5
    while not machine.commands[-1].done and time.monotonic() < deadline:
        time.sleep(0.02)
    assert machine.commands[-1].signals == [signal]
    assert machine.commands[-1].done
    protocol.close_shell(shell)


def test_unknown_shell_fault(host, winrm_session):
    protocol = winrm_session(host).protocol
    with pytest.raises(WSManFaultError) as info:
        protocol.run_command("0B0D6F4C-0000-4000-8000-000000000000", "echo x")
    fault = info.value
    assert fault.code == 500
    assert fault.wsman_fault_code == ERROR_WSMAN_UNEXPECTED_SELECTORS
    assert fault.fault_subcode == "w:InvalidSelectors"
    assert "the shell was not found on the server" in fault.reason


def test_deleted_shell_is_gone(host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    protocol.close_shell(shell, close_session=False)
    with pytest.raises(WSManFaultError) as info:
        protocol.run_command(shell, "echo x")
    assert info.value.wsman_fault_code == ERROR_WSMAN_UNEXPECTED_SELECTORS


def test_max_shells_per_user(lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine, max_shells_per_user=2)
    protocol = winrm_session(host).protocol
    shells = [protocol.open_shell(), protocol.open_shell()]
    with pytest.raises(WSManFaultError) as info:
        protocol.open_shell()
    assert info.value.wsman_fault_code == ERROR_WSMAN_QUOTA_MAX_SHELLS
    assert info.value.fault_subcode == "w:QuotaLimit"
    assert "maximum number of 2 concurrent shells" in info.value.reason
    protocol.close_shell(shells.pop(), close_session=False)
    shells.append(protocol.open_shell())  # a slot is free again
    for shell in shells:
        protocol.close_shell(shell, close_session=False)


def test_envelope_size_limit(lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine, max_envelope_size=8192)
    session = winrm_session(host)
    assert session.run_cmd("echo small").status_code == 0
    with pytest.raises(WinRMTransportError) as info:
        session.run_cmd("echo " + "x" * 9000)
    assert info.value.code == 413  # as WinRM answers a request over MaxEnvelopeSizekb


def test_shell_idle_timeout(lab, lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine, shell_idle_timeout=0.3)
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "sleep 1")
    deadline = time.monotonic() + 5
    while shell.upper() in host.wsman.shells and time.monotonic() < deadline:
        time.sleep(0.05)
    with pytest.raises(WSManFaultError) as info:
        protocol.get_command_output(shell, command)
    assert info.value.wsman_fault_code == ERROR_WSMAN_UNEXPECTED_SELECTORS
    assert [e.detail["shell_id"] for e in lab.log.events(host=host.name, kind="shell")] == [shell.upper()]
    # The command itself goes on to completion on the machine.
    cmd = host.machine.commands[-1]
    deadline = time.monotonic() + 5
    while not cmd.done and time.monotonic() < deadline:
        time.sleep(0.05)
    assert cmd.done and cmd.exit_code == 0 and cmd.signals == []


def test_active_shell_does_not_expire_during_long_receive(lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine, shell_idle_timeout=0.5)
    session = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3)
    assert session.run_cmd("sleep 1.5").status_code == 0


def test_working_directory_and_environment_are_accepted(host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell(working_directory="C:\\InetPub", env_vars={"LAB": "1"})
    command = protocol.run_command(shell, "echo", ["ok"])
    assert protocol.get_command_output(shell, command) == (b"ok\r\n", b"", 0)
    protocol.close_shell(shell)


def test_request_latency_applies_per_request(lab, lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine, timing={"request_latency": 0.05})
    since = time.monotonic()
    started = time.monotonic()
    winrm_session(host).run_cmd("exit 0")
    elapsed = time.monotonic() - started
    requests = len(lab.log.events(host=host.name, kind="http", since=since))
    assert requests == 8  # 3 for NTLM, Create, Command, Receive, Signal, Delete
    assert elapsed >= 0.05 * requests

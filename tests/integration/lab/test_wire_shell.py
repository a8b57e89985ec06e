"""WinRS shell behaviour of lab hosts (Create/Command/Send/Receive/Signal/Delete), through the real pywinrm
and the real machine model (cmd.exe, net.exe, the service control manager)."""

from __future__ import annotations

import time
import uuid

import pytest
import xmltodict
from winrm.exceptions import WinRMTransportError, WSManFaultError

from tests.lab.harness.fixtures import wait_until
from tests.lab.wire.wsman import (
    CMD_RESOURCE,
    ERROR_WSMAN_OPERATION_TIMEDOUT,
    ERROR_WSMAN_QUOTA_MAX_SHELLS,
    ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE,
    ERROR_WSMAN_UNEXPECTED_SELECTORS,
    SHELL,
)

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

STATUS_CONTROL_C_EXIT = 0xC000013A
# W3SVC takes 3 s to stop and net.exe prints a dot every 1.2 s: silence longer than a 1 s OperationTimeout.
SLOW_STOP = {"service_stop": {"W3SVC": 3.0}, "net_poll": 1.2, "net_give_up": 10.0}


@pytest.fixture
def host(lab_host):
    return lab_host()


def _receives(lab, host, since=None):
    events = lab.log.events(host=host.name, kind="http", since=since)
    return [e.detail for e in events if e.detail["action"] == "Receive"]


def _signal(protocol, shell_id, command_id, code):
    req = {
        "env:Envelope": protocol.build_wsman_header(
            resource_uri=CMD_RESOURCE, action=SHELL + "/Signal", shell_id=shell_id, message_id=uuid.uuid4()
        )
    }
    sig = req["env:Envelope"].setdefault("env:Body", {}).setdefault("rsp:Signal", {})
    sig["@CommandId"] = command_id
    sig["rsp:Code"] = f"{SHELL}/signal/{code}"
    protocol.send_message(xmltodict.unparse(req))


@pytest.mark.parametrize("code", [0, 1, 2, 255, 1326])
def test_exit_codes(host, winrm_session, code):
    assert winrm_session(host).run_cmd(f"exit {code}").status_code == code


def test_stdout_and_stderr(host, winrm_session):
    result = winrm_session(host).run_cmd("echo", ["before", "&", "type", "C:\\nonexistent.txt"])
    assert result.std_out == b"before \r\n"
    assert result.std_err == b"The system cannot find the file specified.\r\n"
    assert result.status_code == 1


def test_short_command_completes_in_one_receive(lab, host, winrm_session):
    session = winrm_session(host)
    session.run_cmd("exit 0")  # warm up
    since = time.monotonic()
    assert session.run_cmd("echo fast").std_out == b"fast\r\n"
    receives = _receives(lab, host, since)
    assert len(receives) == 1 and receives[0]["status"] == 200


def test_stdin_via_send(host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    try:
        command = protocol.run_command(shell, "cmd")  # an interactive cmd.exe reads its commands from stdin
        protocol.send_command_input(shell, command, b"echo from stdin\r\n")
        protocol.send_command_input(shell, command, "exit 4\r\n", end=True)
        out, err, code = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert b">echo from stdin\r\nfrom stdin\r\n" in out
    assert (err, code) == (b"", 4)


def test_long_command_survives_operation_timeouts(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW_STOP)
    session = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3)
    since = time.monotonic()
    started = time.monotonic()
    result = session.run_cmd("net stop W3SVC")
    elapsed = time.monotonic() - started
    assert result.status_code == 0, result.std_err
    assert result.std_out.startswith(b"The World Wide Web Publishing Service service is stopping.")
    assert b"was stopped successfully" in result.std_out
    assert elapsed >= 3.0
    timeouts = [r for r in _receives(lab, host, since) if r.get("fault_code") == ERROR_WSMAN_OPERATION_TIMEDOUT]
    assert len(timeouts) >= 2  # pywinrm retried silently
    assert host.machine.service_states()["W3SVC"] == "STOPPED"


def test_output_is_streamed_while_the_command_runs(lab_host, winrm_session):
    host = lab_host(timing={"service_stop": {"W3SVC": 1.0}, "net_poll": 0.25, "net_give_up": 10.0})
    protocol = winrm_session(host, operation_timeout_sec=5, read_timeout_sec=8).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "net stop W3SVC")
    chunks = []
    done = False
    while not done:
        out, _err, code, done = protocol.get_command_output_raw(shell, command)
        chunks.append(out)
    protocol.close_shell(shell)
    assert code == 0
    assert len([c for c in chunks if c]) >= 3  # the dots arrive as net.exe prints them
    assert b"was stopped successfully" in b"".join(chunks)


def test_large_output_is_split_within_the_envelope(lab, host, winrm_session):
    line = b"0123456789" * 7 + b"\r\n"
    content = line * 5000  # 360,000 bytes
    host.machine.write_file("C:\\Temp\\big.txt", content)
    since = time.monotonic()
    result = winrm_session(host).run_cmd("type C:\\Temp\\big.txt")
    assert result.status_code == 0
    assert result.std_out == content
    receives = _receives(lab, host, since)
    assert len(receives) >= 3
    assert all(r["bytes_out"] < 153600 + 1024 for r in receives)


def test_signal_ctrl_c(lab_host, winrm_session):
    host = lab_host(timing=SLOW_STOP)
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "net stop W3SVC")
    time.sleep(0.3)
    _signal(protocol, shell, command, "ctrl_c")
    out, _err, code = protocol.get_command_output(shell, command)
    # net.exe gave up waiting at once: the line ended while W3SVC was still stopping (3 s), as the log shows
    (ended,) = [e for e in host.lab.log.events(host=host.name, kind="command") if "net stop" in e.detail["line"]]
    assert host.machine.scm.state("W3SVC") == "STOP_PENDING" or any(
        e.t > ended.t
        for e in host.lab.log.events(host=host.name, kind="service")
        if e.detail["name"] == "W3SVC" and e.detail["new"] == "STOPPED"
    )
    assert code == STATUS_CONTROL_C_EXIT
    assert out.startswith(b"The World Wide Web Publishing Service service is stopping")
    protocol.close_shell(shell)


def test_signal_terminate_ends_the_command(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW_STOP)
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "net stop W3SVC")
    time.sleep(0.3)
    protocol.cleanup_command(shell, command)  # pywinrm's terminate signal
    assert wait_until(
        lambda: any(e.detail.get("line") == "net stop W3SVC" for e in lab.log.events(host.name, "command"))
    )
    with pytest.raises(WSManFaultError) as info:  # the command is gone from the shell
        protocol.get_command_output_raw(shell, command)
    assert info.value.wsman_fault_code == ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE
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


def test_shells_are_private_to_their_host(lab_host, winrm_session):
    first, second = lab_host(), lab_host()
    shell = winrm_session(first).protocol.open_shell()
    with pytest.raises(WSManFaultError):
        winrm_session(second).protocol.run_command(shell, "echo x")


def test_max_shells_per_user(lab_host, winrm_session):
    host = lab_host(max_shells_per_user=2)
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
    host = lab_host(max_envelope_size=8192)
    session = winrm_session(host)
    assert session.run_cmd("echo small").status_code == 0
    with pytest.raises(WinRMTransportError) as info:
        session.run_cmd("echo " + "x" * 9000)
    assert info.value.code == 413  # as WinRM answers a request over MaxEnvelopeSizekb


def test_shell_idle_timeout_deletes_the_shell_and_terminates_the_command(lab, lab_host, winrm_session):
    host = lab_host(shell_idle_timeout=0.3, timing={"service_stop": {"W3SVC": 1.0}, "net_give_up": 10.0})
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "net stop W3SVC")
    assert wait_until(lambda: shell.upper() not in host.wsman.shells, 5)
    with pytest.raises(WSManFaultError) as info:
        protocol.get_command_output(shell, command)
    assert info.value.wsman_fault_code == ERROR_WSMAN_UNEXPECTED_SELECTORS
    events = [e.detail for e in lab.log.events(host=host.name, kind="shell")]
    assert [(e["event"], e["shell_id"]) for e in events] == [
        ("expired", shell.upper()),
        ("command_terminated", shell.upper()),
    ]
    # net.exe is gone, but the stop it asked for was already with the SCM: the service still stops.
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOPPED", 5)


def test_active_shell_does_not_expire_during_long_receive(lab_host, winrm_session):
    host = lab_host(shell_idle_timeout=0.5, timing=SLOW_STOP)
    session = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3)
    assert session.run_cmd("net stop W3SVC").status_code == 0


def test_working_directory_and_environment(host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell(working_directory="C:\\InetPub", env_vars={"LABVAR": "from-the-shell"})
    command = protocol.run_command(shell, "cd & set LABVAR")
    assert protocol.get_command_output(shell, command) == (b"C:\\InetPub\r\nLABVAR=from-the-shell\r\n", b"", 0)
    protocol.close_shell(shell)


def test_request_latency_applies_per_request(lab, lab_host, winrm_session):
    host = lab_host(timing={"request_latency": 0.05})
    since = time.monotonic()
    started = time.monotonic()
    winrm_session(host).run_cmd("exit 0")
    elapsed = time.monotonic() - started
    events = lab.log.events(host=host.name, kind="http", since=since)
    requests = len(events)
    # What the protocol bounds, whatever the client library adds: one NTLM handshake (an anonymous probe, the
    # negotiate and the authenticate round trips at most), then Create, Command, Receive until done, Delete.
    actions = [e.detail["action"] for e in events]
    ops = [a for a in actions if a != "Auth"]
    assert 1 <= actions.count("Auth") <= 3 and all(a == "Auth" for a in actions[: actions.count("Auth")]), actions
    assert ops[:2] == ["Create", "Command"] and ops[-1] == "Delete" and "Receive" in ops, actions
    assert set(ops) <= {"Create", "Command", "Receive", "Signal", "Delete"}, actions
    assert elapsed >= 0.05 * requests  # a lower bound: a busy machine only adds

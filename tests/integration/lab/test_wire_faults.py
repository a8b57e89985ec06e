"""Injected wire faults: dropped connections, slow answers, WS-Man listener down (real machine model; the
give-up-waiting case uses the ScriptMachine for exact timing of output)."""

from __future__ import annotations

import time

import pytest
import requests

from tests.lab.harness.fixtures import wait_until

from . import ScriptMachine

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]


@pytest.fixture
def host(lab_host):
    return lab_host()


def _commands(lab, host):
    return [e.detail.get("line") for e in lab.log.events(host=host.name, kind="command")]


def test_drop_after_requests_is_one_shot(lab, host, winrm_session):
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()  # NTLM handshake + Create
    host.faults.drop_after_requests = 1
    command = protocol.run_command(shell, "echo one")  # answered
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol.get_command_output(shell, command)  # dropped without an answer
    assert host.faults.drop_after_requests is None
    assert [e.detail for e in lab.log.events(host=host.name, kind="fault")] == [{"fault": "drop_after_requests"}]
    # The host itself is fine: a new session works.
    assert winrm_session(host).run_cmd("echo again").std_out == b"again\r\n"


def test_drop_on_command_starts_the_command_first(lab, host, winrm_session):
    host.set_faults(drop_on_command="SWAP")
    session = winrm_session(host)
    assert session.run_cmd("echo harmless").status_code == 0
    with pytest.raises(requests.exceptions.ConnectionError):
        session.run_cmd("echo", ["do", "the", "swap"])
    assert wait_until(lambda: "echo do the swap" in _commands(lab, host))  # it ran
    assert host.faults.drop_on_command is None
    assert winrm_session(host).run_cmd("echo swap again").status_code == 0  # one-shot


def test_command_runs_on_after_the_client_disconnects(lab_host, winrm_session):
    host = lab_host(timing={"service_stop": {"W3SVC": 0.5}, "net_give_up": 10.0})
    host.set_faults(drop_on_command="net stop")
    with pytest.raises(requests.exceptions.ConnectionError):
        winrm_session(host).run_cmd("net stop W3SVC")
    assert host.machine.service_states()["W3SVC"] != "STOPPED"
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOPPED", 5)


def test_slow_responses(host, winrm_session):
    session = winrm_session(host)
    session.run_cmd("exit 0")  # authenticate first
    protocol = session.protocol
    host.set_faults(slow_responses=0.3)
    started = time.monotonic()
    shell = protocol.open_shell()
    assert time.monotonic() - started >= 0.3
    host.reset_faults()
    protocol.close_shell(shell)


def test_wsman_down_refuses_connections(host, winrm_session):
    host.set_faults(wsman_down=True)
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        winrm_session(host).run_cmd("echo x")
    assert "refused" in str(info.value).lower()
    host.reset_faults()
    assert winrm_session(host).run_cmd("echo back").std_out == b"back\r\n"


def test_wsman_down_set_directly_on_the_config(host, winrm_session):
    session = winrm_session(host)
    assert session.run_cmd("exit 0").status_code == 0
    host.faults.wsman_down = True
    with pytest.raises(requests.exceptions.ConnectionError):
        session.run_cmd("echo x")  # the open connection is reset
    deadline = time.monotonic() + 5
    while host.wsman_listening and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not host.wsman_listening
    host.faults.wsman_down = False
    deadline = time.monotonic() + 5
    while not host.wsman_listening and time.monotonic() < deadline:
        time.sleep(0.05)
    assert winrm_session(host).run_cmd("echo up").std_out == b"up\r\n"


def test_output_is_kept_when_the_client_gives_up_waiting(lab, lab_host, winrm_session):
    host = lab_host(machine_factory=ScriptMachine)
    protocol = winrm_session(host, operation_timeout_sec=3, read_timeout_sec=5).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "tick 1 0.6")
    protocol.transport.read_timeout_sec = 0.3  # the client stops waiting long before the host answers
    with pytest.raises(requests.exceptions.ReadTimeout):
        protocol.get_command_output_raw(shell, command)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        undelivered = [e for e in lab.log.events(host=host.name, kind="http") if e.detail.get("delivered") is False]
        if undelivered:
            break
        time.sleep(0.05)
    assert undelivered and undelivered[0].detail["action"] == "Receive"
    # The output the host had already collected comes with the next Receive, on a new connection.
    other = winrm_session(host).protocol
    assert other.get_command_output(shell, command) == (b"tick 0\r\n", b"", 0)
    other.close_shell(shell)


def test_request_dropped_before_processing_loses_nothing(host, winrm_session):
    protocol = winrm_session(host, operation_timeout_sec=2, read_timeout_sec=4).protocol
    shell = protocol.open_shell()
    command = protocol.run_command(shell, "echo kept")
    time.sleep(0.2)  # the command is finished; its output waits on the host
    host.faults.drop_after_requests = 0
    with pytest.raises(requests.exceptions.ConnectionError):
        protocol.get_command_output(shell, command)
    other = winrm_session(host).protocol
    assert other.get_command_output(shell, command) == (b"kept\r\n", b"", 0)
    other.close_shell(shell)


def test_a_lab_bug_reaches_the_client_as_a_fault(lab, lab_host, winrm_session):
    class BrokenMachine(ScriptMachine):
        def start_command(self, cmdline):
            raise RuntimeError("model exploded")

    from winrm.exceptions import WSManFaultError

    host = lab_host(machine_factory=BrokenMachine)
    with pytest.raises(WSManFaultError, match="model exploded"):
        winrm_session(host).run_cmd("echo x")
    assert [e.detail["action"] for e in lab.log.events(host=host.name, kind="error")] == ["Command"]

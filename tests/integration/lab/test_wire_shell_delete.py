"""What ends a WinRS command (facts section 9): ``wst:Delete`` of its shell terminates it at once (MS-WSMV
3.1.4.4.1), so does the idle timeout (MS-WSMV 2.2.4.42), and a client that just vanishes leaves it running
until it ends or the idle timeout deletes the shell.  ``HostConfig.terminate_on_delete`` False keeps the old
lab behaviour (commands outlive their shell)."""

from __future__ import annotations

import time

import pytest

from tests.lab.harness.fixtures import wait_until

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]

# net.exe stops W3SVC (1 s) and then IIS Admin (1 s): a Delete after 0.3 s lands in the middle.
SLOW = {"service_stop": {"W3SVC": 1.0, "IISADMIN": 1.0}, "net_poll": 0.05, "net_give_up": 10.0}
BATCH = "C:\\TEMP\\outage.bat"
AFTER = "C:\\TEMP\\after.txt"
BATCH_TEXT = b"@echo off\r\nnet stop W3SVC\r\necho done>C:\\TEMP\\after.txt\r\n"


def _shell_events(lab, host):
    return [e.detail for e in lab.log.events(host=host.name, kind="shell")]


def _command_done(lab, host, line):
    return [e.detail for e in lab.log.events(host=host.name, kind="command") if e.detail.get("line") == line]


def test_delete_terminates_a_running_net_stop_midway(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW)
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    protocol.run_command(shell, "net stop IISADMIN /y")
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOP_PENDING", 5)
    protocol.close_shell(shell, close_session=False)
    events = _shell_events(lab, host)
    assert events[0]["event"] == "deleted" and events[0]["running"] == ["net stop IISADMIN /y"]
    assert events[0]["terminated"] is True
    assert events[1] == {
        "event": "command_terminated",
        "shell_id": shell.upper(),
        "command_id": events[1]["command_id"],
        "line": "net stop IISADMIN /y",
        "reason": "deleted",
    }
    # The SCM finishes the stop it was given; nothing asks it to stop IIS Admin any more.
    assert wait_until(lambda: bool(_command_done(lab, host, "net stop IISADMIN /y")), 5)
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOPPED", 5)
    time.sleep(1.5)
    assert host.machine.service_states()["IISADMIN"] == "RUNNING"


def test_delete_stops_a_batch_file_at_the_line_it_was_on(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW, files={BATCH: BATCH_TEXT})
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    protocol.run_command(shell, BATCH)
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOP_PENDING", 5)
    protocol.close_shell(shell, close_session=False)
    assert wait_until(lambda: bool(_command_done(lab, host, BATCH)), 5)
    time.sleep(1.5)
    assert host.machine.file_bytes(AFTER) is None  # the line after `net stop` never ran


def test_without_terminate_on_delete_the_batch_runs_on(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW, files={BATCH: BATCH_TEXT}, terminate_on_delete=False)
    protocol = winrm_session(host, operation_timeout_sec=1, read_timeout_sec=3).protocol
    shell = protocol.open_shell()
    protocol.run_command(shell, BATCH)
    assert wait_until(lambda: host.machine.service_states()["W3SVC"] == "STOP_PENDING", 5)
    protocol.close_shell(shell, close_session=False)
    assert _shell_events(lab, host)[0]["terminated"] is False
    assert wait_until(lambda: host.machine.file_bytes(AFTER) is not None, 5)


def test_a_vanished_client_leaves_the_command_running_to_its_end(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW, files={BATCH: BATCH_TEXT}, shell_idle_timeout=30)
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    protocol.run_command(shell, BATCH)  # and never asks for its output, never deletes the shell
    assert wait_until(lambda: host.machine.file_bytes(AFTER) is not None, 5)
    assert _command_done(lab, host, BATCH)[0]["rc"] == 0
    assert not [e for e in _shell_events(lab, host) if e["event"] == "command_terminated"]


def test_the_idle_timeout_of_a_vanished_client_terminates_the_command(lab, lab_host, winrm_session):
    host = lab_host(timing=SLOW, files={BATCH: BATCH_TEXT}, shell_idle_timeout=0.3)
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    protocol.run_command(shell, BATCH)
    assert wait_until(lambda: any(e["event"] == "command_terminated" for e in _shell_events(lab, host)), 5)
    assert _shell_events(lab, host)[0]["event"] == "expired"
    time.sleep(1.5)
    assert host.machine.file_bytes(AFTER) is None


def test_delete_of_an_idle_shell_terminates_nothing(lab, lab_host, winrm_session):
    host = lab_host()
    session = winrm_session(host)
    assert session.run_cmd("echo hi").status_code == 0  # pywinrm deletes its shell afterwards
    events = _shell_events(lab, host)
    assert [e["event"] for e in events] == ["deleted"] and events[0]["running"] == []

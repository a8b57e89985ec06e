"""Issue 21: commands whose streams were all received but that were never signalled (MS-WSMV 3.1.4.14).

After the last Receive of a command (its CommandState Done), the client MUST send a Signal with the terminate code
for it; pywinrm's ``cleanup_command`` does that.  The lab counts the commands a shell holds un-signalled, shows
them in the host state (``wsman``) and in the "shell" events, and with ``max_unsignalled_per_shell`` refuses the
next Command as WinRM refuses an operation past its per-user operation quota (MaxConcurrentOperationsPerUser).
"""

from __future__ import annotations

import pytest
from winrm.exceptions import WSManFaultError

from tests.lab.wire.wsman import ERROR_WSMAN_QUOTA_MAX_OPERATIONS

pytestmark = [pytest.mark.lab, pytest.mark.timeout(90)]


def _shell_summary(host, shell_id):
    return next(s for s in host.wsman.summary()["shells"] if s["id"] == shell_id)


def test_commands_received_but_not_signalled_are_counted(lab_host, winrm_session):
    host = lab_host()
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    for n in range(3):
        command = protocol.run_command(shell, f"echo {n}")
        assert protocol.get_command_output(shell, command)[0] == f"{n}\r\n".encode()
    assert _shell_summary(host, shell)["unsignalled"] == 3
    command = protocol.run_command(shell, "echo signalled")
    protocol.get_command_output(shell, command)
    protocol.cleanup_command(shell, command)  # Signal terminate: no longer counted
    assert _shell_summary(host, shell)["unsignalled"] == 3
    protocol.close_shell(shell, close_session=False)
    summary = host.wsman.summary()
    assert summary["unsignalled_peak"] == 4  # the signalled one counted until its Signal
    assert summary["unsignalled_left"] == 3
    deleted = [e.detail for e in host.lab.log.events(host=host.name, kind="shell") if e.detail["event"] == "deleted"]
    assert deleted[-1]["unsignalled"] == 3
    assert host.state()["wsman"]["unsignalled_left"] == 3


def test_a_client_that_signals_every_command_leaves_none(lab_host, winrm_session):
    host = lab_host()
    session = winrm_session(host)
    for n in range(3):
        assert session.run_cmd(f"echo {n}").status_code == 0  # run_cmd signals (cleanup_command)
    assert host.wsman.summary()["unsignalled_left"] == 0
    assert host.wsman.summary()["unsignalled_peak"] <= 1


def test_the_operation_quota_refuses_a_command_past_the_limit(lab_host, winrm_session):
    host = lab_host(max_unsignalled_per_shell=2)
    protocol = winrm_session(host).protocol
    shell = protocol.open_shell()
    first = protocol.run_command(shell, "echo 1")
    protocol.get_command_output(shell, first)
    second = protocol.run_command(shell, "echo 2")
    protocol.get_command_output(shell, second)
    with pytest.raises(WSManFaultError) as info:
        protocol.run_command(shell, "echo 3")
    assert info.value.wsman_fault_code == ERROR_WSMAN_QUOTA_MAX_OPERATIONS
    assert info.value.fault_subcode == "w:QuotaLimit"
    assert "maximum number of 2 concurrent operations" in info.value.reason
    # Windows does not lower the count on a Signal terminate (MS-WSMV product behavior note <118>) ...
    protocol.cleanup_command(shell, first)
    protocol.cleanup_command(shell, second)
    with pytest.raises(WSManFaultError) as again:
        protocol.run_command(shell, "echo 3")
    assert again.value.wsman_fault_code == ERROR_WSMAN_QUOTA_MAX_OPERATIONS
    protocol.close_shell(shell, close_session=False)
    # ... only a new shell starts from nothing.
    fresh = protocol.open_shell()
    third = protocol.run_command(fresh, "echo 3")
    assert protocol.get_command_output(fresh, third)[0] == b"3\r\n"
    protocol.close_shell(fresh, close_session=False)

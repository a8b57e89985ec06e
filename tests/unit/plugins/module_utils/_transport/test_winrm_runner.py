"""The runner never deletes a shell whose command may still run (MS-WSMV 3.1.4.4.1: Delete ends it at once).

A stand-in for pywinrm's Protocol object records what the runner asks; the wire itself is tested against
the lab in tests/integration.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    COMMANDS_PER_SHELL,
    ConnectionOptions,
    WinRMRunner,
)


class Protocol:
    operation_timeout_sec = 20  # pywinrm's: how long the host may hold a request open

    def __init__(self, outputs):
        self.outputs = list(outputs)
        self.closed = []
        self.signalled = []
        self.shells = 0
        self.commands = 0

    def open_shell(self, codepage=None):
        self.shells += 1
        return f"shell-{self.shells}"

    def run_command(self, shell_id, command):
        self.commands += 1
        return f"cmd-{self.commands}"

    def cleanup_command(self, shell_id, command_id):
        self.signalled.append((shell_id, command_id))

    def get_command_output_raw(self, shell_id, command_id):
        item = self.outputs.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    def close_shell(self, shell_id):
        self.closed.append(shell_id)


def runner_with(protocol):
    runner = WinRMRunner(ConnectionOptions(host="127.0.0.1", scheme="https", password="x"))  # noqa: S106 - a stand-in, never sent
    runner._protocol = protocol
    return runner


def test_a_finished_command_lets_the_shell_be_deleted():
    proto = Protocol([(b"@@done\r\n", b"", 0, True)])
    runner = runner_with(proto)
    res = runner.run("apply", "echo @@done")
    assert res.complete and not runner.command_running
    runner.close()
    assert proto.closed == ["shell-1"]


def test_every_finished_command_is_signalled_and_a_long_run_changes_shells_before_the_quota():
    """MS-WSMV 3.1.4.14: Signal terminate once the streams are received; Windows does not give the operation back
    on that Signal (note <118>), so the runner opens a new shell every COMMANDS_PER_SHELL commands."""
    count = 2 * COMMANDS_PER_SHELL + 1
    proto = Protocol([(b"ok\r\n", b"", 0, True)] * count)
    runner = runner_with(proto)
    for i in range(count):
        runner.run("gather", f"echo {i}")
    assert [c for _s, c in proto.signalled] == [f"cmd-{i + 1}" for i in range(count)]
    assert proto.closed == ["shell-1", "shell-2"] and runner.shells_opened == 3
    assert COMMANDS_PER_SHELL < 15  # WinRM 2.0's default MaxConcurrentOperationsPerUser


def test_an_unfinished_command_is_not_signalled_and_its_shell_is_not_renewed():
    proto = Protocol([(b"", b"", None, False)] * 10000)
    runner = runner_with(proto)
    runner.commands_in_shell = COMMANDS_PER_SHELL
    runner._shell_id = "shell-1"
    runner.command_running = True  # a sequence that may still run: never deleted to open a new shell
    res = runner.run("apply", "net stop IISADMIN /y & ...", timeout=0.05)
    assert not res.complete
    assert proto.closed == [] and proto.signalled == [] and proto.shells == 0


def test_an_interrupted_wait_abandons_the_shell_instead_of_deleting_it():
    proto = Protocol([(b"@@outage_begin\r\n", b"", None, False), KeyboardInterrupt()])
    runner = runner_with(proto)
    with pytest.raises(KeyboardInterrupt):
        runner.run("apply", "net stop IISADMIN /y & ...")
    assert runner.command_running
    runner.close()
    assert proto.closed == [], "a Delete would end the outage sequence half way"
    assert runner.abandoned_shells == 1


def test_a_wait_that_timed_out_abandons_the_shell_too():
    proto = Protocol([(b"", b"", None, False)] * 50)
    runner = runner_with(proto)
    res = runner.run("apply", "net stop IISADMIN /y", timeout=0.0)
    assert not res.complete
    runner.close()
    assert proto.closed == []


class TimedProtocol(Protocol):
    """Also records the OperationTimeout each Receive asks the host to hold it open for."""

    def __init__(self, outputs):
        super().__init__(outputs)
        self.asked = []

    def get_command_output_raw(self, shell_id, command_id):
        self.asked.append(self.operation_timeout_sec)
        return super().get_command_output_raw(shell_id, command_id)


def test_a_receive_near_the_deadline_asks_the_host_to_hold_it_only_for_the_time_left():
    """A Receive the host holds open for a whole operation timeout would end the wait up to 20 s late (a hung
    sequence waited 60 s of a 45 s bound)."""
    proto = TimedProtocol([(b"", b"", None, False), (b"@@done\r\n", b"", 0, True)])
    runner = runner_with(proto)
    assert runner.run("apply", "echo @@done", timeout=5).complete
    assert len(proto.asked) == 2 and all(1 <= t <= 5 for t in proto.asked), proto.asked
    assert proto.operation_timeout_sec == 20  # the other requests keep the configured timeout
    unbounded = TimedProtocol([(b"@@done\r\n", b"", 0, True)])
    assert runner_with(unbounded).run("gather", "echo @@done").complete
    far = TimedProtocol([(b"@@done\r\n", b"", 0, True)])
    assert runner_with(far).run("gather", "echo @@done", timeout=600).complete
    assert unbounded.asked == far.asked == [20]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "HTTPConnectionPool(host='h', port=5985): Max retries exceeded with url: /wsman (Caused by "
            'NewConnectionError("...: Failed to establish a new connection: [Errno 111] Connection refused"))',
            "nothing listens on that port",
        ),
        ("... [Errno -2] Name or service not known", "does not resolve"),
        ("... Read timed out. (read timeout=30)", "no answer in time"),
    ],
)
def test_a_connection_failure_says_what_to_check_instead_of_the_http_client_text(text, words):
    import requests

    runner = WinRMRunner(ConnectionOptions(host="h", user="u", password="x"))  # noqa: S106 - never sent
    err = runner._translate(requests.exceptions.ConnectionError(text))
    assert err.kind == "unreachable" and str(err).startswith("cannot reach ") and words in str(err)
    assert "HTTPConnectionPool" not in str(err) and "NewConnectionError" not in str(err)


def test_basic_over_http_names_the_inventory_variable():
    with pytest.raises(Exception, match="ansible_winrm_allow_unencrypted=true"):
        options = ConnectionOptions(host="h", scheme="http", user="u", password="x", transport="basic")  # noqa: S106
        options.check()

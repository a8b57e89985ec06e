"""The runner never deletes a shell whose command may still run (MS-WSMV 3.1.4.4.1: Delete ends it at once).

A stand-in for pywinrm's Protocol object records what the runner asks; the wire itself is tested against
the lab in tests/integration.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)


class Protocol:
    def __init__(self, outputs):
        self.outputs = list(outputs)
        self.closed = []

    def open_shell(self, codepage=None):
        return "shell-1"

    def run_command(self, shell_id, command):
        return "cmd-1"

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

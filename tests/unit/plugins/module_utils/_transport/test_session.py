"""The session over a runner that fails on cue: retries of repeatable steps, a sequence never sent twice
blindly, and the state record read after a dropped connection (still running, finished, never received)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport import session as session_module
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.report import Report
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.session import Session
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import CommandResult
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import HostError, StepFailed

PATHS = Paths("C:\\Staging\\Shop.dll", "C:\\InetPub\\shop\\Shop.dll", "20261207000000")
Answer = Callable[[str, str], CommandResult]


def done(text: str = "", complete: bool = True, error: str | None = None) -> Answer:
    def answer(step: str, command: str) -> CommandResult:
        now = time.monotonic()
        return CommandResult(step, command, text, "", 0, now, 0.0, [(now, text)], complete=complete, error=error)

    return answer


def fails(kind: str) -> Answer:
    def answer(step: str, command: str) -> CommandResult:
        raise HostError(kind, f"{kind} on {step}")

    return answer


class FakeRunner:
    """Answers each line with the next of ``answers`` (the last one again when they run out)."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str]] = []
        self.resets = 0
        self.closes = 0

    def run(self, step: str, command: str, timeout: float | None = None) -> CommandResult:
        self.sent.append((step, command))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return answer(step, command)

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        self.closes += 1


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "RETRY_PAUSE", 0.0)
    monkeypatch.setattr(session_module, "LOST_AFTER", 0.0)


def make(runner: FakeRunner, limit: int = 2047) -> Session:
    return Session(runner, Report(PATHS), limit=limit, timeout=5, folder=PATHS.dest_dir)


def test_a_repeatable_step_is_sent_again_on_a_new_shell_after_a_transport_error():
    runner = FakeRunner(fails("transport"), done("@@x\r\nok\r\n"))
    res = make(runner).run("gather", ["echo @@x", "echo ok"])
    assert res.output == "@@x\r\nok\r\n"
    assert [s for s, _line in runner.sent] == ["gather", "gather(retry)"] and runner.resets == 1


def test_an_error_that_a_retry_would_not_cure_is_raised():
    runner = FakeRunner(fails("auth"))
    with pytest.raises(HostError):
        make(runner).run("gather", ["echo x"])
    assert len(runner.sent) == 1


def test_an_unfinished_answer_is_retried_and_both_are_in_the_timeline():
    runner = FakeRunner(done("", complete=False, error="timed out"), done("ok\r\n"))
    s = make(runner)
    assert s.run("stage", ["echo ok"]).complete
    assert [e["step"] for e in s.report.steps] == ["stage", "stage(retry)"]


def test_parts_too_long_for_one_line_are_packed_into_several():
    runner = FakeRunner(done("ok\r\n"))
    parts = [f"echo {'x' * 300} {i}" for i in range(12)]
    make(runner, limit=1024).run("prune", parts)
    assert len(runner.sent) > 1 and all(len(line) <= 1024 for _step, line in runner.sent)
    assert [s for s, _line in runner.sent][:2] == ["prune[1]", "prune[2]"]


def test_a_sequence_too_long_for_one_line_is_written_to_a_batch_file_and_run_once():
    runner = FakeRunner(done("written\r\n"), done("@@done\r\n"))
    parts = [f"echo {'y' * 200} {i}" for i in range(20)]
    res = make(runner, limit=1024).run_sequence("apply", parts, "restart", PATHS.record, ["echo @@verify"])
    steps = [s for s, _line in runner.sent]
    assert steps[-1] == "apply" and all(s.startswith("apply_write") for s in steps[:-1])
    assert 'call "' in runner.sent[-1][1] and res.output == "@@done\r\n"


def test_a_sequence_whose_connection_dropped_is_waited_for_and_read_back():
    runner = FakeRunner(
        fails("transport"),  # the sequence: the connection drops
        done("run=1\r\nstarted=restart\r\n"),  # still running on the host
        done("run=1\r\nstarted=restart\r\nfinished=restart\r\n"),  # ended
        done("@@verify\r\n@@running\r\n"),  # read back
    )
    s = make(runner)
    res = s.run_sequence("apply", ["echo @@done"], "restart", PATHS.record, ["echo @@verify"])
    assert [step for step, _line in runner.sent] == ["apply", "reconnect", "reconnect", "readback"]
    assert res.step == "readback" and "host finished it on its own" in (res.error or "")
    assert s.report.result["connection_dropped"] is True
    assert runner.closes == 2  # each probe's shell is deleted


def test_a_sequence_the_host_never_received_is_sent_once_more():
    runner = FakeRunner(
        done("", complete=False, error="connection reset"),  # the sequence line was lost
        done("run=1\r\n"),  # the record names no started sequence
        done("@@done\r\n"),  # sent again
    )
    s = make(runner)
    res = s.run_sequence("apply", ["echo @@done"], "restart", PATHS.record, ["echo @@verify"])
    assert [step for step, _line in runner.sent] == ["apply", "reconnect", "apply(resent)"]
    assert res.complete and any("it was sent again" in w for w in s.report.result["warnings"])


def test_a_sequence_still_running_when_the_wait_ends_keeps_the_record(monkeypatch: pytest.MonkeyPatch):
    runner = FakeRunner(fails("transport"), done("run=1\r\nstarted=restart\r\n"))
    s = make(runner)
    monkeypatch.setattr(Session, "wait", property(lambda self: 0.05))
    with pytest.raises(StepFailed) as err:
        s.run_sequence("apply", ["echo @@done"], "restart", PATHS.record, [])
    assert err.value.step == "apply" and "state record beside dest is kept" in str(err.value)


def test_a_sequence_whose_wait_ran_out_with_the_connection_up_fails_after_that_one_wait():
    """The host has the sequence and still runs it (a program it started has not returned): a second wait would
    read ``started=<phase>`` until it ran out too, so the run fails at once, keeping the record for the rerun."""
    runner = FakeRunner(done("@@stop\r\n", complete=False), done("run=1\r\nstarted=restart\r\n"))
    s = make(runner)
    with pytest.raises(StepFailed) as err:
        s.run_sequence("apply", ["echo @@done"], "restart", PATHS.record, ["echo @@verify"])
    assert [step for step, _line in runner.sent] == ["apply"] and runner.resets == 0
    assert "did not finish within 45s (the connection stayed up" in str(err.value)
    assert "state record beside dest is kept" in str(err.value)

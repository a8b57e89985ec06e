"""Replaying a run recorded on a lab machine (``recorded/runs/*.json``, written by ``recorded/record_runs.py``).

:class:`ReplayRunner` stands where the WinRM runner stands: each command line gets what the host printed for
the same step of the recorded run, in order; a step asked more often than it was recorded (a poll whose count
depends on timing) gets its last answer again.  Nothing is made up: every answer is a host's own output.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from ansible_collections.legacy_iis.iis4.plugins.module_utils import update
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release import pool_restart, recovery
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release import run as release_run
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport import report, session
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import CommandResult

RUNS = Path(__file__).parent / "recorded" / "runs"


def recording(name: str) -> dict[str, Any]:
    data = json.loads((RUNS / f"{name}.json").read_text())
    for sent in data["sent"]:
        sent["stdout"] = sent["stdout"].replace("\n", "\r\n")
        sent["stderr"] = sent["stderr"].replace("\n", "\r\n")
    return data


def output_of(name: str, step: str, index: int = 0) -> str:
    """What the host printed for the ``index``-th line of ``step`` in the recorded run ``name``."""
    found = [s for s in recording(name)["sent"] if s["step"] == step]
    return found[index]["stdout"] + found[index]["stderr"]


class ReplayRunner:
    """Answers each step from the recording; records what it was asked."""

    def __init__(self, name: str) -> None:
        self.answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for sent in recording(name)["sent"]:
            self.answers[sent["step"]].append(sent)
        self.used: dict[str, int] = defaultdict(int)
        self.asked: list[tuple[str, str]] = []
        self.requests = 0
        self.resets = 0

    def run(self, step: str, command: str, timeout: float | None = None) -> CommandResult:
        del timeout
        self.asked.append((step, command))
        self.requests += 3
        recorded = self.answers.get(step)
        if not recorded:
            raise AssertionError(f"the recorded run never sent a {step!r} line")
        sent = recorded[min(self.used[step], len(recorded) - 1)]
        self.used[step] += 1
        now = time.monotonic()
        return CommandResult(
            step, command, sent["stdout"], sent["stderr"], sent["rc"], now, 0.0, [(now, sent["stdout"])]
        )

    def reset(self) -> None:
        self.resets += 1

    def close(self) -> None:
        pass

    def scrub(self, text: str) -> str:
        return text


VOLATILE = {"seconds", "elapsed_seconds", "started", "mtime", "requests"}


def comparable(value: Any) -> Any:
    """A result without what changes from run to run: timestamps in names, timings, process ids."""
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, (list, tuple)):
        return [comparable(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"PID \d+", "PID n", re.sub(r"\d{14}", "STAMP", value.replace("\r\n", "\n")))
    return value


class VirtualClock:
    """A clock whose ``sleep`` only moves it on: a replayed run's polls and retries cost no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@contextlib.contextmanager
def virtual_time() -> Iterator[VirtualClock]:
    """The module's waits (polls, retry pauses, deadlines) on a :class:`VirtualClock` while a run is replayed: the
    answers are recorded, so waiting for the host to change would only cost seconds."""
    clock = VirtualClock()
    with contextlib.ExitStack() as stack:
        for module in (pool_restart, recovery, release_run, session, report, update):
            stack.enter_context(mock.patch.object(module, "time", clock))
        yield clock

"""Whole runs replayed from what lab hosts printed: the same command lines go out and the same result comes
back, for every strategy and the failures recorded (``recorded/runs``).  The recordings were made with the
module as it was before the strategies became classes, so these tests hold the behaviour still; one,
``package_then_pool``, was recorded after: there the module before read the pool sequence that followed a package
shutdown as a service restart and failed, where the pool restart now reads it as its own."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update

from .replay import RUNS, ReplayRunner, comparable, recording, virtual_time

NAMES = sorted(p.stem for p in RUNS.glob("*.json"))


def _collapse(seq: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Polls of a lock or a pending service (their count depends on timing) as one."""
    out: list[tuple[str, str]] = []
    for item in seq:
        if not (out and out[-1] == item and item[0] in ("wait_unloaded", "ensure_running")):
            out.append(item)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_a_replayed_run_sends_the_same_lines_and_returns_the_same_result(name):
    data = recording(name)
    runner = ReplayRunner(name)
    several = "components" in data["args"]  # several DLLs in one task (issue 23): the rollout
    run = run_rollout if several else run_update
    with virtual_time():
        result = run(dict(data["args"]), runner, check_mode=data["check_mode"])
    sent = [(s["step"], s["command"]) for s in data["sent"]]
    assert comparable(_collapse(runner.asked)) == comparable(_collapse(sent))
    expected = comparable(data["result"])
    got = comparable(result)
    for r in (expected, got):
        r["steps"] = _collapse([(s["step"], s["command"]) for s in r.get("steps", [])])
    assert got == expected


def test_the_recordings_cover_every_strategy_and_its_failures():
    methods = {recording(n)["result"].get("method") for n in NAMES}
    assert methods >= {"service_restart", "unload", "copy", "pool_restart", "package_shutdown", "mtxstop"}
    steps = {recording(n)["result"].get("step") for n in NAMES if recording(n)["result"].get("failed")}
    assert steps >= {"start", "register", "unload"}

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark helper callback: wall seconds of each task of a play, written as JSON at the end.

With the linear strategy a task runs on every host of the batch before the next one starts, so the time
from one task's start to the next is that task's share of the rollout.  bench/run.py enables it with
ANSIBLE_CALLBACK_PLUGINS=<repo>/bench/callback_plugins, ANSIBLE_CALLBACKS_ENABLED=bench_task_times and
BENCH_TASK_TIMES=<output file>.  Not part of the collection.
"""

from __future__ import annotations

import json
import os
import time

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: bench_task_times
type: aggregate
short_description: wall time per task, for the benchmarks
description: Writes the wall seconds of each task to the file named by the BENCH_TASK_TIMES variable.
requirements: [enable in the callbacks_enabled setting]
"""


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "bench_task_times"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self._current: str | None = None
        self._started = 0.0
        self._totals: dict[str, float] = {}
        self._order: list[str] = []

    def _close(self) -> None:
        if self._current is not None:
            self._totals[self._current] = self._totals.get(self._current, 0.0) + time.monotonic() - self._started
            self._current = None

    def _open(self, name: str) -> None:
        self._close()
        if name not in self._totals:
            self._order.append(name)
            self._totals[name] = 0.0
        self._current = name
        self._started = time.monotonic()

    def v2_playbook_on_task_start(self, task, is_conditional):  # noqa: ARG002 - callback signature
        self._open(task.get_name().strip())

    def v2_playbook_on_handler_task_start(self, task):
        self._open(task.get_name().strip())

    def v2_playbook_on_stats(self, stats):  # noqa: ARG002 - callback signature
        self._close()
        path = os.environ.get("BENCH_TASK_TIMES")
        if path:
            with open(path, "w", encoding="utf-8") as out:
                json.dump([[name, self._totals[name]] for name in self._order], out)

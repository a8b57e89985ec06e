# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run's record: the result dict that every part writes to, and the timeline of the lines sent.

The session writes each line it sends into the timeline (``steps``) as it goes, so the record travels with
the transport; the keys are documented in the module's RETURN.
"""

from __future__ import annotations

import time
from typing import Any

from .._cmd.paths import Paths

#: What a check-mode run returns for a person to read before the update (``preview``).
PREVIEW_KEYS = ("commands", "fallback_commands", "steps")


class Report:
    """The result dict of one run, the timeline of the lines it sent, and the paths it names."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths
        self.steps: list[dict[str, Any]] = []
        self.result: dict[str, Any] = {
            "changed": False,
            "method": "none",
            "isolation": None,
            "applications": [],
            "services_stopped": [],
            "services_started": [],
            "services_not_running": [],
            "backup_file": None,
            "rolled_back": False,
            "outage_seconds": 0.0,
            "recovered": None,
            "catalog": None,
            "package": None,
            "holders": None,
            "holders_tool": None,
            "steps": self.steps,
        }

    progress: Any = staticmethod(lambda text: None)  # set by the action plugin: show a step as it happens (-v)

    def warn(self, text: str) -> None:
        self.result.setdefault("warnings", []).append(text)

    @property
    def not_running(self) -> list[str]:
        return self.result.get("services_not_running") or []

    def set_services(self, stopped: list[str], started: list[str], not_running: list[str] | None = None) -> None:
        self.result["services_stopped"] = list(stopped)
        self.result["services_started"] = list(started)
        if not_running is not None:
            self.result["services_not_running"] = list(not_running)

    def old_dll_in_place(self) -> None:
        """The run failed and dest holds the old DLL (restored by the module, or never replaced): there is no
        backup for anyone to roll back from."""
        self.result["rolled_back"] = True
        self.result["backup_file"] = None

    def keep_record(self) -> str:
        """Say that the state record stays beside dest; returns the sentence to add to a message."""
        self.result["state_record"] = self.paths.record
        return (
            f"; the state record {self.paths.record} was kept beside dest so that the next run starts those "
            "services again"
        )

    def finish(self, t0: float, runner: Any) -> dict[str, Any]:
        self.result["elapsed_seconds"] = round(time.monotonic() - t0, 3)
        self.result["requests"] = getattr(runner, "requests", None)
        return self.result

    def drop_preview(self) -> None:
        """A dry run whose update plans again (``preview=false``: the role's, outside a check run) leaves out
        what only a person reads; every host's result passes through Ansible's result handling (about 10 KB
        of 16 per DLL)."""
        for key in PREVIEW_KEYS:
            self.result.pop(key, None)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result of a run: one :class:`Report` that every part writes to, and the sentences it says.

The keys are documented in the module's RETURN.  Services are IIS service keys (``W3SVC``); applications
use the metabase's own spelling; a message never prints a Python ``None``.
"""

from __future__ import annotations

import time
from typing import Any

from ._cmd.paths import Paths
from ._host.parsers.files import DirEntry


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


def outage_text(seconds: float | None) -> str:
    if seconds is None:
        return "(outage not measured: its output was lost with the connection)"
    return f"(outage {seconds}s)"


def describe_file(entry: DirEntry | None) -> str:
    """A file's size and date for the diff."""
    if entry is None:
        return "(absent)\n"
    mtime = getattr(entry, "mtime", None) or getattr(entry, "date", "")
    return f"size: {entry.size}\nmodified: {mtime}\n"


def entry_dict(entry: DirEntry | None, path: str) -> dict[str, Any] | None:
    """``old``/``new``: a file's path, size and date."""
    if entry is None:
        return None
    mtime = getattr(entry, "mtime", None)
    return {
        "path": path,
        "size": entry.size,
        "mtime": mtime.isoformat() if hasattr(mtime, "isoformat") else (mtime or getattr(entry, "date", None)),
    }


def package_words(plan: Any) -> str:
    """``the MTS package 'Shop' {id}``, or every MTS server package for mtxstop.exe."""
    package = getattr(plan.strategy, "package", None) or plan.package
    if plan.method == "mtxstop" or package is None:
        return "every MTS server package (mtxstop.exe)"
    kind = "COM+ application" if plan.catalog is not None and plan.catalog.kind == "complus" else "MTS package"
    return f"the {kind} {package.name!r} {package.id}"


def prediction(plan: Any, paths: Paths, unload_fallback: bool) -> str:
    """Check mode's sentence: what a real run would stop, swap and start."""
    if plan.iis is not None:
        return (
            f"would shut down {package_words(plan)}, swap {paths.dest}; W3SVC keeps running; if the DLL stayed "
            f"loaded (IIS loads it too), it then {prediction(plan.iis, paths, unload_fallback)}"
        )
    apps = ", ".join(a.get("metabase_path") or a.get("name", "") for a in plan.blast_radius["applications"]) or "none"
    if plan.method == "pool_restart":
        return (
            f"would stop the application pool(s) {', '.join(plan.strategy.pools)}, swap {paths.dest} and start them "
            f"again; W3SVC and every other pool keep serving; applications in those pools: {apps}"
        )
    if plan.method == "copy":
        return f"would copy {paths.src} to {paths.dest}, which does not exist yet; nothing would stop"
    if plan.method == "unload":
        return f"would unload {apps} (isolated), swap {paths.dest}; W3SVC keeps running" + (
            "; if the lock is not released it would fall back to restarting IIS" if unload_fallback else ""
        )
    return (
        f"would stop {', '.join(plan.stops)} (net stop IISADMIN /y), swap {paths.dest}, then start "
        f"{', '.join(plan.starts)}; in-process applications taken down with inetinfo.exe: {apps}"
    )


def success_message(report: Report, plan: Any, backup: bool, note: str) -> str:
    """The one sentence of a successful update."""
    r = report.result
    if r["method"] == "copy":
        how = "it did not exist, so the new DLL was copied into place and nothing was stopped"
    elif r["method"] == "pool_restart":
        how = f"stopped and started the application pool(s) {', '.join(r.get('pools') or [])}; W3SVC kept running"
    elif r["method"] in ("package_shutdown", "mtxstop"):
        what = package_words(plan) if r["method"] == "package_shutdown" else "every MTS server package (mtxstop.exe)"
        again = "started again" if r.get("package_started") else "the next call starts it again"
        how = f"shut down {what} ({again}); W3SVC kept running"
    elif r["method"] == "unload":
        how = (
            "unloaded " + ", ".join("/LM/" + (a.unload_path or "") for a in plan.unload_roots) + "; W3SVC kept running"
        )
    else:
        how = (
            f"stopped {', '.join(r['services_stopped']) or 'nothing'} and started "
            f"{', '.join(r['services_started']) or 'nothing'} again " + outage_text(r["outage_seconds"])
        )
    return (
        f"replaced {report.paths.dest} ({r['isolation']}): {how}"
        + (f"; backup kept as {report.paths.backup}" if backup else "")
        + (f"; {note}" if note else "")
    )

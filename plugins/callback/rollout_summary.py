# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback plugin legacy_iis.iis4.rollout_summary: one line per host for a whole rollout (and, for ad-hoc runs and
plays of the module, an audit record per host)."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: rollout_summary
type: aggregate
short_description: The fleet table and per-host audit records of legacy_iis.iis4 rollouts
version_added: 1.1.0
description:
  - Collects the result of every C(legacy_iis.iis4.iis4_component) task of the playbook or ad-hoc run and, at
    the end, prints one line per host - also for hosts that failed or could not be reached before the module
    ran - with what happened, the procedure, the outage and the message.
  - Under the C(legacy_iis.iis4.component_update) role it reads the report each host sets
    (C(component_update_report)) instead; it prints the table of the hosts handled so far when each batch of a
    C(serial) play starts, and the whole table at the end (also when C(max_fail_percentage) stopped the rollout).
  - For ad-hoc runs and plays of the module, writes one JSON audit record per host into O(audit_dir). The role
    writes its own audit records (C(component_update_audit_dir)) and does not need this callback.
  - Dry runs (check mode) are shown as such and never counted as changes.
  - Enable it with C(callbacks_enabled = legacy_iis.iis4.rollout_summary) in ansible.cfg or
    E(ANSIBLE_CALLBACKS_ENABLED); ad-hoc commands load callbacks only with E(ANSIBLE_LOAD_CALLBACK_PLUGINS=1).
requirements:
  - enabled in the configuration
options:
  audit_dir:
    description: Directory on the controller for one JSON record per host and run (not written when empty).
    type: str
    default: ''
    env:
      - name: ROLLOUT_SUMMARY_AUDIT_DIR
    ini:
      - section: rollout_summary
        key: audit_dir
"""

import datetime  # noqa: E402 - ansible-test wants the documentation before any import
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
from typing import Any  # noqa: E402

from ansible.plugins.callback import CallbackBase  # noqa: E402

MODULE_NAMES = frozenset(["legacy_iis.iis4.iis4_component", "iis4_component"])
#: The component_update role's report step (its facts carry the host's report).
REPORT_NAMES = frozenset(["legacy_iis.iis4.component_update_report", "component_update_report"])


def _text(value: Any, default: str = "-") -> str:
    """A value for the table: never Python's None."""
    if value is None or value == "":
        return default
    return str(value)


HEADER = f"{'HOST':<16} {'RESULT':<13} {'ISOLATION':<15} {'METHOD':<16} {'OUTAGE':>7} {'VERSION':<9} MESSAGE"


def _line(
    host: str,
    result: str,
    *,
    isolation: Any = None,
    method: Any = None,
    outage: float | None = None,
    version: Any = None,
    message: str = "",
) -> str:
    """One row of the table, ad hoc and role alike; a long message is cut."""
    outage_text = f"{outage:6.1f}s" if outage is not None else f"{'-':>7}"
    text = (
        f"{host:<16} {result:<13} {_text(isolation):<15} {_text(method):<16} {outage_text} {_text(version):<9} "
        f"{' '.join(str(message or '-').split())}"
    )
    return text if len(text) <= 320 else text[:317] + "..."


def _served(item: dict[str, Any]) -> str | None:
    """The version the module's page check found (its first ``version=`` in the last page read), if any."""
    pages = list(item.get("verify") or []) + list(item.get("served_after_failure") or [])
    for page in reversed(pages):
        match = re.search(r"version=([0-9A-Za-z.]+)", str(page.get("body") or ""))
        if match:
            return match.group(1)
    return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "legacy_iis.iis4.rollout_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, Any]] = {}  # host -> what happened, last component run wins
        self.other: dict[str, dict[str, Any]] = {}  # host -> the first failure outside the module (before it ran)
        self.reports: dict[str, dict[str, Any]] = {}  # host -> the component_update role's report
        self.started = datetime.datetime.now(datetime.UTC)
        self.play: Any = None
        self.play_hosts: list[str] = []

    # -- plays and batches -------------------------------------------------------------------------------

    def v2_playbook_on_play_start(self, play: Any) -> None:
        """Called for every batch of a serial play: from the second one on, print the role's table so far."""
        next_batch = self.play is not None and play.get_name() == self.play.get_name()  # each batch is a copy
        self.play = play
        if next_batch:
            if self.reports:
                self._display.banner("ROLLOUT SO FAR (legacy_iis.iis4)")
                for line in self._role_lines(self.play_hosts, final=False):
                    self._display.display(line)
            return
        try:
            manager = play.get_variable_manager()
            # every host of the play: a serial batch restricts the inventory to itself
            self.play_hosts = [h.name for h in manager._inventory.get_hosts(play.hosts, ignore_restrictions=True)]
        except Exception:  # noqa: BLE001 - only for the table's totals
            self.play_hosts = []

    # -- collecting --------------------------------------------------------------------------------------

    @staticmethod
    def _is_ours(result: Any, names: frozenset[str] = MODULE_NAMES) -> bool:
        task = result._task
        return bool({getattr(task, "action", ""), getattr(task, "resolved_action", None) or ""} & names)

    def _record(self, result: Any, status: str) -> None:
        if status == "ok" and not self._is_ours(result, MODULE_NAMES | REPORT_NAMES):
            # The table shows nothing of another task that went well, and reading a result copies all of it (the
            # role's argument check returns the whole argument spec, on every host).
            return
        host = result._host.get_name()
        data = dict(result._result)
        # the role's report step: facts when the host was reached, in the result itself when it was not
        report = (data.get("ansible_facts") or {}).get("component_update_report") or data.get("component_update_report")
        if status in ("ok", "unreachable") and isinstance(report, dict) and report.get("host"):
            self.reports[host] = dict(report)
            return
        if not self._is_ours(result):
            if status in ("failed", "unreachable") and host not in self.rows:
                self.other.setdefault(host, {"status": status, "task": result._task.get_name(), **data})
            return
        for item in data.get("results") or [data]:  # a loop over components: one entry per component
            check = bool(item.get("_ansible_check_mode") or getattr(result._task, "check_mode", False))
            self.rows[host] = {
                "status": status,
                "check": check,
                "changed": bool(item.get("changed")) and not check,
                "would_change": bool(item.get("changed")) and check,
                "method": item.get("method"),
                "isolation": item.get("isolation"),
                "iis_version": item.get("iis_version"),
                "outage_seconds": item.get("outage_seconds"),
                "rolled_back": item.get("rolled_back"),
                "step": item.get("step"),
                "msg": item.get("msg"),
                "version_served": _served(item),
                "dest": (item.get("invocation") or {}).get("module_args", {}).get("dest"),
            }

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, "unreachable")

    # -- reporting ---------------------------------------------------------------------------------------

    @staticmethod
    def _outcome(row: dict[str, Any]) -> str:
        if row["status"] == "unreachable":
            return "unreachable"
        if row["status"] == "failed":
            return "rolled back" if row.get("rolled_back") else "failed"
        if row["check"]:
            return "would change" if row["would_change"] else "unchanged"
        return "changed" if row["changed"] else "unchanged"

    def _lines(self, hosts: list[str]) -> list[str]:
        """The table of an ad-hoc run or a play of the module: the same layout as the role's."""
        lines = [HEADER]
        for host in hosts:
            row = self.rows.get(host)
            if row is None:
                lines.append(self._other_line(host) or _line(host, "not run", message="no component task ran"))
                continue
            reached = row["status"] != "unreachable"
            outage = row.get("outage_seconds") if reached else None
            message = _text(row.get("msg"), "")
            if row["status"] == "failed" and row.get("step"):
                message = f"step {row['step']}: {message}"
            lines.append(
                _line(
                    host,
                    self._outcome(row),
                    isolation=row.get("isolation") if reached else None,
                    method=row.get("method") if reached else None,
                    outage=outage if isinstance(outage, (int, float)) else None,
                    version=row.get("version_served"),
                    message=message,
                )
            )
        return lines

    def _other_line(self, host: str) -> str:
        """A host that failed or could not be reached before the module (or the role's report) ran."""
        other = self.other.get(host)
        if other is None:
            return ""
        what = "unreachable" if other["status"] == "unreachable" else "failed"
        return _line(host, what, message=f"{other['task']}: {_text(other.get('msg'), 'no message')}")

    def _audit(self, host: str, stats: Any) -> dict[str, Any]:
        row = self.rows.get(host) or {}
        other = self.other.get(host) or {}
        if row:
            outcome = self._outcome(row)
        elif other:
            outcome = "unreachable" if other.get("status") == "unreachable" else "failed before"
        else:
            outcome = "not run"
        return {
            "host": host,
            "when": self.started.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "result": outcome,
            "component": {k: v for k, v in row.items() if k != "status"} or None,
            "failure": {"task": other.get("task"), "msg": other.get("msg")} if other else None,
            "stats": stats.summarize(host),
        }

    def _audit_dir(self) -> str:
        """The audit_dir option ('' means none: a path option would turn '' into the current directory)."""
        value = str(self.get_option("audit_dir") or "").strip()
        return os.path.abspath(os.path.expanduser(value)) if value else ""

    # -- the component_update role ----------------------------------------------------------------------

    def _role_lines(self, play_hosts: list[str], final: bool) -> list[str]:
        """The role's table: every host that has a report, then hosts that failed before theirs, then (at the end)
        the hosts the rollout never tried."""
        done = [self.reports[h] for h in play_hosts if h in self.reports]
        done += [r for h, r in self.reports.items() if h not in play_hosts]
        failed = sum(r.get("result") in ("failed", "rolled back") for r in done)
        unreachable = sum(r.get("result") == "unreachable" for r in done)
        total = len(set(play_hosts) | set(self.reports))
        # "so far" also at the end when the rollout stopped early (max_fail_percentage, a refused batch)
        title = "Rollout summary" if final and len(done) >= total else "Rollout so far"
        lines = [f"{title}: {len(done)} of {total} host(s), {failed} failed, {unreachable} unreachable", HEADER]
        for r in done:
            restarted = ",".join(r.get("services_restarted") or [])
            failure = _text(r.get("failure"), "")
            lines.append(
                _line(
                    _text(r.get("host")),
                    _text(r.get("result")),
                    isolation=r.get("isolation"),
                    method=r.get("method"),
                    outage=float(r.get("outage_seconds") or 0),
                    version=r.get("version_served"),
                    message=failure or (f"restarted {restarted}" if restarted else ""),
                )
            )
        if final:
            never = []
            for host in play_hosts:
                if host in self.reports:
                    continue
                other = self._other_line(host)
                if other:
                    lines.append(other)
                else:
                    never.append(host)
            for host in never:
                lines.append(_line(host, "not tried", message="the rollout stopped before this host"))
        return lines

    def v2_playbook_on_stats(self, stats: Any) -> None:
        hosts = sorted(set(stats.processed) | set(self.rows) | set(self.other) | set(self.reports))
        if not hosts:
            return
        self._display.banner("ROLLOUT SUMMARY (legacy_iis.iis4)")
        lines = self._role_lines(self.play_hosts or hosts, final=True) if self.reports else self._lines(hosts)
        for line in lines:
            self._display.display(line)
        audit_dir = self._audit_dir()
        hosts = [h for h in hosts if h not in self.reports]  # the role's hosts have their records already
        if audit_dir and hosts:
            os.makedirs(audit_dir, mode=0o750, exist_ok=True)
            stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
            for host in hosts:
                path = os.path.join(audit_dir, f"{host}-{stamp}.json")
                with open(path, "w", encoding="utf-8") as handle:
                    json.dump(self._audit(host, stats), handle, indent=2, sort_keys=True)
                    handle.write("\n")

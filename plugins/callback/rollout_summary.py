# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Callback plugin legacy_iis.iis4.rollout_summary: one line per host for a whole rollout, and an audit record."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: rollout_summary
type: aggregate
short_description: A fleet table and per-host audit records of legacy_iis.iis4.iis4_component runs
version_added: 1.0.0
description:
  - Collects the result of every C(legacy_iis.iis4.iis4_component) task of the playbook or ad-hoc run and, at
    the end, prints one line per host - also for hosts that failed or could not be reached before the module
    ran - with what happened, the procedure, the outage and the message.
  - Optionally writes one JSON audit record per host into O(audit_dir).
  - Dry runs (check mode) are shown as such and never counted as changes.
  - Enable it with C(callbacks_enabled = legacy_iis.iis4.rollout_summary) in ansible.cfg or
    E(ANSIBLE_CALLBACKS_ENABLED); ad-hoc commands load callbacks only with E(ANSIBLE_LOAD_CALLBACK_PLUGINS=1).
requirements:
  - enabled in the configuration
options:
  audit_dir:
    description: Directory on the controller for one JSON record per host and run (not written when empty).
    type: path
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
from typing import Any  # noqa: E402

from ansible.plugins.callback import CallbackBase  # noqa: E402

MODULE_NAMES = frozenset(["legacy_iis.iis4.iis4_component", "iis4_component"])


def _text(value: Any, default: str = "-") -> str:
    """A value for the table: never Python's None."""
    if value is None or value == "":
        return default
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "legacy_iis.iis4.rollout_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, Any]] = {}  # host -> what happened, last component run wins
        self.other: dict[str, dict[str, Any]] = {}  # host -> the first failure outside the module (before it ran)
        self.started = datetime.datetime.now(datetime.UTC)

    # -- collecting --------------------------------------------------------------------------------------

    @staticmethod
    def _is_ours(result: Any) -> bool:
        task = result._task
        names = {getattr(task, "action", ""), getattr(task, "resolved_action", None) or ""}
        return bool(names & MODULE_NAMES)

    def _record(self, result: Any, status: str) -> None:
        host = result._host.get_name()
        data = dict(result._result)
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
            return "rolled back" if row.get("rolled_back") else f"failed ({_text(row.get('step'))})"
        if row["check"]:
            return "would change" if row["would_change"] else "unchanged"
        return "updated" if row["changed"] else "unchanged"

    def _lines(self, hosts: list[str]) -> list[str]:
        lines = [f"{'HOST':<16} {'RESULT':<14} {'IIS':<5} {'METHOD':<17} {'OUTAGE':>7}  MESSAGE"]
        for host in hosts:
            row = self.rows.get(host)
            if row is None:
                other = self.other.get(host)
                if other is None:
                    lines.append(f"{host:<16} {'not run':<14} {'-':<5} {'-':<17} {'-':>7}  no component task ran")
                    continue
                why = _text(other.get("msg"), "no message")
                what = "unreachable" if other["status"] == "unreachable" else "failed before"
                lines.append(f"{host:<16} {what:<14} {'-':<5} {'-':<17} {'-':>7}  {other['task']}: {why}"[:240])
                continue
            reached = row["status"] != "unreachable"
            outage = row.get("outage_seconds") if reached else None
            outage_text = f"{float(outage):.1f}s" if isinstance(outage, (int, float)) else "-"
            method = _text(row.get("method")) if reached else "-"
            lines.append(
                f"{host:<16} {self._outcome(row):<14} {_text(row.get('iis_version')):<5} "
                f"{method:<17} {outage_text:>7}  {_text(row.get('msg'), '')}"[:240]
            )
        return lines

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

    def v2_playbook_on_stats(self, stats: Any) -> None:
        hosts = sorted(set(stats.processed) | set(self.rows) | set(self.other))
        if not hosts:
            return
        self._display.banner("ROLLOUT SUMMARY (legacy_iis.iis4)")
        for line in self._lines(hosts):
            self._display.display(line)
        audit_dir = self.get_option("audit_dir")
        if audit_dir:
            os.makedirs(audit_dir, mode=0o750, exist_ok=True)
            stamp = self.started.strftime("%Y%m%dT%H%M%SZ")
            for host in hosts:
                path = os.path.join(audit_dir, f"{host}-{stamp}.json")
                with open(path, "w", encoding="utf-8") as handle:
                    json.dump(self._audit(host, stats), handle, indent=2, sort_keys=True)
                    handle.write("\n")

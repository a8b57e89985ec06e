# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin legacy_iis.iis4.component_update_report: the report step of the component_update role.

One task per host, on the controller (it never connects to the host): the host's report from the module's dry
run and real run, its audit record, its job artifact, and the status Ansible gives the host - a host the module
could not reach is reported as unreachable, so the recap, ``ignore_unreachable``, ``max_fail_percentage`` and
AWX (``dark``) see it as such.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.legacy_iis.iis4.plugins.filter.component_update import (
    component_update_outcome,
    write_audit_record,
)

_OUTCOME_ARGS = ("plan", "entries", "failure", "drained_before", "refused", "version_regex", "audit_dir")


def _who(task_vars: dict[str, Any]) -> str:
    """Who ran the rollout: the AWX user when AWX launched it, else the controller's login."""
    name = task_vars.get("awx_user_name") or task_vars.get("tower_user_name")
    if name:
        return str(name)
    try:
        return os.environ.get("USER") or os.environ.get("LOGNAME") or getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name is not an error
        return ""


def _commands(report: dict[str, Any], plan: dict[str, Any]) -> str:
    """What the update would run on the host, per component that would change (check mode)."""
    lines = []
    comps = list(plan.get("components") or [plan])
    for i, comp in enumerate(comps):
        if not comp.get("changed"):
            continue
        dest = comp.get("dest") or (report["components"][i]["dest"] if i < len(report["components"]) else "")
        lines.append(f"{report['host']}: {dest} would be replaced ({comp.get('method') or '-'}); it would run:")
        lines += [f"  {c}" for c in comp.get("commands") or []]
        if comp.get("fallback_commands"):
            lines.append("  and if unloading does not free the DLL:")
            lines += [f"  {c}" for c in comp["fallback_commands"]]
    return "\n".join(lines) + "\n" if lines else ""


def _describe(entry: dict[str, Any] | None) -> str:
    """A file as the module's diff shows it: its size and date."""
    if not entry:
        return "(absent)\n"
    return f"size: {entry.get('size')}\nmodified: {entry.get('mtime') or ''}\n"


def _file_diffs(plan: dict[str, Any]) -> list[dict[str, str]]:
    """The module's diff of each component that would change: the DLL in place against the new one."""
    return [
        {
            "before_header": str((comp.get("old") or {}).get("path") or comp.get("dest") or ""),
            "after_header": str((comp.get("new") or {}).get("path") or comp.get("src") or ""),
            "before": _describe(comp.get("old")),
            "after": _describe(comp.get("new")),
        }
        for comp in plan.get("components") or [plan]
        if comp.get("changed")
    ]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("apply", "refuse", *_OUTCOME_ARGS))

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        host = task_vars.get("inventory_hostname", "")
        check_mode = bool(self._play_context.check_mode)
        if args.get("refuse"):
            # The capacity floor or the drain steps refused the host: the rescue reports it; say why here.
            result.update(failed=True, changed=False, msg=str(args.get("failure") or "refused"))
            return result
        plan = args.get("plan") or {}
        outcome = component_update_outcome(
            args.get("apply") or {},
            plan,
            args.get("entries") or [],
            host=host,
            failure=str(args.get("failure") or ""),
            check_mode=check_mode,
            drained_before=boolean(args.get("drained_before") or False, strict=False),
            refused=boolean(args.get("refused") or False, strict=False),
            version_regex=str(args.get("version_regex") or ""),
            audit_dir=str(args.get("audit_dir") or ""),
        )
        report = outcome["report"]
        if report["audit_dir"] and not check_mode:
            write_audit_record(report, who=_who(task_vars), play=str(task_vars.get("ansible_play_name") or ""))
        result["changed"] = False
        if report["result"] == "unreachable":
            # Ansible's own status for the host (the recap's unreachable, AWX's dark); Ansible keeps no facts or
            # stats of such a result, so the report travels in the result itself.
            result.update(unreachable=True, msg=outcome["message"], component_update_report=report)
            return result
        result["ansible_facts"] = {
            "component_update_report": report,
            "component_update_summary": outcome["summary"],
            "component_update_drained": report["drained"],
            "_component_update_message": outcome["message"],
        }
        # What set_stats would hand over: AWX keeps it as the job's artifacts (merged over the hosts).
        result["ansible_stats"] = {
            "data": {"component_update_reports": {host: report}},
            "per_host": False,
            "aggregate": True,
        }
        result["msg"] = outcome["summary"]
        if check_mode and report["result"] == "would change":
            result["changed"] = True
            if self._play_context.diff:
                result["diff"] = [*_file_diffs(plan), {"prepared": _commands(report, plan)}]
        return result

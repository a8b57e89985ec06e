# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin legacy_iis.iis4.component_update_report: the report step of the component_update role.

One task per host, on the controller: the host's report from the module's dry run and real run, its audit record,
its job artifact, and the status Ansible gives the host - a host the module could not reach is reported as
unreachable, so the recap, ``ignore_unreachable``, ``max_fail_percentage`` and AWX (``dark``) see it as such.

With ``update`` (the iis4_component options of the real run) the same task first runs that update, as the module's
action plugin would (same connection handling, same result), unless the run is a check run, the host was refused
(``refuse``, ``hooks_missed``: it then fails with ``failure``) or the dry run could not reach it: a rollout without
drain steps then costs one task per host for the update and its report instead of two. A failed update fails the
task with the module's result (the role's rescue reports it); otherwise the result is the module's, with the
report's facts and artifact added.
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component import (
    WinRMAction,
    _without_nulls,
    unreachable_as_such,
)
from ansible_collections.legacy_iis.iis4.plugins.filter.component_update import (
    component_update_entries,
    component_update_left_drained,
    component_update_outcome,
    write_audit_record,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import FULL_SPEC, SPEC_KWARGS
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout

display = Display()

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


class ActionModule(WinRMAction):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("apply", "refuse", "update", "hooks_missed", "role_vars", *_OUTCOME_ARGS))

    def _role_args(self, task_vars: dict[str, Any]) -> dict[str, Any]:
        """The options of the role's update step (``role_vars``), from the role's variables as the host has them:
        what roles/component_update/tasks/main.yml and update.yml would template, in Python. Ansible compiles every
        template of a task again in each host's worker, so a dozen small templates cost a rollout of many hosts
        more than reading the variables here. Keep it in step with those files (the rescue still uses them)."""
        missing = object()

        def var(name: str, default: Any = None) -> Any:
            value = task_vars.get(name, missing)
            return default if value is missing else self._templar.template(value)

        host = str(task_vars.get("inventory_hostname", ""))
        # a registered result and a fact of this play: data, not templates
        plan = task_vars.get("_component_update_plan") or {}
        capacity = task_vars.get("_component_update_capacity") or {}
        refused = host in (capacity.get("refused") or [])
        hooks_wanted = len(f"{var('component_update_drain_tasks', '')}{var('component_update_undrain_tasks', '')}") > 0
        check_mode = bool(self._play_context.check_mode)
        audit_dir = var("component_update_audit_dir", "")
        drained = var("component_update_drained", missing)
        if drained is not missing:
            drained_before = boolean(drained, strict=False)
        else:
            drained_before = boolean(var("component_update_assume_drained", False), strict=False) or (
                component_update_left_drained(host, audit_dir)
            )
        state = var("component_update_state", "present")
        entries = component_update_entries(
            var("component_update_components", []), var("component_update_health_base_url"), state, plan
        )
        return {
            "update": {
                "components": entries,
                "state": state,
                "verify_retries": var("component_update_health_retries"),
                "verify_delay": var("component_update_health_delay"),
                "verify_timeout": var("component_update_health_timeout"),
                "verify_validate_certs": var("component_update_health_validate_certs"),
                "rollback": var("component_update_rollback_on_health_failure"),
            },
            "refuse": refused,
            # never without the drain and undrain steps this host's inventory asks for (see main.yml)
            "hooks_missed": hooks_wanted and not check_mode and not refused and not plan.get("unreachable", False),
            "failure": capacity.get("reason") if refused else var("_component_update_hooks_text", ""),
            "plan": plan,
            "drained_before": drained_before,
            "version_regex": var("component_update_version_regex", ""),
            "audit_dir": audit_dir,
        }

    def _update(self, options: dict[str, Any], task_vars: dict[str, Any]) -> dict[str, Any]:
        """The real run of iis4_component with ``options``, as its action plugin runs it."""
        checked = ArgumentSpecValidator(FULL_SPEC, **SPEC_KWARGS).validate(options)
        if checked.error_messages:
            return {"failed": True, "changed": False, "msg": "invalid input: " + "; ".join(checked.error_messages)}
        params = checked.validated_parameters
        result: dict[str, Any] = {}
        runner = self._winrm_runner(params, task_vars, result)
        if runner is None:
            return result
        host = task_vars.get("inventory_hostname", runner.options.host)

        def progress(text: str) -> None:
            display.v(f"iis4_component: {text}", host=host)

        outcome = run_rollout(params, runner, diff=bool(self._play_context.diff), progress=progress)
        result.update(_without_nulls(outcome))
        return unreachable_as_such(result)

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        if boolean(args.pop("role_vars", False), strict=False):
            args = {**self._role_args(task_vars), **args}
        host = task_vars.get("inventory_hostname", "")
        check_mode = bool(self._play_context.check_mode)
        refuse = boolean(args.get("refuse") or False, strict=False)
        hooks_missed = boolean(args.get("hooks_missed") or False, strict=False)
        if refuse or hooks_missed:
            # The capacity floor or the drain steps refused the host: the rescue reports it; say why here.
            result.update(failed=True, changed=False, msg=str(args.get("failure") or "refused"))
            if hooks_missed:
                result["hooks_missed"] = True
            return result
        plan = args.get("plan") or {}
        update = args.get("update")
        apply = args.get("apply") or {}
        entries = args.get("entries") or []
        if update:
            entries = list(update.get("components") or [])
            if not check_mode and not plan.get("unreachable") and not plan.get("failed"):
                apply = self._update(dict(update), task_vars)
                if apply.get("failed"):
                    # The rescue reports the host (and fails it) from this result, as from the module's task.
                    result.update(apply)
                    return result
        outcome = component_update_outcome(
            apply,
            plan,
            entries,
            host=host,
            failure="" if update else str(args.get("failure") or ""),
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
        if update:
            # the module's result of the update (changed, what it did); the report's facts come on top
            result.update({k: v for k, v in apply.items() if k not in ("ansible_facts", "ansible_stats")})
            result["changed"] = bool(apply.get("changed"))
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
        if apply.get("msg") and update:
            result["module_msg"] = apply["msg"]
        result["msg"] = outcome["summary"]
        if check_mode and report["result"] == "would change":
            result["changed"] = True
            if self._play_context.diff:
                result["diff"] = [*_file_diffs(plan), {"prepared": _commands(report, plan)}]
        return result

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for legacy_iis.iis4.iis4_component_info: reads the host from the controller, changing nothing.

The connection is built exactly as for legacy_iis.iis4.iis4_component (the task's ``winrm`` connection plugin
and its option handling; see that action plugin); only what is sent differs: read-only questions
(``plugins/module_utils/info.py``).  Check mode changes nothing here either, so the task runs the same way.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component import _WINRM_CONNECTIONS
from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component import ActionModule as ComponentAction
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import UNREACHABLE_KINDS, HostError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.info import (
    INFO_FULL_SPEC,
    INFO_SPEC_KWARGS,
    info_accepted_names,
    run_info,
)

display = Display()
MODULE = "legacy_iis.iis4.iis4_component_info"


class ActionModule(ComponentAction):
    TRANSFERS_FILES = False
    _VALID_ARGS = info_accepted_names()

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super(ComponentAction, self).run(tmp, task_vars)  # ActionBase.run: the common checks
        del tmp

        validated = ArgumentSpecValidator(INFO_FULL_SPEC, **INFO_SPEC_KWARGS).validate(dict(self._task.args))
        if validated.error_messages:
            raise AnsibleActionFail("invalid input: " + "; ".join(validated.error_messages))
        params = validated.validated_parameters

        connection = self._connection_name()
        if params.get("winrm_host") and connection not in _WINRM_CONNECTIONS:
            result.update(self._execute_module(module_name=MODULE, task_vars=task_vars))
            return result
        if connection not in _WINRM_CONNECTIONS and not params.get("winrm_host"):
            raise AnsibleActionFail(
                f"{MODULE} talks WinRM to the host, but this host's connection is {connection!r}; set "
                "ansible_connection=winrm for it, or pass winrm_host and the other winrm_* options"
            )
        if params.get("winrm_host"):
            options = ConnectionOptions.from_module_params(params)
        else:
            options = self._connection_options(task_vars)
            if params.get("allow_unencrypted"):
                options.allow_unencrypted = True
        try:
            runner = WinRMRunner(options)
        except HostError as exc:
            result.update(changed=False, msg=str(exc), step="connect", error_kind=exc.kind)
            result.update({"unreachable": True} if exc.kind in UNREACHABLE_KINDS else {"failed": True})
            return result
        host = task_vars.get("inventory_hostname", options.host)
        display.vvv(f"IIS4 COMPONENT INFO: {options.endpoint} transport={options.transport}", host=host)

        def progress(text: str) -> None:
            display.v(f"iis4_component_info: {text}", host=host)

        outcome = run_info(params, runner, progress=progress)
        result.update(outcome)
        result["changed"] = False
        if outcome.get("error_kind") in UNREACHABLE_KINDS:
            result.pop("failed", None)
            result["unreachable"] = True
        return result

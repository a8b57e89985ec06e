# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for legacy_iis.iis4.iis4_component_info: reads the host from the controller, changing nothing.

The connection is built exactly as for legacy_iis.iis4.iis4_component, through the same adapter of the task's
``winrm`` connection plugin and its option handling; only what is sent differs: read-only questions
(``plugins/module_utils/info.py``).  Check mode changes nothing here either, so the task runs the same way.
"""

from __future__ import annotations

from typing import Any

from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_plugin import WinRMPlugin
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


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = info_accepted_names()

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)  # ActionBase.run: the common checks
        del tmp

        try:
            _validated, params = self.validate_argument_spec(INFO_FULL_SPEC, **INFO_SPEC_KWARGS)
        except AnsibleActionFail as exc:
            raise AnsibleActionFail(f"invalid input: {exc.message}") from None

        plugin = WinRMPlugin(self._connection)
        if params.get("winrm_host") and not plugin.is_winrm:
            result.update(self._execute_module(module_name=MODULE, task_vars=task_vars))
            return result
        if not plugin.is_winrm and not params.get("winrm_host"):
            raise AnsibleActionFail(
                f"{MODULE} talks WinRM to the host, but this host's connection is {plugin.name!r}; set "
                "ansible_connection=winrm for it, or pass winrm_host and the other winrm_* options"
            )
        if params.get("winrm_host"):
            options = ConnectionOptions.from_module_params(params)
        else:
            options = plugin.connection_options(
                lambda: boolean(
                    plugin.extra_var(task_vars, "allow_unencrypted", self._templar.template, False), strict=False
                )
            )
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

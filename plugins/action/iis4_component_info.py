# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for legacy_iis.iis4.iis4_component_info: reads the host from the controller, changing nothing.

The connection is built exactly as for legacy_iis.iis4.iis4_component, through the same adapter of the task's
``winrm`` connection plugin and its option handling; only what is sent differs: read-only questions
(``plugins/module_utils/info.py``).  Check mode changes nothing here either, so the task runs the same way.
"""

from __future__ import annotations

from typing import Any

from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.action.iis4_component import WinRMAction, unreachable_as_such
from ansible_collections.legacy_iis.iis4.plugins.module_utils.info import (
    INFO_FULL_SPEC,
    INFO_SPEC_KWARGS,
    info_accepted_names,
    run_info,
)

display = Display()


class ActionModule(WinRMAction):
    MODULE = "legacy_iis.iis4.iis4_component_info"
    TRANSFERS_FILES = False
    _VALID_ARGS = info_accepted_names()

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result, params, runner = self._open(tmp, task_vars, INFO_FULL_SPEC, INFO_SPEC_KWARGS)
        if runner is None:
            return result
        options = runner.options
        host = task_vars.get("inventory_hostname", options.host)
        display.vvv(f"IIS4 COMPONENT INFO: {options.endpoint} transport={options.transport}", host=host)

        def progress(text: str) -> None:
            display.v(f"iis4_component_info: {text}", host=host)

        result.update(run_info(params, runner, progress=progress))
        result["changed"] = False
        return unreachable_as_such(result)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin for legacy_iis.iis4.iis4_component: runs the update from the controller.

NT 4.0 has no PowerShell, so nothing is executed on the host the way ordinary Windows modules are. Instead
this plugin lets the task's ``winrm`` connection plugin build its connection settings with its own option
handling (every ``ansible_winrm_*`` variable, the transport list and default, proxy, certificates, Kerberos
with a managed kinit, CredSSP, timeouts) and drives a WinRS cmd shell with pywinrm on them.  Plays, ad-hoc
commands and AWX job templates all come through here.

When explicit ``winrm_host`` options are given and the task's connection is not WinRM (for example
``delegate_to`` a Linux host), the module file is executed there instead and does the same work.
"""

from __future__ import annotations

from typing import Any

# The page check's HTTP client (verify.fetch_url imports it late). Imported here, it is loaded once in the
# controller's main process, which loads this action plugin before it forks a worker per host and task, instead of
# in every worker.
# pylint: disable-next=unused-import
import ansible.module_utils.urls  # noqa: F401
from ansible.errors import AnsibleActionFail
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_plugin import WinRMPlugin
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import FULL_SPEC, SPEC_KWARGS, accepted_names
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import UNREACHABLE_KINDS, HostError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from ansible_collections.legacy_iis.iis4.plugins.module_utils.verify import tls_context

display = Display()

# The page checks' TLS context (with certificate validation, the default), made here once, in the controller's main
# process: every host's worker inherits it instead of loading the CA certificates again (verify.tls_context).
tls_context(True)


def _without_nulls(value: Any) -> Any:
    """The result without keys whose value is None (the -v and ad-hoc output shows what happened, not what did
    not); lists and the dicts in them too."""
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def unreachable_as_such(result: dict[str, Any]) -> dict[str, Any]:
    """A result whose error means the host cannot be reached, in Ansible's own word for it: the recap,
    ignore_unreachable and AWX rely on ``unreachable``, not ``failed``."""
    if result.get("error_kind") in UNREACHABLE_KINDS:
        result.pop("failed", None)
        result["unreachable"] = True
    return result


class WinRMAction(ActionBase):
    """What the collection's action plugins share: the WinRS runner for the task, from the task's winrm
    connection plugin (or from explicit winrm_* options)."""

    MODULE = "legacy_iis.iis4.iis4_component"

    def _open(
        self, tmp: Any, task_vars: dict[str, Any], spec: dict[str, Any], spec_kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any], WinRMRunner | None]:
        """How every task of the collection begins: ActionBase's own checks, the options validated against
        ``spec`` (a bad one fails the task as "invalid input: ..."), then the runner for the task.

        Returns ``(result, params, runner)``; with ``runner`` None the result already says what happened (see
        :meth:`_winrm_runner`) and is the task's result as it is."""
        result = super().run(tmp, task_vars)
        try:
            _validated, params = self.validate_argument_spec(spec, **spec_kwargs)
        except AnsibleActionFail as exc:
            raise AnsibleActionFail(f"invalid input: {exc.message}") from None
        return result, params, self._winrm_runner(params, task_vars, result)

    def _winrm_runner(
        self, params: dict[str, Any], task_vars: dict[str, Any], result: dict[str, Any]
    ) -> WinRMRunner | None:
        """The runner, or None when ``result`` already says what happened: the module file did the work on a
        host whose connection is not WinRM (explicit winrm_* options), or the host could not be reached."""
        plugin = WinRMPlugin(self._connection)
        if params.get("winrm_host") and not plugin.is_winrm:
            # Explicit connection options on a non-WinRM host: the module file does the work there.
            result.update(self._execute_module(module_name=self.MODULE, task_vars=task_vars))
            return None
        if not plugin.is_winrm and not params.get("winrm_host"):
            raise AnsibleActionFail(
                f"{self.MODULE} talks WinRM to the host, but this host's connection is {plugin.name!r}; "
                "set ansible_connection=winrm for it, or pass winrm_host and the other winrm_* options"
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
            return WinRMRunner(options)
        except HostError as exc:
            result.update(changed=False, msg=str(exc), step="connect", error_kind=exc.kind)
            result.update({"unreachable": True} if exc.kind in UNREACHABLE_KINDS else {"failed": True})
            return None


class ActionModule(WinRMAction):
    TRANSFERS_FILES = False
    _VALID_ARGS = accepted_names()

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        unknown = sorted(set(self._task.args) - self._VALID_ARGS)
        if unknown:
            # Ansible's own check would name the bad options only; say which ones exist.
            raise AnsibleActionFail(
                f"unknown option(s) {', '.join(unknown)}; the supported options are {', '.join(sorted(FULL_SPEC))}"
            )
        result, params, runner = self._open(tmp, task_vars, FULL_SPEC, SPEC_KWARGS)
        if runner is None:
            return result
        options = runner.options
        display.vvv(f"IIS4 COMPONENT: {options.endpoint} transport={options.transport}", host=options.host)
        # The play context already merges task-level check_mode/diff over the play's and the command line's.
        check_mode = bool(self._play_context.check_mode)
        diff = bool(self._play_context.diff)
        host = task_vars.get("inventory_hostname", options.host)

        def progress(text: str) -> None:
            # Shown as it happens (the worker's display reaches the controller at once), not after the task.
            display.v(f"iis4_component: {text}", host=host)

        outcome = run_rollout(params, runner, check_mode=check_mode, diff=diff, progress=progress)
        result.update(_without_nulls(outcome))
        return unreachable_as_such(result)

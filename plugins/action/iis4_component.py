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

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import FULL_SPEC, SPEC_KWARGS, accepted_names
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import UNREACHABLE_KINDS, HostError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout

display = Display()

_WINRM_CONNECTIONS = {"winrm", "ansible.builtin.winrm", "ansible.legacy.winrm"}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = accepted_names()

    def _connection_name(self) -> str:
        conn = self._connection
        return getattr(conn, "_load_name", None) or getattr(conn, "transport", "") or ""

    def _option(self, name: str, default: Any = None) -> Any:
        try:
            value = self._connection.get_option(name)
        except KeyError:
            return default
        return default if value is None else value

    def _connection_options(self, task_vars: dict[str, Any]) -> ConnectionOptions:
        """The connection exactly as ``ansible.builtin.winrm`` would make it: its own option handling builds the
        endpoint, the transport list (and its default choice), and every pywinrm argument it passes on
        (``ansible_winrm_proxy``, ``no_proxy``, ``cert_pem``/``cert_key_pem``, ``kerberos_delegation``,
        ``kerberos_hostname_override``, ``credssp_*``, ``send_cbt``, ``service``, timeouts, any other
        ``ansible_winrm_*`` pywinrm accepts); its managed kinit runs before a Kerberos attempt."""
        conn = self._connection
        conn._build_winrm_kwargs()  # what the plugin's _connect does first (ansible-core 2.19 and later)
        kwargs = dict(conn._winrm_kwargs)
        user, password = kwargs.pop("username", None), kwargs.pop("password", None)
        transports = tuple(t for t in (conn._winrm_transport or []) if t) or ("ntlm",)
        timeout = getattr(conn, "_winrm_connection_timeout", None)
        if timeout:
            kwargs["operation_timeout_sec"], kwargs["read_timeout_sec"] = timeout, timeout + 10
        kinit = None
        if getattr(conn, "_kerb_managed", False):

            def kinit() -> None:
                conn._kerb_auth(user, password)

        return ConnectionOptions(
            host=conn._winrm_host,
            port=int(conn._winrm_port) if conn._winrm_port else None,
            user=user,
            password=password,
            transport=transports[0],
            transports=transports,
            scheme=conn._winrm_scheme,
            path=conn._winrm_path or "/wsman",
            server_cert_validation=str(kwargs.pop("server_cert_validation", "validate")),
            ca_trust_path=kwargs.pop("ca_trust_path", None),
            message_encryption=str(kwargs.pop("message_encryption", "auto")),
            operation_timeout=int(kwargs.pop("operation_timeout_sec", 20)),
            read_timeout=int(kwargs.pop("read_timeout_sec", 30)),
            allow_unencrypted=boolean(self._extra_var(task_vars, "allow_unencrypted", False), strict=False),
            extra=kwargs,
            before_kerberos=kinit,
        )

    def _extra_var(self, task_vars: dict[str, Any], name: str, default: Any = None) -> Any:
        """An ``ansible_winrm_<name>`` variable (the winrm plugin's ``_extras``), templated."""
        extras = self._option("_extras", {}) or {}
        value = extras.get(f"ansible_winrm_{name}", task_vars.get(f"ansible_winrm_{name}"))
        if value is None:
            return default
        return self._templar.template(value) if isinstance(value, str) else value

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        task_vars = task_vars or {}
        result = super().run(tmp, task_vars)
        del tmp

        args = dict(self._task.args)
        validator = ArgumentSpecValidator(FULL_SPEC, **SPEC_KWARGS)
        validated = validator.validate(args)
        if validated.error_messages:
            raise AnsibleActionFail("invalid input: " + "; ".join(validated.error_messages))
        params = validated.validated_parameters

        connection = self._connection_name()
        if params.get("winrm_host") and connection not in _WINRM_CONNECTIONS:
            # Explicit connection options on a non-WinRM host: the module file does the work there.
            result.update(self._execute_module(module_name="legacy_iis.iis4.iis4_component", task_vars=task_vars))
            return result
        if connection not in _WINRM_CONNECTIONS and not params.get("winrm_host"):
            raise AnsibleActionFail(
                f"legacy_iis.iis4.iis4_component talks WinRM to the host, but this host's connection is {connection!r}; "  # noqa: E501
                "set ansible_connection=winrm for it, or pass winrm_host and the other winrm_* options"
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
        display.vvv(f"IIS4 COMPONENT: {options.endpoint} transport={options.transport}", host=options.host)
        # The play context already merges task-level check_mode/diff over the play's and the command line's.
        check_mode = bool(self._play_context.check_mode)
        diff = bool(self._play_context.diff)
        host = task_vars.get("inventory_hostname", options.host)

        def progress(text: str) -> None:
            # Shown as it happens (the worker's display reaches the controller at once), not after the task.
            display.v(f"iis4_component: {text}", host=host)

        outcome = run_rollout(params, runner, check_mode=check_mode, diff=diff, progress=progress)
        result.update(outcome)
        if outcome.get("error_kind") in UNREACHABLE_KINDS:
            # Ansible's own word for a host it cannot talk to: the recap, ignore_unreachable and AWX rely on it.
            result.pop("failed", None)
            result["unreachable"] = True
        return result

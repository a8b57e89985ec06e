# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugin needs from the task's ``ansible.builtin.winrm`` connection, in one place.

The connection plugin's own option handling builds the endpoint, the transport list (and its default choice)
and every pywinrm argument it passes on (``ansible_winrm_proxy``, ``no_proxy``, ``cert_pem``/``cert_key_pem``,
``kerberos_delegation``, ``kerberos_hostname_override``, ``credssp_*``, ``send_cbt``, ``service``, timeouts, any
other ``ansible_winrm_*`` pywinrm accepts); its managed kinit runs before a Kerberos attempt.  Those are private
attributes of that plugin (ansible-core 2.19 and later): :class:`WinRMPlugin` is the only code that reads them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .winrm_runner import ConnectionOptions

#: The names the task's connection goes by when it is the winrm plugin.
WINRM_CONNECTIONS = frozenset({"winrm", "ansible.builtin.winrm", "ansible.legacy.winrm"})


class WinRMPlugin:
    """The task's connection plugin, as this collection uses it."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    @property
    def name(self) -> str:
        conn = self.connection
        return getattr(conn, "_load_name", None) or getattr(conn, "transport", "") or ""

    @property
    def is_winrm(self) -> bool:
        return self.name in WINRM_CONNECTIONS

    def option(self, name: str, default: Any = None) -> Any:
        try:
            value = self.connection.get_option(name)
        except KeyError:
            return default
        return default if value is None else value

    def extra_var(
        self, task_vars: dict[str, Any], name: str, template: Callable[[Any], Any], default: Any = None
    ) -> Any:
        """An ``ansible_winrm_<name>`` variable (the plugin's ``_extras``), templated."""
        extras = self.option("_extras", {}) or {}
        value = extras.get(f"ansible_winrm_{name}", task_vars.get(f"ansible_winrm_{name}"))
        if value is None:
            return default
        return template(value) if isinstance(value, str) else value

    def connection_options(self, allow_unencrypted: Callable[[], bool]) -> ConnectionOptions:
        """The connection exactly as the winrm plugin would make it (what its ``_connect`` does first)."""
        conn = self.connection
        conn._build_winrm_kwargs()
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
            allow_unencrypted=allow_unencrypted(),
            extra=kwargs,
            before_kerberos=kinit,
        )

"""The one place that reads the winrm connection plugin: a stand-in with the attributes ansible.builtin.winrm sets
when it builds its pywinrm arguments."""

from __future__ import annotations

from typing import Any

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_plugin import WinRMPlugin


class WinrmConnection:
    """What ansible.builtin.winrm holds after ``_build_winrm_kwargs`` (ansible-core 2.19)."""

    _load_name = "ansible.builtin.winrm"

    def __init__(self, kwargs: dict[str, Any], options: dict[str, Any] | None = None, managed: bool = False) -> None:
        self.kwargs = kwargs
        self.options = options or {}
        self._kerb_managed = managed
        self.kinits: list[tuple[Any, Any]] = []

    def _build_winrm_kwargs(self) -> None:
        self._winrm_kwargs = dict(self.kwargs)
        self._winrm_host, self._winrm_port, self._winrm_scheme, self._winrm_path = "10.0.0.4", 5986, "https", None
        self._winrm_transport = ["kerberos", "ntlm"]
        self._winrm_connection_timeout = 40

    def _kerb_auth(self, user: Any, password: Any) -> None:
        self.kinits.append((user, password))

    def get_option(self, name: str) -> Any:
        if name not in self.options:
            raise KeyError(name)
        return self.options[name]


def test_the_connection_is_made_as_the_winrm_plugin_would_make_it():
    conn = WinrmConnection(
        {"username": "admin", "password": "pw", "server_cert_validation": "ignore", "proxy": "http://p:3128"},
        managed=True,
    )
    plugin = WinRMPlugin(conn)
    assert plugin.is_winrm and plugin.name == "ansible.builtin.winrm"
    options = plugin.connection_options(lambda: True)
    assert (options.host, options.port, options.scheme, options.path) == ("10.0.0.4", 5986, "https", "/wsman")
    assert options.transport == "kerberos" and options.transports == ("kerberos", "ntlm")
    assert (options.user, options.password) == ("admin", "pw")
    assert options.server_cert_validation == "ignore" and options.extra == {"proxy": "http://p:3128"}
    assert (options.operation_timeout, options.read_timeout) == (40, 50) and options.allow_unencrypted
    options.before_kerberos()
    assert conn.kinits == [("admin", "pw")]


def test_an_extra_winrm_variable_is_templated_and_a_missing_option_has_its_default():
    conn = WinrmConnection({}, options={"_extras": {"ansible_winrm_allow_unencrypted": "{{ yes }}"}})
    plugin = WinRMPlugin(conn)
    assert plugin.extra_var({}, "allow_unencrypted", lambda v: "true" if v == "{{ yes }}" else v) == "true"
    assert plugin.extra_var({"ansible_winrm_other": 3}, "other", str) == 3
    assert plugin.option("missing", "default") == "default"


def test_a_connection_that_is_not_winrm_is_named():
    class Ssh:
        transport = "ssh"

    assert WinRMPlugin(Ssh()).name == "ssh" and not WinRMPlugin(Ssh()).is_winrm

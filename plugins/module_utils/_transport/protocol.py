# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pywinrm's ``Protocol`` for one run, from the runner's connection options: every request counted, and a
session that reads the environment once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    import winrm
except ImportError:  # pragma: no cover - the runner reports it before it asks for a protocol
    winrm = None


def make_protocol(o: Any, on_request: Callable[[], None]) -> Any:
    """A ``winrm.Protocol`` for the options ``o`` (``ConnectionOptions``); ``on_request`` is called before every
    WS-Management request."""
    kwargs: dict[str, Any] = {
        "endpoint": o.endpoint,
        "transport": o.transport,
        "username": o.user,
        "password": o.password,
        "server_cert_validation": o.server_cert_validation,
        "message_encryption": o.message_encryption,
        "operation_timeout_sec": o.operation_timeout,
        "read_timeout_sec": max(o.read_timeout, o.operation_timeout + 5),
    }
    if o.ca_trust_path:
        kwargs["ca_trust_path"] = o.ca_trust_path
    kwargs.update(o.extra)
    if o.transport == "kerberos" and o.before_kerberos is not None:
        o.before_kerberos()  # the winrm connection plugin's managed kinit (a ticket of its own)
    protocol = winrm.Protocol(**kwargs)
    send = protocol.send_message

    def counted(message: Any) -> Any:
        on_request()
        return send(message)

    protocol.send_message = counted
    protocol.transport.build_session = _reading_environment_once(protocol.transport.build_session)
    return protocol


def _reading_environment_once(build: Callable[[], Any]) -> Callable[[], Any]:
    """pywinrm's ``build_session``, after which requests no longer reads the environment on every request.

    As it builds the session, pywinrm merges the environment's proxy settings (``NO_PROXY`` included) and CA
    bundle for this endpoint into it; requests would then walk the environment again on each request for the same
    answer (a few milliseconds of a worker's CPU per request, ~20 requests per host)."""

    def build_session() -> Any:
        session = build()
        session.trust_env = False
        return session

    return build_session

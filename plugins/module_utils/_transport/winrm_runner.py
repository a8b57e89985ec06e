# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One WinRS ``cmd`` shell per run, and the command runner on top of it.

The host is Windows NT 4.0: there is no PowerShell, so every command is a cmd.exe command line.  The runner
keeps one shell open for the whole run, counts the WS-Management requests it makes, timestamps the output
as it streams in (the only way to see when things happened inside one long command line), and never lets a
password reach an error message.
"""

from __future__ import annotations

import contextlib
import math
import time
from dataclasses import dataclass, field
from typing import Any

from ..errors import HostError
from .protocol import make_protocol

try:
    import requests.exceptions as requests_exceptions
    from winrm.exceptions import InvalidCredentialsError, WinRMError, WinRMOperationTimeoutError, WinRMTransportError

    HAS_WINRM = True
    WINRM_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the callers
    HAS_WINRM = False
    WINRM_IMPORT_ERROR = str(exc)

CODEPAGE = 437  # the OEM code page of a US-English NT 4.0 console
#: Commands one shell runs before the runner opens a new one.  WinRM counts every Command against the user's
#: operation quota (winrm/config/Service MaxConcurrentOperationsPerUser: 15 by default on WinRM 2.0, Windows 7 /
#: Server 2008 R2 and WMF 2.0 on XP/2003; 1500 from Windows 8 / 2012), and a Signal terminate does not lower that
#: count for a text-based command shell (MS-WSMV, Appendix B, product behavior note <118>): only deleting the shell
#: frees it.  Two short of 15, as the WinRM Ruby gem does below its own limit: the shell's own Create, and a spare.
COMMANDS_PER_SHELL = 13


@dataclass
class ConnectionOptions:
    host: str
    port: int | None = None
    user: str | None = None
    password: str | None = None
    transport: str = "ntlm"
    scheme: str | None = None
    path: str = "/wsman"
    server_cert_validation: str = "validate"
    ca_trust_path: str | None = None
    message_encryption: str = "auto"
    operation_timeout: int = 20
    read_timeout: int = 30
    allow_unencrypted: bool = False
    # From the winrm connection plugin: every transport to try in order (Ansible's list, or its default choice),
    # the other pywinrm Protocol arguments it passes (proxy, no_proxy, cert_pem, cert_key_pem, kerberos_*,
    # credssp_*, send_cbt, service, ...), and its managed kinit, run before a Kerberos attempt.
    transports: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    before_kerberos: Any = None

    @classmethod
    def from_module_params(cls, params: dict) -> ConnectionOptions:
        """From the module's explicit ``winrm_*`` options (used when it does not go through the inventory)."""
        return cls(
            host=params["winrm_host"],
            port=params.get("winrm_port"),
            user=params.get("winrm_user"),
            password=params.get("winrm_password"),
            transport=params.get("winrm_transport") or "ntlm",
            scheme=params.get("winrm_scheme"),
            path=params.get("winrm_path") or "/wsman",
            server_cert_validation=params.get("winrm_server_cert_validation") or "validate",
            ca_trust_path=params.get("winrm_ca_trust_path"),
            message_encryption=params.get("winrm_message_encryption") or "auto",
            operation_timeout=params.get("winrm_operation_timeout") or 20,
            read_timeout=params.get("winrm_read_timeout") or 30,
            allow_unencrypted=bool(params.get("allow_unencrypted")),
        )

    def resolved_scheme(self) -> str:
        if self.scheme:
            return self.scheme
        return "http" if self.resolved_port() == 5985 else "https"

    def resolved_port(self) -> int:
        if self.port:
            return int(self.port)
        return 5985 if self.scheme == "http" else 5986

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return f"{self.resolved_scheme()}://{host}:{self.resolved_port()}{self.path}"

    @property
    def transport_list(self) -> tuple[str, ...]:
        return self.transports or (self.transport,)

    def check(self) -> None:
        """Refuse insecure or impossible settings before any packet is sent."""
        if not self.host:
            raise HostError("bad_options", "no host to connect to (ansible_host / winrm_host is empty)")
        for transport in self.transport_list:
            self._check_transport(transport)

    def _check_transport(self, transport: str) -> None:
        if transport not in ("ntlm", "basic", "credssp", "ssl", "plaintext", "kerberos", "certificate"):
            raise HostError("bad_options", f"unsupported WinRM transport {transport!r}")
        if self.server_cert_validation not in ("validate", "ignore"):
            raise HostError("bad_options", "server_cert_validation must be 'validate' or 'ignore'")
        if self.message_encryption not in ("auto", "always", "never"):
            raise HostError("bad_options", "message_encryption must be 'auto', 'always' or 'never'")
        unencrypted_http = self.resolved_scheme() == "http" and (
            transport in ("basic", "plaintext") or self.message_encryption == "never"
        )
        if unencrypted_http and not self.allow_unencrypted:
            raise HostError(
                "insecure",
                f"refusing to send credentials with transport {transport!r} over plain HTTP: "
                "use HTTPS (port 5986), NTLM with message encryption, or allow it (unsafe): "
                "ansible_winrm_allow_unencrypted=true for the host in the inventory, or the module's "
                "allow_unencrypted option",
            )


def _why_unreachable(exc: BaseException, text: str) -> str:
    """A connection failure in words that say what to check, instead of the HTTP client's own text."""
    low = text.lower()
    if "refused" in low or "errno 111" in low:
        return (
            "connection refused: nothing listens on that port. Check that WinRM runs on the host and that the "
            "port and scheme are right (ansible_port, ansible_winrm_scheme)"
        )
    if "name or service not known" in low or "nodename nor servname" in low or "getaddrinfo" in low:
        return "the host name does not resolve (check ansible_host)"
    if isinstance(exc, requests_exceptions.Timeout) or "timed out" in low:
        return (
            "no answer in time: the host is down or a firewall drops the port (ansible_port); a slow host may "
            "need a larger ansible_winrm_connection_timeout"
        )
    if "no route to host" in low or "network is unreachable" in low:
        return "no route to the host (check ansible_host and the network)"
    return text


@dataclass
class CommandResult:
    step: str
    command: str
    stdout: str
    stderr: str
    rc: int | None
    started: float  # time.monotonic() when the command was sent
    seconds: float
    chunks: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time received, stdout text)
    complete: bool = True  # False when the wait ended before the host said the command was done
    error: str | None = None  # transport error text that ended the wait, if any

    @property
    def output(self) -> str:
        """stdout and stderr together (the runner merges with 2>&1 where order matters)."""
        return self.stdout + (self.stderr if self.stderr else "")

    def time_of(self, text: str) -> float | None:
        """When the chunk holding ``text`` arrived (controller clock), or None."""
        seen = ""
        for t, chunk in self.chunks:
            seen += chunk
            if text in seen:
                return t
        return None


class WinRMRunner:
    """Runs cmd.exe command lines on one host through one WinRS shell."""

    def __init__(self, options: ConnectionOptions, secrets: list[str] | None = None) -> None:
        if not HAS_WINRM:
            raise HostError("missing_library", f"pywinrm is required on the controller: {WINRM_IMPORT_ERROR}")
        options.check()
        self.options = options
        self._secrets = [s for s in (secrets or []) + [options.password or ""] if s]
        self._protocol: Any = None
        self._shell_id: str | None = None
        self.requests = 0  # WS-Management HTTP requests sent (for the result and benchmarks)
        self.history: list[CommandResult] = []
        # A command was started in the current shell and the host has not said it ended.  Deleting the shell
        # would end it at once (MS-WSMV 3.1.4.4.1), half way through an outage: such a shell is abandoned
        # instead, and the host finishes the command and ends the shell after its idle timeout.
        self.command_running = False
        self.abandoned_shells = 0
        self.commands_in_shell = 0  # Commands sent in the current shell (see COMMANDS_PER_SHELL)
        self.shells_opened = 0

    # -- helpers -------------------------------------------------------------------------------------

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "********")
        return text

    def _protocol_obj(self) -> Any:
        if self._protocol is None:
            self._protocol = make_protocol(self.options, self._counted)
        return self._protocol

    def _counted(self) -> None:
        self.requests += 1

    def _translate(self, exc: BaseException) -> HostError:
        text = self.scrub(str(exc))
        endpoint = self.options.endpoint
        if isinstance(exc, InvalidCredentialsError):
            return HostError(
                "auth",
                f"{endpoint} refused the credentials of user {self.options.user!r} ({text}); check "
                "ansible_user / ansible_password and ansible_winrm_transport",
            )
        if isinstance(exc, requests_exceptions.SSLError):
            return HostError(
                "certificate",
                f"TLS certificate of {endpoint} is not trusted ({text}); "
                "set ansible_winrm_ca_trust_path to the CA that signed it "
                "(turning validation off is possible but unsafe)",
            )
        if isinstance(exc, (requests_exceptions.ConnectionError, requests_exceptions.Timeout)):
            return HostError("unreachable", f"cannot reach {endpoint}: {_why_unreachable(exc, text)}")
        if isinstance(exc, WinRMTransportError):
            return HostError("transport", f"WinRM transport error from {endpoint}: {text}")
        if isinstance(exc, WinRMError):
            return HostError("wsman", f"WS-Management error from {endpoint}: {text}")
        return HostError("unexpected", f"{type(exc).__name__} talking to {endpoint}: {text}")

    # -- shell lifecycle -----------------------------------------------------------------------------

    def open(self) -> None:
        """Open the shell with the first transport that works, in the order given (as the winrm connection
        plugin does); a failure names every transport tried."""
        if self._shell_id is not None:
            return
        errors: list[HostError] = []
        for i, transport in enumerate(self.options.transport_list):
            if i:
                self._protocol = None  # the next transport needs a Protocol of its own
            self.options.transport = transport
            try:
                self._shell_id = self._protocol_obj().open_shell(codepage=CODEPAGE)
                self.commands_in_shell = 0
                self.shells_opened += 1
                self.options.transports = (transport,)  # later shells of this run use the one that worked
                return
            except Exception as exc:  # noqa: BLE001 - every failure becomes a clear HostError
                errors.append(self._translate(exc))
        if len(errors) == 1:
            raise errors[0]
        tried = zip(self.options.transport_list, errors, strict=True)
        raise HostError(errors[-1].kind, "; ".join(f"{transport}: {error}" for transport, error in tried))

    def close(self) -> None:
        """Delete the shell, unless a command may still run in it (then leave it to the host, see above)."""
        if self._shell_id is None:
            return
        if self.command_running:
            self.abandoned_shells += 1
            self.reset()
            return
        shell_id, self._shell_id = self._shell_id, None
        # A failure here does not matter: the shell dies with its idle timeout anyway.
        with contextlib.suppress(Exception):
            self._protocol_obj().close_shell(shell_id)

    def reset(self) -> None:
        """Forget the shell and the HTTP session (after a dropped connection), sending nothing: a command still
        running there goes on until it ends."""
        self._shell_id = None
        self._protocol = None
        self.command_running = False

    def _signal_terminate(self, command_id: str) -> None:
        """Every stream of the command was received: Signal ``terminate`` for it (MS-WSMV 3.1.4.14: the client
        MUST, before the host can release what it keeps for the command).  The command has ended, so a failure
        changes nothing for the run; the connection it broke is forgotten, so the next command opens a new one
        (the host ends the old shell after its idle timeout)."""
        if self._shell_id is None:
            return
        try:
            self._protocol_obj().cleanup_command(self._shell_id, command_id)
        except Exception:  # noqa: BLE001 - whatever broke, the next command starts afresh
            self.reset()

    def __enter__(self) -> WinRMRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- commands -------------------------------------------------------------------------------------

    def _receive(self, protocol: Any, command_id: str, deadline: float | None) -> tuple[bytes, bytes, int, bool]:
        """One Receive.  The host holds it open up to its OperationTimeout while the command prints nothing: near
        the deadline that is only the time left (whole seconds, at least 1), so a wait ends on time instead of up
        to one operation timeout late."""
        configured = protocol.operation_timeout_sec
        if deadline is not None:
            protocol.operation_timeout_sec = max(1, min(configured, math.ceil(deadline - time.monotonic())))
        try:
            return protocol.get_command_output_raw(self._shell_id, command_id)
        finally:
            protocol.operation_timeout_sec = configured

    def run(self, step: str, command: str, timeout: float | None = None) -> CommandResult:
        """Run one cmd.exe command line and wait for it (up to ``timeout`` seconds, default: forever).

        A transport failure while waiting does not stop the command on the host: the result comes back
        with ``complete=False`` and ``error`` set, so the caller can reconnect and look at the host.
        A failure before the command was accepted raises :class:`HostError`.
        """
        if self._shell_id is not None and self.commands_in_shell >= COMMANDS_PER_SHELL and not self.command_running:
            self.close()  # before the operation quota is reached: a new shell starts from nothing
        self.open()
        protocol = self._protocol_obj()
        started = time.monotonic()
        # Set before the request: an interruption while it is on its way must not delete a shell whose
        # command the host may already have started.
        self.command_running = True
        try:
            command_id = protocol.run_command(self._shell_id, command)
        except Exception as exc:  # noqa: BLE001
            raise self._translate(exc) from None
        self.commands_in_shell += 1
        out: list[str] = []
        err: list[str] = []
        chunks: list[tuple[float, str]] = []
        rc: int | None = None
        done = False
        error: str | None = None
        deadline = None if timeout is None else started + timeout
        while not done:
            if deadline is not None and time.monotonic() > deadline:
                break
            try:
                stdout, stderr, rc, done = self._receive(protocol, command_id, deadline)
            except WinRMOperationTimeoutError:
                continue
            except Exception as exc:  # noqa: BLE001
                error = str(self._translate(exc))
                self.reset()
                break
            now = time.monotonic()
            if stdout:
                text = stdout.decode(f"cp{CODEPAGE}", errors="replace")
                out.append(text)
                chunks.append((now, text))
            if stderr:
                err.append(stderr.decode(f"cp{CODEPAGE}", errors="replace"))
        if done:
            self.command_running = False
            self._signal_terminate(command_id)
        result = CommandResult(
            step=step,
            command=self.scrub(command),
            stdout="".join(out),
            stderr="".join(err),
            rc=rc if done else None,
            started=started,
            seconds=round(time.monotonic() - started, 3),
            chunks=chunks,
            complete=done,
            error=error,
        )
        self.history.append(result)
        return result

"""Authentication of the lab's WS-Man listeners: NTLM (pyspnego as the acceptor) with message encryption, Basic.

Behaviour follows a WinRM service configured like the host's :class:`~tests.lab.machine.config.HostConfig`:

* NTLM is connection-bound.  A request without ``Authorization`` on a connection that completed the NTLM
  handshake is authenticated; the first request gets ``401`` with ``WWW-Authenticate: Negotiate`` (and
  ``Basic realm="WSMAN"`` when Basic may be used), NTLM type 1 gets ``401 Negotiate <challenge>``, type 3
  authenticates the request it arrives with.
* Over HTTP, bodies must be encrypted (``multipart/encrypted`` with
  ``application/HTTP-SPNEGO-session-encrypted``) unless ``allow_unencrypted``; a plaintext body is refused
  with 401, as WinRM does.  Over HTTPS the channel binding token (``tls-server-end-point``) is checked.
* Basic over HTTPS is accepted when ``basic`` is on; over HTTP only with ``allow_unencrypted`` too, else 401.
* Wrong credentials are a 401 (pywinrm raises ``InvalidCredentialsError``).

pyspnego's NTLM acceptor looks users up in the file named by the ``NTLM_USER_FILE`` environment variable
(lines ``DOMAIN:USER:PASSWORD``).  Hosts may have the same user name with different passwords, so every host
gets its own file (with the domain spellings a client may send: empty, ``.``, the host name, the configured
domain) and the variable is pointed at it, under a process-wide lock, around each acceptor call.
Passwords are never logged.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import re
import struct
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spnego
import spnego.exceptions
from spnego.channel_bindings import GssChannelBindings

from ..machine.config import HostConfig

ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
BOUNDARY = b"--Encrypted Boundary"
ENCRYPTED_CONTENT_TYPE = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
SOAP_CONTENT_TYPE = "application/soap+xml;charset=UTF-8"

_ENV_LOCK = threading.Lock()
_LENGTH = re.compile(rb"Length=(\d+)")


class AuthError(Exception):
    """The request cannot be authenticated or decrypted: answer 401."""


@contextlib.contextmanager
def _user_file(path: Path) -> Iterator[None]:
    """Point pyspnego at ``path`` for the duration of one acceptor call."""
    with _ENV_LOCK:
        old = os.environ.get("NTLM_USER_FILE")
        os.environ["NTLM_USER_FILE"] = str(path)
        try:
            yield
        finally:
            if old is None:
                os.environ.pop("NTLM_USER_FILE", None)
            else:
                os.environ["NTLM_USER_FILE"] = old


def domain_spellings(cfg: HostConfig) -> list[str]:
    """The domain parts a client may send for the host's account."""
    names = ["", ".", cfg.name, cfg.name.lower(), cfg.ip]
    if cfg.domain:
        names.append(cfg.domain)
    seen: list[str] = []
    for n in names:
        if n.upper() not in (s.upper() for s in seen):
            seen.append(n)
    return seen


def write_user_file(cfg: HostConfig, directory: Path) -> Path:
    """Write the NTLM user file of one host (mode 0600) and return its path."""
    if ":" in cfg.username or "\n" in cfg.password or "\n" in cfg.username:
        raise ValueError("lab user names may not contain ':' and credentials no line breaks")
    path = directory / f"ntlm-{cfg.name}-{cfg.ip}.users"
    lines = [f"{d}:{cfg.username}:{cfg.password}" for d in domain_spellings(cfg)]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def _split_user(name: str) -> tuple[str, str]:
    if "\\" in name:
        domain, user = name.split("\\", 1)
        return domain, user
    return "", name


def basic_ok(cfg: HostConfig, header_value: str) -> str | None:
    """Check a ``Basic`` credential; return the user name on success."""
    try:
        raw = base64.b64decode(header_value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = raw.partition(":")
    if not sep:
        return None
    domain, name = _split_user(user)
    if domain.upper() not in (d.upper() for d in domain_spellings(cfg)):
        return None
    if name.upper() != cfg.username.upper() or password != cfg.password:
        return None
    return name


@dataclass
class AuthOutcome:
    """What the connection layer should do with one request."""

    status: int = 200  # 200: go on and process ``body``; otherwise answer with this status and ``headers``
    headers: list[tuple[str, str]] = field(default_factory=list)
    user: str | None = None
    body: bytes = b""  # the plaintext SOAP envelope
    encrypted: bool = False  # answer must be encrypted
    method: str = ""  # "ntlm" | "basic"


class ConnectionAuth:
    """Authentication state of one TCP connection to a WS-Man listener."""

    def __init__(self, cfg: HostConfig, user_file: Path, *, tls: bool, cbt_hash: bytes | None = None) -> None:
        self.cfg = cfg
        self.user_file = user_file
        self.tls = tls
        self.cbt_hash = cbt_hash
        self._ctx: spnego.ContextProxy | None = None
        self._pending = False  # type 2 sent, waiting for type 3
        self.user: str | None = None  # set once NTLM completed on this connection

    # -- 401 helpers

    def challenges(self) -> list[tuple[str, str]]:
        headers = []
        if self.cfg.ntlm:
            headers.append(("WWW-Authenticate", "Negotiate"))
        if self.cfg.basic and (self.tls or self.cfg.allow_unencrypted):
            headers.append(("WWW-Authenticate", 'Basic realm="WSMAN"'))
        return headers

    def _deny(self) -> AuthOutcome:
        return AuthOutcome(status=401, headers=self.challenges())

    # -- request processing

    def authenticate(self, authorization: str | None, content_type: str, body: bytes) -> AuthOutcome:
        """Authenticate one request and decrypt its body."""
        if authorization:
            scheme, _sep, value = authorization.strip().partition(" ")
            scheme = scheme.lower()
            if scheme in ("negotiate", "ntlm"):
                outcome = self._ntlm_step(value.strip(), "NTLM" if scheme == "ntlm" else "Negotiate")
                if outcome is not None:
                    return outcome
            elif scheme == "basic":
                return self._basic(value, content_type, body)
            else:
                return self._deny()
        elif self.user is None:
            return self._deny()
        return self._ntlm_body(content_type, body)

    def _basic(self, value: str, content_type: str, body: bytes) -> AuthOutcome:
        if not self.cfg.basic or not (self.tls or self.cfg.allow_unencrypted):
            return self._deny()
        user = basic_ok(self.cfg, value)
        if user is None:
            return self._deny()
        if "multipart/encrypted" in content_type.lower():
            return self._deny()  # Basic has no session key to decrypt with
        return AuthOutcome(user=user, body=body, method="basic")

    def _ntlm_step(self, value: str, scheme: str = "Negotiate") -> AuthOutcome | None:
        """Process an NTLM token.  Returns an outcome to send, or None when the request is authenticated.

        The challenge goes back under the scheme the client used (``Negotiate`` or ``NTLM``).
        """
        if not self.cfg.ntlm:
            return self._deny()
        try:
            token = base64.b64decode(value, validate=True)
        except binascii.Error:
            return self._deny()
        if len(token) < 12 or token[:8] != b"NTLMSSP\x00":
            return self._deny()  # SPNEGO-wrapped tokens (Kerberos) are not offered by this lab
        msg_type = struct.unpack("<I", token[8:12])[0]
        if msg_type == 1:
            self.user = None
            bindings = None
            if self.tls and self.cbt_hash is not None:
                bindings = GssChannelBindings(application_data=b"tls-server-end-point:" + self.cbt_hash)
            with _user_file(self.user_file):
                self._ctx = spnego.server(
                    hostname=self.cfg.name, service="http", protocol="ntlm", channel_bindings=bindings
                )
                challenge = self._ctx.step(token)
            self._pending = True
            return AuthOutcome(
                status=401, headers=[("WWW-Authenticate", f"{scheme} " + base64.b64encode(challenge or b"").decode())]
            )
        if msg_type == 3 and self._pending and self._ctx is not None:
            self._pending = False
            try:
                with _user_file(self.user_file):
                    self._ctx.step(token)
            except spnego.exceptions.SpnegoError:
                self._ctx = None
                return self._deny()
            if not self._ctx.complete:
                self._ctx = None
                return self._deny()
            self.user = self.cfg.username
            return None
        self._ctx = None
        self._pending = False
        return self._deny()

    def _ntlm_body(self, content_type: str, body: bytes) -> AuthOutcome:
        if "multipart/encrypted" in content_type.lower():
            if ENCRYPTED_PROTOCOL.lower() not in content_type.lower() or self._ctx is None:
                return self._deny()
            try:
                plain = self.unwrap(body)
            except (AuthError, spnego.exceptions.SpnegoError, ValueError, struct.error):
                return self._deny()
            return AuthOutcome(user=self.user, body=plain, encrypted=True, method="ntlm")
        if body and not self.tls and not self.cfg.allow_unencrypted:
            # WinRM refuses unencrypted NTLM traffic over HTTP unless AllowUnencrypted is set.
            return self._deny()
        return AuthOutcome(user=self.user, body=body, method="ntlm")

    # -- message encryption ([MS-WSMV] 2.2.9.1.1)

    def unwrap(self, body: bytes) -> bytes:
        """Decrypt a ``multipart/encrypted`` body (one or more encrypted parts)."""
        assert self._ctx is not None
        out = []
        pos = 0
        while True:
            start = body.find(BOUNDARY + b"\r\n", pos)
            if start < 0:
                break
            header_end = body.find(BOUNDARY + b"\r\n", start + len(BOUNDARY) + 2)
            if header_end < 0:
                raise AuthError("truncated encrypted part")
            header = body[start:header_end]
            match = _LENGTH.search(header)
            if not match:
                raise AuthError("encrypted part without Length")
            length = int(match.group(1))
            marker = b"application/octet-stream\r\n"
            data_at = body.find(marker, header_end)
            if data_at < 0:
                raise AuthError("encrypted part without payload")
            data_at += len(marker)
            (sig_len,) = struct.unpack("<I", body[data_at : data_at + 4])
            sig = body[data_at + 4 : data_at + 4 + sig_len]
            sealed_at = data_at + 4 + sig_len
            sealed = body[sealed_at : sealed_at + length]
            if len(sealed) != length:
                raise AuthError("encrypted part shorter than announced")
            out.append(self._ctx.unwrap_winrm(sig, sealed))
            pos = sealed_at + length
        if not out:
            raise AuthError("no encrypted part")
        return b"".join(out)

    def wrap(self, plain: bytes) -> bytes:
        """Encrypt a response body in the format pywinrm parses."""
        assert self._ctx is not None
        res = self._ctx.wrap_winrm(plain)
        return b"".join(
            [
                BOUNDARY,
                b"\r\n\tContent-Type: ",
                ENCRYPTED_PROTOCOL.encode(),
                b"\r\n\tOriginalContent: type=",
                SOAP_CONTENT_TYPE.encode(),
                b";Length=",
                str(len(plain)).encode(),
                b"\r\n",
                BOUNDARY,
                b"\r\n\tContent-Type: application/octet-stream\r\n",
                struct.pack("<I", len(res.header)),
                res.header,
                res.data,
                BOUNDARY,
                b"--\r\n",
            ]
        )

"""One WS-Management connection of a lab host: HTTP requests in, authenticated and decrypted envelopes to
:mod:`tests.lab.wire.wsman`, encrypted answers out, and the faults that act on the wire.

Per request: path and method checks (404 / 405), authentication and message decryption
(:class:`tests.lab.wire.auth.ConnectionAuth`, 401 while the handshake runs), the envelope size limit (413), then
the envelope goes to the host's :class:`~tests.lab.wire.wsman.WSManService` and its answer is encrypted again
when the request was.  Every request is logged as an ``http`` event before its answer is written, so a client
that has its answer finds the event.

Faults on the wire (``HostConfig.faults`` and ``HostConfig.timing``, read at every request):

* ``wsman_down``: requests on connections that are still open are reset without an answer (the listeners
  themselves are opened and closed by :class:`tests.lab.harness.server.Lab`).
* ``drop_after_requests = n``: the next ``n`` WS-Man requests are answered, the one after is not: the lab
  closes the connection without answering and clears the fault (one-shot; set it again for another drop).
  The value counts down as requests pass.
* ``drop_on_command = text``: a Command whose command line contains ``text`` (case-insensitive) is started,
  then the connection is closed without an answer; one-shot as well (the service decides, see ``reply.drop``).
* ``slow_responses``: extra seconds before every WS-Man answer; ``timing.request_latency``: seconds added to
  every HTTP request on the WS-Man listeners (the LAN round-trip model).
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Protocol

import h11

from ..machine.config import HostConfig
from ..machine.events import EventLog
from .auth import ENCRYPTED_CONTENT_TYPE, SOAP_CONTENT_TYPE, ConnectionAuth
from .http import REASONS, Drop, abort, header, respond, serve
from .wsman import WSManService

SERVER_HEADER = "Microsoft-HTTPAPI/2.0"


class WSManHost(Protocol):
    """What a connection needs of its host (:class:`tests.lab.harness.server.LabHost` provides it)."""

    config: HostConfig
    closed: bool
    user_file: Path
    cbt_hash: Any
    wsman: WSManService
    connections: set[asyncio.StreamWriter]

    @property
    def name(self) -> str: ...

    def endpoint(self, scheme: str = "http") -> str: ...


async def serve_wsman(
    host: WSManHost, log: EventLog, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool
) -> None:
    """Serve one WS-Man connection (HTTP, or HTTPS when ``tls``) until it ends, is dropped or is reset."""
    cfg = host.config
    if host.closed or cfg.faults.wsman_down:
        abort(writer)
        return
    writer._lab_kind = "wsman"  # type: ignore[attr-defined]
    auth = ConnectionAuth(cfg, host.user_file, tls=tls, cbt_hash=host.cbt_hash if tls else None)
    scheme = "https" if tls else "http"

    async def answer(conn: h11.Connection, request: h11.Request, raw: bytes) -> bool:
        await _request(host, log, conn, reader, writer, auth, request, raw, scheme)
        return True

    await serve(reader, writer, answer, connections=host.connections, max_event_size=64 * 1024)


async def _request(
    host: WSManHost,
    events: EventLog,
    conn: h11.Connection,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    auth: ConnectionAuth,
    request: h11.Request,
    raw: bytes,
    scheme: str,
) -> None:
    """Answer one request (or raise :class:`Drop` to close the connection without an answer)."""
    cfg = host.config
    started = time.monotonic()
    if cfg.timing.request_latency > 0:
        await asyncio.sleep(cfg.timing.request_latency)
    if host.closed or cfg.faults.wsman_down:
        raise Drop("wsman down")
    headers = [("Server", SERVER_HEADER)]

    def log(action: str, status: int, out: int, **extra: Any) -> dict[str, Any]:
        # Logged before the answer goes out, so a client that has its answer finds the event.
        event = events.add(
            host.name,
            "http",
            action=action,
            status=status,
            bytes_in=len(raw),
            bytes_out=out,
            scheme=scheme,
            seconds=round(time.monotonic() - started, 4),
            **extra,
        )
        return event.detail

    path = request.target.decode("latin-1").split("?", 1)[0]
    if path.rstrip("/").lower() != "/wsman":
        log("NotFound", 404, 0)
        await respond(conn, writer, 404, headers, reason="Not Found")
        return
    if request.method != b"POST":
        log("BadMethod", 405, 0)
        await respond(conn, writer, 405, [*headers, ("Allow", "POST")], reason="Method Not Allowed")
        return
    outcome = auth.authenticate(header(request, b"authorization"), header(request, b"content-type") or "", raw)
    if outcome.status != 200:
        log("Auth", outcome.status, 0)
        await respond(conn, writer, outcome.status, headers + outcome.headers, reason=REASONS[outcome.status])
        return
    if not outcome.body:
        log("Auth", 200, 0)
        await respond(conn, writer, 200, headers, reason="OK")
        return
    if len(outcome.body) > cfg.max_envelope_size:
        log("TooLarge", 413, 0)
        await respond(conn, writer, 413, headers, reason="Request Entity Too Large")
        return
    remaining = cfg.faults.drop_after_requests
    if remaining is not None:
        if remaining <= 0:
            cfg.faults.drop_after_requests = None  # one-shot
            events.add(host.name, "fault", fault="drop_after_requests")
            log("Dropped", 0, 0, dropped=True)
            raise Drop("drop_after_requests")
        cfg.faults.drop_after_requests = remaining - 1
    endpoint = host.endpoint(scheme)
    reply = await host.wsman.handle(outcome.body, outcome.user or cfg.username, endpoint=endpoint)
    if cfg.faults.slow_responses > 0:
        await asyncio.sleep(cfg.faults.slow_responses)
    extra = {
        k: v
        for k, v in (
            ("shell_id", reply.shell_id),
            ("command_id", reply.command_id),
            ("fault_code", reply.fault_code),
        )
        if v is not None
    }
    if reply.drop:
        log(reply.action, 0, 0, dropped=True, **extra)
        raise Drop("drop_on_command")
    if reader.at_eof() or writer.transport.is_closing():
        # The client gave up while we worked (HTTP clients do not half-close): keep output for later.
        if reply.undelivered is not None:
            reply.undelivered()
        log(reply.action, reply.status, 0, delivered=False, **extra)
        raise Drop("client gone")
    if outcome.encrypted:
        body = auth.wrap(reply.body)
        content_type = ENCRYPTED_CONTENT_TYPE
    else:
        body = reply.body
        content_type = SOAP_CONTENT_TYPE
    detail = log(reply.action, reply.status, len(body), delivered=True, **extra)
    ok = await respond(
        conn,
        writer,
        reply.status,
        [*headers, ("Content-Type", content_type)],
        body,
        reason=REASONS.get(reply.status, ""),
    )
    if not ok:
        detail["delivered"] = False
        if reply.undelivered is not None:
            reply.undelivered()

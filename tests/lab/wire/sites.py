"""The web-site listeners of a lab host: one connection to a site port, answered by :mod:`tests.lab.machine.web`.

Site ``n`` of a host listens on ``web_port + n - 1`` (site 1 on ``HostConfig.web_port``, 8080 by default).
Every request goes to ``web.handle_request(machine, site_port, path)`` in an executor thread, with the port
the request arrived on.  While W3SVC is down that call raises ``ConnectionRefusedError`` and the connection is
reset without an answer (RST), which a client sees as a connection error.
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor
from typing import Any, Protocol

import h11

from ..machine.config import HostConfig
from .http import Drop, abort, respond, serve

WEB_SERVER_HEADER = "Microsoft-IIS/4.0"


class SiteHost(Protocol):
    """What a site connection needs of its host (:class:`tests.lab.harness.server.LabHost` provides it)."""

    machine: Any
    closed: bool
    connections: set[asyncio.StreamWriter]


def site_port(cfg: HostConfig, number: int) -> int:
    """The lab port of site ``number`` of a host: site 1 on ``web_port``, site n on ``web_port + n - 1``."""
    return cfg.web_port + number - 1


async def serve_site(
    host: SiteHost, port: int, executor: Executor, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """Serve one connection to the site on ``port`` until it ends or W3SVC refuses it."""
    if host.closed:
        abort(writer)
        return
    writer._lab_kind = "web"  # type: ignore[attr-defined]
    loop = asyncio.get_running_loop()

    async def answer(conn: h11.Connection, request: h11.Request, _body: bytes) -> bool:
        target = request.target.decode("latin-1")
        try:
            status, headers, body = await loop.run_in_executor(executor, _handle, host.machine, port, target)
        except ConnectionRefusedError:
            raise Drop("W3SVC (or the site) is not running") from None  # reset, no answer
        hdrs = [("Server", _server_header(host.machine))]
        hdrs += [
            (str(k), str(v))
            for k, v in (headers.items() if isinstance(headers, dict) else headers)
            if str(k).lower() not in ("content-length", "transfer-encoding", "connection")
        ]
        if isinstance(body, str):
            body = body.encode("cp437", errors="replace")
        if request.method == b"HEAD":
            body = b""
        return await respond(conn, writer, int(status), hdrs, body or b"")

    await serve(reader, writer, answer, connections=host.connections)


def _server_header(machine: Any) -> str:
    """``Microsoft-IIS/4.0`` on NT 4 hosts; the host's IIS version on the later kinds (issue 13)."""
    from ..machine.versions import server_header

    config = getattr(machine, "config", None)
    return server_header(config) if config is not None else WEB_SERVER_HEADER


@functools.cache
def _web() -> Any:
    """:mod:`tests.lab.machine.web`, imported on first use (not when the lab is imported)."""
    from ..machine import web

    return web


def _handle(machine: Any, port: int, target: str) -> tuple[int, Any, bytes]:
    """Runs in an executor thread: the site's answer to ``target``."""
    return _web().handle_request(machine, port, target)

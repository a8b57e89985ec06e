"""HTTP/1.1 framing for every lab listener (WS-Man, web sites, control API), on top of h11.

The helpers here know nothing about WS-Management or IIS: :func:`serve` is the serve loop of every listener
(it hands each whole request to the listener's answer); the others read one whole request, write one whole
response with a ``Content-Length``, move a keep-alive connection on to its next request and reset a
connection.  Raising :class:`Drop` anywhere in a connection handler closes the connection without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable

import h11

MAX_BODY = 16 * 1024 * 1024  # hard cap on any request body the lab reads
IDLE_CONNECTION_TIMEOUT = 120.0  # HTTP.sys IdleConnectionTimeout default
REQUEST_READ_TIMEOUT = 60.0  # longest wait for the rest of a request that has begun

REASONS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    400: "Bad Request",
}


class Drop(Exception):
    """Close the connection without an answer."""


Answer = Callable[[h11.Connection, h11.Request, bytes], Awaitable[bool]]
"""What a listener does with one whole request (head, body): write the response; False ends the connection."""


async def serve(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    answer: Answer,
    *,
    connections: set[asyncio.StreamWriter] | None = None,
    max_event_size: int | None = None,
) -> None:
    """Serve one connection until it ends: the serve loop of every lab listener.

    Each whole request goes to ``answer``; the connection is kept alive for the next one while both sides allow
    it.  :class:`Drop`, a connection error or an HTTP protocol error resets the connection (no answer); at the
    end it is closed unless already closing.  While served, the connection is in ``connections`` (a host's open
    connections).  ``max_event_size``: h11's limit on a request head that has not yet arrived whole.
    """
    if connections is not None:
        connections.add(writer)
    if max_event_size is None:
        conn = h11.Connection(h11.SERVER)
    else:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=max_event_size)
    try:
        while True:
            got = await read_request(conn, reader)
            if got is None:
                break
            request, body = got
            if not await answer(conn, request, body):
                break
            if not next_cycle(conn):
                break
    except (Drop, ConnectionError, OSError, h11.ProtocolError, asyncio.IncompleteReadError):
        abort(writer)
    finally:
        if connections is not None:
            connections.discard(writer)
        close(writer)


async def read_request(
    conn: h11.Connection, reader: asyncio.StreamReader, idle_timeout: float = IDLE_CONNECTION_TIMEOUT
) -> tuple[h11.Request, bytes] | None:
    """Read one full request (head and body) or return None at a clean end of the connection.

    A connection that stays idle between requests for ``idle_timeout`` seconds is closed, as HTTP.sys does.
    A request whose rest is slower than ``REQUEST_READ_TIMEOUT`` or whose body exceeds ``MAX_BODY`` raises
    :class:`Drop`.
    """
    request: h11.Request | None = None
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            waiting = idle_timeout if request is None and not conn.trailing_data[0] else REQUEST_READ_TIMEOUT
            try:
                data = await asyncio.wait_for(reader.read(65536), waiting)
            except TimeoutError:
                if request is None:
                    return None
                raise Drop("request body too slow") from None
            conn.receive_data(data)
            if not data and request is None and conn.their_state in (h11.IDLE, h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
                return None
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_BODY:
                raise Drop("request body too large")
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, b"".join(chunks)
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None


def header(request: h11.Request, name: bytes) -> str | None:
    """The value of header ``name`` (lower-case bytes) of ``request``, or None."""
    for key, value in request.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def respond(
    conn: h11.Connection,
    writer: asyncio.StreamWriter,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes = b"",
    reason: str = "",
) -> bool:
    """Write one response.  Returns False when the connection is already gone."""
    if writer.transport.is_closing():
        return False
    all_headers = [*headers, ("Content-Length", str(len(body)))]
    data = conn.send(h11.Response(status_code=status, headers=all_headers, reason=reason.encode()))
    if body:
        data += conn.send(h11.Data(data=body))
    data += conn.send(h11.EndOfMessage())
    writer.write(data)
    try:
        await writer.drain()
    except (ConnectionError, OSError):
        return False
    return True


def next_cycle(conn: h11.Connection) -> bool:
    """After a response: False when either side must close, else ready the connection for the next request."""
    if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
        return False
    conn.start_next_cycle()
    return True


def abort(writer: asyncio.StreamWriter) -> None:
    """Reset the connection (no answer, no orderly close)."""
    with contextlib.suppress(Exception):
        writer.transport.abort()


def close(writer: asyncio.StreamWriter) -> None:
    """Close the connection unless it is already closing (the end of every connection handler)."""
    if not writer.transport.is_closing():
        writer.close()

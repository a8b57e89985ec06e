"""A small HTTP forward proxy for tests that counts what goes through it.

Plain HTTP requests (absolute URI, as a client sends them to a proxy) are forwarded over ONE upstream
connection per client connection, so connection-bound authentication (NTLM, whose handshake and message
encryption belong to one TCP connection) works through it.  ``CONNECT`` is tunnelled.  ``requests`` counts
forwarded HTTP requests, ``tunnels`` the CONNECTs.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from urllib.parse import urlsplit


def _read_head(sock: socket.socket, buf: bytes) -> tuple[bytes, bytes] | None:
    while b"\r\n\r\n" not in buf:
        data = sock.recv(65536)
        if not data:
            return None
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _read_body(sock: socket.socket, rest: bytes, length: int) -> tuple[bytes, bytes]:
    while len(rest) < length:
        data = sock.recv(65536)
        if not data:
            break
        rest += data
    return rest[:length], rest[length:]


class CountingProxy:
    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(32)
        self.port = self.server.getsockname()[1]
        self.requests = 0
        self.tunnels = 0
        self.targets: set[str] = set()
        self._lock = threading.Lock()
        self._closed = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CountingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self.server.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        target = None
        buf = b""
        try:
            while True:
                got = _read_head(client, buf)
                if got is None:
                    return
                head, rest = got
                method, uri, version = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
                if method == "CONNECT":
                    host, port = uri.rsplit(":", 1)
                    with self._lock:
                        self.tunnels += 1
                        self.targets.add(uri)
                    upstream = socket.create_connection((host, int(port)), timeout=30)
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if rest:
                        upstream.sendall(rest)
                    self._pipe(client, upstream)
                    return
                body, buf = _read_body(client, rest, _length(head))
                parts = urlsplit(uri)
                here = f"{parts.hostname}:{parts.port or 80}"
                if upstream is None or target != here:
                    if upstream is not None:
                        upstream.close()
                    upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=60)
                    target = here
                path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                lines = [f"{method} {path} {version}".encode("latin-1")]
                lines += [ln for ln in head.split(b"\r\n")[1:] if not ln.lower().startswith(b"proxy-")]
                upstream.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
                with self._lock:
                    self.requests += 1
                    self.targets.add(here)
                answer = _read_head(upstream, b"")
                if answer is None:
                    return
                rhead, rrest = answer
                rbody, _extra = _read_body(upstream, rrest, _length(rhead))
                client.sendall(rhead + b"\r\n\r\n" + rbody)
        except OSError:
            return
        finally:
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        def copy(src: socket.socket, dst: socket.socket) -> None:
            with contextlib.suppress(OSError):
                while data := src.recv(65536):
                    dst.sendall(data)
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

        t = threading.Thread(target=copy, args=(b, a), daemon=True)
        t.start()
        copy(a, b)
        t.join(timeout=60)

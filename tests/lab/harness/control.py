"""The lab's JSON control API, for users in another process: the server side and :class:`LabClient`.

``Lab(control_port=...)`` listens on ``control_host:control_port``; every request runs in an executor thread
(it may call blocking lab methods) and is answered with JSON:

=======  ===============================  ====================================================
GET      ``/hosts``                       summaries of all hosts
GET      ``/events?since=&host=&kind=``   the event log (timestamps on the lab's monotonic clock)
GET      ``/time``                        ``{"monotonic": ...}``, the lab process's clock
GET      ``/hosts/<name>/state``          :meth:`tests.lab.harness.server.Lab.host_state`
POST     ``/hosts/<name>/faults``         set faults (JSON object body), answers all faults
POST     ``/hosts/<name>/reset-faults``   clear all faults
POST     ``/hosts/<name>/files``          ``{"path": ..., "content": base64}``
=======  ===============================  ====================================================

An unknown host or path answers 404, a bad argument 400, both with ``{"error": ...}``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import Executor
from typing import Any, Protocol

import h11

from ..machine.events import EventLog
from ..wire.http import respond, serve
from .state import jsonable


class ControlledLab(Protocol):
    """What the control API needs of the lab (:class:`tests.lab.harness.server.Lab` provides it)."""

    hosts: dict[str, Any]
    log: EventLog
    executor: Executor

    def host_state(self, name: str) -> dict[str, Any]: ...

    def set_faults(self, name: str, **changes: Any) -> dict[str, Any]: ...

    def reset_faults(self, name: str) -> dict[str, Any]: ...

    def write_file(self, name: str, path: str, content: bytes) -> None: ...


# ---------------------------------------------------------------------------------------------------------- server


async def serve_control(lab: ControlledLab, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Serve one control connection until it ends."""
    loop = asyncio.get_running_loop()

    async def answer(conn: h11.Connection, request: h11.Request, body: bytes) -> bool:
        try:
            status, payload = await loop.run_in_executor(
                lab.executor, handle, lab, request.method.decode(), request.target.decode("latin-1"), body
            )
        except KeyError as exc:
            status, payload = 404, {"error": f"not found: {exc.args[0] if exc.args else ''}"}
        except (ValueError, TypeError, NotImplementedError) as exc:
            status, payload = 400, {"error": str(exc)}
        data = json.dumps(payload, default=str).encode()
        await respond(conn, writer, status, [("Content-Type", "application/json")], data)
        return True

    await serve(reader, writer, answer)


def handle(lab: ControlledLab, method: str, target: str, body: bytes) -> tuple[int, Any]:
    """One control request: ``(status, JSON payload)``; KeyError means 404, ValueError/TypeError 400."""
    url = urllib.parse.urlsplit(target)
    parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/") if p]
    query = dict(urllib.parse.parse_qsl(url.query))
    args = json.loads(body.decode() or "{}") if body else {}
    if method == "GET" and parts == ["hosts"]:
        return 200, [h.summary() for h in lab.hosts.values()]
    if method == "GET" and parts == ["events"]:
        since = float(query["since"]) if query.get("since") else None
        events = lab.log.events(host=query.get("host") or None, kind=query.get("kind") or None, since=since)
        return 200, [{"t": e.t, "host": e.host, "kind": e.kind, "detail": jsonable(e.detail)} for e in events]
    if method == "GET" and parts == ["time"]:
        return 200, {"monotonic": time.monotonic()}
    if len(parts) == 3 and parts[0] == "hosts":
        name, what = parts[1], parts[2]
        if method == "GET" and what == "state":
            return 200, lab.host_state(name)
        if method == "POST" and what == "faults":
            if not isinstance(args, dict):
                raise ValueError("faults body must be a JSON object")
            return 200, lab.set_faults(name, **args)
        if method == "POST" and what == "reset-faults":
            return 200, lab.reset_faults(name)
        if method == "POST" and what == "files":
            content = base64.b64decode(args["content"])
            lab.write_file(name, args["path"], content)
            return 200, {"path": args["path"], "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
    raise KeyError(url.path)


# ---------------------------------------------------------------------------------------------------------- client


class LabClient:
    """A thin client of a running lab's control API (``python -m tests.lab ... --control-port P``)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _req(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"not an http URL: {self.url}")
        headers = {"Content-Type": "application/json"}
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)  # noqa: S310
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310
                return json.loads(resp.read().decode() or "null")
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")
            raise RuntimeError(f"lab control {method} {path}: HTTP {exc.code} {detail}") from exc

    def hosts(self) -> list[dict[str, Any]]:
        return self._req("GET", "/hosts")

    def state(self, host: str) -> dict[str, Any]:
        return self._req("GET", f"/hosts/{urllib.parse.quote(host)}/state")

    def set_faults(self, host: str, **faults: Any) -> dict[str, Any]:
        return self._req("POST", f"/hosts/{urllib.parse.quote(host)}/faults", faults)

    def reset_faults(self, host: str) -> dict[str, Any]:
        return self._req("POST", f"/hosts/{urllib.parse.quote(host)}/reset-faults", {})

    def events(self, since: float | None = None, kind: str | None = None, host: str | None = None) -> list[dict]:
        query = {k: v for k, v in (("since", since), ("kind", kind), ("host", host)) if v is not None}
        return self._req("GET", "/events" + ("?" + urllib.parse.urlencode(query) if query else ""))

    def now(self) -> float:
        """The lab process's ``time.monotonic()`` (event timestamps are on that clock)."""
        return self._req("GET", "/time")["monotonic"]

    def write_file(self, host: str, path: str, content: bytes) -> dict[str, Any]:
        payload = {"path": path, "content": base64.b64encode(content).decode()}
        return self._req("POST", f"/hosts/{urllib.parse.quote(host)}/files", payload)

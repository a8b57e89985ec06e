"""The lab: many simulated NT 4.0 + IIS 4.0 hosts served by one asyncio event loop in a background thread.

Every host lives on its own loopback address (Linux routes all of 127/8 to ``lo``) and has

* WS-Management over HTTP on ``ip:5985`` and HTTPS on ``ip:5986``, path ``/wsman`` (:mod:`tests.lab.wsman`,
  :mod:`tests.lab.auth`), the HTTPS certificate issued by the lab CA (:mod:`tests.lab.certs`);
* one web listener per site: site ``n`` listens on ``web_port + n - 1`` (site 1 on ``HostConfig.web_port``,
  8080 by default).  Requests go to ``web.handle_request(machine, site_port, path)`` with the port the
  request arrived on.  While W3SVC is down that call raises ``ConnectionRefusedError`` and the lab resets
  the connection without an answer (RST), which a client sees as a connection error.

Fault semantics (``HostConfig.faults``, mutable at run time):

* ``wsman_down``: the WS-Man listeners stop accepting (connection refused); set through :meth:`Lab.set_faults`
  or the control API it takes effect at once, set directly on the config within one housekeeping tick
  (new connections and requests on open connections are reset meanwhile).
* ``drop_after_requests = n``: the next ``n`` WS-Man requests are answered, the one after is not: the lab
  closes the connection without answering and clears the fault (one-shot; set it again for another drop).
  The value counts down as requests pass.
* ``drop_on_command = text``: a Command whose command line contains ``text`` (case-insensitive) is started,
  then the connection is closed without an answer; one-shot as well.
* ``slow_responses``: extra seconds before every WS-Man answer; ``timing.request_latency``: seconds added to
  every HTTP request on the WS-Man listeners (the LAN round-trip model).

A JSON control API (``Lab(control_port=...)``) serves out-of-process users; :class:`LabClient` wraps it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import errno
import hashlib
import ipaddress
import json
import os
import shutil
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import h11

from .auth import ENCRYPTED_CONTENT_TYPE, SOAP_CONTENT_TYPE, ConnectionAuth, write_user_file
from .certs import HostCertificate, LabCA
from .config import HostConfig
from .events import EventLog
from .wsman import WSManService

MAX_BODY = 16 * 1024 * 1024  # hard cap on any request body the lab reads
IDLE_CONNECTION_TIMEOUT = 120.0  # HTTP.sys IdleConnectionTimeout default
REQUEST_READ_TIMEOUT = 60.0  # longest wait for the rest of a request that has begun
SERVER_HEADER = "Microsoft-HTTPAPI/2.0"
WEB_SERVER_HEADER = "Microsoft-IIS/4.0"


# ---------------------------------------------------------------------------------------------------------- addresses


def _next_ip(ip: str) -> str:
    """The next usable loopback address after ``ip`` (last octet 2..254)."""
    value = int(ipaddress.IPv4Address(ip)) + 1
    while True:
        addr = ipaddress.IPv4Address(value)
        if addr not in ipaddress.IPv4Network("127.0.0.0/8"):
            raise ValueError("ran out of loopback addresses")
        if addr.packed[3] in (0, 1, 255):
            value += 1
            continue
        return str(addr)


def allocate_ips(count: int, base: str = "127.0.0.2") -> list[str]:
    """``count`` consecutive loopback addresses from ``base`` on, skipping last octets 0, 1 and 255."""
    addr = ipaddress.IPv4Address(base)
    if addr not in ipaddress.IPv4Network("127.0.0.0/8"):
        raise ValueError(f"{base} is not a loopback address")
    ips: list[str] = []
    ip = base if addr.packed[3] not in (0, 1, 255) else _next_ip(base)
    while len(ips) < count:
        ips.append(ip)
        ip = _next_ip(ip)
    return ips


def site_port(cfg: HostConfig, number: int) -> int:
    """The lab port of site ``number`` of a host: site 1 on ``web_port``, site n on ``web_port + n - 1``."""
    return cfg.web_port + number - 1


# ---------------------------------------------------------------------------------------------------------- hosts


class LabHost:
    """One simulated host: its configuration, machine model, WS-Man service and listeners."""

    def __init__(self, lab: Lab, config: HostConfig, machine: Any, cert: HostCertificate, user_file: Path) -> None:
        self.lab = lab
        self.config = config
        self.machine = machine
        self.cert = cert
        self.cbt_hash = cert.tls_server_end_point()
        self.user_file = user_file
        self.wsman = WSManService(config, machine, lab.log, lab.executor)
        self.ssl_context = None
        self.inventory_scheme = "http" if config.listen_http else "https"
        self._wsman_servers: list[asyncio.Server] = []
        self._web_servers: list[asyncio.Server] = []
        self._connections: set[asyncio.StreamWriter] = set()
        self.closed = False
        self.wsman_listening = False

    # -- identity

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def ip(self) -> str:
        return self.config.ip

    @property
    def faults(self) -> Any:
        return self.config.faults

    @property
    def username(self) -> str:
        return self.config.username

    @property
    def password(self) -> str:
        return self.config.password

    def endpoint(self, scheme: str = "http") -> str:
        port = self.config.https_port if scheme == "https" else self.config.http_port
        return f"{scheme}://{self.ip}:{port}/wsman"

    def site_ports(self) -> dict[int, int]:
        return {s.number: site_port(self.config, s.number) for s in self.config.sites}

    def web_url(self, site: int = 1) -> str:
        return f"http://{self.ip}:{site_port(self.config, site)}"

    # -- faults

    def set_faults(self, **changes: Any) -> None:
        self.lab.set_faults(self.name, **changes)

    def reset_faults(self) -> None:
        self.lab.reset_faults(self.name)

    # -- introspection

    def state(self) -> dict[str, Any]:
        return self.lab.host_state(self.name)

    def inventory_vars(self, scheme: str | None = None) -> dict[str, Any]:
        scheme = scheme or self.inventory_scheme
        cfg = self.config
        user = cfg.username if not cfg.domain else f"{cfg.domain}\\{cfg.username}"
        data: dict[str, Any] = {
            "ansible_host": cfg.ip,
            "ansible_port": cfg.https_port if scheme == "https" else cfg.http_port,
            "ansible_user": user,
            "ansible_password": cfg.password,
            "ansible_connection": "winrm",
            "ansible_winrm_transport": "ntlm",
            "ansible_winrm_scheme": scheme,
            "ansible_winrm_message_encryption": "auto",
            "lab_host_name": cfg.name,
            "lab_web_url": self.web_url(1),
            "lab_site_urls": {n: f"http://{cfg.ip}:{p}" for n, p in self.site_ports().items()},
        }
        if scheme == "https":
            data["ansible_winrm_ca_trust_path"] = str(self.lab.ca_path)
            data["ansible_winrm_server_cert_validation"] = "validate"
        return data

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ip": self.ip,
            "http_port": self.config.http_port if self.config.listen_http else None,
            "https_port": self.config.https_port if self.config.listen_https else None,
            "web_ports": self.site_ports(),
            "web_url": self.web_url(1),
            "services": list(self.config.services),
            "isolation": _isolation(self.config),
        }

    def __repr__(self) -> str:
        return f"<LabHost {self.name} {self.ip}>"


def _isolation(cfg: HostConfig) -> dict[str, str]:
    """Isolation of each application root, keyed ``<site>:<path>`` ("in_process" / "out_of_process")."""
    result = {}
    for site in cfg.sites:
        for app in site.apps:
            if app.isolated is not None:
                result[f"{site.number}:{app.path}"] = "out_of_process" if app.isolated else "in_process"
    return result


# ---------------------------------------------------------------------------------------------------------- HTTP


class _Drop(Exception):
    """Close the connection without an answer."""


async def _read_request(
    conn: h11.Connection, reader: asyncio.StreamReader, idle_timeout: float = IDLE_CONNECTION_TIMEOUT
) -> tuple[h11.Request, bytes] | None:
    """Read one full request (head and body) or return None at a clean end of the connection.

    A connection that stays idle between requests for ``idle_timeout`` seconds is closed, as HTTP.sys does.
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
                raise _Drop("request body too slow") from None
            conn.receive_data(data)
            if not data and request is None and conn.their_state in (h11.IDLE, h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
                return None
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size > MAX_BODY:
                raise _Drop("request body too large")
            chunks.append(bytes(event.data))
        elif isinstance(event, h11.EndOfMessage):
            assert request is not None
            return request, b"".join(chunks)
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None


def _header(request: h11.Request, name: bytes) -> str | None:
    for key, value in request.headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


async def _respond(
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


def _abort(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(Exception):
        writer.transport.abort()


_REASONS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
    400: "Bad Request",
}


# ---------------------------------------------------------------------------------------------------------- lab


class Lab:
    """A fleet of simulated hosts.  ``Lab().start(configs)``; ``lab.hosts[name]``; ``lab.stop()``."""

    def __init__(
        self,
        *,
        workdir: str | Path | None = None,
        control_port: int | None = None,
        machine_factory: Callable[[HostConfig, EventLog], Any] | None = None,
        base_ip: str = "127.0.0.2",
        control_host: str = "127.0.0.1",
        max_io_threads: int = 512,
    ) -> None:
        self.log = EventLog()
        self.hosts: dict[str, LabHost] = {}
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="iis4-lab-")) if workdir is None else Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "keys").mkdir(mode=0o700, exist_ok=True)
        self.ca = LabCA()
        self.ca_path = self.ca.write_ca(self.workdir / "lab-ca.pem")
        self.executor = ThreadPoolExecutor(max_workers=max_io_threads, thread_name_prefix="lab-io")
        self._machine_factory = machine_factory
        self._control_port = control_port
        self._control_host = control_host
        self._control_server: asyncio.Server | None = None
        self.control_url: str | None = None
        self._next_ip = base_ip
        self._ip_lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self._web_module: Any = None
        self.started_at: float | None = None

    # -- life cycle

    def start(self, configs: Iterable[HostConfig] = ()) -> Lab:
        if self._loop is not None:
            raise RuntimeError("lab already started")
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.set_exception_handler(self._loop_exception)
            self._loop = loop
            ready.set()
            loop.run_forever()
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        self._thread = threading.Thread(target=run, name="iis4-lab-loop", daemon=True)
        self._thread.start()
        ready.wait()
        self._call(self._start_async())
        self.started_at = time.monotonic()
        configs = list(configs)
        if configs:
            self.add_hosts(configs)
        return self

    def __enter__(self) -> Lab:
        return self if self._loop is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _start_async(self) -> None:
        self._housekeeping = asyncio.get_running_loop().create_task(self._housekeep())
        if self._control_port is not None:
            self._control_server = await asyncio.start_server(
                self._control_conn, self._control_host, self._control_port
            )
            port = self._control_server.sockets[0].getsockname()[1]
            self.control_url = f"http://{self._control_host}:{port}"

    def stop(self) -> None:
        if self._loop is None:
            return
        with contextlib.suppress(Exception):
            self._call(self._stop_async(), timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._loop = None
        for host in self.hosts.values():
            _shutdown_machine(host.machine)
        self.executor.shutdown(wait=False, cancel_futures=True)
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    async def _stop_async(self) -> None:
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        if self._control_server is not None:
            self._control_server.close()
        for host in list(self.hosts.values()):
            await self._close_host(host)

    def _call(self, coro: Any, timeout: float | None = 120) -> Any:
        if self._loop is None:
            raise RuntimeError("lab not started")
        if threading.current_thread() is self._thread:
            raise RuntimeError("blocking lab call from the lab's own loop")
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def _loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, (ConnectionError, TimeoutError, OSError)) or "SSL" in str(context.get("message", "")):
            return  # clients going away mid-handshake and such: normal for a server
        loop.default_exception_handler(context)

    # -- hosts

    def allocate_ip(self) -> str:
        with self._ip_lock:
            ip = allocate_ips(1, self._next_ip)[0]
            self._next_ip = _next_ip(ip)
            return ip

    def _machine(self, cfg: HostConfig) -> Any:
        factory = self._machine_factory
        if factory is None:
            from .machine import Machine

            factory = Machine
        return factory(cfg, self.log)

    def add_host(
        self,
        cfg: HostConfig,
        *,
        auto_ip: bool = False,
        machine_factory: Callable[[HostConfig, EventLog], Any] | None = None,
    ) -> LabHost:
        """Start serving one host.  With ``auto_ip`` the lab picks the address (skipping addresses in use)."""
        return self.add_hosts([cfg], auto_ip=auto_ip, machine_factory=machine_factory)[0]

    def add_hosts(
        self,
        configs: Iterable[HostConfig],
        *,
        auto_ip: bool = False,
        machine_factory: Callable[[HostConfig, EventLog], Any] | None = None,
    ) -> list[LabHost]:
        """Start serving several hosts (one round trip to the loop for all of them)."""
        configs = list(configs)
        names = [c.name.upper() for c in configs]
        clash = {n for n in names if names.count(n) > 1} | {n for n in names if n in (h.upper() for h in self.hosts)}
        if clash:
            raise ValueError(f"host names already in use: {sorted(clash)}")
        created = []
        for cfg in configs:
            if auto_ip:
                cfg.ip = self.allocate_ip()
            created.append(self._prepare_host(cfg, machine_factory))
        try:
            self._call(self._open_hosts(created, auto_ip))
        except BaseException:
            for host in created:
                _shutdown_machine(host.machine)
            raise
        for host in created:
            self.hosts[host.name] = host
        return created

    def _prepare_host(self, cfg: HostConfig, machine_factory: Callable[..., Any] | None = None) -> LabHost:
        cert = self.ca.issue(cfg.name, cfg.ip)
        user_file = write_user_file(cfg, self.workdir / "keys")
        machine = machine_factory(cfg, self.log) if machine_factory else self._machine(cfg)
        host = LabHost(self, cfg, machine, cert, user_file)
        if cfg.listen_https:
            host.ssl_context = cert.server_context(self.workdir / "keys")
        return host

    async def _open_hosts(self, hosts: list[LabHost], auto_ip: bool) -> None:
        for host in hosts:
            for _attempt in range(64):
                try:
                    await self._open_listeners(host)
                    break
                except OSError as exc:
                    await self._close_host(host, final=False)
                    if not auto_ip or exc.errno != errno.EADDRINUSE:
                        raise
                    self._readdress(host, self.allocate_ip())
            else:
                raise OSError(errno.EADDRINUSE, "no free loopback address found")

    def _readdress(self, host: LabHost, ip: str) -> None:
        host.config.ip = ip
        host.cert = self.ca.issue(host.name, ip)
        host.cbt_hash = host.cert.tls_server_end_point()
        host.user_file = write_user_file(host.config, self.workdir / "keys")
        if host.config.listen_https:
            host.ssl_context = host.cert.server_context(self.workdir / "keys")

    async def _open_listeners(self, host: LabHost) -> None:
        host.closed = False
        if not host.config.faults.wsman_down:
            await self._open_wsman(host)
        for number, port in host.site_ports().items():
            server = await asyncio.start_server(
                lambda r, w, n=number, p=port, h=host: self._web_conn(h, p, r, w), host.ip, port, backlog=128
            )
            host._web_servers.append(server)

    async def _open_wsman(self, host: LabHost) -> None:
        cfg = host.config
        if cfg.listen_http:
            host._wsman_servers.append(
                await asyncio.start_server(
                    lambda r, w, h=host: self._wsman_conn(h, r, w, False), host.ip, cfg.http_port, backlog=128
                )
            )
        if cfg.listen_https:
            host._wsman_servers.append(
                await asyncio.start_server(
                    lambda r, w, h=host: self._wsman_conn(h, r, w, True),
                    host.ip,
                    cfg.https_port,
                    backlog=128,
                    ssl=host.ssl_context,
                    ssl_handshake_timeout=10,
                )
            )
        host.wsman_listening = True

    async def _close_wsman(self, host: LabHost) -> None:
        for server in host._wsman_servers:
            server.close()
        host._wsman_servers.clear()
        host.wsman_listening = False
        for writer in list(host._connections):
            if getattr(writer, "_lab_kind", "") == "wsman":
                _abort(writer)

    async def _close_host(self, host: LabHost, final: bool = True) -> None:
        for server in host._wsman_servers + host._web_servers:
            server.close()
        host._wsman_servers.clear()
        host._web_servers.clear()
        host.wsman_listening = False
        for writer in list(host._connections):
            _abort(writer)
        host._connections.clear()
        if final:
            host.closed = True
            host.wsman.close_all()

    def remove_host(self, name: str) -> None:
        host = self.hosts.pop(name)
        self._call(self._close_host(host))
        _shutdown_machine(host.machine)

    def host(self, name: str) -> LabHost:
        for key, host in self.hosts.items():
            if key.upper() == name.upper():
                return host
        raise KeyError(name)

    # -- faults

    def set_faults(self, name: str, **changes: Any) -> dict[str, Any]:
        host = self.host(name)
        known = {f.name for f in dataclasses.fields(host.config.faults)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {sorted(known)}")
        host.config.faults.update(**changes)
        self.log.add(host.name, "fault", changes={k: _jsonable(v) for k, v in changes.items()})
        self._call(self._reconcile(host))
        return host.config.faults.to_dict()

    def reset_faults(self, name: str) -> dict[str, Any]:
        host = self.host(name)
        host.config.faults.clear()
        self.log.add(host.name, "fault", reset=True)
        self._call(self._reconcile(host))
        return host.config.faults.to_dict()

    async def _reconcile(self, host: LabHost) -> None:
        if host.closed:
            return
        down = host.config.faults.wsman_down
        if down and host.wsman_listening:
            await self._close_wsman(host)
        elif not down and not host.wsman_listening:
            await self._open_wsman(host)

    async def _housekeep(self) -> None:
        """Expire idle shells and follow ``wsman_down`` changes made directly on a host's config."""
        while True:
            interval = 1.0
            for host in list(self.hosts.values()):
                if host.closed:
                    continue
                try:
                    interval = min(interval, max(0.05, host.config.shell_idle_timeout / 4))
                    if host.wsman.shells:
                        host.wsman.expire()
                    if host.config.faults.wsman_down == host.wsman_listening:
                        with contextlib.suppress(OSError):
                            await self._reconcile(host)
                except Exception as exc:  # keep housekeeping alive for the other hosts
                    self.log.add(host.name, "error", action="housekeeping", error=repr(exc))
            await asyncio.sleep(interval)

    # -- state

    def host_state(self, name: str) -> dict[str, Any]:
        """Services, watched files (sha256 + size), lock holders, loaded images, faults and WinRS shells."""
        host = self.host(name)
        machine = host.machine
        machine_state: dict[str, Any] = {}
        fn = getattr(machine, "state", None)
        if callable(fn):
            with contextlib.suppress(Exception):
                machine_state = dict(fn())
        data = {**host.summary(), **machine_state}
        fs = getattr(machine, "fs", None)
        if fs is not None:
            with contextlib.suppress(Exception):
                prefixes = _watched_prefixes(host.config, getattr(fs, "watched", None))
                data["files"] = {
                    path: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                    for path, content in fs.snapshot().items()
                    if any(path.upper().startswith(p) for p in prefixes)
                }
            with contextlib.suppress(Exception):
                data["locks"] = {path: fs.lock_holders(path) for path in fs.locked_paths()}
        loaded = getattr(machine, "loaded_images", None)
        if callable(loaded):
            with contextlib.suppress(Exception):
                data["loaded_images"] = loaded()
        data["faults"] = host.config.faults.to_dict()
        data["wsman"] = host.wsman.summary()
        data["wsman_listening"] = host.wsman_listening
        return _jsonable(data)

    def write_file(self, name: str, path: str, content: bytes) -> None:
        host = self.host(name)
        machine = host.machine
        for attr in ("write_file", "put_file"):
            fn = getattr(machine, attr, None)
            if callable(fn):
                fn(path, content)
                return
        fs = getattr(machine, "fs", None)
        for attr in ("write_file", "write", "write_bytes", "create_file"):
            fn = getattr(fs, attr, None)
            if callable(fn):
                fn(path, content)
                return
        raise NotImplementedError("the machine model offers no way to write files")

    # -- inventory

    def write_inventory(
        self, path: str | Path, hosts: Iterable[LabHost | str] | None = None, scheme: str | None = None
    ) -> Path:
        """Write an Ansible YAML inventory (groups ``iis4`` and ``web``) for ``hosts`` (default: all)."""
        import yaml

        selected = [self.host(h) if isinstance(h, str) else h for h in (hosts or list(self.hosts.values()))]
        iis4 = {h.name: h.inventory_vars(scheme) for h in selected}
        data = {"all": {"children": {"iis4": {"hosts": iis4}, "web": {"hosts": {h.name: None for h in selected}}}}}
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "# Written by the legacy_iis lab (tests.lab); lab credentials only.\n"
            + yaml.safe_dump(data, sort_keys=False, default_flow_style=False),
            encoding="utf-8",
        )
        return path

    # -- connections: WS-Man

    async def _wsman_conn(
        self, host: LabHost, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tls: bool
    ) -> None:
        cfg = host.config
        if host.closed or cfg.faults.wsman_down:
            _abort(writer)
            return
        writer._lab_kind = "wsman"  # type: ignore[attr-defined]
        host._connections.add(writer)
        auth = ConnectionAuth(cfg, host.user_file, tls=tls, cbt_hash=host.cbt_hash if tls else None)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=64 * 1024)
        scheme = "https" if tls else "http"
        try:
            while True:
                got = await _read_request(conn, reader)
                if got is None:
                    break
                request, raw = got
                await self._wsman_request(host, conn, reader, writer, auth, request, raw, scheme)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except _Drop:
            _abort(writer)
        except (ConnectionError, OSError, h11.ProtocolError, asyncio.IncompleteReadError):
            _abort(writer)
        finally:
            host._connections.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    async def _wsman_request(
        self,
        host: LabHost,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        auth: ConnectionAuth,
        request: h11.Request,
        raw: bytes,
        scheme: str,
    ) -> None:
        cfg = host.config
        started = time.monotonic()
        if cfg.timing.request_latency > 0:
            await asyncio.sleep(cfg.timing.request_latency)
        if host.closed or cfg.faults.wsman_down:
            raise _Drop("wsman down")
        headers = [("Server", SERVER_HEADER)]

        def log(action: str, status: int, out: int, **extra: Any) -> dict[str, Any]:
            # Logged before the answer goes out, so a client that has its answer finds the event.
            event = self.log.add(
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
            await _respond(conn, writer, 404, headers, reason="Not Found")
            return
        if request.method != b"POST":
            log("BadMethod", 405, 0)
            await _respond(conn, writer, 405, [*headers, ("Allow", "POST")], reason="Method Not Allowed")
            return
        outcome = auth.authenticate(_header(request, b"authorization"), _header(request, b"content-type") or "", raw)
        if outcome.status != 200:
            log("Auth", outcome.status, 0)
            await _respond(conn, writer, outcome.status, headers + outcome.headers, reason=_REASONS[outcome.status])
            return
        if not outcome.body:
            log("Auth", 200, 0)
            await _respond(conn, writer, 200, headers, reason="OK")
            return
        if len(outcome.body) > cfg.max_envelope_size:
            log("TooLarge", 413, 0)
            await _respond(conn, writer, 413, headers, reason="Request Entity Too Large")
            return
        remaining = cfg.faults.drop_after_requests
        if remaining is not None:
            if remaining <= 0:
                cfg.faults.drop_after_requests = None  # one-shot
                self.log.add(host.name, "fault", fault="drop_after_requests")
                log("Dropped", 0, 0, dropped=True)
                raise _Drop("drop_after_requests")
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
            raise _Drop("drop_on_command")
        if reader.at_eof() or writer.transport.is_closing():
            # The client gave up while we worked (HTTP clients do not half-close): keep output for later.
            if reply.undelivered is not None:
                reply.undelivered()
            log(reply.action, reply.status, 0, delivered=False, **extra)
            raise _Drop("client gone")
        if outcome.encrypted:
            body = auth.wrap(reply.body)
            content_type = ENCRYPTED_CONTENT_TYPE
        else:
            body = reply.body
            content_type = SOAP_CONTENT_TYPE
        detail = log(reply.action, reply.status, len(body), delivered=True, **extra)
        ok = await _respond(
            conn,
            writer,
            reply.status,
            [*headers, ("Content-Type", content_type)],
            body,
            reason=_REASONS.get(reply.status, ""),
        )
        if not ok:
            detail["delivered"] = False
            if reply.undelivered is not None:
                reply.undelivered()

    # -- connections: web sites

    async def _web_conn(
        self, host: LabHost, port: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if host.closed:
            _abort(writer)
            return
        writer._lab_kind = "web"  # type: ignore[attr-defined]
        host._connections.add(writer)
        conn = h11.Connection(h11.SERVER)
        loop = asyncio.get_running_loop()
        try:
            while True:
                got = await _read_request(conn, reader)
                if got is None:
                    break
                request, _body = got
                target = request.target.decode("latin-1")
                try:
                    status, headers, body = await loop.run_in_executor(
                        self.executor, self._web_handle, host, port, target
                    )
                except ConnectionRefusedError:
                    _abort(writer)  # W3SVC (or the site) is not running: reset, no answer
                    return
                hdrs = [("Server", WEB_SERVER_HEADER)]
                hdrs += [
                    (str(k), str(v))
                    for k, v in (headers.items() if isinstance(headers, dict) else headers)
                    if str(k).lower() not in ("content-length", "transfer-encoding", "connection")
                ]
                if isinstance(body, str):
                    body = body.encode("cp437", errors="replace")
                if request.method == b"HEAD":
                    body = b""
                if not await _respond(conn, writer, int(status), hdrs, body or b""):
                    break
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except (_Drop, ConnectionError, OSError, h11.ProtocolError):
            _abort(writer)
        finally:
            host._connections.discard(writer)
            if not writer.transport.is_closing():
                writer.close()

    def _web_handle(self, host: LabHost, port: int, target: str) -> tuple[int, Any, bytes]:
        if self._web_module is None:
            from . import web

            self._web_module = web
        return self._web_module.handle_request(host.machine, port, target)

    # -- control API

    async def _control_conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        loop = asyncio.get_running_loop()
        try:
            while True:
                got = await _read_request(conn, reader)
                if got is None:
                    break
                request, body = got
                try:
                    status, payload = await loop.run_in_executor(
                        self.executor, self._control, request.method.decode(), request.target.decode("latin-1"), body
                    )
                except KeyError as exc:
                    status, payload = 404, {"error": f"not found: {exc.args[0] if exc.args else ''}"}
                except (ValueError, TypeError, NotImplementedError) as exc:
                    status, payload = 400, {"error": str(exc)}
                data = json.dumps(payload, default=str).encode()
                await _respond(conn, writer, status, [("Content-Type", "application/json")], data)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    break
                conn.start_next_cycle()
        except (ConnectionError, OSError, h11.ProtocolError, _Drop):
            _abort(writer)
        finally:
            if not writer.transport.is_closing():
                writer.close()

    def _control(self, method: str, target: str, body: bytes) -> tuple[int, Any]:
        """Runs in an executor thread (it may call blocking lab methods)."""
        url = urllib.parse.urlsplit(target)
        parts = [urllib.parse.unquote(p) for p in url.path.strip("/").split("/") if p]
        query = dict(urllib.parse.parse_qsl(url.query))
        args = json.loads(body.decode() or "{}") if body else {}
        if method == "GET" and parts == ["hosts"]:
            return 200, [h.summary() for h in self.hosts.values()]
        if method == "GET" and parts == ["events"]:
            since = float(query["since"]) if query.get("since") else None
            events = self.log.events(host=query.get("host") or None, kind=query.get("kind") or None, since=since)
            return 200, [{"t": e.t, "host": e.host, "kind": e.kind, "detail": _jsonable(e.detail)} for e in events]
        if method == "GET" and parts == ["time"]:
            return 200, {"monotonic": time.monotonic()}
        if len(parts) == 3 and parts[0] == "hosts":
            name, what = parts[1], parts[2]
            if method == "GET" and what == "state":
                return 200, self.host_state(name)
            if method == "POST" and what == "faults":
                if not isinstance(args, dict):
                    raise ValueError("faults body must be a JSON object")
                return 200, self.set_faults(name, **args)
            if method == "POST" and what == "reset-faults":
                return 200, self.reset_faults(name)
            if method == "POST" and what == "files":
                content = base64.b64decode(args["content"])
                self.write_file(name, args["path"], content)
                return 200, {"path": args["path"], "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}
        raise KeyError(url.path)


def _watched_prefixes(cfg: HostConfig, watched: Iterable[str] | None) -> list[str]:
    """Upper-case path prefixes whose files the state shows: the model's watch list, else the content folders."""
    if watched:
        return sorted({w.upper() for w in watched})
    prefixes = {site.root.upper().rstrip("\\") + "\\" for site in cfg.sites}
    for site in cfg.sites:
        for app in site.apps:
            if app.physical:
                prefixes.add(app.physical.upper().rstrip("\\") + "\\")
    for path in cfg.files:
        folder = path.upper().rsplit("\\", 1)[0]
        prefixes.add(folder + "\\")
    return sorted(prefixes)


def _shutdown_machine(machine: Any) -> None:
    for attr in ("shutdown", "close", "stop"):
        fn = getattr(machine, attr, None)
        if callable(fn):
            with contextlib.suppress(Exception):
                fn()
            return


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "size": len(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


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


def default_workdir() -> Path:
    """Where the CLI keeps its files when asked to persist them (``.lab/`` under the project root)."""
    return Path(os.environ.get("LAB_WORKDIR", ".lab"))

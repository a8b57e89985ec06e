"""The lab: many simulated NT 4.0 + IIS 4.0 hosts served by one asyncio event loop in a background thread.

Every host lives on its own loopback address (Linux routes all of 127/8 to ``lo``) and has

* WS-Management over HTTP on ``ip:5985`` and HTTPS on ``ip:5986`` (``HostConfig.http_port`` / ``https_port``:
  80 / 443 for XP and 2003 hosts with WinRM 1.1, see :mod:`tests.lab.machine.versions`), path ``/wsman``
  (:mod:`tests.lab.wire.pipeline`, :mod:`tests.lab.wire.wsman`, :mod:`tests.lab.wire.auth`), the HTTPS
  certificate issued by the lab CA (:mod:`tests.lab.wire.certs`);
* one web listener per site: site ``n`` listens on ``web_port + n - 1`` (:mod:`tests.lab.wire.sites`).

This module owns the event loop thread and the life cycle of hosts: addresses, certificates, listeners,
housekeeping and fault changes; the machine of each host comes from :func:`tests.lab.host.boot`.
HTTP framing and the serve loop of every listener are in :mod:`tests.lab.wire.http`, the faults that act on single
requests (``drop_after_requests``, ``drop_on_command``, ``slow_responses``, ``timing.request_latency``) in
:mod:`tests.lab.wire.pipeline`, the JSON control API (``Lab(control_port=...)``) and its client in
:mod:`tests.lab.harness.control`, host state snapshots in :mod:`tests.lab.harness.state`.

``wsman_down`` (``HostConfig.faults``, mutable at run time): the WS-Man listeners stop accepting (connection
refused); set through :meth:`Lab.set_faults` or the control API it takes effect at once, set directly on the
config within one housekeeping tick (new connections and requests on open connections are reset meanwhile).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import errno
import ipaddress
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..machine.config import HostConfig
from ..machine.events import EventLog
from ..wire import pipeline, sites
from ..wire.auth import write_user_file
from ..wire.certs import HostCertificate, LabCA
from ..wire.http import abort
from ..wire.sites import site_port
from ..wire.wsman import WSManService
from . import control, inventory, state

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
        self.connections: set[asyncio.StreamWriter] = set()
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
        return inventory.host_vars(self.config, scheme or self.inventory_scheme, self.lab.ca_path)

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ip": self.ip,
            "http_port": self.config.http_port if self.config.listen_http else None,
            "https_port": self.config.https_port if self.config.listen_https else None,
            "web_ports": self.site_ports(),
            "web_url": self.web_url(1),
            "services": list(self.config.services),
            "isolation": state.isolation(self.config),
        }

    def __repr__(self) -> str:
        return f"<LabHost {self.name} {self.ip}>"


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
                lambda r, w: control.serve_control(self, r, w), self._control_host, self._control_port
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
            from ..host import boot as Machine

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
        for port in host.site_ports().values():
            server = await asyncio.start_server(
                lambda r, w, p=port, h=host: sites.serve_site(h, p, self.executor, r, w), host.ip, port, backlog=128
            )
            host._web_servers.append(server)

    async def _open_wsman(self, host: LabHost) -> None:
        cfg = host.config
        if cfg.listen_http:
            host._wsman_servers.append(
                await asyncio.start_server(
                    lambda r, w, h=host: pipeline.serve_wsman(h, self.log, r, w, False),
                    host.ip,
                    cfg.http_port,
                    backlog=128,
                )
            )
        if cfg.listen_https:
            host._wsman_servers.append(
                await asyncio.start_server(
                    lambda r, w, h=host: pipeline.serve_wsman(h, self.log, r, w, True),
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
        for writer in list(host.connections):
            if getattr(writer, "_lab_kind", "") == "wsman":
                abort(writer)

    async def _close_host(self, host: LabHost, final: bool = True) -> None:
        for server in host._wsman_servers + host._web_servers:
            server.close()
        host._wsman_servers.clear()
        host._web_servers.clear()
        host.wsman_listening = False
        for writer in list(host.connections):
            abort(writer)
        host.connections.clear()
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
        self.log.add(host.name, "fault", changes={k: state.jsonable(v) for k, v in changes.items()})
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
        return state.host_state(self.host(name))

    def write_file(self, name: str, path: str, content: bytes) -> None:
        state.write_file(self.host(name).machine, path, content)

    # -- inventory

    def write_inventory(
        self, path: str | Path, hosts: Iterable[LabHost | str] | None = None, scheme: str | None = None
    ) -> Path:
        """Write an Ansible YAML inventory (groups ``iis4`` and ``web``) for ``hosts`` (default: all)."""
        selected = [self.host(h) if isinstance(h, str) else h for h in (hosts or list(self.hosts.values()))]
        return inventory.write_inventory(path, {h.name: h.inventory_vars(scheme) for h in selected})


def _shutdown_machine(machine: Any) -> None:
    for attr in ("shutdown", "close", "stop"):
        fn = getattr(machine, attr, None)
        if callable(fn):
            with contextlib.suppress(Exception):
                fn()
            return


def default_workdir() -> Path:
    """Where the CLI keeps its files when asked to persist them (``.lab/`` under the project root)."""
    return Path(os.environ.get("LAB_WORKDIR", ".lab"))

"""Request logic of a lab host's web sites (no sockets: ``server.py`` owns those).

``handle_request(machine, port, path)`` does what an IIS 4.0 request for an ASP page that creates the
application's COM components does, as far as DLL updates care:

* the site is the one the port belongs to (site ``n`` listens on ``web_port + n - 1``; failing that, the
  site whose ServerBindings name the port);
* while W3SVC is not RUNNING the request is refused (``ConnectionRefusedError``);
* the application is the nearest application root above the URL (metabase AppRoot);
* a component registered in an MTS server package / COM+ server application is loaded into that package's
  process instead (:mod:`tests.lab.machine.catalog`), which the line then names;
* its other components are loaded into inetinfo.exe (in-process) or the application's mtx.exe (isolated; started by
  the first request, KB Q246111) unless that process already has them - in which case it keeps using the
  image it mapped then, whatever is on disk now (KB Q315663, KB Q166279);
* the answer is ``200 text/plain``: one line per component,
  ``app=/LM/W3SVC/1/ROOT/Shop process=mtx.exe pid=216 component=ShopCart version=2.0.0.0``.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import unquote

from . import versions
from .config import AppConfig, SiteConfig
from .metabase import Key
from .processes import DLLHOST, MTX, POOLED, LoadError, Process
from .scm import RUNNING

CRLF = "\r\n"


def _site_config(machine: Any, number: int) -> SiteConfig | None:
    for site in machine.config.sites:
        if site.number == number:
            return site
    return None


def _site_key(machine: Any, port: int) -> Key | None:
    mb = machine.metabase
    number = port - machine.config.web_port + 1
    key = mb.resolve(f"W3SVC/{number}") if number >= 1 else None
    if key is not None and key.keytype.lower() == "iiswebserver":
        return key
    return mb.site_for_port(port)


def _app_config_for(site: SiteConfig | None, url_path: str) -> AppConfig | None:
    """The configured virtual directory with the longest path that contains the URL (case-insensitive)."""
    if site is None:
        return None
    url = "/" + "/".join(p for p in url_path.split("?")[0].split("/") if p).lower()
    best: AppConfig | None = None
    best_len = -1
    for app in site.apps:
        base = "/" + "/".join(p for p in app.path.split("/") if p).lower()
        if url == base or base == "/" or url.startswith(base + "/"):
            length = len(base)
            if length > best_len:
                best, best_len = app, length
    return best


def _text(status: int, lines: list[str]) -> tuple[int, dict[str, str], bytes]:
    body = (CRLF.join(lines) + CRLF).encode("cp437", errors="replace")
    return status, {"Content-Type": "text/plain"}, body


def _app_process(machine: Any, app_key: Key | None, app_path: str) -> tuple[Process, bool]:
    """IIS 4 / IIS 5 process model: (the process that runs the application, whether it was started now)."""
    isolation = machine.metabase.isolation(app_key) if app_key is not None else 0
    iis5 = versions.iis5_mode(machine.config)
    if isolation == 1 or (iis5 and isolation == 2):
        owner = app_path if isolation == 1 else POOLED
        existing = machine.processes.mtx_for(owner)
        if existing is not None:
            return existing, False
        image = DLLHOST if iis5 else MTX
        return machine.processes.start_mtx(owner, image), True
    return machine.processes.inetinfo or machine.processes.start_inetinfo(), False


def _worker(machine: Any, app_key: Key | None, port: int, path: str) -> tuple[Process, bool] | tuple[int, dict, bytes]:
    """Worker process isolation (IIS 6+): the w3wp.exe of the application's pool, or a 503 answer while the pool
    is stopped.  A pool with ``disallow_overlapping_rotation`` starts its new worker only once the old one of a
    recycle has exited (the request waits for it, at most the drain time; a worker that never exits: 503)."""
    config = machine.config
    with machine.lock:
        pool_name = machine.metabase.app_pool(app_key) if app_key is not None else versions.DEFAULT_POOL
        pool = machine.pool(pool_name)
    if pool is None or not pool.started:
        machine.log.add(config.name, "web", port=port, path=path, status=503, pool=pool_name)
        return _text(503, ["Service Unavailable"])
    if pool.disallow_overlapping_rotation:
        drain = machine.drain_time(pool)
        deadline = time.monotonic() + (drain if drain is not None else 0.0) + 1.0
        while machine.processes.exiting_worker(pool.name) is not None:
            if drain is None or time.monotonic() > deadline:
                machine.log.add(config.name, "web", port=port, path=path, status=503, pool=pool.name)
                return _text(503, ["Service Unavailable"])
            time.sleep(0.01)
    with machine.lock:
        existing = machine.processes.worker_for(pool.name)
        if existing is not None:
            return existing, False
        return machine.processes.start_worker(pool.name), True


def handle_request(machine: Any, port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    config = machine.config
    path = unquote(path)  # "/My%20Shop/" names the virtual directory "My Shop"
    if machine.scm.state("W3SVC") != RUNNING:
        machine.log.add(config.name, "web", port=port, path=path, status="refused")
        raise ConnectionRefusedError(f"W3SVC is not running on {config.name}")
    with machine.lock:
        site_key = _site_key(machine, port)
        if site_key is None:
            machine.log.add(config.name, "web", port=port, path=path, status=400)
            return _text(400, ["Bad Request (Invalid Hostname)"])
        number = int(site_key.name) if site_key.name.isdigit() else 0
        key = machine.metabase.key_for_url(site_key, path)
        app_key = machine.metabase.app_root_of(key)
        app_path = app_key.path if app_key is not None else "/LM/W3SVC"
        app_cfg = _app_config_for(_site_config(machine, number), path)
        components = list(app_cfg.components) if app_cfg is not None else []
        direct = {c.lower() for c in app_cfg.direct_components} if app_cfg is not None else set()
    if versions.worker_mode(config):
        got = _worker(machine, app_key, port, path)
        if len(got) == 3:
            return got  # type: ignore[return-value]
        proc, started = got  # type: ignore[misc]
    else:
        with machine.lock:
            proc, started = _app_process(machine, app_key, app_path)
    if started and config.timing.app_load > 0:
        time.sleep(config.timing.app_load)
    lines: list[str] = []
    loaded: dict[str, str] = {}
    with machine.lock:
        for comp in components:
            # a component of a server package runs in the package's process, not in the caller's
            holder = (None if comp.lower() in direct else machine.catalog.process_for(comp)) or proc
            try:
                image = machine.processes.load(holder, comp)
            except LoadError as exc:
                machine.log.add(config.name, "web", port=port, path=path, status=500, app=app_path, error=str(exc))
                return _text(
                    500,
                    [
                        "Server object error 'ASP 0177 : 800401f3'",
                        "Server.CreateObject Failed",
                        f"app={app_path} process={holder.image} pid={holder.pid} component={comp} error={exc}",
                    ],
                )
            loaded[image.name] = image.version
            lines.append(
                f"app={app_path} process={holder.image} pid={holder.pid} component={image.name} version={image.version}"
            )
    if not lines:
        lines.append(f"app={app_path} process={proc.image} pid={proc.pid}")
    machine.log.add(
        config.name,
        "web",
        port=port,
        path=path,
        status=200,
        app=app_path,
        process=proc.image,
        pid=proc.pid,
        versions=loaded,
    )
    return _text(200, lines)

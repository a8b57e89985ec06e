"""Processes of the lab host that matter for DLL updates: ``inetinfo.exe`` and one ``mtx.exe`` per isolated app.

* ``inetinfo.exe`` hosts the IIS services and every in-process application (KB Q166279, KB Q315663).  It
  exists while any IIS service is running or pending; when it exits, every image it loaded is released.
* An isolated (out-of-process) IIS 4.0 application runs in its own ``mtx.exe`` (MTS), started by the first
  request to the application and ended by Unload (KB Q246111, KB Q315663).
* APPUNLOAD with ``Timing.mtx_exit_delay``: the application drops its mtx.exe at once, the process exits (and
  releases its images) that many seconds later (``exiting``).  Processes outside IIS that loaded a DLL
  (``HostConfig.foreign_loaders``) hold it the same way until their lifetime ends (``foreign``).
* Loading a component maps the DLL: the file is locked for the process (``fs.lock`` with holder
  ``"<image>:<pid>"``; whether the loaded image may be renamed is ``HostConfig.rename_loaded_image``).  The
  process keeps the bytes it mapped: renaming or replacing the file afterwards does not change what that
  process runs, so the web server keeps reporting the old version until the process goes away.
* A component in an MTS server package / COM+ server application runs in the package's own process
  (``mtx.exe /p:{id}`` or ``dllhost.exe /ProcessID:{id}``, ``packages``), started on first use and kept until
  the package is shut down or has been idle long enough (:mod:`tests.lab.machine.catalog` decides when); it is not an
  IIS process, so neither APPUNLOAD nor the end of inetinfo.exe touches it.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .dll import dll_name, dll_version, is_dll
from .events import EventLog

INETINFO = "inetinfo.exe"
MTX = "mtx.exe"
DLLHOST = "dllhost.exe"
W3WP = "w3wp.exe"
POOLED = "*pooled*"  # the app of the shared dllhost.exe of IIS 5 pooled applications


class LoadError(Exception):
    """A component could not be loaded (missing file, not a DLL, unreadable)."""


@dataclass
class LoadedImage:
    path: str  # the path the process loaded it from (as the caller named it)
    name: str  # component name from the DLL marker
    version: str
    size: int
    loaded_at: float = field(default_factory=time.monotonic)


@dataclass
class Process:
    pid: int
    image: str  # "inetinfo.exe" | "mtx.exe"
    app: str | None = None  # metabase path of the application root (mtx.exe only)
    package: str | None = None  # package / COM+ application id (package processes only)
    images: dict[str, LoadedImage] = field(default_factory=dict)  # lower-case path -> image
    started: float = field(default_factory=time.monotonic)
    last_used: float = field(default_factory=time.monotonic)
    pool: str | None = None  # application pool (w3wp.exe only)
    worker: bool = False  # an IIS 5+ worker (dllhost.exe of an application, w3wp.exe): W3SVC's stop ends it

    @property
    def holder(self) -> str:
        return f"{self.image}:{self.pid}"

    def loaded(self, path: str) -> LoadedImage | None:
        return self.images.get(path.lower())


class ProcessTable:
    """The processes of one host.  ``fs`` is the host's FileSystem (locks), ``lock`` the model lock."""

    def __init__(
        self,
        fs: Any,
        log: EventLog,
        host: str,
        allow_rename: bool = True,
        lock: threading.RLock | None = None,
    ) -> None:
        self.fs = fs
        self.log = log
        self.host = host
        self.allow_rename = allow_rename
        self.lock = lock or threading.RLock()
        self._pids = itertools.count(212, 4)  # NT process ids are multiples of four
        self.inetinfo: Process | None = None
        self.mtx: dict[str, Process] = {}  # lower-case app root -> process
        self.exiting: dict[int, Process] = {}  # mtx.exe processes unloaded but not yet gone (pid -> process)
        self.foreign: dict[int, Process] = {}  # processes outside IIS that loaded a DLL (pid -> process)
        self.packages: dict[str, Process] = {}  # lower-case package id -> its server process
        self.workers: dict[str, Process] = {}  # IIS 6+: lower-case pool name -> its current w3wp.exe
        self._timers: list[threading.Timer] = []

    # ------------------------------------------------------------------------------------------------

    def _new_pid(self) -> int:
        return next(self._pids)

    def all(self) -> list[Process]:
        with self.lock:
            result = [self.inetinfo] if self.inetinfo else []
            return (
                result
                + list(self.mtx.values())
                + list(self.workers.values())
                + list(self.packages.values())
                + list(self.exiting.values())
                + list(self.foreign.values())
            )

    def start_inetinfo(self) -> Process:
        with self.lock:
            if self.inetinfo is None:
                self.inetinfo = Process(self._new_pid(), INETINFO)
                self.log.add(self.host, "process", action="start", image=INETINFO, pid=self.inetinfo.pid)
            return self.inetinfo

    def end_inetinfo(self, delay: float = 0.0) -> None:
        """inetinfo.exe exits: its images are released.  The isolated apps' mtx.exe go with it.

        ``delay`` > 0 (``Timing.inetinfo_exit_delay``): the SCM has already reported the services STOPPED, but
        the process is still exiting with its images mapped for that long (facts file: "``net stop`` returns
        when the SCM reports STOPPED; the process may still be exiting with its images mapped")."""
        with self.lock:
            for app in list(self.mtx):
                self.end_mtx(app)
            proc = self.inetinfo
            if proc is None:
                return
            self.inetinfo = None
            if delay > 0:
                self.exiting[proc.pid] = proc
                self.log.add(self.host, "process", action="exiting", image=INETINFO, pid=proc.pid, delay=delay)
            else:
                self._release(proc)
                self.log.add(self.host, "process", action="exit", image=INETINFO, pid=proc.pid)
                return
        self._after(delay, lambda: self._exit_later(self.exiting, proc))

    def mtx_for(self, app_root: str) -> Process | None:
        with self.lock:
            return self.mtx.get(app_root.lower())

    def start_mtx(self, app_root: str, image: str = MTX) -> Process:
        """The out-of-process application's process (IIS 4 ``mtx.exe``; IIS 5 ``dllhost.exe``, and the pooled
        applications' shared ``dllhost.exe`` under ``POOLED``), started if needed."""
        with self.lock:
            proc = self.mtx.get(app_root.lower())
            if proc is None:
                proc = Process(self._new_pid(), image, app=app_root, worker=image != MTX)
                self.mtx[app_root.lower()] = proc
                self.log.add(self.host, "process", action="start", image=image, pid=proc.pid, app=app_root)
            return proc

    # --- IIS 5+ workers ----------------------------------------------------------------------------

    def worker_for(self, pool: str) -> Process | None:
        with self.lock:
            return self.workers.get(pool.lower())

    def start_worker(self, pool: str) -> Process:
        """The w3wp.exe of application pool ``pool``, started if needed."""
        with self.lock:
            proc = self.workers.get(pool.lower())
            if proc is None:
                proc = Process(self._new_pid(), W3WP, pool=pool, worker=True)
                self.workers[pool.lower()] = proc
                self.log.add(self.host, "process", action="start", image=W3WP, pid=proc.pid, pool=pool)
            return proc

    def retire(self, table: dict[str, Process], key: str, delay: float | None) -> Process | None:
        """Take the process under ``key`` out of ``table`` (the next use starts a new one); it exits, releasing
        its images, now (``delay`` <= 0), ``delay`` seconds later, or never (``None``: it stays among the exiting
        until W3SVC stops).  Returns the process, None when there was none."""
        with self.lock:
            proc = table.pop(key.lower(), None)
            if proc is None:
                return None
            if delay is not None and delay <= 0:
                self._release(proc)
                self.log.add(self.host, "process", action="exit", image=proc.image, pid=proc.pid, app=proc.app,
                             pool=proc.pool)  # fmt: skip
                return proc
            self.exiting[proc.pid] = proc
            self.log.add(self.host, "process", action="exiting", image=proc.image, pid=proc.pid, app=proc.app,
                         pool=proc.pool, delay=delay)  # fmt: skip
        if delay is not None:
            self._after(delay, lambda: self._exit_later(self.exiting, proc))
        return proc

    def exiting_worker(self, pool: str) -> Process | None:
        """An old w3wp.exe of ``pool`` still on its way out (recycle, stop)."""
        with self.lock:
            low = pool.lower()
            return next((p for p in self.exiting.values() if p.pool is not None and p.pool.lower() == low), None)

    def end_iis_workers(self) -> None:
        """W3SVC stopped: every IIS 5+ worker ends at once (dllhost.exe of applications, w3wp.exe), also those
        on their way out."""
        with self.lock:
            for key, proc in list(self.mtx.items()):
                if proc.worker:
                    self.retire(self.mtx, key, 0)
            for key in list(self.workers):
                self.retire(self.workers, key, 0)
            for pid, proc in list(self.exiting.items()):
                if proc.worker:
                    del self.exiting[pid]
                    self._release(proc)
                    self.log.add(self.host, "process", action="exit", image=proc.image, pid=proc.pid, pool=proc.pool)

    def end_mtx(self, app_root: str) -> bool:
        """The app's mtx.exe exits (Unload, app deleted, web service stopped).  False if none was running."""
        with self.lock:
            proc = self.mtx.pop(app_root.lower(), None)
            if proc is None:
                return False
            self._release(proc)
            self.log.add(self.host, "process", action="exit", image=proc.image, pid=proc.pid, app=proc.app)
            return True

    def retire_mtx(self, app_root: str, delay: float) -> bool:
        """Unload with a slow exit: the application lets go of its mtx.exe at once (the next request starts a
        new one), the process itself exits - releasing its images - ``delay`` seconds later."""
        with self.lock:
            proc = self.mtx.pop(app_root.lower(), None)
            if proc is None:
                return False
            self.exiting[proc.pid] = proc
            self.log.add(self.host, "process", action="exiting", image=proc.image, pid=proc.pid, app=proc.app,
                         delay=delay)  # fmt: skip
        self._after(delay, lambda: self._exit_later(self.exiting, proc))
        return True

    def package_process(self, package_id: str) -> Process | None:
        with self.lock:
            return self.packages.get(package_id.lower())

    def start_package(self, package_id: str, image: str) -> Process:
        """The server process of package ``package_id`` (``image`` mtx.exe or dllhost.exe), started if needed."""
        with self.lock:
            proc = self.packages.get(package_id.lower())
            if proc is None:
                proc = Process(self._new_pid(), image, package=package_id)
                self.packages[package_id.lower()] = proc
                self.log.add(self.host, "process", action="start", image=image, pid=proc.pid, package=package_id)
            proc.last_used = time.monotonic()
            return proc

    def end_package(self, package_id: str, delay: float = 0.0) -> bool:
        """The package process is shut down: gone from the package at once, exits (releasing its images) after
        ``delay`` seconds.  False if it was not running."""
        with self.lock:
            proc = self.packages.pop(package_id.lower(), None)
            if proc is None:
                return False
            if delay <= 0:
                self._release(proc)
                self.log.add(self.host, "process", action="exit", image=proc.image, pid=proc.pid, package=package_id)
                return True
            self.exiting[proc.pid] = proc
            self.log.add(self.host, "process", action="exiting", image=proc.image, pid=proc.pid, package=package_id,
                         delay=delay)  # fmt: skip
        self._after(delay, lambda: self._exit_later(self.exiting, proc))
        return True

    def end_package_if_idle(self, package_id: str, idle: float) -> bool:
        """Idle shutdown: ends the package process when it has not been used for ``idle`` seconds."""
        with self.lock:
            proc = self.packages.get(package_id.lower())
            if proc is None or time.monotonic() - proc.last_used < idle - 1e-3:
                return False
            return self.end_package(package_id)

    def after(self, delay: float, action: Any) -> None:
        """Run ``action`` in ``delay`` seconds (a daemon timer, cancelled by :meth:`close`)."""
        self._after(delay, action)

    def start_foreign(self, image: str, dll: str, lifetime: float | None) -> Process:
        """A process outside IIS that has ``dll`` loaded (a scheduled job's cscript.exe, say); it exits after
        ``lifetime`` seconds (None: never).  Its image lock behaves like inetinfo.exe's or mtx.exe's."""
        with self.lock:
            proc = Process(self._new_pid(), image)
            self.foreign[proc.pid] = proc
            self.log.add(self.host, "process", action="start", image=image, pid=proc.pid)
            self.load(proc, dll)
        if lifetime is not None:
            self._after(lifetime, lambda: self._exit_later(self.foreign, proc))
        return proc

    def end_foreign(self, proc: Process) -> None:
        """A process outside IIS exits now (its images are released)."""
        self._exit_later(self.foreign, proc)

    def _after(self, delay: float, action: Any) -> None:
        timer = threading.Timer(max(0.0, delay), action)
        timer.daemon = True
        self._timers.append(timer)
        timer.start()

    def _exit_later(self, table: dict[int, Process], proc: Process) -> None:
        with self.lock:
            if table.pop(proc.pid, None) is None:
                return
            self._release(proc)
            self.log.add(self.host, "process", action="exit", image=proc.image, pid=proc.pid, app=proc.app)

    def close(self) -> None:
        for timer in self._timers:
            timer.cancel()

    def end_all_mtx(self) -> None:
        with self.lock:
            for app in list(self.mtx):
                self.end_mtx(app)

    def _release(self, proc: Process) -> None:
        if self.fs is not None:
            self.fs.unlock_holder(proc.holder)
        proc.images.clear()

    # ------------------------------------------------------------------------------------------------

    def load(self, proc: Process, path: str) -> LoadedImage:
        """Map the DLL at ``path`` into ``proc`` unless it already has it; returns what the process runs."""
        with self.lock:
            existing = proc.loaded(path)
            if existing is not None:
                return existing
            try:
                data = self.fs.read(path)
            except Exception as exc:  # FsError: missing, unreadable, locked for reading
                raise LoadError(str(exc)) from exc
            if not is_dll(data):
                raise LoadError(f"{path} is not a valid Windows NT image.")
            self.fs.lock(path, holder=proc.holder, allow_rename=self.allow_rename)
            image = LoadedImage(path, dll_name(data) or "", dll_version(data) or "", len(data))
            proc.images[path.lower()] = image
            self.log.add(
                self.host, "process", action="load", image=proc.image, pid=proc.pid, path=path, version=image.version
            )
            return image

    def loaded_images(self) -> dict[str, list[str]]:
        """``{"inetinfo.exe:212": [path, ...], "mtx.exe:216": [...]}``: where each mapped image is now.

        The lock follows a renamed image, so a DLL renamed after loading shows up under its new name.
        """
        with self.lock:
            locked = getattr(self.fs, "locked_paths", None)
            if callable(locked):
                return {p.holder: sorted(locked(p.holder)) for p in self.all()}
            return {p.holder: [img.path for img in p.images.values()] for p in self.all()}

"""One simulated Windows NT 4.0 + IIS 4.0 machine: file system, services, processes, metabase, programs.

``Machine(config, log, shell=..., programs=...)`` builds the host from its
:class:`~tests.lab.machine.config.HostConfig`; ``start_command`` runs ``cmd.exe /c <line>`` in its own thread, which
is what a WinRS Command is (see ``docs/dev/architecture.md``, "Machine <-> wire contract").  Model changes
are serialised by ``lock``.  The machine does not know the command interpreter or the programs: it is
handed a shell factory and a program table (:func:`tests.lab.host.boot` does that) and connects them to a
running command through :mod:`tests.lab.machine.proc_api`.

Reactions wired here (sources in the facts file, section 5):

* inetinfo.exe starts with the first IIS service and exits when the last one has stopped; its DLL locks go
  with it (KB Q166279: to unload inetinfo.exe every service hosted in it must be stopped).
* When W3SVC stops, the isolated applications' mtx.exe processes end too (documented guess; KB Q315663's
  procedure stops everything, and an out-of-process application cannot outlive the web service that owns it).
* APPUNLOAD ends the application's mtx.exe, unless the path differs in case from the AppRoot stored on the key
  (KB Q246111: nothing happens, yet success is reported; ``AppConfig.app_root`` stores another spelling) or
  ``Faults.unload_noop`` is set; with ``Timing.mtx_exit_delay`` the process exits that much later.  Unloading
  an in-process application frees nothing: its DLLs stay in inetinfo.exe.
* ``HostConfig.foreign_loaders`` start at boot: processes outside IIS that hold a DLL mapped.
* ``catalog`` (:mod:`tests.lab.machine.catalog`): the MTS / COM+ packages; their server processes are not IIS
  processes, so no service change ends them.
"""

from __future__ import annotations

import contextlib
import ntpath
import threading
import time
import traceback
from collections.abc import Mapping
from typing import Any

from . import versions
from .catalog import Catalog
from .config import AppPoolConfig, HostConfig, pool_configs
from .dll import make_dll
from .events import EventLog
from .fs import FileSystem
from .metabase import Key, Metabase
from .proc_api import STATUS_CONTROL_C_EXIT, CmdIO, Program, ShellFactory
from .processes import POOLED, ProcessTable
from .scm import IIS_SERVICES, RUNNING, STOPPED, ServiceControlManager

STDIN_GRACE = 1.0  # seconds a read of stdin waits for a client that never sends any before it sees EOF


class Command:
    """A running ``cmd.exe /c`` command.  Thread-safe; the wire polls it with :meth:`read`."""

    def __init__(self, machine: Machine, cmdline: str, cwd: str | None, env: dict[str, str] | None) -> None:
        self.machine = machine
        self.cmdline = cmdline
        self.cwd = cwd
        self.env = env
        self.cancelled = threading.Event()
        self._cond = threading.Condition()
        self._out = bytearray()
        self._err = bytearray()
        self._stdin = ""
        self._stdin_eof = False
        self._stdin_seen = False
        self.finished = False  # the thread is done
        self._terminated = False
        self.exit_code: int | None = None
        self.started = time.monotonic()
        self.thread = threading.Thread(target=self._run, name=f"cmd-{machine.config.name}", daemon=True)

    # --- the program side -------------------------------------------------------------------------

    def _emit(self, buf: bytearray, text: str) -> None:
        if not text:
            return
        data = text.encode("cp437", errors="replace")
        with self._cond:
            if self._terminated:
                return
            buf.extend(data)
            self._cond.notify_all()

    def out(self, text: str) -> None:
        self._emit(self._out, text)

    def err(self, text: str) -> None:
        self._emit(self._err, text)

    def read_stdin(self) -> str:
        """One line of stdin (with its line end), or what is left at EOF; ``""`` means end of input.

        A client that has not sent anything within ``STDIN_GRACE`` seconds is taken as having no stdin (a
        non-interactive session) and the read sees EOF.
        """
        deadline = time.monotonic() + STDIN_GRACE
        with self._cond:
            while True:
                idx = self._stdin.find("\n")
                if idx >= 0:
                    line, self._stdin = self._stdin[: idx + 1], self._stdin[idx + 1 :]
                    return line
                if self._stdin_eof or self.cancelled.is_set():
                    line, self._stdin = self._stdin, ""
                    return line
                remaining = deadline - time.monotonic()
                if not self._stdin_seen and remaining <= 0:
                    return ""
                self._cond.wait(timeout=0.05 if self._stdin_seen else min(0.05, max(remaining, 0.001)))

    def _run(self) -> None:
        latency = self.machine.config.timing.command_latency
        if latency > 0:
            time.sleep(latency)
        io = CmdIO(out=self.out, err=self.err, read_stdin=self.read_stdin, cancelled=self.cancelled)
        rc = 1
        target: Any = _MachineView(self.machine, self.env) if self.env else self.machine
        try:
            shell = self.machine.shell_factory(target, self.machine.programs)  # set: start_command checked
            rc = shell.run(self.cmdline, io, cwd=self.cwd)
        except Exception as exc:  # the lab must never take the wire down; show what broke
            self.err(f"lab: internal error in the command interpreter: {exc!r}\r\n")
            self.machine.log.add(
                self.machine.config.name, "error", line=self.cmdline, error=repr(exc), trace=traceback.format_exc()
            )
            rc = 255
        seconds = time.monotonic() - self.started
        self.machine.log.add(self.machine.config.name, "command", line=self.cmdline, rc=rc, seconds=seconds)
        with self._cond:
            self.finished = True
            if self.exit_code is None:
                self.exit_code = rc
            self._cond.notify_all()

    # --- the wire side ----------------------------------------------------------------------------

    def start(self) -> Command:
        self.thread.start()
        return self

    def write_stdin(self, data: bytes, eof: bool = False) -> None:
        with self._cond:
            if data:
                self._stdin += data.decode("cp437", errors="replace")
                self._stdin_seen = True
            if eof:
                self._stdin_eof = True
                self._stdin_seen = True
            self._cond.notify_all()

    @property
    def done(self) -> bool:
        return self.finished or self._terminated

    def read(self, timeout: float) -> tuple[bytes, bytes, bool, int | None]:
        """New stdout/stderr bytes since the last read; waits up to ``timeout`` for some or for the end."""
        end = time.monotonic() + max(0.0, timeout)
        with self._cond:
            while not self._out and not self._err and not self.done:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            out, err = bytes(self._out), bytes(self._err)
            self._out.clear()
            self._err.clear()
            done = self.done
            return out, err, done, (self.exit_code if done else None)

    def signal(self, kind: str) -> None:
        """``ctrl_c``: the program sees the cancel flag and ends; ``terminate``: the process is gone now."""
        self.cancelled.set()
        with self._cond:
            if kind == "terminate" and not self.finished:
                self._terminated = True
                self.exit_code = STATUS_CONTROL_C_EXIT & 0xFFFFFFFF if self.exit_code is None else self.exit_code
            self._cond.notify_all()

    def wait(self, timeout: float | None = None) -> int | None:
        """Test helper: block until the command ends; returns its exit code."""
        self.thread.join(timeout)
        return self.exit_code


class _MachineView:
    """The machine as one command sees it: same model, its own environment block."""

    def __init__(self, machine: Machine, env: dict[str, str]) -> None:
        self._machine = machine
        self.env = env

    def __getattr__(self, name: str) -> Any:
        return getattr(self._machine, name)


class Machine:
    """The host.  ``shell`` makes the command interpreter for one command (``shell(machine, programs)``, see
    :data:`~tests.lab.machine.proc_api.ShellFactory`); ``programs`` is the host's program table.  Without a shell the
    model works (files, services, web server) but cannot run commands."""

    def __init__(
        self,
        config: HostConfig,
        log: EventLog,
        *,
        shell: ShellFactory | None = None,
        programs: Mapping[str, Program] | None = None,
    ) -> None:
        self.config = config
        self.log = log
        self.lock = threading.RLock()
        self.fs = FileSystem(config.faults, config.disk_free, log=log, host=config.name)
        self.registrations: dict[str, dict[str, Any]] = {}
        self._populate_files()
        self.scm = ServiceControlManager(config, log, self.lock)
        self.processes = ProcessTable(self.fs, log, config.name, config.rename_loaded_image, self.lock)
        self.metabase = Metabase(config, self.lock)
        self.catalog = Catalog(config, self.processes, log, self.metabase)
        self.pools: dict[str, AppPoolConfig] = {}  # IIS 6+: lower-case name -> pool
        if versions.iis_major(config) >= 6:
            self.pools = {p.name.lower(): p for p in pool_configs(config)}
        # review S3: each site's runtime state (IIS 7+ appcmd's ``state:``), by site number
        self.sites_started: dict[int, bool] = {site.number: site.started for site in config.sites}
        self._make_app_folders()
        self.scm.listeners.append(self._on_service_change)
        if self.scm.iis_active():
            self.processes.start_inetinfo()
        for loader in config.foreign_loaders:
            self.processes.start_foreign(loader.image, loader.dll, loader.lifetime)
        self.env = self._environment()
        self.shell_factory = shell
        self.programs: dict[str, Program] = dict(programs or {})

    # ------------------------------------------------------------------------------------------------
    # building the host

    def _populate_files(self) -> None:
        cfg = self.config
        sysroot = cfg.system_root
        system32 = sysroot + "\\system32"
        inetsrv = system32 + "\\inetsrv"
        profile = versions.profile_folder(cfg)
        for folder in (system32, inetsrv, "C:\\TEMP", "C:\\InetPub", profile):
            self.fs.makedirs(folder)
        if cfg.adsutil_path:
            self.fs.makedirs(ntpath.dirname(cfg.adsutil_path))
        exe = {
            system32 + "\\cmd.exe": ("cmd", "4.0.1381.335"),
            system32 + "\\net.exe": ("net", "4.0.1381.1"),
            system32 + "\\cscript.exe": ("cscript", "5.0.531.7"),
            system32 + "\\regsvr32.exe": ("regsvr32", "4.0.1381.1"),
            system32 + "\\fc.exe": ("fc", "4.0.1381.1"),
            system32 + "\\attrib.exe": ("attrib", "4.0.1381.1"),
            system32 + "\\ping.exe": ("ping", "4.0.1381.1"),
            inetsrv + "\\inetinfo.exe": ("inetinfo", "4.2.785.1"),
            inetsrv + "\\asp.dll": ("asp", "4.2.785.1"),
            inetsrv + "\\sspifilt.dll": ("sspifilt", "4.2.785.1"),
            inetsrv + "\\wam.dll": ("wam", "4.2.785.1"),
            system32 + "\\mtx.exe": ("mtx", "2.0.0.1"),
        }
        if cfg.has_sc:
            exe[system32 + "\\sc.exe"] = ("sc", "4.0.1381.1")
        if cfg.catalog == "mts":
            exe["C:\\Program Files\\Mts\\mtxstop.exe"] = ("mtxstop", "2.0.0.1")
        if cfg.has_tlist:
            exe[system32 + "\\tlist.exe"] = ("tlist", "4.0.1381.1")
        if cfg.has_tasklist:
            exe[system32 + "\\tasklist.exe"] = ("tasklist", "5.1.2600.0")
        if cfg.has_filever:
            exe[system32 + "\\filever.exe"] = ("filever", "5.2.3790.0")
        iis = versions.kind_of(cfg).iis
        if cfg.has_iisreset:
            exe[system32 + "\\iisreset.exe"] = ("iisreset", iis)
        if cfg.has_appcmd:
            exe[inetsrv + "\\appcmd.exe"] = ("appcmd", iis)
        if versions.iis_major(cfg) >= 5:
            exe[system32 + "\\dllhost.exe"] = ("dllhost", iis)
        if versions.iis_major(cfg) >= 6:
            exe[inetsrv + "\\w3wp.exe"] = ("w3wp", iis)
        for path, (name, version) in exe.items():
            self.fs.makedirs(ntpath.dirname(path))
            self.fs.write(path, make_dll(name, version, 8192))
        adsutil = (
            "''''''''''''''''''''''''''''''''''''\r\n' ADSUTIL.VBS\r\n'\r\n"
            "' IIS metabase administration sample script (lab host: cscript runs the lab's implementation).\r\n"
            "''''''''''''''''''''''''''''''''''''\r\nOption Explicit\r\nOn Error Resume Next\r\n"
        )
        if cfg.adsutil_path:
            self.fs.write(cfg.adsutil_path, adsutil.encode("cp437"))
        if cfg.has_iisapp:
            iisapp = "' IISAPP.VBS - lists and recycles the worker processes (lab host: cscript runs the lab's).\r\n"
            self.fs.write(versions.iisapp_path(cfg), iisapp.encode("cp437"))
        for site in cfg.sites:
            self.fs.makedirs(site.root)
            default = f"{site.root}\\default.asp"
            if not self.fs.exists(default):
                self.fs.write(default, f'<% Response.Write "{site.comment}" %>\r\n'.encode("cp437"))
        for path, data in cfg.files.items():
            folder = ntpath.dirname(path)
            drive = ntpath.splitdrive(path)[0]
            if drive and drive.upper() not in (d + ":" for d in self.fs.drives()):
                self.fs.add_drive(drive[0])  # a file on D: (a CD, a second disk) brings its drive
            if folder:
                self.fs.makedirs(folder)
            self.fs.write(path, data)
        for path in cfg.readonly_files:
            if self.fs.is_file(path):
                self.fs.set_attributes(path, readonly=True)

    def _make_app_folders(self) -> None:
        for key in self.metabase.root.walk():
            phys = self.metabase.stored(key, "Path")
            if isinstance(phys, str) and key.path.upper().startswith("/LM/W3SVC/") and not self.fs.exists(phys):
                with contextlib.suppress(Exception):
                    self.fs.makedirs(phys)

    def _environment(self) -> dict[str, str]:
        cfg = self.config
        root = cfg.system_root
        return {
            "COMPUTERNAME": cfg.name.upper(),
            "ComSpec": root + "\\system32\\cmd.exe",
            "HOMEDRIVE": "C:",
            "HOMEPATH": "\\",
            "NUMBER_OF_PROCESSORS": "1",
            "OS": "Windows_NT",
            "Os2LibPath": root + "\\system32\\os2\\dll;",
            "Path": f"{root}\\system32;{root}",
            "PATHEXT": ".COM;.EXE;.BAT;.CMD",
            "PROCESSOR_ARCHITECTURE": "x86",
            "PROCESSOR_IDENTIFIER": "x86 Family 6 Model 5 Stepping 2, GenuineIntel",
            "PROCESSOR_LEVEL": "6",
            "PROCESSOR_REVISION": "0502",
            "PROMPT": "$P$G",
            "SystemDrive": "C:",
            "SystemRoot": root,
            "TEMP": "C:\\TEMP",
            "TMP": "C:\\TEMP",
            "USERDOMAIN": cfg.domain.upper() or cfg.name.upper(),
            "USERNAME": cfg.username,
            "USERPROFILE": versions.profile_folder(cfg),
            "windir": root,
        }

    # ------------------------------------------------------------------------------------------------
    # commands

    def start_command(self, cmdline: str, cwd: str | None = None, env: dict[str, str] | None = None) -> Command:
        """Run ``cmd.exe /c cmdline`` in its own thread.  ``cwd`` defaults to the user's profile folder (where
        a WinRS shell starts); ``env`` adds variables (a WinRS shell's environment) for this command only."""
        if self.shell_factory is None:
            raise RuntimeError(f"{self.config.name}: this machine has no command interpreter (see tests.lab.host)")
        environment = None
        if env:
            environment = dict(self.env)
            environment.update(env)
        return Command(self, cmdline, cwd, environment).start()

    def run(self, cmdline: str, stdin: bytes | None = None, timeout: float = 30.0) -> tuple[str, str, int | None]:
        """Test helper: run a command to completion; returns (stdout text, stderr text, exit code)."""
        cmd = self.start_command(cmdline)
        if stdin is not None:
            cmd.write_stdin(stdin, eof=True)
        out, err = bytearray(), bytearray()
        end = time.monotonic() + timeout
        while True:
            o, e, done, rc = cmd.read(0.2)
            out += o
            err += e
            if done:
                return out.decode("cp437"), err.decode("cp437"), rc
            if time.monotonic() > end:
                raise TimeoutError(f"command did not finish: {cmdline}")

    # ------------------------------------------------------------------------------------------------
    # reactions to service changes

    def _on_service_change(self, name: str, old: str, new: str) -> None:
        if name.upper() not in IIS_SERVICES and not self.scm.hosted_by_inetinfo(name):
            return  # (HTTP SSL is, in IIS 5 isolation mode)
        if new != STOPPED and self.processes.inetinfo is None and self.scm.iis_active():
            self.processes.start_inetinfo()
        # IIS 7+: the w3wp.exe workers belong to WAS (technet dd364124); W3SVC's stop also ends them (its sites
        # go), WAS's stop does in any case.  ``net stop IISADMIN /y`` touches neither there.
        if new == STOPPED and name.upper() in ("W3SVC", "WAS"):
            self.processes.end_all_mtx()
            self.processes.end_iis_workers()  # IIS 5+: dllhost.exe of applications, w3wp.exe
        if new == STOPPED and not self.scm.iis_active():
            self.processes.end_inetinfo(self.config.timing.inetinfo_exit_delay)
        if new == RUNNING:
            self._autostart_pools(name.upper())
            self._autostart_sites(name.upper())

    def _autostart_sites(self, name: str) -> None:
        """Review S3, IIS 7+: starting and stopping a site "does not require writing to configuration ... when the
        server is rebooted, or the W3SVC service is restarted manually or through IISRESET, the sites automatically
        restart ... unless the Web site is marked in configuration to not restart automatically. This is controlled
        by the serverAutoStart configuration property" (M. Volodarsky, "Starting, stopping and recycling IIS 7.0 Web
        sites and application pools", mvolo.com).  So when W3SVC reaches RUNNING every site is started where
        ``server_auto_start`` is true and stopped where it is false (event ``site``, ``action=autostart``).  IIS 4-6
        keep a site's state across restarts (ServerAutoStart "is reset automatically when a server instance is
        stopped or restarted", TechNet cc782812): nothing happens there."""
        if name != "W3SVC" or versions.iis_major(self.config) < 7:
            return
        with self.lock:
            for site in self.config.sites:
                if self.sites_started.get(site.number) != site.server_auto_start:
                    self.sites_started[site.number] = site.server_auto_start
                    self.log.add(self.config.name, "site", number=site.number, action="autostart",
                                 started=site.server_auto_start)  # fmt: skip

    def site_set_started(self, number: int, started: bool) -> None:
        """appcmd's ``start site`` / ``stop site``: the runtime state only (serverAutoStart is left as it is)."""
        with self.lock:
            self.sites_started[number] = started
            self.log.add(self.config.name, "site", number=number, action="start" if started else "stop")

    def _autostart_pools(self, name: str) -> None:
        """Review S1/S2: a pool's started or stopped state is runtime state that a restart of IIS does not keep.

        IIS 7+: appcmd's ``stop apppool`` / ``start apppool`` send a runtime command and leave ``autoStart`` as it
        is; "when you restart WAS (e.g. reboot or do an IISRESET) the application pool state will be reset" to what
        ``autoStart`` says (M. Volodarsky, "Caution when stopping and starting an IIS application pool with
        appcmd", 2010); "WAS will start all application pools when it starts" (LeanSentry, "How to stop a zombie
        IIS application pool"); TechNet cc772112 (Configure Automatic Startup for an Application Pool).
        IIS 6: ``AppPoolState`` is VOLATILE (TechNet cc759494), so ``net stop iisadmin /y`` drops it, and
        ``AppPoolAutoStart`` tells the WWW service to start the pool "when IIS is started" (cc759202).
        So: when WAS (IIS 7+) or W3SVC (IIS 6 worker process isolation) reaches RUNNING, every pool is started
        where its ``auto_start`` is true and stopped where it is false (event ``pool``, ``action=autostart``)."""
        if not versions.worker_mode(self.config):
            return
        if name != ("WAS" if versions.iis_major(self.config) >= 7 else "W3SVC"):
            return
        with self.lock:
            for pool in self.pools.values():
                state = 2 if pool.auto_start else 4
                if self.pool_state(pool.name) == state:
                    continue
                if state == 4:
                    self.processes.retire(self.processes.workers, pool.name, self.worker_delay())
                self._set_pool_state(pool, state)
                self.log.add(self.config.name, "pool", name=pool.name, action="autostart", state=state, by=name)

    # ------------------------------------------------------------------------------------------------
    # applications (called by adsutil.vbs and the web server)

    def app_create(self, key: Key, isolated: bool | int, requested_path: str | None = None) -> None:
        """AppCreate; the AppRoot is stored in the spelling of ``requested_path`` (``/LM/...``) when given.
        ``isolated``: a bool (IIS 4: in-process / isolated) or the IIS 5 AppIsolated value 0, 1, 2."""
        isolation = int(isolated)
        with self.lock:
            if self.metabase.is_app_root(key) and self.metabase.isolation(key) != isolation:
                self.app_delete(key)
            if not self.metabase.is_app_root(key):
                self.metabase.app_create(key, isolation, requested_path)
            self.log.add(self.config.name, "app", action="create", app=key.path, isolated=isolation)

    def app_delete(self, key: Key) -> None:
        with self.lock:
            if self.metabase.is_app_root(key):
                # The app is shut down: its mtx.exe ends.  In-process DLLs stay in inetinfo.exe (IIS SDK).
                self.processes.end_mtx(key.path)
                self.metabase.app_delete(key)
            self.log.add(self.config.name, "app", action="delete", app=key.path)

    def app_unload(self, key: Key, requested_path: str) -> bool:
        """AppUnload as IIS 4.0 / 5.x does it; True if a process was actually ended."""
        with self.lock:
            ended = False
            reason = "not an application root"
            iis5 = versions.iis5_mode(self.config)
            if versions.worker_mode(self.config):
                reason = "worker process isolation mode: Unload is disabled"
            elif self.metabase.is_app_root(key):
                isolation = self.metabase.isolation(key)
                if requested_path.rstrip("/") != self.metabase.app_root_value(key):
                    reason = "path differs from the stored AppRoot in case (KB Q246111)"
                elif isolation == 0 or (not iis5 and isolation != 1):
                    reason = "in-process application: DLLs stay in inetinfo.exe"
                elif self.config.faults.unload_noop:
                    reason = "fault unload_noop"
                    self.log.add(self.config.name, "fault", fault="unload_noop", app=key.path)
                elif isolation == 2:
                    if self.config.appunload_recycles_pool:
                        ended = self._retire_app_process(POOLED)
                        reason = "pooled: the shared dllhost.exe recycled" if ended else "not loaded"
                    else:
                        reason = "pooled application: the shared dllhost.exe keeps running"
                elif iis5:
                    ended = self._retire_app_process(key.path)
                    reason = "unloaded" if ended else "not loaded"
                elif self.config.timing.mtx_exit_delay > 0:
                    ended = self.processes.retire_mtx(key.path, self.config.timing.mtx_exit_delay)
                    reason = "unloaded; mtx.exe exits later" if ended else "not loaded"
                else:
                    ended = self.processes.end_mtx(key.path)
                    reason = "unloaded" if ended else "not loaded"
            self.log.add(self.config.name, "app", action="unload", app=key.path, path=requested_path, ended=ended,
                         reason=reason)  # fmt: skip
            return ended

    def worker_delay(self) -> float | None:
        """How long an IIS 5+ worker told to go takes to exit (None: never, ``Faults.worker_keeps_dll``)."""
        if self.config.faults.worker_keeps_dll:
            self.log.add(self.config.name, "fault", fault="worker_keeps_dll")
            return None
        return self.config.timing.worker_exit_delay

    def _retire_app_process(self, app: str) -> bool:
        """IIS 5: the dllhost.exe of an isolated application (or of the pooled ones, ``POOLED``) goes."""
        return self.processes.retire(self.processes.mtx, app, self.worker_delay()) is not None

    def app_status(self, key: Key) -> int:
        """APPGETSTATUS: 2 not an application, 1 running (loaded), 0 stopped (documented guess)."""
        with self.lock:
            if not self.metabase.is_app_root(key):
                return 2
            if versions.worker_mode(self.config):
                return 1 if self.processes.worker_for(self.metabase.app_pool(key)) is not None else 0
            isolation = self.metabase.isolation(key)
            if versions.iis5_mode(self.config) and isolation == 2:
                return 1 if self.processes.mtx_for(POOLED) is not None else 0
            if isolation == 1:
                return 1 if self.processes.mtx_for(key.path) is not None else 0
            return 1 if self.scm.state("W3SVC") == RUNNING else 0

    # ------------------------------------------------------------------------------------------------
    # IIS 5 pooled applications; IIS 6+ application pools

    def shutdown_iis_application(self, app: str) -> bool:
        """COM+ ShutdownApplication of an IIS application (``POOLED`` or an isolated app's key path)."""
        with self.lock:
            return self._retire_app_process(app)

    def pool(self, name: str) -> AppPoolConfig | None:
        return self.pools.get(name.strip().lower())

    def pool_state(self, name: str) -> int:
        """AppPoolState: 1 starting, 2 started, 3 stopping, 4 stopped (0: no such pool)."""
        with self.lock:
            pool = self.pool(name)
            if pool is None:
                return 0
            key = self.metabase.resolve(f"W3SVC/AppPools/{pool.name}")
            stored = self.metabase.stored(key, "AppPoolState") if key is not None else None
            return int(stored) if stored is not None else (2 if pool.started else 4)

    def _set_pool_state(self, pool: AppPoolConfig, state: int) -> None:
        pool.started = state in (1, 2)
        key = self.metabase.resolve(f"W3SVC/AppPools/{pool.name}")
        if key is not None:
            key.values["apppoolstate"] = state
        self.log.add(self.config.name, "pool", name=pool.name, state=state)

    def pool_stop(self, name: str, transition: float = 0.0) -> bool:
        """Stop an application pool: its w3wp.exe exits (``Timing.worker_exit_delay`` later; never with
        ``Faults.pool_stop_stuck``); its applications answer 503 until it is started.  False: no such pool.

        ``transition`` > 0 (an ``AppPoolCommand`` 2 through ADSI): AppPoolState reads 3 (stopping) that long
        before 4 (stopped) - the command is asynchronous (technet cc787263, quoted in the facts file)."""
        with self.lock:
            pool = self.pool(name)
            if pool is None:
                return False
            self._set_pool_state(pool, 3 if transition > 0 else 4)
            delay = None if self.config.faults.pool_stop_stuck else self.worker_delay()
            if self.config.faults.pool_stop_stuck:
                self.log.add(self.config.name, "fault", fault="pool_stop_stuck", pool=pool.name)
            self.processes.retire(self.processes.workers, pool.name, delay)
            if transition > 0:
                self.processes.after(transition, lambda: self._settle_pool(pool, 3, 4))
            return True

    def pool_start(self, name: str, transition: float = 0.0) -> bool:
        """Start an application pool; ``transition`` > 0: AppPoolState reads 1 (starting) that long before 2."""
        with self.lock:
            pool = self.pool(name)
            if pool is None:
                return False
            self._set_pool_state(pool, 1 if transition > 0 else 2)
            if transition > 0:
                self.processes.after(transition, lambda: self._settle_pool(pool, 1, 2))
            return True

    def _settle_pool(self, pool: AppPoolConfig, passing: int, final: int) -> None:
        with self.lock:
            if self.pool_state(pool.name) == passing:
                self._set_pool_state(pool, final)

    def pool_recycle(self, name: str) -> str:
        """Recycle: ``ok``, ``missing`` (no such pool) or ``stopped`` (the pool is not started).  The running
        w3wp.exe (if any) drains: it keeps its DLLs ``min(Timing.worker_drain, ShutdownTimeLimit *
        Timing.pool_time_scale)`` seconds (never with ``Faults.worker_keeps_dll``); the next request starts a
        new one - after the old one is gone when ``disallow_overlapping_rotation``."""
        with self.lock:
            pool = self.pool(name)
            if pool is None:
                return "missing"
            if not pool.started:
                return "stopped"
            delay = self.drain_time(pool)
            self.processes.retire(self.processes.workers, pool.name, delay)
            self.log.add(self.config.name, "pool", name=pool.name, action="recycle", drain=delay)
            return "ok"

    def drain_time(self, pool: AppPoolConfig) -> float | None:
        if self.config.faults.worker_keeps_dll:
            self.log.add(self.config.name, "fault", fault="worker_keeps_dll", pool=pool.name)
            return None
        timing = self.config.timing
        return max(0.0, min(timing.worker_drain, pool.shutdown_time_limit * timing.pool_time_scale))

    def metabase_changed(self, key: Key, name: str, value: Any) -> None:
        """adsutil SET hook: ``AppPoolCommand`` 1 starts, 2 stops the pool of an IIsApplicationPool key."""
        if name.lower() == "apppoolcommand" and key.keytype.lower() == "iisapplicationpool":
            if self.scm.state("W3SVC") != RUNNING:
                # issue 21 (N10): the WWW service acts on AppPoolCommand (a metabase change notification, technet
                # cc787263); with W3SVC stopped the value is stored and nothing acts on it.
                self.log.add(self.config.name, "pool", name=key.name, command=int(value), ignored="W3SVC not running")
                return
            transition = self.config.timing.pool_transition
            if int(value) == 1:
                self.pool_start(key.name, transition)
            elif int(value) == 2:
                self.pool_stop(key.name, transition)

    # ------------------------------------------------------------------------------------------------
    # introspection for tests and the control API

    def service_states(self) -> dict[str, str]:
        return self.scm.states()

    def loaded_images(self) -> dict[str, list[str]]:
        return self.processes.loaded_images()

    def file_bytes(self, path: str) -> bytes | None:
        try:
            return self.fs.read(path)
        except Exception:
            snap = self.fs.snapshot()
            low = path.lower()
            for name, data in snap.items():
                if name.lower() == low:
                    return data
            return None

    def write_file(self, path: str, content: bytes) -> None:
        folder = ntpath.dirname(path)
        if folder:
            self.fs.makedirs(folder)
        self.fs.write(path, content)

    def site_port(self, site: int) -> int:
        return self.config.web_port + site - 1

    def served_version(self, site: int, app_path: str) -> str | None:
        """Request ``app_path`` on ``site`` like a browser would; the version of the first component served."""
        from . import web

        try:
            status, _headers, body = web.handle_request(self, self.site_port(site), app_path)
        except ConnectionRefusedError:
            return None
        if status != 200:
            return None
        text = body.decode("cp437") if isinstance(body, bytes) else str(body)
        for line in text.splitlines():
            for field in line.split():
                if field.startswith("version="):
                    return field.split("=", 1)[1]
        return None

    def state(self) -> dict[str, Any]:
        return {
            "services": self.service_states(),
            "processes": [
                {"image": p.image, "pid": p.pid, "app": p.app, "images": [i.path for i in p.images.values()]}
                for p in self.processes.all()
            ],
            "registrations": dict(self.registrations),
            "applications": [
                {"path": k.path, "isolated": self.metabase.isolated(k)} for k in self.metabase.applications()
            ],
        }

    def shutdown(self) -> None:
        self.scm.close()
        self.processes.close()

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace a COM DLL used by ASP applications on an IIS 4.0 host with the least outage (KB Q315663).

The run talks to the host through one WinRS cmd shell and few command lines:

1. gather  - one batched line: the state record of an earlier run, src and dest, ``fc /b``, ``net start``,
             ``sc qc`` of the IIS services, ``adsutil ENUM_ALL W3SVC``, whether dest is loaded.
2. stage   - copy src beside dest under a temporary name, verify it with ``fc /b``, write the state record.
3. apply   - out-of-process: unload each isolated application, swap, probe the old image's lock.
             in-process: ONE line (or a batch file) that stops IIS, swaps with its own rollback, starts
             exactly the services that were running, verifies: the host finishes it even if the
             controller goes away.
A run that finds a state record first puts the host back in order (recovery), then proceeds.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import time
from dataclasses import dataclass
from typing import Any

from .cmdline import (
    CommandTooLongError,
    InputError,
    echo_to_file,
    join_commands,
    marker,
    pack_commands,
    quote_arg,
    rc_ladder,
    validate_app_path,
    validate_site,
    validate_windows_path,
)
from .metabase import Application, Metabase, MetabaseError
from .parsers.adsutil import parse_adsutil_enum, parse_adsutil_enum_all, parse_adsutil_error
from .parsers.common import ParseError, classify_error, parse_rc_ladder, split_sections
from .parsers.files import DirEntry, parse_dir
from .parsers.net import parse_net_start, parse_net_start_list, parse_net_stop
from .parsers.regsvr32 import parse_regsvr32
from .parsers.sc import parse_sc_qc
from .services import IIS_SERVICES, KNOWN_DEPENDENCIES, running_iis_services, start_order, stop_set
from .winrm_runner import CommandResult, HostError

DEFAULT_ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
STAGED_SUFFIX = ".iis4new"
RECORD_SUFFIX = ".iis4state"

ARGUMENT_SPEC: dict[str, Any] = {
    "src": {"type": "str", "required": True},
    "dest": {"type": "str", "required": True},
    "site": {"type": "str", "default": "Default Web Site"},
    "application": {"type": "list", "elements": "str", "default": ["/"], "aliases": ["applications"]},
    "isolation": {"type": "str", "default": "auto", "choices": ["auto", "in_process", "out_of_process"]},
    "backup": {"type": "bool", "default": True},
    "register": {"type": "bool", "default": False},
    "restart_services": {"type": "list", "elements": "str", "default": ["auto"]},
    "unload_fallback": {"type": "bool", "default": True},
    "timeout": {"type": "int", "default": 120},
    "adsutil_path": {"type": "str", "default": DEFAULT_ADSUTIL},
    "cmdline_limit": {"type": "int", "default": 2047},
}

# Options that only matter when the module runs by itself (not through the action plugin).
CONNECTION_SPEC: dict[str, Any] = {
    "winrm_host": {"type": "str"},
    "winrm_port": {"type": "int"},
    "winrm_user": {"type": "str"},
    "winrm_password": {"type": "str", "no_log": True},
    "winrm_transport": {"type": "str", "default": "ntlm", "choices": ["ntlm", "basic", "credssp", "kerberos"]},
    "winrm_scheme": {"type": "str", "choices": ["http", "https"]},
    "winrm_path": {"type": "str", "default": "/wsman"},
    "winrm_server_cert_validation": {"type": "str", "default": "validate", "choices": ["validate", "ignore"]},
    "winrm_ca_trust_path": {"type": "path"},
    "winrm_message_encryption": {"type": "str", "default": "auto", "choices": ["auto", "always", "never"]},
    "winrm_operation_timeout": {"type": "int", "default": 20},
    "winrm_read_timeout": {"type": "int", "default": 30},
    "allow_unencrypted": {"type": "bool", "default": False},
}


class StepFailed(Exception):
    """A step failed on the host.  The message says which step, what the host said and the state now."""

    def __init__(self, step: str, message: str, host_output: str = "") -> None:
        super().__init__(message)
        self.step = step
        self.host_output = host_output


# ------------------------------------------------------------------------------------------------------
# Inputs


@dataclass
class Params:
    src: str
    dest: str
    site: str
    applications: list[str]
    isolation: str
    backup: bool
    register: bool
    restart_services: list[str] | None  # None: auto
    unload_fallback: bool
    timeout: int
    adsutil_path: str
    cmdline_limit: int

    @classmethod
    def from_module_params(cls, p: dict[str, Any]) -> Params:
        """Validate everything that can be validated without the host.  Raises InputError."""
        src = validate_windows_path(p["src"], "src", allow_unc=True)
        dest = validate_windows_path(p["dest"], "dest", allow_unc=False)
        longest = max(len(RECORD_SUFFIX), len(STAGED_SUFFIX), len(".YYYYMMDDhhmmss.bak"))
        if len(dest) + longest > 259:
            raise InputError(
                "dest", f"path is too long to keep a backup beside it ({len(dest)} characters; MAX_PATH is 260)"
            )
        if src.lower() == dest.lower():
            raise InputError("src", "src and dest are the same file")
        site = validate_site(p.get("site") or "Default Web Site")
        apps = [validate_app_path(a, "application") for a in (p.get("application") or ["/"])]
        if not apps:
            raise InputError("application", "at least one application path is needed")
        restart = [s.strip().upper() for s in (p.get("restart_services") or ["auto"])]
        if restart == ["AUTO"]:
            restart_list = None
        else:
            unknown = [s for s in restart if s not in IIS_SERVICES]
            if unknown:
                raise InputError(
                    "restart_services", f"unknown service(s) {unknown}; use 'auto' or some of {list(IIS_SERVICES)}"
                )
            restart_list = restart
        timeout = int(p.get("timeout") or 120)
        if timeout < 5:
            raise InputError("timeout", "must be at least 5 seconds")
        adsutil = validate_windows_path(p.get("adsutil_path") or DEFAULT_ADSUTIL, "adsutil_path", allow_unc=False)
        limit = int(p.get("cmdline_limit") or 2047)
        if limit < 512:
            raise InputError("cmdline_limit", "must be at least 512 characters")
        return cls(
            src=src,
            dest=dest,
            site=site,
            applications=list(dict.fromkeys(apps)),
            isolation=p.get("isolation") or "auto",
            backup=bool(p.get("backup", True)),
            register=bool(p.get("register", False)),
            restart_services=restart_list,
            unload_fallback=bool(p.get("unload_fallback", True)),
            timeout=timeout,
            adsutil_path=adsutil,
            cmdline_limit=limit,
        )


@dataclass
class Paths:
    """The files of one run.  With ``here`` the names are relative to dest's folder: the long command lines
    start with ``cd /d <folder>`` and use bare names, which keeps them within NT 4's 2047 characters."""

    src: str
    dest_path: str
    stamp: str
    here: bool = False

    def _at(self, name: str) -> str:
        return name if self.here else f"{self.dest_dir}\\{name}"

    @property
    def dest(self) -> str:
        return self._at(self.dest_name)

    @property
    def dest_dir(self) -> str:
        return self.dest_path.rsplit("\\", 1)[0]

    @property
    def dest_name(self) -> str:
        return self.dest_path.rsplit("\\", 1)[1]

    @property
    def staged_name(self) -> str:
        return self.dest_name + STAGED_SUFFIX

    @property
    def staged(self) -> str:
        return self._at(self.staged_name)

    @property
    def backup_name(self) -> str:
        return f"{self.dest_name}.{self.stamp}.bak"

    @property
    def backup(self) -> str:
        return self._at(self.backup_name)

    @property
    def record(self) -> str:
        return self._at(self.dest_name + RECORD_SUFFIX)

    @property
    def log(self) -> str:
        return self._at(self.dest_name + ".iis4log")

    @property
    def fail_flag(self) -> str:
        return self._at(self.dest_name + ".iis4fail")

    @property
    def batch(self) -> str:
        return self._at(self.dest_name + ".iis4run.cmd")


# ------------------------------------------------------------------------------------------------------
# What the host looks like


@dataclass
class HostFacts:
    record: dict[str, str] | None
    src: DirEntry | None
    dest: DirEntry | None
    dest_dir_exists: bool
    identical: bool | None  # fc /b src dest
    running: list[str]  # IIS service keys running now
    graph: dict[str, list[str]]
    has_sc: bool
    metabase: Metabase | None
    metabase_error: str | None
    dest_locked: bool | None
    dest_denied: bool = False


RETRYABLE = ("unreachable", "transport", "wsman", "unexpected")
RETRY_PAUSE = 0.5
LOST_AFTER = 3.0  # seconds without "started=<phase>" in the state record before a sequence counts as lost


def _step_entry(res: CommandResult) -> dict[str, Any]:
    return {"step": res.step, "command": res.command, "rc": res.rc, "seconds": res.seconds, "complete": res.complete}


def _ladder_rc(output: str, sections: dict[str, str], label: str) -> int | None:
    """Exit code reported by ``rc_ladder(label)``; None when the section's marker never printed."""
    if label not in sections:
        return None
    return parse_rc_ladder(output).get(label, 0)


def _q(value: str) -> str:
    return quote_arg(value)


def _section(sections: dict[str, str], label: str) -> str:
    return sections.get(label, "")


def _first_file(text: str) -> DirEntry | None:
    entries = [e for e in parse_dir(text) if not e.is_dir]
    return entries[0] if entries else None


def _entry_dict(entry: DirEntry | None, path: str) -> dict[str, Any] | None:
    if entry is None:
        return None
    mtime = getattr(entry, "mtime", None)
    return {
        "path": path,
        "size": entry.size,
        "mtime": mtime.isoformat() if hasattr(mtime, "isoformat") else (mtime or getattr(entry, "date", None)),
    }


def _record_finished(rec: dict[str, str]) -> bool:
    """The last sequence the record mentions ran to its end (``finished=<phase>`` after ``started=<phase>``)."""
    return bool(rec.get("finished")) and rec.get("finished") == rec.get("started", rec.get("finished"))


def _parse_record(text: str) -> dict[str, str] | None:
    values = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.strip().split("=", 1)
            values[key.strip()] = value.strip()
    return values if values.get("run") else None


# ------------------------------------------------------------------------------------------------------
# The run


class ComponentUpdate:
    def __init__(self, params: Params, runner: Any, check_mode: bool = False, diff: bool = False) -> None:
        self.p = params
        self.runner = runner
        self.check_mode = check_mode
        self.diff = diff
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d%H%M%S")
        self.paths = Paths(params.src, params.dest, stamp)
        self.here = dataclasses.replace(self.paths, here=True)
        self.steps: list[dict[str, Any]] = []
        self._stage_output = ""  # what the stage step printed (its pre-swap section explains a failed swap)
        self.result: dict[str, Any] = {
            "changed": False,
            "method": "none",
            "isolation": None,
            "applications": [],
            "services_stopped": [],
            "services_started": [],
            "services_not_running": [],
            "backup_file": None,
            "outage_seconds": 0.0,
            "recovered": None,
            "steps": self.steps,
        }

    # -- plumbing ------------------------------------------------------------------------------------

    def _send(self, step: str, line: str, retry: bool) -> CommandResult:
        """One command line.  ``retry``: the line is safe to run twice, so a dropped connection is retried once."""
        try:
            res = self.runner.run(step, line, timeout=self._wait())
        except HostError as exc:
            if not retry or exc.kind not in RETRYABLE:
                raise
            self.runner.reset()
            time.sleep(RETRY_PAUSE)
            return self.runner.run(step + "(retry)", line, timeout=self._wait())
        if not res.complete and retry:
            self.steps.append(_step_entry(res))
            self.runner.reset()
            time.sleep(RETRY_PAUSE)
            res = self.runner.run(step + "(retry)", line, timeout=self._wait())
        return res

    def _run(
        self, step: str, parts: list[str], *, one_line: bool = False, retry: bool = True, here: bool = False
    ) -> CommandResult:
        """Run ``parts`` joined with ``&``; packed into several lines when too long (unless one_line).

        ``here``: every line first changes to dest's folder (``cd /d``), for parts built with relative names.
        """
        prefix = [f"cd /d {_q(self.paths.dest_dir)}"] if here else []
        limit = self.p.cmdline_limit - (len(prefix[0]) + 1 if prefix else 0)
        groups = [parts] if one_line else [[line] for line in pack_commands(parts, limit)]
        lines = [join_commands(prefix + group) for group in groups]
        results = []
        for i, line in enumerate(lines):
            res = self._send(step if len(lines) == 1 else f"{step}[{i + 1}]", line, retry)
            self.steps.append(_step_entry(res))
            results.append(res)
            if not res.complete:
                break
        if len(results) == 1:
            return results[0]
        merged = results[0]
        for extra in results[1:]:
            merged.stdout += extra.stdout
            merged.stderr += extra.stderr
            merged.chunks.extend(extra.chunks)
            merged.rc = extra.rc
            merged.complete = extra.complete
            merged.error = extra.error
        return merged

    def _wait(self) -> float:
        return float(self.p.timeout) * 3 + 30

    @staticmethod
    def _sections(res: CommandResult) -> dict[str, str]:
        return split_sections(res.output)

    # -- 1. gather -----------------------------------------------------------------------------------

    def gather(self, probe_lock: bool = True) -> HostFacts:
        p, q = self.paths, _q
        parts = [
            marker("state"),
            f"(if exist {q(p.record)} type {q(p.record)}) 2>&1",
            marker("src"),
            f"dir {q(p.src)} 2>&1",
            marker("dest"),
            f"dir {q(p.dest)} 2>&1",
            marker("destdir"),
            f"(if exist {q(p.dest_dir + chr(92))} (echo ##yes) else (echo ##no))",
            marker("fc"),
            f"fc /b {q(p.src)} {q(p.dest)} >nul 2>&1",
            rc_ladder("fc", 2),
            marker("net"),
            "net start 2>&1",
        ]
        for svc in IIS_SERVICES:
            parts += [marker(f"sc_{svc}"), f"sc qc {svc} 2>&1"]
        parts += [marker("mb"), f"cscript //nologo {q(self.p.adsutil_path)} ENUM_ALL W3SVC 2>&1", rc_ladder("mb", 1)]
        if probe_lock and not self.check_mode:
            parts += [marker("lock"), f"(if exist {q(p.dest)} type nul>>{q(p.dest)}) 2>&1"]
        parts.append(marker("end"))
        res = self._run("gather", parts)
        if not res.complete:
            raise StepFailed("gather", f"the host stopped answering while reading its state: {res.error}")
        s = self._sections(res)
        record = _parse_record(_section(s, "state"))
        try:
            running_names = parse_net_start_list(_section(s, "net"))
        except ParseError:
            raise StepFailed(
                "gather", f"'net start' did not list the running services: {_section(s, 'net').strip()[:300]!r}"
            ) from None
        running = running_iis_services(running_names)
        graph: dict[str, list[str]] = {}
        has_sc = True
        for svc in IIS_SERVICES:
            text = _section(s, f"sc_{svc}")
            if classify_error(text) == "name_not_recognized":
                has_sc = False
                break
            cfg = parse_sc_qc(text)
            if cfg.error_code is None and cfg.name:
                graph[svc] = [d.upper() for d in (cfg.dependencies or [])]
        if not has_sc:
            graph = {k: list(v) for k, v in KNOWN_DEPENDENCIES.items()}
        mb_text = _section(s, "mb")
        metabase, mb_error = self._read_metabase(mb_text)
        fc_rc = _ladder_rc(res.output, s, "fc")
        lock_text = _section(s, "lock")
        lock_kind = classify_error(lock_text) if "lock" in s else None
        dest_locked = None if "lock" not in s else lock_kind == "sharing_violation"
        return HostFacts(
            record=record,
            src=_first_file(_section(s, "src")),
            dest=_first_file(_section(s, "dest")),
            dest_dir_exists="##yes" in _section(s, "destdir"),
            identical=None if fc_rc is None or fc_rc >= 2 else fc_rc == 0,
            running=running,
            graph=graph,
            has_sc=has_sc,
            metabase=metabase,
            metabase_error=mb_error,
            dest_locked=dest_locked,
            dest_denied=lock_kind == "access_denied",
        )

    def _read_metabase(self, text: str) -> tuple[Metabase | None, str | None]:
        err = parse_adsutil_error(text)
        if err is not None and "not recognized" in str(getattr(err, "message", err)).lower():
            return self._walk_metabase()
        if err is not None:
            return None, f"adsutil ENUM_ALL W3SVC failed: {getattr(err, 'message', err)}"
        metabase = Metabase(parse_adsutil_enum_all(text, "/W3SVC"))
        if not metabase.sites():
            return None, (
                f"'cscript {self.p.adsutil_path} ENUM_ALL W3SVC' listed no web site; it printed: "
                f"{text.strip()[:300]!r} (check adsutil_path)"
            )
        return metabase, None

    def _walk_metabase(self) -> tuple[Metabase | None, str | None]:
        """For adsutil revisions without ENUM_ALL: ENUM level by level (one command per level)."""
        nodes: dict[str, dict[str, Any]] = {}
        frontier = ["W3SVC"]
        depth = 0
        while frontier and depth < 8:
            parts = []
            for i, key in enumerate(frontier):
                parts += [marker(f"k{i}"), f"cscript //nologo {_q(self.p.adsutil_path)} ENUM {key} 2>&1"]
            res = self._run(f"metabase_level{depth}", parts)
            s = self._sections(res)
            nxt = []
            for i, key in enumerate(frontier):
                props, children = parse_adsutil_enum(_section(s, f"k{i}"))
                nodes[key] = props
                nxt += [c.strip("/").strip("[]").strip("/") for c in children]
            frontier = nxt
            depth += 1
        return (Metabase(nodes), None) if nodes else (None, "adsutil ENUM W3SVC printed nothing usable")

    # -- recovery ------------------------------------------------------------------------------------

    def recover(self, facts: HostFacts) -> dict[str, Any]:
        """An earlier run left its state record: put dest and the services back in order."""
        rec = facts.record or {}
        dest = rec.get("dest") or self.paths.dest
        try:
            dest = validate_windows_path(dest, "state record dest", allow_unc=False)
            backup = validate_windows_path(rec.get("backup", ""), "state record backup", allow_unc=False)
            staged = validate_windows_path(rec.get("staged", ""), "state record staged", allow_unc=False)
        except InputError as exc:
            raise StepFailed(
                "recover", f"the state record beside dest cannot be trusted ({exc}); inspect it by hand"
            ) from None
        name = dest.rsplit("\\", 1)[1]
        staged_name = staged.rsplit("\\", 1)[1]
        services = [s for s in (rec.get("services") or "").split(",") if s.strip().upper() in IIS_SERVICES]
        to_start = start_order(
            [s.upper() for s in services if s.upper() not in facts.running], facts.graph or KNOWN_DEPENDENCIES
        )
        finished = _record_finished(rec)
        q = _q
        parts = [marker("restore")]
        if not finished:
            # The sequence never ran to its end: roll the swap back, so this run starts from the old DLL.
            parts += [
                f"(if exist {q(backup)} if exist {q(dest)} if not exist {q(staged)} "
                f"ren {q(dest)} {q(staged_name)}) 2>&1",
                f"(if exist {q(backup)} if not exist {q(dest)} ren {q(backup)} {q(name)}) 2>&1",
            ]
        else:
            # It ended, but if a process still has the old image loaded (IIS did not stop completely), the
            # new DLL at dest was never loaded: roll back too, so this run does the whole update again.
            parts += [
                f"(if exist {q(backup)} ((type nul>>{q(backup)}) 2>nul||(ren {q(dest)} {q(staged_name)}"
                f"&ren {q(backup)} {q(name)}&echo ##old_image_loaded))) 2>&1",
            ]
        parts += [
            f"(if not exist {q(dest)} if exist {q(backup)} ren {q(backup)} {q(name)}) 2>&1",
            f"(if not exist {q(dest)} if exist {q(staged)} ren {q(staged)} {q(name)}) 2>&1",
            marker("start"),
        ]
        for svc in to_start:
            parts += [marker(f"rstart_{svc}"), f"net start {svc} 2>&1"]
        parts += [
            marker("cleanup"),
            f"(if exist {q(dest)} if exist {q(staged)} del {q(staged)}) 2>&1",
            f"(if exist {q(dest + '.iis4fail')} del {q(dest + '.iis4fail')}) 2>&1",
            f"(if exist {q(dest + '.iis4log')} del {q(dest + '.iis4log')}) 2>&1",
            f"(if exist {q(dest)} del {q(dest + RECORD_SUFFIX)}) 2>&1",
            marker("check"),
            f"(if exist {q(dest)} (echo ##dest_present) else (echo ##dest_missing))",
        ]
        res = self._run("recover", parts)
        s = self._sections(res)
        started_keys, not_running = [], []
        for svc in to_start:
            text = _section(s, f"rstart_{svc}")
            result = parse_net_start(text)
            if result.ok or IIS_SERVICES[svc] in result.started or "already_started" in result.conditions:
                started_keys.append(svc)
            else:
                not_running.append(f"{svc}: {' '.join(text.split()) or 'net start printed nothing'}")
        recorded = start_order([x.upper() for x in services], facts.graph or KNOWN_DEPENDENCIES)
        not_running = self._ensure_running(recorded) if recorded else not_running
        started_keys = [k for k in started_keys if k not in {n.split(":")[0] for n in not_running}]
        summary = {
            "record": rec,
            "action": (
                "rolled back an unfinished swap and restarted services"
                if not finished or "##old_image_loaded" in res.output
                else "restarted services"
            ),
            "dest_present": "##dest_present" in _section(s, "check"),
            "services_started": started_keys,
            "services_not_running": not_running,
            "output": _section(s, "restore").strip(),
        }
        if not summary["dest_present"]:
            raise StepFailed(
                "recover",
                "recovery could not put a DLL back at dest: neither backup nor staged file exists",
                res.output,
            )
        return summary

    def _ensure_running(self, services: list[str]) -> list[str]:
        """Start each service unless it runs, and wait (up to ``timeout``) while any is still pending.

        ``net start X`` is safe to repeat: it starts a stopped service, answers 2182 for a running one and
        "starting or stopping" for a pending one.  Returns the services still not running, each with what
        net.exe said about it.
        """
        deadline = time.monotonic() + self.p.timeout
        pending = list(services)
        texts: dict[str, str] = {}
        while pending:
            parts = []
            for svc in pending:
                parts += [marker(f"ensure_{svc}"), f"net start {svc} 2>&1"]
            s = self._sections(self._run("ensure_running", parts))
            still = []
            for svc in pending:
                text = _section(s, f"ensure_{svc}")
                result = parse_net_start(text)
                if not (result.ok or "already_started" in result.conditions):
                    still.append(svc)
                    texts[svc] = " ".join(text.split()) or "net start printed nothing"
            pending = still
            if not pending or time.monotonic() > deadline:
                break
            time.sleep(RETRY_PAUSE * 2)
        return [f"{svc}: {texts[svc]}" for svc in pending]

    # -- 2. plan ---------------------------------------------------------------------------------------

    def plan(self, facts: HostFacts) -> dict[str, Any]:
        if facts.metabase is None:
            raise StepFailed("detect", facts.metabase_error or "could not read the metabase")
        mb = facts.metabase
        try:
            site = mb.resolve_site(self.p.site)
            apps = [mb.resolve_application(site, a) for a in self.p.applications]
        except MetabaseError as exc:
            raise InputError("application" if "application" in str(exc) else "site", str(exc)) from None
        if self.p.isolation == "in_process":
            isolation = "in_process"
        elif self.p.isolation == "out_of_process":
            isolation = "out_of_process"
        else:
            isolation = "in_process" if any(not a.isolated for a in apps) else "out_of_process"
        graph = facts.graph or KNOWN_DEPENDENCIES
        restart = list(facts.running if self.p.restart_services is None else self.p.restart_services)
        stops = stop_set(facts.running, graph)
        starts = start_order(sorted(set(restart) | ({"IISADMIN"} if restart else set())), graph)
        roots: list[Application] = []
        for a in apps:
            if a.isolated and a.app_root and a.app_root not in [r.app_root for r in roots]:
                roots.append(a)
        if isolation == "in_process":
            sharing = [a.as_dict() for a in mb.sharing_process(Application("/", "", None, False, site))]
            blast = {
                "process": "inetinfo.exe",
                "applications": sharing,
                "services": stops,
                "note": "every in-process application of every site and every running IIS service stops",
            }
        else:
            sharing = []
            for r in roots:
                sharing += [a.as_dict() for a in mb.sharing_process(r)]
            blast = {
                "process": "mtx.exe",
                "applications": sharing,
                "services": [],
                "note": "only the isolated applications listed are unloaded; W3SVC keeps running",
            }
        return {
            "site": site,
            "apps": apps,
            "isolation": isolation,
            "method": "unload" if isolation == "out_of_process" else "service_restart",
            "stops": stops,
            "starts": starts,
            "unload_roots": roots,
            "blast_radius": blast,
        }

    # -- 3. stage --------------------------------------------------------------------------------------

    def _write_record(self, method: str, services: list[str], *extra: str) -> str:
        """The command that (re)writes the state record; it is read by a later run, so it holds full paths."""
        full = self.paths
        lines = [
            "run=" + full.stamp,
            "dest=" + full.dest,
            "src=" + full.src,
            "staged=" + full.staged,
            "backup=" + full.backup,
            "method=" + method,
            "services=" + ",".join(services),
            *extra,
        ]
        echo_block = "& ".join(f"echo {line}" for line in lines)
        return f"({echo_block})>{_q(self.here.record)} 2>&1"

    def _rollback_swap(self, keep_record: list[str] | None) -> CommandResult:
        """Put the old DLL back at dest (the running process still has it loaded), drop the staged copy, and
        either drop the state record or rewrite it with ``keep_record`` services for the next run."""
        p, q = self.here, _q
        parts = [
            marker("rollback"),
            f"(if exist {q(p.backup)} if exist {q(p.dest)} ren {q(p.dest)} {q(p.staged_name)}) 2>&1",
            f"(if exist {q(p.backup)} if not exist {q(p.dest)} ren {q(p.backup)} {q(p.dest_name)}) 2>&1",
            f"(if exist {q(p.staged)} del {q(p.staged)}) 2>&1",
            f"(if exist {q(p.log)} del {q(p.log)}) 2>&1",
            self._write_record("service_restart", keep_record, "started=restart", "finished=restart")
            if keep_record
            else f"(if exist {q(p.record)} del {q(p.record)}) 2>&1",
            marker("check"),
            f"fc /b {q(self.paths.src)} {q(p.dest)} >nul 2>&1",
            rc_ladder("check", 2),
        ]
        return self._run("rollback", parts, here=True)

    def stage(self, plan: dict[str, Any]) -> None:
        p, q = self.here, _q
        services = plan["starts"] if plan["method"] == "service_restart" or self.p.unload_fallback else []
        parts = [
            marker("copy"),
            f"copy /b /y {q(p.src)} {q(p.staged)} 2>&1",
            rc_ladder("copy", 1),
            marker("verify"),
            f"fc /b {q(p.src)} {q(p.staged)} >nul 2>&1",
            rc_ladder("verify", 2),
            marker("record"),
            self._write_record(plan["method"], services),
            f"(if exist {q(p.record)} echo ##record_ok)",
        ]
        # Where the host lets a loaded image be renamed, swap now, before any outage: the running process
        # keeps the old image until it is restarted or unloaded, so the outage is only the stop and start.
        # Guarded by a fresh byte comparison and by the state record being in place.
        swap = join_commands(self._swap_parts("preswap")[1:])
        parts += [marker("preswap"), f"(fc /b {q(p.src)} {q(p.staged)} >nul 2>&1&&if exist {q(p.record)} ({swap}))"]
        parts += [marker("staged"), f"(if exist {q(p.staged)} echo ##still_staged)"]
        res = self._run("stage", parts, here=True)
        self._stage_output = res.output
        s = self._sections(res)
        rcs = parse_rc_ladder(res.output)
        copy_text = _section(s, "copy")
        verify_rc = _ladder_rc(res.output, s, "verify")
        if not res.complete:
            raise StepFailed("stage", f"connection lost while staging: {res.error}; nothing was swapped")
        if rcs.get("copy", 0) != 0 or verify_rc != 0 or "##record_ok" not in _section(s, "record"):
            cleanup = [
                f"(if exist {q(p.staged)} del {q(p.staged)}) 2>&1",
                f"(if exist {q(p.record)} del {q(p.record)}) 2>&1",
            ]
            self._run("stage_cleanup", cleanup, here=True)
            why = copy_text.strip() or _section(s, "verify").strip() or _section(s, "record").strip()
            raise StepFailed(
                "stage",
                f"could not stage {p.src} as {p.staged}: host said: {why!r}; "
                "nothing was swapped and no service was touched",
                res.output,
            )

    # -- 4. apply ----------------------------------------------------------------------------------------

    def _mark(self, label: str, log: str | None) -> str:
        """A section marker on stdout, or appended to the host-side log ``log`` (a quoted path)."""
        return marker(label) if log is None else echo_to_file(f"@@{label}", log)

    @staticmethod
    def _sink(log: str | None) -> str:
        return "2>&1" if log is None else f">>{log} 2>&1"

    def _swap_parts(self, label: str, log: str | None = None) -> list[str]:
        """Swap dest for the staged file, guarded by state so it is safe to repeat and rolls itself back.

        ``ren`` does not set ERRORLEVEL reliably on NT 4, so each step checks what exists instead.
        """
        p, q, sink = self.here, _q, self._sink(log)
        return [
            self._mark(label, log),
            f"(if exist {q(p.staged)} if exist {q(p.dest)} ren {q(p.dest)} {q(p.backup_name)}) {sink}",
            f"(if exist {q(p.staged)} if not exist {q(p.dest)} ren {q(p.staged)} {q(p.dest_name)}) {sink}",
            f"(if not exist {q(p.dest)} if exist {q(p.backup)} ren {q(p.backup)} {q(p.dest_name)}) {sink}",
        ]

    def _register_parts(self, log: str | None = None) -> list[str]:
        if not self.p.register:
            return []
        p, q, sink = self.here, _q, self._sink(log)
        # Register the new DLL; if that fails, put the old one back and register it again.
        return [
            self._mark("register", log),
            f"(if not exist {q(p.staged)} regsvr32 /s {q(p.dest)}) {sink}",
            rc_ladder("register", 5),
            f"(if errorlevel 1 if exist {q(p.backup)} (ren {q(p.dest)} {q(p.staged_name)}"
            f"&ren {q(p.backup)} {q(p.dest_name)}&regsvr32 /s {q(p.dest)}&echo ##register_rolled_back)) {sink}",
        ]

    def _verify_parts(self) -> list[str]:
        """Is dest the new DLL now (fc exit code), and which temporary files are still there."""
        p, q = self.here, _q
        return [
            marker("verify"),
            f"fc /b {q(p.src)} {q(p.dest)} >nul 2>&1",
            rc_ladder("verify", 2),
            marker("leftover"),
            f"(if exist {q(p.staged)} echo ##staged_left)",
            f"(if exist {q(p.backup)} echo ##backup_present)",
            # Is the old image still loaded by some process?  Opening it for writing says so.
            marker("oldimage"),
            f"(if exist {q(p.backup)} (type nul>>{q(p.backup)})) 2>&1",
        ]

    def _tail_parts(self, phase: str) -> list[str]:
        p, q = self.here, _q
        parts = self._verify_parts()
        if not self.p.backup:
            parts += [f"(if exist {q(p.backup)} del {q(p.backup)}) 2>&1"]
        fail = q(p.fail_flag)
        parts += [
            f"(if exist {q(p.staged)} del {q(p.staged)}) 2>&1",
            # A service that did not start again: keep the state record (the next run starts it), else drop it.
            f"(echo finished={phase})>>{q(p.record)}",
            f"(if exist {fail} (echo ##record_kept&del {fail}) else (del {q(p.record)})) 2>&1",
            marker("done"),
        ]
        return parts

    def _restart_parts(self, stops: list[str], starts: list[str]) -> list[str]:
        """Stop, swap, start: what happens inside the outage.

        net.exe prints a progress dot for every poll while a service is pending, and WinRS hands output to
        the client as it comes, so streaming it would cost a Receive round trip per dot.  The outage writes
        its output to a log beside dest instead and types it at the end; only the two markers that time
        the outage go straight to the client.
        """
        log = _q(self.here.log)
        parts = [marker("outage_begin"), echo_to_file("@@stop", log).replace(">>", ">", 1)]
        if stops:
            parts.append(f"net stop IISADMIN /y {self._sink(log)}")
        parts += self._swap_parts("swap", log)
        parts += self._register_parts(log)
        fail = _q(self.here.fail_flag)
        for svc in starts:
            # net.exe's exit code is reliable (an external program): remember each failure on the host.
            parts += [self._mark(f"start_{svc}", log), f"net start {svc} {self._sink(log)}||(echo {svc})>>{fail}"]
        parts += [marker("outage_end"), f"type {log}", f"del {log}"]
        return parts

    def apply_restart(self, plan: dict[str, Any]) -> CommandResult:
        parts = self._restart_parts(plan["stops"], plan["starts"])
        parts += self._tail_parts("restart")
        return self._run_outage("apply", parts, "restart")

    def _run_outage(self, step: str, parts: list[str], phase: str) -> CommandResult:
        """Run a sequence as ONE command line, or as a batch file when too long for one.

        The sequence first appends ``started=<phase>`` to the state record and ends by appending
        ``finished=<phase>``: after a dropped connection that is how a new shell tells a sequence that is
        still running or has ended from one the host never received.
        """
        parts = [echo_to_file(f"started={phase}", _q(self.here.record)), *parts]
        try:
            res = self._send_sequence(step, parts)
        except HostError as exc:
            if exc.kind not in RETRYABLE:
                raise
            broken = CommandResult(step, "", "", "", None, time.monotonic(), 0.0, complete=False, error=str(exc))
            return self._reconnect_and_wait(broken, step, parts, phase)
        if not res.complete:
            res = self._reconnect_and_wait(res, step, parts, phase)
        return res

    def _send_sequence(self, step: str, parts: list[str]) -> CommandResult:
        line = join_commands([f"cd /d {_q(self.paths.dest_dir)}", *parts])
        if len(line) <= self.p.cmdline_limit:
            return self._run(step, parts, one_line=True, retry=False, here=True)
        return self._run_batch(step, parts)

    def _run_batch(self, step: str, parts: list[str]) -> CommandResult:
        """Write the sequence to a batch file beside dest (a few lines per round trip), then run it once.

        The writes append, so a write whose answer was lost is not simply repeated: the file is written
        again from its first line.
        """
        batch = _q(self.here.batch)
        writes = [f"(if exist {batch} del {batch})", echo_to_file("@echo off", batch)]
        writes += [echo_to_file(part, batch) for part in parts]
        for attempt in (1, 2):
            try:
                res = self._run(f"{step}_write", writes, here=True, retry=False)
            except HostError as exc:
                if attempt == 2 or exc.kind not in RETRYABLE:
                    raise
                self.runner.reset()
                time.sleep(RETRY_PAUSE)
                continue
            if res.complete:
                break
            if attempt == 2:
                raise StepFailed("apply", f"could not write the batch file {self.paths.batch}: {res.error}")
            self.runner.reset()
            time.sleep(RETRY_PAUSE)
        return self._run(step, [f"call {batch}", f"del {batch}"], one_line=True, retry=False, here=True)

    def _reconnect_and_wait(self, broken: CommandResult, step: str, parts: list[str], phase: str) -> CommandResult:
        """The connection dropped while a sequence was sent or ran: the host finishes it on its own.

        Reconnect with a new shell and look at the state record: ``finished=<phase>`` (or no record at all)
        means the sequence has ended, ``started=<phase>`` alone that it is still running, and neither, once a
        few seconds have passed, that the host never received it: then it is sent again.  When it has
        ended, read back what the host looks like now, since the sequence's own output was lost.
        """
        deadline = time.monotonic() + self._wait()
        lost_since = time.monotonic()
        last_error = broken.error
        resent = False
        rec = _q(self.paths.record)
        while time.monotonic() < deadline:
            time.sleep(RETRY_PAUSE)
            try:
                self.runner.reset()
                probe = self.runner.run("reconnect", f"(if exist {rec} (type {rec}) else (echo ##gone))", timeout=30)
            except HostError as exc:
                last_error = str(exc)
                continue
            if not probe.complete:
                continue
            record = _parse_record(probe.output) or {}
            lines = {line.strip() for line in probe.output.splitlines()}
            if "##gone" in probe.output or f"finished={phase}" in lines and record.get("finished") == phase:
                parts_back = [*self._verify_parts(), marker("running"), "net start 2>&1"]
                readback = self._run("readback", parts_back, here=True)
                readback.error = (
                    f"the connection dropped during the sequence ({last_error}); the host finished it on its own "
                    "and this result was read back from the host afterwards"
                )
                readback.chunks = broken.chunks
                self.result["connection_dropped"] = True
                return readback
            if f"started={phase}" in lines:
                continue  # still running on the host
            if not resent and time.monotonic() - lost_since > LOST_AFTER:
                # The host never got the sequence: send it again (it has not run, so this is safe).
                resent = True
                self.result.setdefault("warnings", []).append(
                    f"the {step} command line was lost on its way to the host ({last_error}); it was sent again"
                )
                try:
                    res = self._send_sequence(f"{step}(resent)", parts)
                except HostError as exc:
                    last_error = str(exc)
                    continue
                if res.complete:
                    return res
                last_error = res.error
        raise StepFailed(
            "apply",
            f"connection lost during the sequence and the host did not report completion in time: {last_error}. "
            "The sequence may still be running on the host; rerun the task to recover",
        )

    def apply_unload(self, plan: dict[str, Any]) -> CommandResult:
        p, q = self.here, _q
        parts = [marker("unload")]
        for app in plan["unload_roots"]:
            parts += [f"cscript //nologo {q(self.p.adsutil_path)} APPUNLOAD {app.app_root} 2>&1"]
        parts += self._swap_parts("swap")
        parts += self._register_parts()
        parts += [
            marker("probe"),
            f"(if exist {q(p.backup)} type nul>>{q(p.backup)}) 2>&1",
            f"(if exist {q(p.staged)} type nul>>{q(p.dest)}) 2>&1",
        ]
        parts += self._tail_parts_unload()
        return self._run_outage("apply", parts, "unload")

    def _tail_parts_unload(self) -> list[str]:
        p, q = self.here, _q
        return [
            *self._verify_parts(),
            f"(echo finished=unload)>>{q(p.record)}",
            # When dest is the new DLL and the old image is no longer loaded, tidy up in the same line.  A
            # failed redirection fails the command for && (the usual batch idiom for testing a file lock).
            marker("tidy"),
            f"(fc /b {q(p.src)} {q(p.dest)} >nul 2>&1&&if not exist {q(p.staged)} "
            f"((if exist {q(p.backup)} (type nul>>{q(p.backup)})) 2>nul&&({self._tidy_unload()})))",
            marker("done"),
        ]

    def _tidy_unload(self) -> str:
        p, q = self.here, _q
        parts = [] if self.p.backup else [f"del {q(p.backup)}"]
        return join_commands([*parts, f"del {q(p.record)}", "echo ##tidy"])

    def finish_unload(self) -> None:
        p, q = self.paths, _q
        parts = []
        if not self.p.backup:
            parts.append(f"(if exist {q(p.backup)} del {q(p.backup)}) 2>&1")
        parts += [f"(if exist {q(p.staged)} del {q(p.staged)}) 2>&1", f"del {q(p.record)} 2>&1"]
        self._run("cleanup", parts)

    # -- results -----------------------------------------------------------------------------------------

    def _read_restart(self, res: CommandResult, plan: dict[str, Any]) -> None:
        s = self._sections(res)
        if res.step.startswith("readback"):
            running = running_iis_services(parse_net_start_list(_section(s, "running")))
            self.result["services_stopped"] = plan["stops"]
            self.result["services_started"] = [k for k in plan["starts"] if k in running]
            self.result["services_not_running"] = [
                f"{k}: not running after the sequence (its net output was lost with the connection)"
                for k in plan["starts"]
                if k not in running
            ]
            self.result["outage_seconds"] = None
            return
        stopped = parse_net_stop(_section(s, "stop"))
        started_keys = []
        errors = []
        for svc in plan["starts"]:
            text = _section(s, f"start_{svc}")
            r = parse_net_start(text)
            if r.ok or IIS_SERVICES[svc] in r.started or "already been started" in text:
                started_keys.append(svc)
            else:
                errors.append(f"{svc}: {text.strip()}")
        self.result["services_stopped"] = [k for k in IIS_SERVICES if IIS_SERVICES[k] in stopped.stopped] or (
            [] if not stopped.stopped else stopped.stopped
        )
        self.result["services_started"] = started_keys
        self.result["services_not_running"] = errors
        t_stop = res.time_of("@@outage_begin")
        t_started = res.time_of("@@outage_end")
        if t_stop is not None and t_started is not None:
            self.result["outage_seconds"] = round(max(0.0, t_started - t_stop), 3)
        else:
            self.result["outage_seconds"] = res.seconds

    def _verified(self, res: CommandResult) -> bool:
        s = self._sections(res)
        return _ladder_rc(res.output, s, "verify") == 0

    # -- main --------------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        t0 = time.monotonic()
        facts = self.gather()
        if facts.record:
            if self.check_mode:
                self.result["recovered"] = {"record": facts.record, "note": "a real run would first recover this"}
            else:
                if facts.record.get("started") and not _record_finished(facts.record):
                    found = facts.record
                    facts = self._wait_for_running_sequence(facts)
                    if not facts.record:
                        self.result["recovered"] = {
                            "record": found,
                            "action": "waited for the earlier run's sequence, still running on the host, to finish",
                        }
                if facts.record:
                    self.result["recovered"] = self.recover(facts)
                    self.result["changed"] = True
                    facts = self.gather()
        self._check_host_inputs(facts)
        plan = self.plan(facts)
        self.result.update(
            isolation=plan["isolation"],
            applications=[a.as_dict() for a in plan["apps"]],
            blast_radius=plan["blast_radius"],
            old=_entry_dict(facts.dest, self.paths.dest),
            new=_entry_dict(facts.src, self.paths.src),
            dest_locked=facts.dest_locked,
            sc_available=facts.has_sc,
            services_running_before=facts.running,
        )
        if self.diff:
            self.result["diff"] = {
                "before_header": self.paths.dest,
                "after_header": self.paths.src,
                "before": _describe(facts.dest),
                "after": _describe(facts.src),
            }
        if facts.identical:
            self.result["msg"] = f"{self.paths.dest} already matches {self.paths.src} byte for byte; nothing to do"
            return self._finish(t0)
        self.result["changed"] = True
        self.result["method"] = plan["method"]
        self.result["services_stopped"] = plan["stops"] if plan["method"] == "service_restart" else []
        self.result["services_started"] = plan["starts"] if plan["method"] == "service_restart" else []
        if self.check_mode:
            self.result["msg"] = self._prediction(plan)
            return self._finish(t0)
        self.stage(plan)
        self.result["backup_file"] = self.paths.backup if self.p.backup else None
        if plan["method"] == "unload":
            self._do_unload(plan)
        else:
            self._do_restart(plan)
        return self._finish(t0)

    def _wait_for_running_sequence(self, facts: HostFacts) -> HostFacts:
        """A state record says a sequence started and has not finished: it may still be running (an earlier
        run lost its connection while sending it).  Give it up to ``timeout`` seconds to end before this run
        touches anything, so that recovery never acts under a running sequence."""
        deadline = time.monotonic() + self.p.timeout
        rec = _q(self.paths.record)
        while time.monotonic() < deadline:
            time.sleep(RETRY_PAUSE * 2)
            probe = self._run("wait_running", [f"(if exist {rec} (type {rec}) else (echo ##gone))"])
            record = _parse_record(probe.output)
            if "##gone" in probe.output or record is None or _record_finished(record):
                self.result.setdefault("warnings", []).append(
                    "an earlier run's sequence was still running on the host; this run waited for it to end"
                )
                return self.gather()
        return facts

    def _cut_short(self, res: CommandResult, plan: dict[str, Any]) -> None:
        """The sequence ended without reaching its last marker (cmd.exe was ended on the host): put the
        host back in order right away and say where it stopped."""
        s = self._sections(res)
        last = [label for label in s if label][-1] if [label for label in s if label] else "the beginning"
        facts = self.gather()
        recovered = self.recover(facts) if facts.record else None
        self.result["recovered"] = recovered
        started = (recovered or {}).get("services_started", [])
        self.result["services_started"] = started
        self.result["services_not_running"] = (recovered or {}).get("services_not_running", [])
        raise StepFailed(
            "apply",
            f"the sequence was cut short on the host after its '{last}' step (it printed: "
            f"{res.output.strip()[-300:]!r}); the host was put back in order: "
            f"{(recovered or {}).get('action', 'nothing to recover')}, services started again: {started or 'none'}"
            + (
                f", NOT running: {'; '.join(self.result['services_not_running'])}"
                if self.result["services_not_running"]
                else ""
            )
            + "; "
            "dest holds the old DLL; run the task again",
            res.output,
        )

    def _check_stopped(self, res: CommandResult, plan: dict[str, Any]) -> None:
        """IIS must really have stopped: otherwise inetinfo.exe still runs the old DLL while dest holds the
        new one, and a rerun would wrongly find nothing to do.  Take the new DLL back out in that case."""
        s = self._sections(res)
        old_loaded = classify_error(_section(s, "oldimage")) == "sharing_violation"
        stopped = parse_net_stop(_section(s, "stop"))
        if not old_loaded or "stop" not in s or "IIS Admin Service" in stopped.stopped or not plan["stops"]:
            return
        self._rollback_swap(plan["starts"])
        self.result["state_record"] = self.paths.record
        net_said = "; ".join(msg for _name, msg in stopped.errors) or _section(s, "stop").strip()[-300:]
        not_running = self.result.get("services_not_running") or []
        raise StepFailed(
            "stop",
            f"IIS did not stop completely (net stop said: {net_said!r}), so inetinfo.exe still has the old DLL "
            "loaded; the new DLL was taken back out and dest holds the OLD DLL"
            + (f"; services not running: {'; '.join(not_running)}" if not_running else "")
            + f"; the state record {self.paths.record} was kept so that the next run starts the services that "
            "were running and updates again",
            res.output,
        )

    def _do_restart(self, plan: dict[str, Any], note: str = "") -> None:
        res = self.apply_restart(plan)
        if not res.step.startswith("readback") and "@@done" not in res.output:
            self._cut_short(res, plan)
        self._read_restart(res, plan)
        self._check_stopped(res, plan)
        self.result["method"] = "service_restart"
        self._conclude(res, plan, note)

    def _do_unload(self, plan: dict[str, Any]) -> None:
        res = self.apply_unload(plan)
        if not res.step.startswith("readback") and "@@done" not in res.output:
            self._cut_short(res, plan)
        s = self._sections(res)
        probe = _section(s, "probe")
        still_locked = classify_error(probe) in ("sharing_violation", "access_denied")
        swapped = self._verified(res)
        self.result["services_stopped"] = []
        self.result["services_started"] = []
        unload_text = _section(s, "unload")
        unload_err = parse_adsutil_error(unload_text)
        if swapped and not still_locked:
            if "##tidy" not in _section(s, "tidy"):
                self.finish_unload()
            self.result["outage_seconds"] = 0.0
            self.result["unloaded"] = [a.app_root for a in plan["unload_roots"]]
            self._conclude(res, plan, "")
            return
        reason = "unloading did not release the DLL (it is still loaded)"
        if unload_err is not None:
            reason = f"adsutil APPUNLOAD failed: {getattr(unload_err, 'message', unload_err)}"
        if not self.p.unload_fallback:
            # The old DLL stays loaded: take the new one back out, so dest matches what runs and a rerun
            # does the whole update again instead of finding "nothing to do".
            self._rollback_swap(None)
            raise StepFailed(
                "unload",
                f"{reason}; unload_fallback is off, so IIS was not restarted; dest holds the OLD DLL again "
                "(restored from the backup) and nothing else changed; unload the application, or set "
                "unload_fallback to restart IIS",
                unload_text,
            )
        plan = dict(plan)
        plan["isolation_detected"] = plan["isolation"]
        self.result["fallback"] = reason
        self._do_restart(plan, note=f"fell back to restarting IIS because {reason}")

    def _conclude(self, res: CommandResult, plan: dict[str, Any], note: str) -> None:
        s = self._sections(res)
        verified = self._verified(res)
        leftover = _section(s, "leftover")
        reg_rc = parse_rc_ladder(res.output).get("register")
        if self.p.register:
            self.result["register_rc"] = reg_rc
        if res.error:
            self.result.setdefault("warnings", []).append(res.error)
        not_running = self.result.get("services_not_running") or []
        kept = ""
        if "##record_kept" in res.output or (not_running and res.step.startswith("readback")):
            self.result["state_record"] = self.paths.record
            kept = (
                f"; the state record {self.paths.record} was kept beside dest so that the next run starts "
                "those services again"
            )
        if self.p.register and "##register_rolled_back" in res.output:
            raise StepFailed(
                "register",
                f"regsvr32 failed for the new DLL (exit {reg_rc}: {parse_regsvr32(reg_rc)}); "
                "the old DLL was put back "
                f"and registered again{'; services not running: ' + '; '.join(not_running) if not_running else ''}"
                + kept,
                res.output,
            )
        if not verified:
            state = "the old DLL is still in place" if "##backup_present" not in leftover else "dest is not the new DLL"
            staged = split_sections(self._stage_output)
            swap_text = " ".join(
                dict.fromkeys(
                    line.strip()
                    for line in (_section(s, "swap") + "\n" + _section(staged, "preswap")).splitlines()
                    if line.strip()
                )
            )
            raise StepFailed(
                "swap",
                f"dest could not be replaced ({classify_error(swap_text) or 'see host output'}: "
                f"{swap_text[:400]!r}); "
                f"{state}; services started again: {self.result['services_started']}"
                + (f"; NOT running: {not_running}" if not_running else "")
                + kept,
                res.output,
            )
        if not_running:
            raise StepFailed(
                "start",
                f"the new DLL is in place but these services did not start again: {'; '.join(not_running)}" + kept,
                res.output,
            )
        how = {
            "unload": "unloaded "
            + ", ".join("/LM/" + (a.app_root or "") for a in plan["unload_roots"])
            + "; W3SVC kept running",
            "service_restart": f"stopped {', '.join(self.result['services_stopped']) or 'nothing'} and started "
            f"{', '.join(self.result['services_started']) or 'nothing'} again "
            + _outage_text(self.result["outage_seconds"]),
        }[self.result["method"]]
        self.result["msg"] = (
            f"replaced {self.paths.dest} ({self.result['isolation']}): {how}"
            + (f"; backup kept as {self.paths.backup}" if self.p.backup else "")
            + (f"; {note}" if note else "")
        )

    def _check_host_inputs(self, facts: HostFacts) -> None:
        if facts.dest_denied:
            raise StepFailed(
                "gather",
                f"no write access to {self.paths.dest}: the host answered 'Access is denied.' when it was opened for "
                "writing, so it could not be replaced; nothing was stopped or changed",
            )
        if facts.src is None:
            raise InputError("src", f"{self.paths.src} does not exist on the host (or cannot be read)")
        if not facts.dest_dir_exists:
            raise InputError("dest", f"the folder of dest, {self.paths.dest_dir}, does not exist on the host")
        if facts.identical is None and facts.dest is not None:
            # Only now ask fc for its text (for two readable files it would list every differing byte).
            said = self._run("compare", [f"fc /b {_q(self.paths.src)} {_q(self.paths.dest)} 2>&1"]).output.strip()
            raise StepFailed(
                "compare",
                f"fc /b could not compare src and dest; the host said: {said[:300]!r}; nothing was changed on the host",
            )

    def _prediction(self, plan: dict[str, Any]) -> str:
        br = plan["blast_radius"]
        apps = ", ".join(a["metabase_path"] for a in br["applications"]) or "none"
        if plan["method"] == "unload":
            return f"would unload {apps} (isolated), swap {self.paths.dest}; W3SVC keeps running" + (
                "; if the lock is not released it would fall back to restarting IIS" if self.p.unload_fallback else ""
            )
        return (
            f"would stop {', '.join(plan['stops'])} (net stop IISADMIN /y), swap {self.paths.dest}, then start "
            f"{', '.join(plan['starts'])}; in-process applications taken down with inetinfo.exe: {apps}"
        )

    def _finish(self, t0: float) -> dict[str, Any]:
        self.result["elapsed_seconds"] = round(time.monotonic() - t0, 3)
        self.result["requests"] = getattr(self.runner, "requests", None)
        return self.result


def _outage_text(seconds: float | None) -> str:
    if seconds is None:
        return "(outage not measured: its output was lost with the connection)"
    return f"(outage {seconds}s)"


def _describe(entry: DirEntry | None) -> str:
    if entry is None:
        return "(absent)\n"
    mtime = getattr(entry, "mtime", None) or getattr(entry, "date", "")
    return f"size: {entry.size}\nmodified: {mtime}\n"


def run_update(params: dict[str, Any], runner: Any, check_mode: bool = False, diff: bool = False) -> dict[str, Any]:
    """Validate ``params`` and run the update through ``runner``; returns an Ansible result dict.

    Never raises for host or input problems: they become ``failed: true`` with a message naming the step.
    """
    try:
        p = Params.from_module_params(params)
    except InputError as exc:
        msg = f"invalid input: {exc}"
        if "control character" in msg:
            msg += (
                " (Ansible decodes backslash escapes such as \\b or \\n in key=value arguments: write Windows paths "
                "with forward slashes, C:/InetPub/x.dll, or double the backslashes, or use YAML arguments)"
            )
        return {"failed": True, "changed": False, "msg": msg, "step": "validate"}
    job = ComponentUpdate(p, runner, check_mode=check_mode, diff=diff)
    try:
        return job.run()
    except InputError as exc:
        job.result.update(failed=True, msg=f"invalid input: {exc}", step="validate")
    except StepFailed as exc:
        job.result.update(failed=True, msg=f"step {exc.step} failed: {exc}", step=exc.step)
        if exc.host_output:
            job.result["host_output"] = job.runner.scrub(exc.host_output)[-4000:]
    except HostError as exc:
        job.result.update(
            failed=True, msg=f"cannot talk to the host ({exc.kind}): {exc}", step="connect", error_kind=exc.kind
        )
    except CommandTooLongError as exc:
        last = job.steps[-1]["step"] if job.steps else "gather"
        job.result.update(
            failed=True,
            msg=f"a command after step {last} does not fit the host's command line ({exc}); raise cmdline_limit "
            "if the host accepts longer lines, or use shorter paths",
            step=last,
        )
    finally:
        with contextlib.suppress(Exception):
            job.runner.close()
    job.result["msg"] = job.runner.scrub(job.result.get("msg", ""))
    return job.result

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host looks like: one batched line of questions, and pure functions that read the answers.

:func:`gather_parts` asks, in one line: the state record of an earlier run, src and dest (``dir``), whether
dest's folder exists, ``fc /b src dest`` (exit code only), ``net start``, ``sc qc`` of the IIS services,
``adsutil ENUM_ALL W3SVC``, and whether dest is loaded (opened for writing).  :func:`read_facts` turns what
the host printed into :class:`HostFacts` without any I/O, so the plan can be computed (and tested) from a
recorded answer.  Only :func:`gather` talks to the host: it sends the line, and walks the metabase key by key
(``metabase_read.py``) when the host's adsutil.vbs has no ENUM_ALL.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from .._cmd.cmdline import build_command, exists, guarded, if_exist, marker, quote_arg, rc_ladder, redirect, touch
from .._cmd.lines import compare
from .._cmd.paths import BACKUP_SUFFIX, Paths, StateRecord
from ..errors import InputError, StepFailed
from .appcmd import appcmd_parts, read_system_root
from .metabase import Metabase
from .metabase_read import enum_all_parts, read_metabase, split_adsutil_line, walk_metabase
from .parsers.common import ParseError, classify_error, ladder_rc, section, split_sections
from .parsers.files import DirEntry, parse_dir
from .parsers.net import parse_net_start_list
from .parsers.sc import parse_sc_enumdepend, parse_sc_qc
from .parsers.versions import (
    WindowsVersion,
    parse_appcmd_apps,
    parse_appcmd_pools,
    parse_appcmd_site_bindings,
    parse_appcmd_site_states,
    parse_appcmd_sites,
    parse_ver,
)
from .services import (
    IIS7_ROOT,
    IIS_SERVICES,
    KNOWN_DEPENDENCIES,
    SERVICE_NAME,
    display_names,
    host_display_names,
    running_services,
)

IISADMIN = "IISADMIN"

q = quote_arg
#: Buffer size for ``sc enumdepend`` (bytes): room for some fifty dependants.
ENUMDEPEND_BUFFER = 16384


@dataclass(frozen=True)
class HostFacts:
    record: StateRecord | None
    src: DirEntry | None
    dest: DirEntry | None
    dest_dir_exists: bool
    identical: bool | None  # fc /b src dest; None when fc could not compare
    running: tuple[str, ...]  # IIS service keys running now
    graph: dict[str, list[str]] = field(hash=False)
    has_sc: bool
    metabase: Metabase | None = field(hash=False)
    metabase_error: str | None
    dest_locked: bool | None  # None when not probed (check mode)
    dest_denied: bool = False
    needs_walk: bool = False  # adsutil has no ENUM_ALL: the metabase must be walked key by key
    backups: tuple[str, ...] = ()  # names of earlier runs' backups beside dest, oldest first
    # Running services outside IIS that depend on IIS Admin (key, display), in sc enumdepend's order (the
    # reverse of a start order); None when sc.exe could not tell (then they are only seen in net stop's output).
    extras: tuple[tuple[str, str], ...] | None = None
    dest_readonly: bool | None = None  # dest has the read-only attribute (None: attrib could not tell)
    windows: WindowsVersion | None = None  # from ``ver``; None: it printed no version (taken as NT 4.0)
    system_root: str | None = None  # %SystemRoot% as the host expands it (C:\WINNT, C:\WINDOWS, ...)
    adsutil: str | None = None  # the adsutil.vbs the metabase was read with (None: none was found)
    # IIS 7 and later (appcmd): application name -> pool, pool -> state, site name -> id.
    appcmd_apps: dict[str, str] | None = field(default=None, hash=False)
    appcmd_pools: dict[str, str] | None = field(default=None, hash=False)
    appcmd_sites: dict[str, int] | None = field(default=None, hash=False)
    appcmd_bindings: dict[str, str] | None = field(default=None, hash=False)  # site name -> appcmd's bindings
    appcmd_site_states: dict[str, bool] | None = field(default=None, hash=False)  # site name -> started (review S3)
    # Key -> the display name this host gives each installed IIS service (sc qc, or a known name net showed).
    service_names: dict[str, str] = field(default_factory=dict, hash=False)

    @property
    def windows_major(self) -> int | None:
        """Windows' major version from ``ver`` (4: NT 4.0, 5: 2000/XP/2003, ...); None when it printed none."""
        return self.windows.major if self.windows else None

    @property
    def iis_version(self) -> str:
        return (self.windows.iis if self.windows else None) or "4.0"

    @property
    def worker_process_mode(self) -> bool:
        """IIS 6 worker process isolation, or IIS 7 and later: applications run in their pool's w3wp.exe."""
        major = self.windows.iis_major if self.windows else 4
        if major >= 7:
            return True
        return major == 6 and self.metabase is not None and not self.metabase.iis5_isolation_mode

    @property
    def isolation_mode(self) -> str:
        """``iis4`` (AppIsolated 0/1), ``iis5`` (AppIsolated 0/1/2; IIS 6 in IIS 5 isolation mode too) or
        ``worker_process`` (application pools)."""
        if self.worker_process_mode:
            return "worker_process"
        return "iis4" if self.iis_version == "4.0" else "iis5"

    @property
    def dependencies(self) -> dict[str, list[str]]:
        return self.graph or KNOWN_DEPENDENCIES


def gather_parts(
    paths: Paths, adsutil_path: str, probe_lock: bool, candidates: tuple[str, ...] | None = None
) -> list[str]:
    p = paths.absolute()
    parts = [
        marker("state"),
        redirect(guarded(build_command("type", q(p.record)), exists(q(p.record)))),
        marker("src"),
        redirect(build_command("dir", q(p.src))),
        marker("dest"),
        redirect(build_command("dir", q(p.dest))),
        marker("destdir"),
        if_exist(q(p.dest_dir + "\\"), "echo ##yes", "echo ##no"),
        marker("baks"),
        redirect(build_command("dir", "/b", q(f"{p.dest}.*{BACKUP_SUFFIX}"))),
        marker("attrib"),
        redirect(build_command("attrib", q(p.dest))),
        marker("fc"),
        *compare(p.src, p.dest),
        rc_ladder("fc", 2),
        marker("net"),
        "net start 2>&1",
    ]
    for svc in IIS_SERVICES:
        parts += [marker(f"sc_{svc}"), redirect(build_command("sc", "qc", svc))]
    for root, name in ((IISADMIN, "deps"), (IIS7_ROOT, "deps_was")):
        parts += [marker(name), redirect(build_command("sc", "enumdepend", root, str(ENUMDEPEND_BUFFER)))]
    parts += [marker("ver"), "ver", "echo ##systemroot=%SystemRoot%"]
    parts += [marker("mb"), *enum_all_parts(candidates or (adsutil_path,)), rc_ladder("mb", 1)]
    parts += appcmd_parts()
    if probe_lock:
        parts += [marker("lock"), redirect(guarded(touch(q(p.dest)), exists(q(p.dest))))]
    parts.append(marker("end"))
    return parts


def _first_file(text: str) -> DirEntry | None:
    entries = [e for e in parse_dir(text) if not e.is_dir]
    return entries[0] if entries else None


def read_services(sections: dict[str, str]) -> tuple[dict[str, list[str]], bool]:
    """The dependency graph of the IIS services from ``sc qc`` (or the known one without sc.exe)."""
    graph: dict[str, list[str]] = {}
    for svc in IIS_SERVICES:
        text = section(sections, f"sc_{svc}")
        if classify_error(text) == "name_not_recognized":
            return {k: list(v) for k, v in KNOWN_DEPENDENCIES.items()}, False
        cfg = parse_sc_qc(text)
        if cfg.error_code is None and cfg.name:
            graph[svc] = [d.upper() for d in (cfg.dependencies or [])]
    return graph, True


def read_sc_display_names(sections: dict[str, str]) -> dict[str, str]:
    """Key -> DISPLAY_NAME of each installed IIS service, as ``sc qc`` printed it (empty without sc.exe)."""
    names: dict[str, str] = {}
    for svc in IIS_SERVICES:
        cfg = parse_sc_qc(section(sections, f"sc_{svc}"))
        if cfg.error_code is None and cfg.name and cfg.display_name:
            names[svc] = cfg.display_name
    return names


def read_backups(text: str, dest_name: str) -> tuple[str, ...]:
    """Backups an earlier run left (``<dest name>.<14-digit UTC stamp>.bak``), oldest first."""
    pattern = re.compile(re.escape(dest_name) + r"\.(\d{14})" + re.escape(BACKUP_SUFFIX) + "$", re.IGNORECASE)
    found = [line.strip() for line in text.splitlines() if pattern.match(line.strip())]
    return tuple(sorted(found, key=lambda name: pattern.match(name).group(1)))  # type: ignore[union-attr]


def read_readonly(text: str) -> bool | None:
    """attrib's flags for one file: ``A    R     C:\\path`` (None when attrib printed no such line)."""
    for line in text.splitlines():
        m = re.match(r"^([A-Z ]{1,12}?)\s*([A-Za-z]:\\.*|\\\\.*)$", line.rstrip())
        if m:
            return "R" in m.group(1).split()
    return None


def read_extras(text: str) -> tuple[tuple[str, str], ...] | None:
    """Running dependants of the restart's root (IIS Admin; WAS on IIS 7+) that are not IIS services, from
    ``sc enumdepend <root>``."""
    deps = parse_sc_enumdepend(text)
    if deps is None:
        return None
    return tuple(
        (d.name.upper(), d.display_name)
        for d in deps
        if d.running and d.name.upper() not in IIS_SERVICES and SERVICE_NAME.match(d.name)
    )


def read_facts(output: str, adsutil_path: str, dest_name: str = "") -> HostFacts:
    """What the gather line printed, as facts (pure).  Raises StepFailed when net start listed nothing."""
    s = split_sections(output)
    try:
        running_names = parse_net_start_list(section(s, "net"))
    except ParseError:
        raise StepFailed(
            "gather", f"'net start' did not list the running services: {section(s, 'net').strip()[:300]!r}"
        ) from None
    graph, has_sc = read_services(s)
    mb_text, used = split_adsutil_line(section(s, "mb"))
    windows = parse_ver(section(s, "ver"))
    try:
        appcmd_apps = parse_appcmd_apps(section(s, "appcmd_app")) if "appcmd_app" in s else None
        appcmd_pools = parse_appcmd_pools(section(s, "appcmd_apppool")) if appcmd_apps else None
    except ParseError as exc:
        # appcmd is there and answered, but with a line this module cannot read: never "not installed".
        raise StepFailed(
            "gather", f"{exc}; the applications and pools cannot be read, so nothing was changed"
        ) from None
    try:
        # Optional: without the site list the sites are named as the application names spell them.
        appcmd_sites = parse_appcmd_sites(section(s, "appcmd_site")) if appcmd_apps else None
    except ParseError:
        appcmd_sites = None
    appcmd_bindings = parse_appcmd_site_bindings(section(s, "appcmd_site")) if appcmd_sites else None
    if used == "none" or (appcmd_apps and windows is not None and windows.iis_major >= 7):
        # No adsutil.vbs (IIS 7 and later without the IIS 6 compatibility feature): appcmd answers instead.
        missing = (
            "neither adsutil.vbs (IIS 4.0-6.0, or IIS 7+ with the IIS 6 Metabase Compatibility feature) nor appcmd.exe "
            "(IIS 7 and later) was found on the host, so its applications and their isolation cannot be read; nothing "
            "was changed"
        )
        metabase, mb_error, needs_walk = None, None if appcmd_apps else missing, False
    else:
        metabase, mb_error, needs_walk = read_metabase(mb_text, used or adsutil_path)
    fc_rc = ladder_rc(output, s, "fc")
    names = host_display_names(running_names, read_sc_display_names(s) if has_sc else {})
    iis7 = windows is not None and windows.iis_major >= 7
    lock_kind = classify_error(section(s, "lock")) if "lock" in s else None
    return HostFacts(
        record=StateRecord.parse(section(s, "state")),
        src=_first_file(section(s, "src")),
        dest=_first_file(section(s, "dest")),
        dest_dir_exists="##yes" in section(s, "destdir"),
        identical=None if fc_rc is None or fc_rc >= 2 else fc_rc == 0,
        running=tuple(running_services(running_names, display_names(host=names))),
        service_names=names,
        graph=graph,
        has_sc=has_sc,
        metabase=metabase,
        metabase_error=mb_error,
        dest_locked=None if "lock" not in s else lock_kind == "sharing_violation",
        dest_denied=lock_kind == "access_denied",
        needs_walk=needs_walk,
        backups=read_backups(section(s, "baks"), dest_name) if dest_name else (),
        dest_readonly=read_readonly(section(s, "attrib")),
        extras=read_extras(section(s, "deps_was" if iis7 else "deps")),
        windows=windows,
        system_root=read_system_root(section(s, "ver")),
        adsutil=None if used == "none" else used or adsutil_path,
        appcmd_apps=appcmd_apps or None,
        appcmd_pools=appcmd_pools,
        appcmd_sites=appcmd_sites,
        appcmd_bindings=appcmd_bindings,
        appcmd_site_states=parse_appcmd_site_states(section(s, "appcmd_site")) if appcmd_sites else None,
    )


def gather(
    session: Any,
    paths: Paths,
    adsutil_path: str,
    probe_lock: bool = True,
    walk: bool = True,
    candidates: tuple[str, ...] | None = None,
) -> HostFacts:
    """Ask the host (one line, more for a metabase walk) and read the answers.

    ``walk``: when ENUM_ALL lists nothing, walk the metabase key by key.  A run with a forced isolation
    does not need the metabase (``plan`` works from the options then) and skips the walk.
    """
    res = session.run("gather", gather_parts(paths, adsutil_path, probe_lock, candidates))
    if not res.complete:
        raise StepFailed("gather", f"the host stopped answering while reading its state: {res.error}")
    facts = read_facts(res.output, adsutil_path, paths.dest_name)
    if not facts.needs_walk or not walk:
        return facts
    metabase, error = walk_metabase(session, facts.adsutil or adsutil_path)
    if metabase is not None and not metabase.sites():
        enum_all = section(split_sections(res.output), "mb").strip()
        metabase, error = (
            None,
            (
                f"'cscript {adsutil_path} ENUM_ALL W3SVC' listed no web site (it printed: {enum_all[:300]!r}) and "
                "neither did ENUM key by key (check adsutil_path)"
            ),
        )
    return dataclasses.replace(facts, metabase=metabase, metabase_error=error, needs_walk=False)


def check_host_inputs(facts: HostFacts, paths: Paths, session: Any) -> None:
    """src must exist, dest's folder too, dest must be writable and comparable; else fail, changing nothing."""
    if facts.dest_denied and not facts.identical and not facts.dest_readonly:
        raise StepFailed(
            "gather",
            f"no write access to {paths.dest}: the host answered 'Access is denied.' when it was opened for "
            "writing, so it could not be replaced; nothing was stopped or changed",
        )
    if facts.src is None:
        raise InputError("src", f"{paths.src} does not exist on the host (or cannot be read)")
    if not facts.dest_dir_exists:
        raise InputError("dest", f"the folder of dest, {paths.dest_dir}, does not exist on the host")
    if facts.identical is None and facts.dest is not None:
        # Only now ask fc for its text (for two readable files it would list every differing byte).
        said = session.run("compare", [redirect(build_command("fc", "/b", q(paths.src), q(paths.dest)))]).output
        raise StepFailed(
            "compare",
            f"fc /b could not compare src and dest; the host said: {said.strip()[:300]!r}; nothing was changed on "
            "the host",
        )

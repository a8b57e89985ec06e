# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""legacy_iis.iis4.iis4_component_info: what runs where, read from the host without changing anything.

Two command lines at most, both read-only:

1. the questions of the host (``net start``, ``sc qc`` / ``sc enumdepend``, ``ver``, the metabase with adsutil
   ``ENUM_ALL``, ``appcmd list``) and, per DLL, its state record (``type``), ``dir`` of it and of its backups,
   ``attrib`` without switches, who has it loaded (``tlist -m`` / ``tasklist /m``) and its file version where a
   tool can tell (``filever`` of the Support Tools, ``wmic datafile``);
2. when DLLs are asked about and ``catalog`` is on: the MTS/COM+ catalog's list script, written to the host's
   temporary folder, run and deleted in the same line (the one file this module writes; nothing beside a DLL).

Everything the host prints is read by the parsers the update uses (:func:`facts.read_facts`,
:func:`catalog.read_catalog`, :func:`catalog.read_holders`), and the release an update would have is the update's
own plan (:func:`plan.make_plan`), so the two modules cannot disagree.  New here are only the file-version readers
(:func:`parse_wmic_version`, :func:`parse_filever`) and the shaping of the result (pure, from recorded text).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import re
import secrets
from typing import Any

from ._cmd.cmdline import (
    CMD_LINE_LIMIT_NT4,
    CMD_LINE_LIMIT_XP,
    build_command,
    exists,
    guarded,
    if_exist,
    marker,
    rc_ladder,
    redirect,
)
from ._cmd.cmdline import quote_arg as q
from ._cmd.paths import BACKUP_SUFFIX, RECORD_SUFFIX, Paths
from ._cmd.validate import validate_app_path, validate_site, validate_windows_path
from ._host.appcmd import appcmd_parts
from ._host.catalog import (
    CATALOGS,
    IIS_IMAGES,
    MTXSTOP,
    POOLED_APPLICATION,
    CatalogFacts,
    catalog_for,
    holder_dicts,
    list_script,
    read_catalog,
    read_holders,
    run_script,
)
from ._host.facts import ENUMDEPEND_BUFFER, IIS5_ADSUTIL, HostFacts, enum_all_parts, read_facts, walk_metabase
from ._host.metabase import DEFAULT_APP_POOL, MetabaseError
from ._host.parsers.common import split_sections
from ._host.parsers.files import DirEntry, parse_dir
from ._host.parsers.versions import POOL_STATES
from ._host.services import IIS_SERVICES
from ._transport.report import Report
from ._transport.session import Session
from .argspec import CONNECTION_SPEC, DEFAULT_ADSUTIL, DEFAULT_SITE, DEFAULT_TIMEOUT
from .errors import IIS4Error, InputError, StepFailed
from .params import Params
from .plan import make_plan
from .results import entry_dict, prediction

#: The options of the info module (the connection options are the update module's).
INFO_COMPONENT_OPTIONS: dict[str, Any] = {
    "dest": {"type": "str", "required": True},
    "site": {"type": "str"},
    "application": {"type": "list", "elements": "str", "aliases": ["applications"]},
}
INFO_ARGUMENT_SPEC: dict[str, Any] = {
    "dest": {"type": "list", "elements": "str"},
    "site": {"type": "str", "default": DEFAULT_SITE},
    "application": {"type": "list", "elements": "str", "default": ["/"], "aliases": ["applications"]},
    "components": {"type": "list", "elements": "dict", "options": INFO_COMPONENT_OPTIONS},
    "catalog": {"type": "bool", "default": True},
    "adsutil_path": {"type": "str", "default": DEFAULT_ADSUTIL},
    "timeout": {"type": "int", "default": DEFAULT_TIMEOUT},
    "cmdline_limit": {"type": "int"},
}
INFO_FULL_SPEC: dict[str, Any] = {**INFO_ARGUMENT_SPEC, **CONNECTION_SPEC}
INFO_SPEC_KWARGS: dict[str, Any] = {
    "required_by": {"winrm_password": ["winrm_user"]},
    "mutually_exclusive": [["dest", "components"]],
}
#: What the catalog script is called in the host's temporary folder (a random part keeps two runs apart).
SCRIPT_PREFIX = "legacy_iis_info_"


def info_accepted_names() -> frozenset[str]:
    names = set(INFO_FULL_SPEC)
    for spec in INFO_FULL_SPEC.values():
        names.update(spec.get("aliases", []))
    return frozenset(names)


# ------------------------------------------------------------------------------------------------------
# The options


@dataclasses.dataclass(frozen=True)
class Target:
    """One DLL asked about, and the applications an update of it would be for."""

    dest: str
    params: Params  # the update's options for it (src is dest: nothing is ever copied)


def targets_of(p: dict[str, Any]) -> list[Target]:
    """The DLLs of the options (``dest`` or ``components``), checked as the update checks them.  Raises InputError."""
    entries = p.get("components") or [{"dest": d} for d in (p.get("dest") or [])]
    limit = int(p.get("cmdline_limit") or CMD_LINE_LIMIT_NT4)
    adsutil = validate_windows_path(p.get("adsutil_path") or DEFAULT_ADSUTIL, "adsutil_path", allow_unc=False)
    found: list[Target] = []
    for entry in entries:
        dest = validate_windows_path(entry.get("dest"), "dest", allow_unc=False)
        site = validate_site(entry.get("site") or p.get("site") or DEFAULT_SITE)
        apps = [
            validate_app_path(a, "application") for a in (entry.get("application") or p.get("application") or ["/"])
        ]
        params = Params(
            src=dest,
            dest=dest,
            site=site,
            applications=tuple(dict.fromkeys(apps)),
            isolation="auto",
            backup=True,
            keep_backups=3,
            register=False,
            restart_services=None,
            unload_fallback=True,
            timeout=int(p.get("timeout") or DEFAULT_TIMEOUT),
            adsutil_path=adsutil,
            cmdline_limit=limit,
            cmdline_limit_auto=p.get("cmdline_limit") is None,
        )
        if all(t.dest.lower() != dest.lower() for t in found):
            found.append(Target(dest, params))
    return found


# ------------------------------------------------------------------------------------------------------
# The questions (read-only command parts)


def host_parts(adsutil_candidates: tuple[str, ...]) -> list[str]:
    """Services, Windows version, folders, the metabase (or appcmd's lists): once per host."""
    parts = [marker("net"), "net start 2>&1"]
    for svc in IIS_SERVICES:
        parts += [marker(f"sc_{svc}"), redirect(build_command("sc", "qc", svc))]
    parts += [marker("deps"), redirect(build_command("sc", "enumdepend", "IISADMIN", str(ENUMDEPEND_BUFFER)))]
    parts += [marker("ver"), "ver", "echo ##systemroot=%SystemRoot%", "echo ##temp=%TEMP%"]
    parts += [marker("mb"), *enum_all_parts(adsutil_candidates), rc_ladder("mb", 1)]
    return parts + appcmd_parts()


def wql_path(path: str) -> str | None:
    r"""The path as WQL wants it in ``name='...'`` (backslashes doubled); None when it cannot be written there."""
    if "'" in path:
        return None
    return path.replace("\\", "\\\\")


def dll_parts(index: int, dest: str) -> list[str]:
    """One DLL: state record, the file, its folder, its backups, its attributes, who holds it, its version."""
    paths = Paths(dest, dest, "0")
    quoted, record = q(dest), q(dest + RECORD_SUFFIX)
    parts = [
        marker(f"dll{index}"),
        marker("state"),
        redirect(guarded(build_command("type", record), exists(record))),
        marker("dest"),
        redirect(build_command("dir", quoted)),
        marker("destdir"),
        if_exist(q(paths.dest_dir + "\\"), "echo ##yes", "echo ##no"),
        marker("bakdir"),
        redirect(build_command("dir", q(f"{dest}.*{BACKUP_SUFFIX}"))),
        marker("attrib"),
        redirect(build_command("attrib", quoted)),
        marker("tlist"),
        redirect(build_command("tlist", "-m", q(paths.dest_name))),
        marker("tasklist"),
        redirect(build_command("tasklist", "/m", q(paths.dest_name), "/fo", "csv", "/nh")),
        marker("filever"),
        redirect(build_command("filever", quoted)),
        marker("wmic"),
    ]
    wql = wql_path(dest)
    if wql is not None:
        # wmic reads its console input when it has done: give it none, or a WinRS shell would wait for ever.
        parts.append(
            build_command("wmic", "datafile", "where", q(f"name='{wql}'"), "get", "Version", "/value") + " <nul 2>&1"
        )
    return parts


def catalog_parts(script: str, limit: int) -> list[str]:
    """Both catalogs' list script (a host has one at most) and whether mtxstop.exe is there."""
    parts: list[str] = []
    for kind in CATALOGS:
        parts += [marker(f"catalog_{kind}"), *run_script(list_script(kind), script, limit=limit)]
    return [*parts, marker("mtxstop"), if_exist(q(MTXSTOP), "echo ##mtxstop")]


# ------------------------------------------------------------------------------------------------------
# Reading the answers (pure)

_WMIC_VERSION = re.compile(r"^\s*Version=(.*?)\s*$", re.IGNORECASE)
_FILE_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")


def parse_wmic_version(text: str) -> str | None:
    """``wmic datafile where name='...' get Version /value``: ``Version=5.0.2195.6620`` (None: no version, no file,
    or no wmic)."""
    for line in text.replace("\r", "\n").split("\n"):
        m = _WMIC_VERSION.match(line)
        if m and _FILE_VERSION.match(m.group(1)):
            return m.group(1)
    return None


def parse_filever(text: str, name: str) -> str | None:
    """``filever <file>`` (Support Tools): one line per file, attributes, OS, type, language, the file version,
    ... the file name last, for example ``--a-- W32i   DLL ENU      5.0.2195.6620 shp     45,328 06-19-2003 x.dll``.
    None when the file has no version resource (``-`` there), or filever is not there."""
    for line in text.replace("\r", "\n").split("\n"):
        words = line.split()
        if not words or words[-1].lower() != name.lower():
            continue
        found = [w for w in words[:-1] if _FILE_VERSION.match(w) and w.count(".") == 3]
        return found[0] if found else None
    return None


def dll_segments(output: str, count: int) -> tuple[str, list[str]]:
    """The output before the first DLL's marker (the host's answers), and each DLL's part."""
    lines = output.replace("\r\n", "\n").split("\n")
    starts = [next((i for i, ln in enumerate(lines) if ln.strip() == f"@@dll{n}"), None) for n in range(count)]
    bounds = [s for s in starts if s is not None]
    head_end = bounds[0] if bounds else len(lines)
    segments = []
    for n, start in enumerate(starts):
        if start is None:
            segments.append("")
            continue
        end = next((s for s in starts[n + 1 :] if s is not None), len(lines))
        segments.append("\n".join(lines[start + 1 : end]))
    return "\n".join(lines[:head_end]), segments


def read_temp(output: str) -> str | None:
    r"""``##temp=C:\TEMP`` as the host expanded it (None: not expanded or not a plain local folder)."""
    for line in output.replace("\r", "\n").split("\n"):
        if line.startswith("##temp="):
            value = line.split("=", 1)[1].strip()
            try:
                return validate_windows_path(value, "TEMP", allow_unc=False)
            except InputError:
                return None
    return None


def backup_entries(text: str, dest: str) -> list[dict[str, Any]]:
    """The backups the update makes beside ``dest`` (``<name>.<UTC yyyymmddhhmmss>.bak``), oldest first, read from
    ``dir``."""
    name = dest.rsplit("\\", 1)[1]
    folder = dest.rsplit("\\", 1)[0]
    pattern = re.compile(re.escape(name) + r"\.(\d{14})" + re.escape(BACKUP_SUFFIX) + "$", re.IGNORECASE)
    found = []
    for entry in parse_dir(text):
        m = pattern.match(entry.name)
        if entry.is_dir or m is None:
            continue
        try:
            stamp = datetime.datetime.strptime(m.group(1), "%Y%m%d%H%M%S").replace(tzinfo=datetime.UTC)
        except ValueError:
            continue
        found.append(
            {
                "path": f"{folder}\\{entry.name}",
                "made": stamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "size": entry.size,
                "modified": _when(entry),
            }
        )
    return sorted(found, key=lambda b: b["made"])


def _when(entry: DirEntry) -> str | None:
    mtime = entry.mtime
    return mtime.isoformat() if mtime is not None else (f"{entry.date} {entry.time}".strip() or None)


def application_rows(facts: HostFacts) -> list[dict[str, Any]]:
    """Every application of the host, how it runs, in which process, pool or package."""
    mb = facts.metabase
    rows: list[dict[str, Any]] = []
    if mb is not None:
        sites = mb.sites()
        for app in mb.applications():
            row: dict[str, Any] = {
                "site": app.site,
                "site_name": sites.get(app.site),
                "path": app.path,
                "metabase_path": app.metabase_path,
                "friendly_name": app.friendly_name,
                "app_isolated": app.isolation_value,
                "app_pool": None,
                "app_pool_state": None,
                "package": None,
            }
            if facts.worker_process_mode:
                pool = app.app_pool or DEFAULT_APP_POOL
                state = mb.stored(mb.key(f"W3SVC/AppPools/{pool}") or "", "AppPoolState")
                row.update(runs="app_pool", process="w3wp.exe", app_pool=pool, app_pool_state=_pool_state(state))
            elif app.pooled:
                row.update(runs="pooled", process="dllhost.exe", package={"name": POOLED_APPLICATION, "id": None})
            elif app.isolated:
                image = "mtx.exe" if facts.iis_version == "4.0" else "dllhost.exe"
                name = mb.stored(app.key, "AppPackageName")
                pkg_id = mb.stored(app.key, "AppPackageID")
                row.update(runs="isolated", process=image)
                if name or pkg_id:
                    row["package"] = {"name": name, "id": pkg_id}
            else:
                row.update(runs="in_process", process="inetinfo.exe")
            rows.append(row)
        return rows
    sites_by_name = facts.appcmd_sites or {}
    for name, pool in (facts.appcmd_apps or {}).items():
        site_name, _sep, rest = name.partition("/")
        rows.append(
            {
                "site": sites_by_name.get(site_name),
                "site_name": site_name,
                "path": "/" + rest.strip("/"),
                "metabase_path": None,
                "friendly_name": None,
                "app_isolated": None,
                "runs": "app_pool",
                "process": "w3wp.exe",
                "app_pool": pool,
                "app_pool_state": (facts.appcmd_pools or {}).get(pool),
                "package": None,
            }
        )
    return rows


def _pool_state(value: Any) -> str | None:
    try:
        return POOL_STATES.get(int(value)) if value is not None else None
    except (TypeError, ValueError):
        return str(value)


def host_dict(facts: HostFacts) -> dict[str, Any]:
    w = facts.windows
    return {
        "windows": w.name if w else "Windows NT 4.0",
        "windows_version": (f"{w.major}.{w.minor}" + (f".{w.build}" if w.build is not None else "")) if w else None,
        "iis_version": facts.iis_version,
        "isolation_mode": facts.isolation_mode,
        "services_running": list(facts.running),
        "dependants_running": [key for key, _display in (facts.extras or ())],
        "sc_available": facts.has_sc,
        "adsutil": facts.adsutil,
        "metabase_error": facts.metabase_error,
    }


def component_dict(
    target: Target, facts: HostFacts, segment: str, catalog: CatalogFacts | None
) -> tuple[dict[str, Any], list[str]]:
    """Everything about one DLL, and warnings (pure: from what the host printed)."""
    dest = target.dest
    sections = split_sections(segment)
    entry = entry_dict(facts.dest, dest)
    version = parse_filever(sections.get("filever", ""), dest.rsplit("\\", 1)[1])
    source = "filever" if version else None
    if version is None:
        version = parse_wmic_version(sections.get("wmic", ""))
        source = "wmic" if version else None
    holders, tool = read_holders(segment)
    out: dict[str, Any] = {
        "dest": dest,
        "exists": facts.dest is not None,
        "size": entry["size"] if entry else None,
        "modified": entry["mtime"] if entry else None,
        "readonly": facts.dest_readonly if facts.dest is not None else None,
        "version": version,
        "version_source": source,
        "backups": backup_entries(sections.get("bakdir", ""), dest),
        "interrupted_run": facts.record.as_dict() if facts.record else None,
        "holders": holder_dicts(holders),
        "holders_tool": tool,
        "package": None,
        "site": None,
        "applications": [],
        "isolation": None,
        "method": None,
        "release": None,
        "blast_radius": None,
        "services_stopped": [],
        "services_started": [],
        "error": None,
    }
    warnings: list[str] = []
    if not facts.dest_dir_exists:
        out["error"] = f"the folder of {dest} does not exist on the host"
        return out, warnings
    own = dataclasses.replace(catalog, holders=holders, holders_tool=tool) if catalog is not None else None
    paths = Paths(dest, dest, "0")
    try:
        plan = make_plan(facts, target.params, paths, own)
    except (IIS4Error, MetabaseError) as exc:
        out["error"] = str(exc)
        return out, warnings
    out.update(
        package=plan.package.as_dict() if plan.package else None,
        site=plan.site,
        applications=[a.as_dict() for a in plan.applications],
        isolation=plan.isolation,
        method=plan.method,
        release=prediction(plan, paths, target.params.unload_fallback).replace("would ", "an update would ", 1),
        blast_radius=plan.blast_radius,
    )
    if plan.method == "service_restart":
        out.update(services_stopped=list(plan.stops), services_started=list(plan.starts))
    if holders and not any(h.image.lower() in IIS_IMAGES for h in holders):
        warnings.append(f"{dest} is loaded only by programs outside IIS: an update would fail until they exit")
    return out, warnings


# ------------------------------------------------------------------------------------------------------
# The run


def gather_info(
    session: Any, targets: list[Target], adsutil_path: str, with_catalog: bool, limit_auto: bool = True
) -> dict[str, Any]:
    """Ask the host (read-only) and shape the answer: ``host``, ``applications``, ``components``, warnings."""
    candidates = (DEFAULT_ADSUTIL, IIS5_ADSUTIL) if adsutil_path == DEFAULT_ADSUTIL else (adsutil_path,)
    parts = host_parts(candidates)
    for n, t in enumerate(targets):
        parts += dll_parts(n, t.dest)
    parts.append(marker("end"))
    res = session.run("gather", parts)
    if not res.complete:
        raise StepFailed("gather", f"the host stopped answering while it was read: {res.error}")
    head, segments = dll_segments(res.output, len(targets))
    facts = read_facts(head, adsutil_path)
    if facts.needs_walk:
        metabase, error = walk_metabase(session, facts.adsutil or adsutil_path)
        facts = dataclasses.replace(facts, metabase=metabase, metabase_error=error, needs_walk=False)
    if limit_auto and facts.windows and (facts.windows.major, facts.windows.minor) >= (5, 1):
        session.limit = CMD_LINE_LIMIT_XP  # XP and later: cmd.exe takes 8191 characters (KB 830473)
    warnings: list[str] = []
    catalog = None
    if targets and with_catalog:
        catalog = read_host_catalog(session, head, warnings, facts.windows_major)
    components = []
    for target, segment in zip(targets, segments, strict=True):
        dll_facts = read_facts(head + "\n" + segment, adsutil_path, target.dest.rsplit("\\", 1)[1])
        dll_facts = dataclasses.replace(
            dll_facts, metabase=facts.metabase, metabase_error=facts.metabase_error, needs_walk=False
        )
        item, said = component_dict(target, dll_facts, segment, catalog)
        components.append(item)
        warnings += said
    host = host_dict(facts)
    host["catalog"] = catalog.kind if catalog else None
    host["catalog_error"] = catalog.error if catalog else None
    host["mtxstop"] = catalog.mtxstop if catalog else None
    return {
        "host": host,
        "applications": application_rows(facts),
        "components": components,
        "warnings": warnings,
    }


def read_host_catalog(
    session: Any, head: str, warnings: list[str], windows_major: int | None = None
) -> CatalogFacts | None:
    """The catalog through a list script in the host's temporary folder (deleted by the same line)."""
    temp = read_temp(head)
    if temp is None:
        warnings.append("the host's TEMP folder could not be read, so its MTS/COM+ catalog was not listed")
        return None
    try:
        script = validate_windows_path(f"{temp}\\{SCRIPT_PREFIX}{secrets.token_hex(4)}.vbs", "TEMP", allow_unc=False)
    except InputError:
        warnings.append(f"the host's TEMP folder {temp!r} cannot hold the catalog script; the catalog was not listed")
        return None
    res = session.run("catalog", catalog_parts(script, session.limit))
    if not res.complete:
        raise StepFailed("catalog", f"the host stopped answering while its catalog was read: {res.error}")
    catalog = read_catalog(res.output, catalog_for(windows_major))
    if catalog.error:
        warnings.append(f"the {catalog.kind or 'MTS/COM+'} catalog could not be read ({catalog.error})")
    return catalog


def run_info(params: dict[str, Any], runner: Any, progress: Any = None) -> dict[str, Any]:
    """Validate ``params``, read the host through ``runner``; an Ansible result (``changed`` is always false).

    Never raises for host or input problems: they become ``failed: true`` with a message naming the step."""
    result: dict[str, Any] = {"changed": False}
    try:
        targets = targets_of(params)
        adsutil = validate_windows_path(params.get("adsutil_path") or DEFAULT_ADSUTIL, "adsutil_path", allow_unc=False)
    except InputError as exc:
        return {"failed": True, "changed": False, **exc.describe()}
    limit = int(params.get("cmdline_limit") or CMD_LINE_LIMIT_NT4)
    timeout = int(params.get("timeout") or DEFAULT_TIMEOUT)
    folder = targets[0].dest.rsplit("\\", 1)[0] if targets else "C:\\"
    report = Report(Paths("C:\\x", "C:\\x", "0"))
    if progress is not None:
        report.progress = progress
    session = Session(runner, report, limit=limit, timeout=timeout, folder=folder)
    try:
        found = gather_info(
            session, targets, adsutil, bool(params.get("catalog", True)), params.get("cmdline_limit") is None
        )
    except IIS4Error as exc:
        result.update(failed=True, **exc.describe(report.steps[-1]["step"] if report.steps else None))
        result["msg"] = runner.scrub(result.get("msg", ""))
        return result
    finally:
        with contextlib.suppress(Exception):
            runner.close()
    warnings = found.pop("warnings")
    result.update(found)
    result["commands"] = [s["command"] for s in report.steps]
    if warnings:
        result["warnings"] = warnings
    comps = found["components"]
    result["msg"] = (
        f"{found['host']['windows']}, IIS {found['host']['iis_version']} ({found['host']['isolation_mode']}): "
        f"{len(found['applications'])} application(s)"
        + (
            f", {len(comps)} DLL(s): " + "; ".join(f"{c['dest']}: {c['method'] or c['error']}" for c in comps)
            if comps
            else ""
        )
    )
    return result

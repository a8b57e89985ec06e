# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The info module's view of a host: its read-only questions, and the shaping of the answers (pure).

:func:`host_parts` asks once per host (services, Windows version, folders, the metabase or appcmd's lists),
:func:`dll_parts` once per DLL (state record, the file, its backups, its attributes, who holds it, its version),
:func:`catalog_parts` for the catalog's list script.  The rest reads what the host printed into the result's
``host``, ``applications`` and per-DLL parts, from recorded text.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from .._cmd.cmdline import build_command, exists, guarded, if_exist, marker, rc_ladder, redirect
from .._cmd.cmdline import quote_arg as q
from .._cmd.paths import BACKUP_SUFFIX, RECORD_SUFFIX, Paths
from .._cmd.validate import validate_windows_path
from ..errors import InputError
from .appcmd import appcmd_parts
from .bindings import site_bindings
from .catalog import CATALOGS, MTXSTOP, POOLED_APPLICATION, list_script, run_script
from .facts import ENUMDEPEND_BUFFER, HostFacts
from .metabase import DEFAULT_APP_POOL
from .metabase_read import enum_all_parts
from .parsers.files import DirEntry, parse_dir
from .parsers.versions import POOL_STATES
from .services import IIS_SERVICES

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
                "bindings": site_bindings(facts, app.site),
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
                "bindings": site_bindings(facts, sites_by_name[site_name]) if site_name in sites_by_name else [],
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

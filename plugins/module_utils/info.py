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
own plan (:func:`plan.make_plan`), so the two modules cannot disagree.  New for this module are only the
questions and the shaping of the result (``_host/inventory.py``) and the file-version readers
(``_host/parsers/fileversion.py``), all pure and tested from recorded text.
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from typing import Any

from ._cmd.cmdline import CMD_LINE_LIMIT_NT4, CMD_LINE_LIMIT_XP, marker
from ._cmd.paths import Paths
from ._cmd.validate import validate_app_path, validate_site, validate_windows_path
from ._host.bindings import site_bindings
from ._host.catalog import IIS_IMAGES, CatalogFacts, catalog_for, holder_dicts, read_catalog, read_holders
from ._host.facts import HostFacts, read_facts
from ._host.inventory import (
    application_rows,
    backup_entries,
    catalog_parts,
    dll_parts,
    dll_segments,
    host_dict,
    host_parts,
    read_temp,
)
from ._host.metabase import MetabaseError
from ._host.metabase_read import IIS5_ADSUTIL, walk_metabase
from ._host.parsers.common import split_sections
from ._host.parsers.fileversion import parse_filever, parse_wmic_version
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
# One DLL, as the update would see it (pure)


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
        bindings=site_bindings(facts, plan.site),
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

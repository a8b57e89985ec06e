# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IIS 7 and later through ``appcmd.exe``: where it is, what the gather line asks it, and the applications (with
their pools) that the options name.

The gather line runs it as ``%SystemRoot%\\system32\\inetsrv\\appcmd.exe`` (cmd.exe expands the variable) and
prints the host's ``%SystemRoot%`` too; every later command names it by that full path (:func:`appcmd_path`),
since a sequence may become a batch file, where ``%`` means something else.
"""

from __future__ import annotations

import re

from .._cmd.cmdline import build_command, marker, quote_arg, redirect
from .._cmd.validate import host_arg
from .metabase import Application, MetabaseError

#: The gather line's appcmd.exe (cmd.exe expands ``%SystemRoot%`` on the command line).
APPCMD = "%SystemRoot%\\system32\\inetsrv\\appcmd.exe"
DEFAULT_WINDOWS = "C:\\Windows"


def appcmd_parts() -> list[str]:
    """The applications with their pools, the pools with their states, the sites."""
    parts = []
    for what in ("app", "apppool", "site"):
        parts += [marker(f"appcmd_{what}"), redirect(f"{APPCMD} list {what}")]
    return parts


def read_system_root(text: str) -> str | None:
    r"""``##systemroot=C:\WINDOWS`` (None when cmd.exe left the variable unexpanded or printed nothing usable)."""
    for line in text.splitlines():
        if line.startswith("##systemroot="):
            value = line.split("=", 1)[1].strip()
            return value if re.match(r"^[A-Za-z]:\\[A-Za-z0-9_ .\\-]*$", value) else None
    return None


def appcmd_path(system_root: str | None) -> str:
    r"""Where appcmd.exe is: below the host's own %SystemRoot% (read while gathering), C:\Windows when unknown."""
    return (system_root or DEFAULT_WINDOWS) + "\\system32\\inetsrv\\appcmd.exe"


def appcmd_applications(
    apps_by_name: dict[str, str], sites: dict[str, int] | None, site: int | str, paths: tuple[str, ...]
) -> tuple[int, list[Application]]:
    """The applications ``paths`` of ``site`` from ``appcmd list app`` (name -> pool) and ``list site``."""
    # appcmd list site gives the ids; without it the site must be named as the application names spell it.
    sites = sites or {n.split("/", 1)[0]: 0 for n in apps_by_name}
    wanted = str(site).strip()
    site_name = next((n for n, i in sites.items() if str(i) == wanted or n.lower() == wanted.lower()), None)
    if site_name is None:
        known = ", ".join(f"{i} ({n!r})" if i else repr(n) for n, i in sites.items()) or "none"
        raise MetabaseError(f"site {wanted!r} not found by appcmd; sites on this host: {known}", "site")
    site_id = sites[site_name]
    found = []
    for path in paths:
        name, app_path = appcmd_application(list(apps_by_name), site_name, path)
        key = f"W3SVC/{site_id}/ROOT" + ("" if app_path == "/" else app_path)
        found.append(Application(path, key, key, True, site_id, friendly_name=name, app_pool=apps_by_name[name]))
    return site_id, found


def appcmd_application(names: list[str], site_name: str, path: str) -> tuple[str, str]:
    """The appcmd application (``Default Web Site/Shop``) that serves ``path``: the longest application path at
    or above it, and that path."""
    want = (path.rstrip("/") or "/").lower()
    best: tuple[str, str] | None = None
    for name in names:
        site, _sep, rest = name.partition("/")
        if site.lower() != site_name.lower():
            continue
        app_path = "/" + rest.strip("/")
        inside = want == app_path.lower() or want.startswith(app_path.lower().rstrip("/") + "/")
        if inside and (best is None or len(app_path) > len(best[1])):
            best = (name, app_path)
    if best is None:
        raise MetabaseError(f"application {path!r} not found by appcmd list app in site {site_name!r}")
    return best


def site_command(verb: str, site: str | None, appcmd: str | None = None) -> str:
    """IIS 7+: ``appcmd list site`` (every site with its state; ``site`` None), or start / stop one site."""
    program = quote_arg(appcmd or appcmd_path(None))  # the full path, as for the pools
    if verb == "list":
        return redirect(f"{program} list site")
    return redirect(f"{program} {verb} site /site.name:{host_arg(site or '', 'the site')}")


def pool_command(tool: str, verb: str, pool: str, adsutil_path: str, appcmd: str | None = None) -> str:
    """Start, stop or ask the state of an application pool: ``appcmd`` (IIS 7+), or adsutil's ``AppPoolCommand``
    (1 start, 2 stop) and ``AppPoolState`` on IIS 6 (adsutil has no recycle verb)."""
    name = host_arg(pool, "the application pool")
    if tool == "appcmd":
        # The full path, never %SystemRoot%: the sequence may become a batch file, where % means something else.
        program = quote_arg(appcmd or appcmd_path(None))
        if verb == "state":
            return redirect(f"{program} list apppool {name}")
        return redirect(f"{program} {verb} apppool /apppool.name:{name}")
    key = host_arg(f"W3SVC/AppPools/{pool}/AppPool" + ("State" if verb == "state" else "Command"), "the pool's key")
    args = ["GET", key] if verb == "state" else ["SET", key, "1" if verb == "start" else "2"]
    return redirect(build_command("cscript", "//nologo", quote_arg(adsutil_path), *args))

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Windows and IIS a host runs, and the tools of the later IIS versions.

* ``ver`` (a cmd.exe built-in on every version): ``Windows NT Version 4.0`` on NT 4.0,
  ``Microsoft Windows 2000 [Version 5.00.2195]``, ``Microsoft Windows XP [Version 5.1.2600]``,
  ``Microsoft Windows [Version 5.2.3790]`` (Server 2003), ``Microsoft Windows [Version 6.1.7601]`` ... Each
  Windows version ships one IIS version, so the IIS version follows from it.
* ``appcmd`` (IIS 7 and later, ``%SystemRoot%\\system32\\inetsrv\\appcmd.exe``): ``list app`` lines
  ``APP "Default Web Site/Shop" (applicationPool:ShopPool)``, ``list wp`` lines ``WP "3676"
  (applicationPool:ShopPool)``, ``list apppool`` lines ``APPPOOL "ShopPool" (MgdVersion:v4.0,MgdMode:Integrated,
  state:Started)``.
* ``iisapp.vbs`` (IIS 6): ``W3WP.exe PID: 5268   AppPoolId: DefaultAppPool`` lines; ``/a <pool> /r`` answers
  ``Application pool '<pool>' recycled successfully.`` (the RTM script has no ``/r``).
* adsutil on IIS 5 and later: ``APPGETSTATUS`` prints ``Application Status: N``; ``GET`` of a value a key
  inherits prints ``The parameter "<name>" is not set at this node.``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import split_lines

_VER = re.compile(r"\[Version (\d+)\.(\d+)(?:\.(\d+))?")
_NT4 = re.compile(r"Windows NT Version (\d+)\.(\d+)", re.IGNORECASE)

#: (Windows major, minor) -> (IIS version, the Windows it is).
WINDOWS_IIS = {
    (4, 0): ("4.0", "Windows NT 4.0"),
    (5, 0): ("5.0", "Windows 2000"),
    (5, 1): ("5.1", "Windows XP"),
    (5, 2): ("6.0", "Windows Server 2003"),
    (6, 0): ("7.0", "Windows Server 2008"),
    (6, 1): ("7.5", "Windows Server 2008 R2"),
    (6, 2): ("8.0", "Windows Server 2012"),
    (6, 3): ("8.5", "Windows Server 2012 R2"),
    (10, 0): ("10.0", "Windows Server 2016 or later"),
}


@dataclass(frozen=True)
class WindowsVersion:
    major: int
    minor: int
    build: int | None
    iis: str | None  # the IIS version that Windows ships ("4.0" for NT 4.0 with the Option Pack)
    name: str

    @property
    def iis_major(self) -> int:
        return int(float(self.iis or "4.0"))


def parse_ver(text: str) -> WindowsVersion | None:
    """What ``ver`` printed, or None when it printed no version."""
    for line in split_lines(text):
        m = _VER.search(line)
        if m:
            major, minor = int(m.group(1)), int(m.group(2))
            build = int(m.group(3)) if m.group(3) else None
        else:
            m = _NT4.search(line)
            if not m:
                continue
            major, minor, build = int(m.group(1)), int(m.group(2)), None
        iis, name = WINDOWS_IIS.get((major, minor), (None, f"Windows {major}.{minor}"))
        if iis is None and major >= 10:
            iis, name = WINDOWS_IIS[(10, 0)]
        return WindowsVersion(major, minor, build, iis, name)
    return None


_APP = re.compile(r'^APP "([^"]*)" \(applicationPool:([^)]*)\)\s*$')
_WP = re.compile(r'^WP "(\d+)" \(applicationPool:([^)]*)\)\s*$')
_POOL = re.compile(r'^APPPOOL "([^"]*)" \((.*)\)\s*$')


def _list_lines(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]] | None:
    """The match of every non-blank line of an appcmd list, or None when a line is not such a line (appcmd is
    missing, or printed an error)."""
    found = []
    for line in split_lines(text):
        if not line.strip():
            continue
        m = pattern.match(line.strip())
        if m is None:
            return None
        found.append(m)
    return found


def parse_appcmd_apps(text: str) -> dict[str, str] | None:
    """``appcmd list app``: application name (``Default Web Site/Shop``) -> pool; None when it is no such list."""
    found = _list_lines(text, _APP)
    return None if found is None else {m.group(1): m.group(2) for m in found}


def parse_appcmd_wps(text: str) -> list[tuple[int, str]] | None:
    """``appcmd list wp``: (PID, pool) per worker process."""
    found = _list_lines(text, _WP)
    return None if found is None else [(int(m.group(1)), m.group(2)) for m in found]


def parse_appcmd_pools(text: str) -> dict[str, str] | None:
    """``appcmd list apppool``: pool -> state (``Started``, ``Stopped``, ...)."""
    found = _list_lines(text, _POOL)
    if found is None:
        return None
    return {
        m.group(1): dict(f.split(":", 1) for f in m.group(2).split(",") if ":" in f).get("state", "") for m in found
    }


_SITE = re.compile(r'^SITE "([^"]*)" \(id:(\d+)')


def parse_appcmd_sites(text: str) -> dict[str, int] | None:
    """``appcmd list site``: site name -> id (``SITE "Default Web Site" (id:1,bindings:...,state:Started)``)."""
    found = _list_lines(text, _SITE)
    return None if found is None else {m.group(1): int(m.group(2)) for m in found}


_IISAPP = re.compile(r"W3WP\.exe PID:\s*(\d+)\s+AppPoolId:\s*(.+?)\s*$", re.IGNORECASE)


def parse_iisapp_list(text: str) -> list[tuple[int, str]]:
    """``iisapp.vbs`` without arguments: (PID, pool) per w3wp.exe."""
    return [(int(m.group(1)), m.group(2)) for m in (_IISAPP.search(ln) for ln in split_lines(text)) if m]


def parse_app_status(text: str) -> int | None:
    """``adsutil APPGETSTATUS``: 0 stopped, 1 running, 2 not defined (None: no status line)."""
    m = re.search(r"Application Status:\s*(\d+)", text)
    return int(m.group(1)) if m else None


def not_set_here(text: str) -> bool:
    """``adsutil GET`` of a value this key only inherits."""
    return "is not set at this node" in text


#: adsutil ``AppPoolState``: 1 starting, 2 started, 3 stopping, 4 stopped.
POOL_STATES = {1: "Starting", 2: "Started", 3: "Stopping", 4: "Stopped"}


def pool_started(text: str) -> bool:
    """Does the state read of a pool say it is started (appcmd's ``state:Started``, adsutil's ``AppPoolState``
    ``(INTEGER) 2``)?  A pool that is still starting counts as started: it serves the next request."""
    m = re.search(r"state:(\w+)", text)
    if m:
        return m.group(1).lower() in ("started", "starting")
    m = re.search(r"AppPoolState\s*:\s*\(INTEGER\)\s*(\d+)", text)
    return bool(m) and int(m.group(1)) in (1, 2)

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

from .common import ParseError, classify_error, split_lines

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


# The name is between the quotes (appcmd never prints a quote inside one); the attributes are the LAST
# parenthesised group, and a pool name inside it may itself hold parentheses, commas and colons
# (``APP "Web Site (Shop & Co), main/Shop" (applicationPool:Shop (v2): main)``): read up to the line's last ``)``.
_APP = re.compile(r'^APP "([^"]*)" \(applicationPool:(.*)\)\s*$')
_WP = re.compile(r'^WP "(\d+)" \(applicationPool:(.*)\)\s*$')
_POOL = re.compile(r'^APPPOOL "([^"]*)" \((.*)\)\s*$')
# The pool's state is its list's last attribute, a single word (MgdVersion may be empty: ``MgdVersion:,``).
_POOL_STATE = re.compile(r"(?:^|,)state:([A-Za-z]+)$")


def tool_missing(text: str) -> bool:
    """cmd.exe's answer for a program that is not there (not an answer of the program itself)."""
    return classify_error(text) in ("name_not_recognized", "path_not_found")


def _list_lines(text: str, pattern: re.Pattern[str], what: str = "appcmd list") -> list[re.Match[str]] | None:
    """The match of every non-blank line of an appcmd list; None when appcmd is not there (cmd.exe says so).
    Raises ParseError, quoting the line, when appcmd answered with a line that is not such a line (an error
    it printed, or a layout this module cannot read): that is never taken for a missing appcmd."""
    if tool_missing(text):
        return None
    found = []
    for line in split_lines(text):
        if not line.strip():
            continue
        m = pattern.match(line.strip())
        if m is None:
            raise ParseError(f"could not read a line of '{what}': {line.strip()[:300]!r}")
        found.append(m)
    return found


def parse_appcmd_apps(text: str) -> dict[str, str] | None:
    """``appcmd list app``: application name (``Default Web Site/Shop``) -> pool; None when appcmd is not
    there; ParseError for a line it cannot read."""
    found = _list_lines(text, _APP, "appcmd list app")
    return None if found is None else {m.group(1): m.group(2) for m in found}


def parse_appcmd_wps(text: str) -> list[tuple[int, str]] | None:
    """``appcmd list wp``: (PID, pool) per worker process."""
    found = _list_lines(text, _WP, "appcmd list wp")
    return None if found is None else [(int(m.group(1)), m.group(2)) for m in found]


def parse_appcmd_pools(text: str) -> dict[str, str] | None:
    """``appcmd list apppool``: pool -> state (``Started``, ``Stopped``, ...)."""
    found = _list_lines(text, _POOL, "appcmd list apppool")
    if found is None:
        return None
    states = {}
    for m in found:
        state = _POOL_STATE.search(m.group(2))
        states[m.group(1)] = state.group(1) if state else ""
    return states


_SITE = re.compile(r'^SITE "([^"]*)" \(id:(\d+)')


_SITE_BINDINGS = re.compile(r'^SITE "([^"]*)" \(.*?\bbindings:(.*?)(?:,state:[A-Za-z]+)?\)\s*$')


def parse_appcmd_site_bindings(text: str) -> dict[str, str] | None:
    """``appcmd list site``: site name -> its bindings as appcmd prints them (``http/*:8080:,https/*:443:``);
    None when appcmd is not there.  A line without bindings gives an empty string."""
    if tool_missing(text):
        return None
    found = {}
    for line in split_lines(text):
        m = _SITE.match(line.strip())
        if m is None:
            continue
        b = _SITE_BINDINGS.match(line.strip())
        found[m.group(1)] = b.group(2) if b else ""
    return found


def parse_appcmd_sites(text: str) -> dict[str, int] | None:
    """``appcmd list site``: site name -> id (``SITE "Default Web Site" (id:1,bindings:...,state:Started)``)."""
    found = _list_lines(text, _SITE, "appcmd list site")
    return None if found is None else {m.group(1): int(m.group(2)) for m in found}


def parse_appcmd_site_states(text: str) -> dict[str, bool]:
    """``appcmd list site``: site name -> started (``state:Started``) or not (``state:Stopped``); a site whose
    state is neither (``Unknown``, none printed) is left out (review S3)."""
    found: dict[str, bool] = {}
    for line in split_lines(text):
        m = _SITE.match(line.strip())
        word = _SITE_STATE.search(line.strip()) if m else None
        if m and word and word.group(1).lower() in ("started", "stopped"):
            found[m.group(1)] = word.group(1).lower() == "started"
    return found


_SITE_STATE = re.compile(r",state:([A-Za-z]+)\)\s*$")

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


#: appcmd's state words as AppPoolState numbers.
_STATE_WORDS = {"starting": 1, "started": 2, "stopping": 3, "stopped": 4}


def pool_state(text: str) -> int | None:
    """The state a pool's state read printed, as AppPoolState (1 starting, 2 started, 3 stopping, 4 stopped):
    appcmd's ``state:Started`` (the last attribute of its ``APPPOOL`` line) or adsutil's ``AppPoolState :
    (INTEGER) 2``; None when it printed neither."""
    for line in split_lines(text):
        m = _POOL.match(line.strip())
        if m:
            word = _POOL_STATE.search(m.group(2))
            if word:
                return _STATE_WORDS.get(word.group(1).lower())
    m = re.search(r"AppPoolState\s*:\s*\(INTEGER\)\s*(\d+)", text)
    return int(m.group(1)) if m else None


def pool_started(text: str) -> bool:
    """Does the state read of a pool say it is started (appcmd's ``state:Started``, adsutil's ``AppPoolState``
    ``(INTEGER) 2``)?  A pool that is still starting counts as started: it serves the next request."""
    return pool_state(text) in (1, 2)


def pool_stopped_state(value: object) -> bool:
    """A pool state as gathering read it (AppPoolState number from the metabase, or appcmd's word) that says
    the pool is stopped or stopping: an administrator's choice the run must keep."""
    if isinstance(value, str) and not value.strip().isdigit():
        return _STATE_WORDS.get(value.strip().lower()) in (3, 4)
    try:
        return int(str(value).strip()) in (3, 4)
    except ValueError:
        return False

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MTS packages and COM+ applications, and who has the DLL loaded: the questions, the scripts, the answers.

A component installed in a **server** package (NT 4 Option Pack MTS) or server application (COM+, Windows
2000 and later) runs in the package's own process, ``mtx.exe /p:{id}`` or ``dllhost.exe /ProcessID:{id}``:
neither APPUNLOAD nor stopping IIS frees its DLL, but shutting down that one package does.  The catalog is
read through its scripting object (``MTSAdmin.Catalog.1`` / ``COMAdmin.COMAdminCatalog``) by a small VBScript
the module writes beside dest, runs with ``cscript //nologo`` and deletes in the same command line (also in
check mode: the only file a dry run writes, and it is gone when the line ends).

The first line of every script is ``' legacy_iis.iis4 catalog <op>`` and its output is one ``|``-separated
record per line (``parsers.catalog``).  The same step asks ``tlist -m`` and ``tasklist /m`` which processes
have dest loaded (``parsers.holders``); either may be missing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .._cmd.cmdline import CMD_LINE_LIMIT_NT4, build_command, if_exist, marker, quote_arg, redirect, write_lines
from .._cmd.paths import Paths
from ..errors import StepFailed
from .parsers.catalog import CatalogListing, Package, parse_catalog_list
from .parsers.common import section, split_sections
from .parsers.holders import Holder, parse_tasklist_modules, parse_tlist_modules

q = quote_arg

#: The catalogs: scripting object, the process a server package runs in.
CATALOGS = {
    "mts": {"progid": "MTSAdmin.Catalog.1", "image": "mtx.exe", "process": "mtx.exe /p:{id}", "what": "MTS package"},
    "complus": {
        "progid": "COMAdmin.COMAdminCatalog",
        "image": "dllhost.exe",
        "process": "dllhost.exe /ProcessID:{id}",
        "what": "COM+ application",
    },
}
#: IIS 5: the COM+ application whose one dllhost.exe runs every pooled application (AppIsolated 2).
POOLED_APPLICATION = "IIS Out-Of-Process Pooled Applications"
#: MTS 2.0's tool that shuts down every MTS server process (NT 4 Option Pack, default folder).
MTXSTOP = r"C:\Program Files\Mts\mtxstop.exe"
PROGID = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+){1,2}$")
PACKAGE_ID = re.compile(r"^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$")

# The VBScript of each op.  No '%' (cmd would expand it) and no line that starts with On/Off (echo's switch).
_LIST = {
    "mts": [
        "' legacy_iis.iis4 catalog list",
        'Set cat = CreateObject("MTSAdmin.Catalog.1")',
        'Set pkgs = cat.GetCollection("Packages")',
        "pkgs.Populate",
        "For Each p In pkgs",
        'a = "Library" : If p.Value("Activation") = "Local" Then a = "Server"',
        'f = 0 : If p.Value("RunForever") = "Y" Then f = 1',
        'WScript.Echo "PKG|" & p.Key & "|" & p.Name & "|" & a & "|" & f & "|" & p.Value("ShutdownAfter")',
        'Set cs = pkgs.GetCollection("ComponentsInPackage", p.Key)',
        "cs.Populate",
        "For Each c In cs",
        'WScript.Echo "CMP|" & p.Key & "|" & c.Key & "|" & c.Value("ProgID") & "|" & c.Value("DLL")',
        "Next",
        "Next",
    ],
    "complus": [
        "' legacy_iis.iis4 catalog list",
        'Set cat = CreateObject("COMAdmin.COMAdminCatalog")',
        'Set apps = cat.GetCollection("Applications")',
        "apps.Populate",
        "For Each p In apps",
        'a = "Library" : If p.Value("Activation") = 1 Then a = "Server"',
        'f = 0 : If p.Value("RunForever") Then f = 1',
        'WScript.Echo "PKG|" & p.Key & "|" & p.Name & "|" & a & "|" & f & "|" & p.Value("ShutdownAfter")',
        'Set cs = apps.GetCollection("Components", p.Key)',
        "cs.Populate",
        "For Each c In cs",
        'WScript.Echo "CMP|" & p.Key & "|" & c.Key & "|" & c.Value("ProgID") & "|" & c.Value("DLL")',
        "Next",
        "Next",
    ],
}
_SHUTDOWN_CALL = {
    "mts": [
        'Set pkgs = cat.GetCollection("Packages")',
        "Set util = pkgs.GetUtilInterface",
        "util.ShutdownPackage WScript.Arguments(0)",
    ],
    "complus": ["cat.ShutdownApplication WScript.Arguments(0)"],
}


def list_script(kind: str) -> list[str]:
    return list(_LIST[kind])


def shutdown_script(kind: str) -> list[str]:
    """Shut down the package whose id is the first argument; ``SHUTDOWN|{id}|ok`` or ``ERR|<hex>|<text>``."""
    return [
        "' legacy_iis.iis4 catalog shutdown",
        f'Set cat = CreateObject("{CATALOGS[kind]["progid"]}")',
        'If WScript.Arguments.Count = 0 Then WScript.Echo "ERR|80070057|The parameter is incorrect." : WScript.Quit 1',
        "Dim e : On Error Resume Next",
        *_SHUTDOWN_CALL[kind],
        'If Err.Number Then WScript.Echo "ERR|" & Hex(Err.Number) & "|" & Err.Description : WScript.Quit 1',
        'WScript.Echo "SHUTDOWN|" & WScript.Arguments(0) & "|ok"',
    ]


def part_budget(limit: int) -> int:
    """How long one part of a script write may be on a host whose command line takes ``limit`` characters: room
    for the ``cd /d`` prefix, and for the escaping when the part becomes a line of a batch file."""
    return max(160, (limit - 120) // 2)


def start_script(kind: str) -> list[str]:
    """Start a server package by creating one of its components (arguments: package id, ProgID): MTS has no
    StartPackage and COM+ 1.0 no StartApplication, so CreateObject is the way that works on both."""
    return [
        "' legacy_iis.iis4 catalog start",
        f'Set cat = CreateObject("{CATALOGS[kind]["progid"]}")',
        'If WScript.Arguments.Count < 2 Then WScript.Echo "ERR|80070057|The parameter is incorrect." : WScript.Quit 1',
        "Dim e : On Error Resume Next",
        "Set obj = CreateObject(WScript.Arguments(1))",
        'If Err.Number Then WScript.Echo "ERR|" & Hex(Err.Number) & "|" & Err.Description : WScript.Quit 1',
        "Set obj = Nothing",
        'WScript.Echo "STARTED|" & WScript.Arguments(0) & "|ok"',
    ]


def start_parts(kind: str, package: Package, dest: str, script: str, limit: int) -> list[str] | None:
    """The parts that start ``package`` by creating its component from ``dest`` (None: no usable ProgID)."""
    want = normalize(dest)
    progid = next((c.progid for c in package.components if normalize(c.dll) == want and PROGID.match(c.progid)), None)
    if progid is None:
        return None
    return [marker("start"), *run_script(start_script(kind), script, checked_package_id(package), progid, limit=limit)]


def run_script(lines: list[str], script: str, *args: str, limit: int = CMD_LINE_LIMIT_NT4) -> list[str]:
    """Write ``lines`` to ``script``, run it with cscript (stderr merged), delete it."""
    return [
        *write_lines(lines, q(script), part_budget(limit)),
        redirect(build_command("cscript", "//nologo", q(script), *args)),
        redirect(build_command("del", q(script))),
    ]


def holders_parts(dest_name: str) -> list[str]:
    """Which processes have a module named like dest loaded: tlist (NT 4 / 2000) and tasklist (XP on)."""
    name = q(dest_name)
    return [
        marker("tlist"),
        redirect(build_command("tlist", "-m", name)),
        marker("tasklist"),
        redirect(build_command("tasklist", "/m", name, "/fo", "csv", "/nh")),
        marker("holders_end"),
    ]


def catalog_parts(paths: Paths, limit: int = CMD_LINE_LIMIT_NT4) -> list[str]:
    """The catalog step (names relative to dest's folder): list both catalogs (a host has one of them at
    most), whether mtxstop.exe is there, and who holds dest."""
    p = paths.relative()
    parts: list[str] = []
    for kind in CATALOGS:
        parts += [marker(f"catalog_{kind}"), *run_script(list_script(kind), p.catalog_script, limit=limit)]
    parts += [marker("mtxstop"), if_exist(q(MTXSTOP), "echo ##mtxstop")]
    return parts + holders_parts(p.dest_name)


@dataclass(frozen=True)
class CatalogFacts:
    kind: str | None  # "mts", "complus", or None (no catalog object answered)
    packages: tuple[Package, ...]
    error: str | None  # the host has a catalog but its script failed: it cannot say who owns the DLL
    mtxstop: bool
    holders: tuple[Holder, ...] | None  # None: neither tlist nor tasklist is there
    holders_tool: str | None

    def owner(self, dest: str) -> Package | None:
        """The package that registers a component from ``dest`` (the path compared ignoring case)."""
        want = normalize(dest)
        return next((p for p in self.packages if any(normalize(c.dll) == want for c in p.components)), None)

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "error": self.error, "mtxstop": self.mtxstop}


def normalize(path: str) -> str:
    return path.strip().strip('"').replace("/", "\\").lower()


def read_holders(output: str, x64: bool = False) -> tuple[tuple[Holder, ...] | None, str | None]:
    """The processes the holders step named, and the tool that named them; (None, None) when neither tool is there.

    ``x64``: the host may run 64-bit Windows (NT 6.0 and later; 2008 R2 and later are 64-bit only).  Its tasklist
    is then 64-bit and lists only the 64-bit modules of a 32-bit (WOW64) process - the w3wp.exe of a pool running
    32-bit classic ASP components, a 32-bit COM+ application's dllhost.exe - so "no process" from it means
    "unknown", not "none": (None, "tasklist")."""
    s = split_sections(output)
    for tool, parse in (("tasklist", parse_tasklist_modules), ("tlist", parse_tlist_modules)):
        found = parse(section(s, tool)) if tool in s else None
        if found is not None:
            if x64 and tool == "tasklist" and not found:
                return None, tool
            return tuple(found), tool
    return None, None


def may_be_x64(windows_major: int | None) -> bool:
    """Windows NT 6.0 (Vista / 2008) and later may be 64-bit (2008 R2 and later always are)."""
    return windows_major is not None and windows_major >= 6


def catalog_for(windows_major: int | None) -> str:
    """The catalog a Windows version has: MTS on NT 4.0 (Option Pack), COM+ from Windows 2000 (NT 5.0) on.
    COM+ registers ``MTSAdmin.Catalog.1`` too, for MTS scripts ("MTS Administration Library": backward
    compatibility with the MTS 2.0 administration objects), so which script answers does not tell them apart.
    ``None``: ``ver`` printed no version (taken as NT 4.0, like the rest of the module)."""
    return "complus" if windows_major is not None and windows_major >= 5 else "mts"


def read_catalog(output: str, kind: str | None = None, x64: bool = False) -> CatalogFacts:
    """What the catalog step printed (pure).  ``kind``: the catalog the host's Windows version has
    (:func:`catalog_for`); when its object answered, only its listing counts.  Otherwise (no ``kind``, or a
    host whose version's object is missing) the first listing that answers decides."""
    s = split_sections(output)
    listings: dict[str, CatalogListing] = {k: parse_catalog_list(section(s, f"catalog_{k}")) for k in CATALOGS}
    mtxstop = "##mtxstop" in section(s, "mtxstop")
    answered = [k for k, listing in listings.items() if not listing.no_object]
    if kind in answered:
        answered = [kind]  # COM+ answers the MTS script too: the version's catalog is the one that counts
    ok = [k for k in answered if listings[k].ok]
    holders, tool = read_holders(output, x64)
    if ok:
        kind = ok[0]
        return CatalogFacts(kind, listings[kind].packages, None, mtxstop, holders, tool)
    if answered:
        kind = "mts" if mtxstop or len(answered) > 1 else answered[0]
        error = listings[answered[0]].error
        return CatalogFacts(kind, (), f"the catalog script failed: {error}", mtxstop, holders, tool)
    return CatalogFacts(None, (), None, mtxstop, holders, tool)


def gather_catalog(session: Any, paths: Paths, windows_major: int | None = None) -> CatalogFacts:
    """The catalog step; ``windows_major``: the host's Windows major version (``ver``), which decides the
    catalog (:func:`catalog_for`)."""
    res = session.run("catalog", catalog_parts(paths, session.limit), here=True)
    if not res.complete:
        raise StepFailed("catalog", f"the host stopped answering while its catalog was read: {res.error}")
    return read_catalog(res.output, catalog_for(windows_major), may_be_x64(windows_major))


#: Processes of IIS and of the MTS/COM+ packages: stopping IIS, unloading an application or shutting a package
#: down ends them (a package process may also be an isolated application's).
IIS_IMAGES = ("inetinfo.exe", "mtx.exe", "dllhost.exe", "w3wp.exe")
#: What each kind of process is, for a person reading a result.
_ROLES = {
    "inetinfo.exe": "IIS (in-process applications)",
    "mtx.exe": "MTS (an isolated application or a server package)",
    "dllhost.exe": "COM+ (an out-of-process application or a server application)",
    "w3wp.exe": "IIS worker process (an application pool)",
}


def holder_dicts(holders: tuple[Holder, ...] | None) -> list[dict[str, object]] | None:
    if holders is None:
        return None
    return [
        {"pid": h.pid, "image": h.image, "what": _ROLES.get(h.image.lower(), "a program outside IIS")} for h in holders
    ]


def holders_text(holders: tuple[Holder, ...] | None, tool: str | None = None) -> str:
    """``inetinfo.exe (PID 212, IIS ...)``, or why no one can be named (``tool``: the tool that answered, when
    its answer could not name them)."""
    if holders is None and tool == "tasklist":
        return (
            "processes that cannot be named here (tasklist named none, and a 64-bit tasklist does not list the DLLs "
            "of 32-bit processes)"
        )
    if holders is None:
        return (
            "processes that cannot be named here (the host has neither tlist.exe of the Resource Kit nor tasklist.exe)"
        )
    if not holders:
        return "no process has it loaded now"
    return ", ".join(
        f"{h.image} (PID {h.pid}, {_ROLES.get(h.image.lower(), 'a program outside IIS')})" for h in holders
    )


def package_process(kind: str | None, package: Package | None) -> str:
    if kind is None or package is None:
        return "mtx.exe (every MTS server package)"
    return CATALOGS[kind]["process"].format(id=package.id)


def checked_package_id(package: Package) -> str:
    """The package id from the host, before it goes on a command line."""
    if not PACKAGE_ID.match(package.id):
        raise StepFailed(
            "catalog", f"the catalog gave the package {package.name!r} an id that is not a GUID: {package.id!r}"
        )
    return package.id

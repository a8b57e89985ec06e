"""``cscript.exe`` and the adsutil.vbs it runs: the IIS metabase command line of the lab host.

* ``cscript``: the Windows Scripting Host banner of the NT 4.0 Option Pack unless ``//nologo``; runs
  adsutil.vbs when the script path is ``HostConfig.adsutil_path`` (case-insensitive), a catalog script of the
  module/lab contract (:mod:`tests.lab.tools.catalog`) by its first line; any other script
  "runs" and does nothing (the lab has no VBScript engine).
* adsutil.vbs: behaviour and messages of the Microsoft sample script (GET, SET, ENUM, ENUM /P, ENUM_ALL,
  DELETE, CREATE, FIND, APP*); errors on stdout, exit code = the HRESULT (negative) or 2.  Application
  commands go through the machine (``app_create``, ``app_unload``, ...), which ends mtx.exe processes.
  Per-host variations: ``adsutil_enum_all`` / ``adsutil_enum_all_reply`` (what a revision without ENUM_ALL
  answers), ``adsutil_continue_errors`` (keys where ENUM reports an error and goes on), ``adsutil_style``.

Sources are in the facts file (sections 4-6); choices where the facts say "unconfirmed" are listed in
``docs/dev/lab-machine.md``.
"""

from __future__ import annotations

import ntpath
from collections.abc import Callable
from typing import Any

from ..machine.metabase import (
    BOOLEAN,
    E_ACCESS_DENIED,
    E_ADS_BAD_PATHNAME,
    E_ADS_PROPERTY_NOT_FOUND,
    E_ADS_PROPERTY_NOT_SET,
    E_PATH_NOT_FOUND,
    EXPANDSZ,
    INTEGER,
    LIST,
    STRING,
    Key,
    Metabase,
    PropDef,
)
from ..machine.proc_api import ProgramCall
from .catalog import catalog_op, run_catalog_script
from .iis import is_iisapp, run_iisapp
from .paths import resolve
from .winerror import CRLF

# --------------------------------------------------------------------------------------------------
# cscript.exe

WSH_BANNER = (
    "Microsoft (R) Windows Scripting Host Version 5.0 for Windows"
    + CRLF
    + "Copyright (C) Microsoft Corporation 1996-1997. All rights reserved."
    + CRLF
    + CRLF
)


WSH_BANNERS = {
    "w2k": ("Microsoft (R) Windows Script Host Version 5.1 for Windows", "1996-1999"),
    "xp": ("Microsoft (R) Windows Script Host Version 5.6", "1996-2001"),
    "w2k3": ("Microsoft (R) Windows Script Host Version 5.6", "1996-2001"),
    "w2k8r2": ("Microsoft (R) Windows Script Host Version 5.8", "1996-2001"),
    "w2k19": ("Microsoft (R) Windows Script Host Version 5.812", "1996-2006"),
}


def wsh_banner(config: Any) -> str:
    """The logo of the host's cscript (NT 4.0 Option Pack: WSH 1.0 "Version 5.0"; later: the WSH it ships)."""
    found = WSH_BANNERS.get(getattr(config, "kind", "nt4"))
    if found is None:
        return WSH_BANNER
    return f"{found[0]}{CRLF}Copyright (C) Microsoft Corporation {found[1]}. All rights reserved.{CRLF}{CRLF}"


def cscript_program(call: ProgramCall) -> int:
    io = call.io
    machine = call.machine
    nologo = False
    script: str | None = None
    script_args: list[str] = []
    for arg in call.args:
        if script is None and arg.startswith("//"):
            if arg.lower() in ("//nologo", "//b"):
                nologo = True
            continue
        if script is None:
            script = arg
        else:
            script_args.append(arg)
    if not nologo:
        io.out(wsh_banner(machine.config))
    if script is None:
        io.out(
            "Usage: CScript scriptname.extension [option...] [arguments...]"
            + CRLF
            + CRLF
            + "Options:"
            + CRLF
            + " //B         Batch mode: Suppresses script errors and prompts from displaying"
            + CRLF
            + " //Nologo    Prevent logo display: No banner will be shown at execution time"
            + CRLF
        )
        return 1
    full = resolve(script, getattr(call, "cwd", "C:\\"))
    if not machine.fs.is_file(full):
        io.err(f'Input Error: Can not find script file "{full}".{CRLF}')
        return 1
    adsutil = machine.config.adsutil_path
    if adsutil and full.lower() == ntpath.normpath(adsutil).lower():
        return Adsutil(machine, io).run(script_args)
    if is_iisapp(machine, full):
        return run_iisapp(call, script_args)
    text = machine.fs.read(full).decode("cp437", errors="replace")
    op = catalog_op(text)
    if op is not None:  # a catalog script of the module/lab contract (tools/catalog.py)
        return run_catalog_script(call, full, text, op, script_args)
    return 0  # some other script: the lab has no VBScript engine; it "runs" and does nothing


# --------------------------------------------------------------------------------------------------
# adsutil.vbs

SPACER = 32
GENERAL_FAILURE = 2

_ERROR_TEXT = {
    E_PATH_NOT_FOUND: "The path requested could not be found.",
    -2147024891: "Access is denied for the requested path or property.",
    -2147024748: "The requested path is being used by another application.",
}


def _hex32(n: int) -> str:
    return f"{n & 0xFFFFFFFF:X}"


def _sanitize(path: str) -> str:
    path = path.strip(" ").replace("\\", "/")
    if path.startswith("/"):
        path = path[1:]
    if path.endswith("/"):
        path = path[:-1]
    return path


def _split_param(path: str) -> tuple[str, str]:
    """(node path, last segment) the way the script's SplitParam does it."""
    idx = path.rfind("/")
    if idx == -1 or idx == len(path) - 1:
        return "", path
    return path[:idx], path[idx + 1 :]


def _vb(value: Any) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


class _Quit(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class Adsutil:
    """The adsutil.vbs sample script, re-implemented against the lab metabase."""

    def __init__(self, machine: Any, io: Any) -> None:
        self.machine = machine
        self.io = io
        self.mb: Metabase = machine.metabase
        self.style = getattr(machine.config, "adsutil_style", "iis5")
        self.server = "localhost"

    def echo(self, text: str = "") -> None:
        self.io.out(text + CRLF)

    def report(self, hresult: int, description: str | None = None) -> None:
        if description is None:
            description = _ERROR_TEXT.get(hresult, "")
        self.echo(description)
        self.echo(f"ErrNumber: {hresult} (0x{_hex32(hresult)})")

    def fail(self, hresult: int, line: str, description: str | None = None, blank_first: bool = False) -> None:
        if blank_first:
            self.echo()
        self.report(hresult, description)
        self.echo(line)
        raise _Quit(hresult)

    # ------------------------------------------------------------------------------------------------

    def run(self, argv: list[str]) -> int:
        args: list[str] = []
        for a in argv:
            if a[:3].lower() == "-s:":
                self.server = a[3:]
            else:
                args.append(a)
        if not args:
            self.help()
            return GENERAL_FAILURE
        self.args = args
        command = args[0].upper()
        table: dict[str, Callable[[], int]] = {
            "GET": self.get,
            "SET": self.set,
            "ENUM": lambda: self.enum(False),
            "DELETE": self.delete,
            "CREATE": lambda: self.create("IIsObject"),
            "CREATE_VDIR": lambda: self.create("IIsWebVirtualDir"),
            "CREATE_VSERV": lambda: self.create("IIsWebServer"),
            "FIND": self.find,
            "APPCREATEINPROC": lambda: self.app_create(0),
            "APPCREATEOUTPROC": lambda: self.app_create(1),
            "APPDELETE": self.app_delete,
            "APPUNLOAD": self.app_unload,
            "APPGETSTATUS": self.app_status,
        }
        if self.mb.iis >= 5:
            table["APPCREATEPOOLPROC"] = lambda: self.app_create(2)
        if self.machine.config.adsutil_enum_all:
            table["ENUM_ALL"] = lambda: self.enum(True)
            table["ENUMALL"] = lambda: self.enum(True)
        handler = table.get(command)
        if handler is None and command in ("ENUM_ALL", "ENUMALL"):
            handler = self.no_enum_all
        try:
            with self.machine.lock:
                if handler is None:
                    self.echo(f"Command not recognized: {args[0]}")
                    self.echo('For help, just type "Cscript.exe adsutil.vbs".')
                    return GENERAL_FAILURE
                return handler()
        except _Quit as q:
            return q.code

    def no_enum_all(self) -> int:
        """ENUM_ALL on a revision without it (``HostConfig.adsutil_enum_all_reply``): the 7/24/97 script's
        ``Command not recognized`` (facts 4.2), or - documented choices - its usage text, or nothing."""
        reply = getattr(self.machine.config, "adsutil_enum_all_reply", "not_recognized")
        if reply == "usage":
            self.help()
            return 0
        if reply == "silent":
            return 0
        self.echo(f"Command not recognized: {self.args[0]}")
        self.echo('For help, just type "Cscript.exe adsutil.vbs".')
        return GENERAL_FAILURE

    def help(self) -> None:
        for line in (
            "",
            "Usage:",
            "      ADSUTIL.VBS <cmd> [<path> [<value>]]",
            "",
            "Description:",
            "IIS K2 administration utility that enables the manipulation with ADSI parameters",
            "",
            "Supported Commands:",
            "  GET, SET, ENUM, DELETE, CREATE, COPY, ",
            "  APPCREATEINPROC, APPCREATEOUTPROC, APPDELETE, APPUNLOAD, APPGETSTATUS ",
            "",
            "Samples:",
            "  adsutil.vbs GET W3SVC/1/ServerBindings",
            '  adsutil.vbs SET W3SVC/1/ServerBindings ":81:"',
            '  adsutil.vbs CREATE W3SVC/1/Root/MyVdir "IIsWebVirtualDir"',
            "  adsutil.vbs START_SERVER W3SVC/1",
            "  adsutil.vbs ENUM /P W3SVC",
        ):
            self.echo(line)

    def need(self, count: int, name: str, exact: bool = True) -> None:
        n = len(self.args)
        if (exact and n != count) or (not exact and n < count):
            self.echo(f"Error: Wrong number of Args for the {name} command")
            raise _Quit(GENERAL_FAILURE)

    def key(self, path: str) -> Key | None:
        return self.mb.resolve(path)

    # ------------------------------------------------------------------------------------------------
    # formatting

    def line(self, pdef: PropDef, value: Any, mode: str) -> list[str]:
        """Output lines for one property.  ``mode``: "get" | "set" | "enum"."""
        name = pdef.name
        if self.style == "iis4":
            head = f"{name:<22}:" if len(name) < 22 else f"{name}:"
            kind = f"({pdef.vb_type})"
            kind = kind + " " * max(1, 10 - len(kind))
            if pdef.syntax == LIST:
                return [head + kind + " ".join(f'"{v}"' for v in value)]
            if pdef.syntax in (STRING, EXPANDSZ):
                return [f'{head}{kind}"{value}"']
            return [head + kind + _vb(value)]
        pad = name + " " * (SPACER - len(name)) if len(name) < SPACER else name
        syntax = pdef.syntax
        if syntax == LIST:
            if mode == "set":
                return [f"{pad}: ({syntax}) " + "".join(f'"{v}" ' for v in value)]
            count = f" ({len(value)} Items)" if mode == "get" else f"({len(value)} Items)"
            lines = [f"{pad}: ({syntax}) {count}"] + [f'  "{v}"' for v in value]
            if mode == "enum":
                lines.append("")
            return lines
        if syntax == STRING or (syntax == EXPANDSZ and mode == "enum"):
            if pdef.secure and mode == "enum":
                return [f'{pad} : ({syntax})"**********"']
            shown = "**********" if pdef.secure else value
            return [f'{pad}: ({syntax}) "{shown}"']
        return [f"{pad}: ({syntax}) {_vb(value)}"]

    # ------------------------------------------------------------------------------------------------
    # GET / SET / ENUM / DELETE / CREATE / FIND

    def get(self) -> int:
        self.need(2, "GET")
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To GET the Object (GetObject Failed): {node_path}")
        pdef = self.mb.schema(prop)
        if pdef is None:
            self.fail(
                E_ADS_BAD_PATHNAME, f"Error Trying To GET the Schema of the property: IIS://{self.server}/Schema/{prop}"
            )
        if not self.mb.allowed(key, pdef.name):
            self.report(E_ADS_PROPERTY_NOT_FOUND)
            self.echo(f"Error Trying To GET the property: (Get Method Failed) {prop}")
            self.echo("  (This property is probably not allowed at this node)")
            raise _Quit(E_ADS_PROPERTY_NOT_FOUND)
        if not self.mb.is_stored(key, pdef.name):
            self.echo(f'The parameter "{prop}" is not set at this node.')
            raise _Quit(E_ADS_PROPERTY_NOT_SET)
        display = PropDef(prop, pdef.syntax, pdef.inherit, pdef.secure, pdef.flag_of)
        for text in self.line(display, self.mb.stored(key, pdef.name), "get"):
            self.echo(text)
        return 0

    def set(self) -> int:
        self.need(3, "SET", exact=False)
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To Get the Object: {node_path}")
        pdef = self.mb.schema(prop)
        if pdef is None:
            self.fail(
                E_ADS_BAD_PATHNAME, f"Error Trying To GET the Schema of the property: IIS://{self.server}/Schema/{prop}"
            )
        raw = self.args[2]
        value: Any
        try:
            if pdef.syntax == INTEGER:
                value = int(raw[2:], 16) if raw[:2].lower() in ("0x", "&h") else int(raw)
            elif pdef.syntax == BOOLEAN:
                low = raw.strip().lower()
                value = low == "true" if low in ("true", "false") else int(low) != 0
            elif pdef.syntax == LIST:
                value = list(self.args[2:])
            else:
                value = raw
        except ValueError:
            self.fail(13, f"Error Trying To SET the Property: {prop}", "Type mismatch")
        if not self.mb.allowed(key, pdef.name):
            self.fail(E_ADS_PROPERTY_NOT_FOUND, f"Error Trying To SET the Property: {prop}")
        self.mb.set(key, pdef.name, value)
        hook = getattr(self.machine, "metabase_changed", None)
        if callable(hook):
            hook(key, pdef.name, value)
        display = PropDef(prop, pdef.syntax, pdef.inherit, pdef.secure, pdef.flag_of)
        for text in self.line(display, value, "set"):
            self.echo(text)
        return 0

    def enum(self, recurse: bool) -> int:
        args = self.args
        paths_only = False
        if len(args) == 1:
            path = ""
        elif len(args) == 2:
            if args[1].upper() == "/P":
                path, paths_only = "", True
            else:
                path = args[1]
        elif len(args) == 3:
            if args[1].upper() == "/P":
                path, paths_only = args[2], True
            elif args[2].upper() == "/P":
                path, paths_only = args[1], True
            else:
                self.echo("Error: Invalid arguments for the ENUM command")
                raise _Quit(GENERAL_FAILURE)
        else:
            self.echo("Error: Wrong number of Args for the ENUM command")
            raise _Quit(GENERAL_FAILURE)
        self._enum(_sanitize(path), paths_only, recurse)
        return 0

    def _enum(self, path: str, paths_only: bool, recurse: bool) -> None:
        key = self.key(path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error Trying To ENUM the Object (GetObject Failed): {path}", blank_first=True)
        if not paths_only:
            failing = self._continue_error_at(key)
            for index, (pdef, value) in enumerate(self.mb.stored_props(key)):
                if (failing == "first" and index == 1) or (failing == "secure" and pdef.secure):
                    self.report(E_ACCESS_DENIED)  # reading one property failed; the script goes on
                    self.echo("Continuing...")
                    failing = ""
                    if pdef.secure:
                        continue
                for text in self.line(pdef, value, "enum"):
                    self.echo(text)
            if failing:
                self.report(E_ACCESS_DENIED)
                self.echo("Continuing...")
        for child in list(key.children):
            child_path = f"{path}/{child.name}" if path else child.name
            self.echo(f"[/{child_path}]")
            if recurse:
                self._enum(child_path, paths_only, recurse)
        self.echo("")

    def _continue_error_at(self, key: Key) -> str:
        """ "" unless ``key`` is in ``HostConfig.adsutil_continue_errors``; then "secure" when the key stores a
        secure property (that one fails to read and is left out), else "first" (an error after KeyType)."""
        wanted = {"/".join(Metabase.split(p)).lower() for p in self.machine.config.adsutil_continue_errors or ()}
        if "/".join(Metabase.split(key.path)).lower() not in wanted:
            return ""
        return "secure" if any(p.secure for p, _v in self.mb.stored_props(key)) else "first"

    def delete(self) -> int:
        self.need(2, "DELETE")
        raw = self.args[1]
        path_only = raw.endswith("/")
        node_path, prop = _split_param(_sanitize(raw))
        key = self.key(node_path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error deleting the object: {node_path}/{prop}", blank_first=True)
        if not path_only and self.mb.schema(prop) is not None and self.mb.allowed(key, prop):
            self.mb.clear(key, prop)
            self.echo(f'deleted property "{prop}"')
            return 0
        child = key.child(prop)
        if child is None:
            self.fail(E_PATH_NOT_FOUND, f"Error deleting the object: {node_path}/{prop}", blank_first=True)
        self.mb.delete_key(child)
        self.echo(f'deleted path "{node_path}/{prop}"')
        return 0

    def create(self, default_type: str) -> int:
        if len(self.args) == 2:
            keytype = default_type
        elif len(self.args) == 3:
            keytype = self.args[2]
        else:
            self.echo("Error: Wrong number of Args for the CREATE command")
            self.help()
            raise _Quit(GENERAL_FAILURE)
        path = _sanitize(self.args[1])
        if self.key(path) is not None:
            self.fail(-2147024713, f"Error creating the object: {path}", "", blank_first=True)
        parent_path, _name = _split_param(path)
        result = 0
        parent_missing = bool(parent_path) and self.key(parent_path) is None
        self.mb.create(path, keytype)
        if parent_missing:
            self.echo()
            self.echo(f"WARNING: The parent path ({parent_path}) was not already created.")
            self.echo("    This means that some of the intermediate objects will not have an accurate")
            self.echo("    Object Type. You should fix this by setting the KeyType on the intermediate")
            self.echo("    objects.")
            self.echo()
            result = 1
        if keytype.upper() == "IISOBJECT":
            self.echo()
            self.echo("WARNING: The Object Type of this object was not specified or was specified as")
            self.echo("    IIsObject.  This means that you will not be able to set or get properties")
            self.echo("    on the object until the KeyType property is set.")
            self.echo()
            result = 1
        self.echo(f'created "{path}"')
        return result

    def find(self) -> int:
        self.need(2, "FIND_DATA")
        node_path, prop = _split_param(_sanitize(self.args[1]))
        key = self.key(node_path)
        if key is None:
            self.fail(
                E_PATH_NOT_FOUND, f"Error trying to find data paths for the Object (GetObject Failed): {node_path}"
            )
        found = self.mb.data_paths(key, prop)
        if not found:
            self.echo(f"Property {prop} was not found at any node beneath {node_path}")
            return 0
        self.echo(f"Property {prop} found at:")
        for k in found:
            self.echo("  " + k.path[len("/LM/") :])
        return 0

    # ------------------------------------------------------------------------------------------------
    # applications

    def _app_key(self, name: str) -> tuple[str, Key]:
        """(the metabase path as typed, ``/LM/...``; the key).  The typed spelling matters: AppCreate stores it
        as AppRoot and AppUnload compares it with the stored AppRoot case-sensitively (KB Q246111)."""
        self.need(2, name)
        path = _sanitize(self.args[1])
        key = self.key(path)
        if key is None:
            self.fail(E_PATH_NOT_FOUND, f"Error trying to get the path of the application: {path}")
        return "/LM/" + "/".join(Metabase.split(path)), key

    def app_create(self, isolation: int) -> int:
        path, key = self._app_key("APPCREATE")
        self.machine.app_create(key, isolation, path)
        self.echo("Application Created.")
        return 0

    def app_delete(self) -> int:
        path, key = self._app_key("APPDELETE")
        self.machine.app_delete(key)
        self.echo("Application Deleted.")
        return 0

    def app_unload(self) -> int:
        path, key = self._app_key("APPUNLOAD")
        self.machine.app_unload(key, path)
        self.echo("Application Unloaded.")
        return 0

    def app_status(self) -> int:
        path, key = self._app_key("APPGETSTATUS")
        self.echo(f"Application Status: {self.machine.app_status(key)}")
        return 0

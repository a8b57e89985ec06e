"""Catalog scripts run by cscript, and ``mtxstop.exe``: the MTS / COM+ catalog as a command line sees it.

The lab has no VBScript engine, so the module and the lab share a contract (``docs/dev/lab-machine.md``,
"MTS packages and COM+ applications", a choice): a script whose first line is
``' legacy_iis.iis4 catalog <op>`` does what the module's script for ``<op>`` does on a real host:

* ``list``: ``PKG|{id}|<name>|<Server|Library>|<RunForever 0/1>|<ShutdownAfter>`` per package, each followed by
  ``CMP|{package id}|{clsid}|<progid>|<dll>`` per component; exit 0;
* ``shutdown`` with the package id as the first script argument: ``SHUTDOWN|{id}|ok`` exit 0, or
  ``ERR|<hex>|<description>`` exit 1 (no such package, shutdown refused, no id);
* ``start`` with the package id and the ProgID of one of its components: the component is created, so the
  package's process starts and maps its DLL: ``STARTED|{id}|ok`` exit 0, or ``ERR|<hex>|<description>`` exit 1.

The first ``CreateObject("<progid>")`` of the script names the catalog object; a host without that object
(``HostConfig.catalog``; a COM+ host also has MTS's ``MTSAdmin.Catalog.1``) stops the script there with WSH's
runtime error line on stderr, exit 1.
``Faults.catalog_script_error`` stops every catalog script with a runtime error on its last line.
"""

from __future__ import annotations

import re
from typing import Any

from ..machine.catalog import SHUTDOWN_MISSING, SHUTDOWN_OK, SHUTDOWN_REFUSED
from ..machine.proc_api import ProgramCall
from ..machine.processes import LoadError
from .winerror import CRLF

MARKER = "' legacy_iis.iis4 catalog "
_CREATE = re.compile(r'CreateObject\s*\(\s*"([^"]*)"', re.IGNORECASE)
E_OBJECT_DOES_NOT_EXIST = "80110809"  # COMADMIN_E_OBJECT_DOES_NOT_EXIST (also used for MTS: a choice)
E_ACCESSDENIED = "80070005"
E_INVALIDARG = "80070057"
RUNTIME = "Microsoft VBScript runtime error: "


def catalog_op(text: str) -> str | None:
    """The op of a catalog script (``list``, ``shutdown``, ...), None for any other script."""
    first = text.split("\n", 1)[0].strip()
    if not first.lower().startswith(MARKER.strip().lower() + " "):
        return None
    return first[len(MARKER) :].strip().split(" ")[0].lower()


def _runtime_error(call: ProgramCall, script: str, line: int, col: int, message: str) -> int:
    call.io.err(f"{script}({line}, {col}) {RUNTIME}{message}{CRLF}")
    return 1


def run_catalog_script(call: ProgramCall, script: str, text: str, op: str, args: list[str]) -> int:
    machine: Any = call.machine
    catalog = machine.catalog
    lines = text.replace("\r\n", "\n").split("\n")
    if machine.config.faults.catalog_script_error:
        machine.log.add(machine.config.name, "fault", fault="catalog_script_error", script=script)
        last = max((i for i, ln in enumerate(lines) if ln.strip()), default=0) + 1
        return _runtime_error(call, script, last, 1, "Invalid procedure call or argument")
    wanted, where = None, (1, 1)
    for number, line in enumerate(lines, 1):
        match = _CREATE.search(line)
        if match:
            wanted, where = match.group(1), (number, len(line) - len(line.lstrip()) + 1)
            break
    if wanted is None:
        wanted = catalog.progid or "MTSAdmin.Catalog.1"
    if wanted.lower() not in (p.lower() for p in catalog.progids):
        return _runtime_error(call, script, *where, f"ActiveX component can't create object: '{wanted}'")
    if op == "list":
        return _list(call, catalog)
    if op == "shutdown":
        return _shutdown(call, catalog, args)
    if op == "start":
        return _start(call, catalog, args)
    return _runtime_error(call, script, 1, 1, "Invalid procedure call or argument")


def _list(call: ProgramCall, catalog: Any) -> int:
    for pkg in catalog.packages:
        activation = "Server" if pkg.activation == "server" else "Library"
        call.io.out(f"PKG|{pkg.id}|{pkg.name}|{activation}|{int(pkg.run_forever)}|{pkg.shutdown_after}{CRLF}")
        for comp in pkg.components:
            call.io.out(f"CMP|{pkg.id}|{comp.clsid}|{comp.progid}|{comp.dll}{CRLF}")
    return 0


def _shutdown(call: ProgramCall, catalog: Any, args: list[str]) -> int:
    if not args:
        call.io.out(f"ERR|{E_INVALIDARG}|The parameter is incorrect.{CRLF}")
        return 1
    package_id = args[0]
    result = catalog.shutdown(package_id)
    if result == SHUTDOWN_OK:
        call.io.out(f"SHUTDOWN|{package_id}|ok{CRLF}")
        return 0
    if result == SHUTDOWN_REFUSED:
        call.io.out(f"ERR|{E_ACCESSDENIED}|Access is denied.{CRLF}")
        return 1
    assert result == SHUTDOWN_MISSING
    call.io.out(f"ERR|{E_OBJECT_DOES_NOT_EXIST}|The object does not exist in the catalog.{CRLF}")
    return 1


# CreateObject of a ProgID the host does not know: VBScript's Err holds its own runtime error 429 (Hex "1AD"), not
# the COM HRESULT behind it (what Wine's VBScript engine prints for the module's script: tests/unit/conformance).
E_CREATE_OBJECT = "1AD"
CREATE_OBJECT_TEXT = "ActiveX component can't create object"
E_MOD_NOT_FOUND = "8007007E"


def _start(call: ProgramCall, catalog: Any, args: list[str]) -> int:
    """CreateObject of one of the package's components: the package's process starts and maps the DLL."""
    if len(args) < 2:
        call.io.out(f"ERR|{E_INVALIDARG}|The parameter is incorrect.{CRLF}")
        return 1
    package = catalog.find(args[0])
    if package is None:
        call.io.out(f"ERR|{E_OBJECT_DOES_NOT_EXIST}|The object does not exist in the catalog.{CRLF}")
        return 1
    if package.activation != "server":
        call.io.out(f"ERR|{E_INVALIDARG}|The parameter is incorrect.{CRLF}")
        return 1
    comp = next((c for c in package.components if c.progid.lower() == args[1].lower()), None)
    if comp is None:
        call.io.out(f"ERR|{E_CREATE_OBJECT}|{CREATE_OBJECT_TEXT}{CRLF}")
        return 1
    machine: Any = call.machine
    try:
        with machine.lock:
            machine.processes.load(catalog.process_for(comp.dll), comp.dll)
    except LoadError:
        machine.processes.end_package(package.id)
        call.io.out(f"ERR|{E_MOD_NOT_FOUND}|The specified module could not be found.{CRLF}")
        return 1
    call.io.out(f"STARTED|{package.id}|ok{CRLF}")
    return 0


def mtxstop_program(call: ProgramCall) -> int:
    """``mtxstop.exe`` (MTS 2.0): shuts down every MTS server package process; silent, exit 0 (a choice)."""
    call.machine.catalog.shutdown_all()
    return 0

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the module's catalog scripts print (MTS ``MTSAdmin.Catalog.1`` on NT 4, COM+ ``COMAdmin.COMAdminCatalog``
from Windows 2000 on), run with ``cscript //nologo``.

The scripts (``catalog.py``) print one record per line, fields separated by ``|``:

* ``PKG|{id}|<name>|Server or Library|<RunForever 0/1>|<ShutdownAfter minutes>``, each followed by
* ``CMP|{package id}|{clsid}|<progid>|<dll path as registered>``;
* ``SHUTDOWN|{id}|ok`` after a package shut down, ``ERR|<hex code>|<description>`` when the catalog refused.

When cscript cannot run the script's VBScript, WSH prints its own line on stderr (merged with ``2>&1``):
``<script>(<line>, <column>) Microsoft VBScript runtime error: <description>``, e.g. ``ActiveX component
can't create object: 'MTSAdmin.Catalog.1'`` on a host without that catalog.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import classify_error, split_lines

_WSH_ERROR = re.compile(r"\((\d+), (\d+)\) (Microsoft VBScript [a-z ]*error|[A-Za-z ]*error): (.*)$", re.IGNORECASE)
NO_OBJECT = "ActiveX component can't create object"


@dataclass(frozen=True)
class Component:
    clsid: str
    progid: str
    dll: str


@dataclass(frozen=True)
class Package:
    id: str
    name: str
    server: bool  # activation: its own process (server package / application) or the caller's (library)
    run_forever: bool
    shutdown_after: int | None  # minutes idle before the process ends
    components: tuple[Component, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "activation": "server" if self.server else "library",
            "run_forever": self.run_forever,
            "shutdown_after": self.shutdown_after,
        }


@dataclass(frozen=True)
class CatalogListing:
    """The packages a list script printed; ``error`` when the script did not run to its end, ``no_object``
    when the host does not have the catalog object the script asked for (another catalog, or none)."""

    packages: tuple[Package, ...]
    error: str | None = None
    no_object: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def wsh_error(text: str) -> str | None:
    """The description of a WSH / VBScript error line, or of a system error cscript printed (None: none)."""
    for line in split_lines(text):
        m = _WSH_ERROR.search(line)
        if m:
            return m.group(4).strip()
        low = line.strip().lower()
        if low.startswith(("input error:", "cscript error:", "windows script host")):
            return line.strip()
    kind = classify_error(text)
    if kind is not None:
        return next((ln.strip() for ln in split_lines(text) if ln.strip()), kind)
    return None


def _int(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def parse_catalog_list(text: str) -> CatalogListing:
    """The ``PKG``/``CMP`` lines of a list script, in the catalog's order."""
    packages: list[Package] = []
    components: dict[str, list[Component]] = {}
    for line in split_lines(text):
        fields = line.strip().split("|")
        if fields[0] == "PKG" and len(fields) >= 6:
            packages.append(
                Package(
                    id=fields[1].strip(),
                    name=fields[2].strip(),
                    server=fields[3].strip().lower() == "server",
                    run_forever=fields[4].strip() in ("1", "-1", "Y", "True"),
                    shutdown_after=_int(fields[5]),
                )
            )
        elif fields[0] == "CMP" and len(fields) >= 5:
            dll = "|".join(fields[4:]).strip()
            components.setdefault(fields[1].strip().upper(), []).append(
                Component(clsid=fields[2].strip(), progid=fields[3].strip(), dll=dll)
            )
    packages = [
        Package(p.id, p.name, p.server, p.run_forever, p.shutdown_after, tuple(components.get(p.id.upper(), ())))
        for p in packages
    ]
    error = wsh_error(text)
    return CatalogListing(tuple(packages), error, no_object=bool(error and error.startswith(NO_OBJECT)))


@dataclass(frozen=True)
class ScriptAnswer:
    ok: bool
    code: str | None = None  # the HRESULT in hex when the catalog refused
    message: str = ""


def parse_answer(text: str, verb: str = "SHUTDOWN") -> ScriptAnswer:
    """What a shutdown (or start: ``verb`` STARTED) script printed: ``SHUTDOWN|{id}|ok``, ``ERR|<hex>|<text>``,
    or a WSH error."""
    for line in split_lines(text):
        fields = line.strip().split("|")
        if fields[0] == verb and len(fields) >= 3 and fields[2].strip().lower() == "ok":
            return ScriptAnswer(True)
        if fields[0] == "ERR" and len(fields) >= 3:
            return ScriptAnswer(False, fields[1].strip().upper(), "|".join(fields[2:]).strip())
    said = wsh_error(text) or " ".join(text.split())[:200] or f"the {verb.lower()} script printed nothing"
    return ScriptAnswer(False, None, said)

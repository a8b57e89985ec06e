"""A second, independent implementation as an oracle (issue 24): Wine's VBScript engine (its cscript) runs the
catalog scripts the module writes on the host (MTS / COM+: list, shutdown, start; ``catalog.py``).

The lab never runs them: it recognises them by their first line and answers as the script would
(``tests/lab/tools/catalog.py``).  Here a real VBScript engine compiles and runs each one:

* **Compiles**: a first line ``WScript.Echo "compiled"`` is printed only when the whole file compiled (VBScript
  compiles a file before it runs its first statement), so a syntax error anywhere fails the test; a deliberately
  broken copy of each script shows that the oracle catches one.
* **Runs against a stand-in catalog**: Wine has no MTS / COM+ catalog object, so in the test's copy of a script
  the catalog's ``CreateObject("<progid>")`` becomes ``StandInCatalog()``, a function of VBScript classes
  appended to the script (:func:`stand_in`) that implement what the scripts call (``GetCollection``,
  ``Populate``, ``Key``, ``Name``, ``Value``, ``GetUtilInterface``, ``ShutdownPackage``, ``ShutdownApplication``)
  over a package list given here.  Every other line runs as the module wrote it but one: VBScript cannot
  enumerate an instance of a VBScript class (no ``_NewEnum``, on Windows too), so ``For Each x In coll``
  becomes ``For Each x In coll.Members``.  A collection is empty until ``Populate`` is called, as a real
  catalog collection is.  What the script printed must read back, through the module's parser, as the package
  list the stand-in was given: names with ``{ } / , ( ) &``, an empty catalog, a package that is missing
  (``ERR|<hex>|...`` and exit code 1).

Where Wine differs from Windows (found while writing these tests, Wine 8.0):

* Wine has no MTS / COM+ catalog object (hence the stand-in).
* Wine's cscript reports neither compilation nor runtime errors on the console and exits 0 after one (Windows'
  cscript prints ``<script>(line, col) Microsoft VBScript compilation error: ...`` and exits 1); hence the
  marker line, and the stand-in's ``Populate`` check prints what it found instead of raising.
* Wine's VBScript does not compile a class member declaration naming several members (``Public a, b``), which
  Windows' does; the stand-in declares one per line.  The module's scripts have no classes.

Found by this oracle: an unregistered ProgID in the start script gives ``Err.Number`` 429 (``Hex``: ``1AD``,
"ActiveX component can't create object"), as VBScript does on Windows; the lab answered ``800401F3`` (the
HRESULT, not what VBScript's ``Err`` holds) until it was changed to print what the engine prints.

Without Wine (the Debian package ``wine``) these tests are skipped.
"""

from __future__ import annotations

import re
import uuid

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host import catalog
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.catalog import (
    Component,
    Package,
    parse_answer,
    parse_catalog_list,
)

from .wine import Prefix, needs_wine

pytestmark = needs_wine

PACKAGE = "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E6F1}"
SCRIPTS = [
    (kind, name, lines, args)
    for kind in ("mts", "complus")
    for name, lines, args in (
        ("list", catalog.list_script(kind), ()),
        ("shutdown", catalog.shutdown_script(kind), (PACKAGE,)),
        ("start", catalog.start_script(kind), (PACKAGE, "ShopCart.Cart")),
    )
]
IDS = [f"{kind}-{name}" for kind, name, _lines, _args in SCRIPTS]
MARK = 'WScript.Echo "compiled"'
KINDS = ("mts", "complus")

#: A catalog with the punctuation a package name or a DLL path may hold.
PACKAGES = (
    Package(
        id=PACKAGE,
        name="Shop {Cart} / Orders, (EU) & Co",
        server=True,
        run_forever=False,
        shutdown_after=3,
        components=(
            Component("{0A1B2C3D-0000-4000-8000-000000000001}", "ShopCart.Cart", r"C:\InetPub\shop\bin\ShopCart.dll"),
            Component(
                "{0A1B2C3D-0000-4000-8000-000000000002}", "Shop.Order", r"C:\Program Files\Shop (x86)\a&b, {c}.dll"
            ),
        ),
    ),
    Package(
        id="{7C9D2E41-1A2B-4C3D-8E9F-0A1B2C3D4E5F}",
        name="Library, Tools & More",
        server=False,
        run_forever=True,
        shutdown_after=0,
        components=(),
    ),
)


def _vbs(text: str) -> str:
    """A VBScript string literal."""
    return '"' + text.replace('"', '""') + '"'


def _values(kind: str, package: Package) -> str:
    if kind == "mts":  # MTS: Activation "Local" (server) / "Inproc" (library), RunForever "Y" / "N"
        pairs = [
            ("Activation", _vbs("Local" if package.server else "Inproc")),
            ("RunForever", _vbs("YN"[0 if package.run_forever else 1])),
        ]
    else:  # COM+: Activation 1 (server) / 0 (library), RunForever a Boolean
        pairs = [
            ("Activation", "1" if package.server else "0"),
            ("RunForever", "True" if package.run_forever else "False"),
        ]
    pairs.append(("ShutdownAfter", str(package.shutdown_after)))
    return "Array(" + ", ".join(f"{_vbs(k)}, {v}" for k, v in pairs) + ")"


def stand_in(kind: str, packages: tuple[Package, ...]) -> list[str]:
    """VBScript classes standing in for the catalog object of ``kind``, holding ``packages``."""
    top_collection = "Packages" if kind == "mts" else "Applications"
    child_collection = "ComponentsInPackage" if kind == "mts" else "Components"
    build = []
    for i, p in enumerate(packages):
        build.append(f"Set comps{i} = New StandInCollection")
        members = []
        for j, c in enumerate(p.components):
            build.append(
                f"Set c{i}_{j} = New StandInObject : c{i}_{j}.Init {_vbs(c.clsid)}, {_vbs(c.progid)}, "
                f'Array("ProgID", {_vbs(c.progid)}, "DLL", {_vbs(c.dll)}), Nothing'
            )
            members.append(f"c{i}_{j}")
        build.append(f"comps{i}.Init Array({', '.join(members)})")
        build.append(
            f"Set p{i} = New StandInObject : p{i}.Init {_vbs(p.id)}, {_vbs(p.name)}, {_values(kind, p)}, comps{i}"
        )
    top = ", ".join(f"p{i}" for i in range(len(packages)))
    return [
        "Function StandInCatalog()",
        *build,
        "Set top = New StandInCollection : top.Init Array(" + top + ")",
        "Set StandInCatalog = New StandInCatalogObject : StandInCatalog.Init top",
        "End Function",
        "Sub StandInRefuse(id)",
        '  Err.Raise &H80110809, "StandIn", "The object does not exist in the catalog."',
        "End Sub",
        "Class StandInCatalogObject",
        "  Private top",
        "  Sub Init(t) : Set top = t : End Sub",
        "  Function GetCollection(name)",
        f'    If name <> "{top_collection}" Then WScript.Echo "STANDIN|no collection " & name',
        "    Set GetCollection = top.Fresh()",
        "  End Function",
        "  Sub ShutdownApplication(id)",
        "    If top.Find(id) Is Nothing Then StandInRefuse id",
        "  End Sub",
        "End Class",
        "Class StandInCollection",
        "  Private items",
        "  Private populated",
        "  Sub Init(a) : items = a : populated = False : End Sub",
        "  Function Fresh() : Set Fresh = New StandInCollection : Fresh.Init items : End Function",
        "  Sub Populate() : populated = True : End Sub",
        "  Property Get Members()",
        '    If populated Then Members = items Else Members = Array() : WScript.Echo "STANDIN|not populated"',
        "  End Property",
        "  Property Get Count() : Count = UBound(Members) + 1 : End Property",
        "  Function Find(id)",
        "    Set Find = Nothing",
        "    For Each o In items",
        "      If UCase(o.Key) = UCase(id) Then Set Find = o",
        "    Next",
        "  End Function",
        "  Function GetCollection(name, key)",
        f'    If name <> "{child_collection}" Then WScript.Echo "STANDIN|no collection " & name',
        "    Set GetCollection = Find(key).Children.Fresh()",
        "  End Function",
        "  Function GetUtilInterface()",
        "    Set GetUtilInterface = New StandInUtil : GetUtilInterface.Init Me",
        "  End Function",
        "End Class",
        "Class StandInUtil",
        "  Private owner",
        "  Sub Init(o) : Set owner = o : End Sub",
        "  Sub ShutdownPackage(id)",
        "    If owner.Find(id) Is Nothing Then StandInRefuse id",
        "  End Sub",
        "End Class",
        "Class StandInObject",
        "  Public Key",
        "  Public Name",
        "  Public Children",
        "  Private pairs",
        "  Sub Init(k, n, v, c) : Key = k : Name = n : pairs = v : Set Children = c : End Sub",
        "  Function Value(field)",
        "    found = False",
        "    For i = 0 To UBound(pairs) Step 2",
        "      If pairs(i) = field Then Value = pairs(i + 1) : found = True",
        "    Next",
        '    If Not found Then WScript.Echo "STANDIN|no field " & field',
        "  End Function",
        "End Class",
    ]


_FOR_EACH = re.compile(r"^For Each (\w+) In (\w+)$")


def with_stand_in(kind: str, lines: list[str], packages: tuple[Package, ...]) -> list[str]:
    """The test's copy of a script: the catalog's CreateObject replaced, For Each over ``.Members``, the
    stand-in appended (VBScript classes and functions may follow the code that uses them)."""
    create = f'CreateObject("{catalog.CATALOGS[kind]["progid"]}")'
    copy = []
    for line in lines:
        line = line.replace(create, "StandInCatalog()")
        line = _FOR_EACH.sub(r"For Each \1 In \2.Members", line)
        copy.append(line)
    assert sum("StandInCatalog()" in line for line in copy) == 1, "the script creates its catalog once"
    return [*copy, *stand_in(kind, packages)]


def run_script(prefix: Prefix, lines: list[str], *args: str) -> tuple[str, int]:
    """Write ``lines`` as a script (CRLF, code page 437, as the host's echo writes it), run it with
    ``cscript //nologo`` in a folder of its own; what it printed and its exit code."""
    folder = prefix.drive_c / "catalog" / uuid.uuid4().hex[:12]
    folder.mkdir(parents=True)
    (folder / "iis4cat.vbs").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp437"))
    result = prefix.run("cscript", "//nologo", "iis4cat.vbs", *args, cwd=folder)
    return result.stdout.decode("cp437", "replace"), result.returncode


def compiles(prefix: Prefix, lines: list[str], args: tuple[str, ...]) -> bool:
    """Does Wine's VBScript engine compile ``lines`` (the marker line runs only then)?"""
    return "compiled" in run_script(prefix, [MARK, *lines], *args)[0]


@pytest.mark.parametrize(("kind", "name", "lines", "args"), SCRIPTS, ids=IDS)
def test_every_catalog_script_compiles_under_an_independent_vbscript_engine(kind, name, lines, args, wine_prefix):
    assert compiles(wine_prefix, lines, args), f"the {kind} {name} script does not compile"


@pytest.mark.parametrize(("kind", "name", "lines", "args"), SCRIPTS, ids=IDS)
def test_the_oracle_catches_a_syntax_error(kind, name, lines, args, wine_prefix):
    broken = [*lines[:-1], lines[-1] + " ("]  # an unclosed parenthesis on the last line
    assert not compiles(wine_prefix, broken, args)


def _no_stand_in_complaint(out: str) -> None:
    assert "STANDIN|" not in out, out  # a collection not populated, a field or a collection it does not have


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_script_prints_what_the_parser_reads_back_as_the_catalog(kind, wine_prefix):
    out, rc = run_script(wine_prefix, with_stand_in(kind, catalog.list_script(kind), PACKAGES))
    _no_stand_in_complaint(out)
    assert rc == 0
    listing = parse_catalog_list(out)
    assert listing.ok and not listing.no_object
    assert listing.packages == PACKAGES


@pytest.mark.parametrize("kind", KINDS)
def test_the_list_script_of_an_empty_catalog_prints_no_package(kind, wine_prefix):
    out, rc = run_script(wine_prefix, with_stand_in(kind, catalog.list_script(kind), ()))
    _no_stand_in_complaint(out)
    assert (out, rc) == ("", 0)
    listing = parse_catalog_list(out)
    assert listing.ok and listing.packages == ()


def test_the_stand_in_notices_a_collection_read_before_populate(wine_prefix):
    lines = [ln for ln in catalog.list_script("complus") if ln != "apps.Populate"]
    out, _rc = run_script(wine_prefix, with_stand_in("complus", lines, PACKAGES))
    assert "STANDIN|not populated" in out
    assert parse_catalog_list(out).packages == ()


@pytest.mark.parametrize("kind", KINDS)
def test_the_shutdown_script_answers_ok_for_a_package_of_the_catalog(kind, wine_prefix):
    target = PACKAGES[1].id.lower()  # the catalog compares ids ignoring case
    out, rc = run_script(wine_prefix, with_stand_in(kind, catalog.shutdown_script(kind), PACKAGES), target)
    _no_stand_in_complaint(out)
    assert (out, rc) == (f"SHUTDOWN|{target}|ok\r\n", 0)
    assert parse_answer(out).ok


@pytest.mark.parametrize("kind", KINDS)
def test_the_shutdown_script_reports_a_missing_package_with_its_code_and_exit_1(kind, wine_prefix):
    missing = "{00000000-0000-4000-8000-00000000DEAD}"
    out, rc = run_script(wine_prefix, with_stand_in(kind, catalog.shutdown_script(kind), PACKAGES), missing)
    assert (out, rc) == ("ERR|80110809|The object does not exist in the catalog.\r\n", 1)
    answer = parse_answer(out)
    assert (answer.ok, answer.code, answer.message) == (False, "80110809", "The object does not exist in the catalog.")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("script", ["shutdown", "start"])
def test_a_script_without_its_arguments_says_so_and_exits_1(kind, script, wine_prefix):
    lines = catalog.shutdown_script(kind) if script == "shutdown" else catalog.start_script(kind)
    out, rc = run_script(wine_prefix, with_stand_in(kind, lines, PACKAGES))
    assert (out, rc) == ("ERR|80070057|The parameter is incorrect.\r\n", 1)
    assert parse_answer(out, "SHUTDOWN" if script == "shutdown" else "STARTED").code == "80070057"


@pytest.mark.parametrize("kind", KINDS)
def test_the_start_script_creates_the_component_and_answers_started(kind, wine_prefix):
    # Scripting.Dictionary stands for the package's component: a ProgID Wine has registered.
    lines = with_stand_in(kind, catalog.start_script(kind), PACKAGES)
    out, rc = run_script(wine_prefix, lines, PACKAGE, "Scripting.Dictionary")
    assert (out, rc) == (f"STARTED|{PACKAGE}|ok\r\n", 0)
    assert parse_answer(out, "STARTED").ok


@pytest.mark.parametrize("kind", KINDS)
def test_the_start_script_reports_an_unregistered_progid_as_vbscript_does(kind, wine_prefix):
    lines = with_stand_in(kind, catalog.start_script(kind), PACKAGES)
    out, rc = run_script(wine_prefix, lines, PACKAGE, "ShopCart.Cart")
    assert (out, rc) == ("ERR|1AD|ActiveX component can't create object\r\n", 1)
    answer = parse_answer(out, "STARTED")
    assert (answer.ok, answer.code) == (False, "1AD")


def test_the_lab_answers_an_unregistered_progid_as_the_engine_does(wine_prefix):
    """The lab's start script (tests/lab/tools/catalog.py) prints what Wine's engine printed for the module's
    script: the error VBScript's ``Err`` holds, not the COM HRESULT behind it."""
    from tests.lab.tools.catalog import CREATE_OBJECT_TEXT, E_CREATE_OBJECT  # noqa: PLC0415

    lines = with_stand_in("complus", catalog.start_script("complus"), PACKAGES)
    out, _rc = run_script(wine_prefix, lines, PACKAGE, "No.Such")
    assert out == f"ERR|{E_CREATE_OBJECT}|{CREATE_OBJECT_TEXT}\r\n"


def test_the_stand_in_copy_changes_only_the_catalog_object_and_the_loops():
    for kind in KINDS:
        for lines in (catalog.list_script(kind), catalog.shutdown_script(kind), catalog.start_script(kind)):
            copy = with_stand_in(kind, lines, PACKAGES)[: len(lines)]
            changed = [(a, b) for a, b in zip(lines, copy, strict=True) if a != b]
            assert changed, lines
            for original, new in changed:
                assert "CreateObject(" in original or original.startswith("For Each "), original
                assert new.replace("StandInCatalog()", "").replace(".Members", "") in original.replace(
                    f'CreateObject("{catalog.CATALOGS[kind]["progid"]}")', ""
                )

"""The catalog as cscript sees it, mtxstop.exe, tlist -m and tasklist /m (issue 12).

Sources: IIS 5-7 facts, "Components in MTS packages" (MTSAdmin.Catalog.1 / COMAdmin.COMAdminCatalog,
ShutdownPackage / ShutdownApplication, COMADMIN_E_OBJECT_DOES_NOT_EXIST, mtxstop.exe shuts down every MTS
server process) and "Who holds the DLL" (tasklist csv lines and the INFO text; tlist -m on NT 4 / 2000).  The
catalog script contract, the error texts without a source and the tlist layout are choices documented in
docs/dev/lab-machine.md ("MTS packages and COM+ applications")."""

from __future__ import annotations

import pytest

from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.tools import program_table
from tests.unit.lab.test_packages_model import PKG, get, holders, host
from tests.unit.lab.tools_harness import run

SCRIPT = "C:\\TEMP\\cat.vbs"
LIST_LINES = [
    "' legacy_iis.iis4 catalog list",
    'Set oCat = CreateObject("MTSAdmin.Catalog.1")',
    'WScript.Echo "PKG"',
]


def write_script(m, lines: list[str], path: str = SCRIPT) -> None:
    """Write the script the way the module does: echo lines appended to a file (cmd.exe, not the model)."""
    run(m, f'if exist "{path}" del "{path}"')
    for line in lines:
        escaped = line.replace("^", "^^").replace("&", "^&").replace("<", "^<").replace(">", "^>")
        escaped = escaped.replace("|", "^|").replace("(", "^(").replace(")", "^)")
        assert run(m, f'(echo {escaped})>>"{path}"')[2] == 0
    assert m.fs.read(path).decode("cp437").splitlines()[0] == lines[0]


def cat(m, lines: list[str], *args: str) -> tuple[str, str, int]:
    write_script(m, lines)
    return run(m, f'cscript //nologo "{SCRIPT}" ' + " ".join(args))


def shutdown_lines(progid: str = "MTSAdmin.Catalog.1") -> list[str]:
    return ["' legacy_iis.iis4 catalog shutdown", f'Set oCat = CreateObject("{progid}")', "WScript.Quit 0"]


# ------------------------------------------------------------------------------------------------ list


def test_list_prints_packages_and_components():
    m = host(False)
    out, err, rc = cat(m, LIST_LINES)
    assert (err, rc) == ("", 0)
    assert out.splitlines() == [
        f"PKG|{PKG}|Shop Components|Server|0|3",
        f"CMP|{PKG}|{{0A1B2C3D-4E5F-4061-8273-8495A6B7C8D9}}|ShopCart.Cart|{SHOP_DLL}",
    ]


def test_list_library_and_run_forever():
    m = host(False, "library", run_forever=True, shutdown_after=10)
    out, _err, _rc = cat(m, LIST_LINES)
    assert out.splitlines()[0] == f"PKG|{PKG}|Shop Components|Library|1|10"


@pytest.mark.parametrize(
    ("catalog", "progid", "line"),
    [(None, "MTSAdmin.Catalog.1", 2), (None, "COMAdmin.COMAdminCatalog", 2), ("mts", "COMAdmin.COMAdminCatalog", 3)],
)
def test_a_catalog_object_the_host_lacks_is_a_vbscript_runtime_error(catalog, progid, line):
    m = host(False, catalog=catalog)
    lines = ["' legacy_iis.iis4 catalog list", "On Error GoTo 0", f'  Set oCat = CreateObject("{progid}")']
    if line == 2:
        lines.pop(1)
    out, err, rc = cat(m, lines)
    assert out == ""
    assert err == (
        f"{SCRIPT}({line}, 3) Microsoft VBScript runtime error: ActiveX component can't create object: '{progid}'\n"
    )
    assert rc == 1


def test_complus_host_also_answers_the_mts_catalog_object():
    """Issue 21: COM+ (Windows 2000+) registers MTSAdmin.Catalog.1 for backward compatibility ("MTS Administration
    Library" docs, facts file): an MTS list script succeeds on a COM+ host and lists its applications."""
    m = host(False, catalog="complus")
    out, err, rc = cat(m, ["' legacy_iis.iis4 catalog list", 'Set c = CreateObject("MTSAdmin.Catalog.1")'])
    assert (err, rc) == ("", 0)
    assert out.startswith(f"PKG|{PKG}|")


def test_complus_host_lists_with_its_own_object():
    m = host(False, catalog="complus")
    out, _err, rc = cat(m, ["' legacy_iis.iis4 catalog list", 'Set c = CreateObject("COMAdmin.COMAdminCatalog")'])
    assert rc == 0 and out.startswith(f"PKG|{PKG}|")


def test_script_error_fault():
    m = host(False)
    m.config.faults.catalog_script_error = True
    out, err, rc = cat(m, LIST_LINES)
    assert out == "" and rc == 1
    assert err == f"{SCRIPT}(3, 1) Microsoft VBScript runtime error: Invalid procedure call or argument\n"


def test_other_scripts_still_do_nothing():
    m = host(False)
    out, err, rc = cat(m, ["' some other script", "WScript.Echo 1"])
    assert (out, err, rc) == ("", "", 0)


# ------------------------------------------------------------------------------------------------ shutdown


def test_shutdown_releases_the_dll():
    m = host(False)
    get(m)
    assert run(m, f"type nul>>{SHOP_DLL}")[2] == 1
    out, err, rc = cat(m, shutdown_lines(), PKG)
    assert (out, err, rc) == (f"SHUTDOWN|{PKG}|ok\n", "", 0)
    assert holders(m) == []
    assert run(m, f"type nul>>{SHOP_DLL}")[2] == 0


def test_shutdown_of_an_unknown_package():
    m = host(False)
    out, _err, rc = cat(m, shutdown_lines(), "{11111111-2222-3333-4444-555555555555}")
    assert out == "ERR|80110809|The object does not exist in the catalog.\n" and rc == 1
    m2 = host(False, catalog="complus")
    out, _err, rc = cat(m2, shutdown_lines("COMAdmin.COMAdminCatalog"), "{11111111-2222-3333-4444-555555555555}")
    assert out.startswith("ERR|80110809|") and rc == 1


def test_refused_shutdown_keeps_the_process():
    m = host(False, shutdown_refused=True)
    get(m)
    out, _err, rc = cat(m, shutdown_lines(), PKG)
    assert (out, rc) == ("ERR|80070005|Access is denied.\n", 1)
    assert holders(m) == ["mtx.exe"]


def test_shutdown_without_an_id_is_a_usage_error():
    m = host(False)
    out, _err, rc = cat(m, shutdown_lines())
    assert out.startswith("ERR|80070057|") and rc == 1


# ------------------------------------------------------------------------------------------------ start
# A choice (docs/dev/lab-machine.md, the catalog script contract): ``start`` with the package id and the ProgID of
# one of its components creates that component, which is how a server package is started on MTS (there is no
# StartPackage) and on COM+ 1.0; the package's process starts and maps the DLL as it is on disk now.


def start_lines(progid: str = "MTSAdmin.Catalog.1") -> list[str]:
    return ["' legacy_iis.iis4 catalog start", f'Set oCat = CreateObject("{progid}")', "WScript.Quit 0"]


def test_start_creates_the_component_in_the_package_process():
    m = host(False)
    assert holders(m) == []
    out, err, rc = cat(m, start_lines(), PKG, "ShopCart.Cart")
    assert (out, err, rc) == (f"STARTED|{PKG}|ok\n", "", 0)
    proc = m.processes.package_process(PKG)
    assert proc is not None and holders(m) == ["mtx.exe"]
    assert proc.loaded(SHOP_DLL).version == "1.0.0.0"


def test_start_errors():
    m = host(False)
    out, _err, rc = cat(m, start_lines(), "{11111111-2222-3333-4444-555555555555}", "ShopCart.Cart")
    assert out.startswith("ERR|80110809|") and rc == 1
    out, _err, rc = cat(m, start_lines(), PKG, "Nope.Nothing")
    assert (out, rc) == ("ERR|1AD|ActiveX component can't create object\n", 1)  # VBScript's error 429
    out, _err, rc = cat(m, start_lines(), PKG)
    assert out.startswith("ERR|80070057|") and rc == 1
    m.fs.delete(SHOP_DLL)
    out, _err, rc = cat(m, start_lines(), PKG, "ShopCart.Cart")
    assert out.startswith("ERR|8007007E|") and rc == 1
    assert holders(m) == []


def test_start_of_a_library_package_is_refused():
    m = host(False, "library")
    out, _err, rc = cat(m, start_lines(), PKG, "ShopCart.Cart")
    assert out.startswith("ERR|80070057|") and rc == 1


# ------------------------------------------------------------------------------------------------ mtxstop


def test_mtxstop_ends_every_server_package_process_and_only_exists_on_mts_hosts():
    m = host(False, run_forever=True)
    get(m)
    # NT 4 cmd /c strips a leading quote pair ("the old behavior"), so the module would prefix the quoted path
    out, err, rc = run(m, 'call "C:\\Program Files\\Mts\\mtxstop.exe"')
    assert (out, err, rc) == ("", "", 0)
    assert holders(m) == []
    assert "mtxstop" in program_table(m.config)
    assert "mtxstop" not in program_table(host(False, catalog="complus").config)
    assert "mtxstop" not in program_table(host(False, catalog=None).config)


# ------------------------------------------------------------------------------------------------ holders


def test_tlist_m_names_every_holder_with_its_pid():
    m = host(False, direct=True)
    m.config.has_tlist = True
    m.programs = program_table(m.config)
    get(m, "/Shop/")
    get(m, "/Direct/")
    inetinfo = m.processes.inetinfo.pid
    pkg = m.processes.package_process(PKG).pid
    out, err, rc = run(m, "tlist -m ShopCart.dll")
    assert (err, rc) == ("", 0)
    # COM servers carry OLE's window title after the image name (TList docs examples; issue 21)
    assert out.splitlines() == [
        f"{inetinfo:4d} inetinfo.exe     OleMainThreadWndName",
        f"{pkg:4d} mtx.exe          OleMainThreadWndName",
    ]
    m.config.tlist_titles = False
    assert run(m, "tlist -m ShopCart.dll")[0].splitlines() == [f"{inetinfo:4d} inetinfo.exe", f"{pkg:4d} mtx.exe"]
    assert run(m, "tlist -m Other.dll")[0] == ""


def test_tlist_is_absent_unless_installed():
    m = host(False)
    out, err, rc = run(m, "tlist -m ShopCart.dll")
    assert rc == 1 and "not recognized" in err


def test_tasklist_m_csv_lists_package_app_and_foreign_holders():
    m = host(True, catalog="complus", direct=True)
    m.config.has_tasklist = True
    m.programs = program_table(m.config)
    m.processes.start_foreign("cscript.exe", SHOP_DLL, None)
    get(m, "/Shop/")
    get(m, "/Direct/")
    out, err, rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert (err, rc) == ("", 0)
    rows = out.splitlines()
    pids = {p.image: p.pid for p in m.processes.all() if p.loaded(SHOP_DLL)}
    assert sorted(rows) == sorted(f'"{image}","{pid}","ShopCart.dll"' for image, pid in pids.items())
    assert {"cscript.exe", "dllhost.exe", "inetinfo.exe"} <= set(pids)


def test_tasklist_none_and_header():
    m = host(False, catalog="complus")
    m.config.has_tasklist = True
    m.programs = program_table(m.config)
    out, err, rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert (out, rc) == ("INFO: No tasks are running which match the specified criteria.\n", 0)
    get(m)
    out, _err, _rc = run(m, "tasklist /m ShopCart.dll /fo csv")
    assert out.splitlines()[0] == '"Image Name","PID","Modules"'


def test_a_renamed_loaded_dll_is_still_named_as_loaded():
    m = host(False, catalog="complus")
    m.config.has_tasklist = True
    m.programs = program_table(m.config)
    get(m)
    assert run(m, f"ren {SHOP_DLL} ShopCart.old")[2] == 0
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0
    out, _err, _rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert out.startswith('"dllhost.exe"')


def test_foreign_loader_config_still_holds():
    m = host(False)
    m.config.has_tlist = True
    m.programs = program_table(m.config)
    proc = m.processes.start_foreign("cscript.exe", SHOP_DLL, None)
    assert run(m, "tlist -m shopcart.dll")[0] == f"{proc.pid:4d} cscript.exe\n"

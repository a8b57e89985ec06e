"""The info module's pure parts (with ``_host/inventory.py`` and ``_host/parsers/fileversion.py``): the file-version
readers, the per-DLL cut of the answer, the backups beside a DLL, the applications of a host, the options; and its
documentation against its spec."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from ansible_collections.legacy_iis.iis4.plugins.module_utils import info
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host import inventory
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_facts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.fileversion import (
    parse_filever,
    parse_wmic_version,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import InputError

RECORDED = Path(__file__).parent / "recorded"
ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
DEST = "C:\\InetPub\\shop\\bin\\ShopCart.dll"
PLUGINS = Path(__file__).resolve().parents[4] / "plugins"


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8").replace("\n", "\r\n")


# ------------------------------------------------------------------------------------------------------
# File versions

# wmic ends each line with CR CR LF (its output goes through a text-mode stream twice).
WMIC_VERSION = "\r\r\n\r\r\nVersion=6.1.7601.17514\r\r\n\r\r\n\r\r\n"
WMIC_NO_RESOURCE = "\r\r\n\r\r\nVersion=\r\r\n\r\r\n\r\r\n"
WMIC_NO_FILE = "No Instance(s) Available.\r\n"
NOT_RECOGNIZED = "'{0}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
FILEVER = "--a-- W32i   DLL ENU      5.0.2195.6620 shp     45,328 06-19-2003 ShopCart.dll\r\n"
FILEVER_NO_RESOURCE = "--a-- W32i   DLL  -              -         -     24,576 03-01-2024 ShopCart.dll\r\n"


def test_wmic_version():
    assert parse_wmic_version(WMIC_VERSION) == "6.1.7601.17514"
    assert parse_wmic_version(WMIC_NO_RESOURCE) is None
    assert parse_wmic_version(WMIC_NO_FILE) is None
    assert parse_wmic_version(NOT_RECOGNIZED.format("wmic")) is None


def test_filever():
    assert parse_filever(FILEVER, "shopcart.dll") == "5.0.2195.6620"
    assert parse_filever(FILEVER_NO_RESOURCE, "ShopCart.dll") is None
    assert parse_filever(FILEVER, "Other.dll") is None
    assert parse_filever(NOT_RECOGNIZED.format("filever"), "ShopCart.dll") is None


def test_wql_path_doubles_backslashes_and_refuses_a_quote():
    assert inventory.wql_path(DEST) == "C:\\\\InetPub\\\\shop\\\\bin\\\\ShopCart.dll"
    assert inventory.wql_path("C:\\O'Brien\\x.dll") is None


# ------------------------------------------------------------------------------------------------------
# The answer, cut per DLL

BACKUPS_NT4 = """ Volume in drive C has no label.
 Volume Serial Number is 1C4B-09E2

 Directory of C:\\InetPub\\shop\\bin

11/30/26  03:28a                24,576 ShopCart.dll.20261130102800.bak
12/01/26  09:05a                24,600 ShopCart.dll.20261201090500.bak
12/01/26  09:05a                   120 ShopCart.dll.old.bak
               3 File(s)         49,296 bytes
                            536,727,249 bytes free
""".replace("\n", "\r\n")


def test_backups_are_the_update_s_names_oldest_first():
    found = inventory.backup_entries(BACKUPS_NT4, DEST)
    assert [b["path"] for b in found] == [
        DEST + ".20261130102800.bak",
        DEST + ".20261201090500.bak",
    ]
    assert found[0]["made"] == "2026-11-30T10:28:00Z" and found[0]["size"] == 24576
    assert found[1]["modified"] == "2026-12-01T09:05:00"
    assert inventory.backup_entries("File Not Found\r\n", DEST) == []


def test_dll_segments_cut_the_host_part_and_each_dll():
    out = "@@net\r\nhost\r\n@@dll0\r\n@@dest\r\nfirst\r\n@@dll1\r\n@@dest\r\nsecond\r\n@@end\r\n"
    head, segments = inventory.dll_segments(out, 2)
    assert head == "@@net\nhost"
    assert segments[0] == "@@dest\nfirst"
    assert segments[1].startswith("@@dest\nsecond")
    assert inventory.dll_segments("@@net\r\nhost\r\n", 1) == ("@@net\nhost\n", [""])


def test_temp_folder_as_the_host_expanded_it():
    assert inventory.read_temp("##systemroot=C:\\WINNT\r\n##temp=C:\\TEMP\r\n") == "C:\\TEMP"
    assert inventory.read_temp("##temp=%TEMP%\r\n") is None  # not set: cmd leaves the variable as typed
    assert inventory.read_temp("nothing\r\n") is None


def test_dll_parts_are_read_only_questions():
    line = "&".join(inventory.dll_parts(0, DEST))
    for word in ("type ", "dir ", "attrib ", "tlist -m ", "tasklist /m ", "filever ", "wmic datafile "):
        assert word in line
    for word in ("copy", "move", "del ", "ren ", "regsvr32", "net stop", "APPUNLOAD", " SET ", "attrib +", "attrib -"):
        assert word not in line
    assert "<nul" in line  # wmic waits for console input otherwise


# ------------------------------------------------------------------------------------------------------
# The applications of a host


def test_applications_of_a_recorded_host():
    facts = read_facts(recorded("gather_fleet1_isolated.txt"), ADSUTIL)
    rows = {(r["site"], r["path"]): r for r in inventory.application_rows(facts)}
    assert rows[(1, "/Shop")]["runs"] == "isolated" and rows[(1, "/Shop")]["process"] == "mtx.exe"
    assert rows[(1, "/")]["runs"] == "in_process" and rows[(1, "/")]["process"] == "inetinfo.exe"
    assert {r["site_name"] for (site, _path), r in rows.items() if site == 1} == {"Default Web Site"}
    assert all(r["app_pool"] is None and r["package"] is None for r in rows.values())
    host = inventory.host_dict(facts)
    assert host["iis_version"] == "4.0" and host["isolation_mode"] == "iis4" and "W3SVC" in host["services_running"]


# ------------------------------------------------------------------------------------------------------
# Options


def test_targets_from_dest_or_components():
    found = info.targets_of({"dest": [DEST, DEST.upper()], "application": ["/Shop"], "site": "2"})
    assert [t.dest for t in found] == [DEST]  # the same file once
    assert found[0].params.site == 2 and found[0].params.applications == ("/Shop",)
    found = info.targets_of({"components": [{"dest": DEST, "application": ["/A"]}, {"dest": "C:/x/y.dll"}]})
    assert [t.dest for t in found] == [DEST, "C:\\x\\y.dll"]
    assert found[0].params.applications == ("/A",) and found[1].params.applications == ("/",)
    assert info.targets_of({}) == []
    with pytest.raises(InputError):
        info.targets_of({"dest": ["ShopCart.dll"]})


def _documentation(path: Path) -> dict:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOCUMENTATION":
            return yaml.safe_load(ast.literal_eval(node.value))
    raise AssertionError(f"no DOCUMENTATION in {path.name}")


def test_documentation_says_what_the_spec_accepts():
    doc = _documentation(PLUGINS / "modules" / "iis4_component_info.py")
    fragment = _documentation(PLUGINS / "doc_fragments" / "winrm.py")
    options = {**doc["options"], **fragment["options"]}
    assert set(options) == set(info.INFO_FULL_SPEC)
    for name, spec in info.INFO_FULL_SPEC.items():
        for key in ("type", "required", "default", "choices", "elements", "aliases"):
            assert options[name].get(key) == spec.get(key), (name, key)
    for name, spec in info.INFO_COMPONENT_OPTIONS.items():
        sub = options["components"]["suboptions"][name]
        for key in ("type", "required", "default", "choices", "elements", "aliases"):
            assert sub.get(key) == spec.get(key), (name, key)
    assert doc["version_added"] == "1.2.0"


def test_every_returned_key_has_a_sample_and_lists_say_what_they_contain():
    from ansible_collections.legacy_iis.iis4.plugins.modules import iis4_component_info

    ret = yaml.safe_load(iis4_component_info.RETURN)
    for key, doc in ret.items():
        assert "sample" in doc and doc.get("description"), key
    for key in ("host", "applications", "components"):
        assert ret[key].get("contains"), key

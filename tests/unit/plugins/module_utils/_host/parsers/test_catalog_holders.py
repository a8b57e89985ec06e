"""Parsers for the catalog scripts' output and for tlist / tasklist (who holds a DLL).

Formats: the catalog script contract (docs/dev/lab-machine.md), WSH's runtime error line
(``<script>(<line>, <col>) Microsoft VBScript runtime error: <text>``), tasklist's CSV rows and its INFO line
(IIS 5-7 facts, "Who holds the DLL"), and tlist's process list (PID, image) with or without the module name
in front.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.catalog import (
    parse_answer,
    parse_catalog_list,
    wsh_error,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import ParseError
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.holders import (
    Holder,
    parse_tasklist_modules,
    parse_tlist_modules,
)

PKG = "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}"
LISTING = (
    f"PKG|{PKG}|Shop Components|Server|0|3\r\n"
    f"CMP|{PKG}|{{7C1D2E3F-4A5B-4C6D-9E8F-0A1B2C3D4E01}}|ShopCart.Cart|C:\\InetPub\\shop\\bin\\ShopCart.dll\r\n"
    f"CMP|{PKG}|{{7C1D2E3F-4A5B-4C6D-9E8F-0A1B2C3D4E02}}|ShopCart.Tax|C:\\InetPub\\shop\\bin\\ShopCart.dll\r\n"
    "PKG|{11111111-2222-3333-4444-555555555555}|System|Library|1|\r\n"
)
NT4_NOT_FOUND = (
    "The name specified is not recognized as an\r\ninternal or external command, operable program or batch file.\r\n"
)
NO_OBJECT = (
    "C:\\InetPub\\shop\\bin\\ShopCart.dll.iis4cat.vbs(2, 1) Microsoft VBScript runtime error: "
    "ActiveX component can't create object: 'COMAdmin.COMAdminCatalog'\r\n"
)


def test_listing_groups_components_under_their_package():
    listing = parse_catalog_list(LISTING)
    assert listing.ok and not listing.no_object
    shop, system = listing.packages
    assert (shop.id, shop.name, shop.server, shop.run_forever, shop.shutdown_after) == (
        PKG,
        "Shop Components",
        True,
        False,
        3,
    )
    assert [c.progid for c in shop.components] == ["ShopCart.Cart", "ShopCart.Tax"]
    assert shop.components[0].dll == "C:\\InetPub\\shop\\bin\\ShopCart.dll"
    assert (system.server, system.run_forever, system.shutdown_after, system.components) == (False, True, None, ())
    assert shop.as_dict()["activation"] == "server" and system.as_dict()["activation"] == "library"


def test_listing_reads_lf_and_lone_cr_line_ends():
    assert parse_catalog_list(LISTING.replace("\r\n", "\n")).packages == parse_catalog_list(LISTING).packages
    assert parse_catalog_list(LISTING.replace("\r\n", "\r")).packages == parse_catalog_list(LISTING).packages


def test_a_host_without_the_catalog_object():
    listing = parse_catalog_list(NO_OBJECT)
    assert listing.packages == () and listing.no_object
    assert listing.error.startswith("ActiveX component can't create object")


def test_a_script_that_stops_with_another_runtime_error_is_an_error_not_a_missing_catalog():
    text = "C:\\x.vbs(14, 1) Microsoft VBScript runtime error: Invalid procedure call or argument\r\n"
    listing = parse_catalog_list(text)
    assert not listing.ok and not listing.no_object
    assert listing.error == "Invalid procedure call or argument"


def test_an_empty_catalog_is_fine():
    listing = parse_catalog_list("")
    assert listing.ok and listing.packages == ()


def test_wsh_error_also_reads_cscript_and_system_errors():
    assert wsh_error('Input Error: Can not find script file "C:\\x.vbs".\r\n').startswith("Input Error")
    assert wsh_error("Access is denied.\r\n") == "Access is denied."
    assert wsh_error("PKG|{x}|a|Server|0|3\r\n") is None


def test_shutdown_answers():
    assert parse_answer(f"SHUTDOWN|{PKG}|ok\r\n").ok
    refused = parse_answer("ERR|80070005|Access is denied.\r\n")
    assert (refused.ok, refused.code, refused.message) == (False, "80070005", "Access is denied.")
    missing = parse_answer("ERR|80110809|The object does not exist in the catalog.\r\n")
    assert missing.code == "80110809"
    crashed = parse_answer(NO_OBJECT)
    assert not crashed.ok and crashed.code is None and "can't create object" in crashed.message
    assert parse_answer("").message == "the shutdown script printed nothing"
    assert parse_answer(f"STARTED|{PKG}|ok\r\n", "STARTED").ok
    assert not parse_answer(f"SHUTDOWN|{PKG}|ok\r\n", "STARTED").ok


def test_tlist_lists_pid_and_image():
    text = " 212 inetinfo.exe\r\n 216 mtx.exe\r\n1024 cscript.exe\r\n"
    expected = [Holder(212, "inetinfo.exe"), Holder(216, "mtx.exe"), Holder(1024, "cscript.exe")]
    assert parse_tlist_modules(text) == expected


def test_tlist_window_titles_are_not_part_of_the_image():
    # The TList documentation's examples: a title after the image name, two or more blanks apart.
    text = (
        "1492 Sysparse_com.exe  OleMainThreadWndName\r\n"
        "1980 explorer.exe      Program Manager\r\n"
        "  216 mtx.exe          OleMainThreadWndName\r\n"
        " 212 inetinfo.exe\r\n"
        " 300 My Tool.exe  Title (v2).exe\r\n"
    )
    assert parse_tlist_modules(text) == [
        Holder(1492, "Sysparse_com.exe"),
        Holder(1980, "explorer.exe"),
        Holder(216, "mtx.exe"),
        Holder(212, "inetinfo.exe"),
        Holder(300, "My Tool.exe"),
    ]


def test_tlist_with_the_module_name_in_front():
    assert parse_tlist_modules("ShopCart.dll - 212 inetinfo.exe\r\n") == [Holder(212, "inetinfo.exe")]


def test_tlist_nothing_loaded_and_not_installed():
    assert parse_tlist_modules("") == []
    missing = "'tlist' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
    assert parse_tlist_modules(missing) is None
    nt4 = NT4_NOT_FOUND
    assert parse_tlist_modules(nt4) is None
    assert parse_tlist_modules("usage: tlist <pid> | <pattern>\r\n") is None


def test_tasklist_csv_rows():
    text = '"dllhost.exe","1234","ShopCart.dll"\r\n"inetinfo.exe","212","ShopCart.dll"\r\n'
    assert parse_tasklist_modules(text) == [Holder(1234, "dllhost.exe"), Holder(212, "inetinfo.exe")]


def test_holder_lines_that_cannot_be_read_are_never_a_missing_tool():
    """Issue 21: a tool that answered with a line the module cannot read is named, with the line quoted."""
    with pytest.raises(ParseError, match="could not read a line of 'tlist -m': 'inetinfo.exe 212'"):
        parse_tlist_modules(" 212 inetinfo.exe\r\ninetinfo.exe 212\r\n")
    with pytest.raises(ParseError, match="could not read a line of 'tasklist /m'"):
        parse_tasklist_modules('"inetinfo.exe","212","ShopCart.dll"\r\nImage Name   PID   Modules\r\n')
    with pytest.raises(ParseError, match="tasklist /m"):
        parse_tasklist_modules('"w3wp.exe","n/a","ShopCart.dll"\r\n')
    # Names with commas and parentheses stay one CSV field.
    assert parse_tasklist_modules('"Shop (v2), A&B.exe","4012","ShopCart.dll"\r\n') == [
        Holder(4012, "Shop (v2), A&B.exe")
    ]


def test_tasklist_none_error_and_missing():
    assert parse_tasklist_modules("INFO: No tasks are running which match the specified criteria.\r\n") == []
    refused = "ERROR: Invalid argument/option - '/m'.\r\nType \"TASKLIST /?\" for usage.\r\n"
    assert parse_tasklist_modules(refused) is None
    nt4 = NT4_NOT_FOUND
    assert parse_tasklist_modules(nt4) is None

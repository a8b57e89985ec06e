# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/adsutil.py (cscript adsutil.vbs) on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.adsutil import (
    ADSI_NOT_SET,
    AdsValue,
    parse_adsutil_app_result,
    parse_adsutil_enum,
    parse_adsutil_enum_all,
    parse_adsutil_error,
)

from .captures import capture, transcript, variants

BANNER_56 = (
    "Microsoft (R) Windows Script Host Version 5.6\r\n"
    "Copyright (C) Microsoft Corporation 1996-2001. All rights reserved.\r\n\r\n"
)
BANNER_WSH1 = (
    "Microsoft (R) Windows Scripting Host Version 5.0 for Windows\r\n"
    "Copyright (C) Microsoft Corporation 1996-1997. All rights reserved.\r\n\r\n"
)

ENUM_ROOT_IIS5 = """KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT"
AppIsolated                     : (INTEGER) 0
AppFriendlyName                 : (STRING) "Default Application"
Path                            : (STRING) "C:\\InetPub\\wwwroot"
AccessRead                      : (BOOLEAN) True
AccessWrite                     : (BOOLEAN) False
HttpCustomHeaders               : (LIST) (2 Items)
  "X-Powered-By: ASP"
  "X-Other: a "quoted" b"

DefaultLogonDomain              : (EXPANDSZ) "%COMPUTERNAME%"
AnonymousUserPass               : (STRING)"**********"
AVeryLongPropertyNameOfThirtyTwoChars : (Long) 7
[/W3SVC/1/ROOT/Shop]
[/W3SVC/1/ROOT/_vti_bin]

"""


@pytest.mark.parametrize("banner", ["", BANNER_56, BANNER_WSH1])
def test_adsutil_enum_iis5(banner):
    props, children = parse_adsutil_enum(banner + ENUM_ROOT_IIS5)
    assert children == ["/W3SVC/1/ROOT/Shop", "/W3SVC/1/ROOT/_vti_bin"]
    assert props["KeyType"].value == "IIsWebVirtualDir" and props["KeyType"].type == "STRING"
    assert props["AppRoot"].value == "/LM/W3SVC/1/ROOT"
    assert props["AppIsolated"].value == 0 and props["AppIsolated"].type == "INTEGER"
    assert props["Path"].value == "C:\\InetPub\\wwwroot"
    assert props["AccessRead"].value is True and props["AccessWrite"].value is False
    assert props["HttpCustomHeaders"].type == "LIST"
    assert props["HttpCustomHeaders"].value == ["X-Powered-By: ASP", 'X-Other: a "quoted" b']
    assert props["DefaultLogonDomain"].type == "EXPANDSZ" and props["DefaultLogonDomain"].value == "%COMPUTERNAME%"
    assert props["AnonymousUserPass"].value == "**********"
    assert props["AVeryLongPropertyNameOfThirtyTwoChars"].type == "INTEGER"
    assert props["AVeryLongPropertyNameOfThirtyTwoChars"].value == 7
    assert list(props)[0] == "KeyType"


def test_adsutil_get_formats_and_list_get_spacing():
    text = BANNER_56 + 'ServerBindings                  : (LIST)  (2 Items)\r\n  ":80:"\r\n  "10.0.0.5:8080:shop"\r\n'
    props = parse_adsutil_enum(text)[0]
    assert props["ServerBindings"].value == [":80:", "10.0.0.5:8080:shop"]
    assert parse_adsutil_enum("ServerBindings                  : (LIST)  (0 Items)\n")[0]["ServerBindings"].value == []
    assert parse_adsutil_enum("AppIsolated                     : (INTEGER) 1")[0]["AppIsolated"].value == 1
    assert parse_adsutil_enum('AppFriendlyName                 : (STRING) ""')[0]["AppFriendlyName"].value == ""


def test_adsutil_capture_get_path():
    chunks = transcript(capture("adsutil/1.txt", "#"))
    cmd, out = chunks[0]
    assert cmd.lower().endswith("get w3svc/1/root/path")
    props = parse_adsutil_enum(out)[0]
    assert props == {"Path": AdsValue("STRING", "c:\\inetpub\\wwwroot", '"c:\\inetpub\\wwwroot"')}
    assert parse_adsutil_error(out) is None


def test_adsutil_iis4_style_kb_q247098():
    text = (
        'KeyType               :(String)  "IISFilters"\r\n'
        'FilterLoadOrder       :(String)  "sspifilt,Compression"\r\n'
        "[/w3svc/filters/sspifilt]\r\n"
        "[/w3svc/filters/Compression]\r\n"
    )
    props, children = parse_adsutil_enum(text)
    assert props["KeyType"].type == "STRING" and props["KeyType"].value == "IISFilters"
    assert props["FilterLoadOrder"].value == "sspifilt,Compression"
    assert children == ["/w3svc/filters/sspifilt", "/w3svc/filters/Compression"]
    props = parse_adsutil_enum("FilterState           :(Integer) 1\nAccessRead            :(Boolean) True\n")[0]
    assert props["FilterState"].type == "INTEGER" and props["FilterState"].value == 1
    assert props["AccessRead"].value is True


def test_adsutil_mimemap_and_unsupported_datatype_lines():
    text = (
        'KeyType                         : (STRING) "IIsWebService"\n'
        'MimeMap                         : (MimeMapList) ".abc,text/plain" ".xyz,application/x-xyz" \n'
        "\n"
        'DataType: "IPSec" Not Yet Supported on property: IPSecurity\n'
        "\n"
        "ErrNumber: 0 (0x0)\n"
        "\n"
        "[/W3SVC/1]\n"
    )
    props, children = parse_adsutil_enum(text)
    assert props["MimeMap"].type == "MIMEMAPLIST"
    assert props["MimeMap"].value == [".abc,text/plain", ".xyz,application/x-xyz"]
    assert set(props) == {"KeyType", "MimeMap"} and children == ["/W3SVC/1"]
    assert parse_adsutil_error(text) is None


ENUM_ALL_W3SVC = """KeyType                         : (STRING) "IIsWebService"
AppIsolated                     : (INTEGER) 0
[/W3SVC/1]
KeyType                         : (STRING) "IIsWebServer"
ServerComment                   : (STRING) "Default Web Site"
ServerBindings                  : (LIST) (1 Items)
  ":80:"

[/W3SVC/1/filters]
KeyType                         : (STRING) "IIsFilters"

[/W3SVC/1/ROOT]
KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT"
Path                            : (STRING) "C:\\InetPub\\wwwroot"
[/W3SVC/1/ROOT/Shop]
KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/Root/Shop"
AppIsolated                     : (INTEGER) 1
Path                            : (STRING) "D:\\Sites\\Shop"
[/W3SVC/1/ROOT/Shop/images]


[/W3SVC/2]
KeyType                         : (STRING) "IIsWebServer"
ServerComment                   : (STRING) "Intranet"

"""


@pytest.mark.parametrize("text", variants(ENUM_ALL_W3SVC) + [BANNER_56 + ENUM_ALL_W3SVC])
def test_adsutil_enum_all(text):
    tree = parse_adsutil_enum_all(text, "W3SVC")
    assert list(tree) == [
        "/W3SVC",
        "/W3SVC/1",
        "/W3SVC/1/filters",
        "/W3SVC/1/ROOT",
        "/W3SVC/1/ROOT/Shop",
        "/W3SVC/1/ROOT/Shop/images",
        "/W3SVC/2",
    ]
    assert tree["/W3SVC"]["AppIsolated"].value == 0
    assert tree["/W3SVC/1"]["ServerBindings"].value == [":80:"]
    assert tree["/W3SVC/1"]["ServerComment"].value == "Default Web Site"
    assert tree["/W3SVC/1/ROOT/Shop"]["AppIsolated"].value == 1
    assert tree["/W3SVC/1/ROOT/Shop"]["AppRoot"].value == "/LM/W3SVC/1/Root/Shop"
    assert tree["/W3SVC/1/ROOT/Shop/images"] == {}
    assert tree["/W3SVC/2"]["ServerComment"].value == "Intranet"


def test_adsutil_enum_all_requested_path_forms():
    for path, key in [("/LM/W3SVC/1", "/W3SVC/1"), ("w3svc\\1\\", "/w3svc/1"), ("W3SVC/1/ROOT", "/W3SVC/1/ROOT")]:
        tree = parse_adsutil_enum_all('KeyType                         : (STRING) "X"\n', path)
        assert list(tree) == [key]


ADS_PATH_NOT_FOUND = """
The path requested could not be found.
ErrNumber: -2147024893 (0x80070003)
Error Trying To ENUM the Object (GetObject Failed): W3SVC/99
"""


@pytest.mark.parametrize("banner", ["", BANNER_56])
def test_adsutil_error_path_not_found(banner):
    err = parse_adsutil_error(banner + ADS_PATH_NOT_FOUND)
    assert err.kind == "path_not_found"
    assert err.message == "The path requested could not be found."
    assert err.err_number == -2147024893 and err.hresult == 0x80070003
    assert err.path == "W3SVC/99" and err.context.startswith("Error Trying To ENUM")


def test_adsutil_error_kinds():
    err = parse_adsutil_error('The parameter "AppIsolated" is not set at this node.\r\n')
    assert (err.kind, err.path, err.err_number) == ("not_set", "AppIsolated", ADSI_NOT_SET)
    assert err.hresult == 0x80005006
    err = parse_adsutil_error('Command not recognized: APPFOO\r\nFor help, just type "Cscript.exe adsutil.vbs".\r\n')
    assert (err.kind, err.path) == ("command_not_recognized", "APPFOO")
    err = parse_adsutil_error(
        "Access is denied for the requested path or property.\nErrNumber: -2147024891 (0x80070005)\n"
        "Error Trying To GET the Object (GetObject Failed): W3SVC/1/Root\n"
    )
    assert err.kind == "access_denied" and err.path == "W3SVC/1/Root"
    err = parse_adsutil_error(
        "\nErrNumber: -2147463155 (0x8000500D)\n"
        "Error Trying To GET the Schema of the property: IIS://localhost/Schema/NoSuchProp\n"
    )
    assert err.kind == "unknown_property" and err.path == "IIS://localhost/Schema/NoSuchProp"
    err = parse_adsutil_error(
        "\r\nErrNumber: -2147463155 (0x8000500D)\r\n"
        "Error Trying To GET the property: (Get Method Failed) ServerComment\r\n"
        "  (This property is probably not allowed at this node)\r\n"
    )
    assert (err.kind, err.path, err.message) == ("not_allowed", "ServerComment", "")
    assert parse_adsutil_error("Error: Wrong number of Args for the GET command\n").kind == "wrong_args"
    assert parse_adsutil_error("This script does not work with WScript.\n").kind == "wscript"
    assert (
        parse_adsutil_error(
            "The requested path is being used by another application.\nErrNumber: -2147024748 (0x80070094)\n"
        ).kind
        == "path_in_use"
    )
    assert parse_adsutil_error("Application Unloaded.\n") is None


def test_adsutil_error_continuing_in_enum():
    text = (
        "\nSome ADSI failure\nErrNumber: -2147463168 (0x80005000)\n"
        "Error trying to enumerate the Optional properties (Error trying to get property value): "
        "IIS://localhost/Schema/Foo\nLast Property Name: Foo\nPropertyObjPath: IIS://localhost/Schema/Foo\n"
        "Continuing...\n\n"
    )
    err = parse_adsutil_error(text)
    assert err.continued and err.kind == "error" and err.path == "IIS://localhost/Schema/Foo"


@pytest.mark.parametrize(
    ("text", "action", "status", "status_name"),
    [
        ("Application Unloaded.\r\n", "unloaded", None, None),
        ("Application Created.\r\n", "created", None, None),
        ("Application Deleted.\r\n", "deleted", None, None),
        ("Application Disabled.\r\n", "disabled", None, None),
        ("Application Enabled.\r\n", "enabled", None, None),
        ("Application Status: 1\r\n", "status", 1, "running"),
        ("Application Status: 0\n", "status", 0, "stopped"),
        ("Application Status: 2\n", "status", 2, "not_defined"),
    ],
)
def test_adsutil_app_results(text, action, status, status_name):
    for t in (text, BANNER_WSH1 + text):
        res = parse_adsutil_app_result(t)
        assert res.ok and res.action == action and res.status == status and res.status_name == status_name


def test_adsutil_app_unload_error():
    text = (
        "The path requested could not be found.\r\nErrNumber: -2147024893 (0x80070003)\r\n"
        "Error trying to get the path of the application: W3SVC/1/Root/Gone\r\n"
    )
    res = parse_adsutil_app_result(text)
    assert not res.ok and res.error.kind == "path_not_found" and res.error.path == "W3SVC/1/Root/Gone"
    text = (
        "Catastrophic failure\nErrNumber: -2147418113 (0x8000FFFF)\n"
        "Error trying to UNLOAD the application: W3SVC/1/Root/Shop\n"
    )
    res = parse_adsutil_app_result(text)
    assert not res.ok and res.error.kind == "error" and res.error.message == "Catastrophic failure"
    assert res.error.context == "Error trying to UNLOAD the application: W3SVC/1/Root/Shop"
    assert res.error.path == "W3SVC/1/Root/Shop"
    res = parse_adsutil_app_result("Error trying to UNLOAD the application: W3SVC/1/Root/Shop\n")
    assert not res.ok and res.error.path == "W3SVC/1/Root/Shop"
    assert not parse_adsutil_app_result("").ok

"""cscript and adsutil.vbs on a lab machine (tests.lab.tools.adsutil)."""

from __future__ import annotations

from tests.unit.lab.tools_harness import ADSUTIL, HEX, machine, run


def test_cscript_banner_unless_nologo():
    m = machine(1)
    out, _err, rc = run(m, "cscript C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs GET W3SVC/1/ServerComment")
    assert rc == 0
    assert out == (
        "Microsoft (R) Windows Scripting Host Version 5.0 for Windows\n"
        "Copyright (C) Microsoft Corporation 1996-1997. All rights reserved.\n\n"
        'ServerComment                   : (STRING) "Default Web Site"\n'
    )


def test_cscript_missing_script():
    m = machine(1)
    out, err, rc = run(m, "cscript //nologo C:\\InetPub\\AdminScripts\\adsutil.vbs GET W3SVC/1/ServerComment")
    assert (out, rc) == ("", 1)
    assert err == 'Input Error: Can not find script file "C:\\InetPub\\AdminScripts\\adsutil.vbs".\n'


def test_adsutil_path_matches_case_insensitively_and_relative_to_cwd():
    m = machine(1)
    out, _err, rc = run(
        m, "cscript //NOLOGO c:\\winnt\\SYSTEM32\\inetsrv\\ADMINSAMPLES\\ADSUTIL.VBS GET w3svc/1/servercomment"
    )
    assert (out, rc) == ('servercomment                   : (STRING) "Default Web Site"\n', 0)
    cmd = m.start_command(
        "cscript //nologo adsutil.vbs GET W3SVC/2/ServerComment", cwd="C:\\WINNT\\system32\\inetsrv\\adminsamples"
    )
    cmd.wait(10)
    o, _e, done, rc = cmd.read(0)
    assert done and rc == 0 and b'"Intranet"' in o


def test_adsutil_get_values_and_lists():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppIsolated")
    assert (out, rc) == ("AppIsolated                     : (INTEGER) 1\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ServerBindings")
    assert (out, rc) == ('ServerBindings                  : (LIST)  (1 Items)\n  ":8080:"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} GET /W3SVC/1/ROOT/Path/")
    assert (out, rc) == ('Path                            : (STRING) "C:\\InetPub\\wwwroot"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/AnonymousUserPass")
    assert (out, rc) == ('AnonymousUserPass               : (STRING) "**********"\n', 0)


def test_adsutil_get_inherited_property_is_not_set_at_this_node():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/DefaultDoc")
    assert out == 'The parameter "DefaultDoc" is not set at this node.\n'
    assert rc == 0x80005006
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/DefaultDoc")
    assert (out, rc) == ('DefaultDoc                      : (STRING) "Default.htm,Default.asp"\n', 0)


def test_adsutil_get_errors():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/99/ServerComment")
    assert rc == (-2147024893 & HEX)
    assert out == (
        "The path requested could not be found.\n"
        "ErrNumber: -2147024893 (0x80070003)\n"
        "Error Trying To GET the Object (GetObject Failed): W3SVC/99\n"
    )
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/NoSuchProperty")
    assert rc == 0x80005000
    assert out.endswith(
        "ErrNumber: -2147463168 (0x80005000)\n"
        "Error Trying To GET the Schema of the property: IIS://localhost/Schema/NoSuchProperty\n"
    )
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/ServerBindings")
    assert rc == 0x8000500D
    assert out.endswith(
        "Error Trying To GET the property: (Get Method Failed) ServerBindings\n"
        "  (This property is probably not allowed at this node)\n"
    )
    out, _err, rc = run(m, f"{ADSUTIL} GET")
    assert (out, rc) == ("Error: Wrong number of Args for the GET command\n", 2)


def test_adsutil_enum_shows_stored_properties_and_children():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1")
    assert rc == 0
    assert out == (
        'KeyType                         : (STRING) "IIsWebServer"\n'
        'ServerComment                   : (STRING) "Default Web Site"\n'
        "ServerBindings                  : (LIST) (1 Items)\n"
        '  ":8080:"\n'
        "\n"
        "ServerAutoStart                 : (BOOLEAN) True\n"
        "[/W3SVC/1/ROOT]\n"
        "\n"
    )


def test_adsutil_enum_child_paths_keep_the_typed_parent():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM /P w3svc/1/root")
    assert (out, rc) == ("[/w3svc/1/root/Shop]\n\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM w3svc/1/root/shop /P")
    assert (out, rc) == ("\n", 0)


def test_adsutil_enum_does_not_show_inherited_values():
    m = machine(1)
    out, _err, _rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/Shop")
    assert "AppIsolated                     : (INTEGER) 1\n" in out
    assert "DefaultDoc" not in out and "AuthFlags" not in out


def test_adsutil_enum_all_recurses():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1")
    assert rc == 0
    assert out.startswith('KeyType                         : (STRING) "IIsWebServer"\n')
    assert '[/W3SVC/1/ROOT]\nKeyType                         : (STRING) "IIsWebVirtualDir"\n' in out
    assert "[/W3SVC/1/ROOT/Shop]\nKeyType " in out
    assert out.endswith(
        'AppWamClsid                     : (STRING) "'
        + m.metabase.stored(m.metabase.resolve("W3SVC/1/ROOT/Shop"), "AppWamClsid")
        + '"\n\n\n\n'
    )


def test_adsutil_without_enum_all():
    m = machine(1, adsutil_enum_all=False)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC")
    assert rc == 2
    assert out == 'Command not recognized: ENUM_ALL\nFor help, just type "Cscript.exe adsutil.vbs".\n'


def test_adsutil_enum_missing_path():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} ENUM W3SVC/7")
    assert rc == (-2147024893 & HEX)
    assert out == (
        "\nThe path requested could not be found.\nErrNumber: -2147024893 (0x80070003)\n"
        "Error Trying To ENUM the Object (GetObject Failed): W3SVC/7\n"
    )


def test_adsutil_iis4_style():
    m = machine(1, adsutil_style="iis4")
    out, _err, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/Shop")
    assert rc == 0
    assert 'KeyType               :(String)  "IIsWebVirtualDir"\n' in out
    assert "AppIsolated           :(Integer) 1\n" in out
    assert "AccessRead            :(Boolean) True\n" in out
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ServerBindings")
    assert (out, rc) == ('ServerBindings        :(Variant()) ":8080:"\n', 0)


def test_adsutil_set_echoes_and_stores():
    m = machine(1)
    out, _err, rc = run(m, f'{ADSUTIL} SET W3SVC/1/ROOT/Shop/AppFriendlyName "Shop Two"')
    assert (out, rc) == ('AppFriendlyName                 : (STRING) "Shop Two"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} SET W3SVC/1/ROOT/Shop/AspScriptTimeout 0x78")
    assert (out, rc) == ("AspScriptTimeout                : (INTEGER) 120\n", 0)
    out, _err, rc = run(m, f'{ADSUTIL} SET W3SVC/1/ServerBindings ":8080:" ":81:"')
    assert (out, rc) == ('ServerBindings                  : (LIST) ":8080:" ":81:" \n', 0)
    shop = m.metabase.resolve("W3SVC/1/ROOT/Shop")
    assert m.metabase.stored(shop, "AppFriendlyName") == "Shop Two"
    assert m.metabase.stored(shop, "AspScriptTimeout") == 120
    out, _err, rc = run(m, f"{ADSUTIL} SET W3SVC/1/ServerComment")
    assert (out, rc) == ("Error: Wrong number of Args for the SET command\n", 2)


def test_adsutil_find_delete_create():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} FIND W3SVC/AppIsolated")
    assert rc == 0
    assert out == ("Property AppIsolated found at:\n  W3SVC\n  W3SVC/1/ROOT\n  W3SVC/1/ROOT/Shop\n  W3SVC/2/ROOT\n")
    out, _err, rc = run(m, f"{ADSUTIL} CREATE_VDIR W3SVC/1/ROOT/New")
    assert (out, rc) == ('created "W3SVC/1/ROOT/New"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} DELETE W3SVC/1/ROOT/New")
    assert (out, rc) == ('deleted path "W3SVC/1/ROOT/New"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} DELETE W3SVC/1/ROOT/Shop/AppFriendlyName")
    assert (out, rc) == ('deleted property "AppFriendlyName"\n', 0)


def test_adsutil_unknown_command_and_no_arguments():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} APPCREATEPOOLPROC W3SVC/1/ROOT/Shop")
    assert rc == 2 and out.startswith("Command not recognized: APPCREATEPOOLPROC\n")
    out, _err, rc = run(m, ADSUTIL)
    assert rc == 2 and "Usage:" in out


def test_app_commands_and_status():
    m = machine(1)
    out, _err, rc = run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Status: 0\n", 0)  # isolated, not loaded yet
    m.served_version(1, "/Shop/cart.asp")
    out, _err, rc = run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Status: 1\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Status: 0\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1")
    assert (out, rc) == ("Application Status: 2\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} APPCREATEINPROC W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Created.\n", 0)
    assert not m.metabase.isolated(m.metabase.resolve("W3SVC/1/ROOT/Shop"))
    out, _err, rc = run(m, f"{ADSUTIL} APPDELETE W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Deleted.\n", 0)
    out, _err, rc = run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Nope")
    assert rc == (-2147024893 & HEX)
    assert out.endswith("Error trying to get the path of the application: W3SVC/1/ROOT/Nope\n")


def test_adsutil_errors_go_to_stdout_only():
    m = machine(1)
    _out, err, _rc = run(m, f"{ADSUTIL} GET W3SVC/99/X")
    assert err == ""

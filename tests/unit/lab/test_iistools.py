"""net, sc, cscript/adsutil.vbs and regsvr32 on a lab machine, driven through real command lines."""

from __future__ import annotations

import re
import time

import pytest

from tests.lab.config import AppConfig, HostConfig, SiteConfig, Timing, default_host
from tests.lab.events import EventLog
from tests.lab.host import boot
from tests.lab.machine import Machine

ADSUTIL = "cscript //nologo C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
HEX = 0xFFFFFFFF


def fast_timing(**kw) -> Timing:
    values = {"default_stop": 0.0, "default_start": 0.0, "net_poll": 0.01, "net_give_up": 0.3}
    values.update(kw)
    return Timing(**values)


def machine(index: int = 0, **overrides) -> Machine:
    """Fleet host ``index`` (0: in-process shop + FTP + SMTP; 1: isolated shop) with instant services."""
    cfg = default_host(index, "127.0.0.2")
    cfg.timing = fast_timing()
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return boot(cfg, EventLog())


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def helpmsg(message: str, number: int) -> str:
    return f"{message}\n\nMore help is available by typing NET HELPMSG {number}.\n\n"


def run(m: Machine, line: str, stdin: bytes | None = None) -> tuple[str, str, int]:
    out, err, rc = m.run(line, stdin=stdin)
    assert rc is not None
    return out.replace("\r\n", "\n"), err.replace("\r\n", "\n"), rc


# ==================================================================================================
# net


def test_net_start_lists_started_services_with_the_nt4_header():
    m = machine(1)
    out, err, rc = run(m, "net start")
    assert rc == 0 and err == ""
    assert out == (
        "These Windows NT services are started:\n\n"
        "   Alerter\n   Computer Browser\n   EventLog\n   IIS Admin Service\n   License Logging Service\n"
        "   Messenger\n   MSDTC\n   NT LM Security Support Provider\n   Plug and Play\n   Protected Storage\n"
        "   Remote Procedure Call (RPC) Service\n   Server\n   Spooler\n   TCP/IP NetBIOS Helper\n   Workstation\n"
        "   World Wide Web Publishing Service\n\nThe command completed successfully.\n\n"
    )


def test_output_is_cp437_with_crlf():
    m = machine(1)
    cmd = m.start_command("net stop w3svc")
    data = b""
    while True:
        o, _e, done, rc = cmd.read(1.0)
        data += o
        if done:
            break
    assert rc == 0
    assert data == (
        b"The World Wide Web Publishing Service service is stopping.\r\n"
        b"The World Wide Web Publishing Service service was stopped successfully.\r\n\r\n"
    )


def test_net_stop_iisadmin_y_stops_dependants_in_listed_order_then_iis_admin():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin /y")
    assert (rc, err) == (0, "")
    assert out == (
        "The following services are dependent on the IIS Admin Service service.\n"
        "Stopping the IIS Admin Service service will also stop these services.\n\n"
        "   FTP Publishing Service\n   Microsoft SMTP Service\n   World Wide Web Publishing Service\n\n"
        "The FTP Publishing Service service is stopping.\n"
        "The FTP Publishing Service service was stopped successfully.\n\n"
        "The Microsoft SMTP Service service is stopping.\n"
        "The Microsoft SMTP Service service was stopped successfully.\n\n"
        "The World Wide Web Publishing Service service is stopping.\n"
        "The World Wide Web Publishing Service service was stopped successfully.\n\n"
        "The IIS Admin Service service is stopping.\n"
        "The IIS Admin Service service was stopped successfully.\n\n"
    )
    stops = [e.detail["name"] for e in m.log.events(kind="service") if e.detail["new"] == "STOPPED"]
    assert stops == ["MSFTPSVC", "SMTPSVC", "W3SVC", "IISADMIN"]


def test_net_stop_without_y_reads_eof_and_aborts():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin", stdin=b"")
    assert rc == 2
    assert out.endswith("   World Wide Web Publishing Service\n\nDo you want to continue this operation? (Y/N) [N]: \n")
    assert err == "No valid response was provided.\n\n"
    assert m.service_states()["W3SVC"] == "RUNNING"


def test_net_stop_without_y_and_no_stdin_at_all_sees_eof_after_a_grace_period():
    m = machine(0)
    started = time.monotonic()
    _out, err, rc = run(m, "net stop iisadmin")
    assert rc == 2 and "No valid response was provided." in err
    assert time.monotonic() - started < 5


def test_net_stop_answered_n_aborts_and_y_proceeds():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin", stdin=b"N\r\n")
    assert (rc, err) == (2, "")
    assert out.endswith("(Y/N) [N]: \n")
    assert m.service_states()["IISADMIN"] == "RUNNING"
    out, err, rc = run(m, "net stop iisadmin", stdin=b"y\r\n")
    assert (rc, err) == (0, "")
    assert out.endswith("The IIS Admin Service service was stopped successfully.\n\n")
    assert m.service_states()["IISADMIN"] == "STOPPED"


def test_net_start_iisadmin_does_not_restart_dependants():
    m = machine(0)
    run(m, "net stop iisadmin /y")
    out, err, rc = run(m, "net start iisadmin")
    assert (rc, err) == (0, "")
    assert (
        out == "The IIS Admin Service service is starting.\nThe IIS Admin Service service was started successfully.\n\n"
    )
    states = m.service_states()
    assert states["IISADMIN"] == "RUNNING"
    assert states["W3SVC"] == states["MSFTPSVC"] == states["SMTPSVC"] == "STOPPED"


def test_net_start_w3svc_starts_iis_admin_first_but_reports_only_w3svc():
    m = machine(1)
    run(m, "net stop iisadmin /y")
    out, err, rc = run(m, "net start w3svc")
    assert (rc, err) == (0, "")
    assert out == (
        "The World Wide Web Publishing Service service is starting.\n"
        "The World Wide Web Publishing Service service was started successfully.\n\n"
    )
    assert m.service_states()["IISADMIN"] == "RUNNING"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("net start w3svc", helpmsg("The requested service has already been started.", 2182)),
        ("net stop nosuch", helpmsg("The service name is invalid.", 2185)),
        ('net stop "World Wide Web Publishing Service"', helpmsg("The service name is invalid.", 2185)),
        ("net stop eventlog", helpmsg("The requested pause or stop is not valid for this service.", 2191)),
    ],
)
def test_net_errors_go_to_stderr_with_exit_code_2(line, message):
    m = machine(1)
    out, err, rc = run(m, line)
    assert (out, err, rc) == ("", message, 2)


def test_net_stop_of_a_stopped_service():
    m = machine(1)
    run(m, "net stop w3svc")
    out, err, rc = run(m, "net stop W3SVC")
    assert (out, rc) == ("", 2)
    assert err == (
        "The World Wide Web Publishing Service service is not started.\n\n"
        "More help is available by typing NET HELPMSG 3521.\n\n"
    )


def test_net_prints_one_dot_per_poll_while_pending():
    m = machine(1)
    m.config.timing = fast_timing(default_stop=0.2, net_poll=0.02)
    out, _err, rc = run(m, "net stop w3svc")
    assert rc == 0
    dots = re.match(r"The World Wide Web Publishing Service service is stopping(\.+)\n", out).group(1)
    assert 5 <= len(dots) <= 13


def test_stuck_stop_makes_net_give_up():
    m = machine(1)
    m.config.faults.stuck_stop = {"W3SVC"}
    started = time.monotonic()
    out, err, rc = run(m, "net stop w3svc")
    assert rc == 2
    assert time.monotonic() - started >= 0.3
    assert re.fullmatch(r"The World Wide Web Publishing Service service is stopping\.+\n", out)
    assert err == "The World Wide Web Publishing Service service could not be stopped.\n\n"
    assert m.service_states()["W3SVC"] == "STOP_PENDING"
    # while it hangs, net refuses to touch it
    out, err, rc = run(m, "net start w3svc")
    assert (out, err, rc) == ("", "The service is starting or stopping.  Please try again later.\n\n", 2)
    m.config.faults.stuck_stop = set()
    time.sleep(0.2)
    assert m.service_states()["W3SVC"] == "STOPPED"


def test_stuck_dependant_aborts_net_stop_iisadmin():
    m = machine(0)
    m.config.faults.stuck_stop = {"W3SVC"}
    out, err, rc = run(m, "net stop iisadmin /y")
    assert rc == 2
    assert "The World Wide Web Publishing Service service could not be stopped." in err
    assert "The IIS Admin Service service is stopping" not in out
    assert m.service_states()["IISADMIN"] == "RUNNING"


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        ("specific:5", helpmsg("A service specific error occurred: 5.", 3547)),
        ("noreport", helpmsg("The service did not report an error.", 3534)),
        ("system:1067", "System error 1067 has occurred.\n\nThe process terminated unexpectedly.\n\n"),
    ],
)
def test_fail_start_texts(fault, detail):
    m = machine(1)
    run(m, "net stop w3svc")
    m.config.faults.fail_start = {"W3SVC": fault}
    out, err, rc = run(m, "net start w3svc")
    assert rc == 2
    assert out == "The World Wide Web Publishing Service service is starting.\n"
    assert err == "The World Wide Web Publishing Service service could not be started.\n\n" + detail


def test_dependency_failure_text():
    m = machine(1)
    run(m, "net stop iisadmin /y")
    m.config.faults.fail_start = {"IISADMIN": "specific:1"}
    out, err, rc = run(m, "net start w3svc")
    assert (out, rc) == ("", 2)
    assert err == "System error 1068 has occurred.\n\nThe dependency service or group failed to start.\n\n"


def test_net_exit_code_drives_if_errorlevel():
    m = machine(1)
    out, _err, rc = run(m, "net start w3svc & if errorlevel 2 echo RC2")
    assert "RC2" in out


# ==================================================================================================
# sc


def test_sc_query_running_shared_process_service():
    m = machine(1)
    out, err, rc = run(m, "sc query W3SVC")
    assert (rc, err) == (0, "")
    assert out == (
        "\nSERVICE_NAME: W3SVC\n"
        "        TYPE               : 20  WIN32_SHARE_PROCESS\n"
        "        STATE              : 4  RUNNING\n"
        "                                (STOPPABLE,PAUSABLE,ACCEPTS_SHUTDOWN)\n"
        "        WIN32_EXIT_CODE    : 0  (0x0)\n"
        "        SERVICE_EXIT_CODE  : 0  (0x0)\n"
        "        CHECKPOINT         : 0x0\n"
        "        WAIT_HINT          : 0x0\n\n"
    )


def test_sc_query_stopped_and_failed_service():
    m = machine(1)
    run(m, "net stop w3svc")
    m.config.faults.fail_start = {"W3SVC": "specific:42"}
    run(m, "net start w3svc")
    out, _err, rc = run(m, "sc query w3svc")
    assert rc == 0
    assert "SERVICE_NAME: w3svc\n" in out
    assert "        STATE              : 1  STOPPED\n" in out
    assert "                                (NOT_STOPPABLE,NOT_PAUSABLE,IGNORES_SHUTDOWN)\n" in out
    assert "        WIN32_EXIT_CODE    : 1066  (0x42a)\n" in out
    assert "        SERVICE_EXIT_CODE  : 42  (0x2a)\n" in out


def test_sc_query_pending_state():
    m = machine(1)
    m.config.timing = fast_timing(default_stop=1.0)
    m.scm.stop("W3SVC")
    out, _err, _rc = run(m, "sc query w3svc")
    assert "        STATE              : 3  STOP_PENDING\n" in out
    assert "        WAIT_HINT          : 0x7d0\n" in out


def test_sc_qc():
    m = machine(1)
    out, err, rc = run(m, "sc qc iisadmin")
    assert (rc, err) == (0, "")
    assert out == (
        "[SC] GetServiceConfig SUCCESS\n\n"
        "SERVICE_NAME: iisadmin\n"
        "        TYPE               : 20  WIN32_SHARE_PROCESS\n"
        "        START_TYPE         : 2   AUTO_START\n"
        "        ERROR_CONTROL      : 1   NORMAL\n"
        "        BINARY_PATH_NAME   : C:\\WINNT\\System32\\inetsrv\\inetinfo.exe\n"
        "        LOAD_ORDER_GROUP   :\n"
        "        TAG                : 0\n"
        "        DISPLAY_NAME       : IIS Admin Service\n"
        "        DEPENDENCIES       : RPCSS\n"
        "        SERVICE_START_NAME : LocalSystem\n\n"
    )


def test_sc_missing_service_is_1060():
    m = machine(1)
    out, _err, rc = run(m, "sc qc nosuch")
    assert rc == 1060
    assert out == "[SC] OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n\n"


def test_sc_absent_without_the_resource_kit():
    m = machine(1, has_sc=False)
    out, err, rc = run(m, "sc query w3svc")
    assert rc == 1 and out == ""
    assert "not recognized" in err


# ==================================================================================================
# cscript and adsutil.vbs


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
    assert (out, rc) == ('ServerBindings                  : (LIST)  (1 Items)\n  ":80:"\n', 0)
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
        '  ":80:"\n'
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
    assert (out, rc) == ('ServerBindings        :(Variant()) ":80:"\n', 0)


def test_adsutil_set_echoes_and_stores():
    m = machine(1)
    out, _err, rc = run(m, f'{ADSUTIL} SET W3SVC/1/ROOT/Shop/AppFriendlyName "Shop Two"')
    assert (out, rc) == ('AppFriendlyName                 : (STRING) "Shop Two"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} SET W3SVC/1/ROOT/Shop/AspScriptTimeout 0x78")
    assert (out, rc) == ("AspScriptTimeout                : (INTEGER) 120\n", 0)
    out, _err, rc = run(m, f'{ADSUTIL} SET W3SVC/1/ServerBindings ":80:" ":81:"')
    assert (out, rc) == ('ServerBindings                  : (LIST) ":80:" ":81:" \n', 0)
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


# ==================================================================================================
# regsvr32


def test_regsvr32_registers_a_lab_dll():
    m = machine(1)
    out, err, rc = run(m, "regsvr32 /s C:\\InetPub\\shop\\bin\\ShopCart.dll")
    assert (out, err, rc) == ("", "", 0)
    reg = m.registrations["c:\\inetpub\\shop\\bin\\shopcart.dll"]
    assert reg["version"] == "1.0.0.0" and reg["registered"] is True
    _out, _err, rc = run(m, "regsvr32 /s /u C:\\InetPub\\shop\\bin\\ShopCart.dll")
    assert rc == 0 and m.registrations["c:\\inetpub\\shop\\bin\\shopcart.dll"]["registered"] is False


def test_regsvr32_failures():
    m = machine(1)
    assert run(m, "regsvr32 /s C:\\nothing.dll")[2] == 3
    m.write_file("C:\\notes.dll", b"hello")
    assert run(m, "regsvr32 /s C:\\notes.dll")[2] == 3
    assert run(m, "regsvr32")[2] == 1
    m.config.faults.regsvr32_fail = 5
    assert run(m, "regsvr32 /s C:\\InetPub\\shop\\bin\\ShopCart.dll")[2] == 5
    assert "c:\\inetpub\\shop\\bin\\shopcart.dll" not in m.registrations


def test_default_host_shape_is_what_the_tests_assume():
    cfg = default_host(0, "127.0.0.2")
    assert cfg.services == ["IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"]
    assert not cfg.sites[0].apps[1].isolated
    assert isinstance(HostConfig(sites=[SiteConfig(apps=[AppConfig("/")])]), HostConfig)

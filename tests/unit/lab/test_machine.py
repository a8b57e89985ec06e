"""The whole lab machine: DLL locks held by inetinfo.exe / mtx.exe, the KB Q315663 procedures, the web server,
the Command runner and introspection."""

from __future__ import annotations

import time

import pytest

from tests.lab.host import boot
from tests.lab.machine import web
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL, AppConfig, HostConfig, SiteConfig, Timing, default_host
from tests.lab.machine.dll import dll_version, make_dll
from tests.lab.machine.events import EventLog
from tests.lab.machine.machine import Machine

ADSUTIL = "cscript //nologo C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
SHARING = "The process cannot access the file because it is being used by another process.\r\n"


def machine(index: int, **overrides) -> Machine:
    cfg = default_host(index, "127.0.0.2")
    cfg.timing = Timing(default_stop=0.0, default_start=0.0, net_poll=0.01, net_give_up=0.3)
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return boot(cfg, EventLog())


def copy_staged(m: Machine) -> tuple[str, str, int]:
    out, err, rc = m.run(f"copy {STAGED_DLL} {SHOP_DLL}")
    return out, err, rc


def holders(m: Machine, path: str) -> list[str]:
    return m.fs.lock_holders(path)


# ==================================================================================================
# construction


def test_machine_has_the_system_files_services_and_processes():
    m = machine(0)
    for path in (
        "C:\\WINNT\\system32\\inetsrv\\inetinfo.exe",
        "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs",
        "C:\\WINNT\\system32\\sc.exe",
        "C:\\InetPub\\wwwroot",
        "C:\\InetPub\\shop",
        "C:\\InetPub\\intranet",
        SHOP_DLL,
        STAGED_DLL,
    ):
        assert m.fs.exists(path), path
    assert set(m.programs) >= {"net", "sc", "cscript", "regsvr32", "fc"}
    assert m.processes.inetinfo is not None
    assert m.env["COMPUTERNAME"] == "WEB01" and m.env["SystemRoot"] == "C:\\WINNT" and m.env["OS"] == "Windows_NT"
    assert m.service_states()["W3SVC"] == "RUNNING"
    assert m.loaded_images() == {f"inetinfo.exe:{m.processes.inetinfo.pid}": []}


def test_no_sc_program_without_the_resource_kit():
    assert "sc" not in machine(1, has_sc=False).programs


def test_environment_reaches_commands():
    m = machine(1)
    out, _err, rc = m.run("echo %COMPUTERNAME% %SystemRoot% %PROCESSOR_ARCHITECTURE%")
    assert (out, rc) == ("WEB02 C:\\WINNT x86\r\n", 0)
    cmd = m.start_command("echo %LABVAR%", env={"LABVAR": "hello"})
    assert cmd.wait(5) == 0
    assert cmd.read(0)[0] == b"hello\r\n"


# ==================================================================================================
# in-process application: the DLL is held by inetinfo.exe until IIS is fully stopped (KB Q315663)


def test_in_process_dll_locked_until_net_stop_iisadmin_y():
    m = machine(0)
    assert m.served_version(1, "/Shop/cart.asp") == "1.0.0.0"
    pid = m.processes.inetinfo.pid
    assert holders(m, SHOP_DLL) == [f"inetinfo.exe:{pid}"]

    out, err, rc = copy_staged(m)
    assert (out, err) == ("        0 file(s) copied.\r\n", SHARING)
    assert rc != 0
    _out, err, _rc = m.run(f"del {SHOP_DLL}")
    assert err == f"{SHOP_DLL}\r\nAccess is denied.\r\n"
    assert dll_version(m.file_bytes(SHOP_DLL)) == "1.0.0.0"

    # stopping only the web service is not enough: inetinfo.exe still runs (FTP, SMTP, IIS Admin)
    m.run("net stop w3svc")
    assert m.processes.inetinfo is not None and holders(m, SHOP_DLL)
    assert copy_staged(m)[2] != 0

    _out, _err, rc = m.run("net stop iisadmin /y")
    assert rc == 0
    assert m.processes.inetinfo is None and holders(m, SHOP_DLL) == []
    out, err, rc = copy_staged(m)
    assert (out, err, rc) == ("        1 file(s) copied.\r\n", "", 0)

    m.run("net start iisadmin")
    states = m.service_states()
    assert states["IISADMIN"] == "RUNNING" and states["W3SVC"] == "STOPPED"
    assert m.served_version(1, "/Shop/cart.asp") is None  # W3SVC is down: refused
    m.run("net start w3svc")
    assert m.processes.inetinfo.pid != pid
    assert m.served_version(1, "/Shop/cart.asp") == "2.0.0.0"


def test_app_unload_of_an_in_process_app_frees_nothing():
    m = machine(0)
    m.served_version(1, "/Shop/")
    out, _err, rc = m.run(f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\r\n", 0)
    assert holders(m, SHOP_DLL)


def test_app_delete_of_an_in_process_app_keeps_the_dll_loaded():
    m = machine(0)
    m.served_version(1, "/Shop/")
    m.run(f"{ADSUTIL} APPDELETE W3SVC/1/ROOT/Shop")
    assert holders(m, SHOP_DLL)


# ==================================================================================================
# isolated application: the DLL is held by the app's mtx.exe until APPUNLOAD


def test_isolated_dll_is_freed_by_appunload_and_the_next_request_loads_the_new_one():
    m = machine(1)
    body = web.handle_request(m, 8080, "/Shop/cart.asp")[2].decode()
    mtx = m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop")
    assert body == f"app=/LM/W3SVC/1/ROOT/Shop process=mtx.exe pid={mtx.pid} component=ShopCart version=1.0.0.0\r\n"
    assert holders(m, SHOP_DLL) == [f"mtx.exe:{mtx.pid}"]
    assert copy_staged(m)[1] == SHARING

    out, _err, rc = m.run(f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\r\n", 0)
    assert m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop") is None
    assert holders(m, SHOP_DLL) == []
    assert copy_staged(m)[2] == 0
    # W3SVC never stopped; the other site kept serving
    assert m.service_states()["W3SVC"] == "RUNNING"
    body = web.handle_request(m, 8080, "/Shop/cart.asp")[2].decode()
    new = m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop")
    assert new.pid != mtx.pid
    assert body.endswith(f"pid={new.pid} component=ShopCart version=2.0.0.0\r\n")


def test_appunload_with_the_wrong_case_frees_nothing_kb_q246111():
    m = machine(1)
    m.served_version(1, "/Shop/")
    out, _err, rc = m.run(f"{ADSUTIL} APPUNLOAD W3SVC/1/Root/Shop")
    assert (out, rc) == ("Application Unloaded.\r\n", 0)
    assert m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop") is not None
    assert copy_staged(m)[1] == SHARING
    unload = [e.detail for e in m.log.events(kind="app") if e.detail["action"] == "unload"]
    assert unload[-1]["ended"] is False and "Q246111" in unload[-1]["reason"]


def test_unload_noop_fault_reports_success_but_mtx_keeps_running():
    m = machine(1)
    m.served_version(1, "/Shop/")
    m.config.faults.unload_noop = True
    out, _err, rc = m.run(f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\r\n", 0)
    assert holders(m, SHOP_DLL)
    m.config.faults.unload_noop = False
    m.run(f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert not holders(m, SHOP_DLL)


def test_stopping_w3svc_ends_the_isolated_processes():
    m = machine(1)
    m.served_version(1, "/Shop/")
    m.served_version(2, "/")
    assert len(m.processes.mtx) == 2
    m.run("net stop w3svc")
    assert m.processes.mtx == {} and not holders(m, SHOP_DLL)
    assert m.processes.inetinfo is not None  # IIS Admin still runs


def test_switching_an_app_to_in_process_moves_its_components():
    m = machine(1)
    m.served_version(1, "/Shop/")
    m.run(f"{ADSUTIL} APPCREATEINPROC W3SVC/1/ROOT/Shop")
    assert m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop") is None
    body = web.handle_request(m, 8080, "/Shop/")[2].decode()
    assert "process=inetinfo.exe" in body


# ==================================================================================================
# a loaded image may be renamed (or not) and the process keeps what it mapped


def test_renaming_a_loaded_dll_follows_rename_loaded_image():
    m = machine(0)
    m.served_version(1, "/Shop/")
    out, err, rc = m.run(f"ren {SHOP_DLL} ShopCart.old")
    assert (out, err) == ("", "")
    old = SHOP_DLL.replace("ShopCart.dll", "ShopCart.old")
    assert m.fs.exists(old) and not m.fs.exists(SHOP_DLL)
    assert copy_staged(m)[2] == 0
    assert dll_version(m.file_bytes(SHOP_DLL)) == "2.0.0.0"
    # inetinfo.exe still runs the image it mapped, now called ShopCart.old
    assert m.served_version(1, "/Shop/") == "1.0.0.0"
    assert m.loaded_images()[f"inetinfo.exe:{m.processes.inetinfo.pid}"] == [old]
    _out, err, _rc = m.run(f"del {old}")
    assert "Access is denied." in err


def test_renaming_a_loaded_dll_fails_when_the_loader_forbids_it():
    m = machine(0, rename_loaded_image=False)
    m.served_version(1, "/Shop/")
    _out, err, _rc = m.run(f"ren {SHOP_DLL} ShopCart.old")
    assert err == SHARING
    assert m.fs.exists(SHOP_DLL)


# ==================================================================================================
# web server


def test_web_request_refused_while_w3svc_is_down():
    m = machine(1)
    m.run("net stop w3svc")
    with pytest.raises(ConnectionRefusedError):
        web.handle_request(m, 8080, "/")
    refused = [e for e in m.log.events(kind="web") if e.detail.get("status") == "refused"]
    assert refused


def test_web_maps_ports_to_sites_and_urls_to_applications():
    m = machine(1)
    status, headers, body = web.handle_request(m, 8081, "/anything.asp")
    mtx = m.processes.mtx_for("/LM/W3SVC/2/ROOT")
    assert status == 200 and headers["Content-Type"] == "text/plain"
    assert body == f"app=/LM/W3SVC/2/ROOT process=mtx.exe pid={mtx.pid}\r\n".encode()
    status, _h, body = web.handle_request(m, 8080, "/default.asp")
    pid = m.processes.inetinfo.pid
    assert body == f"app=/LM/W3SVC/1/ROOT process=inetinfo.exe pid={pid}\r\n".encode()
    event = m.log.events(kind="web")[-1].detail
    assert event["status"] == 200 and event["app"] == "/LM/W3SVC/1/ROOT"


def test_a_component_that_cannot_load_gives_500():
    cfg = HostConfig(
        sites=[SiteConfig(apps=[AppConfig("/", isolated=False, components=["C:\\InetPub\\wwwroot\\missing.dll"])])]
    )
    m = boot(cfg, EventLog())
    status, _h, body = web.handle_request(m, cfg.web_port, "/")
    assert status == 500 and b"ASP 0177" in body


def test_several_components_one_line_each():
    cfg = HostConfig(
        sites=[SiteConfig(apps=[AppConfig("/", isolated=True, components=["C:\\app\\a.dll", "C:\\app\\b.dll"])])],
        files={"C:\\app\\a.dll": make_dll("CompA", "1.1"), "C:\\app\\b.dll": make_dll("CompB", "3.0")},
    )
    m = boot(cfg, EventLog())
    lines = web.handle_request(m, cfg.web_port, "/x.asp")[2].decode().splitlines()
    assert [ln.split()[-2:] for ln in lines] == [["component=CompA", "version=1.1"], ["component=CompB", "version=3.0"]]


# ==================================================================================================
# Command runner and event log


def test_commands_are_logged_with_rc_and_duration():
    m = machine(1)
    m.run("net stop nosuch")
    event = m.log.events(kind="command")[-1].detail
    assert event["line"] == "net stop nosuch" and event["rc"] == 2 and event["seconds"] >= 0


def test_start_command_returns_at_once_and_read_waits_for_output():
    m = machine(1)
    m.config.timing.default_stop = 0.3
    started = time.monotonic()
    cmd = m.start_command("net stop w3svc")
    returned = time.monotonic()
    out, err, done, rc = cmd.read(5.0)
    assert out.startswith(b"The World Wide Web Publishing Service service is stopping") and not done
    while not done:
        chunk, _e, done, rc = cmd.read(1.0)
        out += chunk
    assert rc == 0 and out.endswith(b"stopped successfully.\r\n\r\n") and err == b""
    # start_command returned before the line ended: its end is logged after that moment
    (ended,) = [e for e in m.log.events(kind="command", since=started) if e.detail["line"] == "net stop w3svc"]
    assert ended.t > returned


def test_stdin_answers_the_net_prompt():
    m = machine(0)
    cmd = m.start_command("net stop iisadmin")
    time.sleep(0.1)
    cmd.write_stdin(b"Y\r\n", eof=False)
    assert cmd.wait(10) == 0
    assert m.service_states()["IISADMIN"] == "STOPPED"


def test_terminate_ends_a_command_at_once():
    m = machine(1)
    m.config.faults.stuck_stop = {"W3SVC"}
    m.config.timing.net_give_up = 30
    cmd = m.start_command("net stop w3svc")
    time.sleep(0.1)
    cmd.signal("terminate")
    _out, _err, done, rc = cmd.read(1.0)
    assert done and rc == 0xC000013A
    m.config.faults.stuck_stop = set()


def test_ctrl_c_cancels_a_waiting_net():
    m = machine(1)
    m.config.faults.stuck_stop = {"W3SVC"}
    m.config.timing.net_give_up = 30
    cmd = m.start_command("net stop w3svc")
    time.sleep(0.1)
    cmd.signal("ctrl_c")
    assert cmd.wait(5) == 0xC000013A
    m.config.faults.stuck_stop = set()


def test_state_summary_for_the_control_api():
    m = machine(1)
    m.served_version(1, "/Shop/")
    state = m.state()
    assert state["services"]["W3SVC"] == "RUNNING"
    images = {p["image"]: p["images"] for p in state["processes"]}
    assert images["mtx.exe"] == [SHOP_DLL]
    assert {"path": "/LM/W3SVC/1/ROOT/Shop", "isolated": True} in state["applications"]

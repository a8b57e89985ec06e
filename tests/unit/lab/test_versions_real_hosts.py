"""Issue 21: what each Windows version really is, not IIS 4 with other tool names.

Every test cites the source of the behaviour it checks (the facts file's section "Where real hosts differ from an
IIS 4 picture", and the sources it names).
"""

from __future__ import annotations

import pytest

from tests.lab.harness.fixtures import wait_until
from tests.lab.host import boot
from tests.lab.machine.config import SHOP_DLL, AppPoolConfig, ForeignLoader, PackageConfig
from tests.lab.machine.dll import make_dll
from tests.lab.machine.events import EventLog
from tests.lab.machine.scm import RUNNING, STOPPED
from tests.unit.lab.versions_harness import config, get, holders, host, images, run

NET_START_HEAD = "These Windows NT services are started:"


def started(m) -> list[str]:
    out, _err, rc = run(m, "net start")
    assert rc == 0 and out.startswith(NET_START_HEAD)
    return [line.strip() for line in out.splitlines() if line.startswith("   ")]


# --------------------------------------------------------------------------------------------------
# service tables (technet cc787028 for SMTP; dd364124 for WAS; KB Q236166 for IIS 4)


@pytest.mark.parametrize(
    ("kind", "smtp"),
    [
        ("nt4", "Microsoft SMTP Service"),  # KB Q236166
        ("w2k", "Simple Mail Transport Protocol (SMTP)"),  # not IIS 4's (cc787028); wording: a choice
        ("w2k3", "Simple Mail Transfer Protocol (SMTP)"),  # technet cc787028
    ],
)
def test_smtp_display_name_follows_the_windows_version(kind, smtp):
    m = host(kind, services=["IISADMIN", "W3SVC", "SMTPSVC"])
    assert smtp in started(m)
    assert m.scm.get("SMTPSVC").info.dependencies == ("IISADMIN",)
    # `net stop iisadmin /y` lists and stops the dependants by display name
    out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0
    assert f"   {smtp}\n" in out and "   World Wide Web Publishing Service\n" in out
    assert f"The {smtp} service was stopped successfully." in out
    assert m.scm.state("SMTPSVC") == STOPPED
    assert m.scm.get("SMTPSVC").name == "SMTPSVC"  # sc takes the key name whatever the display name


def test_iis7_has_was_and_w3svc_depends_on_it():
    """technet dd364124: W3SVC depends on WAS; no IIS Admin Service without the IIS 6 compatibility feature."""
    m = host("w2k8r2", services=["W3SVC"])
    assert m.scm.get("WAS").display == "Windows Process Activation Service"
    assert m.scm.get("W3SVC").info.dependencies == ("HTTP", "WAS")  # IIS 10 registry dump (review S12)
    assert m.scm.get("IISADMIN") is None
    assert "Windows Process Activation Service" in started(m)
    _out, err, rc = run(m, "net stop iisadmin /y")
    assert rc == 2 and "The service name is invalid." in err
    assert m.processes.inetinfo is None  # nothing is hosted by inetinfo.exe


def test_iis7_net_stop_was_stops_w3svc_and_frees_w3wp():
    """dd364124: the workers belong to WAS; `net stop WAS /y` stops W3SVC with it and w3wp.exe goes."""
    m = host("w2k8r2", services=["W3SVC"])
    assert get(m)[0] == 200
    assert images(m) == ["w3wp.exe"]
    out, _err, rc = run(m, "net stop WAS /y")
    assert rc == 0
    assert "   World Wide Web Publishing Service\n" in out
    assert m.scm.state("W3SVC") == STOPPED and m.scm.state("WAS") == STOPPED
    assert holders(m) == []
    assert run(m, "net start w3svc")[2] == 0  # starting W3SVC starts WAS first
    assert m.scm.state("WAS") == RUNNING


def test_iis7_net_stop_iisadmin_does_not_free_a_dll_held_by_w3wp():
    """With the compatibility feature IISADMIN exists, but W3SVC does not depend on it (dd364124)."""
    m = host("w2k8r2", services=["W3SVC"], iis6_metabase_compat=True)
    assert m.scm.get("IISADMIN") is not None
    assert get(m)[0] == 200
    out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0 and "World Wide Web" not in out
    assert m.scm.state("W3SVC") == RUNNING
    assert images(m) == ["w3wp.exe"]


def test_iis7_smtp_brings_iisadmin_and_the_compatibility_feature():
    """Facts: SMTP on 2008/2012 still needs IIS Admin, which only the IIS 6 compatibility components install."""
    m = host("w2k8r2", services=["W3SVC", "SMTPSVC"])
    assert m.config.iis6_metabase_compat and m.config.adsutil_path
    assert m.scm.get("SMTPSVC").display == "Simple Mail Transfer Protocol (SMTP)"
    names = started(m)
    assert {"IIS Admin Service", "Simple Mail Transfer Protocol (SMTP)", "World Wide Web Publishing Service"} <= set(
        names
    )
    out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0 and "   Simple Mail Transfer Protocol (SMTP)\n" in out
    assert m.scm.state("W3SVC") == RUNNING


def test_iisreset_on_iis7_stops_and_starts_was_and_w3svc():
    m = host("w2k8r2", services=["W3SVC"])
    get(m)
    out, _err, rc = run(m, "iisreset /stop")
    assert rc == 0 and m.scm.state("WAS") == STOPPED and holders(m) == []
    assert run(m, "iisreset /start")[2] == 0
    assert m.scm.state("W3SVC") == RUNNING and m.scm.state("WAS") == RUNNING


# --------------------------------------------------------------------------------------------------
# COM+ keeps MTSAdmin.Catalog.1 ("MTS Administration Library" docs)


@pytest.mark.parametrize("kind", ["w2k", "xp", "w2k3", "w2k8r2"])
def test_complus_hosts_register_both_catalog_objects(kind):
    m = host(kind)
    assert m.catalog.kind == "complus"
    assert [p.lower() for p in m.catalog.progids] == ["comadmin.comadmincatalog", "mtsadmin.catalog.1"]


def test_nt4_mts_host_has_only_the_mts_object():
    m = host("nt4", catalog="mts")
    assert m.catalog.progids == ("MTSAdmin.Catalog.1",)


# --------------------------------------------------------------------------------------------------
# application pools: stopped before the run, asynchronous AppPoolCommand (cc787263)


POOL = "Shop Pool (x), A&B: 1"


def test_a_pool_stopped_before_the_run_stays_stopped_and_answers_503():
    m = host("w2k3", app_pools=[AppPoolConfig(POOL, started=False)], shop={"isolation": 2, "app_pool": POOL})
    assert m.pool_state(POOL) == 4
    assert get(m)[0] == 503
    assert holders(m) == []
    adsutil = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"
    out, _err, rc = run(m, f'{adsutil} GET "W3SVC/AppPools/{POOL}/AppPoolState"')
    assert (out, rc) == ("AppPoolState                    : (INTEGER) 4\n", 0)


def test_app_pool_command_passes_through_starting_and_stopping():
    m = host("w2k3", app_pools=[AppPoolConfig("ShopPool")], shop={"isolation": 2, "app_pool": "ShopPool"})
    m.config.timing.pool_transition = 0.3
    key = m.metabase.resolve("W3SVC/AppPools/ShopPool")
    m.metabase_changed(key, "AppPoolCommand", 2)
    assert m.pool_state("ShopPool") == 3
    assert wait_until(lambda: m.pool_state("ShopPool") == 4, timeout=5)
    m.metabase_changed(key, "AppPoolCommand", 1)
    assert m.pool_state("ShopPool") == 1
    assert wait_until(lambda: m.pool_state("ShopPool") == 2, timeout=5)


# --------------------------------------------------------------------------------------------------
# pool commands while the service that acts on them is stopped (review N10)


def test_iis6_app_pool_command_does_nothing_while_w3svc_is_stopped():
    """AppPoolCommand is acted on by the WWW service (technet cc787263): with W3SVC stopped the SET is stored and
    the pool keeps its state."""
    m = host("w2k3", app_pools=[AppPoolConfig("ShopPool")], shop={"isolation": 2, "app_pool": "ShopPool"})
    assert run(m, "net stop w3svc")[2] == 0
    adsutil = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"
    _out, _err, rc = run(m, f'{adsutil} SET "W3SVC/AppPools/ShopPool/AppPoolCommand" 2')
    assert rc == 0 and m.pool_state("ShopPool") == 2
    assert run(m, "net start w3svc")[2] == 0
    _out, _err, rc = run(m, f'{adsutil} SET "W3SVC/AppPools/ShopPool/AppPoolCommand" 2')
    assert rc == 0 and wait_until(lambda: m.pool_state("ShopPool") == 4, timeout=5)


@pytest.mark.parametrize("verb", ["stop", "start", "recycle"])
def test_appcmd_refuses_pool_commands_while_was_is_stopped(verb):
    """appcmd reaches a pool's runtime state through WAS; with WAS stopped it says so and changes nothing."""
    m = host(
        "w2k8r2",
        app_pools=[AppPoolConfig("ShopPool", started=verb != "start")],
        shop={"isolation": 2, "app_pool": "ShopPool"},
    )
    before = m.pool_state("ShopPool")
    assert run(m, "net stop was /y")[2] == 0
    out, _err, rc = run(m, f'C:\\Windows\\system32\\inetsrv\\appcmd.exe {verb} apppool /apppool.name:"ShopPool"')
    assert rc != 0
    assert out == "ERROR ( message:The WAS service is not available - try starting the service first. )\n"
    assert m.pool_state("ShopPool") == before


# --------------------------------------------------------------------------------------------------
# names with the tools' own punctuation (appcmd prints them inside quotes followed by (attr:value,...))


def test_appcmd_prints_names_with_punctuation_inside_quotes():
    cfg = config("w2k8r2", app_pools=[AppPoolConfig(POOL)], shop={"isolation": 2, "app_pool": POOL})
    cfg.sites[0].comment = "Web (A&B), main: 1"
    m = boot(cfg, EventLog())
    get(m)
    out, _err, rc = run(m, "C:\\Windows\\system32\\inetsrv\\appcmd.exe list apppool")
    assert rc == 0
    assert f'APPPOOL "{POOL}" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)\n' in out
    out, _err, rc = run(m, "C:\\Windows\\system32\\inetsrv\\appcmd.exe list app")
    assert f'APP "Web (A&B), main: 1/Shop" (applicationPool:{POOL})\n' in out
    out, _err, rc = run(m, "C:\\Windows\\system32\\inetsrv\\appcmd.exe list wp")
    assert f"(applicationPool:{POOL})\n" in out
    out, _err, rc = run(m, f'C:\\Windows\\system32\\inetsrv\\appcmd.exe stop apppool "/apppool.name:{POOL}"')
    assert (out, rc) == (f'"{POOL}" successfully stopped\n', 0)
    assert m.pool_state(POOL) == 4


def test_iisapp_and_adsutil_print_names_with_punctuation():
    m = host("w2k3", app_pools=[AppPoolConfig(POOL)], shop={"isolation": 2, "app_pool": POOL})
    get(m)
    out, _err, rc = run(m, "cscript //nologo C:\\WINDOWS\\system32\\iisapp.vbs")
    assert rc == 0 and out.endswith(f"AppPoolId: {POOL}\n")
    out, _err, rc = run(m, "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs GET W3SVC/1/ROOT/Shop/AppPoolId")
    assert (out, rc) == (f'AppPoolId                       : (STRING) "{POOL}"\n', 0)


def test_catalog_list_prints_package_names_with_punctuation():
    name = "Shop, Components & (x): 1"
    m = host("w2k", packages=[PackageConfig("{11111111-2222-3333-4444-555555555555}", name)])
    script = b'\' legacy_iis.iis4 catalog list\r\nSet c = CreateObject("MTSAdmin.Catalog.1")\r\n'
    m.fs.write("C:\\TEMP\\list.vbs", script)
    out, _err, rc = run(m, "cscript //nologo C:\\TEMP\\list.vbs")
    assert rc == 0
    assert f"PKG|{{11111111-2222-3333-4444-555555555555}}|{name}|Server|0|3\n" in out


# --------------------------------------------------------------------------------------------------
# holders: tlist titles (TList docs), a same-named DLL elsewhere (tasklist matches module names only)


def test_a_holder_list_by_file_name_names_a_different_dll_of_the_same_name():
    other = "C:\\Tools\\ShopCart.dll"
    cfg = config("w2k3", foreign_loaders=[ForeignLoader("cscript.exe", other)])
    cfg.files[other] = make_dll("ShopCart", "0.9.0.0", 8192)
    m = boot(cfg, EventLog())
    assert holders(m) == []  # nothing holds the installed DLL
    out, _err, rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert rc == 0
    assert out.startswith('"cscript.exe","') and out.rstrip().endswith('","ShopCart.dll"')


# --------------------------------------------------------------------------------------------------
# 64-bit tasklist and 32-bit (WOW64) processes (review N2; tasklist /m docs cc730909: modules that match the name)


@pytest.mark.parametrize(("kind", "listed"), [("w2k8r2", False), ("w2k19", False), ("w2k3", True)])
def test_a_64_bit_tasklist_does_not_list_the_dlls_of_a_32_bit_pool(kind, listed):
    m = host(
        kind, app_pools=[AppPoolConfig("ShopPool", enable_32bit=True)], shop={"isolation": 2, "app_pool": "ShopPool"}
    )
    assert get(m)[0] == 200 and images(m) == ["w3wp.exe"]  # the 32-bit worker has the DLL loaded
    out, _err, rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert rc == 0
    assert out.startswith('"w3wp.exe"') is listed, out
    if not listed:
        assert out.strip() == "INFO: No tasks are running which match the specified criteria."
        out, _err, _rc = run(m, "tasklist /m /fo csv /nh")
        assert '"w3wp.exe"' in out and "wow64.dll" in out and "ShopCart.dll" not in out


def test_a_64_bit_pool_is_listed_by_tasklist():
    m = host("w2k8r2", app_pools=[AppPoolConfig("ShopPool")], shop={"isolation": 2, "app_pool": "ShopPool"})
    get(m)
    out, _err, _rc = run(m, "tasklist /m ShopCart.dll /fo csv /nh")
    assert out.startswith('"w3wp.exe","') and "ShopCart.dll" in out


# --------------------------------------------------------------------------------------------------
# mtxstop.exe ends every MTS server process, IIS 4's isolated mtx.exe included (facts; KB 284716 recovery)


def test_mtxstop_ends_the_isolated_applications_mtx():
    m = host("nt4", catalog="mts", shop={"isolated": True})
    assert get(m)[0] == 200 and images(m) == ["mtx.exe"]
    assert run(m, 'call "C:\\Program Files\\Mts\\mtxstop.exe"')[2] == 0  # cmd /c strips one quote pair
    assert holders(m) == []
    assert get(m)[0] == 200  # the next request starts it again
    assert images(m) == ["mtx.exe"]


# --------------------------------------------------------------------------------------------------
# inetinfo.exe still exiting after STOPPED (facts: net stop returns when the SCM reports STOPPED)


def test_inetinfo_keeps_the_dll_mapped_for_a_moment_after_stopped():
    m = host("nt4", shop={"isolated": False})
    m.config.timing.inetinfo_exit_delay = 0.5
    assert get(m)[0] == 200 and images(m) == ["inetinfo.exe"]
    out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0 and "The IIS Admin Service service was stopped successfully." in out
    assert images(m) == ["inetinfo.exe"]  # STOPPED, yet still mapped
    assert wait_until(lambda: holders(m) == [], timeout=5)


def test_a_batch_line_waits_with_ping_until_the_exiting_inetinfo_lets_go():
    """NT 4 / 2000 / XP have no timeout command: a batch line waits with ``ping -n <n+1> 127.0.0.1`` (n seconds,
    one echo request a second; Stack Overflow 166044 "Sleeping in a batch file").  The probe fails while inetinfo.exe
    is still exiting and succeeds once it is gone."""
    m = host("nt4", shop={"isolated": False})
    m.config.timing.inetinfo_exit_delay = 0.8
    get(m)
    probe = 'type nul>>"C:\\InetPub\\shop\\bin\\ShopCart.dll"'
    out, err, rc = run(m, f"net stop iisadmin /y >nul & ({probe}) 2>nul||(echo busy&ping -n 2 127.0.0.1 >nul&{probe})")
    assert rc == 0 and out.strip() == "busy" and err == "", (out, err)
    assert holders(m) == []


def test_ping_sends_the_echo_requests_asked_for():
    m = host("nt4")
    out, _err, rc = run(m, "ping -n 2 127.0.0.1")
    assert rc == 0 and out.count("Reply from 127.0.0.1") == 2
    assert run(m, "ping -n 1 10.1.2.3")[2] == 1  # the lab answers the loopback address only


def test_without_the_switch_inetinfo_is_gone_when_stopped():
    m = host("nt4", shop={"isolated": False})
    get(m)
    assert run(m, "net stop iisadmin /y")[2] == 0
    assert holders(m) == []


# --------------------------------------------------------------------------------------------------
# a hung DllRegisterServer (fault regsvr32_hang): nothing on the host bounds it


def test_hung_regsvr32_holds_the_dll_until_terminated():
    m = host("nt4")
    m.config.faults.regsvr32_hang = True
    cmd = m.start_command(f"regsvr32 /s {SHOP_DLL}")
    assert wait_until(lambda: images(m) == ["regsvr32.exe"], timeout=5)
    assert not cmd.done
    cmd.signal("terminate")
    assert wait_until(lambda: holders(m) == [], timeout=5)
    assert SHOP_DLL.lower() not in m.registrations


def test_hung_regsvr32_finishes_once_the_fault_is_cleared():
    m = host("nt4")
    m.config.faults.regsvr32_hang = True
    cmd = m.start_command(f"regsvr32 /s {SHOP_DLL}")
    assert wait_until(lambda: images(m) == ["regsvr32.exe"], timeout=5)
    m.config.faults.regsvr32_hang = False
    assert cmd.wait(5) == 0
    assert holders(m) == [] and m.registrations[SHOP_DLL.lower()]["registered"]

"""IIS 5.0 / 5.1 process model (issue 13, item 2): AppIsolated 0 / 1 / 2, the pooled dllhost.exe, the COM+
applications IIS makes, APPUNLOAD / APPGETSTATUS, iisreset and ``net stop iisadmin /y``.

Sources: IIS 5-7 facts "IIS 5.0 / 5.1" (AppIsolated default 2 and its three values; the COM+ application names;
APPUNLOAD says ``Application Unloaded.`` and succeeds even when nothing is there; APPGETSTATUS values;
ShutdownApplication by name or {GUID}; iisreset's switches; ``net stop iisadmin /y`` still works).  Choices:
``IIS-{<site comment>//Root/<path>}``, ``appunload_recycles_pool`` (unconfirmed in the facts), iisreset's texts."""

from __future__ import annotations

import pytest

from tests.lab.machine.catalog import POOLED_APP
from tests.unit.lab.test_packages_tools import cat
from tests.unit.lab.versions_harness import OTHER_DLL, get, holders, host, images, run

ADSUTIL = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"
LIST = ["' legacy_iis.iis4 catalog list", 'Set oCat = CreateObject("COMAdmin.COMAdminCatalog")']
SHUTDOWN = ["' legacy_iis.iis4 catalog shutdown", 'Set oCat = CreateObject("COMAdmin.COMAdminCatalog")']


def pooled(kind="w2k", **kw):
    return host(kind, shop={"isolation": 2}, other={"isolation": 2}, **kw)


@pytest.mark.parametrize("kind", ["w2k", "xp"])
def test_pooled_apps_share_one_dllhost(kind):
    m = pooled(kind)
    assert get(m)[0] == 200 and get(m, "/Other/")[0] == 200
    assert images(m) == ["dllhost.exe"]
    assert holders(m) == holders(m, OTHER_DLL)  # the same process


def test_isolated_app_has_its_own_dllhost_and_inproc_stays_in_inetinfo():
    m = host("w2k", shop={"isolated": True}, other={"isolation": 0})
    get(m)
    get(m, "/Other/")
    assert images(m) == ["dllhost.exe"] and images(m, OTHER_DLL) == ["inetinfo.exe"]
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppIsolated")
    assert (out, rc) == ("AppIsolated                     : (INTEGER) 1\n", 0)


def test_web_root_defaults_to_pooled():
    m = host("w2k", shop={"isolation": 2})
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/AppIsolated")
    assert (out, rc) == ("AppIsolated                     : (INTEGER) 2\n", 0)


def test_catalog_lists_the_iis_applications():
    m = host("w2k", shop={"isolation": 1}, other={"isolation": 2})
    out, err, rc = cat(m, LIST)
    assert (err, rc) == ("", 0)
    names = [line.split("|")[2] for line in out.splitlines() if line.startswith("PKG|")]
    assert names == [POOLED_APP, "IIS-{Default Web Site//Root/Shop}"]
    guid = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppPackageID")[0].split('"')[1]
    assert f"PKG|{guid}|IIS-{{Default Web Site//Root/Shop}}|Server|0|3" in out.splitlines()


def test_shutdown_the_pooled_application_by_name_frees_every_pooled_dll():
    m = pooled()
    get(m)
    get(m, "/Other/")
    out, _err, rc = cat(m, SHUTDOWN, f'"{POOLED_APP}"')
    assert (out, rc) == (f"SHUTDOWN|{POOLED_APP}|ok\n", 0)
    assert holders(m) == [] and holders(m, OTHER_DLL) == []
    assert get(m)[1].count("process=dllhost.exe") == 1  # the next request starts a new one


def test_shutdown_an_isolated_application_by_guid_or_name():
    m = host("w2k", shop={"isolation": 1})
    get(m)
    guid = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppPackageID")[0].split('"')[1]
    assert cat(m, SHUTDOWN, guid)[2] == 0
    assert holders(m) == []
    get(m)
    assert cat(m, SHUTDOWN, '"IIS-{Default Web Site//Root/Shop}"')[2] == 0
    assert holders(m) == []


def test_shutdown_refused_fault_covers_the_pooled_application():
    m = pooled()
    get(m)
    m.config.faults.package_shutdown_refused = True
    out, _err, rc = cat(m, SHUTDOWN, f'"{POOLED_APP}"')
    assert (out, rc) == ("ERR|80070005|Access is denied.\n", 1)
    assert images(m) == ["dllhost.exe"]


def test_unknown_application_name_does_not_exist():
    m = pooled()
    out, _err, rc = cat(m, SHUTDOWN, '"IIS-{Nothing}"')
    assert (out, rc) == ("ERR|80110809|The object does not exist in the catalog.\n", 1)


def test_appunload_of_a_pooled_app_says_unloaded_and_frees_nothing_by_default():
    m = pooled()
    get(m)
    out, _err, rc = run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert images(m) == ["dllhost.exe"]
    m = pooled(appunload_recycles_pool=True)
    get(m)
    assert run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")[2] == 0
    assert holders(m) == []


def test_appunload_says_unloaded_where_nothing_is_defined():
    m = pooled()
    for path in ("W3SVC/1", "W3SVC/1/ROOT/Shop"):  # not an application; defined but not running
        assert run(m, f"{ADSUTIL} APPUNLOAD {path}")[:3:2] == ("Application Unloaded.\n", 0)


def test_appunload_of_an_isolated_app_ends_its_dllhost_and_status_follows():
    m = host("w2k", shop={"isolation": 1})
    assert run(m, f"{ADSUTIL} APPGETSTATUS /LM/W3SVC/1/ROOT/Shop")[0] == "Application Status: 0\n"
    get(m)
    assert run(m, f"{ADSUTIL} APPGETSTATUS /LM/W3SVC/1/ROOT/Shop")[0] == "Application Status: 1\n"
    assert run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")[0] == "Application Unloaded.\n"
    assert holders(m) == []
    assert run(m, f"{ADSUTIL} APPGETSTATUS /LM/W3SVC/1/ROOT/Shop")[0] == "Application Status: 0\n"
    assert run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1")[0] == "Application Status: 2\n"


def test_worker_exit_delay_and_worker_keeps_dll():
    from tests.unit.lab.tools_harness import fast_timing

    m = host("w2k", shop={"isolation": 1}, timing=fast_timing(worker_exit_delay=0.3))
    get(m)
    run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert images(m) == ["dllhost.exe"]
    from tests.lab.harness.fixtures import wait_until

    assert wait_until(lambda: holders(m) == [], timeout=3)
    m = host("w2k", shop={"isolation": 1})
    m.config.faults.worker_keeps_dll = True
    get(m)
    run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert images(m) == ["dllhost.exe"]
    assert run(m, "net stop w3svc")[2] == 0
    assert holders(m) == []  # stopping the web service ends it


def test_appcreatepoolproc():
    m = host("w2k", shop={"isolation": 0})
    out, _err, rc = run(m, f"{ADSUTIL} APPCREATEPOOLPROC W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Created.\n", 0)
    get(m)
    assert images(m) == ["dllhost.exe"]
    assert run(m, "cscript //nologo C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs")[2] == 1
    nt4 = host("nt4", shop={"isolated": True})
    out, _err, rc = run(
        nt4,
        "cscript //nologo C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs APPCREATEPOOLPROC W3SVC/1/ROOT/Shop",
    )
    assert rc == 2 and out.startswith("Command not recognized")


@pytest.mark.parametrize("kind", ["w2k", "w2k3"])
def test_net_stop_iisadmin_ends_the_workers(kind):
    m = pooled(kind, iis5_isolation_mode=True) if kind == "w2k3" else pooled(kind)
    get(m)
    assert images(m) == ["dllhost.exe"]
    out, err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0, err
    assert holders(m) == [] and m.processes.all() == []


def test_iisreset_stop_start_status_restart():
    m = pooled()
    get(m)
    out, err, rc = run(m, "iisreset /stop")
    assert (out, err, rc) == ("\nAttempting stop...\nInternet services successfully stopped\n", "", 0)
    assert holders(m) == [] and m.service_states()["W3SVC"] == "STOPPED"
    out, _err, rc = run(m, "iisreset /status")
    assert out == (
        "Status for IIS Admin Service ( IISADMIN ) : Stopped\n"
        "Status for World Wide Web Publishing Service ( W3SVC ) : Stopped\n"
    )
    out, _err, rc = run(m, "iisreset /start")
    assert (out, rc) == ("\nAttempting start...\nInternet services successfully started\n", 0)
    assert m.service_states()["W3SVC"] == "RUNNING"
    get(m)
    out, _err, rc = run(m, "iisreset")
    assert out == (
        "\nAttempting stop...\nInternet services successfully stopped\n"
        "Attempting start...\nInternet services successfully restarted\n"
    )
    assert rc == 0 and holders(m) == [] and m.service_states()["W3SVC"] == "RUNNING"


def test_iisreset_stuck_stop_forces_unless_noforce():
    m = pooled()
    get(m)
    m.config.faults.stuck_stop = {"W3SVC"}
    out, _err, rc = run(m, "iisreset /stop /noforce /timeout:0")
    assert (out, rc) == ("\nAttempting stop...\nStop attempt failed.\n", 1)
    assert images(m) == ["dllhost.exe"]
    out, _err, rc = run(m, "iisreset /stop /timeout:0")
    assert rc == 0 and out.endswith("Internet services successfully stopped\n")
    assert holders(m) == [] and m.service_states()["W3SVC"] == "STOPPED"

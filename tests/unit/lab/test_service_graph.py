"""The services around IIS on Server 2003 and IIS 7+ (review S3: S4/S11, S7, S12, S15), each from its source.

- 2003: "HTTP SSL" (key HTTPFilter) depends on HTTP and IIS Admin and is demand-started (SQL Server Protocols blog,
  "Creation of SOAP(HTTP) SSL endpoint fails with error 0x80070494"); W3SVC depends on it and on IIS Admin (MVM,
  blog.joycode.com 2007-04-18: "On Windows 2003, World Wide Web Publishing Service depends on HTTP SSL and IIS Admin
  Service"); it runs in lsass.exe in worker process isolation mode and in inetinfo.exe in IIS 5.0 isolation mode
  (technet "Application Isolation Mode Functions (IIS 6.0)", Table 2.4); ``net stop iisadmin /y`` lists World Wide
  Web Publishing Service, then HTTP SSL (BizTalk Server docs, "How to Purge Data from the BizTalk Tracking
  Database"); IIS Admin depends on RPCSS and SAMSS (technet cc738440).
- Dependants come in EnumDependentServices' order, "the reverse of the start order" (Win32 docs).
- IIS 7+: W3SVC depends on HTTP and WAS (a public IIS 10 registry dump); ``net stop WAS /y`` also stops the WCF
  listener adapters NetTcpActivator, NetPipeActivator, NetMsmqActivator (dotnet/AspNetCore.Docs issue 26342).
- The HTTP driver: ``net start http`` answers 2182 (Microsoft asiatech blog, 2011-04-04, a 2003 SBS capture); a
  driver is not in ``net start``'s list.
"""

from __future__ import annotations

from tests.lab.machine.config import AppPoolConfig
from tests.lab.machine.scm import RUNNING, STOPPED
from tests.unit.lab.versions_harness import get, holders, host, run

NET_START_HEAD = "These Windows NT services are started:"


def listed(out: str) -> list[str]:
    """The dependants ``net stop`` listed (three-space indent), in order."""
    return [line.strip() for line in out.splitlines() if line.startswith("   ")]


def stopped_in_order(out: str) -> list[str]:
    return [line[4 : -len(" service was stopped successfully.")] for line in out.splitlines() if "stopped succ" in line]


def test_2003_http_ssl_depends_on_http_and_iis_admin_and_w3svc_on_it():
    m = host("w2k3", services=["IISADMIN", "W3SVC"])
    ssl = m.scm.get("HTTPFilter")
    assert ssl.display == "HTTP SSL" and ssl.info.dependencies == ("HTTP", "IISADMIN")
    assert m.scm.get("W3SVC").info.dependencies == ("IISADMIN", "HTTPFilter")
    assert m.scm.get("IISADMIN").info.dependencies == ("RPCSS", "SAMSS")  # cc738440
    assert ssl.state == RUNNING  # W3SVC runs, so what it depends on runs
    out, _err, rc = run(m, "sc qc HTTPFilter")
    assert rc == 0 and "3   DEMAND_START" in out and "lsass.exe" in out  # worker process isolation mode
    assert "HTTP SSL" in run(m, "net start")[0]


def test_2003_net_stop_iisadmin_lists_www_then_http_ssl_and_net_start_w3svc_brings_it_back():
    """The BizTalk capture's list and order; starting W3SVC starts HTTP SSL first (no line for it, as for IIS
    Admin), so a later ``net start HTTPFilter`` answers 2182."""
    m = host("w2k3", services=["IISADMIN", "W3SVC"])
    out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0
    assert listed(out) == ["World Wide Web Publishing Service", "HTTP SSL"]
    assert stopped_in_order(out) == ["World Wide Web Publishing Service", "HTTP SSL", "IIS Admin Service"]
    assert m.scm.state("HTTPFilter") == STOPPED
    out, _err, rc = run(m, "net start w3svc")
    assert rc == 0 and "HTTP SSL" not in out
    assert m.scm.state("HTTPFilter") == RUNNING and m.scm.state("IISADMIN") == RUNNING
    _out, err, rc = run(m, "net start HTTPFilter")
    assert rc == 2 and "The requested service has already been started." in err and "NET HELPMSG 2182" in err


def test_2003_sc_enumdepend_iisadmin_is_in_the_same_reverse_start_order():
    m = host("w2k3", services=["IISADMIN", "W3SVC", "SMTPSVC"])
    out, _err, rc = run(m, "sc enumdepend IISADMIN 4096")
    assert rc == 0
    names = [line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("SERVICE_NAME")]
    assert names == ["SMTPSVC", "W3SVC", "HTTPFilter"]  # each one before what it depends on
    stop, _err, _rc = run(m, "net stop iisadmin /y")
    assert listed(stop) == [
        "Simple Mail Transfer Protocol (SMTP)",
        "World Wide Web Publishing Service",
        "HTTP SSL",
    ]


def test_2003_worker_mode_http_ssl_is_in_lsass_and_its_stop_ends_no_iis_process():
    m = host("w2k3", services=["IISADMIN", "W3SVC"], shop={"isolation": 2})
    assert get(m)[0] == 200
    run(m, "net stop w3svc")
    assert m.scm.state("HTTPFilter") == RUNNING  # net stop w3svc leaves what W3SVC depends on
    out, _err, rc = run(m, "net stop HTTPFilter")
    assert rc == 0 and "The HTTP SSL service was stopped successfully." in out
    assert m.processes.inetinfo is not None  # IIS Admin still runs in it; HTTP SSL was in lsass.exe


def test_2003_iis5_mode_inetinfo_exits_only_when_http_ssl_has_stopped_too():
    """Table 2.4: in IIS 5.0 isolation mode HTTP SSL runs in inetinfo.exe, with in-process applications."""
    m = host("w2k3", services=["IISADMIN", "W3SVC"], iis5_isolation_mode=True, shop={"isolation": 0})
    assert get(m)[0] == 200 and any(h.startswith("inetinfo.exe") for h in holders(m))
    out, _err, rc = run(m, "sc qc HTTPFilter")
    assert rc == 0 and "inetinfo.exe" in out
    m.scm.stop("W3SVC")
    m.scm.wait_for("W3SVC", (STOPPED,), timeout=5)
    m.scm.stop("HTTPFilter")
    m.scm.wait_for("HTTPFilter", (STOPPED,), timeout=5)
    assert m.processes.inetinfo is not None  # IIS Admin still runs
    # HTTP SSL running again: net stop iisadmin /y stops it with IIS Admin, and only then inetinfo.exe exits.
    m.scm.start("HTTPFilter")
    m.scm.wait_for("HTTPFilter", (RUNNING,), timeout=5)
    _out, _err, rc = run(m, "net stop iisadmin /y")
    assert rc == 0 and m.processes.inetinfo is None and holders(m) == []


def test_the_http_driver_is_not_listed_by_net_start_and_net_start_http_says_2182():
    m = host("w2k3", services=["IISADMIN", "W3SVC"])
    out, _err, _rc = run(m, "net start")
    assert "   HTTP\r\n" not in out.replace("\n", "\r\n").replace("\r\r", "\r")
    assert m.scm.state("HTTP") == RUNNING
    qc, _err, rc = run(m, "sc qc HTTP")
    assert rc == 0 and "1  KERNEL_DRIVER" in qc
    _out, err, rc = run(m, "net start http")
    assert rc == 2 and "NET HELPMSG 2182" in err


def test_older_kinds_have_no_http_ssl():
    for kind in ("nt4", "w2k", "xp"):
        m = host(kind, services=["IISADMIN", "W3SVC"])
        assert m.scm.get("HTTPFilter") is None and m.scm.get("HTTP") is None


def test_iis7_w3svc_depends_on_http_and_was_and_net_stop_was_stops_the_wcf_listener_adapters():
    m = host("w2k19", services=["W3SVC", "NetTcpActivator", "NetPipeActivator", "NetMsmqActivator"])
    assert m.scm.get("W3SVC").info.dependencies == ("HTTP", "WAS")
    assert m.scm.get("NetTcpActivator").info.dependencies == ("WAS", "NetTcpPortSharing")
    assert m.scm.state("NetTcpPortSharing") == RUNNING  # started with the adapter that needs it
    out, _err, rc = run(m, "net stop WAS /y")
    assert rc == 0
    assert sorted(listed(out)) == sorted(
        [
            "World Wide Web Publishing Service",
            "Net.Tcp Listener Adapter",
            "Net.Pipe Listener Adapter",
            "Net.Msmq Listener Adapter",
        ]
    )
    for name in ("W3SVC", "NetTcpActivator", "NetPipeActivator", "NetMsmqActivator", "WAS"):
        assert m.scm.state(name) == STOPPED, name
    assert m.scm.state("NetTcpPortSharing") == RUNNING and m.scm.state("MSMQ") == RUNNING  # not WAS's dependants
    run(m, "net start w3svc")  # WAS comes back as W3SVC's dependency; the adapters do not
    assert m.scm.state("WAS") == RUNNING and m.scm.state("NetTcpActivator") == STOPPED


def test_iis7_without_the_adapters_net_stop_was_lists_w3svc_only():
    m = host("w2k8r2", services=["W3SVC"])
    out, _err, rc = run(m, "net stop WAS /y")
    assert rc == 0 and listed(out) == ["World Wide Web Publishing Service"]


# --------------------------------------------------------------------------------------------------
# Review S13: an account without an elevated token (azure-pipelines-extensions issue 1136: appcmd prints the WAS text
# although WAS runs; "If I run the command from an elevated command prompt it works fine").


def test_not_elevated_appcmd_answers_the_was_text_although_was_runs():
    m = host("w2k19", shop={"app_pool": "ShopPool"}, app_pools=[AppPoolConfig("ShopPool")], elevated=False)
    assert m.scm.state("WAS") == RUNNING
    appcmd = "C:\\Windows\\system32\\inetsrv\\appcmd.exe"
    out, _err, rc = run(m, f"{appcmd} stop apppool /apppool.name:ShopPool")
    assert rc == 1062 and "The WAS service is not available - try starting the service first." in out
    assert m.pool_state("ShopPool") == 2  # nothing changed
    out, _err, rc = run(m, f"{appcmd} list wp")
    assert rc == 1062 and "The WAS service is not available" in out
    out, _err, rc = run(m, f"{appcmd} list apppool")  # configuration reads still work (inferred)
    assert rc == 0 and 'APPPOOL "ShopPool"' in out and "state:Started" in out


def test_not_elevated_net_stop_says_system_error_5_and_regsvr32_exits_5():
    m = host("w2k19", elevated=False)
    _out, err, rc = run(m, "net stop WAS /y")
    assert rc == 2 and "System error 5 has occurred." in err and "Access is denied." in err
    assert m.scm.state("WAS") == RUNNING and m.scm.state("W3SVC") == RUNNING
    out, _err, rc = run(m, "net start")  # listing needs no elevation
    assert rc == 0 and "World Wide Web Publishing Service" in out
    _out, _err, rc = run(m, "regsvr32 /s C:\\Staging\\ShopCart.dll")
    assert rc == 5 and not m.registrations  # DllRegisterServer could not write the registry


def test_a_service_that_refuses_the_stop_control_makes_net_say_2189_and_stops_nothing_further():
    """Review S8: the 2003 SBS capture's text for ``net stop http /y`` (Faults.refuse_stop); net stop /y stops
    nothing more once a dependant could not be stopped (the lab's documented choice)."""
    m = host("w2k3", services=["IISADMIN", "W3SVC"])
    m.config.faults.refuse_stop = {"W3SVC"}
    _out, err, rc = run(m, "net stop iisadmin /y")
    assert rc == 2
    assert "The service could not be controlled in its present state." in err and "NET HELPMSG 2189" in err
    assert m.scm.state("W3SVC") == RUNNING and m.scm.state("IISADMIN") == RUNNING

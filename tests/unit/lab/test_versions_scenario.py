"""The versions scenario (issue 13): every host boots, carries the lab_update_* variables, listens where its kind
says and holds its component in the process its IIS version and isolation mode say."""

from __future__ import annotations

from pathlib import Path

from tests.lab.harness.update import update_vars
from tests.lab.host import boot
from tests.lab.machine import web
from tests.lab.machine.config import load_scenario
from tests.lab.machine.events import EventLog

SCENARIO = Path(__file__).resolve().parents[2] / "lab" / "scenarios" / "versions.yaml"
EXPECTED = {
    "W2K5-POOLED": ("w2k", 5985, "dllhost.exe"),
    "W2K5-ISOLATED": ("w2k", 5985, "dllhost.exe"),
    "W2K5-INPROC": ("w2k", 5985, "inetinfo.exe"),
    "XP51": ("xp", 80, "dllhost.exe"),
    "W2K3-WORKER": ("w2k3", 80, "w3wp.exe"),
    "W2K3-IIS5MODE": ("w2k3", 5985, "dllhost.exe"),
    "W2K3-RTM": ("w2k3", 80, "w3wp.exe"),
    "W2K8R2": ("w2k8r2", 5985, "w3wp.exe"),
    "W2K19": ("w2k19", 5985, "w3wp.exe"),
}


def test_every_versions_host_is_updatable_and_holds_its_dll_where_expected():
    configs = load_scenario(SCENARIO)
    assert [c.name for c in configs] == list(EXPECTED)
    for cfg in configs:
        kind, port, image = EXPECTED[cfg.name]
        assert (cfg.kind, cfg.http_port) == (kind, port), cfg.name
        v = update_vars(cfg)
        assert v["lab_update_src"] == "C:\\Staging\\ShopCart.dll", cfg.name
        assert v["lab_update_dest"] == "C:\\InetPub\\shop\\bin\\ShopCart.dll"
        assert v["lab_update_application"] == ["/Shop"] and v["lab_update_version"] == "2.0.0.0"
        m = boot(cfg, EventLog())
        try:
            status, _h, body = web.handle_request(m, m.site_port(1), "/Shop/")
            assert status == 200 and b"version=1.0.0.0" in body, cfg.name
            holders = [h.split(":")[0] for h in m.fs.lock_holders(v["lab_update_dest"])]
            assert holders == [image], cfg.name
        finally:
            m.shutdown()
    shop_pools = {c.name: c.sites[0].apps[0].app_pool for c in configs}
    assert shop_pools["W2K3-WORKER"] == "ShopPool" and shop_pools["W2K5-POOLED"] is None
    assert not next(c for c in configs if c.name == "W2K3-RTM").iisapp_recycle


REALHOSTS = SCENARIO.parent / "realhosts.yaml"
#: issue 21: host -> (kind, the image holding ShopCart.dll once /Shop was requested (None: its pool is stopped),
#: the IIS services running at boot)
REAL_EXPECTED = {
    "R3POOLOFF": ("w2k3", None, {"IISADMIN", "W3SVC"}),
    "R3SMTP": ("w2k3", "w3wp.exe", {"IISADMIN", "W3SVC", "SMTPSVC"}),
    "R2KSMTP": ("w2k", "inetinfo.exe", {"IISADMIN", "W3SVC", "SMTPSVC"}),
    "R2KCOMPLUS": ("w2k", "dllhost.exe", {"IISADMIN", "W3SVC"}),
    "R75SMTP": ("w2k8r2", "w3wp.exe", {"WAS", "W3SVC", "IISADMIN", "SMTPSVC"}),
    "R10COLON": ("w2k19", "w3wp.exe", {"WAS", "W3SVC"}),
    "R4MTS": ("nt4", "mtx.exe", {"IISADMIN", "W3SVC", "SMTPSVC"}),
}
IIS = {"IISADMIN", "W3SVC", "WAS", "SMTPSVC", "MSFTPSVC", "NNTPSVC", "FTPSVC"}


def test_every_realhosts_host_boots_as_its_windows_version_has_it():
    configs = load_scenario(REALHOSTS)
    assert [c.name for c in configs] == list(REAL_EXPECTED)
    for cfg in configs:
        kind, image, services = REAL_EXPECTED[cfg.name]
        assert cfg.kind == kind, cfg.name
        v = update_vars(cfg)
        assert (v["lab_update_src"], v["lab_update_application"]) == ("C:\\Staging\\ShopCart.dll", ["/Shop"])
        m = boot(cfg, EventLog())
        try:
            running = {n for n, s in m.scm.states().items() if s == "RUNNING" and n in IIS}
            assert running == services, cfg.name
            status, _h, body = web.handle_request(m, m.site_port(1), "/Shop/")
            holders = [h.split(":")[0] for h in m.fs.lock_holders(v["lab_update_dest"])]
            if image is None:
                assert (status, holders) == (503, []), cfg.name
            else:
                assert status == 200 and b"version=1.0.0.0" in body, cfg.name
                assert holders == [image], cfg.name
        finally:
            m.shutdown()
    by_name = {c.name: c for c in configs}
    assert by_name["R3POOLOFF"].app_pools[0].name == "Shop Pool (Legacy), A&B"
    assert not by_name["R3POOLOFF"].app_pools[0].started
    assert by_name["R75SMTP"].iis6_metabase_compat  # SMTP brings the IIS 6 compatibility components
    r75 = boot(by_name["R75SMTP"], EventLog())
    try:  # review S12: the WCF listener adapters depend on WAS
        assert {r75.scm.state(n) for n in ("NetTcpActivator", "NetPipeActivator", "NetTcpPortSharing")} == {"RUNNING"}
    finally:
        r75.shutdown()
    r3 = boot(by_name["R3SMTP"], EventLog())
    try:  # review S4: on 2003 W3SVC depends on HTTP SSL, which runs with it
        assert r3.scm.state("HTTPFilter") == "RUNNING"
    finally:
        r3.shutdown()
    assert by_name["R2KCOMPLUS"].catalog == "complus" and by_name["R4MTS"].catalog == "mts"

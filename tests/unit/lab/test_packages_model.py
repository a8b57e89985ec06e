"""MTS packages / COM+ applications in the lab model (issue 12): which process loads a component.

Sources: IIS 5-7 facts, "Components in MTS packages": a component in a server package is loaded by
``mtx.exe /p:{id}`` (COM+: dllhost.exe), not by IIS - neither APPUNLOAD nor ``net stop iisadmin /y`` frees it;
packages have ShutdownAfter (minutes idle, default 3) and RunForever; library packages load into the caller.
NT 4 facts 5: the MTS server package's mtx.exe holds the DLL until the idle timeout or a shutdown.  The scale of
minutes to real seconds is a documented choice (``Timing.package_idle_scale``)."""

from __future__ import annotations

import time

import pytest

from tests.lab.machine import web
from tests.lab.machine.config import (
    SHOP_DLL,
    STAGED_DLL,
    AppConfig,
    ComponentConfig,
    PackageConfig,
    SiteConfig,
    host_from_dict,
)
from tests.unit.lab.tools_harness import ADSUTIL, fast_timing, machine, run

PKG = "{6E5A1B2C-0D3F-4A5B-8C7D-112233445566}"
CLSID = "{0A1B2C3D-4E5F-4061-8273-8495A6B7C8D9}"
SHARING = "The process cannot access the file because it is being used by another process.\n"


def package(activation: str = "server", **kw) -> PackageConfig:
    comp = ComponentConfig(CLSID, "ShopCart.Cart", SHOP_DLL)
    return PackageConfig(PKG, "Shop Components", activation, [comp], **kw)


def host(isolated: bool, activation: str = "server", catalog: str = "mts", direct: bool = False, **kw):
    apps = [AppConfig("/", isolated=False), AppConfig("/Shop", "C:\\InetPub\\shop", isolated, components=[SHOP_DLL])]
    if direct:
        apps.append(
            AppConfig("/Direct", "C:\\InetPub\\direct", False, components=[SHOP_DLL], direct_components=[SHOP_DLL])
        )
    timing = kw.pop("timing", fast_timing())
    return machine(
        0, sites=[SiteConfig(apps=apps)], catalog=catalog, packages=[package(activation, **kw)], timing=timing
    )


def get(m, path: str = "/Shop/") -> str:
    status, _h, body = web.handle_request(m, m.site_port(1), path)
    assert status == 200, body
    return body.decode("cp437")


def holders(m, path: str = SHOP_DLL) -> list[str]:
    return sorted(h.split(":")[0] for h in m.fs.lock_holders(path))


def test_scenario_yaml_accepts_catalog_and_packages():
    cfg = host_from_dict(
        {
            "catalog": "complus",
            "has_tasklist": True,
            "packages": [
                {
                    "id": PKG,
                    "name": "Shop",
                    "activation": "library",
                    "run_forever": True,
                    "components": [{"clsid": CLSID, "progid": "Shop.Cart", "dll": SHOP_DLL}],
                }
            ],
        }
    )
    assert cfg.catalog == "complus" and cfg.has_tasklist and not cfg.has_tlist
    pkg = cfg.packages[0]
    assert (pkg.activation, pkg.run_forever, pkg.shutdown_after, pkg.shutdown_refused) == ("library", True, 3, False)
    assert pkg.components[0] == ComponentConfig(CLSID, "Shop.Cart", SHOP_DLL)
    with pytest.raises(ValueError):
        host_from_dict({"packages": [{"id": PKG, "name": "x", "activation": "remote"}]})
    with pytest.raises(ValueError):
        host_from_dict({"catalog": "mts2"})


@pytest.mark.parametrize("isolated", [False, True])
def test_server_package_component_loads_into_the_package_process_only(isolated):
    m = host(isolated)
    page = get(m)
    proc = m.processes.package_process(PKG)
    assert proc is not None and proc.image == "mtx.exe" and proc.package == PKG
    assert f"process=mtx.exe pid={proc.pid} component=ShopCart version=1.0.0.0" in page
    assert holders(m) == ["mtx.exe"]
    assert m.fs.lock_holders(SHOP_DLL) == [proc.holder]
    assert m.processes.inetinfo is not None and m.processes.inetinfo.loaded(SHOP_DLL) is None
    get(m)
    assert m.processes.package_process(PKG) is proc  # the same process serves the next use


def test_complus_server_application_runs_in_dllhost():
    m = host(False, catalog="complus")
    page = get(m)
    proc = m.processes.package_process(PKG)
    assert proc.image == "dllhost.exe" and f"process=dllhost.exe pid={proc.pid}" in page
    assert m.catalog.command_line(m.catalog.find(PKG)) == f"dllhost.exe /ProcessID:{PKG}"


@pytest.mark.parametrize("isolated", [False, True])
def test_library_package_loads_into_the_caller(isolated):
    m = host(isolated, "library")
    page = get(m)
    assert m.processes.package_process(PKG) is None
    assert holders(m) == ["mtx.exe" if isolated else "inetinfo.exe"]
    assert ("process=mtx.exe" if isolated else "process=inetinfo.exe") in page


def test_neither_appunload_nor_iisadmin_stop_ends_the_package_process():
    m = host(True)
    get(m)
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert holders(m) == ["mtx.exe"] and m.processes.package_process(PKG) is not None
    run(m, "net stop iisadmin /y")
    assert m.processes.inetinfo is None
    assert holders(m) == ["mtx.exe"]
    out, err, rc = run(m, f"copy {STAGED_DLL} {SHOP_DLL}")
    assert (err, rc) == (SHARING, 1)


def test_direct_use_and_package_are_two_holders():
    m = host(False, direct=True)
    get(m, "/Shop/")
    get(m, "/Direct/")
    assert holders(m) == ["inetinfo.exe", "mtx.exe"]
    m.catalog.shutdown(PKG)
    assert holders(m) == ["inetinfo.exe"]


def test_shutdown_releases_the_dll_and_the_next_use_starts_a_new_process_with_the_new_version():
    m = host(False)
    get(m)
    old = m.processes.package_process(PKG)
    assert m.catalog.shutdown(PKG) == "ok"
    assert m.processes.package_process(PKG) is None and holders(m) == []
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0
    page = get(m)
    assert "version=2.0.0.0" in page and m.processes.package_process(PKG).pid != old.pid


def test_shutdown_results_unknown_and_refused():
    m = host(False, shutdown_refused=True)
    get(m)
    assert m.catalog.shutdown("{00000000-0000-0000-0000-000000000000}") == "missing"
    assert m.catalog.shutdown(PKG) == "refused"
    assert holders(m) == ["mtx.exe"]
    assert m.catalog.shutdown_all() == [PKG]  # mtxstop ends it all the same (choice)
    assert holders(m) == []


def test_shutdown_refused_as_a_fault_is_cleared_with_the_faults():
    """Faults.package_shutdown_refused: the refusal of PackageConfig.shutdown_refused for every package, as a fault
    a test can clear (a choice, like the per-package switch)."""
    m = host(False)
    get(m)
    m.config.faults.update(package_shutdown_refused=True)
    assert m.catalog.shutdown(PKG) == "refused"
    assert holders(m) == ["mtx.exe"]
    m.config.faults.clear()
    assert m.catalog.shutdown(PKG) == "ok"
    assert holders(m) == []


def test_package_exit_delay_releases_later():
    m = host(False, timing=fast_timing(package_exit_delay=0.3))
    get(m)
    m.catalog.shutdown(PKG)
    assert m.processes.package_process(PKG) is None
    assert holders(m) == ["mtx.exe"]  # still exiting
    time.sleep(0.6)
    assert holders(m) == []


def test_idle_package_shuts_down_after_shutdown_after_minutes_scaled():
    m = host(False, shutdown_after=2, timing=fast_timing(package_idle_scale=0.1))
    get(m)
    assert holders(m) == ["mtx.exe"]
    time.sleep(0.5)
    assert holders(m) == [] and m.processes.package_process(PKG) is None


def test_run_forever_package_never_idles_out():
    m = host(False, shutdown_after=1, run_forever=True, timing=fast_timing(package_idle_scale=0.05))
    get(m)
    time.sleep(0.3)
    assert holders(m) == ["mtx.exe"]


def test_hosts_without_packages_are_unchanged():
    m = machine(0)
    get(m)
    assert m.processes.packages == {} and holders(m) == ["inetinfo.exe"]
    assert not m.fs.exists("C:\\Program Files\\Mts\\mtxstop.exe")

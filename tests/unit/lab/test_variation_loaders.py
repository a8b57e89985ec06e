"""Other holders of the DLL and a slow mtx.exe exit (issue 11, variations 6 and 7).

Sources: facts section 5 (KB Q315663 / Q166279 / Q246111: a loaded DLL is locked for the process that loaded
it; an isolated application's mtx.exe holds its DLLs until Unload; in-process DLLs stay in inetinfo.exe) and
section 6 (sharing violation on overwrite, access denied on delete, rename of a mapped image allowed).
The asynchronous mtx.exe exit is a documented choice (KB Q246111 has you watch mtx.exe disappear)."""

from __future__ import annotations

import time

import pytest

from tests.lab.machine import web
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL, AppConfig, ForeignLoader, SiteConfig
from tests.unit.lab.tools_harness import ADSUTIL, fast_timing, machine, run

SHARING = "The process cannot access the file because it is being used by another process.\n"
DENIED = "Access is denied.\n"


def _get(m, site: int, path: str) -> str:
    status, _h, body = web.handle_request(m, m.site_port(site), path)
    assert status == 200, body
    return body.decode("cp437")


def _holders(m) -> list[str]:
    return [h.split(":")[0] for h in m.fs.lock_holders(SHOP_DLL)]


# ==================================================================================================
# 6a. a second application loads the same DLL


def _two_apps(first_isolated: bool, second_isolated: bool, other_site: bool):
    shop = AppConfig("/Shop", physical="C:\\InetPub\\shop", isolated=first_isolated, components=[SHOP_DLL])
    second = AppConfig("/Admin", physical="C:\\InetPub\\admin", isolated=second_isolated, components=[SHOP_DLL])
    sites = [SiteConfig(apps=[AppConfig("/", isolated=False), shop])]
    if other_site:
        sites.append(
            SiteConfig(2, "Intranet", "C:\\InetPub\\intranet", [":8081:"], [AppConfig("/", isolated=False), second])
        )
    else:
        sites[0].apps.append(second)
    return machine(1, sites=sites)


@pytest.mark.parametrize("other_site", [False, True])
def test_two_isolated_apps_each_hold_the_dll_until_both_are_unloaded(other_site):
    m = _two_apps(True, True, other_site)
    site2 = 2 if other_site else 1
    _get(m, 1, "/Shop/")
    _get(m, site2, "/Admin/")
    assert _holders(m) == ["mtx.exe", "mtx.exe"]
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert _holders(m) == ["mtx.exe"]
    out, err, rc = run(m, f"copy {STAGED_DLL} {SHOP_DLL}")
    assert (err, rc) == (SHARING, 1)
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/{site2}/ROOT/Admin")
    assert _holders(m) == []
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0


def test_an_in_process_second_app_keeps_the_dll_in_inetinfo_after_unload():
    m = _two_apps(True, False, False)
    _get(m, 1, "/Shop/")
    _get(m, 1, "/Admin/")
    assert sorted(_holders(m)) == ["inetinfo.exe", "mtx.exe"]
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert _holders(m) == ["inetinfo.exe"]
    run(m, "net stop IISADMIN /y")
    assert _holders(m) == []


# ==================================================================================================
# 6b. a process outside IIS has the DLL loaded


def test_foreign_loader_holds_the_dll_like_a_loaded_image():
    m = machine(1, foreign_loaders=[ForeignLoader("cscript.exe", SHOP_DLL)])
    assert _holders(m) == ["cscript.exe"]
    assert any(h.startswith("cscript.exe:") for h in m.loaded_images())
    out, err, rc = run(m, f"copy {STAGED_DLL} {SHOP_DLL}")
    assert (err, rc) == (SHARING, 1) and out.endswith("0 file(s) copied.\n")
    _o, err, _rc = run(m, f"del {SHOP_DLL}")
    assert err == f"{SHOP_DLL}\n{DENIED}"
    _o, err, _rc = run(m, f"type nul>>{SHOP_DLL}")
    assert err == SHARING
    # IIS going away does not release it
    run(m, "net stop IISADMIN /y")
    assert _holders(m) == ["cscript.exe"]
    # rename of a mapped image is allowed (rename_loaded_image), the lock follows the file
    assert run(m, f"ren {SHOP_DLL} ShopCart.old") == ("", "", 0)
    assert [h.split(":")[0] for h in m.fs.lock_holders("C:\\InetPub\\shop\\bin\\ShopCart.old")] == ["cscript.exe"]


def test_foreign_loader_rename_refused_without_rename_loaded_image():
    m = machine(1, foreign_loaders=[ForeignLoader("cscript.exe", SHOP_DLL)], rename_loaded_image=False)
    _o, err, _rc = run(m, f"ren {SHOP_DLL} ShopCart.old")
    assert err == SHARING


def test_foreign_loader_exits_after_its_lifetime():
    m = machine(1, foreign_loaders=[ForeignLoader("cscript.exe", SHOP_DLL, lifetime=0.2)])
    assert _holders(m) == ["cscript.exe"]
    deadline = time.monotonic() + 3
    while _holders(m) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _holders(m) == []
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0
    exits = [e.detail for e in m.log.events(kind="process") if e.detail.get("action") == "exit"]
    assert exits[-1]["image"] == "cscript.exe"


# ==================================================================================================
# 7. mtx.exe exits Timing.mtx_exit_delay seconds after APPUNLOAD (choice)


def test_mtx_exits_later_and_appunload_returns_at_once():
    m = machine(1, timing=fast_timing(mtx_exit_delay=0.4))
    _get(m, 1, "/Shop/")
    out, _e, rc = run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    unload_done = time.monotonic()
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert _holders(m) == ["mtx.exe"]  # still exiting
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[1] == SHARING
    assert run(m, f"{ADSUTIL} APPGETSTATUS W3SVC/1/ROOT/Shop")[0] == "Application Status: 0\n"
    deadline = time.monotonic() + 10
    while _holders(m) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _holders(m) == []
    # APPUNLOAD returned before mtx.exe exited (the lab's log orders the two, whatever the machine's load)
    exits = [e for e in m.log.events(kind="process") if e.detail.get("action") == "exit"]
    assert exits[-1].detail["image"] == "mtx.exe" and exits[-1].t > unload_done
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0
    assert "version=2.0.0.0" in _get(m, 1, "/Shop/")


def test_a_request_while_the_old_mtx_exits_starts_a_new_one():
    m = machine(1, timing=fast_timing(mtx_exit_delay=0.5))
    first = _get(m, 1, "/Shop/")
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    second = _get(m, 1, "/Shop/")
    assert first.split("pid=")[1].split()[0] != second.split("pid=")[1].split()[0]
    assert _holders(m) == ["mtx.exe", "mtx.exe"]


def test_no_delay_by_default():
    m = machine(1)
    _get(m, 1, "/Shop/")
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert _holders(m) == []

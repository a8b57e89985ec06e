"""Per-host metabase and adsutil.vbs variations (issue 11): AppRoot spelling, ENUM_ALL replies, key names with
spaces and cmd metacharacters, ENUM errors that the script reports and continues after.

Each test states the source it follows (facts file sections 4 and 6) or the documented choice."""

from __future__ import annotations

import pytest

from tests.lab.machine import web
from tests.lab.machine.config import SHOP_DLL, AppConfig, SiteConfig
from tests.lab.shell.messages import NOT_RECOGNIZED
from tests.unit.lab.tools_harness import ADSUTIL, machine, run

SHOP_ROOT_SPELLED = "/LM/w3svc/1/root/shop"


def _shop_sites(isolated: bool, **app) -> list[SiteConfig]:
    return [
        SiteConfig(
            apps=[
                AppConfig("/", isolated=False),
                AppConfig("/Shop", physical="C:\\InetPub\\shop", isolated=isolated, components=[SHOP_DLL], **app),
            ]
        )
    ]


def _request(m, path: str = "/Shop/") -> str:
    status, _h, body = web.handle_request(m, m.site_port(1), path)
    assert status == 200, body
    return body.decode("cp437")


def _mtx_running(m) -> bool:
    return m.processes.mtx_for("/LM/W3SVC/1/ROOT/Shop") is not None


# ==================================================================================================
# 1. AppRoot stored in another spelling than the key (KB Q246111: AppUnload compares case-sensitively)


@pytest.mark.parametrize("isolated", [True, False])
def test_app_root_spelling_is_what_enum_and_get_print(isolated):
    m = machine(1, sites=_shop_sites(isolated, app_root=SHOP_ROOT_SPELLED))
    out, _e, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppRoot")
    assert rc == 0 and out == f'AppRoot                         : (STRING) "{SHOP_ROOT_SPELLED}"\n'
    out, _e, _rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/Shop")
    assert f'AppRoot                         : (STRING) "{SHOP_ROOT_SPELLED}"\n' in out
    out, _e, _rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1/ROOT")
    assert "[/W3SVC/1/ROOT/Shop]\n" in out and f'(STRING) "{SHOP_ROOT_SPELLED}"' in out
    # Still the application root the web server runs the pages in.
    assert f"app=/LM/W3SVC/1/ROOT/Shop process={'mtx.exe' if isolated else 'inetinfo.exe'}" in _request(m)


def test_appunload_spelled_like_the_key_does_not_match_the_stored_app_root():
    m = machine(1, sites=_shop_sites(True, app_root=SHOP_ROOT_SPELLED))
    _request(m)
    assert _mtx_running(m)
    out, _e, rc = run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert _mtx_running(m)  # KB Q246111: success is printed, nothing is unloaded


@pytest.mark.parametrize("typed", [SHOP_ROOT_SPELLED, "w3svc/1/root/shop", "/LM/w3svc/1/root/shop/"])
def test_appunload_spelled_like_the_stored_app_root_unloads(typed):
    m = machine(1, sites=_shop_sites(True, app_root=SHOP_ROOT_SPELLED))
    _request(m)
    out, _e, rc = run(m, f"{ADSUTIL} APPUNLOAD {typed}")
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert not _mtx_running(m)
    assert m.fs.lock_holders(SHOP_DLL) == []


def test_appunload_of_the_default_spelling_needs_the_key_case():
    m = machine(1)
    _request(m)
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/shop")
    assert _mtx_running(m)
    run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert not _mtx_running(m)


def test_appcreate_stores_the_app_root_as_typed():
    m = machine(1)
    run(m, f"{ADSUTIL} APPDELETE W3SVC/1/ROOT/Shop")
    out, _e, rc = run(m, f"{ADSUTIL} APPCREATEOUTPROC w3svc/1/root/shop")
    assert (out, rc) == ("Application Created.\n", 0)
    out, _e, _rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppRoot")
    assert out == 'AppRoot                         : (STRING) "/LM/w3svc/1/root/shop"\n'
    _request(m)
    run(m, f"{ADSUTIL} APPUNLOAD W3SVC/1/ROOT/Shop")
    assert _mtx_running(m)


# ==================================================================================================
# 2. What an adsutil.vbs without ENUM_ALL answers (facts 4.2; "usage" and "silent" are choices)


def test_enum_all_not_recognized_by_default():
    m = machine(1, adsutil_enum_all=False)
    out, _e, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1")
    assert rc == 2
    assert out == 'Command not recognized: ENUM_ALL\nFor help, just type "Cscript.exe adsutil.vbs".\n'


def test_enum_all_reply_usage_prints_the_help_and_exits_0():
    m = machine(1, adsutil_enum_all=False, adsutil_enum_all_reply="usage")
    out, _e, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1")
    assert rc == 0
    assert out.startswith("\nUsage:\n      ADSUTIL.VBS <cmd> [<path> [<value>]]\n")
    assert "[/W3SVC" not in out


def test_enum_all_reply_silent_prints_nothing():
    m = machine(1, adsutil_enum_all=False, adsutil_enum_all_reply="silent")
    assert run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1") == ("", "", 0)


@pytest.mark.parametrize("reply", ["not_recognized", "usage", "silent"])
def test_enum_key_by_key_works_whatever_the_enum_all_reply(reply):
    m = machine(1, adsutil_enum_all=False, adsutil_enum_all_reply=reply)
    out, _e, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT")
    assert rc == 0 and "[/W3SVC/1/ROOT/Shop]\n" in out
    out, _e, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/Shop")
    assert rc == 0 and 'AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT/Shop"' in out


def test_enum_all_present_ignores_the_reply_switch():
    m = machine(1, adsutil_enum_all_reply="silent")
    out, _e, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1/ROOT")
    assert rc == 0 and "[/W3SVC/1/ROOT/Shop]" in out


# ==================================================================================================
# 3. Key names with spaces and cmd metacharacters (facts 6: quoting; the argv rules of the C runtime)

ODD = ["/My Shop", "/R&D", "/(old)"]


def _odd_sites(isolated: bool) -> list[SiteConfig]:
    apps = [AppConfig("/", isolated=False)]
    for path in ODD:
        folder = "C:\\InetPub\\" + path.strip("/")
        apps.append(AppConfig(path, physical=folder, isolated=isolated, components=[f"{folder}\\ShopCart.dll"]))
    return [SiteConfig(apps=apps)]


def _odd_machine(isolated: bool):
    from tests.lab.machine.dll import make_dll

    m = machine(1, sites=_odd_sites(isolated))
    for path in ODD:
        m.write_file(f"C:\\InetPub\\{path.strip('/')}\\ShopCart.dll", make_dll("ShopCart", "1.0.0.0", 4096))
    return m


@pytest.mark.parametrize("isolated", [True, False])
def test_odd_keys_appear_in_enum(isolated):
    m = _odd_machine(isolated)
    out, _e, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT")
    assert rc == 0
    for path in ODD:
        assert f"[/W3SVC/1/ROOT{path}]\n" in out


@pytest.mark.parametrize("isolated", [True, False])
def test_odd_keys_quoted_reach_adsutil_whole(isolated):
    m = _odd_machine(isolated)
    for path in ODD:
        out, err, rc = run(m, f'{ADSUTIL} ENUM "W3SVC/1/ROOT{path}"')
        assert (err, rc) == ("", 0), path
        assert f'AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT{path}"\n' in out


def test_unquoted_ampersand_runs_the_rest_as_a_command():
    m = _odd_machine(True)
    out, err, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/R&D")
    assert out.startswith("\nThe path requested could not be found.\n")  # ENUM of W3SVC/1/ROOT/R
    assert err == NOT_RECOGNIZED.replace("\r\n", "\n")  # NT 4 cmd.exe's text for the command "D"
    assert rc == 1


def test_unquoted_space_splits_the_argument():
    m = _odd_machine(True)
    out, _e, rc = run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/My Shop")
    assert (out, rc) == ("Error: Wrong number of Args for the APPUNLOAD command\n", 2)


@pytest.mark.parametrize("path", ODD)
def test_odd_apps_load_their_components_and_unload_quoted(path):
    m = _odd_machine(True)
    body = _request(m, path.replace(" ", "%20") + "/")
    app = f"/LM/W3SVC/1/ROOT{path}"
    assert f"app={app} process=mtx.exe" in body and "version=1.0.0.0" in body
    assert m.processes.mtx_for(app) is not None
    out, _e, rc = run(m, f'{ADSUTIL} APPUNLOAD "{app}"')
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert m.processes.mtx_for(app) is None


def test_odd_in_process_apps_load_into_inetinfo():
    m = _odd_machine(False)
    for path in ODD:
        assert "process=inetinfo.exe" in _request(m, path + "/default.asp")


# ==================================================================================================
# 9. ENUM errors the script reports and continues after (facts 4.3 ReportError; the place is a choice)

CONTINUE_BLOCK = (
    "Access is denied for the requested path or property.\nErrNumber: -2147024891 (0x80070005)\nContinuing...\n"
)


def test_enum_reports_the_error_and_continues():
    m = machine(1, adsutil_continue_errors=["W3SVC/1/ROOT/Shop"])
    out, _e, rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT/Shop")
    assert rc == 0
    assert out.startswith('KeyType                         : (STRING) "IIsWebVirtualDir"\n' + CONTINUE_BLOCK)
    assert 'AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT/Shop"\n' in out


def test_enum_all_goes_on_with_the_rest_of_the_tree():
    m = machine(1, adsutil_continue_errors=["/LM/W3SVC/1/ROOT"])
    out, _e, rc = run(m, f"{ADSUTIL} ENUM_ALL W3SVC/1")
    assert rc == 0
    assert out.count("Continuing...") == 1
    assert out.index("Continuing...") < out.index("[/W3SVC/1/ROOT/Shop]")
    assert '(STRING) "/LM/W3SVC/1/ROOT/Shop"' in out


def test_enum_of_other_keys_is_unaffected():
    m = machine(1, adsutil_continue_errors=["W3SVC/1/ROOT/Shop"])
    out, _e, _rc = run(m, f"{ADSUTIL} ENUM W3SVC/1/ROOT")
    assert "Continuing..." not in out

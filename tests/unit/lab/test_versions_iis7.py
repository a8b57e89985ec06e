"""IIS 7.5 / 10 (issue 13, item 4): appcmd.exe's list formats and pool verbs, w3wp.exe per pool.

Sources: IIS 5-7 facts "IIS 7 and later" (``APP "Default Web Site/Shop" (applicationPool:ShopPool)``,
``WP "3676" (applicationPool:ShopPool)``, ``APPPOOL "ShopPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)``,
the stop / start / recycle verbs; no AppUnload; adsutil only with the compatibility feature).  Choices: the success
and error texts and exit codes, appcmd found only by its full path."""

from __future__ import annotations

import pytest

from tests.lab.machine.config import AppPoolConfig
from tests.unit.lab.versions_harness import OTHER_DLL, get, holders, host, images, run

APPCMD = "C:\\Windows\\system32\\inetsrv\\appcmd.exe"


def iis7(kind="w2k8r2", **kw):
    pools = [AppPoolConfig("ShopPool", runtime="v2.0", pipeline="Classic")]
    return host(kind, shop={"isolation": 2, "app_pool": "ShopPool"}, other={"isolation": 2}, app_pools=pools, **kw)


@pytest.mark.parametrize("kind", ["w2k8r2", "w2k19"])
def test_list_app_wp_apppool(kind):
    m = iis7(kind)
    out, err, rc = run(m, f"{APPCMD} list app")
    assert (err, rc) == ("", 0)
    assert out.splitlines() == [
        'APP "Default Web Site/" (applicationPool:DefaultAppPool)',
        'APP "Default Web Site/Shop" (applicationPool:ShopPool)',
        'APP "Default Web Site/Other" (applicationPool:DefaultAppPool)',
    ]
    assert run(m, f"{APPCMD} list wp")[:3:2] == ("", 0)
    get(m)
    pid = holders(m)[0].split(":")[1]
    assert run(m, f"{APPCMD} list wp")[0] == f'WP "{pid}" (applicationPool:ShopPool)\n'
    out = run(m, f"{APPCMD} list apppool")[0]
    assert out.splitlines() == [
        'APPPOOL "ShopPool" (MgdVersion:v2.0,MgdMode:Classic,state:Started)',
        'APPPOOL "DefaultAppPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)',
    ]


def test_filters():
    m = iis7()
    out = run(m, f'{APPCMD} list app /app.name:"Default Web Site/Shop"')[0]
    assert out == 'APP "Default Web Site/Shop" (applicationPool:ShopPool)\n'
    out = run(m, f"{APPCMD} list app /apppool.name:ShopPool")[0]
    assert out == 'APP "Default Web Site/Shop" (applicationPool:ShopPool)\n'
    out = run(m, f'{APPCMD} list apppool "ShopPool"')[0]
    assert out.startswith('APPPOOL "ShopPool"')


def test_stop_start_recycle():
    m = iis7()
    get(m)
    get(m, "/Other/")
    out, _err, rc = run(m, f"{APPCMD} stop apppool /apppool.name:ShopPool")
    assert (out, rc) == ('"ShopPool" successfully stopped\n', 0)
    assert holders(m) == [] and images(m, OTHER_DLL) == ["w3wp.exe"]
    assert get(m)[0] == 503
    assert "state:Stopped" in run(m, f"{APPCMD} list apppool ShopPool")[0]
    out, _err, rc = run(m, f"{APPCMD} stop apppool /apppool.name:ShopPool")
    assert rc == 1062 and out.startswith("ERROR ( hresult:80070426, message:Command execution failed.")
    out, _err, rc = run(m, f"{APPCMD} start apppool /apppool.name:ShopPool")
    assert (out, rc) == ('"ShopPool" successfully started.\n', 0)
    assert get(m)[0] == 200
    old = holders(m)
    out, _err, rc = run(m, f"{APPCMD} recycle apppool /apppool.name:ShopPool")
    assert (out, rc) == ('"ShopPool" successfully recycled\n', 0)
    assert holders(m) == []
    get(m)
    assert holders(m) != old


def test_unknown_pool_is_an_error():
    m = iis7()
    out, _err, rc = run(m, f"{APPCMD} recycle apppool /apppool.name:Nope")
    assert out == 'ERROR ( message:Cannot find APPPOOL object with identifier "Nope". )\n'
    assert rc == 1168


def test_appcmd_is_not_on_path_and_no_adsutil():
    m = iis7()
    assert "not recognized" in run(m, "appcmd list apppool")[1]
    assert run(m, "cd /d C:\\Windows\\system32\\inetsrv && appcmd list apppool")[2] == 0
    assert run(m, "%windir%\\system32\\inetsrv\\appcmd list apppool")[2] == 0
    assert not m.fs.is_file("C:\\Inetpub\\AdminScripts\\adsutil.vbs")


def test_list_site_shows_each_sites_bindings_where_the_lab_serves_it():
    m = iis7()
    port = m.config.web_port
    out, _err, rc = run(m, f"{APPCMD} list site")
    assert rc == 0
    assert out.splitlines() == [f'SITE "Default Web Site" (id:1,bindings:http/*:{port}:,state:Started)']
    out, _err, rc = run(m, f'{APPCMD} list site "Nope"')
    assert rc == 1168 and 'Cannot find SITE object with identifier "Nope"' in out

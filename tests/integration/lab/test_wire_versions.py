"""The versions scenario (issue 13) over the real WinRM wire: XP / 2003 hosts answer on port 80 (WinRM 1.1), every
host's ``ver`` names its Windows, and the new tools (iisreset, the IIS COM+ applications, iisapp.vbs, appcmd.exe)
free the shop's DLL where the facts say they do."""

from __future__ import annotations

import pytest
import requests

from tests.lab.harness.fixtures import worker_index

pytestmark = [pytest.mark.lab, pytest.mark.timeout(180)]

DEST = "C:\\InetPub\\shop\\bin\\ShopCart.dll"
VER = {
    "w2k": "Microsoft Windows 2000 [Version 5.00.2195]",
    "xp": "Microsoft Windows XP [Version 5.1.2600]",
    "w2k3": "Microsoft Windows [Version 5.2.3790]",
    "w2k8r2": "Microsoft Windows [Version 6.1.7601]",
    "w2k19": "Microsoft Windows [Version 10.0.17763.1]",
}


@pytest.fixture
def version_hosts(scenario_hosts):
    prefix = f"V{worker_index()}"
    return {h.name[len(prefix) :]: h for h in scenario_hosts("versions.yaml", prefix="V")}


def _run(session, line: str) -> tuple[str, int]:
    result = session.run_cmd(line)
    return result.std_out.decode("cp437"), result.status_code


def _page(host) -> requests.Response:
    return requests.get(f"{host.web_url(1)}/Shop/", timeout=10)


def _locked(host) -> bool:
    return bool(host.machine.fs.lock_holders(DEST))


def test_versions_over_the_wire(version_hosts, winrm_session):
    assert len(version_hosts) == 9
    for name, host in version_hosts.items():
        cfg = host.config
        assert host.inventory_vars()["ansible_port"] == cfg.http_port
        assert host.endpoint().endswith(f":{cfg.http_port}/wsman")
        if name in ("XP51", "W2K3-WORKER", "W2K3-RTM"):
            assert cfg.http_port == 80, name
        session = winrm_session(host)
        out, rc = _run(session, "ver")
        assert (out.strip(), rc) == (VER[cfg.kind], 0), name
        page = _page(host)
        assert page.status_code == 200 and "version=1.0.0.0" in page.text, name
        assert page.headers["Server"].startswith("Microsoft-IIS/")


def test_iisreset_and_the_pooled_application(version_hosts, winrm_session):
    host = version_hosts["W2K5-POOLED"]
    session = winrm_session(host)
    _page(host)
    assert _locked(host)
    out, rc = _run(session, "iisreset /restart")
    assert rc == 0 and "Internet services successfully restarted" in out
    assert not _locked(host)
    _page(host)
    adsutil = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"
    out, rc = _run(session, f"{adsutil} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\r\n", 0)
    assert _locked(host)  # a pooled application: the shared dllhost.exe keeps it


def test_iisapp_recycle_over_the_wire(version_hosts, winrm_session):
    host = version_hosts["W2K3-WORKER"]
    session = winrm_session(host)
    _page(host)
    iisapp = "cscript //nologo C:\\WINDOWS\\system32\\iisapp.vbs"
    out, rc = _run(session, iisapp)
    assert rc == 0 and "AppPoolId: ShopPool" in out
    out, rc = _run(session, f'{iisapp} /a "ShopPool" /r')
    assert (out, rc) == ("Application pool 'ShopPool' recycled successfully.\r\n", 0)
    assert not _locked(host)
    rtm = winrm_session(version_hosts["W2K3-RTM"])
    out, rc = _run(rtm, f'{iisapp} /a "ShopPool" /r')
    assert rc == 1 and out.startswith("IIsApp.vbs")


@pytest.mark.parametrize("name", ["W2K8R2", "W2K19"])
def test_appcmd_over_the_wire(version_hosts, winrm_session, name):
    host = version_hosts[name]
    session = winrm_session(host)
    _page(host)
    appcmd = "%windir%\\system32\\inetsrv\\appcmd.exe"
    out, rc = _run(session, f"{appcmd} list app")
    assert rc == 0 and 'APP "Default Web Site/Shop" (applicationPool:ShopPool)' in out.splitlines()
    out, rc = _run(session, f"{appcmd} stop apppool /apppool.name:ShopPool")
    assert (out, rc) == ('"ShopPool" successfully stopped\r\n', 0)
    assert not _locked(host)
    assert _page(host).status_code == 503
    out, rc = _run(session, f"{appcmd} start apppool /apppool.name:ShopPool")
    assert rc == 0 and _page(host).status_code == 200

"""Review S1/S2: an application pool's started or stopped state is runtime state; a restart of IIS resets it.

Sources.  IIS 7+: appcmd's ``stop apppool`` / ``start apppool`` send a runtime command and do not write ``autoStart``;
"when you restart WAS (e.g. reboot or do an IISRESET) - the application pool state will be reset and it will be
eligible for starting automatically based on the current autoStart setting" (M. Volodarsky, "Caution when stopping
and starting an IIS application pool with appcmd", mvolo.com, 2010); "The Windows Process Activation Service (WAS)
will start all application pools when it starts" (LeanSentry, "How to stop a zombie IIS application pool"); with
automatic startup disabled "you must start the application pool manually" (TechNet cc772112).  IIS 6: AppPoolState
is VOLATILE (TechNet cc759494); ``AppPoolAutoStart`` (default true) tells the WWW service to start the pool "when
the application pool is created or when IIS is started" (cc759202).  The restart outcome on IIS 6 is inferred from
those two (review S2)."""

from __future__ import annotations

from tests.lab.machine.config import AppPoolConfig
from tests.unit.lab.versions_harness import host, run

APPCMD = "C:\\Windows\\system32\\inetsrv\\appcmd.exe"
ADSUTIL = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"


def _pools():
    return [
        AppPoolConfig("ShopPool"),
        AppPoolConfig("IdlePool", started=False),  # stopped by an administrator (autoStart still true)
        AppPoolConfig("ManualPool", auto_start=False),  # started by hand, autoStart false
    ]


def _iis7():
    return host("w2k8r2", shop={"isolation": 2, "app_pool": "ShopPool"}, other={"isolation": 2}, app_pools=_pools())


def _iis6():
    return host("w2k3", shop={"isolation": 2, "app_pool": "ShopPool"}, other={"isolation": 2}, app_pools=_pools())


def _appcmd_states(m) -> dict[str, str]:
    out = run(m, f"{APPCMD} list apppool")[0]
    return {line.split('"')[1]: line.rsplit("state:", 1)[1].rstrip(")") for line in out.splitlines()}


def test_iis7_a_restart_of_was_sets_every_pool_to_its_auto_start():
    m = _iis7()
    before = _appcmd_states(m)
    assert (before["ShopPool"], before["IdlePool"], before["ManualPool"]) == ("Started", "Stopped", "Started")
    assert run(m, "net stop WAS /y")[2] == 0
    assert run(m, "net start W3SVC")[2] == 0  # starts WAS first, as its dependency
    after = _appcmd_states(m)
    assert (after["ShopPool"], after["IdlePool"], after["ManualPool"]) == ("Started", "Started", "Stopped")
    assert any(e.detail.get("action") == "autostart" for e in m.log.events(kind="pool"))


def test_iis7_appcmd_stop_does_not_survive_a_restart_but_a_w3svc_restart_alone_keeps_it():
    m = _iis7()
    assert run(m, f"{APPCMD} stop apppool /apppool.name:ShopPool")[2] == 0
    assert run(m, "net stop W3SVC")[2] == 0 and run(m, "net start W3SVC")[2] == 0  # WAS kept running
    assert _appcmd_states(m)["ShopPool"] == "Stopped"
    assert run(m, "net stop WAS /y")[2] == 0 and run(m, "net start W3SVC")[2] == 0
    assert _appcmd_states(m)["ShopPool"] == "Started"


def test_iis6_a_restart_of_iis_sets_every_app_pool_state_by_app_pool_auto_start():
    m = _iis6()

    def state(pool: str) -> str:
        return run(m, f"{ADSUTIL} GET W3SVC/AppPools/{pool}/AppPoolState")[0].split()[-1]

    assert (state("ShopPool"), state("IdlePool"), state("ManualPool")) == ("2", "4", "2")
    assert run(m, "net stop IISADMIN /y")[2] == 0
    assert run(m, "net start W3SVC")[2] == 0
    assert (state("ShopPool"), state("IdlePool"), state("ManualPool")) == ("2", "2", "4")


def _site_states(m) -> dict[str, str]:
    out = run(m, f"{APPCMD} list site")[0]
    return {line.split('"')[1]: line.rsplit("state:", 1)[1].rstrip(")") for line in out.splitlines()}


def test_iis7_sites_come_back_by_server_auto_start_when_w3svc_starts():
    """Review S3, mvolo.com "Starting, stopping and recycling IIS 7.0 Web sites and application pools": a site's
    start and stop are signals to W3SVC, not configuration; a W3SVC restart starts every site whose serverAutoStart
    is true."""
    m = _iis7()
    assert _site_states(m) == {"Default Web Site": "Started"}
    out, _err, rc = run(m, f'{APPCMD} stop site "/site.name:Default Web Site"')
    assert (out, rc) == ('"Default Web Site" successfully stopped\n', 0)
    assert _site_states(m) == {"Default Web Site": "Stopped"}
    assert run(m, "net stop W3SVC")[2] == 0 and run(m, "net start W3SVC")[2] == 0
    assert _site_states(m) == {"Default Web Site": "Started"}
    assert any(e.detail.get("action") == "autostart" for e in m.log.events(kind="site"))


def test_iis6_sites_keep_their_state_across_a_restart():
    """TechNet cc782812: on IIS 4-6 ServerAutoStart is rewritten when a site is stopped or started, so its state
    survives a restart; the lab has no appcmd there and changes nothing on W3SVC's start."""
    m = _iis6()
    m.site_set_started(1, False)
    assert run(m, "net stop IISADMIN /y")[2] == 0 and run(m, "net start W3SVC")[2] == 0
    assert m.sites_started[1] is False

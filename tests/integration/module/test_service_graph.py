"""The module against the service graph the lab models from review S3 (tests/unit/lab/test_service_graph.py).

The full restarts with HTTP SSL on 2003 and the WCF listener adapters on IIS 7+ run in the fault matrix (cases
``iis6-*`` and ``iis75``/``iis10-worker-keeps-dll-norename``, whose hosts run them); here: S13, an account
without an elevated token on IIS 10.
"""

from __future__ import annotations

import copy

import pytest

from tests.integration.faults import harness as h
from tests.integration.module.scenario import running, served
from tests.lab.machine.config import AppPoolConfig, default_host
from tests.lab.machine.dll import dll_version

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]


def test_not_elevated_appcmd_refusal_is_reported_as_such_and_changes_nothing(lab_host):
    """appcmd answers "The WAS service is not available" to the pool stop although WAS runs (the account's token is
    not elevated: azure-pipelines-extensions issue 1136).  Before review S13 the module went on: the swap renamed the
    loaded DLL, the pool (never stopped) kept running the old one, and the run reported "stopped and started the
    application pool(s)".  Now it asks sc query WAS, puts the old DLL back and says the account is not elevated."""
    sites = copy.deepcopy(default_host(0, "127.0.0.2").sites)
    sites[0].apps[1].app_pool = "ShopPool"
    host = lab_host(fleet_index=0, kind="w2k19", sites=sites, app_pools=[AppPoolConfig("ShopPool")], elevated=False)
    served(host)  # the component is loaded, as on a host in use
    before = running(host)
    res = h.run_module(host, h.module_args())
    assert res.get("failed") and res["step"] == "stop", res.get("msg")
    assert "no elevated token" in res["msg"] and "sc query WAS: 4 RUNNING" in res["msg"], res["msg"]
    assert dll_version(h.read_file(host, h.SHOP_DLL) or b"") == "1.0.0.0"
    assert host.machine.pool_state("ShopPool") == 2 and running(host) == before
    assert not h.record_present(host)
    host.machine.config.elevated = True  # an administrator's token: the same task now updates
    again = h.run_module(host, h.module_args())
    assert not again.get("failed"), again.get("msg")
    assert dll_version(h.read_file(host, h.SHOP_DLL) or b"") == "2.0.0.0"


def test_a_dependant_that_refuses_the_stop_is_named_and_every_service_runs_again(lab_host):
    """Review S8: W3SVC refuses the stop control (net: "The service could not be controlled in its present state.",
    HELPMSG 2189, from a 2003 capture).  net stop IISADMIN /y stops FTP and SMTP, then gives up; the in-process DLL
    is still loaded, so the module keeps the old DLL, starts what was stopped, and quotes net's reason."""
    host = lab_host(fleet_index=0)  # NT 4, /Shop in-process: the full restart
    served(host)
    before = running(host)
    host.set_faults(refuse_stop={"W3SVC"})
    res = h.run_module(host, h.module_args())
    assert res.get("failed") and res["step"] == "stop", res.get("msg")
    assert "could not be controlled in its present state" in res["msg"], res["msg"]
    assert running(host) == before, f"services left down: {sorted(before - running(host))}"
    assert dll_version(h.read_file(host, h.SHOP_DLL) or b"") == "1.0.0.0"
    assert not h.record_present(host)

"""Later Windows and IIS versions (issue 13): what ``ver`` says, the tools of IIS 6 and 7+, and the plan.

Formats from the IIS 5-7 facts (ver lines, appcmd lists, iisapp, APPGETSTATUS, "not set at this node");
the plans are made from recorded NT 4 facts (output of a LAB host, recorded/README.md) with the version and the
metabase (or appcmd's lists) replaced.
"""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.catalog import POOLED_APPLICATION, CatalogFacts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_facts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.metabase import Metabase
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.catalog import Package
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.versions import (
    ParseError,
    not_set_here,
    parse_app_status,
    parse_appcmd_apps,
    parse_appcmd_pools,
    parse_appcmd_sites,
    parse_appcmd_wps,
    parse_iisapp_list,
    parse_ver,
    pool_started,
    pool_state,
    pool_stopped_state,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed
from ansible_collections.legacy_iis.iis4.plugins.module_utils.plan import make_plan

from .test_plan import ADSUTIL, DEST, INPROC, SRC, STAMP, facts_of, params, recorded


@pytest.mark.parametrize(
    ("text", "iis", "name"),
    [
        ("\r\nWindows NT Version 4.0  \r\n", "4.0", "Windows NT 4.0"),
        ("\r\nMicrosoft Windows 2000 [Version 5.00.2195]\r\n", "5.0", "Windows 2000"),
        ("\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n", "5.1", "Windows XP"),
        ("\r\nMicrosoft Windows [Version 5.2.3790]\r\n", "6.0", "Windows Server 2003"),
        ("\r\nMicrosoft Windows [Version 6.1.7601]\r\n", "7.5", "Windows Server 2008 R2"),
        ("\r\nMicrosoft Windows [Version 10.0.17763.1]\r\n", "10.0", "Windows Server 2016 or later"),
    ],
)
def test_ver(text, iis, name):
    v = parse_ver(text)
    assert (v.iis, v.name) == (iis, name)


def test_ver_without_a_version():
    assert parse_ver("") is None
    assert parse_ver("'ver' is not recognized as an internal or external command\r\n") is None


def test_appcmd_lists():
    apps = parse_appcmd_apps(
        'APP "Default Web Site/" (applicationPool:DefaultAppPool)\r\n'
        'APP "Default Web Site/Shop" (applicationPool:ShopPool)\r\n'
    )
    assert apps == {"Default Web Site/": "DefaultAppPool", "Default Web Site/Shop": "ShopPool"}
    assert parse_appcmd_wps('WP "3676" (applicationPool:ShopPool)\r\n') == [(3676, "ShopPool")]
    pools = parse_appcmd_pools('APPPOOL "ShopPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)\r\n')
    assert pools == {"ShopPool": "Started"}
    assert parse_appcmd_sites('SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)\r\n') == {
        "Default Web Site": 1
    }
    missing = "The name specified is not recognized as an\r\ninternal or external command.\r\n"
    assert parse_appcmd_apps(missing) is None


def test_appcmd_names_with_the_tools_own_punctuation():
    """Issue 21 / review L5: a pool name inside the attribute list may hold parentheses, commas and colons; a
    site name between the quotes spaces, parentheses, commas and '&'."""
    apps = parse_appcmd_apps(
        'APP "Web Site (Shop & Co), main/" (applicationPool:DefaultAppPool)\r\n'
        'APP "Web Site (Shop & Co), main/Shop" (applicationPool:Shop (v2): main)\r\n'
        'APP "Default Web Site/Legacy" (applicationPool:Shop Pool (Legacy), A&B)\r\n'
    )
    assert apps == {
        "Web Site (Shop & Co), main/": "DefaultAppPool",
        "Web Site (Shop & Co), main/Shop": "Shop (v2): main",
        "Default Web Site/Legacy": "Shop Pool (Legacy), A&B",
    }
    assert parse_appcmd_wps('WP "3676" (applicationPool:Shop (v2): main)\r\n') == [(3676, "Shop (v2): main")]
    pools = parse_appcmd_pools(
        'APPPOOL "Shop (v2): main" (MgdVersion:,MgdMode:Integrated,state:Stopped)\r\n'
        'APPPOOL "Shop Pool (Legacy), A&B" (MgdVersion:v2.0,MgdMode:Classic,state:Started)\r\n'
    )
    assert pools == {"Shop (v2): main": "Stopped", "Shop Pool (Legacy), A&B": "Started"}
    assert parse_appcmd_sites('SITE "Web Site (Shop & Co), main" (id:2,bindings:http/*:81:,state:Started)\r\n') == {
        "Web Site (Shop & Co), main": 2
    }
    assert parse_iisapp_list("W3WP.exe PID: 5268   AppPoolId: Shop Pool (Legacy), A&B\r\n") == [
        (5268, "Shop Pool (Legacy), A&B")
    ]


def test_an_appcmd_line_that_cannot_be_read_is_never_a_missing_appcmd():
    """Issue 21: say which output could not be read and quote it (ParseError), rather than 'not installed'."""
    with pytest.raises(ParseError, match="appcmd list app.*ERROR \\( message:Access denied"):
        parse_appcmd_apps(
            'APP "Default Web Site/" (applicationPool:DefaultAppPool)\r\nERROR ( message:Access denied )\r\n'
        )
    with pytest.raises(ParseError, match="appcmd list apppool"):
        parse_appcmd_pools("APPPOOL ShopPool state:Started\r\n")
    assert parse_appcmd_apps("The system cannot find the path specified.\r\n") is None
    facts_text = recorded(INPROC).replace(
        "@@lock\r\n",
        "@@ver\r\nMicrosoft Windows [Version 6.1.7601]\r\n"
        "@@appcmd_app\r\nAPP Default Web Site/Shop applicationPool=ShopPool\r\n@@lock\r\n",
        1,
    )
    assert "@@appcmd_app" in facts_text
    with pytest.raises(StepFailed) as err:
        read_facts(facts_text, ADSUTIL)
    assert err.value.step == "gather" and "could not read a line of 'appcmd list app'" in str(err.value)
    assert "APP Default Web Site/Shop applicationPool=ShopPool" in str(err.value)
    assert "not found" not in str(err.value) and "nothing was changed" in str(err.value)


def test_iisapp_and_adsutil_texts():
    assert parse_iisapp_list("W3WP.exe PID: 5268   AppPoolId: DefaultAppPool\r\n") == [(5268, "DefaultAppPool")]
    assert parse_app_status("Application Status: 1\r\n") == 1
    assert parse_app_status("nothing\r\n") is None
    assert not_set_here('The parameter "AppPoolId" is not set at this node.\r\n')


def test_pool_state_numbers():
    assert pool_state('APPPOOL "Shop (v2): main" (MgdVersion:,MgdMode:Integrated,state:Starting)\r\n') == 1
    assert pool_state('APPPOOL "A (state:Stopped)" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)') == 2
    assert pool_state("AppPoolState                    : (INTEGER) 3\r\n") == 3
    assert pool_state("") is None
    assert pool_stopped_state(4) and pool_stopped_state("Stopped") and pool_stopped_state("stopping")
    assert not pool_stopped_state(2) and not pool_stopped_state("Started") and not pool_stopped_state("x")


def test_pool_states():
    assert pool_started('APPPOOL "ShopPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Started)')
    assert not pool_started('APPPOOL "ShopPool" (MgdVersion:v4.0,MgdMode:Integrated,state:Stopped)')
    assert pool_started("AppPoolState                    : (INTEGER) 2")
    assert not pool_started("AppPoolState                    : (INTEGER) 4")
    assert not pool_started("")


# -- plans ------------------------------------------------------------------------------------------------

W2K = parse_ver("Microsoft Windows 2000 [Version 5.00.2195]")
W2K3 = parse_ver("Microsoft Windows [Version 5.2.3790]")
W2K8R2 = parse_ver("Microsoft Windows [Version 6.1.7601]")


def metabase(isolation: int | None = None, pool: str | None = None, iis5_mode: bool | None = None) -> Metabase:
    shop = {"AppRoot": "/LM/W3SVC/1/ROOT/Shop", "Path": "C:\\InetPub\\shop"}
    if isolation is not None:
        shop["AppIsolated"] = isolation
    if pool is not None:
        shop["AppPoolId"] = pool
    w3svc = {} if iis5_mode is None else {"IIs5IsolationModeEnabled": "True" if iis5_mode else "False"}
    return Metabase(
        {
            "W3SVC": w3svc,
            "W3SVC/1": {"ServerComment": "Default Web Site"},
            "W3SVC/1/ROOT": {"AppRoot": "/LM/W3SVC/1/ROOT", "AppIsolated": 2, "Path": "C:\\InetPub\\wwwroot"},
            "W3SVC/1/ROOT/Shop": shop,
            "W3SVC/1/ROOT/Other": {"AppRoot": "/LM/W3SVC/1/ROOT/Other", "AppPoolId": "ShopPool"},
        }
    )


def plan_of(facts, catalog=None, **overrides):
    p = params(**overrides)
    return make_plan(facts, p, Paths(SRC, DEST, STAMP), catalog)


def complus(*packages):
    return CatalogFacts("complus", tuple(packages), None, False, None, None)


POOLED = Package("{11111111-2222-3333-4444-555555555555}", POOLED_APPLICATION, True, False, 3)


def test_iis5_pooled_application_shuts_down_the_pooled_com_application():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K, metabase=metabase())  # inherits 2 from ROOT
    assert facts.isolation_mode == "iis5"
    plan = plan_of(facts, complus(POOLED))
    assert plan.applications[0].pooled
    assert plan.method == "package_shutdown" and plan.strategy.package.name == POOLED_APPLICATION
    assert plan.iis.method == "unload"  # what follows if the DLL stays loaded
    assert plan.package is None  # the DLL itself is in no package
    paths = {a["metabase_path"] for a in plan.blast_radius["applications"]}
    assert paths == {"/LM/W3SVC/1/ROOT", "/LM/W3SVC/1/ROOT/Shop", "/LM/W3SVC/1/ROOT/Other"}  # every pooled one
    assert "every pooled application" in plan.blast_radius["note"]


def test_iis5_pooled_without_the_catalog_entry_unloads():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K, metabase=metabase())
    assert plan_of(facts, complus()).method == "unload"


def test_iis5_isolated_unloads_its_dllhost():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K, metabase=metabase(isolation=1))
    plan = plan_of(facts, complus(POOLED))
    assert plan.method == "unload" and plan.blast_radius["process"] == "dllhost.exe"


def test_iis5_in_process_restarts_iis():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K, metabase=metabase(isolation=0))
    assert plan_of(facts, complus(POOLED)).method == "service_restart"


def test_iis6_worker_process_isolation_restarts_the_pool():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K3, metabase=metabase(pool="ShopPool", iis5_mode=False))
    assert facts.isolation_mode == "worker_process"
    plan = plan_of(facts)
    assert plan.method == "pool_restart" and plan.strategy.pools == ("ShopPool",) and plan.strategy.tool == "adsutil"
    assert plan.isolation == "worker_process"
    apply = " & ".join(plan.step("apply").parts)
    assert 'SET "W3SVC/AppPools/ShopPool/AppPoolCommand" 2' in apply
    assert 'SET "W3SVC/AppPools/ShopPool/AppPoolCommand" 1' in apply
    assert "net stop" not in apply
    stage = " ".join(plan.step("stage").parts)
    assert "pools=ShopPool" in stage and "pool_tool=adsutil" in stage
    assert {a["metabase_path"] for a in plan.blast_radius["applications"]} == {
        "/LM/W3SVC/1/ROOT/Shop",
        "/LM/W3SVC/1/ROOT/Other",
    }


def test_iis6_pool_is_inherited_and_defaults_to_defaultapppool():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K3, metabase=metabase(iis5_mode=False))
    assert plan_of(facts).strategy.pools == ("DefaultAppPool",)


def test_iis6_in_iis5_isolation_mode_follows_the_iis5_rules():
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K3, metabase=metabase(isolation=1, iis5_mode=True))
    assert facts.isolation_mode == "iis5"
    assert plan_of(facts).method == "unload"


def test_iis7_uses_appcmd():
    facts = dataclasses.replace(
        facts_of(INPROC),
        windows=W2K8R2,
        system_root="C:\\Windows",
        metabase=None,
        appcmd_apps={"Default Web Site/": "DefaultAppPool", "Default Web Site/Shop": "ShopPool"},
        appcmd_pools={"DefaultAppPool": "Started", "ShopPool": "Started"},
        appcmd_sites={"Default Web Site": 1},
    )
    plan = plan_of(facts, application=["/Shop/admin"])
    assert plan.method == "pool_restart" and plan.strategy.tool == "appcmd" and plan.strategy.pools == ("ShopPool",)
    apply = " & ".join(plan.step("apply").parts)
    assert '"C:\\Windows\\system32\\inetsrv\\appcmd.exe" stop apppool /apppool.name:"ShopPool"' in apply
    assert 'appcmd.exe" start apppool /apppool.name:"ShopPool"' in apply
    assert "%" not in apply  # the sequence may become a batch file, where % means something else
    assert plan.applications[0].friendly_name == "Default Web Site/Shop"
    root = plan_of(facts, application=["/"], site="1")
    assert root.strategy.pools == ("DefaultAppPool",)


def test_iis6_pool_of_a_virtual_directory_is_its_application_roots():
    """AppPoolId on a key that is not an application root does nothing: the enclosing application's pool serves it
    (found against the lab, where /Shop as a plain virtual directory was served by DefaultAppPool)."""
    mb = metabase(pool="ShopPool", iis5_mode=False)
    del mb.nodes["W3SVC/1/ROOT/Shop"]["AppRoot"]
    facts = dataclasses.replace(facts_of(INPROC), windows=W2K3, metabase=mb)
    assert plan_of(facts).strategy.pools == ("DefaultAppPool",)

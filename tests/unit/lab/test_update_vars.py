"""The lab_update_* inventory contract (issue 11, item 10): every lab host with a component to update carries
the staged DLL, the component, the applications that load it, the page and the text it serves afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lab.harness.inventory import host_vars
from tests.lab.harness.update import update_vars
from tests.lab.machine.config import (
    SHOP_DLL,
    STAGED_DLL,
    AppConfig,
    HostConfig,
    SiteConfig,
    default_fleet,
    load_scenario,
)
from tests.lab.machine.dll import make_dll

SCENARIOS = Path(__file__).resolve().parents[2] / "lab" / "scenarios"


def test_default_fleet_hosts_carry_the_variables():
    for cfg in default_fleet(4, [f"127.0.0.{i + 2}" for i in range(4)]):
        v = host_vars(cfg, "http", Path("ca.pem"))
        assert v["lab_update_src"] == STAGED_DLL and v["lab_update_dest"] == SHOP_DLL
        assert v["lab_update_application"] == ["/Shop"]
        assert v["lab_update_url"] == f"http://{cfg.ip}:8080/Shop/"
        assert v["lab_update_expect"] == "version=2.0.0.0" and v["lab_update_version"] == "2.0.0.0"
        assert "lab_update_site" not in v and "lab_update_other_sites" not in v


@pytest.mark.parametrize("scenario", ["mixed.yaml", "lan.yaml", "wire.yaml", "variations.yaml"])
def test_every_scenario_host_has_a_component_to_update(scenario):
    hosts = load_scenario(SCENARIOS / scenario)
    assert hosts
    for cfg in hosts:
        v = update_vars(cfg)
        assert v, cfg.name
        assert v["lab_update_expect"].startswith("version=2.")


def test_wire_hosts_each_get_their_own_copy_of_the_defaults():
    hosts = load_scenario(SCENARIOS / "wire.yaml")
    assert all([a.path for a in h.sites[0].apps] == ["/", "/Shop"] for h in hosts)
    assert hosts[0].sites[0] is not hosts[1].sites[0]


def _host(**kw) -> HostConfig:
    cfg = HostConfig(ip="127.0.0.5", **kw)
    cfg.files = {SHOP_DLL: make_dll("ShopCart", "1.0.0.0"), STAGED_DLL: make_dll("ShopCart", "2.0.0.0")}
    return cfg


def test_no_component_no_variables():
    assert update_vars(HostConfig()) == {}
    cfg = _host(sites=[SiteConfig(apps=[AppConfig("/", isolated=False, components=[SHOP_DLL])])])
    cfg.files.pop(STAGED_DLL)
    assert update_vars(cfg) == {}  # nothing staged


def test_odd_paths_are_quoted_in_the_url():
    cfg = _host(sites=[SiteConfig(apps=[AppConfig("/My Shop", isolated=True, components=[SHOP_DLL])])])
    v = update_vars(cfg)
    assert v["lab_update_url"] == "http://127.0.0.5:8080/My%20Shop/"
    assert v["lab_update_application"] == ["/My Shop"]


def test_site_and_other_sites():
    cfg = _host(
        sites=[
            SiteConfig(apps=[AppConfig("/", isolated=False)]),
            SiteConfig(2, "Shop Site", "C:\\InetPub\\s", [":8081:"], [AppConfig("/Shop", True, components=[SHOP_DLL])]),
            SiteConfig(3, "Intranet", "C:\\InetPub\\i", [":8082:"], [AppConfig("/", False, components=[SHOP_DLL])]),
        ]
    )
    v = update_vars(cfg)
    assert v["lab_update_site"] == "Shop Site" and v["lab_update_url"] == "http://127.0.0.5:8081/Shop/"
    assert v["lab_update_other_sites"] == {"Intranet": ["/"]}


def test_an_explicit_update_wins_over_the_staging_rule():
    from tests.lab.machine.config import UpdateConfig

    cfg = _host(sites=[SiteConfig(apps=[AppConfig("/Shop", True, components=[SHOP_DLL])])])
    cfg.files["C:\\Deploy\\New.dll"] = make_dll("ShopCart", "3.0.0.0")
    cfg.update = UpdateConfig("C:\\Deploy\\New.dll", SHOP_DLL)
    v = update_vars(cfg)
    assert (v["lab_update_src"], v["lab_update_expect"]) == ("C:\\Deploy\\New.dll", "version=3.0.0.0")

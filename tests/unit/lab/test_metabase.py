"""The lab metabase: tree from the host config, case handling, inheritance, applications, sites."""

from __future__ import annotations

import pytest

from tests.lab.machine.config import AppConfig, HostConfig, SiteConfig, default_host
from tests.lab.machine.metabase import INPROC_WAM_CLSID, Metabase


def fleet_host(index: int = 1) -> Metabase:
    return Metabase(default_host(index, "127.0.0.2"))


def test_tree_from_config_keeps_case_and_finds_any_case():
    mb = fleet_host()
    shop = mb.resolve("w3svc/1/root/SHOP")
    assert shop is not None
    assert shop.path == "/LM/W3SVC/1/ROOT/Shop"
    assert mb.resolve("/LM/W3SVC/1/ROOT/Shop") is shop
    assert mb.resolve("W3SVC\\1\\Root\\Shop\\") is shop
    assert mb.resolve("W3SVC/99") is None
    assert [c.name for c in mb.resolve("W3SVC").children] == ["Info", "Filters", "1", "2"]
    assert shop.keytype == "IIsWebVirtualDir"
    assert mb.stored(shop, "Path") == "C:\\InetPub\\shop"


def test_site_keys():
    mb = fleet_host()
    site = mb.resolve("W3SVC/1")
    assert site.keytype == "IIsWebServer"
    assert mb.stored(site, "ServerComment") == "Default Web Site"
    assert mb.stored(site, "ServerBindings") == [":8080:"]  # where the lab serves it (web_port)
    assert mb.stored(mb.resolve("W3SVC/2"), "ServerBindings") == [":8081:"]
    assert mb.stored(mb.resolve("W3SVC/2/ROOT"), "Path") == "C:\\InetPub\\intranet"


def test_inheritance_effective_value_comes_from_the_nearest_key_upwards():
    mb = fleet_host()
    shop = mb.resolve("W3SVC/1/ROOT/Shop")
    assert mb.stored(shop, "DefaultDoc") is None
    assert mb.effective(shop, "DefaultDoc") == "Default.htm,Default.asp"  # from /LM/W3SVC
    assert mb.effective(shop, "AuthNTLM") is True  # a bit of AuthFlags 5 on /LM/W3SVC
    mb.set(mb.resolve("W3SVC/1/ROOT"), "DefaultDoc", "index.asp")
    assert mb.effective(shop, "DefaultDoc") == "index.asp"
    # not inheritable: the ROOT does not get the site's ServerComment
    assert mb.effective(mb.resolve("W3SVC/1/ROOT"), "ServerComment") is None


def test_boolean_views_of_flags():
    mb = fleet_host()
    root = mb.resolve("W3SVC/1/ROOT")
    assert mb.stored(root, "AccessFlags") == 0x201
    assert mb.stored(root, "AccessRead") is True and mb.stored(root, "AccessWrite") is False
    mb.set(root, "AccessWrite", True)
    assert mb.stored(root, "AccessFlags") == 0x203
    # a key without AccessFlags stores none of the views
    assert mb.stored(mb.resolve("W3SVC/1"), "AccessRead") is None


def test_w3svc_is_the_fallback_in_process_application():
    mb = fleet_host()
    w3 = mb.resolve("W3SVC")
    assert mb.stored(w3, "AppRoot") == "/LM/W3SVC"
    assert mb.stored(w3, "AppIsolated") == 0
    assert mb.stored(w3, "AppWamClsid") == INPROC_WAM_CLSID
    assert mb.is_app_root(w3)


def test_applications_isolation_and_wam_clsid():
    mb = fleet_host(1)  # odd hosts run the shop isolated
    shop = mb.resolve("W3SVC/1/ROOT/Shop")
    assert mb.is_app_root(shop) and mb.isolated(shop)
    assert mb.stored(shop, "AppFriendlyName") == "Shop"
    assert str(mb.stored(shop, "AppWamClsid")).startswith("{")
    root = mb.resolve("W3SVC/1/ROOT")
    assert mb.is_app_root(root) and not mb.isolated(root)
    assert mb.stored(root, "AppWamClsid") is None
    assert {k.path for k in mb.applications()} >= {"/LM/W3SVC", "/LM/W3SVC/1/ROOT", "/LM/W3SVC/1/ROOT/Shop"}


def test_a_plain_vdir_belongs_to_the_application_above_it():
    cfg = HostConfig(
        sites=[
            SiteConfig(
                apps=[
                    AppConfig("/", isolated=False),
                    AppConfig("/Shop", isolated=True),
                    AppConfig("/Shop/images"),
                    AppConfig("/docs"),
                ]
            )
        ]
    )
    mb = Metabase(cfg)
    images = mb.resolve("W3SVC/1/ROOT/Shop/images")
    assert mb.stored(images, "AppRoot") is None
    assert mb.app_root_of(images).path == "/LM/W3SVC/1/ROOT/Shop"
    assert mb.effective(images, "AppRoot") == "/LM/W3SVC/1/ROOT/Shop"
    assert mb.effective(images, "AppIsolated") == 1
    assert mb.app_root_of(mb.resolve("W3SVC/1/ROOT/docs")).path == "/LM/W3SVC/1/ROOT"
    assert mb.stored(images, "Path") == "C:\\InetPub\\wwwroot\\Shop\\images"


def test_site_without_applications_falls_back_to_w3svc():
    mb = Metabase(HostConfig(sites=[SiteConfig(apps=[])]))
    assert mb.app_root_of(mb.resolve("W3SVC/1/ROOT")).path == "/LM/W3SVC"


def test_app_create_and_delete():
    mb = fleet_host(0)
    shop = mb.resolve("W3SVC/1/ROOT/Shop")
    assert not mb.isolated(shop)
    mb.app_create(shop, True)
    assert mb.isolated(shop) and mb.stored(shop, "AppWamClsid")
    mb.app_delete(shop)
    assert not mb.is_app_root(shop)
    assert mb.app_root_of(shop).path == "/LM/W3SVC/1/ROOT"


def test_data_paths_lists_where_a_property_is_stored():
    mb = fleet_host()
    paths = [k.path for k in mb.data_paths(mb.resolve("W3SVC"), "AppIsolated")]
    assert paths == ["/LM/W3SVC", "/LM/W3SVC/1/ROOT", "/LM/W3SVC/1/ROOT/Shop", "/LM/W3SVC/2/ROOT"]


def test_stored_props_in_class_order_start_with_keytype():
    mb = fleet_host()
    names = [p.name for p, _v in mb.stored_props(mb.resolve("W3SVC/1"))]
    assert names == ["KeyType", "ServerComment", "ServerBindings", "ServerAutoStart"]


def test_sites_by_port_and_urls_to_keys():
    mb = fleet_host()
    assert mb.site_for_port(8080).name == "1"
    assert mb.site_for_port(8081).name == "2"
    assert mb.site_for_port(9999) is None
    site = mb.resolve("W3SVC/1")
    assert mb.key_for_url(site, "/shop/cart.asp?x=1").path == "/LM/W3SVC/1/ROOT/Shop"
    assert mb.key_for_url(site, "/").path == "/LM/W3SVC/1/ROOT"


def test_allowed_properties_depend_on_the_key_type():
    mb = fleet_host()
    assert mb.allowed(mb.resolve("W3SVC/1"), "ServerBindings")
    assert not mb.allowed(mb.resolve("W3SVC/1/ROOT"), "ServerBindings")
    assert mb.allowed(mb.resolve("W3SVC/1/ROOT"), "AppIsolated")


def test_optional_services_get_their_trees():
    mb = fleet_host(0)  # index 0 has FTP and SMTP
    assert mb.resolve("MSFTPSVC/1").keytype == "IIsFtpServer"
    assert mb.resolve("SMTPSVC/1") is not None
    assert mb.resolve("NNTPSVC") is None


def test_a_scenario_binding_must_name_the_port_the_lab_serves_the_site_on():
    cfg = default_host(0, "127.0.0.2")
    cfg.sites[1].bindings = ["10.0.0.5:8081:intranet"]
    assert cfg.site_bindings(cfg.sites[1]) == ["10.0.0.5:8081:intranet"]
    with pytest.raises(ValueError, match="port 8080"):
        cfg.site_bindings(SiteConfig(number=1, bindings=[":80:"]))

"""Detection (metabase inheritance) and service ordering: pure logic, no host."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.metabase import Metabase, MetabaseError
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.services import (
    IIS_SERVICES,
    KNOWN_DEPENDENCIES,
    dependants,
    key_for_display_name,
    running_iis_services,
    service_display_name,
    service_key,
    start_order,
    stop_set,
)


def farm() -> Metabase:
    return Metabase(
        {
            "/W3SVC": {"AppIsolated": 0, "AccessRead": True},
            "/W3SVC/1": {"ServerComment": "Default Web Site", "ServerBindings": [":80:"]},
            "/W3SVC/1/ROOT": {"Path": "C:\\InetPub\\wwwroot", "AppRoot": "/LM/W3SVC/1/ROOT", "AppIsolated": 0},
            "/W3SVC/1/ROOT/Shop": {"Path": "C:\\InetPub\\shop", "AppRoot": "/LM/W3SVC/1/ROOT/Shop", "AppIsolated": 1},
            "/W3SVC/1/ROOT/Shop/Admin": {"Path": "C:\\InetPub\\shop\\admin"},
            "/W3SVC/1/ROOT/Docs": {"Path": "C:\\Docs"},
            "/W3SVC/2": {"ServerComment": "Intranet"},
            "/W3SVC/2/ROOT": {"Path": "C:\\InetPub\\intranet", "AppRoot": "/LM/W3SVC/2/ROOT"},
            "/W3SVC/2/ROOT/Legacy": {"AppRoot": "/LM/W3SVC/2/ROOT/Legacy", "AppIsolated": 1},
            "/W3SVC/2/ROOT/Legacy/Inner": {"AppRoot": "/LM/W3SVC/2/ROOT/Legacy/Inner", "AppIsolated": 0},
        }
    )


def test_sites_resolve_by_name_or_number_case_insensitively():
    mb = farm()
    assert mb.sites() == {1: "Default Web Site", 2: "Intranet"}
    assert mb.resolve_site("default web site") == 1
    assert mb.resolve_site("2") == 2
    assert mb.resolve_site(2) == 2
    with pytest.raises(MetabaseError, match="Extranet.*1 \\('Default Web Site'\\)"):
        mb.resolve_site("Extranet")
    with pytest.raises(MetabaseError):
        mb.resolve_site("9")


def test_isolated_application_keeps_metabase_spelling():
    app = farm().resolve_application(1, "/shop")
    assert app.key == "W3SVC/1/ROOT/Shop"
    assert app.app_root == "W3SVC/1/ROOT/Shop"
    assert app.isolated is True
    assert app.metabase_path == "/LM/W3SVC/1/ROOT/Shop"


def test_subfolder_inherits_from_nearest_application_root():
    admin = farm().resolve_application(1, "/Shop/Admin")
    assert admin.app_root == "W3SVC/1/ROOT/Shop"
    assert admin.isolated is True
    docs = farm().resolve_application(1, "/Docs")
    assert docs.app_root == "W3SVC/1/ROOT"
    assert docs.isolated is False


def test_app_isolated_inherited_from_w3svc_when_root_does_not_store_it():
    root = farm().resolve_application(2, "/")
    assert root.app_root == "W3SVC/2/ROOT"
    assert root.isolated is False  # inherited from /W3SVC AppIsolated 0


def test_nested_in_process_app_inside_isolated_app():
    inner = farm().resolve_application(2, "/Legacy/Inner")
    assert inner.app_root == "W3SVC/2/ROOT/Legacy/Inner"
    assert inner.isolated is False


def test_unknown_application_lists_known_ones():
    with pytest.raises(MetabaseError, match="/Nope.*applications of this site: /, /Shop"):
        farm().resolve_application(1, "/Nope")


def test_blast_radius_in_process_is_every_in_process_app_of_every_site():
    mb = farm()
    shared = mb.sharing_process(mb.resolve_application(1, "/"))
    assert sorted(a.key for a in shared) == ["W3SVC/1/ROOT", "W3SVC/2/ROOT", "W3SVC/2/ROOT/Legacy/Inner"]
    isolated = mb.sharing_process(mb.resolve_application(1, "/Shop/Admin"))
    assert [a.key for a in isolated] == ["W3SVC/1/ROOT/Shop"]


def test_service_name_map():
    assert service_display_name("w3svc") == "World Wide Web Publishing Service"
    assert service_display_name("IISADMIN") == "IIS Admin Service"
    assert service_display_name("Spooler") is None
    assert service_key("world wide web  publishing service") == "W3SVC"
    assert service_key("Microsoft NNTP Service") == "NNTPSVC"
    assert service_key("Print Spooler") is None
    assert set(IIS_SERVICES) == {"IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC", "WAS"}
    assert service_key("Simple Mail Transfer Protocol (SMTP)") == "SMTPSVC"  # Server 2003 (cc787028)
    assert service_key("Windows Process Activation Service") == "WAS"


def test_service_names_and_running_set():
    assert key_for_display_name("World Wide Web Publishing Service") == "W3SVC"
    assert key_for_display_name("ftp publishing service") == "MSFTPSVC"
    assert key_for_display_name("Server") is None
    listing = ["Alerter", "FTP Publishing Service", "IIS Admin Service", "World Wide Web Publishing Service"]
    assert running_iis_services(listing) == ["IISADMIN", "W3SVC", "MSFTPSVC"]


def test_stop_and_start_order():
    running = ["IISADMIN", "W3SVC", "SMTPSVC", "MSFTPSVC"]
    assert dependants("IISADMIN", KNOWN_DEPENDENCIES) == ["W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC"]
    assert stop_set(running, KNOWN_DEPENDENCIES) == ["W3SVC", "MSFTPSVC", "SMTPSVC", "IISADMIN"]
    assert start_order(["SMTPSVC", "W3SVC", "IISADMIN", "MSFTPSVC"], KNOWN_DEPENDENCIES) == [
        "IISADMIN",
        "W3SVC",
        "MSFTPSVC",
        "SMTPSVC",
    ]


def test_start_order_follows_live_dependencies():
    graph = {"IISADMIN": ["RPCSS"], "W3SVC": ["IISADMIN"], "SMTPSVC": ["IISADMIN", "W3SVC"]}
    assert start_order(["SMTPSVC", "W3SVC", "IISADMIN"], graph) == ["IISADMIN", "W3SVC", "SMTPSVC"]


def spelled_apart() -> Metabase:
    """An application created with ``adsutil APPCREATEOUTPROC w3svc/1/root/shop``: AppRoot spelled unlike the key."""
    return Metabase(
        {
            "/W3SVC": {"AppIsolated": 0},
            "/W3SVC/1": {"ServerComment": "Default Web Site"},
            "/W3SVC/1/ROOT": {"AppRoot": "/LM/W3SVC/1/ROOT", "AppIsolated": 0},
            "/W3SVC/1/ROOT/Shop": {"AppRoot": "/LM/w3svc/1/root/shop", "AppIsolated": 1},
            "/W3SVC/1/ROOT/Shop/Admin": {"AppRoot": "/LM/W3SVC/1/ROOT/Shop"},  # a leftover naming its parent
            "/W3SVC/1/ROOT/R&D": {"AppRoot": "/LM/W3SVC/1/ROOT/R&D", "AppIsolated": 1},
        }
    )


def test_app_root_spelled_unlike_the_key_is_still_an_app_root_and_unloads_by_its_stored_value():
    mb = spelled_apart()
    app = mb.resolve_application(1, "/shop")
    assert app.app_root == "W3SVC/1/ROOT/Shop" and app.isolated
    assert app.unload_path == "w3svc/1/root/shop", "APPUNLOAD matches the stored value case-sensitively (KB Q246111)"


def test_an_app_root_naming_another_key_is_not_an_application():
    mb = spelled_apart()
    admin = mb.resolve_application(1, "/Shop/Admin")
    assert admin.app_root == "W3SVC/1/ROOT/Shop"
    assert [a.path for a in mb.applications(1)] == ["/", "/R&D", "/Shop"]


def test_keys_with_metacharacters_resolve():
    app = spelled_apart().resolve_application(1, "/r&d")
    assert app.key == "W3SVC/1/ROOT/R&D" and app.unload_path == "W3SVC/1/ROOT/R&D"

"""Where a site answers: ServerBindings of the metabase (IIS 4-6) and appcmd's site bindings (IIS 7+), read from the
gather's answer without a request of their own (issue 22, item 5)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.bindings import (
    appcmd_bindings,
    parse_binding,
    site_bindings,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.metabase_read import read_metabase
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.versions import (
    parse_appcmd_site_bindings,
    parse_appcmd_sites,
)

ENUM_ALL = (
    'KeyType                         : (STRING) "IIsWebService"\r\n'
    "[/W3SVC/1]\r\n"
    'KeyType                         : (STRING) "IIsWebServer"\r\n'
    'ServerComment                   : (STRING) "Default Web Site"\r\n'
    "ServerBindings                  : (LIST) (2 Items)\r\n"
    '  "10.0.0.5:8080:"\r\n'
    '  ":8080:shop.example"\r\n'
    "\r\n"
    "SecureBindings                  : (LIST) (1 Items)\r\n"
    '  ":443:"\r\n'
    "\r\n"
    "[/W3SVC/1/ROOT]\r\n"
    'KeyType                         : (STRING) "IIsWebVirtualDir"\r\n'
    "[/W3SVC/2]\r\n"
    'KeyType                         : (STRING) "IIsWebServer"\r\n'
    "ServerBindings                  : (LIST) (1 Items)\r\n"
    '  ":8081:"\r\n'
    "\r\n"
)


def test_metabase_format_ip_port_hostheader():
    assert parse_binding(":80:") == {"protocol": "http", "address": "*", "port": 80, "host_header": ""}
    assert parse_binding('"10.0.0.5:8080:shop"', "https") == {
        "protocol": "https",
        "address": "10.0.0.5",
        "port": 8080,
        "host_header": "shop",
    }
    assert parse_binding("[fe80::1]:81:") == {"protocol": "http", "address": "[fe80::1]", "port": 81, "host_header": ""}
    assert parse_binding("nonsense") is None
    assert parse_binding(":port:") is None


def test_each_sites_bindings_from_the_metabase_listing():
    metabase, error, _walk = read_metabase(ENUM_ALL, "adsutil.vbs")
    assert error is None
    facts = SimpleNamespace(metabase=metabase, appcmd_bindings=None, appcmd_sites=None)
    assert site_bindings(facts, 1) == [
        {"protocol": "http", "address": "10.0.0.5", "port": 8080, "host_header": ""},
        {"protocol": "http", "address": "*", "port": 8080, "host_header": "shop.example"},
        {"protocol": "https", "address": "*", "port": 443, "host_header": ""},
    ]
    assert site_bindings(facts, 2) == [{"protocol": "http", "address": "*", "port": 8081, "host_header": ""}]
    assert site_bindings(facts, 3) == []


def test_appcmd_site_bindings_iis7():
    text = (
        'SITE "Default Web Site" (id:1,bindings:http/*:8080:,https/*:443:,net.tcp/808:*,state:Started)\r\n'
        'SITE "Shop (EU), Ltd" (id:2,bindings:http/10.0.0.7:80:shop.example,state:Stopped)\r\n'
    )
    sites, found = parse_appcmd_sites(text), parse_appcmd_site_bindings(text)
    assert sites == {"Default Web Site": 1, "Shop (EU), Ltd": 2}
    assert appcmd_bindings(found["Default Web Site"]) == [
        {"protocol": "http", "address": "*", "port": 8080, "host_header": ""},
        {"protocol": "https", "address": "*", "port": 443, "host_header": ""},
    ]
    facts = SimpleNamespace(metabase=None, appcmd_bindings=found, appcmd_sites=sites)
    assert site_bindings(facts, 2) == [
        {"protocol": "http", "address": "10.0.0.7", "port": 80, "host_header": "shop.example"}
    ]
    assert parse_appcmd_site_bindings("'appcmd.exe' is not recognized as an internal or external command,\r\n") is None

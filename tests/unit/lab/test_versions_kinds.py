"""Host kinds (issue 13, item 1): what ``ver`` prints, %SystemRoot%, the command line limit, which tools are
installed, where adsutil.vbs is and which ports WinRM listens on.

Sources: IIS 5-7 facts "Where WinRM really exists" (WinRM 1.1 on 80/443 on XP / 2003, 2.0 on 5985/5986),
"IIS 5.0 / 5.1" (iisreset ships with IIS 5), "IIS 7 and later" (adsutil only with the metabase compatibility
feature, appcmd in inetsrv), "Who holds the DLL" (tasklist from XP on); KB 830473 (2047 / 8191).  The ``ver``
strings and the %SystemRoot% spellings are those of the released builds (the brief of issue 13)."""

from __future__ import annotations

import pytest

from tests.lab.harness.fixtures import build_config
from tests.lab.harness.inventory import host_vars
from tests.lab.machine.config import HostConfig, host_from_dict
from tests.lab.tools import program_table
from tests.unit.lab.versions_harness import host, run

VER = {
    "nt4": "\r\nWindows NT Version 4.0  \r\n",
    "w2k": "\r\nMicrosoft Windows 2000 [Version 5.00.2195]\r\n",
    "xp": "\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n",
    "w2k3": "\r\nMicrosoft Windows [Version 5.2.3790]\r\n",
    "w2k8r2": "\r\nMicrosoft Windows [Version 6.1.7601]\r\n",
    "w2k19": "\r\nMicrosoft Windows [Version 10.0.17763.1]\r\n",
}
ROOT = {"nt4": "C:\\WINNT", "w2k": "C:\\WINNT", "xp": "C:\\WINDOWS", "w2k3": "C:\\WINDOWS"}
ADSUTIL5 = "C:\\Inetpub\\AdminScripts\\adsutil.vbs"


@pytest.mark.parametrize("kind", list(VER))
def test_ver_and_system_root(kind):
    m = host(kind)
    out, err, rc = m.run("ver")
    assert (out, err, rc) == (VER[kind], "", 0)
    out, _err, _rc = run(m, "echo %SystemRoot%")
    assert out == ROOT.get(kind, "C:\\Windows") + "\n"
    assert m.fs.is_file(ROOT.get(kind, "C:\\Windows") + "\\system32\\cmd.exe")


def test_default_host_is_nt4_as_before():
    cfg = HostConfig()
    assert (cfg.kind, cfg.http_port, cfg.https_port, cfg.max_command_line) == ("nt4", 5985, 5986, 2047)
    assert (cfg.system_root, cfg.catalog, cfg.has_tasklist) == ("C:\\WINNT", None, False)
    assert cfg.adsutil_path == "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
    assert not (cfg.has_appcmd or cfg.has_iisapp or cfg.has_iisreset)


@pytest.mark.parametrize(("kind", "limit"), [("nt4", 2047), ("w2k", 2047), ("xp", 8191), ("w2k19", 8191)])
def test_command_line_limit(kind, limit):
    m = host(kind)
    assert m.config.max_command_line == limit
    ok = "echo " + "x" * (limit - 5)
    assert run(m, ok)[2] == 0
    out, err, rc = run(m, "echo " + "x" * limit)
    assert rc == 1 and "The input line is too long." in out + err


@pytest.mark.parametrize(
    ("kind", "programs"),
    [
        ("nt4", set()),
        ("w2k", {"iisreset"}),
        ("xp", {"iisreset", "tasklist"}),
        ("w2k3", {"iisreset", "tasklist"}),
        ("w2k8r2", {"iisreset", "tasklist", "appcmd"}),
        ("w2k19", {"iisreset", "tasklist", "appcmd"}),
    ],
)
def test_tools_per_kind(kind, programs):
    cfg = host(kind).config
    table = program_table(cfg)
    assert {p for p in ("iisreset", "tasklist", "appcmd") if p in table} == programs
    assert cfg.catalog == (None if kind == "nt4" else "complus")


def test_tool_switches_remove_the_tools():
    cfg = host("w2k8r2", has_appcmd=False, has_iisreset=False, has_tasklist=False).config
    table = program_table(cfg)
    assert not {"appcmd", "iisreset", "tasklist"} & set(table)
    m = host("w2k8r2", has_appcmd=False)
    out, err, rc = run(m, "appcmd list apppool")
    assert rc == 1 and "not recognized" in err


@pytest.mark.parametrize("kind", ["w2k", "xp", "w2k3"])
def test_adsutil_lives_in_adminscripts_on_iis5_and_6(kind):
    m = host(kind)
    assert m.config.adsutil_path == ADSUTIL5
    out, err, rc = run(m, f"cscript //nologo {ADSUTIL5} GET W3SVC/1/ServerComment")
    assert (err, rc) == ("", 0)
    assert out == 'ServerComment                   : (STRING) "Default Web Site"\n'


@pytest.mark.parametrize("kind", ["w2k8r2", "w2k19"])
def test_adsutil_is_absent_on_iis7_unless_the_compat_feature(kind):
    m = host(kind)
    out, err, rc = run(m, f"cscript //nologo {ADSUTIL5} GET W3SVC/1/ServerComment")
    assert rc == 1 and err == f'Input Error: Can not find script file "{ADSUTIL5}".\n'
    m = host(kind, iis6_metabase_compat=True)
    out, err, rc = run(m, f"cscript //nologo {ADSUTIL5} GET W3SVC/1/ServerComment")
    assert rc == 0 and "Default Web Site" in out


@pytest.mark.parametrize(
    ("kind", "winrm", "ports"),
    [
        ("nt4", None, (5985, 5986)),
        ("w2k", None, (5985, 5986)),
        ("xp", None, (80, 443)),
        ("w2k3", None, (80, 443)),
        ("xp", "2.0", (5985, 5986)),
        ("w2k3", "2.0", (5985, 5986)),
        ("w2k3", "1.1", (80, 443)),
        ("w2k8r2", None, (5985, 5986)),
        ("w2k19", None, (5985, 5986)),
    ],
)
def test_winrm_ports(kind, winrm, ports, tmp_path):
    cfg = HostConfig(kind=kind, winrm_version=winrm)
    assert (cfg.http_port, cfg.https_port) == ports
    assert host_vars(cfg, "http", tmp_path)["ansible_port"] == ports[0]
    assert host_vars(cfg, "https", tmp_path)["ansible_port"] == ports[1]


def test_ports_stay_overridable_and_follow_a_later_kind_change():
    assert HostConfig(kind="xp", http_port=8085).http_port == 8085
    cfg = build_config("X1", kind="w2k3")
    assert (cfg.http_port, cfg.system_root, cfg.has_tasklist) == (80, "C:\\WINDOWS", True)
    cfg = build_config("X2", kind="w2k3", http_port=5999)
    assert (cfg.http_port, cfg.https_port) == (5999, 443)
    cfg = build_config("X3", kind="xp", winrm_version="2.0")
    assert cfg.http_port == 5985
    cfg = host_from_dict({"name": "Y", "kind": "xp", "catalog": None})
    assert (cfg.http_port, cfg.catalog) == (80, None)


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        HostConfig(kind="win95")
    with pytest.raises(ValueError, match="winrm_version"):
        HostConfig(kind="xp", winrm_version="3.0")


def test_server_header_and_profile_follow_the_kind():
    m = host("w2k3")
    assert m.env["USERPROFILE"] == "C:\\Documents and Settings\\Administrator"
    assert host("w2k19").env["USERPROFILE"] == "C:\\Users\\Administrator"
    assert host("nt4").env["USERPROFILE"] == "C:\\WINNT\\Profiles\\Administrator"

"""What the host is, beside what the user wants: the target learns from the facts and never changes the options."""

from __future__ import annotations

import dataclasses

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import CMD_LINE_LIMIT_NT4, CMD_LINE_LIMIT_XP
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.appcmd import pool_command, site_command
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.versions import parse_ver
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.target import Target

from ..test_plan import INPROC, facts_of

PATHS = Paths("C:\\Staging\\a.dll", "C:\\InetPub\\a.dll", "20260101000000")
XP = parse_ver("\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n")


def test_a_limit_not_given_becomes_8191_on_xp_and_later():
    facts = dataclasses.replace(facts_of(INPROC), windows=XP)
    assert XP is not None
    unknown = Target(PATHS, CMD_LINE_LIMIT_NT4, "a.vbs", limit_known=False)
    assert unknown.learned(facts).cmdline_limit == CMD_LINE_LIMIT_XP
    given = Target(PATHS, 1000, "a.vbs")
    assert given.learned(facts).cmdline_limit == 1000


def test_nt4_keeps_its_2047_and_the_adsutil_that_answered_is_used():
    facts = dataclasses.replace(facts_of(INPROC), adsutil="C:\\Inetpub\\AdminScripts\\adsutil.vbs")
    learned = Target(PATHS, CMD_LINE_LIMIT_NT4, "a.vbs", limit_known=False).learned(facts)
    assert learned.cmdline_limit == CMD_LINE_LIMIT_NT4
    assert learned.adsutil_path == "C:\\Inetpub\\AdminScripts\\adsutil.vbs"


def test_pool_commands_name_the_tool_by_its_full_path():
    appcmd = pool_command("appcmd", "stop", "ShopPool", "a.vbs", "C:\\WINDOWS\\system32\\inetsrv\\appcmd.exe")
    assert appcmd == '"C:\\WINDOWS\\system32\\inetsrv\\appcmd.exe" stop apppool /apppool.name:"ShopPool" 2>&1'
    state = pool_command("adsutil", "state", "ShopPool", "C:\\a.vbs")
    assert state == 'cscript //nologo "C:\\a.vbs" GET "W3SVC/AppPools/ShopPool/AppPoolState" 2>&1'
    assert pool_command("adsutil", "start", "ShopPool", "C:\\a.vbs").endswith('AppPoolCommand" 1 2>&1')


def test_site_commands_name_appcmd_by_its_full_path_and_quote_the_site():
    tool = "C:\\WINDOWS\\system32\\inetsrv\\appcmd.exe"
    assert site_command("list", None, tool) == f'"{tool}" list site 2>&1'
    stop = site_command("stop", "Old, (1) & Co", tool)
    assert stop == f'"{tool}" stop site /site.name:"Old, (1) & Co" 2>&1'

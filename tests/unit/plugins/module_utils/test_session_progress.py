"""The -v progress lines name what a command line runs (not only its size or its exit code)."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import marker
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.session import what_it_runs


def test_the_outage_line_says_which_programs_it_runs_and_waits_for():
    line = " & ".join(
        [
            marker("stop"),
            "net stop iisadmin /y 2>&1",
            "if errorlevel 1 echo @@rc1",
            'move /y "ShopCart.dll.iis4new" "ShopCart.dll"',
            "C:\\WINNT\\system32\\net.exe start W3SVC 2>&1",
            "net start W3SVC 2>&1",
            "cd /d C:\\",
        ]
    )
    assert what_it_runs(line) == "net stop iisadmin, move, net start W3SVC"
    assert what_it_runs(marker("x")) == "checks"
    # a line that writes a script: its text is not taken for programs
    script = '(echo Set p = c.GetCollection^("Packages"^) & echo p.key) >x.vbs & cscript //nologo x.vbs & del x.vbs'
    assert what_it_runs(script) == "cscript //nologo, del"
    assert what_it_runs(" & ".join(f"copy a{i} b{i}" for i in range(3)) + " & " + "x" * 300).endswith("...")

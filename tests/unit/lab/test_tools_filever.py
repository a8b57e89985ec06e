"""The lab's filever.exe (Support Tools): installed only with ``has_filever``; one line per file with the version
from a lab DLL's marker, ``-`` columns for a file without one, nothing for a path that matches no file."""

from __future__ import annotations

import re

from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.unit.lab.tools_harness import machine, run

LINE = re.compile(r"^--a-- W32i   (\S+)\s+(\S+)\s+(\S+) (\S+)\s+([\d,]+) (\d\d-\d\d-\d{4}) (\S+)$")


def test_filever_prints_the_version_size_and_name():
    m = machine(0, has_filever=True)
    out, err, rc = run(m, f'filever "{SHOP_DLL}"')
    assert (err, rc) == ("", 0)
    match = LINE.match(out.rstrip("\n"))
    assert match, out
    assert match.group(1, 2, 3, 4) == ("DLL", "ENU", "1.0.0.0", "shp")
    assert int(match.group(5).replace(",", "")) == len(m.fs.read(SHOP_DLL))
    assert match.group(7) == "ShopCart.dll"
    assert LINE.match(run(m, f"filever {STAGED_DLL}")[0].rstrip("\n")).group(3) == "2.0.0.0"


def test_a_file_without_a_version_and_no_file():
    m = machine(0, has_filever=True)
    m.write_file("C:\\InetPub\\shop\\bin\\notes.dll", b"plain text")
    match = LINE.match(run(m, "filever C:\\InetPub\\shop\\bin\\notes.dll")[0].rstrip("\n"))
    assert match and match.group(1, 2, 3, 4) == ("-", "-", "-", "-")
    assert run(m, "filever C:\\InetPub\\shop\\bin\\nothing.dll") == ("", "", 0)
    assert len(run(m, "filever C:\\InetPub\\shop\\bin\\*.dll")[0].splitlines()) == 2


def test_only_with_has_filever():
    assert "filever" not in machine(0).programs
    m = machine(0, has_filever=True)
    assert "filever" in m.programs and m.fs.is_file("C:\\WINNT\\system32\\filever.exe")

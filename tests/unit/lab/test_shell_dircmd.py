"""dir (tests.lab.shell.dircmd) in the NT 4 layout."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.unit.lab.shell_harness import LIVE, file_machine, run


@pytest.fixture
def m():
    return file_machine()


def test_dir_nt4_layout(m):
    m.fs.write("C:\\InetPub\\shop\\bin\\readme.txt", b"x" * 1234567)
    m.fs.write(LIVE, m.fs.read(LIVE))  # give it (and its folder) the test clock's time
    out, err, rc = run("dir C:\\InetPub\\shop\\bin", m)
    free = f"{m.fs.free_bytes:,}"
    assert out == (
        " Volume in drive C has no label.\r\n"
        " Volume Serial Number is 1C4B-09E2\r\n"
        "\r\n"
        " Directory of C:\\InetPub\\shop\\bin\r\n"
        "\r\n"
        "07/20/01  08:06p        <DIR>          .\r\n"
        "07/20/01  08:06p        <DIR>          ..\r\n"
        "07/20/01  08:06p             1,234,567 readme.txt\r\n"
        "07/20/01  08:06p                 3,000 ShopCart.dll\r\n"
        "               4 File(s)      1,237,567 bytes\r\n"
        f"{free:>39} bytes free\r\n"
    )
    assert (err, rc) == ("", 0)


def test_dir_single_file_and_times(m):
    m.fs.set_clock(datetime(1999, 1, 2, 0, 5))
    m.fs.write("C:\\Staging\\early.txt", b"12")
    m.fs.set_clock(datetime(1999, 1, 2, 12, 30))
    m.fs.write("C:\\Staging\\noon.txt", b"1")
    out, _err, _rc = run("dir C:\\Staging\\early.txt", m)
    assert "01/02/99  12:05a                     2 early.txt\r\n" in out
    assert "               1 File(s)              2 bytes\r\n" in out
    assert " Directory of C:\\Staging\r\n" in out
    assert "01/02/99  12:30p" in run("dir C:\\Staging\\noon.txt", m)[0]


def test_dir_bare_and_not_found(m):
    assert run("dir /b C:\\InetPub\\shop\\bin", m) == ("ShopCart.dll\r\n", "", 0)
    assert run("dir /b C:\\InetPub\\shop\\bin\\ShopCart.dll", m) == ("ShopCart.dll\r\n", "", 0)
    assert run("dir /b C:\\InetPub\\shop\\bin\\none.dll", m) == ("", "File Not Found\r\n", 1)
    out, err, rc = run("dir C:\\InetPub\\shop\\bin\\none.dll", m)
    assert out.startswith(" Volume in drive C has no label.\r\n")
    assert (err, rc) == ("File Not Found\r\n", 1)
    assert run("dir /b /s C:\\InetPub", m)[0] == (
        "C:\\InetPub\\shop\r\nC:\\InetPub\\shop\\bin\r\nC:\\InetPub\\shop\\bin\\ShopCart.dll\r\n"
    )
    assert run("dir /b /a:-d C:\\InetPub\\shop", m) == ("", "File Not Found\r\n", 1)
    assert run("dir/b C:\\Staging", m)[0] == "ShopCart.dll\r\n"


def test_dir_root_has_no_dot_entries(m):
    out, _err, _rc = run("dir C:\\", m)
    assert "<DIR>          .\r\n" not in out
    assert " Directory of C:\\\r\n" in out


def test_dir_volume_label(m):
    m.fs.labels["C"] = "SYSTEM"
    assert run("dir C:\\", m)[0].startswith(" Volume in drive C is SYSTEM\r\n")


def test_dir_empty_folder(m):
    m.fs.makedirs("C:\\Empty")
    out, err, rc = run("dir C:\\Empty", m)
    assert "               2 File(s)              0 bytes\r\n" in out and rc == 0
    assert run("dir /b C:\\Empty", m) == ("", "File Not Found\r\n", 1)

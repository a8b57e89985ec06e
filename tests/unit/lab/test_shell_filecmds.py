"""The file built-ins of the lab's cmd.exe (tests.lab.shell.filecmds): copy, move, ren, del, type, md, rd."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.unit.lab.shell_harness import COPIED0, COPIED1, LIVE, SHARING, STAGED, file_machine, run


@pytest.fixture
def m():
    return file_machine()


def test_copy_success_and_overwrite(m):
    assert run(f"copy {STAGED} C:\\InetPub\\shop\\bin\\ShopCart.new", m) == (COPIED1, "", 0)
    assert m.fs.read("C:\\InetPub\\shop\\bin\\ShopCart.new") == m.fs.read(STAGED)
    assert run(f"copy /y {STAGED} {LIVE}", m) == (COPIED1, "", 0)  # NT 4 overwrites without asking
    assert m.fs.read(LIVE) == m.fs.read(STAGED)
    assert run(f"copy /b {STAGED} C:\\InetPub\\shop\\bin", m)[2] == 0  # into a folder
    assert run(f'copy "{STAGED}" "C:\\oracle\\sp ace\\"', m)[2] == 0
    assert m.fs.exists("C:\\oracle\\sp ace\\ShopCart.dll")


def test_copy_failures(m):
    assert run("copy C:\\Staging\\none.dll C:\\x.dll", m) == (
        COPIED0,
        "The system cannot find the file specified.\r\n",
        1,
    )
    assert run(f"copy {STAGED} C:\\nofolder\\x.dll", m) == (
        COPIED0,
        "The system cannot find the path specified.\r\n",
        1,
    )
    assert run(f"copy {STAGED} {STAGED}", m) == (COPIED0, "The file cannot be copied onto itself.\r\n", 1)
    m.fs.lock(LIVE, "inetinfo.exe", allow_rename=True)
    assert run(f"copy /y {STAGED} {LIVE}", m) == (COPIED0, SHARING, 1)
    m.fs.faults.disk_full = True
    assert run(f"copy {STAGED} C:\\Staging\\two.dll", m) == (
        COPIED0,
        "There is not enough space on the disk.\r\n",
        1,
    )
    m.fs.faults.disk_full = False
    m.fs.faults.access_denied = {"C:\\InetPub"}
    assert run(f"copy {STAGED} C:\\InetPub\\x.dll", m) == (COPIED0, "Access is denied.\r\n", 1)
    assert run("copy", m)[1] == "The syntax of the command is incorrect.\r\n"


def test_copy_wildcards_list_names(m):
    m.fs.write("C:\\Staging\\b.txt", b"b")
    m.fs.makedirs("C:\\Out")
    out, err, rc = run("copy C:\\Staging\\*.* C:\\Out", m)
    assert out == "C:\\Staging\\b.txt\r\nC:\\Staging\\ShopCart.dll\r\n        2 file(s) copied.\r\n"
    assert sorted(m.fs.snapshot()) == sorted([*m.fs.snapshot().keys()])  # no stray files
    assert m.fs.exists("C:\\Out\\b.txt") and m.fs.exists("C:\\Out\\ShopCart.dll")


def test_copy_concatenation(m):
    m.fs.write("C:\\a.txt", b"A")
    m.fs.write("C:\\b.txt", b"B")
    assert run("copy /b C:\\a.txt+C:\\b.txt C:\\ab.txt", m)[0] == COPIED1
    assert m.fs.read("C:\\ab.txt") == b"AB"


def test_copy_touch_form(m):
    m.fs.set_clock(datetime(2002, 2, 2, 2, 2))
    assert run(f"copy /b {STAGED} +,,", m) == (COPIED1, "", 0)
    assert m.fs.stat(STAGED).mtime == datetime(2002, 2, 2, 2, 2)
    assert run(f"copy /b {STAGED}+,,", m)[0] == COPIED1


def test_copy_keeps_errorlevel_semantics(m):
    out, _err, rc = run(f"copy C:\\none.dll C:\\x.dll & if errorlevel 1 echo failed & copy {STAGED} C:\\y.dll", m)
    assert "failed" in out
    assert rc == 0


def test_move(m):
    assert run(f"move {STAGED} C:\\InetPub\\shop\\bin\\ShopCart.stage", m) == ("", "", 0)
    assert not m.fs.exists(STAGED)
    assert run("move C:\\none.dll C:\\x.dll", m) == ("", "The system cannot find the file specified.\r\n", 1)
    assert run("move C:\\nodir\\none.dll C:\\x.dll", m)[1] == "The system cannot find the path specified.\r\n"
    # a loaded image may be renamed / moved within the volume, not overwritten
    m.fs.lock(LIVE, "inetinfo.exe", allow_rename=True)
    assert run(f"move {LIVE} C:\\InetPub\\shop\\bin\\ShopCart.old", m) == ("", "", 0)
    assert m.fs.lock_holders("C:\\InetPub\\shop\\bin\\ShopCart.old") == ["inetinfo.exe"]
    assert run(f"move C:\\InetPub\\shop\\bin\\ShopCart.stage {LIVE}", m)[2] == 0
    m.fs.lock(LIVE, "mtx.exe", allow_rename=False)
    assert run(f"move {LIVE} C:\\elsewhere.dll", m) == ("", SHARING, 1)


def test_move_wildcards(m):
    m.fs.write("C:\\Staging\\a.txt", b"a")
    m.fs.makedirs("C:\\Out")
    out, _err, rc = run("move C:\\Staging\\*.txt C:\\Out", m)
    assert out == "C:\\Staging\\a.txt\r\n" and rc == 0
    assert m.fs.exists("C:\\Out\\a.txt")


def test_ren(m):
    assert run(f'ren {LIVE} "ShopCart.old"', m) == ("", "", 0)
    assert m.fs.exists("C:\\InetPub\\shop\\bin\\ShopCart.old")
    dup = "A duplicate file name exists, or the file cannot be found.\r\n"
    assert run("ren C:\\InetPub\\shop\\bin\\none.dll x.dll", m) == ("", dup, 0)
    m.fs.write(LIVE, b"new")
    assert run(f"ren {LIVE} ShopCart.old", m) == ("", dup, 0)
    assert run(f"ren {LIVE} C:\\x.dll", m)[1] == "The syntax of the command is incorrect.\r\n"
    m.fs.faults.foreign_locks = {LIVE}
    assert run(f"ren {LIVE} other.dll", m)[1] == SHARING
    m.fs.faults.access_denied = {"C:\\InetPub\\shop"}
    assert run("ren C:\\InetPub\\shop\\bin\\ShopCart.old y.dll", m)[1] == "Access is denied.\r\n"


def test_ren_and_del_leave_errorlevel_but_fail_conditionals(m):
    out, _err, rc = run("cmd /c exit 3 & ren C:\\none.txt x.txt & if errorlevel 3 echo still3", m)
    assert out == "still3\r\n"
    assert rc == 3
    out, _err, rc = run("ren C:\\none.txt x.txt || echo failed", m)
    assert out == "failed\r\n" and rc == 0
    out, _err, rc = run("del C:\\none.txt && echo ok || echo failed", m)
    assert out == "failed\r\n" and rc == 0


def test_ren_wildcards(m):
    m.fs.write("C:\\Staging\\a.txt", b"a")
    m.fs.write("C:\\Staging\\b.txt", b"b")
    run("ren C:\\Staging\\*.txt *.bak", m)
    assert m.fs.exists("C:\\Staging\\a.bak") and m.fs.exists("C:\\Staging\\b.bak")


def test_del(m):
    assert run(f"del {STAGED}", m) == ("", "", 0)
    assert not m.fs.exists(STAGED)
    assert run("del C:\\staging\\none.dll", m) == ("", "Could Not Find C:\\Staging\\none.dll\r\n", 0)
    assert run("del C:\\nodir\\none.dll", m)[1] == "The system cannot find the path specified.\r\n"
    m.fs.lock(LIVE, "inetinfo.exe", allow_rename=True)
    assert run(f"del {LIVE}", m) == ("", f"{LIVE}\r\nAccess is denied.\r\n", 0)
    m.fs.unlock_holder("inetinfo.exe")
    m.fs.faults.foreign_locks = {LIVE}
    assert run(f"del /q {LIVE}", m)[1] == f"{LIVE}\r\n{SHARING}"


def test_del_wildcards_and_folders(m):
    for n in "abc":
        m.fs.write(f"C:\\Staging\\{n}.tmp", b"t")
    assert run("del C:\\Staging\\*.tmp", m) == ("", "", 0)
    assert m.fs.glob("C:\\Staging\\*.tmp") == []
    assert run("del C:\\Staging\\*.tmp", m)[1] == "Could Not Find C:\\Staging\\*.tmp\r\n"
    out, _err, _rc = run("del C:\\Staging", m, stdin="n\r\n")
    assert out == "C:\\Staging\\*, Are you sure (Y/N)? N\r\n"
    assert m.fs.exists(STAGED)
    run("del C:\\Staging", m, stdin="y\r\n")
    assert not m.fs.exists(STAGED)
    assert m.fs.is_dir("C:\\Staging")


def test_type(m):
    assert run("type C:\\oracle\\present.txt", m) == ("present\r\n", "", 0)
    assert run("type C:\\oracle\\none.txt", m) == ("", "The system cannot find the file specified.\r\n", 1)
    assert run("type C:\\oracle", m)[1] == "Access is denied.\r\n"
    m.fs.write("C:\\bin.dat", bytes(range(256)))
    assert run("type C:\\bin.dat", m)[0].encode("cp437") == bytes(range(256))


def test_md_rd(m):
    assert run("md C:\\new\\deep\\folder", m) == ("", "", 0)
    assert m.fs.is_dir("C:\\new\\deep\\folder")
    assert run("mkdir C:\\new", m) == ("", "A subdirectory or file C:\\new already exists.\r\n", 1)
    assert run("rd C:\\new", m) == ("", "The directory is not empty.\r\n", 1)
    assert run("rd C:\\new\\deep\\folder", m) == ("", "", 0)
    assert run("rd /s /q C:\\new", m) == ("", "", 0)
    assert not m.fs.exists("C:\\new")
    assert run("rd C:\\new", m)[1] == "The system cannot find the file specified.\r\n"
    out, _err, _rc = run("rd /s C:\\Staging", m, stdin="y\r\n")
    assert out == "C:\\Staging, Are you sure (Y/N)? Y\r\n"
    assert not m.fs.exists("C:\\Staging")


def test_overwrite_prompt_rules(m, monkeypatch):
    from tests.lab.shell import filecmds

    run(f"copy {STAGED} C:\\Staging\\two.dll", m)
    assert run(f"copy {STAGED} C:\\Staging\\two.dll", m)[0] == COPIED1  # NT 4: no question asked
    out, _err, _rc = run(f"copy /-y {STAGED} C:\\Staging\\two.dll", m, stdin="n\r\n")
    assert out == f"Overwrite C:\\Staging\\two.dll? (Yes/No/All): N\r\n{COPIED0}"
    m.env["COPYCMD"] = "/-Y"
    out, _err, _rc = run(f"copy {STAGED} C:\\Staging\\two.dll", m, stdin="y\r\n")
    assert out == f"Overwrite C:\\Staging\\two.dll? (Yes/No/All): Y\r\n{COPIED1}"
    assert run(f"copy /y {STAGED} C:\\Staging\\two.dll", m)[0] == COPIED1
    del m.env["COPYCMD"]
    monkeypatch.setattr(filecmds, "ASK_BEFORE_OVERWRITE", True)
    assert run(f"copy {STAGED} C:\\Staging\\two.dll", m)[0].startswith("Overwrite")
    assert run(f"move C:\\Staging\\two.dll {STAGED}", m)[0].startswith("Overwrite")
    m.fs.makedirs("C:\\b")
    m.fs.write("C:\\b\\in.bat", f"@copy {STAGED} C:\\Staging\\two.dll\r\n".encode())
    assert run("C:\\b\\in.bat", m)[0] == COPIED1  # batch files do not ask


def test_each_prompt_takes_one_answer_line(m):
    for n in "ab":
        m.fs.makedirs(f"C:\\Q{n}")
        m.fs.write(f"C:\\Q{n}\\f.txt", b"f")
    out, _err, _rc = run("del C:\\Qa & del C:\\Qb", m, stdin="n\r\ny\r\n")
    assert m.fs.exists("C:\\Qa\\f.txt") and not m.fs.exists("C:\\Qb\\f.txt")
    assert out == "C:\\Qa\\*, Are you sure (Y/N)? N\r\nC:\\Qb\\*, Are you sure (Y/N)? Y\r\n"

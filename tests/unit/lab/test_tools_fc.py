"""fc.exe (tests.lab.tools.fc) run through the interpreter."""

from __future__ import annotations

import pytest

from tests.lab.tools.fc import fc_program
from tests.unit.lab.shell_harness import LIVE, STAGED, file_machine, run


@pytest.fixture
def m():
    return file_machine(programs={"fc": fc_program})


def test_fc_identical(m):
    run(f"copy {STAGED} C:\\Staging\\same.dll", m)
    out, err, rc = run(f"fc /b {STAGED} C:\\Staging\\same.dll", m)
    assert out == f"Comparing files {STAGED} and C:\\Staging\\same.dll\r\nFC: no differences encountered\r\n\r\n"
    assert (err, rc) == ("", 0)


def test_fc_binary_differences(m):
    m.fs.write("C:\\a.bin", b"\x00\x01\x02\x03")
    m.fs.write("C:\\b.bin", b"\x00\xff\x02\x03\x04\x05")
    out, _err, rc = run("fc /b C:\\a.bin C:\\b.bin", m)
    assert (
        out
        == "Comparing files C:\\a.bin and C:\\b.bin\r\n00000001: 01 FF\r\nFC: C:\\b.bin longer than C:\\a.bin\r\n\r\n"
    )
    assert rc == 1
    out, _err, rc = run("fc /b C:\\b.bin C:\\a.bin", m)
    assert "FC: C:\\b.bin longer than C:\\a.bin\r\n" in out
    assert "00000001: FF 01\r\n" in out


def test_fc_missing_file(m):
    out, _err, rc = run("fc /b C:\\none.dll C:\\oracle\\present.txt", m)
    assert out == "FC: cannot open C:\\NONE.DLL - No such file or directory\r\n"
    assert rc == 2
    assert run("fc /b C:\\oracle\\present.txt", m)[2] == 0xFFFFFFFF


def test_fc_errorlevel_ladder(m):
    line = f"fc /b {STAGED} {LIVE} >nul & (if errorlevel 2 echo @@rc2) & (if errorlevel 1 echo @@rc1)"
    assert run(line, m)[0] == "@@rc1\r\n"


def test_fc_text_mode(m):
    m.fs.write("C:\\Program.cs", b"a\r\nb\r\nc\r\n")
    m.fs.write("C:\\Out.cs", b"a\r\nb\r\nc\r\n")
    out, _err, rc = run("cd C:\\ & fc Program.cs Out.cs", m)
    assert out == "Comparing files Program.cs and OUT.CS\r\nFC: no differences encountered\r\n\r\n"
    m.fs.write("C:\\Out.cs", b"a\r\nX\r\nc\r\n")
    out, _err, rc = run("fc C:\\Program.cs C:\\Out.cs", m)
    assert rc == 1
    assert out.startswith("Comparing files C:\\Program.cs and C:\\Out.cs\r\n***** C:\\Program.cs\r\na\r\nb\r\nc\r\n")

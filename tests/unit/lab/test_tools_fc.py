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


def test_fc_binary_lists_every_differing_byte_of_a_long_file(m):
    a = bytes(range(256)) * 40
    b = bytearray(a)
    for offset in (0, 511, 512, 4000, 10239):
        b[offset] ^= 0xFF
    m.fs.write("C:\\a.bin", a)
    m.fs.write("C:\\b.bin", bytes(b))
    out, _err, rc = run("fc /b C:\\a.bin C:\\b.bin", m)
    listed = [line for line in out.split("\r\n") if line[:8].isalnum() and ": " in line]
    assert listed == [f"{o:08X}: {a[o]:02X} {b[o]:02X}" for o in (0, 511, 512, 4000, 10239)]
    assert rc == 1


def test_fc_binary_to_nul_and_to_a_file_keep_the_exit_code(m):
    m.fs.write("C:\\a.bin", b"\x01" * 9000)
    m.fs.write("C:\\b.bin", b"\x02" * 9000)
    line = "fc /b C:\\a.bin C:\\b.bin >{} & (if errorlevel 2 echo @@rc2) & (if errorlevel 1 echo @@rc1)"
    assert run(line.format("nul"), m)[0] == "@@rc1\r\n"
    assert run(line.format("C:\\fc.txt"), m)[0] == "@@rc1\r\n"
    assert m.fs.read("C:\\fc.txt").count(b": 01 02\r\n") == 9000

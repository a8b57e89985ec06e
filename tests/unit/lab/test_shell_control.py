"""if and for (tests.lab.shell.control)."""

from __future__ import annotations

from tests.unit.lab.shell_harness import batch_machine, make_machine, run


def test_if_forms():
    m = make_machine()
    assert run('if "a"=="a" echo same', m)[0] == "same\r\n"
    assert run("if /i ABC==abc echo ci", m)[0] == "ci\r\n"
    assert run("if ABC==abc echo ci", m)[0] == ""
    assert run("if not a==b echo differ", m)[0] == "differ\r\n"
    assert run("if 10 gtr 9 echo numeric", m)[0] == "numeric\r\n"
    assert run("if 10 equ 0xA echo hex", m)[0] == "hex\r\n"
    assert run("if b gtr a echo string", m)[0] == "string\r\n"
    assert run("if not defined ORACLE_UNDEF echo undef", m)[0] == "undef\r\n"
    assert run("if exist C:\\oracle\\*.txt echo wild", m)[0] == "wild\r\n"
    assert run("if exist C:\\oracle\\nul echo dir", m)[0] == "dir\r\n"
    assert run('if exist "C:\\oracle\\sp ace\\" echo spaced', m)[0] == "spaced\r\n"
    assert run("if exist C:\\oracle\\present.txt\\ echo no", m)[0] == ""


def test_if_else_blocks_and_nesting():
    assert run("if 1==1 (echo a) else (echo b)")[0] == "a\r\n"
    assert run("if 1==2 (echo a) else (echo b)")[0] == "b\r\n"
    assert run("if 1==2 (echo a) else echo b & echo c")[0] == "b \r\nc\r\n"
    assert run("if 1==1 (echo a) else echo b & echo c")[0] == "a\r\n"
    assert run("if 1==1 if 2==3 (echo x) else (echo y)")[0] == "y\r\n"
    assert run("if 1==1 echo a else echo b")[0] == "a else echo b\r\n"
    assert run("(if 1==2 echo a) & echo b")[0] == "b\r\n"
    assert run("if errorlevel 0 echo always")[0] == "always\r\n"


def test_for_loops():
    m = batch_machine(loop="@echo off\nfor %%f in (C:\\oracle\\*.txt) do echo file %%f\n")
    assert run("C:\\b\\loop.bat", m)[0] == "file C:\\oracle\\present.txt\r\n"
    assert run("for %x in (a b) do (echo %x & echo again)", m)[0] == "a \r\nagain\r\nb \r\nagain\r\n"
    assert run("for /l %i in (1,2,7) do echo %i", m)[0] == "1\r\n3\r\n5\r\n7\r\n"
    assert run("for /d %d in (C:\\oracle\\*) do echo %d", m)[0] == "C:\\oracle\\sp ace\r\n"
    assert run("for /f \"tokens=2 delims==\" %v in ('set ORACLE_FOO') do echo [%v]", m)[0] == "[bar]\r\n"
    assert run("for /f %l in (C:\\oracle\\present.txt) do echo [%l]", m)[0] == "[present]\r\n"
    assert run('for /f "tokens=*" %a in ("  two words") do echo [%a]', m)[0] == "[two words]\r\n"
    assert run("for %x in (1) do", m)[1] == "The syntax of the command is incorrect.\r\n"


def test_line_breaks_end_if_and_for_inside_blocks():
    m = batch_machine(
        blk="""@echo off
(
  if 1==2 echo no
  echo yes
  for %%x in (a) do echo %%x
  echo after
  if 1==1 (
    echo nested
  ) else (
    echo never
  )
)
""",
    )
    assert run("C:\\b\\blk.bat", m)[0] == "yes\r\na\r\nafter\r\nnested\r\n"

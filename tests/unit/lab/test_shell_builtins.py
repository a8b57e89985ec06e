"""Built-in commands about the shell itself (tests.lab.shell.builtins)."""

from __future__ import annotations

from tests.unit.lab.shell_harness import make_machine, recorder, run


def test_set_display_and_errors():
    out, err, rc = run("set ORACLE_")
    assert out == "ORACLE_FOO=bar\r\n"
    out, err, rc = run("set ORACLE_NONE")
    assert err == "Environment variable ORACLE_NONE not defined\r\n"
    assert rc == 1
    assert run('set "ORACLE_Q=a b" & call echo [%ORACLE_Q%]')[0] == "[a b]\r\n"
    assert run("set ORACLE_NEW= & call echo [%ORACLE_NEW%]")[0] == "[ ]\r\n"
    assert run("set ORACLE_FOO=& call echo [%ORACLE_FOO%]")[0] == "[bar]\r\n"  # expanded before set ran
    assert run("set ORACLE_FOO=& call echo [%^ORACLE_FOO%]")[0] == "[%ORACLE_FOO%]\r\n"


def test_set_arithmetic():
    assert run("set /a 1+2*3")[0] == "7"
    assert run("set /a ORACLE_N=(7+1)/3 & call echo %^ORACLE_N%")[0] == "22\r\n"  # set /a prints too
    assert run("set /a 1/0")[1] == "Divide by zero error.\r\n"


def test_exit_forms():
    assert run("exit")[2] == 0
    m = make_machine(programs={"fail": recorder([], 6)})
    assert run("fail & exit", m)[2] == 6
    assert run("fail & exit /b", m)[2] == 6
    assert run("exit /b 2 & echo no")[0] == ""
    assert run("(exit /b 4) & echo no")[2] == 4
    assert run("cmd /c exit 9 & echo %errorlevel%")[0] == "0\r\n"


def test_builtins_ver_verify_echo_state():
    assert run("ver")[0] == "\r\nWindows NT Version 4.0  \r\n"
    assert run("verify")[0] == "VERIFY is off.\r\n"
    out, err, rc = run("verify bogus")
    assert (err, rc) == ("Must specify ON or OFF.\r\n", 1)
    m = make_machine(programs={"fail": recorder([], 4)})
    assert run("fail & verify >nul", m)[2] == 0
    assert run("echo off & echo")[0] == "ECHO is off.\r\n"
    assert run("echo.")[0] == "\r\n"
    assert run("echo:colon")[0] == "colon\r\n"
    assert run("echo(paren")[0] == "paren\r\n"


def test_cd_and_drives():
    m = make_machine()
    assert run("cd C:\\oracle & cd", m)[0] == "C:\\oracle\r\n"
    assert run("cd \\oracle\\SP ACE & cd", m)[0] == "C:\\oracle\\sp ace\r\n"
    assert run("cd C:\\nope", m)[1] == "The system cannot find the path specified.\r\n"
    assert run("cd C:\\oracle & type present.txt", m)[0] == "present\r\n"
    assert run("D:", m)[1] == "The system cannot find the drive specified.\r\n"
    m.fs.add_drive("D")
    assert run("D: & cd", m)[0] == "D:\\\r\n"

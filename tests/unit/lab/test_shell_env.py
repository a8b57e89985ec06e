"""The environment and % expansion at read time (tests.lab.shell.env)."""

from __future__ import annotations

from tests.unit.lab.shell_harness import make_machine, recorder, run


def test_environment_does_not_leak_between_runs():
    m = make_machine()
    run("set ORACLE_NEW=1", m)
    assert run("echo %ORACLE_NEW%", m)[0] == "%ORACLE_NEW%\r\n"
    assert m.env.get("ORACLE_NEW") is None


def test_errorlevel_expanded_at_read_time():
    m = make_machine(programs={"fail": recorder([], 5)})
    out, _err, rc = run("fail & echo %ERRORLEVEL% & if errorlevel 5 echo five", m)
    assert out == "0 \r\nfive\r\n"
    assert rc == 5
    assert run("fail & call echo %%ERRORLEVEL%%", m)[0] == "%0%\r\n"
    assert run("fail & call echo %^ERRORLEVEL%", m)[0] == "5\r\n"


def test_set_then_use_on_same_line():
    assert run("set ORACLE_X=1 & echo [%ORACLE_X%]")[0] == "[%ORACLE_X%]\r\n"
    assert run("set ORACLE_FOO=new & echo %ORACLE_FOO%")[0] == "bar\r\n"


def test_variable_substring_and_substitution():
    m = make_machine()
    m.env["ORACLE_P"] = "C:\\InetPub\\Shop"
    assert run("echo %ORACLE_P:~3%", m)[0] == "InetPub\\Shop\r\n"
    assert run("echo %ORACLE_P:~0,2%", m)[0] == "C:\r\n"
    assert run("echo %ORACLE_P:~-4%", m)[0] == "Shop\r\n"
    assert run("echo %ORACLE_P:inetpub=www%", m)[0] == "C:\\www\\Shop\r\n"


def test_percent_in_command_line_mode():
    assert run("echo 100%")[0] == "100%\r\n"
    assert run("echo %%")[0] == "%%\r\n"
    # undefined names stay as typed and their closing % may open the next name: "%x%" is not consumed
    assert run("echo %1 %ORACLE_UNDEF%x%ORACLE_FOO%")[0] == "%1 %ORACLE_UNDEF%xbar\r\n"

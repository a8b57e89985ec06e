"""The executor (tests.lab.shell.exec): programs, pipes, cancel, cmd /c, limits, nul, the module's line shapes."""

from __future__ import annotations

import threading

from tests.lab.machine.proc_api import ProgramCall
from tests.lab.shell import CANCELLED_RC, Interpreter
from tests.unit.lab.shell_harness import make_machine, recorder, run


def test_program_resolution_and_call():
    calls: list[ProgramCall] = []
    m = make_machine(programs={"net": recorder(calls, 2, "net says hi\r\n")})
    out, err, rc = run('net stop "World Wide Web Publishing Service"  ', m)
    assert (out, err, rc) == ("net says hi\r\n", "", 2)
    call = calls[0]
    assert call.args == ["stop", "World Wide Web Publishing Service"]
    assert call.raw_args.startswith('stop "World Wide')
    assert call.env["ORACLE_FOO"] == "bar"
    assert call.cwd == "C:\\"
    assert call.machine is m
    run("NET.EXE start w3svc", m)
    run("C:\\WINNT\\system32\\net.exe start w3svc", m)
    run('"C:\\WINNT\\system32\\net.exe" start w3svc', m)
    assert [c.args for c in calls[1:]] == [["start", "w3svc"]] * 3


def test_program_errorlevel_feeds_conditionals():
    m = make_machine(programs={"fail": recorder([], 2), "ok": recorder([], 0)})
    assert run("fail && echo yes || echo no", m)[0] == "no\r\n"
    assert run("ok && echo yes || echo no", m)[0] == "yes \r\n"
    out, _err, rc = run("fail & (if errorlevel 2 echo @@rc2) & (if errorlevel 1 echo @@rc1) & ok", m)
    assert out == "@@rc2\r\n@@rc1\r\n"
    assert rc == 0


def test_unknown_command_nt4_message_and_rc():
    out, err, rc = run("powershell -Command Get-Item x")
    assert out == ""
    assert err == (
        "The name specified is not recognized as an\r\n"
        "internal or external command, operable program or batch file.\r\n"
    )
    assert rc == 1
    assert run("notthere & echo next")[0] == "next\r\n"


def test_quoted_argument_cannot_inject_commands():
    calls: list[ProgramCall] = []
    m = make_machine(programs={"prog": recorder(calls)})
    out, err, rc = run('prog "x & del C:\\oracle\\present.txt" "y | echo z" "a > C:\\oracle\\o.txt"', m)
    assert m.fs.exists("C:\\oracle\\present.txt")
    assert not m.fs.exists("C:\\oracle\\o.txt")
    assert calls[0].args == ["x & del C:\\oracle\\present.txt", "y | echo z", "a > C:\\oracle\\o.txt"]
    assert (out, err) == ("", "")
    out, _err, _rc = run('echo "& del C:\\oracle\\present.txt"', m)
    assert out == '"& del C:\\oracle\\present.txt"\r\n'
    assert m.fs.exists("C:\\oracle\\present.txt")


def test_program_reads_stdin_and_pipe():
    seen: list[str] = []

    def prompt(call: ProgramCall) -> int:
        seen.append(call.io.read_stdin())
        return 0

    m = make_machine(programs={"ask": prompt})
    run("echo y| ask", m)
    assert seen == ["y\r\n"]
    run("ask", m, stdin="n\r\n")
    assert seen[-1] == "n\r\n"
    run("ask < C:\\oracle\\present.txt", m)
    assert seen[-1] == "present\r\n"


def test_pipe_errorlevel_is_right_side():
    m = make_machine(programs={"fail": recorder([], 3)})
    assert run("fail | echo x", m)[2] == 0
    assert run("echo x | fail", m)[2] == 3


def test_cancel_stops_and_returns_ctrl_c_code():
    cancel = threading.Event()

    def stopper(call: ProgramCall) -> int:
        cancel.set()
        return 0

    m = make_machine(programs={"stopper": stopper})
    out, _err, rc = run("echo one & stopper & echo two", m, cancel=cancel)
    assert out == "one \r\n"
    assert rc == CANCELLED_RC == 0xC000013A


def test_vbs_goes_to_script_host():
    calls: list[ProgramCall] = []
    m = make_machine(files={"C:\\s\\adsutil.vbs": b"' script"}, programs={"cscript": recorder(calls)})
    run("C:\\s\\adsutil.vbs get w3svc/1/ServerComment", m)
    assert calls[0].args == ["C:\\s\\adsutil.vbs", "get", "w3svc/1/ServerComment"]
    run("cscript //nologo C:\\s\\adsutil.vbs enum w3svc", m)
    assert calls[1].args == ["//nologo", "C:\\s\\adsutil.vbs", "enum", "w3svc"]


def test_nested_cmd_quote_rules():
    assert run('cmd /c "echo a & echo b"')[0] == "a \r\nb\r\n"
    assert run('cmd /c "echo "x""')[0] == '"x"\r\n'
    assert run('cmd /c ""C:\\oracle\\sp ace\\args.bat" "p q""')[0] == '["p q"] [] ["p q"]\r\n'
    # NT 4 has only the "old behavior": the first and last quote go even around a lone program path
    out, err, _rc = run('cmd /c "C:\\oracle\\sp ace\\args.bat"')
    assert err.startswith("The name specified is not recognized")
    assert run('cmd /c echo "a & b"')[0] == '"a & b"\r\n'
    assert run("cmd /c set ORACLE_Z=1 & echo %ORACLE_Z%")[0] == "%ORACLE_Z%\r\n"


def test_windows_2000_quote_rule_can_be_switched_on(monkeypatch):
    monkeypatch.setattr(Interpreter, "keep_quote_rule", True)
    out, err, _rc = run('"C:\\oracle\\sp ace\\args.bat"')
    assert out == "[] [] []\r\n"


def test_command_line_limit():
    line = "echo " + "y" * (2047 - 5)
    assert run(line)[0] == "y" * 2042 + "\r\n"
    out, err, rc = run(line + "y")
    assert (out, err, rc) == ("", "The input line is too long.\r\n", 1)
    m = make_machine(max_command_line=8191)
    assert run(line + "y", m)[0].startswith("yyy")
    m2 = make_machine()
    m2.env["ORACLE_BIG"] = "z" * 2040
    assert run("echo %ORACLE_BIG%%ORACLE_BIG%", m2)[1] == "The input line is too long.\r\n"


def test_interactive_nested_cmd_reads_stdin():
    out, _err, rc = run("cmd", stdin="echo from-stdin\r\nexit 3\r\n")
    assert "from-stdin\r\n" in out
    assert out.startswith("Microsoft(R) Windows NT(TM)")
    assert rc == 3


def test_nul_device():
    m = make_machine()
    assert run("type nul", m) == ("", "", 0)
    assert run("copy nul C:\\oracle\\empty.txt", m)[0] == "        1 file(s) copied.\r\n"
    assert m.fs.read("C:\\oracle\\empty.txt") == b""
    assert run("copy C:\\oracle\\present.txt nul", m)[2] == 0
    assert (
        run("echo x > C:\\oracle\\nul & dir /b C:\\oracle", m)[0] == "empty.txt\r\npresent.txt\r\nrc3.bat\r\nsp ace\r\n"
    )


def test_module_style_lines():
    """Shapes the collection's cmdline helpers produce."""
    m = make_machine(programs={"neg": recorder([], -2147024891), "two": recorder([], 2)})
    line = "neg&(if not errorlevel 0 echo @@rc a -1)&(if errorlevel 1 echo @@rc a 1)&echo @@end"
    assert run(line, m)[0] == "@@rc a -1\r\n@@end\r\n"
    line = "two 2>&1&(if errorlevel 1 echo @@rc b 1)&(if errorlevel 2 echo @@rc b 2)&(if errorlevel 3 echo @@rc b 3)"
    assert run(line, m)[0] == "@@rc b 1\r\n@@rc b 2\r\n"
    run('(echo @echo off)>>"C:\\oracle\\gen.bat"&(echo echo a^&b ^> "x (y)")>>"C:\\oracle\\gen.bat"', m)
    assert m.fs.read("C:\\oracle\\gen.bat") == b'@echo off\r\necho a&b > "x (y)"\r\n'
    assert run('(if exist "C:\\oracle\\." (echo yes) else (echo no))&echo @@x', m)[0] == "yes\r\n@@x\r\n"
    assert run('dir /b "C:\\oracle\\sp ace\\."', m)[0] == "args.bat\r\nin space.txt\r\n"
    out, _err, rc = run('call "C:\\oracle\\gen.bat"', m)
    assert out == "a\r\n" and rc == 1  # "echo a" then "&b ..." runs b, which does not exist

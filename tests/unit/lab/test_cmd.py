"""Tests of the lab's cmd.exe interpreter (tests.lab.shell), including every real cmd.exe conformance case."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.lab.config import HostConfig
from tests.lab.events import EventLog
from tests.lab.fs import FileSystem
from tests.lab.proc_api import CmdIO, ProgramCall
from tests.lab.shell import CANCELLED_RC, Interpreter, split_args

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance" / "cmd-semantics.json"
CASES = json.loads(CONFORMANCE.read_text(encoding="utf-8"))

ORACLE_FILES = {
    "C:\\oracle\\present.txt": b"present\r\n",
    "C:\\oracle\\sp ace\\args.bat": b"@echo [%1] [%2] [%*]\r\n",
    "C:\\oracle\\sp ace\\in space.txt": b"in space\r\n",
    "C:\\oracle\\rc3.bat": b"@exit /b 3\r\n",
}


def make_machine(files: dict[str, bytes] | None = None, programs: dict | None = None, **config) -> SimpleNamespace:
    cfg = HostConfig(**config)
    log = EventLog()
    fs = FileSystem(cfg.faults, cfg.disk_free, log=log, host=cfg.name)
    for path, data in {**ORACLE_FILES, **(files or {})}.items():
        fs.makedirs(path.rsplit("\\", 1)[0])
        fs.write(path, data)
    env = {"ORACLE_FOO": "bar", "Path": "C:\\WINNT\\system32;C:\\WINNT", "SystemRoot": "C:\\WINNT"}
    return SimpleNamespace(fs=fs, config=cfg, log=log, programs=dict(programs or {}), env=env)


def run(cmdline: str, machine: SimpleNamespace | None = None, stdin: str = "", cancel: threading.Event | None = None):
    machine = machine or make_machine()
    out: list[str] = []
    err: list[str] = []
    box = [stdin]

    def read_stdin() -> str:
        text, box[0] = box[0], ""
        return text

    io = CmdIO(out.append, err.append, read_stdin, cancel or threading.Event())
    rc = Interpreter(machine, machine.programs).run(cmdline, io)
    return "".join(out), "".join(err), rc


# --------------------------------------------------------------------------------------------------
# the real cmd.exe cases


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_conformance(case):
    out, err, rc = run(case["cmdline"])
    assert out == case["stdout"]
    assert err == case["stderr"]
    assert rc & 0xFF == case["rc"]


def test_exit_codes_are_the_windows_values():
    assert run("exit /b 300")[2] == 300
    assert run("exit /b -1")[2] == 0xFFFFFFFF


# --------------------------------------------------------------------------------------------------
# argv rules


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a b  c", ["a", "b", "c"]),
        ('"a b" c', ["a b", "c"]),
        ('a"b c"d', ["ab cd"]),
        (r'"C:\Program Files\\" x', ["C:\\Program Files\\", "x"]),
        (r"a\\\"b", ['a\\"b']),
        (r"a\\b", ["a\\\\b"]),
        ('"a""b" c', ['a"b c']),  # VC6 runtime: "" inside quotes gives a quote and ends quoting
        ('"a""b"', ['a"b']),
        ('""', [""]),
        ("  ", []),
        ('"unterminated x', ["unterminated x"]),
    ],
)
def test_split_args(raw, expected):
    assert split_args(raw) == expected


# --------------------------------------------------------------------------------------------------
# programs


def recorder(calls: list, rc: int = 0, output: str = ""):
    def program(call: ProgramCall) -> int:
        calls.append(call)
        if output:
            call.io.out(output)
        return rc

    return program


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


def test_caret_escapes_outside_quotes_only():
    assert run("echo a^&b")[0] == "a&b\r\n"
    assert run('echo "a^&b"')[0] == '"a^&b"\r\n'
    assert run("echo a^^&echo b")[0] == "a^\r\nb\r\n"
    assert run("echo end^")[0] == "end\r\n"


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


def test_environment_does_not_leak_between_runs():
    m = make_machine()
    run("set ORACLE_NEW=1", m)
    assert run("echo %ORACLE_NEW%", m)[0] == "%ORACLE_NEW%\r\n"
    assert m.env.get("ORACLE_NEW") is None


# --------------------------------------------------------------------------------------------------
# expansion happens once, when the line is read


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


# --------------------------------------------------------------------------------------------------
# if


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


def test_if_syntax_errors():
    assert run("if a== echo x") == ("", "", 0)  # compares "a" with "echo"
    out, err, rc = run("if a==")
    assert err == "The syntax of the command is incorrect.\r\n"
    assert rc == 255
    assert run("if exist")[1] == "The syntax of the command is incorrect.\r\n"


def test_operator_precedence():
    m = make_machine(programs={"fail": recorder([], 1)})
    # && and || have one precedence and group from the left; & is weaker, | stronger
    assert run("fail || echo a && echo b", m)[0] == "a \r\nb\r\n"
    assert run("echo a || echo b && echo c", m)[0] == "a \r\nc\r\n"
    assert run("fail && echo a || echo b", m)[0] == "b\r\n"
    assert run("fail && echo a & echo b", m)[0] == "b\r\n"


def test_unexpected_operators():
    out, err, rc = run("& echo x")
    assert err == "& was unexpected at this time.\r\n"
    assert out == ""
    assert run("echo x && && echo y")[1] == "&& was unexpected at this time.\r\n"
    assert run("echo x &")[0] == "x \r\n"


def test_blocks():
    assert run("(echo a & echo b) & echo c")[0] == "a \r\nb\r\nc\r\n"
    assert run("echo a)")[0] == "a)\r\n"
    assert run("(echo a)b") == ("", "b was unexpected at this time.\r\n", 255)  # text after ")" is a syntax error


# --------------------------------------------------------------------------------------------------
# redirection


def test_redirections_to_files():
    m = make_machine()
    run("echo one>C:\\r.txt", m)
    run("echo two>>C:\\r.txt", m)
    assert m.fs.read("C:\\r.txt") == b"one\r\ntwo\r\n"
    run(">C:\\r.txt echo front", m)
    assert m.fs.read("C:\\r.txt") == b"front\r\n"
    run("notthere 2>C:\\e.txt", m)
    assert m.fs.read("C:\\e.txt").startswith(b"The name specified")
    run("(echo out & notthere) >C:\\both.txt 2>&1", m)
    data = m.fs.read("C:\\both.txt")
    assert data.startswith(b"out \r\nThe name specified")
    out, err, _rc = run("notthere 2>&1 1>nul", m)
    assert out.startswith("The name specified") and err == ""
    out, err, _rc = run("echo to-err 1>&2", m)
    assert (out, err) == ("", "to-err \r\n")
    out, err, _rc = run("notthere 2>nul", m)
    assert (out, err) == ("", "")


def test_redirection_failures_do_not_run_the_command():
    calls: list[ProgramCall] = []
    m = make_machine(programs={"prog": recorder(calls)})
    out, err, rc = run("prog > C:\\nofolder\\x.txt", m)
    assert err == "The system cannot find the path specified.\r\n"
    assert rc == 1 and calls == []
    m.fs.lock("C:\\oracle\\present.txt", "inetinfo.exe", True)
    out, err, rc = run("prog >> C:\\oracle\\present.txt", m)
    assert err == "The process cannot access the file because it is being used by another process.\r\n"
    assert rc == 1 and calls == []
    out, err, rc = run("prog < C:\\oracle\\absent.txt", m)
    assert err == "The system cannot find the file specified.\r\n"
    assert calls == []
    m.fs.faults.access_denied = {"C:\\oracle"}
    out, err, rc = run("echo x > C:\\oracle\\new.txt & echo next", m)
    assert err == "Access is denied.\r\n" and out == "next\r\n"


def test_append_probe_creates_file():
    m = make_machine()
    run("type nul >> C:\\oracle\\probe.txt", m)
    assert m.fs.read("C:\\oracle\\probe.txt") == b""


# --------------------------------------------------------------------------------------------------
# exit, call, batch files


def test_exit_forms():
    assert run("exit")[2] == 0
    m = make_machine(programs={"fail": recorder([], 6)})
    assert run("fail & exit", m)[2] == 6
    assert run("fail & exit /b", m)[2] == 6
    assert run("exit /b 2 & echo no")[0] == ""
    assert run("(exit /b 4) & echo no")[2] == 4
    assert run("cmd /c exit 9 & echo %errorlevel%")[0] == "0\r\n"


def batch_machine(**files: str) -> SimpleNamespace:
    return make_machine(files={f"C:\\b\\{k}.bat": v.replace("\n", "\r\n").encode("cp437") for k, v in files.items()})


def test_batch_args_percent_and_labels():
    m = batch_machine(
        main="""@echo off
echo [%0] [%1] [%~2] [%3] [%*] 50%% %ORACLE_UNDEF%end
shift
echo after shift [%1]
goto skip
echo skipped
:skip
echo done
""",
    )
    out, err, rc = run('C:\\b\\main.bat one "two 2" three', m)
    assert out == (
        '[C:\\b\\main.bat] [one] [two 2] [three] [one "two 2" three] 50% end\r\nafter shift ["two 2"]\r\ndone\r\n'
    )
    assert (err, rc) == ("", 0)


def test_batch_echo_on_shows_commands():
    m = batch_machine(on="echo hello\n@echo quiet\nrem a remark\necho x > nul & if a==b (echo y)\n")
    out, _err, _rc = run("C:\\b\\on.bat", m)
    assert out == (
        "\r\nC:\\>echo hello\r\nhello\r\nquiet\r\n\r\nC:\\>rem a remark\r\n"
        "\r\nC:\\>echo x   1>nul & if a == b (echo y )\r\n"
    )


def test_batch_exit_b_goto_eof_and_call_label():
    m = batch_machine(
        sub="""@echo off
call :inner a b
echo inner gave %errorlevel%
goto :eof
echo not reached
:inner
echo inner [%1] [%2]
exit /b 7
""",
        rc="@exit /b 5\n",
        hard="@exit 8\n@echo no\n",
    )
    out, _err, rc = run("C:\\b\\sub.bat", m)
    assert out == "inner [a] [b]\r\ninner gave 7\r\n"
    assert rc == 7
    assert run("C:\\b\\rc.bat & echo %errorlevel%", m)[0] == "0\r\n"
    assert run("C:\\b\\rc.bat & if errorlevel 5 echo five", m)[0] == "five\r\n"
    assert run("call C:\\b\\hard.bat & echo no", m)[2] == 8


def test_batch_blocks_span_lines_and_expand_once():
    m = batch_machine(
        blk="""@echo off
set V=before
if exist C:\\oracle\\present.txt (
  set V=inside
  echo in block %V%
) else (
  echo never
)
echo after %V%
""",
    )
    out, _err, _rc = run("C:\\b\\blk.bat", m)
    assert out == "in block before\r\nafter inside\r\n"


def test_batch_chaining_without_call():
    m = batch_machine(first="@C:\\b\\second.bat\n@echo not reached\n", second="@echo second\n")
    assert run("C:\\b\\first.bat", m)[0] == "second\r\n"
    assert run("call C:\\b\\second.bat & echo back", m)[0] == "second\r\nback\r\n"


def test_batch_missing_label():
    m = batch_machine(bad="@goto nowhere\n@echo no\n")
    out, err, rc = run("C:\\b\\bad.bat", m)
    assert err == "The system cannot find the batch label specified - nowhere\r\n"
    assert out == ""


def test_batch_found_by_name_via_cwd_and_path():
    m = batch_machine(tool="@echo tool %1\n")
    m.env["Path"] = "C:\\b;C:\\WINNT"
    assert run("tool x", m)[0] == "tool x\r\n"
    assert run("tool.bat y", m)[0] == "tool y\r\n"


def test_batch_line_length_limit():
    long = "@echo " + "x" * 2100 + "\n@echo ok\n"
    m = batch_machine(long=long)
    out, err, _rc = run("C:\\b\\long.bat", m)
    assert out == "ok\r\n"
    assert err == "The input line is too long.\r\n"


def test_vbs_goes_to_script_host():
    calls: list[ProgramCall] = []
    m = make_machine(files={"C:\\s\\adsutil.vbs": b"' script"}, programs={"cscript": recorder(calls)})
    run("C:\\s\\adsutil.vbs get w3svc/1/ServerComment", m)
    assert calls[0].args == ["C:\\s\\adsutil.vbs", "get", "w3svc/1/ServerComment"]
    run("cscript //nologo C:\\s\\adsutil.vbs enum w3svc", m)
    assert calls[1].args == ["//nologo", "C:\\s\\adsutil.vbs", "enum", "w3svc"]


# --------------------------------------------------------------------------------------------------
# cmd /c and limits


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


def test_at_sign_and_label_lines():
    assert run("@@ echo x")[0] == "x\r\n"


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


def test_interactive_nested_cmd_reads_stdin():
    out, _err, rc = run("cmd", stdin="echo from-stdin\r\nexit 3\r\n")
    assert "from-stdin\r\n" in out
    assert out.startswith("Microsoft(R) Windows NT(TM)")
    assert rc == 3


def test_batch_chaining_runs_the_whole_second_file():
    m = batch_machine(first="@C:\\b\\second.bat & echo same line\n@echo not reached\n", second="@echo 1\n@echo 2\n")
    assert run("C:\\b\\first.bat", m)[0] == "1\r\n2\r\nsame line\r\n"


def test_syntax_error_ends_all_batch_processing():
    m = batch_machine(
        outer="@echo off\ncall C:\\b\\inner.bat\necho outer after\n", inner="@echo in\n@echo x & & echo y\n@echo no\n"
    )
    out, err, rc = run("C:\\b\\outer.bat & echo line goes on", m)
    assert out == "in\r\nline goes on\r\n"
    assert err == "& was unexpected at this time.\r\n"


def test_batch_arg_modifiers():
    m = batch_machine(mods="@echo [%~dp0] [%~nx0] [%~n1] [%~x1] [%~d1] [%~f1] [%~1]\n")
    out, _err, _rc = run('C:\\b\\mods.bat "C:\\oracle\\present.txt"', m)
    assert out == ("[C:\\b\\] [mods.bat] [present] [.txt] [C:] [C:\\oracle\\present.txt] [C:\\oracle\\present.txt]\r\n")


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


def test_closing_paren_outside_a_block_is_a_remark():
    assert run("echo a & ) echo b & echo c") == ("a \r\n", "", 0)


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


def test_parentheses_inside_a_block():
    assert run("(echo (x))")[0] == "(x\r\n"
    assert run('(echo "(x)")')[0] == '"(x)"\r\n'
    assert run("(echo a^)b)")[0] == "a)b\r\n"


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


def test_batch_caret_line_continuation():
    m = batch_machine(cont='@echo one ^\ntwo ^^\n@echo "q^"\n@echo three\n')
    assert run("C:\\b\\cont.bat", m)[0] == 'one two ^\r\n"q^"\r\nthree\r\n'


def test_line_feed_ends_the_command_line():
    assert run("echo a\r\necho b") == ("a\r\n", "", 0)

"""Batch files (tests.lab.shell.batch)."""

from __future__ import annotations

from tests.unit.lab.shell_harness import batch_machine, run


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


def test_batch_caret_line_continuation():
    m = batch_machine(cont='@echo one ^\ntwo ^^\n@echo "q^"\n@echo three\n')
    assert run("C:\\b\\cont.bat", m)[0] == 'one two ^\r\n"q^"\r\nthree\r\n'

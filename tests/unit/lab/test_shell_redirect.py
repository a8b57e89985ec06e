"""Redirections (tests.lab.shell.redirect)."""

from __future__ import annotations

from tests.lab.machine.proc_api import ProgramCall
from tests.unit.lab.shell_harness import make_machine, recorder, run


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


def test_a_failed_redirection_leaves_errorlevel_until_a_double_bar_fires():
    """Real cmd.exe (captures on XP and later): a redirection that cannot be opened fails the command for ``&&``
    and ``||`` but leaves ERRORLEVEL as it was; a ``||`` that fires on it sets ERRORLEVEL to 1; ``&`` and ``&&``
    leave it.  So an ``if errorlevel 1`` after a lock probe reads the previous program's code, not the probe."""
    m = make_machine()
    m.fs.lock("C:\\oracle\\present.txt", "inetinfo.exe", True)
    probe = "(type nul>>C:\\oracle\\present.txt) 2>nul"
    reset = "C:\\oracle\\rc3.bat"  # ERRORLEVEL 3 before the probe
    out, _err, _rc = run(f"{reset} & {probe} & if errorlevel 4 (echo four) else if errorlevel 3 echo three", m)
    assert out == "three\r\n"
    out, _err, _rc = run(f"{reset} & {probe} && echo ran & if errorlevel 3 echo still-three", m)
    assert out == "still-three\r\n"
    out, _err, _rc = run(f"{reset} & {probe} || echo fired & if errorlevel 2 (echo two-or-more) else echo one", m)
    assert out == "fired \r\none\r\n"
    # cmd /c's own exit code is the last command's return code: the failed redirection's.
    _out, _err, rc = run(f"echo x & {probe}", m)
    assert rc == 1

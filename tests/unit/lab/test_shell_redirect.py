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

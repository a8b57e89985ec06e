"""The swap vocabulary and the builders it stands on: exact command text, safe to join with ``&``."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import (
    InputError,
    exists,
    guarded,
    missing,
    quote_arg,
    redirect,
    touch,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import (
    Paths,
    RecordError,
    StateRecord,
    record_lines,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.script import batch_writes, packed_lines
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.recovery import recovery_parts
from tests.unit.lab.shell_harness import make_machine, run

REL = Paths("C:\\Staging\\Cart.dll", "C:\\Inet Pub\\bin\\Cart.dll", "20261130120000", here=True)


def test_guarded_chains_conditions_in_one_group():
    line = guarded('ren "a" "b"', exists('"a"'), missing('"b"'))
    assert line == '(if exist "a" if not exist "b" ren "a" "b")'
    assert redirect(line) == line + " 2>&1"


def test_builders_refuse_unquoted_paths_and_other_conditions():
    with pytest.raises(InputError):
        exists("a & del x")
    with pytest.raises(InputError):
        touch("C:\\x.dll")
    with pytest.raises(InputError):
        guarded("echo x", "errorlevel 1")
    with pytest.raises(ValueError):
        guarded("echo x")


def test_swap_in_renames_guarded_by_what_exists():
    parts = Swap(REL).swap_in("swap")
    assert parts == [
        "echo @@swap",
        '(if exist "Cart.dll.iis4new" if exist "Cart.dll" ren "Cart.dll" "Cart.dll.20261130120000.bak") 2>&1',
        '(if exist "Cart.dll.iis4new" if not exist "Cart.dll" ren "Cart.dll.iis4new" "Cart.dll") 2>&1',
        '(if not exist "Cart.dll" if exist "Cart.dll.20261130120000.bak" ren "Cart.dll.20261130120000.bak" "Cart.dll")'
        " 2>&1",
    ]


def test_swap_in_to_a_log_marks_and_appends_there():
    log = quote_arg(REL.log)
    parts = Swap(REL).swap_in("swap", log)
    assert parts[0] == '(echo @@swap)>>"Cart.dll.iis4log"'
    assert all(p.endswith('>>"Cart.dll.iis4log" 2>&1') for p in parts[1:])


def test_swap_back_only_where_a_backup_exists():
    assert Swap(REL).swap_back() == [
        '(if exist "Cart.dll.20261130120000.bak" if exist "Cart.dll" if not exist "Cart.dll.iis4new" '
        'ren "Cart.dll" "Cart.dll.iis4new") 2>&1',
        '(if exist "Cart.dll.20261130120000.bak" if not exist "Cart.dll" ren "Cart.dll.20261130120000.bak" "Cart.dll")'
        " 2>&1",
    ]


def test_swap_back_when_the_old_image_is_still_loaded():
    line = Swap(REL).swap_back_if_old_image_loaded()
    assert line.startswith('(if exist "Cart.dll.20261130120000.bak" ((type nul>>"Cart.dll.20261130120000.bak") 2>nul||')
    assert line.endswith("&echo ##old_image_loaded))) 2>&1")


def test_tidy_when_released_needs_the_new_dll_and_a_free_backup():
    line = Swap(REL).tidy_when_released(keep_backup=True)
    assert line == (
        '(fc /b "C:\\Staging\\Cart.dll" "Cart.dll" >nul 2>&1&&if not exist "Cart.dll.iis4new" '
        '((if exist "Cart.dll.20261130120000.bak" (type nul>>"Cart.dll.20261130120000.bak")) 2>nul'
        '&&(del "Cart.dll.iis4state"&echo ##tidy)))'
    )
    assert 'del "Cart.dll.20261130120000.bak"&' in Swap(REL).tidy_when_released(keep_backup=False)


def test_the_state_record_holds_full_paths_even_from_relative_ones():
    lines = record_lines(REL, "unload", ["IISADMIN", "W3SVC"], "started=unload")
    assert lines[:2] == ["run=20261130120000", "dest=C:\\Inet Pub\\bin\\Cart.dll"]
    assert "staged=C:\\Inet Pub\\bin\\Cart.dll.iis4new" in lines
    assert "services=IISADMIN,W3SVC" in lines and lines[-1] == "started=unload"
    assert Swap(REL).write_record("unload", []).endswith(')>"Cart.dll.iis4state" 2>&1')


def test_recovery_rebuilds_the_same_paths_from_the_record():
    record = StateRecord.parse("\r\n".join(record_lines(REL, "service_restart", ["W3SVC"], "started=restart")))
    assert record is not None and record.running and not record.finished
    paths = Paths.from_record(record, "C:\\other.dll")
    assert paths == REL.absolute()
    assert StateRecord.parse("\r\n".join([*record_lines(REL, "x", []), "started=restart", "finished=restart"])).finished


@pytest.mark.parametrize(
    "key,value",
    [("backup", "C:\\Windows\\system32\\kernel32.dll"), ("staged", "C:\\Inet Pub\\bin\\x & del y"), ("dest", "bad")],
)
def test_a_record_that_names_other_files_is_not_trusted(key, value):
    lines = [line for line in record_lines(REL, "x", []) if not line.startswith(key + "=")] + [f"{key}={value}"]
    record = StateRecord.parse("\r\n".join(lines))
    with pytest.raises(RecordError):
        Paths.from_record(record, "C:\\other.dll")


def test_a_text_without_run_is_no_record():
    assert StateRecord.parse("dest=C:\\x.dll\r\n") is None


def test_the_lock_probe_never_creates_a_missing_dest():
    """``>>`` creates a file that is not there: a probe of a missing dest (both renames of the swap failed) would
    leave a 0-byte dest, and the backup, put back only where dest is missing, would never return."""
    m = make_machine(
        files={"C:\\Inet Pub\\bin\\Cart.dll.iis4new": b"new", "C:\\Inet Pub\\bin\\Cart.dll.20261130120000.bak": b"old"}
    )
    for line in Swap(REL).lock_probe():
        run(f'cd /d "C:\\Inet Pub\\bin" & {line}', m)
    assert not m.fs.exists("C:\\Inet Pub\\bin\\Cart.dll")
    for line in Swap(REL).swap_back():
        run(f'cd /d "C:\\Inet Pub\\bin" & {line}', m)
    assert m.fs.read("C:\\Inet Pub\\bin\\Cart.dll") == b"old"


# -- the registration and its undo, line by line (issue 21: the soak's register-after-fallback-long-isolated) --------

DIR = "C:\\Inet Pub\\bin"
FOUR = ("IISADMIN", "W3SVC", "MSFTPSVC", "NNTPSVC")


def _undo_around(services: tuple[str, ...]) -> tuple[list[str], list[str]]:
    fail = quote_arg(REL.fail_flag)
    stop = ["net stop IISADMIN /y >nul 2>&1"]
    return stop, [f"net start {svc} >nul 2>&1||(echo {svc})>>{fail}" for svc in services]


def _regsvr32(calls: list[str], rc_of: dict[bytes, int]):
    """regsvr32 that records which DLL it was given (by its bytes) and exits as ``rc_of`` says."""

    def program(call) -> int:
        data = call.machine.fs.read(f"{DIR}\\{call.args[-1]}")
        calls.append(f"regsvr32 {data.decode()}")
        return rc_of.get(data, 0)

    return program


def _net(calls: list[str]):
    def program(call) -> int:
        calls.append("net " + " ".join(call.args))
        return 0

    return program


def _swapped_in() -> dict[str, bytes]:
    return {f"{DIR}\\Cart.dll": b"new", f"{DIR}\\Cart.dll.20261130120000.bak": b"old"}


def _run_lines(lines: list[str], m) -> str:
    return "".join(run(f'cd /d "{DIR}" & {line}', m)[0] for line in lines)


def test_the_registration_is_one_short_line_and_the_undo_a_line_per_command():
    """Every line of the registration with the undo of four services fits a batch line of a short cmdline_limit
    (each is written with ``echo ... >>`` into the batch file, so the written line is longer still)."""
    parts = Swap(REL).register(None, _undo_around(FOUR))
    assert parts[0] == "echo @@register"
    first = parts[1]
    assert 'regsvr32 /s "Cart.dll"' in first and "@@rc register 5" in first
    assert '(if errorlevel 1 if exist "Cart.dll.20261130120000.bak" (echo undo)>"Cart.dll.iis4undo")' in first
    undo = parts[2:]
    assert len(undo) == 1 + 2 + 1 + len(FOUR) + 1  # stop, swap back (2), register the old DLL, starts, the end
    assert all(line.startswith('(if exist "Cart.dll.iis4undo" ') for line in undo)
    for part in parts:  # each part alone, as the batch file's write of it (escaped) after ``cd /d``
        (write,) = packed_lines(batch_writes([part], REL.batch)[2:], 900, DIR)
        assert len(write) <= 900
    assert undo[-1].startswith('(if exist "Cart.dll.iis4undo" del "Cart.dll.iis4undo"&')


def test_a_registration_that_succeeds_runs_no_undo():
    calls: list[str] = []
    m = make_machine(files=_swapped_in(), programs={"regsvr32": _regsvr32(calls, {}), "net": _net(calls)})
    out = _run_lines(Swap(REL).register(None, _undo_around(FOUR)), m)
    assert calls == ["regsvr32 new"]
    assert m.fs.read(f"{DIR}\\Cart.dll") == b"new" and not m.fs.exists(f"{DIR}\\Cart.dll.iis4undo")
    assert "##register" not in out.replace("@@register", "")


def test_a_failed_registration_puts_the_old_dll_back_stopped_and_started_around_it():
    calls: list[str] = []
    m = make_machine(files=_swapped_in(), programs={"regsvr32": _regsvr32(calls, {b"new": 5}), "net": _net(calls)})
    out = _run_lines(Swap(REL).register(None, _undo_around(FOUR)), m)
    assert "@@rc register 5" in out and "##register_rolled_back" in out and "not_rolled_back" not in out
    assert calls == [
        "regsvr32 new",
        "net stop IISADMIN /y",
        "regsvr32 old",
        *(f"net start {svc}" for svc in FOUR),
    ]
    assert m.fs.read(f"{DIR}\\Cart.dll") == b"old" and m.fs.read(f"{DIR}\\Cart.dll.iis4new") == b"new"
    assert not m.fs.exists(f"{DIR}\\Cart.dll.iis4undo") and not m.fs.exists(f"{DIR}\\Cart.dll.20261130120000.bak")


def test_an_undo_whose_swap_back_is_refused_says_so_and_registers_nothing_again():
    calls: list[str] = []
    m = make_machine(files=_swapped_in(), programs={"regsvr32": _regsvr32(calls, {b"new": 5}), "net": _net(calls)})
    m.config.faults.access_denied = {f"{DIR}\\Cart.dll"}  # still in use: the rename back is refused
    out = _run_lines(Swap(REL).register(None, _undo_around(("W3SVC",))), m)
    assert "##register_not_rolled_back" in out and "##register_rolled_back" not in out
    assert calls == ["regsvr32 new", "net stop IISADMIN /y", "net start W3SVC"]
    assert m.fs.read(f"{DIR}\\Cart.dll") == b"new" and not m.fs.exists(f"{DIR}\\Cart.dll.iis4undo")


@pytest.mark.parametrize("done", range(1, 9))
def test_recovery_finishes_an_undo_ended_after_any_of_its_lines(done):
    """cmd.exe ended on the host after ``done`` lines of a failed registration's undo: the recovery line leaves
    the old DLL at dest, registered again, the flag gone; IIS is stopped only while the swap back is still due."""
    calls: list[str] = []
    m = make_machine(files=_swapped_in(), programs={"regsvr32": _regsvr32(calls, {b"new": 5}), "net": _net(calls)})
    lines = Swap(REL).register(None, _undo_around(FOUR))
    _run_lines(lines[: 1 + done], m)  # the marker and ``done`` lines
    calls.clear()
    swap_back_due = m.fs.exists(f"{DIR}\\Cart.dll.20261130120000.bak")
    recovery = recovery_parts(Swap(REL), False, [], undo_stop=("net stop IISADMIN /y >nul 2>&1",))
    _run_lines(recovery, m)
    assert m.fs.read(f"{DIR}\\Cart.dll") == b"old"
    assert not m.fs.exists(f"{DIR}\\Cart.dll.iis4undo") and not m.fs.exists(f"{DIR}\\Cart.dll.iis4new")
    assert ("net stop IISADMIN /y" in calls) == swap_back_due
    assert calls.count("regsvr32 old") == 1  # while the flag is there (again, if the undo's own had run: harmless)
    assert "regsvr32 new" not in calls

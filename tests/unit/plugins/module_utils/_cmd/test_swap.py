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
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
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

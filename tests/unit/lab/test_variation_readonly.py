"""Read-only files and ``attrib`` (issue 11, variation 8): ``HostConfig.readonly_files``.

Sources: the CopyFile documentation (the copy gets the source's file attributes, read-only included; CopyFile
fails with access denied onto an existing read-only file); FILE_ATTRIBUTE_READONLY (applications can read a
read-only file but not write or delete it); facts section 6 for the cmd texts (``Access is denied.``,
``0 file(s) copied.``).  ``attrib``'s listing layout and its ``File not found - <name>`` text follow XP-era
captures (a documented choice for NT 4.0)."""

from __future__ import annotations

from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.unit.lab.tools_harness import machine, run

DENIED = "Access is denied.\n"
CD_DLL = "D:\\Release\\ShopCart.dll"


def test_copy_onto_a_read_only_dest_is_denied():
    m = machine(1, readonly_files=[SHOP_DLL])
    before = m.file_bytes(SHOP_DLL)
    out, err, rc = run(m, f"copy {STAGED_DLL} {SHOP_DLL}")
    assert (out, err, rc) == ("        0 file(s) copied.\n", DENIED, 1)
    assert m.file_bytes(SHOP_DLL) == before


def test_del_and_append_are_denied_ren_and_read_work():
    m = machine(1, readonly_files=[SHOP_DLL])
    _o, err, _rc = run(m, f"del {SHOP_DLL}")
    assert err == f"{SHOP_DLL}\n{DENIED}"
    assert m.fs.exists(SHOP_DLL)
    _o, err, _rc = run(m, f"type nul>>{SHOP_DLL}")
    assert err == DENIED
    assert run(m, f"fc /b {SHOP_DLL} {SHOP_DLL}")[2] == 0  # reading works
    assert run(m, f"ren {SHOP_DLL} ShopCart.old") == ("", "", 0)
    renamed = "C:\\InetPub\\shop\\bin\\ShopCart.old"
    assert m.fs.is_readonly(renamed)  # the attribute goes with the file
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0  # the name is free again


def test_copy_of_a_read_only_source_gives_a_read_only_copy():
    m = machine(1, readonly_files=[STAGED_DLL])
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[:2] == ("        1 file(s) copied.\n", "")
    assert m.fs.is_readonly(SHOP_DLL)
    _o, err, _rc = run(m, f"copy {STAGED_DLL} {SHOP_DLL}")  # a second copy now meets a read-only dest
    assert err == DENIED


def test_a_dll_from_a_cd_copied_to_staging_then_to_dest():
    files = dict(machine(1).config.files)
    files[CD_DLL] = files[STAGED_DLL]
    m = machine(1, readonly_files=[CD_DLL], files=files)  # drive D: exists because a file is on it
    assert m.fs.is_readonly(CD_DLL)
    assert run(m, f"copy {CD_DLL} C:\\TEMP\\ShopCart.dll")[2] == 0
    assert m.fs.is_readonly("C:\\TEMP\\ShopCart.dll")


def test_attrib_lists_and_changes_the_read_only_attribute():
    m = machine(1, readonly_files=[SHOP_DLL])
    out, err, rc = run(m, f'attrib "{SHOP_DLL}"')
    assert (out, err, rc) == (f"A    R     {SHOP_DLL}\n", "", 0)
    assert run(m, f'attrib -r "{SHOP_DLL}"') == ("", "", 0)
    assert run(m, f"attrib {SHOP_DLL}")[0] == f"A          {SHOP_DLL}\n"
    assert run(m, f"copy {STAGED_DLL} {SHOP_DLL}")[2] == 0
    assert run(m, f"attrib +r {SHOP_DLL}")[2] == 0
    assert m.fs.is_readonly(SHOP_DLL)


def test_attrib_wildcards_and_the_current_folder():
    m = machine(1, readonly_files=[SHOP_DLL])
    out, _e, _rc = run(m, "attrib C:\\InetPub\\shop\\bin\\*.dll")
    assert out == f"A    R     {SHOP_DLL}\n"
    cmd = m.start_command("attrib", cwd="C:\\InetPub\\shop\\bin")
    cmd.wait(10)
    o, _e, _done, rc = cmd.read(0)
    assert o.decode("cp437") == f"A    R     {SHOP_DLL}\r\n" and rc == 0


def test_attrib_missing_file_and_path():
    m = machine(1)
    assert run(m, "attrib C:\\InetPub\\shop\\bin\\Nothing.dll") == (
        "File not found - C:\\InetPub\\shop\\bin\\Nothing.dll\n",
        "",
        0,
    )
    assert run(m, 'attrib -r "C:\\No Such\\x.dll"') == ("Path not found - C:\\No Such\n", "", 0)


def test_attrib_is_in_system32_and_in_the_program_table():
    m = machine(1)
    assert m.fs.is_file("C:\\WINNT\\system32\\attrib.exe")
    assert "attrib" in m.programs

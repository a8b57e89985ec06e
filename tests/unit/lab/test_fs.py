"""Tests of the lab's NT file system model (tests.lab.machine.fs)."""

from __future__ import annotations

import threading
from datetime import datetime

import pytest

from tests.lab.machine.config import Faults
from tests.lab.machine.events import EventLog
from tests.lab.machine.fs import FileSystem, FsError, normalize, wildcard_match


@pytest.fixture
def fs() -> FileSystem:
    f = FileSystem(Faults(), 10_000, log=EventLog(), host="WEB01")
    f.makedirs("C:\\InetPub\\Shop\\bin")
    f.write("C:\\InetPub\\Shop\\bin\\Cart.dll", b"MZ-old")
    return f


def err(fn, *args) -> int:
    with pytest.raises(FsError) as info:
        fn(*args)
    return info.value.winerror


def test_case_insensitive_and_case_kept(fs):
    assert fs.exists("c:\\inetpub\\SHOP\\BIN\\cart.DLL")
    assert fs.canonical("c:/inetpub/shop/bin/CART.dll") == "C:\\InetPub\\Shop\\bin\\Cart.dll"
    fs.write("C:\\INETPUB\\shop\\bin\\CART.DLL", b"MZ-new")  # overwrite keeps the stored name
    assert fs.canonical("c:\\inetpub\\shop\\bin\\cart.dll").endswith("\\Cart.dll")
    assert fs.read("C:\\InetPub\\Shop\\bin\\Cart.dll") == b"MZ-new"


def test_forward_slashes_dots_and_trailing_dots(fs):
    assert fs.is_file("C:/InetPub/Shop/./bin/../bin/Cart.dll")
    assert fs.is_file("C:\\InetPub\\Shop\\bin\\Cart.dll. ")
    assert fs.is_dir("C:\\InetPub\\")
    assert fs.is_dir("C:\\")
    assert normalize("c:/a/./b/../c") == "C:\\A\\C"


def test_missing_file_vs_missing_path(fs):
    assert err(fs.read, "C:\\InetPub\\nothere.dll") == 2
    assert err(fs.read, "C:\\NoFolder\\x.dll") == 3
    assert err(fs.write, "C:\\NoFolder\\x.dll", b"x") == 3
    assert err(fs.read, "C:\\InetPub\\Shop\\bin\\Cart.dll\\x") == 3  # a file used as a folder
    assert err(fs.read, "Q:\\x") == 3


def test_error_messages_are_the_system_texts(fs):
    with pytest.raises(FsError) as info:
        fs.read("C:\\InetPub\\nothere.dll")
    assert str(info.value) == "The system cannot find the file specified."
    assert info.value.path == "C:\\InetPub\\nothere.dll"
    assert str(FsError(32)) == "The process cannot access the file because it is being used by another process."
    assert str(FsError(112)) == "There is not enough space on the disk."
    assert str(FsError(5)) == "Access is denied."
    assert str(FsError(3)) == "The system cannot find the path specified."


def test_invalid_names(fs):
    assert err(fs.write, "C:\\InetPub\\a|b.txt", b"") == 123
    assert err(fs.write, "C:\\InetPub\\a:b.txt", b"") == 123
    assert err(fs.write, "C:\\InetPub\\a*.txt", b"") == 123


def test_max_path(fs):
    folder = "C:\\" + "d" * 200
    fs.mkdir(folder)
    ok = folder + "\\" + "f" * (259 - len(folder) - 1)
    assert len(ok) == 259
    fs.write(ok, b"x")
    assert err(fs.write, ok + "g", b"x") == 206
    assert err(fs.mkdir, folder + "\\" + "e" * 50) == 206  # folders must leave room for an 8.3 name


def test_free_space_accounting(fs):
    start = fs.free_bytes
    fs.write("C:\\InetPub\\a.bin", b"x" * 100)
    assert fs.free_bytes == start - 100
    fs.write("C:\\InetPub\\a.bin", b"x" * 40)
    assert fs.free_bytes == start - 40
    fs.delete("C:\\InetPub\\a.bin")
    assert fs.free_bytes == start
    assert err(fs.write, "C:\\InetPub\\big.bin", b"x" * (start + 1)) == 112
    assert not fs.exists("C:\\InetPub\\big.bin")


def test_disk_full_fault(fs):
    fs.faults.disk_full = True
    assert err(fs.write, "C:\\InetPub\\a.bin", b"x") == 112
    fs.open_for_write_probe("C:\\InetPub\\empty.txt")  # creating an empty file still works
    assert fs.read("C:\\InetPub\\empty.txt") == b""
    assert err(fs.copy, "C:\\InetPub\\Shop\\bin\\Cart.dll", "C:\\InetPub\\copy.dll") == 112


def test_access_denied_covers_folder_and_below(fs):
    fs.faults.access_denied = {"c:\\inetpub\\shop"}
    assert err(fs.write, "C:\\InetPub\\Shop\\bin\\Cart.dll", b"x") == 5
    assert err(fs.write, "C:\\InetPub\\Shop\\bin\\new.dll", b"x") == 5
    assert err(fs.delete, "C:\\InetPub\\Shop\\bin\\Cart.dll") == 5
    assert err(fs.rename, "C:\\InetPub\\Shop\\bin\\Cart.dll", "x.dll") == 5
    assert err(fs.open_for_write_probe, "C:\\InetPub\\Shop\\bin\\Cart.dll") == 5
    assert fs.read("C:\\InetPub\\Shop\\bin\\Cart.dll") == b"MZ-old"  # reading is still allowed
    fs.write("C:\\InetPub\\ShopX.txt", b"ok")  # a sibling with a common prefix is not covered


def test_unreadable(fs):
    fs.faults.unreadable = {"C:\\InetPub\\Shop\\bin\\Cart.dll"}
    assert err(fs.read, "C:\\InetPub\\Shop\\bin\\Cart.dll") == 5
    assert err(fs.copy, "C:\\InetPub\\Shop\\bin\\Cart.dll", "C:\\InetPub\\c.dll") == 5


def test_image_lock_semantics(fs):
    path = "C:\\InetPub\\Shop\\bin\\Cart.dll"
    fs.lock(path, "inetinfo.exe", allow_rename=True)
    assert fs.lock_holders(path) == ["inetinfo.exe"]
    assert err(fs.write, path, b"new") == 32  # overwrite: sharing violation
    assert err(fs.open_for_write_probe, path) == 32
    assert err(fs.delete, path) == 5  # delete of a mapped image: access denied
    assert fs.read(path) == b"MZ-old"  # reading and copying from it works
    fs.copy(path, "C:\\InetPub\\backup.dll")
    assert fs.lock_holders("C:\\InetPub\\backup.dll") == []
    fs.rename(path, "Cart.old")  # the loader's share mode allows a rename
    moved = "C:\\InetPub\\Shop\\bin\\Cart.old"
    assert fs.lock_holders(moved) == ["inetinfo.exe"]  # the lock follows the file
    assert fs.lock_holders(path) == []
    fs.write(path, b"MZ-new")  # the old name is free for the new image
    fs.move(moved, "C:\\InetPub\\")
    assert fs.lock_holders("C:\\InetPub\\Cart.old") == ["inetinfo.exe"]
    fs.unlock_holder("inetinfo.exe")
    fs.delete("C:\\InetPub\\Cart.old")


def test_lock_without_rename(fs):
    path = "C:\\InetPub\\Shop\\bin\\Cart.dll"
    fs.lock(path, "mtx.exe", allow_rename=False)
    assert err(fs.rename, path, "x.dll") == 32
    assert err(fs.move, path, "C:\\InetPub\\x.dll") == 32
    assert err(fs.rmdir, "C:\\InetPub\\Shop\\bin", True) == 32
    assert err(fs.rename, "C:\\InetPub\\Shop", "Shop2") == 5  # a folder with an open file below it


def test_foreign_locks(fs):
    path = "C:\\InetPub\\Shop\\bin\\Cart.dll"
    fs.faults.foreign_locks = {"c:/inetpub/shop/bin/cart.dll"}
    assert fs.lock_holders(path) == ["foreign"]
    assert err(fs.write, path, b"x") == 32
    assert err(fs.delete, path) == 32
    assert err(fs.rename, path, "x.dll") == 32
    assert fs.read(path) == b"MZ-old"
    fs.faults.foreign_locks = set()
    fs.delete(path)


def test_rename_rules(fs):
    fs.write("C:\\InetPub\\a.txt", b"a")
    fs.write("C:\\InetPub\\b.txt", b"b")
    assert err(fs.rename, "C:\\InetPub\\a.txt", "b.txt") == 183
    assert err(fs.rename, "C:\\InetPub\\a.txt", "C:\\x.txt") == 123
    assert err(fs.rename, "C:\\InetPub\\none.txt", "c.txt") == 2
    fs.rename("C:\\InetPub\\a.txt", "A.TXT")  # case-only rename
    assert fs.canonical("C:\\InetPub\\a.txt") == "C:\\InetPub\\A.TXT"


def test_move_and_copy_into_folder_and_replace(fs):
    fs.write("C:\\InetPub\\a.txt", b"a")
    fs.mkdir("C:\\InetPub\\sub")
    fs.move("C:\\InetPub\\a.txt", "C:\\InetPub\\sub")
    assert fs.read("C:\\InetPub\\sub\\a.txt") == b"a"
    fs.write("C:\\InetPub\\b.txt", b"bb")
    fs.move("C:\\InetPub\\b.txt", "C:\\InetPub\\sub\\a.txt")  # replaces
    assert fs.read("C:\\InetPub\\sub\\a.txt") == b"bb"
    assert fs.copy("C:\\InetPub\\sub\\a.txt", "C:\\InetPub") == "C:\\InetPub\\a.txt"
    assert err(fs.copy, "C:\\InetPub\\sub\\a.txt", "C:\\InetPub\\nofolder\\x") == 3
    assert err(fs.copy, "C:\\InetPub\\none.txt", "C:\\InetPub\\x") == 2


def test_copy_keeps_mtime_and_clock(fs):
    fs.set_clock(datetime(1999, 12, 31, 23, 59))
    fs.write("C:\\InetPub\\t.txt", b"t")
    fs.set_clock(datetime(2000, 1, 2, 3, 4))
    fs.copy("C:\\InetPub\\t.txt", "C:\\InetPub\\u.txt")
    assert fs.stat("C:\\InetPub\\u.txt").mtime == datetime(1999, 12, 31, 23, 59)
    fs.write("C:\\InetPub\\t.txt", b"t2")
    assert fs.stat("C:\\InetPub\\t.txt").mtime == datetime(2000, 1, 2, 3, 4)
    fs.set_clock(None)


def test_delete_and_rmdir(fs):
    assert err(fs.delete, "C:\\InetPub\\nothere") == 2
    assert err(fs.delete, "C:\\InetPub\\Shop") == 5
    assert err(fs.rmdir, "C:\\InetPub\\Shop") == 145
    fs.rmdir("C:\\InetPub\\Shop", recursive=True)
    assert not fs.exists("C:\\InetPub\\Shop")
    assert err(fs.mkdir, "C:\\InetPub") == 183
    assert err(fs.mkdir, "C:\\a\\b") == 3


def test_listdir_stat_glob(fs):
    fs.write("C:\\InetPub\\b.TXT", b"12")
    fs.write("C:\\InetPub\\A.txt", b"1")
    names = [e.name for e in fs.listdir("C:\\InetPub")]
    assert names == ["A.txt", "b.TXT", "Shop"]
    assert fs.stat("C:\\InetPub\\b.txt").size == 2
    assert fs.glob("c:\\inetpub\\*.txt") == ["C:\\InetPub\\A.txt", "C:\\InetPub\\b.TXT"]
    assert err(fs.listdir, "C:\\InetPub\\A.txt") == 267
    assert wildcard_match("*.*", "noext")
    assert wildcard_match("cart.d?l", "Cart.dll")
    assert not wildcard_match("*.txt", "a.dll")


def test_snapshot_and_drives(fs):
    fs.add_drive("D")
    fs.write("D:\\x.txt", b"d")
    snap = fs.snapshot()
    assert snap["D:\\x.txt"] == b"d"
    assert snap["C:\\InetPub\\Shop\\bin\\Cart.dll"] == b"MZ-old"
    assert fs.drives() == ["C", "D"]


def test_cross_drive_move(fs):
    fs.add_drive("D")
    fs.move("C:\\InetPub\\Shop\\bin\\Cart.dll", "D:\\Cart.dll")
    assert fs.read("D:\\Cart.dll") == b"MZ-old"
    assert not fs.exists("C:\\InetPub\\Shop\\bin\\Cart.dll")


def test_file_events_logged(fs):
    fs.write("C:\\InetPub\\n.txt", b"n")
    fs.rename("C:\\InetPub\\n.txt", "m.txt")
    fs.delete("C:\\InetPub\\m.txt")
    events = [(e.kind, e.detail["op"], e.detail["path"]) for e in fs.log.events(host="WEB01")]
    assert ("file", "create", "C:\\InetPub\\n.txt") in events
    assert ("file", "rename", "C:\\InetPub\\n.txt") in events
    assert ("file", "delete", "C:\\InetPub\\m.txt") in events


def test_watched_filters_events(fs):
    fs.log.clear()
    fs.watched = {"C:\\INETPUB\\SHOP"}
    fs.write("C:\\InetPub\\other.txt", b"x")
    fs.write("C:\\InetPub\\Shop\\w.txt", b"x")
    assert [e.detail["path"] for e in fs.log.events()] == ["C:\\InetPub\\Shop\\w.txt"]


def test_thread_safety(fs):
    def worker(n: int) -> None:
        for i in range(200):
            fs.write(f"C:\\InetPub\\t{n}_{i % 5}.txt", b"x" * (i % 7))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    used = sum(len(v) for v in fs.snapshot().values())
    assert fs.free_bytes == 10_000 - used

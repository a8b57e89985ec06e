# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/files.py (copy, dir) on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.files import (
    parse_copy,
    parse_dir,
    parse_dir_listing,
)

from .captures import capture, output_of, transcript, variants


def test_copy_success_variants():
    assert parse_copy("        1 file(s) copied.\r\n").ok
    assert parse_copy("        1 File(s) copied\r\n").copied == 1
    res = parse_copy("C:\\src\\a.dll\r\nC:\\src\\b.dll\r\n        2 file(s) copied.\r\n")
    assert res.copied == 2 and res.other == ["C:\\src\\a.dll", "C:\\src\\b.dll"]
    out = output_of("dir/2.txt", "copy", "//")
    assert parse_copy(out).ok


def test_copy_sharing_violation_captures():
    for rel in ("copy_move_del/3.txt", "copy_move_del/4.txt"):
        chunks = [c for c in transcript(capture(rel)) if c[0].startswith("copy")]
        res = parse_copy(chunks[0][1])
        assert res.copied == 0 and not res.ok
        assert res.error_code == "sharing_violation"
        assert res.error == "The process cannot access the file because it is being used by another process."


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Access is denied.", "access_denied"),
        ("There is not enough space on the disk.", "disk_full"),
        ("The system cannot find the path specified.", "path_not_found"),
        ("The system cannot find the file specified.", "not_found"),
        ("The file cannot be copied onto itself.", "same_file"),
        (
            "The process cannot access the file because another process has locked a portion of the file.",
            "sharing_violation",
        ),
    ],
)
def test_copy_errors(message, code):
    res = parse_copy(f"{message}\r\n        0 file(s) copied.\r\n")
    assert (res.error, res.error_code, res.copied, res.ok) == (message, code, 0, False)
    res = parse_copy(f"{message}\n")
    assert res.error_code == code and res.copied is None and not res.ok


def test_copy_overwrite_prompt():
    res = parse_copy("Overwrite C:\\InetPub\\bin\\shop.dll? (Yes/No/All): \r\n")
    assert res.prompted and not res.ok


DIR_NT4 = """ Volume in drive C has no label.
 Volume Serial Number is 2C4A-1F07

 Directory of C:\\InetPub\\wwwroot\\bin

09/14/98  03:12p        <DIR>          .
09/14/98  03:12p        <DIR>          ..
11/02/99  11:47a               126,976 Shop.dll
11/02/99  12:05a                 4,096 Old Shop.dll
01/05/00  12:30p        <DIR>          Sub Dir
               3 File(s)        131,072 bytes
                          412,098,560 bytes free
"""

DIR_2000 = """ Volume in drive C has no label.
 Volume Serial Number is 64D6-DB09

 Directory of C:\\InetPub\\wwwroot\\bin

09/14/2001  03:12 PM    <DIR>          .
09/14/2001  03:12 PM    <DIR>          ..
11/02/2001  11:47 AM           126,976 Shop.dll
               1 File(s)        126,976 bytes
               2 Dir(s)  60,087,279,616 bytes free
"""


@pytest.mark.parametrize("text", variants(DIR_NT4))
def test_dir_nt4_format(text):
    listing = parse_dir_listing(text)
    names = [e.name for e in listing.entries]
    assert names == ["Shop.dll", "Old Shop.dll", "Sub Dir"]
    shop, old, sub = listing.entries
    assert shop.size == 126976 and not shop.is_dir and shop.mtime == datetime(1999, 11, 2, 11, 47)
    assert (shop.date, shop.time) == ("11/02/99", "11:47a")
    assert old.mtime == datetime(1999, 11, 2, 0, 5)
    assert sub.is_dir and sub.size is None and sub.mtime == datetime(2000, 1, 5, 12, 30) and sub.tag == "<DIR>"
    assert shop.directory == "C:\\InetPub\\wwwroot\\bin"
    assert (listing.file_count, listing.total_bytes, listing.bytes_free) == (3, 131072, 412098560)


def test_dir_2000_format():
    listing = parse_dir_listing(DIR_2000)
    assert [e.name for e in listing.entries] == ["Shop.dll"]
    assert listing.entries[0].mtime == datetime(2001, 11, 2, 11, 47)
    assert listing.bytes_free == 60087279616


def test_dir_capture_single_file_pm():
    out = output_of("dir/2.txt", "dir", "//")
    entries = parse_dir(out)
    assert len(entries) == 1
    e = entries[0]
    assert (e.name, e.size, e.is_dir) == ("Flash64_11_4_402_265.ocx", 12994248, False)
    assert e.mtime == datetime(2012, 9, 9, 20, 22)


def test_dir_other_layouts_and_errors():
    entries = parse_dir("2001-11-02  23:47           126976 shop.dll\n02.11.2001  23:47    126.976 x.dll\n")
    assert [(e.name, e.size, e.mtime) for e in entries] == [
        ("shop.dll", 126976, datetime(2001, 11, 2, 23, 47)),
        ("x.dll", 126976, datetime(2001, 11, 2, 23, 47)),
    ]
    assert parse_dir("13/45/99  10:00a  1 odd.dll\n")[0].mtime is None
    listing = parse_dir_listing(
        " Volume in drive C has no label.\n Volume Serial Number is 1\n\n Directory of C:\\x\n\nFile Not Found\n"
    )
    assert listing.entries == [] and listing.error_code == "not_found"
    listing = parse_dir_listing("The system cannot find the path specified.\n")
    assert listing.error_code == "path_not_found"

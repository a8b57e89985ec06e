# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/fc.py (fc, fc /b) on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.fc import parse_fc

from .captures import capture, transcript


def test_fc_captures_identical():
    for rel in ("fc/1.txt", "fc/3.txt"):
        for _cmd, out in transcript(capture(rel)):
            if out.strip():
                res = parse_fc(out)
                assert res.identical is True and res.error is None and res.differences == 0
    res = parse_fc(transcript(capture("fc/3.txt"))[0][1])
    assert res.files == ("Program.cs", "OUT.CS")


def test_fc_binary_differences_and_longer():
    text = (
        "Comparing files C:\\InetPub\\bin\\shop.dll and C:\\InetPub\\bin\\SHOP.DLL.NEW\r\n"
        "00000040: 0E 1F\r\n00000041: 1F 0E\r\n"
        "FC: C:\\InetPub\\bin\\shop.dll longer than C:\\InetPub\\bin\\SHOP.DLL.NEW\r\n\r\n"
    )
    res = parse_fc(text)
    assert res.identical is False and res.differences == 2 and res.longer == "C:\\InetPub\\bin\\shop.dll"
    res = parse_fc("Comparing files A and B\n00000000: 4D 5A\n")
    assert res.identical is False and res.differences == 1 and res.longer is None


def test_fc_text_differences():
    text = "Comparing files a.txt and B.TXT\n***** a.txt\nold\n***** B.TXT\nnew\n*****\n\n"
    res = parse_fc(text)
    assert res.identical is False and res.differences == 1


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("FC: cannot open C:\\x.dll - No such file or folder", "not_found"),
        ("FC: Cannot open C:\\x.dll - No such file or directory", "not_found"),
        ("FC: Insufficient number of file specifications", "fc_error"),
    ],
)
def test_fc_errors(line, code):
    res = parse_fc(line + "\r\n\r\n")
    assert res.identical is None and res.error == line and res.error_code == code

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/common.py: lines, section markers, exit-code ladders, errors."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd import cmdline
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import (
    classify_error,
    parse_rc_ladder,
    split_lines,
    split_sections,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.fc import parse_fc
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.net import parse_net_stop


def test_split_lines_line_ends_and_bytes():
    assert split_lines("a\r\nb\nc\rd  \r\n") == ["a", "b", "c", "d"]
    assert split_lines(b"caf\x82\r\n") == ["caf\u00e9"]
    assert split_lines("") == []


def test_split_sections_and_ladder():
    out = (
        "@@src\r\n"
        "yes\r\n"
        "@@fc\r\n"
        "Comparing files C:\\a.dll and C:\\b.dll\r\n"
        "FC: no differences encountered\r\n"
        "\r\n"
        "@@stop\r\n"
        "The World Wide Web Publishing Service service is not started.\r\n"
        "\r\n"
        "More help is available by typing NET HELPMSG 3521.\r\n"
        "\r\n"
        "@@rc stop 1\r\n"
        "@@rc stop 2\r\n"
        "@@end\r\n"
    )
    sections = split_sections(out)
    assert list(sections) == ["src", "fc", "stop", "end"]
    assert sections["src"] == "yes"
    assert parse_fc(sections["fc"]).identical is True
    assert "@@rc" not in sections["stop"]
    assert parse_net_stop(sections["stop"]).conditions == ["not_started"]
    assert sections["end"] == ""
    assert parse_rc_ladder(out) == {"stop": 2}


def test_split_sections_preamble_prompt_and_repeats():
    out = "junk\nDo you want to continue this operation? (Y/N) [N]: @@after\nx\n@@a\n1\n@@a\n2\n"
    sections = split_sections(out)
    assert sections[""] == "junk\nDo you want to continue this operation? (Y/N) [N]:"
    assert sections["after"] == "x"
    assert sections["a"] == "1\n2"
    # the prompt text stays with the previous section
    assert "Do you want to continue" in split_sections("@@s\n" + out.split("junk\n")[1])["s"]


def test_split_sections_ignores_inline_at_signs():
    out = "@@s\nmail@@example is not a marker\nfoo @@bar baz\n"
    assert split_sections(out) == {"s": "mail@@example is not a marker\nfoo @@bar baz"}
    listing = "@@s\n11/02/99  11:47a                 4,096 @@x\n"
    assert split_sections(listing) == {"s": "11/02/99  11:47a                 4,096 @@x"}


def test_parse_rc_ladder_negative_and_max():
    assert parse_rc_ladder("@@rc ads -1\n") == {"ads": -1}
    assert parse_rc_ladder("@@rc a 1\n@@rc b 1\n@@rc a 3\n@@rc a 2\n") == {"a": 3, "b": 1}
    assert parse_rc_ladder("no ladder here\n") == {}


def test_marker_round_trip_with_cmdline():
    line = cmdline.join_commands([cmdline.marker("x"), "net stop W3SVC 2>&1", cmdline.rc_ladder("x", 2)])
    assert line.startswith("echo @@x&net stop")
    assert parse_rc_ladder("@@x\n@@rc x 1\n@@rc x 2\n") == {"x": 2}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The process cannot access the file because it is being used by another process.", "sharing_violation"),
        ("Access is denied.", "access_denied"),
        ("There is not enough space on the disk.", "disk_full"),
        ("The system cannot find the file specified.", "not_found"),
        ("Could Not Find C:\\x.dll", "not_found"),
        ("File Not Found", "not_found"),
        ("The system cannot find the path specified.", "path_not_found"),
        ("The network path was not found.", "path_not_found"),
        (
            "'sc' is not recognized as an internal or external command,\noperable program or batch file.",
            "name_not_recognized",
        ),
        ("The service name is invalid.", "invalid_service"),
        ("The filename, directory name, or volume label syntax is incorrect.", "invalid_name"),
        ("The syntax of the command is incorrect.", "syntax_error"),
        ("The device is not ready.", "not_ready"),
        ("The specified service does not exist as an installed service.", "invalid_service"),
        ("A duplicate file name exists, or the file cannot be found.", "duplicate_or_not_found"),
        ("Cannot create a file when that file already exists.", "already_exists"),
        ("System error 5 has occurred.\r\n\r\nAccess is denied.\r\n", "access_denied"),
        ("        1 file(s) copied.", None),
        ("", None),
    ],
)
def test_classify_error(text, code):
    assert classify_error(text) == code
    assert classify_error(text.upper()) == code


def test_classify_error_nt4_unknown_program_wraps_after_as_an():
    text = (
        "The name specified is not recognized as an\r\n"
        "internal or external command, operable program or batch file.\r\n"
    )
    assert classify_error(text) == "name_not_recognized"

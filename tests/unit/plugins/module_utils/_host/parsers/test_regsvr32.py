# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/regsvr32.py (regsvr32 /s exit codes)."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.regsvr32 import parse_regsvr32


@pytest.mark.parametrize(
    ("rc", "needle"),
    [
        (0, "success"),
        (1, "command line"),
        (2, "OleInitialize"),
        (3, "LoadLibrary"),
        (4, "GetProcAddress"),
        (5, "returned an error"),
        (6, "unknown exit code 6"),
        (-1, "unknown exit code -1"),
    ],
)
def test_regsvr32(rc, needle):
    assert needle in parse_regsvr32(rc)

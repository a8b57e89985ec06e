"""The result's file descriptions and check mode's sentence (the strategy's own words)."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.files import parse_dir
from ansible_collections.legacy_iis.iis4.plugins.module_utils.results import describe_file, entry_dict, prediction

from .test_plan import INPROC, ISOLATED, plan_for

DIR = """ Volume in drive C has no label.

 Directory of C:\\InetPub\\shop\\bin

11/30/26  10:15a                24,576 ShopCart.dll
               1 File(s)         24,576 bytes
"""


def test_a_file_is_described_by_its_size_and_date():
    entry = next(e for e in parse_dir(DIR.replace("\n", "\r\n")) if not e.is_dir)
    assert describe_file(entry).startswith("size: 24576\nmodified: ")
    described = entry_dict(entry, "C:\\InetPub\\shop\\bin\\ShopCart.dll")
    assert described is not None and described["size"] == 24576 and described["mtime"]
    assert describe_file(None) == "(absent)\n" and entry_dict(None, "x") is None


def test_check_mode_says_what_each_strategy_would_do():
    plan, paths, _p = plan_for(INPROC)
    assert prediction(plan, paths, True).startswith("would stop ")
    plan, paths, _p = plan_for(ISOLATED)
    unload = prediction(plan, paths, True)
    assert unload.startswith("would unload ") and "fall back to restarting IIS" in unload
    assert "fall back" not in prediction(plan, paths, False)

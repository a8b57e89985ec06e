# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every capture in tests/conformance/captures is indexed and goes through its parser without leftovers."""

from __future__ import annotations

import json

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.adsutil import parse_adsutil_enum
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import classify_error
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.fc import parse_fc
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.files import parse_copy, parse_dir
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.net import (
    parse_net_start_list,
    parse_net_stop,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sc import parse_sc_qc

from .captures import CAPTURES, capture, transcript


def test_every_capture_is_indexed_and_present():
    index = json.loads((CAPTURES / "index.json").read_text())
    files = {entry["file"] for entry in index}
    on_disk = {p.relative_to(CAPTURES).as_posix() for p in CAPTURES.rglob("*.txt")}
    assert files == on_disk


def test_every_capture_parses_without_leftovers():
    """Each indexed capture goes through its parser; nothing of the tool's own output is left unrecognised."""
    index = json.loads((CAPTURES / "index.json").read_text())
    for entry in index:
        rel = entry["file"]
        kind = rel.split("/")[0]
        prefix = {"adsutil": "#", "dir": "//"}.get(kind, "")
        for cmd, out in transcript(capture(rel, prefix)):
            verb = cmd.split()[0].lower() if cmd else ""
            if kind in ("net_stop", "net_start"):
                if cmd.lower().strip() == "net start":
                    assert parse_net_start_list(out)
                else:
                    res = parse_net_stop(out)
                    assert not res.other, (rel, res.other)
                    assert res.stopped or res.started or res.errors, rel
            elif kind == "sc_qc":
                assert parse_sc_qc(out).name == "OpenClinicHttp"
            elif kind == "adsutil" and verb.endswith("adsutil.vbs"):
                assert parse_adsutil_enum(out)[0]
            elif kind == "fc":
                assert parse_fc(out).identical is True
            elif kind == "dir" and verb == "dir":
                assert parse_dir(out)
            elif verb == "copy" or (kind == "dir" and verb == "copy"):
                assert parse_copy(out).copied is not None
            elif verb == "move":
                assert classify_error(out) is None  # move has no parser: its output must not read as an error
            elif verb == "type":
                assert classify_error(out) == "sharing_violation"

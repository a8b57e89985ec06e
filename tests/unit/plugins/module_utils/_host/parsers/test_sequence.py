"""A sequence's output read once: sections, exit-code ladders, flags, the outage the markers timed."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import Sections, ladder_rc, section
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sequence import SequenceOutput

TEXT = "@@swap\r\n        1 file(s) copied.\r\n@@verify\r\n@@rc verify 1\r\n##record_kept\r\n@@done\r\n"


def test_sections_and_ladders_are_read_once_and_agree_with_the_helpers():
    s = Sections.parse(TEXT)
    assert s["swap"].strip() == "1 file(s) copied." and s["nothing"] == ""
    assert s.rc("verify") == 1 and s.rc("swap") == 0 and s.rc("never") is None
    assert s.rc("verify") == ladder_rc(TEXT, dict(s.sections), "verify")
    assert section(s.sections, "swap") == s["swap"]
    assert s.labels == ["swap", "verify", "done"] and s.printed("##record_kept")


def test_a_sequence_output_knows_whether_it_ran_to_its_end_and_what_it_verified():
    out = SequenceOutput.read(TEXT, outage_begin=10.0, outage_end=12.5)
    assert out.finished and not out.verified and out.outage_seconds == 2.5
    cut = SequenceOutput.read(TEXT[: TEXT.index("@@done")])
    assert not cut.finished and cut.outage_seconds is None
    assert SequenceOutput.read("@@verify\r\n", readback=True).finished

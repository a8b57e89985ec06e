"""The fault matrix document check (tests/integration/faults/collector.py): real outcomes, stale docs fail."""

from __future__ import annotations

from types import SimpleNamespace

from tests.integration.faults import collector, report


def _report(when: str, outcome: str, **extra):
    return SimpleNamespace(
        when=when,
        passed=outcome == "passed",
        failed=outcome == "failed",
        skipped=outcome == "skipped",
        longrepr=extra.pop("longrepr", None),
        **extra,
    )


def test_a_row_carries_the_tests_real_outcome():
    assert collector.outcome_of_report(_report("call", "passed")) == "passed"
    assert collector.outcome_of_report(_report("call", "failed")) == "failed"
    assert collector.outcome_of_report(_report("call", "skipped", wasxfail="defect")) == "xfailed"
    assert collector.outcome_of_report(_report("call", "failed", longrepr="[XPASS(strict)] defect")) == "xpassed"
    assert collector.outcome_of_report(_report("setup", "passed")) is None
    assert collector.outcome_of_report(_report("teardown", "failed")) == "failed"


def test_the_status_column_shows_the_outcome_not_the_expectation():
    assert report._status({"defect": "known", "test_outcome": "xfailed"}) == "known module defect (xfail)"
    assert report._status({"defect": "known", "test_outcome": "failed"}) == "FAIL"
    assert report._status({"defect": "known", "test_outcome": "xpassed"}).startswith("FAIL")
    assert report._status({"defect": None, "test_outcome": "passed"}) == "pass"


def test_a_stale_document_fails_with_a_way_to_regenerate(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "render", lambda rows: "# matrix\nnew line\n")
    monkeypatch.delenv(collector.UPDATE_ENV, raising=False)
    doc, produced = tmp_path / "fault-matrix.md", tmp_path / "out" / "fault-matrix.md"
    doc.write_text("# matrix\nold line\n", encoding="utf-8")
    problem = collector.check_document([], doc, produced)
    assert problem is not None and "line 2" in problem and "FAULT_MATRIX_UPDATE=1" in problem
    assert produced.read_text(encoding="utf-8") == "# matrix\nnew line\n"
    assert doc.read_text(encoding="utf-8") == "# matrix\nold line\n"  # never rewritten behind the user's back
    monkeypatch.setenv(collector.UPDATE_ENV, "1")
    assert collector.check_document([], doc, produced) is None
    assert doc.read_text(encoding="utf-8") == "# matrix\nnew line\n"
    monkeypatch.delenv(collector.UPDATE_ENV)
    assert collector.check_document([], doc, produced) is None  # current: nothing to say

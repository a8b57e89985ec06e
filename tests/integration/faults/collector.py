"""The collector of the fault matrix's rows, and the check of docs/fault-matrix.md (pytest hooks).

Registered by tests/integration/conftest.py, so that the process that runs the session (the controlling process
under pytest-xdist, which collects nothing itself) has the hooks whether the run names tests/integration or
tests/integration/faults.  The rows come with each test's report (its ``user_properties``, see the
``matrix_record`` fixture in tests/integration/faults/conftest.py); when every row of the matrix is there, the
document is rendered and compared with the committed one, and a difference fails the session.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.ansible_env import REPO
from tests.integration.faults import report

DOC = REPO / "docs" / "fault-matrix.md"
PRODUCED = REPO / "tests" / "output" / "fault-matrix.md"
ROW_KEY = "fault_matrix_row"
UPDATE_ENV = "FAULT_MATRIX_UPDATE"


def outcome_of_report(report: pytest.TestReport) -> str | None:
    """passed / failed / xfailed / xpassed for the call phase of a test; None for the other phases."""
    if report.when != "call":
        return "failed" if report.failed else None
    xfail = hasattr(report, "wasxfail")
    if report.skipped and xfail:
        return "xfailed"
    if report.passed:
        return "xpassed" if xfail else "passed"
    if report.failed:
        strict_xpass = str(report.longrepr).startswith("[XPASS(strict)]")
        return "xpassed" if xfail or strict_xpass else "failed"
    return None


_ROWS: dict[tuple[str, str], dict[str, Any]] = {}
_SUMMARIES: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Keep each test's row with the test's real outcome (runs in the controlling process under xdist)."""
    outcome = outcome_of_report(report)
    if outcome is None:
        return
    for key, value in report.user_properties:
        if key == ROW_KEY:
            row = dict(value, test_outcome=outcome)
            old = _ROWS.get((row["table"], row["id"]))
            if old is None or report.when == "call" or outcome == "failed":
                _ROWS[(row["table"], row["id"])] = row


def note_summary(text: str) -> None:
    """Text for the end of the terminal report (the soak's violation count, the document check)."""
    _SUMMARIES.append(text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for text in _SUMMARIES:
        terminalreporter.write_sep("=", "fault matrix")
        terminalreporter.write_line(text)


def check_document(rows: list[dict[str, Any]], doc: Path = DOC, produced: Path = PRODUCED) -> str | None:
    """Render the document from a complete set of rows; None when docs/ holds exactly that text, else a message
    saying how to bring it up to date (the produced text is left at ``produced``)."""
    text = report.render(rows)
    produced.parent.mkdir(parents=True, exist_ok=True)
    produced.write_text(text, encoding="utf-8")
    committed = doc.read_text(encoding="utf-8") if doc.is_file() else ""
    if committed == text:
        return None
    if os.environ.get(UPDATE_ENV) == "1":
        doc.write_text(text, encoding="utf-8")
        return None
    old, new = committed.splitlines(), text.splitlines()
    first = next((i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new)))
    shown = new[first] if first < len(new) else "(end of file)"
    return (
        f"docs/fault-matrix.md is not what this run produced (first difference at line {first + 1}: {shown!r}).\n"
        f"The produced text is in tests/output/fault-matrix.md; review it and commit it as docs/fault-matrix.md "
        f"(cp tests/output/fault-matrix.md docs/fault-matrix.md), or rerun with {UPDATE_ENV}=1 "
        f"(make integration) to write it in place."
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controlling process has every row
    rows = list(_ROWS.values())
    if not report.complete(rows):
        if rows:
            missing = sorted(report.expected_rows() - {(r["table"], r["id"]) for r in rows})
            note_summary(
                f"{len(rows)} rows of the fault matrix recorded, {len(missing)} missing (e.g. {missing[:3]}): "
                "docs/fault-matrix.md was not checked (a full run of tests/integration checks it)"
            )
        return
    problem = check_document(rows)
    if problem is not None:
        note_summary(problem)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

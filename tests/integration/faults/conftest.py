"""Fault matrix: import path for the module logic, and the collector that checks docs/fault-matrix.md.

The cases call ``run_update`` in-process, so ``ansible_collections.legacy_iis.iis4`` must be importable: the
temporary collections tree the Ansible helpers build (a symlink to this checkout) goes first on sys.path.

Every case hands its row to the ``matrix_record`` fixture.  The row travels with the test's own report (its
``user_properties``, which pytest-xdist sends from the workers to the controlling process), so each row carries
the test's real outcome (passed, failed, xfailed, xpassed) and is kept only when the test has run to its end.
The controlling process collects the rows of this session only; when it holds a row for EVERY case of the
matrix it renders the document and compares it with the committed docs/fault-matrix.md.  A difference fails
the session (the new text is left in ``tests/output/fault-matrix.md``; ``FAULT_MATRIX_UPDATE=1`` writes it to
docs/ instead).  A partial run (``-k``, ``--lf``, a crash) checks nothing.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.ansible_env import REPO, collections_path


def _make_importable() -> None:
    try:
        importlib.import_module("ansible_collections.legacy_iis.iis4.plugins.module_utils.update")
        return
    except ImportError:
        pass
    sys.path.insert(0, str(collections_path()))
    for name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


_make_importable()

from tests.integration.faults import report  # noqa: E402 - needs the import path above

RECORDS_ROOT = REPO / "tests" / "output" / "fault-matrix"
DOC = REPO / "docs" / "fault-matrix.md"
PRODUCED = REPO / "tests" / "output" / "fault-matrix.md"
ROW_KEY = "fault_matrix_row"
UPDATE_ENV = "FAULT_MATRIX_UPDATE"


@pytest.fixture
def matrix_record(request: pytest.FixtureRequest):
    """``matrix_record(table, case_id, row)``: the row of the generated document for this test."""

    def record(table: str, case_id: str, row: dict[str, Any]) -> None:
        data = json.loads(json.dumps({"table": table, "id": case_id, **row}, default=str))  # plain data for xdist
        props = request.node.user_properties
        props[:] = [p for p in props if p[0] != ROW_KEY]
        props.append((ROW_KEY, data))

    return record


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
        return
    problem = check_document(rows)
    if problem is not None:
        note_summary(problem)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

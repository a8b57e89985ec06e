"""Fault matrix: import path for the module logic, and the collector that writes docs/fault-matrix.md.

The cases call ``run_update`` in-process, so ``ansible_collections.legacy_iis.iis4`` must be importable: the
temporary collections tree the Ansible helpers build (a symlink to this checkout) goes first on sys.path.

Every case hands its outcome to :func:`record`.  Records go to ``tests/output/fault-matrix/<run>/`` (one
JSON file per case; pytest-xdist workers share the run id), and the session that finishes last with a
record for EVERY case of the matrix writes the document.  A partial run (``-k``, ``--lf``, a crash) leaves
the document alone.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import uuid
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


def _run_id() -> str:
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        run = os.environ.setdefault("IIS4_FAULT_MATRIX_RUN", time.strftime("%Y%m%d%H%M%S-") + uuid.uuid4().hex[:8])
    return run


def run_dir() -> Path:
    path = RECORDS_ROOT / _run_id()
    path.mkdir(parents=True, exist_ok=True)
    return path


def record(table: str, case_id: str, row: dict[str, Any]) -> None:
    """Keep one row of the generated document (called by every case before it asserts)."""
    data = {"table": table, "id": case_id, **row}
    target = run_dir() / f"{table}--{case_id}.json"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    tmp.replace(target)


@pytest.fixture
def matrix_record():
    return record


_SUMMARIES: list[str] = []


def note_summary(text: str) -> None:
    """Text for the end of the terminal report (the soak's violation count)."""
    _SUMMARIES.append(text)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for text in _SUMMARIES:
        terminalreporter.write_sep("=", "fault campaign")
        terminalreporter.write_line(text)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = RECORDS_ROOT / _run_id()
    if not path.is_dir():
        return
    rows = []
    for f in sorted(path.glob("*.json")):
        try:
            rows.append(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return  # another worker is writing: it will find the complete set itself
    if not report.complete(rows):
        return
    text = report.render(rows)
    tmp = DOC.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(DOC)

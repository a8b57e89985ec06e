"""Fault matrix: import path for the module logic, and the ``matrix_record`` fixture (rows of docs/fault-matrix.md).

The cases call ``run_update`` in-process, so ``ansible_collections.legacy_iis.iis4`` must be importable: the
temporary collections tree the Ansible helpers build (a symlink to this checkout) goes first on sys.path.

Every case hands its row to the ``matrix_record`` fixture.  The row travels with the test's own report (its
``user_properties``, which pytest-xdist sends from the workers to the controlling process), so each row carries
the test's real outcome (passed, failed, xfailed, xpassed) and is kept only when the test has run to its end.
The controlling process collects the rows of this session only (tests/integration/faults/collector.py); when
it holds a row for EVERY case of the matrix it renders the document and compares it with the committed
docs/fault-matrix.md.  A difference fails the session (the new text is left in ``tests/output/fault-matrix.md``;
``FAULT_MATRIX_UPDATE=1`` writes it to docs/ instead).  A partial run (``-k``, ``--lf``, a crash) checks nothing.
"""

from __future__ import annotations

import importlib
import json
import sys
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

from tests.integration.faults.collector import ROW_KEY, note_summary  # noqa: E402,F401  # pylint: disable=unused-import

RECORDS_ROOT = REPO / "tests" / "output" / "fault-matrix"


@pytest.fixture
def matrix_record(request: pytest.FixtureRequest):
    """``matrix_record(table, case_id, row)``: the row of the generated document for this test."""

    def record(table: str, case_id: str, row: dict[str, Any]) -> None:
        data = json.loads(json.dumps({"table": table, "id": case_id, **row}, default=str))  # plain data for xdist
        props = request.node.user_properties
        same = (table, case_id)
        props[:] = [p for p in props if p[0] != ROW_KEY or (p[1]["table"], p[1]["id"]) != same]
        props.append((ROW_KEY, data))  # a test may record several rows (one per case it covers)

    return record

"""docs/module.md and docs/module_info.md are generated from the modules' documentation and must not drift from it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_module_reference_is_up_to_date():
    proc = subprocess.run(  # noqa: S603 - our own script
        [sys.executable, str(ROOT / "tools" / "gen_module_doc.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr

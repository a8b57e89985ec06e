"""docs/module.md and docs/module_info.md are generated from the modules' documentation and must not drift from it."""

from __future__ import annotations

import re
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


def test_module_reference_has_no_raw_ansible_markup():
    text = (ROOT / "docs" / "module.md").read_text(encoding="utf-8")
    raw = [m.group(0) for m in re.finditer(r"\b(?:RV|[VOCMIEUL])\([^)]*\)", text)]
    assert raw == [], raw[:5]
    assert "O(register=" not in text and "`register=true`" not in text  # the option is register_dll

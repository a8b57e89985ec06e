# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make ``ansible_collections.legacy_iis.iis4`` importable when the tests run from a plain checkout.

If the collection is not already importable (it is when the checkout sits at
``.../ansible_collections/legacy_iis/iis4``, as ansible-test requires), a temporary directory gets
``ansible_collections/legacy_iis/iis4`` as a symlink to the repository root and is put first on sys.path.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import sys
import tempfile
from pathlib import Path


def _make_importable() -> None:
    try:
        importlib.import_module("ansible_collections.legacy_iis.iis4")
        return
    except ImportError:
        pass
    root = Path(__file__).resolve().parents[2]
    tmp = Path(tempfile.mkdtemp(prefix="iis4-collections-"))
    atexit.register(shutil.rmtree, tmp, ignore_errors=True)
    namespace = tmp / "ansible_collections" / "legacy_iis"
    namespace.mkdir(parents=True)
    (namespace / "iis4").symlink_to(root, target_is_directory=True)
    sys.path.insert(0, str(tmp))
    for name in [m for m in sys.modules if m == "ansible_collections" or m.startswith("ansible_collections.")]:
        del sys.modules[name]
    importlib.invalidate_caches()


_make_importable()

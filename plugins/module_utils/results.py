# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result's descriptions of files and check mode's sentence.

The result dict itself is ``_transport.report.Report`` (the session writes the timeline into it); the
sentence of a success is written by ``_release.run.ReleaseRun.finish`` in each strategy's words.  The keys
are documented in the module's RETURN; a message never prints a Python ``None``.
"""

from __future__ import annotations

from typing import Any

from ._cmd.paths import Paths
from ._host.parsers.files import DirEntry


def describe_file(entry: DirEntry | None) -> str:
    """A file's size and date for the diff."""
    if entry is None:
        return "(absent)\n"
    mtime = getattr(entry, "mtime", None) or getattr(entry, "date", "")
    return f"size: {entry.size}\nmodified: {mtime}\n"


def entry_dict(entry: DirEntry | None, path: str) -> dict[str, Any] | None:
    """``old``/``new``: a file's path, size and date."""
    if entry is None:
        return None
    mtime = getattr(entry, "mtime", None)
    return {
        "path": path,
        "size": entry.size,
        "mtime": mtime.isoformat() if hasattr(mtime, "isoformat") else (mtime or getattr(entry, "date", None)),
    }


def prediction(plan: Any, paths: Paths, unload_fallback: bool) -> str:
    """Check mode's sentence: what a real run would stop, swap and start, in the strategy's own words."""
    return plan.strategy.prediction(plan, paths, unload_fallback)

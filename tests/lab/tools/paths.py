"""How the lab's programs turn a path argument into a full path (``ntpath`` rules, no quotes)."""

from __future__ import annotations

import ntpath


def resolve(path: str, cwd: str) -> str:
    path = path.strip().strip('"')
    if not (len(path) >= 2 and path[1] == ":") and not path.startswith("\\\\"):
        if path.startswith("\\"):
            path = (cwd[:2] if len(cwd) >= 2 else "C:") + path
        else:
            path = ntpath.join(cwd or "C:\\", path)
    return ntpath.normpath(path)

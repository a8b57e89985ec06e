# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The metabase as adsutil.vbs reads it: ``ENUM_ALL W3SVC`` with the first adsutil.vbs found, and, for the
revisions without ENUM_ALL, the walk key by key (``ENUM``, one command line per level).

:func:`enum_all_parts` and :func:`read_metabase` are the gather line's part and its reading (pure);
:func:`walk_metabase` is the only function here that talks to the host.
"""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import build_command, marker, quote_arg, redirect
from .._cmd.validate import host_arg
from .metabase import Metabase
from .parsers.adsutil import parse_adsutil_enum, parse_adsutil_enum_all, parse_adsutil_error
from .parsers.common import section, split_sections

q = quote_arg
#: How deep the key-by-key walk of the metabase goes (W3SVC/<site>/ROOT/<app>/... ).
WALK_DEPTH = 8


def adsutil(adsutil_path: str, *args: str) -> str:
    return redirect(build_command("cscript", "//nologo", q(adsutil_path), *args))


#: Where adsutil.vbs lives on IIS 5, 5.1 and 6.0 (IIS 4.0 keeps it under inetsrv\adminsamples).
IIS5_ADSUTIL = "C:\\Inetpub\\AdminScripts\\adsutil.vbs"


def enum_all_parts(candidates: tuple[str, ...]) -> list[str]:
    """``ENUM_ALL W3SVC`` with the first adsutil.vbs of ``candidates`` that exists, saying which (``##adsutil=``)."""
    if len(candidates) == 1:
        return [f"echo ##adsutil={candidates[0]}", adsutil(candidates[0], "ENUM_ALL", "W3SVC")]
    ladder = "(echo ##adsutil=none)"
    for path in reversed(candidates):
        found = f"(echo ##adsutil={path}&{adsutil(path, 'ENUM_ALL', 'W3SVC')})"
        ladder = f"(if exist {q(path)} {found} else {ladder})"
    return [ladder]


def read_metabase(text: str, adsutil_path: str) -> tuple[Metabase | None, str | None, bool]:
    """The metabase from ``ENUM_ALL W3SVC``: (metabase, error, needs_walk).

    Whatever lists a web site is used, also when adsutil reported per-property errors and went on
    ("Continuing...").  Anything else that lists no site is taken as an adsutil.vbs without ENUM_ALL (the
    stock IIS 4 revision: "Command not recognized", its usage text, or nothing), and the metabase is walked
    key by key; only an answer that a walk would get too (access denied, the wrong script host) is final.
    """
    metabase = Metabase(parse_adsutil_enum_all(text, "/W3SVC"))
    if metabase.sites():
        return metabase, None, False
    err = parse_adsutil_error(text)
    if err is not None and err.kind in FINAL_ADSUTIL_ERRORS:
        return None, f"adsutil ENUM_ALL W3SVC failed: {err.message}", False
    return None, None, True


#: adsutil answers that a key-by-key walk would get as well.
FINAL_ADSUTIL_ERRORS = ("access_denied", "wscript")


def split_adsutil_line(text: str) -> tuple[str, str | None]:
    """The ENUM_ALL answer without the ``##adsutil=<path>`` line, and that path (``none``: none was found)."""
    used = None
    kept = []
    for line in text.splitlines():
        if line.startswith("##adsutil="):
            used = line.split("=", 1)[1].strip()
        else:
            kept.append(line)
    return "\n".join(kept), used


def walk_level_parts(frontier: list[str], adsutil_path: str) -> list[str]:
    parts = []
    for i, key in enumerate(frontier):
        parts += [marker(f"k{i}"), adsutil(adsutil_path, "ENUM", host_arg(key, "the key"))]
    return parts


def read_walk_level(output: str, frontier: list[str], nodes: dict[str, dict[str, Any]]) -> list[str]:
    """Store the properties of each key of ``frontier`` in ``nodes``; returns the next level's keys."""
    s = split_sections(output)
    nxt = []
    for i, key in enumerate(frontier):
        props, children = parse_adsutil_enum(section(s, f"k{i}"))
        nodes[key] = props
        nxt += [c.strip("/").strip("[]").strip("/") for c in children]
    return nxt


def walk_metabase(session: Any, adsutil_path: str) -> tuple[Metabase | None, str | None]:
    """For adsutil revisions without ENUM_ALL: ENUM level by level (one command line per level)."""
    nodes: dict[str, dict[str, Any]] = {}
    frontier = ["W3SVC"]
    depth = 0
    while frontier and depth < WALK_DEPTH:
        res = session.run(f"metabase_level{depth}", walk_level_parts(frontier, adsutil_path))
        frontier = read_walk_level(res.output, frontier, nodes)
        depth += 1
    return (Metabase(nodes), None) if nodes else (None, "adsutil ENUM W3SVC printed nothing usable")

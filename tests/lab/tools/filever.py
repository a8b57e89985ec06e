"""``filever.exe`` (Windows NT 4.0 to 2003 Support Tools): the version resource of files.

``filever <path>`` prints one line per matching file: attributes (``--a--``), the operating system the file is
for (``W32i``), its type (``DLL``, ``APP``), its language (``ENU``), the file version, the build kind (``shp``),
the size with thousands separators, the date (``mm-dd-yyyy``) and the name.  A file without a version resource
has ``-`` in the type, language, version and build columns.  A lab DLL's version is the one in its marker
(``dll.dll_version``).  The column layout follows published filever output; nothing printed for a path that
matches no file and the exit code 0 are **choices** (docs/dev/lab-machine.md).
"""

from __future__ import annotations

import ntpath

from ..machine.dll import dll_version
from ..machine.fs import FsError, has_wildcards
from ..machine.proc_api import ProgramCall
from .paths import resolve
from .winerror import CRLF


def _line(name: str, size: int, mtime, data: bytes) -> str:
    version = dll_version(data)
    kind = "DLL" if name.lower().endswith(".dll") else "APP"
    if version is None:
        kind_col, lang, ver, build = "-", "-", "-", "-"
    else:
        kind_col, lang, ver, build = kind, "ENU", version, "shp"
    return f"--a-- W32i   {kind_col:<4}{lang:<4}{ver:>17} {build:<3} {size:>10,} {mtime:%m-%d-%Y} {name}{CRLF}"


def filever_program(call: ProgramCall) -> int:
    fs = call.machine.fs
    names = [a for a in call.args if not a.startswith("/")]
    if not names:
        call.io.out(f"Usage: filever [/s] [/v] [/e] [/x] [/b] [/a] [/d] [[drive:][path][filename]]{CRLF}")
        return 0
    full = resolve(names[0], call.cwd)
    matches = [p for p in fs.glob(full) if fs.is_file(p)] if has_wildcards(full) else [full]
    for path in matches:
        try:
            entry = fs.stat(path)
            data = fs.read(path)
        except FsError:
            continue
        if not entry.is_dir:
            call.io.out(_line(ntpath.basename(fs.canonical(path)), entry.size, entry.mtime, data))
    return 0

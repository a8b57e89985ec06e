"""``fc.exe``: compares two files, as text or (``/b``, or an executable extension) byte by byte.

Sources: ``xxxxxxxx: yy zz`` per differing byte (NT command reference), ``FC: no differences encountered``
plus a blank line (captures), ``FC: cannot open NAME - No such file or directory`` (Windows 2000 Resource
Kit error text), exit codes 0 / 1 / 2 / -1.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..machine.fs import FsError
from ..machine.proc_api import ProgramCall, discard

BINARY_EXTENSIONS = (".exe", ".com", ".sys", ".obj", ".lib", ".bin")


def _resolve_for(call: ProgramCall, name: str) -> str:
    raw = name.replace("/", "\\")
    if len(raw) >= 2 and raw[1] == ":":
        if raw[2:3] == "\\":
            return raw
        return call.cwd.rstrip("\\") + "\\" + raw[2:] if raw[0].upper() == call.cwd[0].upper() else raw
    if raw.startswith("\\"):
        return call.cwd[:2] + raw
    return call.cwd.rstrip("\\") + "\\" + raw


def _shown_second(name: str) -> str:
    """fc prints the second name upper-cased when it has no folder part (captures show "and OUT.CS" for
    ``FC Program.cs Out.cs`` but keep ``.\\mydata.txt`` as typed)."""
    return name if any(c in name for c in "\\/:") else name.upper()


def fc_program(call: ProgramCall) -> int:
    out = call.io.out
    switches: set[str] = set()
    names: list[str] = []
    for arg in call.args:
        if arg.startswith("/") and len(arg) > 1:
            switches.add(arg[1:].lower())
        else:
            names.append(arg)
    if len(names) < 2:
        out("FC: Insufficient number of file specifications\r\n")
        return -1
    first, second = names[0], names[1]
    fs = call.machine.fs
    blobs: list[bytes] = []
    for name in (first, second):
        try:
            blobs.append(fs.read(_resolve_for(call, name)))
        except FsError as exc:
            reason = "Permission denied" if exc.winerror in (5, 32) else "No such file or directory"
            out(f"FC: cannot open {name.upper()} - {reason}\r\n")
            return 2
    a, b = blobs
    shown_b = _shown_second(second)
    out(f"Comparing files {first} and {shown_b}\r\n")
    binary = "b" in switches or first.lower().endswith(BINARY_EXTENSIONS)
    if binary:
        return _fc_binary(call, a, b, first, shown_b)
    return _fc_text(call, a, b, first, shown_b, ignore_case="c" in switches)


def _differing_bytes(a: bytes, b: bytes, chunk: int = 512) -> Iterator[tuple[int, int, int]]:
    """(offset, byte of a, byte of b) for every differing byte of the common length; equal stretches are
    skipped a chunk at a time."""
    common = min(len(a), len(b))
    for start in range(0, common, chunk):
        end = min(start + chunk, common)
        if a[start:end] != b[start:end]:
            yield from (
                (i, x, y) for i, x, y in zip(range(start, end), a[start:end], b[start:end], strict=True) if x != y
            )


def _fc_binary(call: ProgramCall, a: bytes, b: bytes, name_a: str, name_b: str) -> int:
    out = call.io.out
    if a == b:
        out("FC: no differences encountered\r\n\r\n")
        return 0
    if out is not discard:  # sent to nul, the listing is never seen: the lab spends no time on it
        lines = []
        for offset, x, y in _differing_bytes(a, b):
            lines.append(f"{offset:08X}: {x:02X} {y:02X}\r\n")
            if len(lines) >= 4096:
                out("".join(lines))
                lines = []
                if call.io.cancelled.is_set():
                    return 1
        out("".join(lines))
    if len(a) > len(b):
        out(f"FC: {name_a} longer than {name_b}\r\n")
    elif len(b) > len(a):
        out(f"FC: {name_b} longer than {name_a}\r\n")
    out("\r\n")
    return 1


def _fc_text(call: ProgramCall, a: bytes, b: bytes, name_a: str, name_b: str, ignore_case: bool) -> int:
    out = call.io.out
    la = a.decode("cp437").replace("\r\n", "\n").split("\n")
    lb = b.decode("cp437").replace("\r\n", "\n").split("\n")
    ka = [x.lower() for x in la] if ignore_case else la
    kb = [x.lower() for x in lb] if ignore_case else lb
    if ka == kb:
        out("FC: no differences encountered\r\n\r\n")
        return 0
    matcher = difflib.SequenceMatcher(a=ka, b=kb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        after_a = la[i2 : i2 + 1]
        after_b = lb[j2 : j2 + 1]
        out(f"***** {name_a}\r\n")
        for line in la[max(0, i1 - 1) : i2] + after_a:
            out(line + "\r\n")
        out(f"***** {name_b}\r\n")
        for line in lb[max(0, j1 - 1) : j2] + after_b:
            out(line + "\r\n")
        out("*****\r\n\r\n")
    return 1

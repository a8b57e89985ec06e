"""The lab's fake DLL format.

A lab DLL is a byte string that starts with the ``MZ`` signature of a real PE image and carries an ASCII
marker ``LABDLL name=<name> version=<version>;``.  The web server reports the version of the image a
process actually loaded, so a test can prove which DLL is being served.
"""

from __future__ import annotations

import functools
import re

_MARKER = re.compile(rb"LABDLL name=([^ ;]*) version=([^ ;]*);")


@functools.lru_cache(maxsize=256)
def make_dll(name: str, version: str, size: int = 4096) -> bytes:
    """Build a fake DLL image of at least ``size`` bytes (cached: hundreds of lab hosts share the same images)."""
    head = b"MZ" + b"\x90\x00" * 31
    marker = f"LABDLL name={name} version={version};".encode("ascii")
    body = head + marker
    filler_len = max(0, size - len(body))
    # Deterministic, version-dependent filler so two versions differ in more than the marker.
    seed = sum(marker) & 0xFF
    cycle = bytes((seed + i * 7) & 0xFF for i in range(256))  # (seed + 7i) mod 256 repeats every 256 bytes
    filler = (cycle * (filler_len // 256 + 1))[:filler_len]
    return body + filler


def is_dll(data: bytes) -> bool:
    return data[:2] == b"MZ" and _MARKER.search(data[:512]) is not None


def dll_version(data: bytes) -> str | None:
    match = _MARKER.search(data[:512])
    return match.group(2).decode("ascii") if match else None


def dll_name(data: bytes) -> str | None:
    match = _MARKER.search(data[:512])
    return match.group(1).decode("ascii") if match else None

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Meaning of ``regsvr32 /s`` exit codes.

Facts relied on: with ``/s`` regsvr32 shows no dialog and reports only through its exit code, 0 to 5
(Raymond Chen, The Old New Thing, 2018-09-20; not contractual).
"""

from __future__ import annotations

__all__ = [
    "REGSVR32_EXIT_CODES",
    "parse_regsvr32",
]


#: regsvr32 exit codes (Raymond Chen, The Old New Thing, 2018-09-20; not contractual).
REGSVR32_EXIT_CODES: dict[int, str] = {
    0: "success",
    1: "invalid command line arguments",
    2: "OleInitialize failed",
    3: "LoadLibrary failed: the file is missing, is not a DLL, or a DLL it needs is missing",
    4: "GetProcAddress failed: the DLL does not export DllRegisterServer/DllUnregisterServer",
    5: "the DLL's DllRegisterServer/DllUnregisterServer returned an error",
}


def parse_regsvr32(rc: int) -> str:
    """Meaning of a ``regsvr32 /s`` exit code (0..5), or ``unknown exit code N``."""
    return REGSVR32_EXIT_CODES.get(rc, f"unknown exit code {rc}")

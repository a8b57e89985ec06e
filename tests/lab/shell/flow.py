"""Control flow inside the interpreter: the exceptions that unwind commands, and the exit codes they leave.

``exit`` raises :class:`ExitCmd` (the whole cmd.exe ends) or :class:`ExitBatch` (``exit /b``: the batch
file ends); ``goto`` raises :class:`Goto`, caught by the batch file runner; a syntax error in a batch file
raises :class:`AbortBatches`, which ends every running batch file; Ctrl+C / terminate is
:class:`Cancelled`.
"""

from __future__ import annotations

from ..machine.proc_api import STATUS_CONTROL_C_EXIT

CANCELLED_RC = STATUS_CONTROL_C_EXIT & 0xFFFFFFFF  # 0xC000013A, what Windows reports after Ctrl+C
PARSE_ERROR_RC = 255  # errorlevel after a line that does not parse (a guess)


class ExitCmd(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class ExitBatch(Exception):
    def __init__(self, code: int | None) -> None:
        self.code = code


class Goto(Exception):
    def __init__(self, label: str) -> None:
        self.label = label


class Cancelled(Exception):
    pass


class AbortBatches(Exception):
    """A syntax error in a batch file: every running batch file stops."""

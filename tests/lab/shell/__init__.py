"""The lab's cmd.exe: what ``cmd.exe /c <line>`` does on Windows NT 4.0.

The interpreter follows cmd's two reading phases: ``%`` expansion of the whole line (or the whole
parenthesised block) when it is read, before anything runs (:mod:`.env`), then splitting into commands
(:mod:`.parse`).  The executor (:mod:`.exec`) runs the tree; built-in commands are :mod:`.builtins`,
:mod:`.filecmds` and :mod:`.dircmd`; everything else is a program from the table the machine hands to
:class:`Interpreter` (see :mod:`tests.lab.tools`) or a batch file on the lab file system (:mod:`.batch`).
Output is text with CRLF line ends; the wire encodes it as code page 437.

Where the NT 4.0 behaviour comes from:

* ``tests/conformance/cmd-semantics.json``: cmd.exe results on which Wine's cmd.exe and Windows' agree
  (provenance in tests/conformance/README.md; every case is a unit test).
* KB 830473: 2047-character line limit on NT 4.0 / 2000, also for expanded lines and batch lines.
* Unknown command: the NT 4 text and line break (:mod:`.messages`), exit code 1.
* ``cmd /c`` quotes: only the "old behaviour" of the Windows 2000 ``cmd /?`` (see :mod:`.exec`).
* Guesses: ERRORLEVEL 255 after a line that does not parse; ``The input line is too long.`` (the text of
  later versions); ``&&``/``||`` precedence (equal, as reimplementations such as pBat document).

This package imports nothing from :mod:`tests.lab.tools`; programs and the shell meet in
:mod:`tests.lab.machine.proc_api`.
"""

from __future__ import annotations

from .exec import Interpreter
from .flow import CANCELLED_RC
from .words import split_args

__all__ = ["CANCELLED_RC", "Interpreter", "split_args"]

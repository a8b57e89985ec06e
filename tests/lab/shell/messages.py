"""The fixed texts cmd.exe on Windows NT 4.0 prints, in one place (CRLF line ends included).

Sources: the SCons test suite's record of the NT 4 "not recognized" text and line break (Windows 2000
changed it to ``'x' is not recognized ...``); KB 830473 for the line limit (the text is that of later
versions, a guess); the NT 4 file command texts from listings and captures of the period
(``tests/conformance/captures``).  Texts used by one command only stay next to that command.
"""

from __future__ import annotations

NOT_RECOGNIZED = (
    "The name specified is not recognized as an\r\ninternal or external command, operable program or batch file.\r\n"
)
SYNTAX_ERROR = "The syntax of the command is incorrect.\r\n"
LINE_TOO_LONG = "The input line is too long.\r\n"
FILE_NOT_FOUND = "The system cannot find the file specified.\r\n"
PATH_NOT_FOUND = "The system cannot find the path specified.\r\n"
DRIVE_NOT_FOUND = "The system cannot find the drive specified.\r\n"
BANNER = "Microsoft(R) Windows NT(TM)\r\n(C) Copyright 1985-1996 Microsoft Corp.\r\n\r\n"  # cmd without /c
VERSION = "\r\nWindows NT Version 4.0  \r\n"  # ver

# file commands
COPIED = "{:>9} file(s) copied.\r\n"
DUPLICATE = "A duplicate file name exists, or the file cannot be found.\r\n"
NO_FILES = "File Not Found\r\n"  # dir

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cmd.exe command lines for Windows NT 4.0: input validation and quoting.

This is the only module of the collection that quotes anything for cmd.exe.  Everything that ends up on a
remote command line is either a fixed token written in this collection or a value that went through one of
the ``validate_*`` functions here and was then wrapped by :func:`quote_arg`.

Why refusing is simpler than escaping
-------------------------------------
* cmd.exe expands ``%NAME%`` everywhere, also between double quotes, and a command line (as opposed to a batch
  file) has no escape for ``%``.  A value containing ``%`` cannot be passed literally, so it is refused.
* Between double quotes ``& | < > ( ) ^`` are literal, but a value that itself contains ``"`` would end the
  quoted region early.  Values with ``"`` are refused, so a quoted value is always one quoted region.
* ``!`` is only special with delayed expansion, which is off by default; it is refused anyway because some
  hosts enable it in the registry.
* ``^ & | ( ) < >`` would be safe inside quotes, but they are refused in paths and names as well: they are
  legal in NT file names but almost always a mistake, and refusing them means a quoted value never holds a
  character that would be dangerous if a quote went missing.
* Only printable ASCII is accepted.  NT 4 consoles and net.exe use the OEM code page (437/850) while the
  command line arrives as ANSI/UTF-16; a name outside ASCII may print differently from how it was typed and
  the parsers would no longer recognise it.

Forward slashes in Windows paths are *normalised* to backslashes (``C:/InetPub/x.dll`` becomes
``C:\\InetPub\\x.dll``): unquoted, cmd.exe built-ins would take ``/x`` as a switch, and users on Linux
controllers often write ``/``.  Case is always preserved: IIS 4 ``AppUnload`` matches metabase paths
case-sensitively (KB Q246111), and NT file names are case-preserving.

Exit codes in one batched line
------------------------------
``%ERRORLEVEL%`` is expanded when cmd.exe *reads* a line, before any command of the line runs, so in
``net stop w3svc & echo %ERRORLEVEL%`` it shows the value from before ``net`` ran.  ``if errorlevel N`` is
evaluated when it *runs* and is true when the current exit code is ``>= N``; neither ``if`` nor ``echo``
changes the exit code.  :func:`rc_ladder` therefore emits one ``(if errorlevel N echo @@rc <label> N)`` per
threshold; the highest threshold echoed is the exit code (or a lower bound of it).  Negative codes (adsutil
quits with a negative HRESULT) are caught by ``if not errorlevel 0``.  Each ``if`` is wrapped in
parentheses as a whole: cmd.exe takes everything after the condition up to the end of the line as the
``if`` body (also after a parenthesised block: in ``if c (a) & b`` the ``b`` is conditional too), so a
bare ``if`` would swallow the rest of the batched line.

Commands are joined with ``&`` *without* spaces: ``echo x & y`` prints ``x`` with a trailing space.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..errors import CommandTooLongError, InputError

__all__ = [
    "CMD_LINE_LIMIT_NT4",
    "CMD_LINE_LIMIT_XP",
    "CMD_METACHARACTERS",
    "CommandTooLongError",
    "InputError",
    "MERGE_STDERR",
    "TO_NUL",
    "build_command",
    "check_length",
    "describe_char",
    "echo_text",
    "echo_to_file",
    "exists",
    "fits",
    "group",
    "guarded",
    "if_exist",
    "join_commands",
    "marker",
    "missing",
    "pack_commands",
    "quote_arg",
    "rc_ladder",
    "redirect",
    "touch",
    "validate_label",
]

#: cmd.exe command-line limit on NT 4.0 and Windows 2000 (KB 830473); 8191 from XP on.
CMD_LINE_LIMIT_NT4 = 2047
CMD_LINE_LIMIT_XP = 8191

#: Characters refused in every value that reaches a command line (see the module docstring).
CMD_METACHARACTERS = '%!^&|()<>"'

#: Redirections :func:`build_command` accepts as bare tokens.
MERGE_STDERR = "2>&1"
TO_NUL = ">nul"
_REDIRECTIONS = frozenset([MERGE_STDERR, TO_NUL, "1>nul", "2>nul"])

# A bare (unquoted) token: switches, program names, service names, simple paths without spaces.
_BARE_TOKEN = re.compile(r"^[A-Za-z0-9_.:\\/+@#$~\[\]{}-]+$")
_LABEL = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def describe_char(ch: str) -> str:
    """How an error message names a refused character."""
    if ch == " ":
        return "a space"
    if ord(ch) < 0x20 or ord(ch) == 0x7F:
        return f"control character 0x{ord(ch):02x}"
    if ord(ch) > 0x7E:
        return f"non-ASCII character {ch!r} (U+{ord(ch):04X})"
    return f"{ch!r}"


def validate_label(label: object) -> str:
    """Labels of section markers: 1-64 of ``A-Z a-z 0-9 _ . -``; ``rc`` is reserved for exit-code lines."""
    if not isinstance(label, str) or not _LABEL.match(label):
        raise InputError("label", f"invalid marker label {label!r}: use 1-64 of A-Z a-z 0-9 _ . -")
    if label == "rc":
        raise InputError("label", "'rc' is reserved for exit-code lines")
    return label


#: What no quoting protects: ``"``, ``%``, ``!`` and the control characters (CR, LF and NUL among them).
_UNQUOTABLE = re.compile('["%!\x00-\x1f\x7f]')


def quote_arg(value: str) -> str:
    """Wrap a validated value in double quotes for cmd.exe and for the child's argv parser.

    Refuses (``InputError``) values containing ``"``, ``%``, ``!``, CR, LF, NUL or other control characters,
    which no quoting protects.  A value ending in ``\\`` gets a ``.`` appended (``"C:\\."``): the
    Microsoft C runtime reads ``\\"`` as an escaped quote, so ``"C:\\"`` would swallow the rest of the line
    in external programs such as fc.exe or regsvr32; ``X\\.`` names the same directory everywhere.
    """
    if not isinstance(value, str):
        raise InputError("argument", f"must be a string, got {type(value).__name__}")
    bad = _UNQUOTABLE.search(value)
    if bad is not None:
        raise InputError("argument", f"contains {describe_char(bad.group())}, which cannot be quoted for cmd.exe")
    if value.endswith("\\"):
        value += "."
    return f'"{value}"'


def _is_quoted_token(token: str) -> bool:
    return len(token) >= 2 and token[0] == '"' and token[-1] == '"' and '"' not in token[1:-1] and "%" not in token


def build_command(*parts: str | None) -> str:
    """Join tokens of one simple command with single spaces; ``None`` and ``""`` are skipped.

    Each token must be either a value returned by :func:`quote_arg`, a bare word (letters, digits and
    ``_ . : \\ / + @ # $ ~ [ ] { } -``: program names, switches, service names, paths without spaces),
    or one of the redirections ``2>&1``, ``>nul``, ``1>nul``, ``2>nul``.  Anything else raises
    ``InputError`` so that no unquoted metacharacter can slip into a command.
    """
    tokens = []
    for part in parts:
        if part is None or part == "":
            continue
        if not isinstance(part, str):
            raise InputError("command", f"token must be a string, got {type(part).__name__}")
        if not (_is_quoted_token(part) or _BARE_TOKEN.match(part) or part in _REDIRECTIONS):
            raise InputError("command", f"unsafe token {part!r}: quote values with quote_arg()")
        tokens.append(part)
    if not tokens:
        raise InputError("command", "empty command")
    return " ".join(tokens)


def group(command: str) -> str:
    """``(command)``: a parenthesised block, needed for ``if`` bodies and ``else``."""
    return f"({command})"


def if_exist(quoted_path: str, then: str, otherwise: str | None = None, *, negate: bool = False) -> str:
    """``(if [not] exist "path" (then) [else (otherwise)])``.

    The whole ``if`` is parenthesised, not only its bodies: cmd.exe parses the body of an ``if`` (and of its
    ``else``) up to the end of the line, so in ``if exist x (a) & b`` the ``b`` also runs only if ``x``
    exists.  Wrapped, the ``if`` can be joined with other commands safely.
    """
    if not _is_quoted_token(quoted_path):
        raise InputError("path", "if_exist() needs a value returned by quote_arg()")
    line = f"if {'not ' if negate else ''}exist {quoted_path} {group(then)}"
    if otherwise is not None:
        line += f" else {group(otherwise)}"
    return group(line)


def exists(quoted_path: str) -> str:
    """The condition ``exist "path"`` for :func:`guarded`."""
    if not _is_quoted_token(quoted_path):
        raise InputError("path", "exists() needs a value returned by quote_arg()")
    return f"exist {quoted_path}"


def missing(quoted_path: str) -> str:
    """The condition ``not exist "path"`` for :func:`guarded`."""
    return "not " + exists(quoted_path)


def guarded(command: str, *conditions: str) -> str:
    """``(if exist "a" if not exist "b" command)``: ``command`` runs only when every condition holds.

    Conditions come from :func:`exists` and :func:`missing`.  The nested ``if`` takes the rest of its group
    as its body, so ``command`` may itself be a group or a ``&&``/``||`` chain.  The whole is parenthesised
    for the reason given in :func:`if_exist`.
    """
    if not conditions:
        raise ValueError("guarded() needs at least one condition")
    for cond in conditions:
        if not (cond.startswith("exist ") or cond.startswith("not exist ")):
            raise InputError("condition", f"unsupported condition {cond!r}: use exists() or missing()")
    return group(" ".join(f"if {c}" for c in conditions) + f" {command}")


def touch(quoted_path: str) -> str:
    """``type nul>>"path"``: opens the file for appending and writes nothing.

    The usual batch idiom for testing a lock: it fails with a sharing violation while a process has the file
    loaded (an image section), and with "Access is denied." when the file is read-only, and changes nothing.
    """
    if not _is_quoted_token(quoted_path):
        raise InputError("path", "touch() needs a value returned by quote_arg()")
    return f"type nul>>{quoted_path}"


def redirect(command: str, sink: str = MERGE_STDERR) -> str:
    """``command`` followed by its redirection (``2>&1``, ``>nul 2>&1`` or ``>>"log" 2>&1``; none when empty)."""
    return f"{command} {sink}" if sink else command


_JOIN_OPS = frozenset(["&", "&&", "||"])


def join_commands(cmds: Iterable[str], op: str = "&") -> str:
    """Join commands with ``&`` (always), ``&&`` (if the previous succeeded) or ``||`` (if it failed).

    No spaces around the operator: a space before ``&`` would be printed by a preceding ``echo``.
    """
    if op not in _JOIN_OPS:
        raise ValueError(f"unsupported operator {op!r}")
    items = [c for c in cmds if c]
    for c in items:
        if "\r" in c or "\n" in c:
            raise InputError("command", "a command may not contain line breaks")
    return op.join(items)


def fits(line: str, limit: int = CMD_LINE_LIMIT_NT4) -> bool:
    """True when ``line`` is within cmd.exe's command-line limit."""
    return len(line) <= limit


def check_length(line: str, limit: int = CMD_LINE_LIMIT_NT4) -> str:
    """Return ``line`` unchanged, or raise :class:`CommandTooLongError` if it exceeds ``limit`` characters.

    The default is the NT 4.0 / Windows 2000 limit of 2047 characters (KB 830473).  No expansion can lengthen
    our lines because ``%`` is never allowed in them.
    """
    if len(line) > limit:
        raise CommandTooLongError(len(line), limit)
    return line


def pack_commands(cmds: Sequence[str], limit: int = CMD_LINE_LIMIT_NT4, op: str = "&") -> list[str]:
    """Greedily join commands into as few lines as fit within ``limit``; order is kept.

    Raises :class:`CommandTooLongError` if a single command is longer than ``limit``.
    """
    lines: list[str] = []
    current: list[str] = []
    size = 0
    for cmd in cmds:
        check_length(cmd, limit)
        extra = len(cmd) + (len(op) if current else 0)
        if current and size + extra > limit:
            lines.append(join_commands(current, op))
            current, size = [], 0
            extra = len(cmd)
        current.append(cmd)
        size += extra
    if current:
        lines.append(join_commands(current, op))
    return lines


def marker(label: str) -> str:
    """``echo @@<label>``: starts the output section ``label`` (see ``parsers.common.split_sections``)."""
    return f"echo @@{validate_label(label)}"


def rc_ladder(label: str, max_rc: int | Iterable[int], *, negative: bool = False) -> str:
    """Commands that report the exit code of the command just before them.

    ``max_rc`` is either the highest exit code of interest (thresholds 1..max_rc) or an explicit list of
    thresholds, e.g. ``[1, 5, 1060, 1061]`` for sc.exe.  For each threshold ``N`` the output gets the line
    ``@@rc <label> N`` if the exit code is ``>= N``; the highest one printed is the exit code (exact when
    ``N + 1`` is also a threshold, else a lower bound).  With ``negative`` the line ``@@rc <label> -1`` is
    printed for a negative exit code (adsutil.vbs quits with negative HRESULTs).  Example::

        (if errorlevel 1 echo @@rc stop 1)&(if errorlevel 2 echo @@rc stop 2)

    Read the result with ``parsers.common.parse_rc_ladder``.  ``if`` and ``echo`` do not change ERRORLEVEL, so every
    rung sees the same value; ``%ERRORLEVEL%`` cannot be used because it is expanded when the line is read.
    """
    validate_label(label)
    if isinstance(max_rc, bool):
        raise ValueError("max_rc must be an int or a list of ints")
    if isinstance(max_rc, int):
        if max_rc < 1:
            raise ValueError("max_rc must be at least 1")
        thresholds = list(range(1, max_rc + 1))
    else:
        thresholds = sorted(set(max_rc))
        if not thresholds or any(isinstance(t, bool) or not isinstance(t, int) or t < 1 for t in thresholds):
            raise ValueError("thresholds must be positive integers")
    rungs = [f"(if errorlevel {n} echo @@rc {label} {n})" for n in thresholds]
    if negative:
        rungs.insert(0, f"(if not errorlevel 0 echo @@rc {label} -1)")
    return "&".join(rungs)


_ECHO_ESCAPE = frozenset("^&|<>()")


def echo_text(text: str) -> str:
    """``text`` for an unquoted ``echo``: ``^ & | < > ( )`` escaped with ``^`` (``R&D`` -> ``R^&D``).  The text
    may not hold ``"``, ``%`` or line breaks."""
    if '"' in text or "%" in text or "\r" in text or "\n" in text:
        raise InputError("text", "may not contain double quotes, '%' or line breaks")
    return "".join("^" + ch if ch in _ECHO_ESCAPE else ch for ch in text)


def _echo_line(text: str) -> str:
    """``text`` for ``echo`` inside a parenthesized block (see :func:`echo_to_file`)."""
    if "%" in text or "\r" in text or "\n" in text or "\0" in text:
        raise InputError("text", "may not contain '%' or line breaks")
    if text.count('"') % 2:
        raise InputError("text", "has unbalanced double quotes")
    stripped = text.strip()
    if stripped == "" or stripped.lower() in ("on", "off") or stripped.startswith("/?"):
        raise InputError("text", f"echo cannot write the line {text!r}")
    out = []
    in_quotes = False
    for ch in text:
        if ch == '"':
            in_quotes = not in_quotes
        elif not in_quotes and ch in _ECHO_ESCAPE:
            out.append("^")
        out.append(ch)
    return "echo " + "".join(out)


def echo_to_file(text: str, quoted_path: str, *, append: bool = True) -> str:
    """A command writing one line of text to a file: ``(echo <text>)>>"path"``.

    Used to create a batch file on a host that has no other way to receive one.  Outside double quotes
    the characters ``^ & | < > ( )`` are escaped with ``^``; between quotes they are left alone (cmd.exe
    does not strip carets inside quotes), so the quotes in ``text`` must be balanced.  The parentheses keep a
    trailing digit from being read as a handle number (``echo 1>>f``) and add no trailing space.  ``%`` and
    line breaks are refused, as are lines ``echo`` would treat specially (empty, ``on``, ``off``, ``/?``).
    """
    if not _is_quoted_token(quoted_path):
        raise InputError("path", "echo_to_file() needs a value returned by quote_arg()")
    return f"({_echo_line(text)}){'>>' if append else '>'}{quoted_path}"


def write_lines(lines: Sequence[str], quoted_path: str, max_len: int | None = None) -> list[str]:
    """The commands that (re)write a small text file: ``(echo <l1>&echo <l2>...)>"path"``, each line escaped as
    for :func:`echo_to_file`.  One command when it fits ``max_len`` (safe to repeat); otherwise several, the
    first creating the file (``>``) and the others appending (``>>``), each within ``max_len`` where a single
    line allows."""
    if not _is_quoted_token(quoted_path):
        raise InputError("path", "write_lines() needs a value returned by quote_arg()")
    echoes = [_echo_line(line) for line in lines]
    chunks: list[list[str]] = [[]]
    for echo in echoes:
        candidate = [*chunks[-1], echo]
        size = len("&".join(candidate)) + len(quoted_path) + 4
        if chunks[-1] and max_len is not None and size > max_len:
            chunks.append([echo])
        else:
            chunks[-1] = candidate
    return [f"({'&'.join(chunk)}){'>' if i == 0 else '>>'}{quoted_path}" for i, chunk in enumerate(chunks)]

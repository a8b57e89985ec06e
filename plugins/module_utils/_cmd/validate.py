# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of every value that reaches an NT 4 command line: paths, application paths, metabase paths,
site names.

A value is refused (:class:`errors.InputError`) rather than escaped when it holds a character that cmd.exe
would act on (``% ! ^ & | ( ) < > "``), a control character or a non-ASCII one, or a path that NT would
read as another file (trailing dot or space, device names, relative components).  ``cmdline.quote_arg``
then wraps a validated value in double quotes; see ``cmdline`` for why refusing is simpler than escaping.
Forward slashes in Windows paths are normalised to backslashes; case is always preserved.
"""

from __future__ import annotations

import re

from ..errors import InputError
from .cmdline import CMD_METACHARACTERS, describe_char, quote_arg

__all__ = [
    "APP_PATH_ALLOWED",
    "host_arg",
    "MAX_PATH_LENGTH",
    "validate_app_path",
    "validate_metabase_path",
    "validate_site",
    "validate_windows_path",
]

#: MAX_PATH is 260 including the terminating NUL.
MAX_PATH_LENGTH = 259


#: Characters an NT file name component cannot contain (besides control characters).
_NT_INVALID = '<>:"/\\|?*'

#: DOS device names: a component whose base name (before the first dot) is one of these names a device.
_DEVICE_NAMES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CLOCK$"] + [f"COM{i}" for i in range(1, 10)] + [f"LPT{i}" for i in range(1, 10)]
)

#: Longest name of one metabase key (METADATA_MAX_NAME_LEN).
_METABASE_NAME_MAX = 256

_DRIVE_PATH = re.compile(r"^([A-Za-z]):\\(.*)$", re.DOTALL)
_SERVER_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,62}$")


def _check_text(value: object, name: str, *, extra_forbidden: str = "", allowed: str = "") -> str:
    """Type check plus the characters no value may contain (metacharacters, control, non-ASCII)."""
    if not isinstance(value, str):
        raise InputError(name, f"must be a string, got {type(value).__name__}")
    if value == "":
        raise InputError(name, "must not be empty")
    for ch in value:
        code = ord(ch)
        if code < 0x20 or code == 0x7F:
            raise InputError(name, f"contains {describe_char(ch)}")
        if code > 0x7E:
            raise InputError(name, f"contains {describe_char(ch)}; only printable ASCII is supported")
        if ch in CMD_METACHARACTERS and ch not in allowed:
            raise InputError(name, f"contains {describe_char(ch)}, which cannot be passed safely through cmd.exe")
        if ch in extra_forbidden:
            raise InputError(name, f"contains {describe_char(ch)}")
    return value


def _check_component(comp: str, name: str, where: str) -> None:
    if comp == "":
        raise InputError(name, f"empty path component (doubled backslash) in {where}")
    if comp in (".", ".."):
        raise InputError(name, f"relative component {comp!r} is not allowed")
    for ch in comp:
        if ch in _NT_INVALID:
            raise InputError(name, f"component {comp!r} contains {describe_char(ch)}, not allowed in NT file names")
    if comp.endswith(" ") or comp.endswith("."):
        kind = "space" if comp.endswith(" ") else "dot"
        raise InputError(name, f"component {comp!r} ends with a {kind}; NT strips it, so it would name another file")
    base = comp.split(".", 1)[0].rstrip(" ").upper()
    if base in _DEVICE_NAMES:
        raise InputError(name, f"component {comp!r} is the reserved device name {base}")


def validate_windows_path(
    value: object,
    name: str,
    *,
    allow_unc: bool = True,
    must_be_file: bool = True,
    max_length: int = MAX_PATH_LENGTH,
) -> str:
    """Check an absolute NT path and return it in canonical form.

    Accepted: ``X:\\dir\\file`` and (when ``allow_unc``) ``\\\\server\\share\\dir\\file``.  ``/`` is
    normalised to ``\\``; case is kept.  With ``must_be_file`` the path must name something below a drive
    root or share (``C:\\`` and ``\\\\srv\\share`` alone are refused) and may not end with ``\\``.  Without
    it a trailing ``\\`` is dropped (except for a drive root, returned as ``C:\\``).

    Refused, with :class:`InputError` naming ``name`` and the offending character or component: relative
    paths, ``\\\\?\\`` / ``\\\\.\\`` device paths, empty, ``.`` or ``..`` components, components ending in a
    space or dot, reserved device names (CON, PRN, AUX, NUL, CLOCK$, COM1-9, LPT1-9, also with an
    extension), characters invalid in NT names (``< > : " / \\ | ? *``, control characters), the cmd.exe
    metacharacters ``% ! ^ < > "`` (``& ( )`` are accepted: they are always quoted), non-ASCII characters,
    and paths longer than ``max_length``
    (default 259: MAX_PATH 260 including the terminating NUL).
    """
    text = _check_text(value, name, allowed=APP_PATH_ALLOWED)
    text = text.replace("/", "\\")
    if text != text.strip(" "):
        raise InputError(name, "has leading or trailing spaces")

    if text.startswith("\\\\"):
        if not allow_unc:
            raise InputError(name, "UNC paths (\\\\server\\share\\...) are not allowed here")
        parts = text[2:].split("\\")
        server = parts[0]
        if server in ("?", "."):
            raise InputError(name, "device paths (\\\\?\\ or \\\\.\\) are not supported")
        if not _SERVER_NAME.match(server) or server.endswith("."):
            raise InputError(name, f"invalid server name {server!r} in UNC path")
        if len(parts) < 2 or parts[1] == "":
            raise InputError(name, "UNC path needs a share: \\\\server\\share\\...")
        rest = parts[1:]
        root = "\\\\" + server + "\\"
        min_components = 2 if must_be_file else 1
    else:
        m = _DRIVE_PATH.match(text)
        if not m:
            if re.match(r"^[A-Za-z]:", text):
                raise InputError(name, f"{text!r} is drive-relative; write it as {text[:2]}\\...")
            raise InputError(name, f"{text!r} is not an absolute path (X:\\... or \\\\server\\share\\...)")
        rest = m.group(2).split("\\") if m.group(2) else []
        root = m.group(1) + ":\\"
        min_components = 1 if must_be_file else 0

    if rest and rest[-1] == "":
        if must_be_file:
            raise InputError(name, "ends with a backslash; a file name is required")
        rest = rest[:-1]
    for comp in rest:
        _check_component(comp, name, text)
    if len(rest) < min_components:
        raise InputError(name, "names a drive root or share, not a file" if must_be_file else "incomplete path")

    result = root + "\\".join(rest)
    if len(result) > max_length:
        raise InputError(name, f"is {len(result)} characters long; NT 4 allows at most {max_length}")
    return result


#: cmd.exe metacharacters a path or an application path may hold (real folders are named R&D or Shop (old)):
#: quoting protects them, every path reaches a command line quoted, and the state record's echo lines escape
#: them with carets (cmdline.echo_text).
APP_PATH_ALLOWED = "&()"


def host_arg(value: str, what: str) -> str:
    """A value read from the host (a metabase key, an AppRoot) quoted for a command line, or a clear refusal.

    Quoting protects spaces and ``& | ( ) < > ^``; ``"``, ``%``, ``!`` and control characters cannot be
    passed through cmd.exe at all, so a run that would need them is refused before anything changes.
    """
    try:
        return quote_arg(value)
    except InputError as exc:
        raise InputError(
            "application",
            f"the host's metabase has {what} {value!r}, which cannot be written on a cmd.exe command line "
            f"({exc.message}); nothing was changed. Rename it in the Internet Service Manager, or update this "
            "component by hand",
        ) from None


def validate_app_path(value: object, name: str = "app_path") -> str:
    """Check the URL path of an application or virtual directory inside a site: ``/``, ``/Shop``, ``/Shop/Admin``.

    ``\\`` is normalised to ``/``, a missing leading ``/`` is added, one trailing ``/`` is dropped; case is
    kept.  Segments may hold letters, digits, spaces and ``- _ . ~ $ @ # + , ; = ' [ ] { } & ( )``: real
    applications are named ``R&D`` or ``Shop (old)``, and an application path only ever reaches a command line
    quoted (:func:`host_arg`).  Refused are empty segments (``//``), ``.`` and ``..``, segments with leading or
    trailing spaces or a trailing dot, ``: * ? |`` and the other cmd.exe metacharacters (``% ! ^ < > "``).
    """
    text = _check_text(value, name, extra_forbidden=":*?", allowed=APP_PATH_ALLOWED)
    text = text.replace("\\", "/")
    if not text.startswith("/"):
        text = "/" + text
    if len(text) > 1 and text.endswith("/"):
        text = text[:-1]
    if text == "/":
        return text
    for seg in text[1:].split("/"):
        _check_segment(seg, name)
    return text


def _check_segment(seg: str, name: str) -> None:
    if seg == "":
        raise InputError(name, "contains an empty segment ('//')")
    if seg in (".", ".."):
        raise InputError(name, f"relative segment {seg!r} is not allowed")
    if seg != seg.strip(" "):
        raise InputError(name, f"segment {seg!r} has leading or trailing spaces")
    if seg.endswith("."):
        raise InputError(name, f"segment {seg!r} ends with a dot")
    if len(seg) > _METABASE_NAME_MAX:
        raise InputError(name, f"segment {seg[:20]!r}... is longer than {_METABASE_NAME_MAX} characters")


def validate_metabase_path(value: object, name: str = "metabase_path") -> str:
    """Check a metabase key path and return it the way adsutil.vbs takes it: ``W3SVC/1/ROOT/Shop``.

    Accepts ``/LM/W3SVC/1/ROOT/Shop``, ``LM/W3SVC/1/Root``, ``/W3SVC/1`` or ``W3SVC\\1``: backslashes become
    ``/``, the ``LM`` machine prefix and leading/trailing slashes are removed, case is kept.  Segment rules
    are those of :func:`validate_app_path`.
    """
    text = _check_text(value, name, extra_forbidden=":*?")
    text = text.replace("\\", "/").strip("/")
    if text.upper() == "LM":
        text = ""
    elif text.upper().startswith("LM/"):
        text = text[3:].lstrip("/")
    if text == "":
        raise InputError(name, "names the metabase root; a service key such as W3SVC is required")
    for seg in text.split("/"):
        _check_segment(seg, name)
    return text


def validate_site(value: object, name: str = "site") -> int | str:
    """Check a web site given as instance number or ServerComment name.

    An ``int`` (or a string of digits) is a site number and is returned as ``int`` (1..4294967295).
    Anything else is a ServerComment (the description shown in the MMC, e.g. ``Default Web Site``) and is
    returned unchanged; it may contain spaces, commas, colons and the metacharacters real site names hold
    (``&``, ``(`` and ``)``: ``Web Site (Shop & Co), main``; it is only looked up in what the host lists, and
    anything that reaches a command line is quoted), but no other cmd.exe metacharacter, no control
    characters, no leading or trailing spaces, at most 256 characters.  A name made only of digits cannot be
    given (it is taken as a number).
    """
    if isinstance(value, bool):
        raise InputError(name, "must be a site number or a site name, not a boolean")
    if isinstance(value, int):
        number = value
    else:
        text = _check_text(value, name, allowed=APP_PATH_ALLOWED)
        if not text.isdigit():
            if text != text.strip(" "):
                raise InputError(name, "has leading or trailing spaces")
            if len(text) > _METABASE_NAME_MAX:
                raise InputError(name, f"is longer than {_METABASE_NAME_MAX} characters")
            return text
        number = int(text)
    if not 1 <= number <= 0xFFFFFFFF:
        raise InputError(name, f"site number {number} is out of range (1..4294967295)")
    return number

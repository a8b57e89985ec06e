# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for the console output of NT 4.0 / IIS 4.0 tools: pure functions, text in, dataclasses out.

Every parser accepts CRLF or LF line ends (or a lone CR), extra blank lines and trailing spaces, and the
version variants described in the project's NT 4 / IIS 4 reference (NT 4 and 2000+ wording of ``net``,
XP and Vista+ wording of ``sc``, the IIS 4 and IIS 5 output styles of adsutil.vbs, NT 4 and later ``dir``
layouts).  Output of several commands run in one batched line is first cut apart with
:func:`split_sections`; exit codes come from :func:`parse_rc_ladder` (see ``cmdline.rc_ladder``).  Error
text that net.exe writes to stderr is expected to be merged into stdout (``2>&1``) so it stays in its
section.

Nothing here raises on unexpected text except :func:`parse_net_start_list`, whose empty result would
otherwise be indistinguishable from "no service running"; unknown lines are kept in ``other`` fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

__all__ = [
    "ADSI_NOT_SET",
    "AdsError",
    "AdsValue",
    "AppResult",
    "CopyResult",
    "DirEntry",
    "DirListing",
    "FcResult",
    "FileOpResult",
    "IIS_SERVICES",
    "NetResult",
    "ParseError",
    "REGSVR32_EXIT_CODES",
    "ScConfig",
    "ScStatus",
    "classify_error",
    "parse_adsutil_app_result",
    "parse_adsutil_enum",
    "parse_adsutil_enum_all",
    "parse_adsutil_error",
    "parse_adsutil_properties",
    "parse_copy",
    "parse_del",
    "parse_dir",
    "parse_dir_listing",
    "parse_fc",
    "parse_move",
    "parse_net_start",
    "parse_net_start_list",
    "parse_net_stop",
    "parse_rc_ladder",
    "parse_regsvr32",
    "parse_ren",
    "parse_sc_qc",
    "parse_sc_query",
    "parse_sc_query_all",
    "service_display_name",
    "service_key",
    "split_lines",
    "split_sections",
    "strip_cscript_banner",
]


class ParseError(ValueError):
    """Output that does not have the expected shape at all."""


# ------------------------------------------------------------------------------------------- basics


def split_lines(text: str | bytes) -> list[str]:
    """Lines of ``text`` with CRLF / LF / CR line ends and trailing whitespace removed.

    ``bytes`` are decoded as code page 437, the NT console's OEM code page.
    """
    if isinstance(text, bytes):
        text = text.decode("cp437", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _nonblank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


# ------------------------------------------------------------------------------------------- markers

_LABEL = r"[A-Za-z0-9_.-]{1,64}"
# At the start of a line, or after a prompt that ended without a newline ("[N]: ", "(Yes/No/All): ").
_AFTER_PROMPT = r"(?:^|(?<=:)|(?<=: ))"
_MARKER_RE = re.compile(_AFTER_PROMPT + r"@@(" + _LABEL + r")$")
_RC_RE = re.compile(_AFTER_PROMPT + r"@@rc (" + _LABEL + r") (-?\d+)$")


def split_sections(text: str | bytes) -> dict[str, str]:
    """Cut batched output at marker lines ``@@<label>`` (written by ``cmdline.marker``).

    Returns ``{label: text}`` with the lines after each marker up to the next one, joined with ``\\n``.
    Text before the first marker is under the key ``""`` (only present when non-blank).  Exit-code lines
    ``@@rc <label> <n>`` are removed from the sections (read them with :func:`parse_rc_ladder`).  A marker
    is also recognised right after a prompt that lacked a final newline (``(Y/N) [N]: @@next``); the prompt
    stays in the previous section.  A label seen twice has its parts joined.
    """
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in split_lines(text):
        m = _RC_RE.search(line)
        if m:
            before = line[: m.start()].rstrip()
            if before:
                sections[current].append(before)
            continue
        m = _MARKER_RE.search(line)
        if m and m.group(1) != "rc":
            before = line[: m.start()].rstrip()
            if before:
                sections[current].append(before)
            current = m.group(1)
            sections.setdefault(current, [])
            continue
        sections[current].append(line)
    result = {label: "\n".join(lines) for label, lines in sections.items()}
    if not result[""].strip():
        del result[""]
    return result


def parse_rc_ladder(text: str | bytes) -> dict[str, int]:
    """Exit codes from ``@@rc <label> <n>`` lines: the highest ``n`` seen per label.

    A label that printed no rung is absent from the result: its exit code was 0 (below the first rung),
    or the command never ran; callers that must tell these apart put a marker before the ladder.  ``-1``
    means a negative exit code (``if not errorlevel 0``).
    """
    codes: dict[str, int] = {}
    for line in split_lines(text):
        m = _RC_RE.search(line)
        if m:
            label, value = m.group(1), int(m.group(2))
            codes[label] = max(codes.get(label, value), value)
    return codes


# ------------------------------------------------------------------------------------------- errors

# (substring of the lower-cased message, code); first matching line wins, table order breaks ties.
_ERROR_TABLE: tuple[tuple[str, str], ...] = (
    ("being used by another process", "sharing_violation"),
    ("another process has locked a portion", "sharing_violation"),
    ("access is denied", "access_denied"),
    ("not enough space on the disk", "disk_full"),
    ("the disk is full", "disk_full"),
    ("cannot find the path specified", "path_not_found"),
    ("network path was not found", "path_not_found"),
    ("network name cannot be found", "path_not_found"),
    ("cannot find the file specified", "not_found"),
    ("could not find ", "not_found"),
    ("file not found", "not_found"),
    ("no such file or", "not_found"),
    ("is not recognized as an internal or external command", "name_not_recognized"),
    # NT 4.0 cmd.exe wraps its message after "as an": the first line alone must be recognised.
    ("the name specified is not recognized as an", "name_not_recognized"),
    ("the service name is invalid", "invalid_service"),
    ("does not exist as an installed service", "invalid_service"),
    ("a duplicate file name exists, or the file cannot be found", "duplicate_or_not_found"),
    ("cannot create a file when that file already exists", "already_exists"),
    ("cannot be copied onto itself", "same_file"),
    ("directory name, or volume label syntax is incorrect", "invalid_name"),
    ("syntax of the command is incorrect", "syntax_error"),
    ("the device is not ready", "not_ready"),
)


def classify_error(text: str | bytes) -> str | None:
    """Map a Windows error message in ``text`` to a short code, or ``None`` if there is none.

    Codes: ``sharing_violation`` (error 32/33: file in use, e.g. a DLL loaded by inetinfo.exe or mtx.exe),
    ``access_denied`` (5), ``disk_full`` (112), ``not_found`` (2, ``Could Not Find``, ``File Not Found``,
    fc's ``No such file``), ``path_not_found`` (3, 53, 67), ``name_not_recognized`` (a program that is not
    installed, e.g. sc.exe on a host without the Resource Kit), ``invalid_service`` (NET HELPMSG 2185, sc
    1060), ``duplicate_or_not_found`` (``ren``'s ambiguous message), ``already_exists`` (183),
    ``same_file``, ``invalid_name`` (123), ``syntax_error``, ``not_ready`` (21).  The first line that
    matches decides.
    """
    for line in split_lines(text):
        low = " ".join(line.lower().split())
        if not low:
            continue
        for needle, code in _ERROR_TABLE:
            if needle in low:
                return code
    return None


def _first_error_line(lines: list[str]) -> tuple[str | None, str | None]:
    for line in lines:
        code = classify_error(line)
        if code:
            return line.strip(), code
    return None, None


# ------------------------------------------------------------------------------------------- services

#: IIS 4 services: key name (``net`` / ``sc`` argument) -> display name (shown in ``net`` messages).
IIS_SERVICES: dict[str, str] = {
    "IISADMIN": "IIS Admin Service",
    "W3SVC": "World Wide Web Publishing Service",
    "MSFTPSVC": "FTP Publishing Service",
    "SMTPSVC": "Microsoft SMTP Service",
    "NNTPSVC": "Microsoft NNTP Service",
}
_BY_DISPLAY = {v.lower(): k for k, v in IIS_SERVICES.items()}


def service_display_name(key: str) -> str | None:
    """``W3SVC`` -> ``World Wide Web Publishing Service`` (case-insensitive); ``None`` if not an IIS service."""
    return IIS_SERVICES.get(key.strip().upper())


def service_key(display_name: str) -> str | None:
    """``World Wide Web Publishing Service`` -> ``W3SVC`` (case- and space-insensitive); ``None`` if unknown."""
    return _BY_DISPLAY.get(" ".join(display_name.split()).lower())


# ------------------------------------------------------------------------------------------- net


@dataclass
class NetResult:
    """What ``net start <svc>`` / ``net stop <svc> [/y]`` reported.

    ``stopped`` / ``started``: display names with a "was stopped/started successfully" line, in order.
    ``dependants``: the list printed before stopping a service with running dependants.  ``pending``:
    services shown "is starting..." / "is stopping...".  ``errors``: ``(display name or None, message)``;
    a failed start carries its reason in the message.  ``conditions``: short codes in order of appearance:
    ``already_started`` (2182), ``not_started`` (3521 / 2184), ``invalid_name`` (2185), ``not_responding``
    (2186), ``pending`` (3533), ``start_failed``, ``stop_failed``, ``access_denied`` (system error 5),
    ``system_error`` (other system errors), ``invalid_control`` (2191), ``aborted`` (dependants prompt
    answered N, or not answered: "No valid response was provided.", or nothing done after it).
    """

    stopped: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    dependants: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
    helpmsg: list[int] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    system_error: int | None = None
    service_specific_error: int | None = None
    prompted: bool = False
    aborted: bool = False
    completed: bool = False
    other: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No error, not aborted, and something succeeded (a service stopped/started, or "completed")."""
        return not self.errors and not self.aborted and bool(self.stopped or self.started or self.completed)


_SVC = r"The (?P<name>.+) service"
_NET_PENDING = re.compile(rf"^{_SVC} is (?P<what>starting|stopping)\.*$")
_NET_STOPPED = re.compile(rf"^{_SVC} was stopped successfully\.?$")
_NET_STARTED = re.compile(rf"^{_SVC} was started successfully\.?$")
_NET_STOP_FAILED = re.compile(rf"^{_SVC} could not be stopped\.?$")
_NET_START_FAILED = re.compile(rf"^{_SVC} could not be started\.?$")
_NET_NOT_STARTED = re.compile(rf"^{_SVC} is not started\.?$")
_NET_DEP_HEADER = re.compile(r"^The following services are dependent on the (?P<name>.+) service\.?$")
_NET_DEP_HEADER2 = re.compile(r"^Stopping the (?P<name>.+) service will also stop these services\.?$")
_NET_PROMPT = re.compile(r"^Do you want to continue this operation\?\s*\(Y/N\)\s*\[[YN]\]:?\s*(?P<answer>.*)$", re.I)
_NET_SYSTEM_ERROR = re.compile(r"^System error (?P<n>-?\d+) has occurred\.?$")
_NET_SPECIFIC = re.compile(r"^A service specific error occurred:\s*(?P<n>-?\d+)\.?$")
_NET_HELPMSG = re.compile(r"^More help is available by typing NET HELPMSG (?P<n>\d+)\.?$")
_NET_LIST_HEADER = re.compile(r"^These Windows (?:NT )?services are started:$")
_NET_FIXED = {
    "the requested service has already been started.": "already_started",
    "the service has not been started.": "not_started",
    "the service name is invalid.": "invalid_name",
    "the service is not responding to the control function.": "not_responding",
    "the service is starting or stopping. please try again later.": "pending",
    "the requested pause or stop is not valid for this service.": "invalid_control",
    "no valid response was provided.": "aborted",
}
_NET_NO_ERROR = "the service did not report an error."
_NET_COMPLETED = re.compile(r"^The command completed successfully\.?$")
_NET_SENTENCE_STARTS = ("The ", "A service", "System error", "More help", "Stopping the", "These Windows")
_CONSOLE_WIDTH = 80


_NET_PATTERNS = (
    _NET_PENDING,
    _NET_STOPPED,
    _NET_STARTED,
    _NET_STOP_FAILED,
    _NET_START_FAILED,
    _NET_NOT_STARTED,
    _NET_DEP_HEADER,
    _NET_PROMPT,
    _NET_SYSTEM_ERROR,
    _NET_SPECIFIC,
    _NET_HELPMSG,
    _NET_LIST_HEADER,
    _NET_COMPLETED,
)


def _is_net_message(s: str) -> bool:
    """True for lines net.exe writes itself (as opposed to the text of a system error message)."""
    low = " ".join(s.lower().split())
    return low in _NET_FIXED or low == _NET_NO_ERROR or any(p.match(s) for p in _NET_PATTERNS)


def _unwrap_net(lines: list[str]) -> list[str]:
    """Undo 80-column console wrapping (``...stopped successful`` / ``ly.``) and wrapped progress dots.

    A line that starts like a net message and does not end in ``.`` or ``:`` is joined with the next line
    when only the joined text is a message net.exe prints (so list entries are never merged); a line of only
    dots is appended to the progress line before it.  Output read through a pipe (WinRS) is never wrapped.
    """
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if out and line and set(line) == {"."} and _NET_PENDING.match(out[-1]):
            out[-1] += line
            i += 1
            continue
        while (
            line.startswith(_NET_SENTENCE_STARTS)
            and not line.endswith((".", ":"))
            and not _is_net_message(line)
            and i + 1 < len(lines)
            and lines[i + 1].strip()
        ):
            nxt = lines[i + 1]
            joined = line + nxt if len(line) % _CONSOLE_WIDTH == 0 else line + " " + nxt.lstrip()
            if not _is_net_message(joined):
                break
            line = joined
            i += 1
        out.append(line)
        i += 1
    return out


def _parse_net(text: str | bytes) -> NetResult:
    res = NetResult()
    lines = _unwrap_net(split_lines(text))
    in_deps = False
    deps_started = False
    answer: str | None = None  # reply to the dependants prompt: "y", "n" or "" (not visible / none)
    seen_at_prompt = 0
    failed_idx: int | None = None  # index in res.errors of the last "could not be started/stopped"
    sys_err_idx: int | None = None  # index in res.errors awaiting the system error text line

    def add_condition(code: str) -> None:
        if code not in res.conditions:
            res.conditions.append(code)

    def add_reason(reason: str) -> int:
        if failed_idx is not None:
            name, msg = res.errors[failed_idx]
            res.errors[failed_idx] = (name, f"{msg} {reason}")
            return failed_idx
        res.errors.append((None, reason))
        return len(res.errors) - 1

    for line in lines:
        s = line.strip()
        if in_deps:
            if _NET_DEP_HEADER2.match(s):
                continue
            if not s:
                if deps_started:
                    in_deps = False
                continue
            if not _NET_PROMPT.match(s):
                res.dependants.append(s)
                deps_started = True
                continue
            in_deps = False
        if not s:
            continue
        if sys_err_idx is not None:
            if not _is_net_message(s):
                name, msg = res.errors[sys_err_idx]
                res.errors[sys_err_idx] = (name, f"{msg} {s}")
                if "access is denied" in s.lower():
                    add_condition("access_denied")
                sys_err_idx = None
                continue
            sys_err_idx = None
        low = " ".join(s.lower().split())
        m = _NET_PROMPT.match(s)
        if m:
            res.prompted = True
            answer = m.group("answer").strip()[:1].lower()
            seen_at_prompt = len(res.pending) + len(res.stopped) + len(res.errors)
            continue
        if m := _NET_DEP_HEADER.match(s):
            in_deps, deps_started = True, False
            continue
        if m := _NET_PENDING.match(s):
            res.pending.append(m.group("name"))
            continue
        if m := _NET_STOPPED.match(s):
            res.stopped.append(m.group("name"))
            continue
        if m := _NET_STARTED.match(s):
            res.started.append(m.group("name"))
            continue
        if m := _NET_STOP_FAILED.match(s):
            res.errors.append((m.group("name"), s))
            failed_idx = len(res.errors) - 1
            add_condition("stop_failed")
            continue
        if m := _NET_START_FAILED.match(s):
            res.errors.append((m.group("name"), s))
            failed_idx = len(res.errors) - 1
            add_condition("start_failed")
            continue
        if m := _NET_NOT_STARTED.match(s):
            res.errors.append((m.group("name"), s))
            add_condition("not_started")
            continue
        if low in _NET_FIXED:
            res.errors.append((None, s))
            if _NET_FIXED[low] == "aborted":
                res.aborted = True
            add_condition(_NET_FIXED[low])
            continue
        if low == _NET_NO_ERROR:
            add_reason(s)
            continue
        if m := _NET_SPECIFIC.match(s):
            res.service_specific_error = int(m.group("n"))
            add_reason(s)
            continue
        if m := _NET_SYSTEM_ERROR.match(s):
            res.system_error = int(m.group("n"))
            sys_err_idx = add_reason(s)
            add_condition("access_denied" if res.system_error == 5 else "system_error")
            continue
        if m := _NET_HELPMSG.match(s):
            res.helpmsg.append(int(m.group("n")))
            continue
        if _NET_COMPLETED.match(s):
            res.completed = True
            continue
        res.other.append(s)
    # An explicit N aborts.  Through a pipe the typed answer is not echoed, so with no visible answer the
    # prompt counts as answered Y only if net went on stopping services.
    nothing_after = len(res.pending) + len(res.stopped) + len(res.errors) == seen_at_prompt
    if res.prompted and answer != "y" and (answer == "n" or nothing_after):
        res.aborted = True
    if res.aborted:
        add_condition("aborted")
    return res


def parse_net_stop(text: str | bytes) -> NetResult:
    """Parse ``net stop <service> [/y]`` output (stdout and stderr merged).

    Recognises the dependants list (with or without the 3-space indent and the blank line between the two
    header sentences), the ``(Y/N) [N]:`` prompt (answered or not), "is stopping...." progress, "was stopped
    successfully", "could not be stopped", "is not started" (HELPMSG 3521), "The service is starting or
    stopping" (3533), "The service name is invalid" (2185), ``System error N has occurred.`` with its text
    line (5 = access denied) and ``More help ... NET HELPMSG N``.  80-column console wraps are undone.
    """
    return _parse_net(text)


def parse_net_start(text: str | bytes) -> NetResult:
    """Parse ``net start <service>`` output (stdout and stderr merged).

    Recognises "is starting...." progress, "was started successfully", "has already been started" (2182),
    "could not be started" followed by its reason: "The service did not report an error." (3534), "A service
    specific error occurred: N." (3547, ``service_specific_error``) or ``System error N has occurred.`` + text
    (``system_error``), and "The service name is invalid" (2185).  The reason is appended to the error
    message of the failed service.
    """
    return _parse_net(text)


def parse_net_start_list(text: str | bytes) -> list[str]:
    """Display names listed by ``net start`` without arguments, in the order printed.

    Accepts the NT 4 header ``These Windows NT services are started:`` and the 2000+ header ``These Windows
    services are started:``.  Raises :class:`ParseError` when no header is present (an error message,
    empty output), so that a failure is never mistaken for "nothing is running".
    """
    lines = split_lines(text)
    start = None
    for i, line in enumerate(lines):
        if _NET_LIST_HEADER.match(line.strip()):
            start = i + 1
            break
    if start is None:
        err, code = _first_error_line(lines)
        raise ParseError(f"no 'net start' service list in output{f' ({code}: {err})' if err else ''}")
    names = []
    for line in lines[start:]:
        s = line.strip()
        if not s:
            continue
        if _NET_COMPLETED.match(s) or s.lower().startswith("the command completed"):
            break
        names.append(s)
    return names


# ------------------------------------------------------------------------------------------- sc


@dataclass
class ScStatus:
    """One service from ``sc query`` / ``sc queryex``, or the error sc printed instead.

    ``type`` and ``state`` are the numbers (sc prints them in hex), the ``*_name`` fields the symbolic names.
    ``error_code`` is the Win32 error of ``[SC] ... FAILED <n>:`` (1060 = no such service, 5 = access
    denied) with ``error_message`` the text line after it; for other failures (sc.exe not installed)
    ``error_code`` is ``None`` and ``error_message`` holds the text.
    """

    name: str | None = None
    display_name: str | None = None
    type: int | None = None
    type_name: str | None = None
    state: int | None = None
    state_name: str | None = None
    controls: list[str] = field(default_factory=list)
    win32_exit_code: int | None = None
    service_exit_code: int | None = None
    checkpoint: int | None = None
    wait_hint: int | None = None
    pid: int | None = None
    error_code: int | None = None
    error_message: str | None = None
    error_api: str | None = None

    @property
    def exists(self) -> bool | None:
        """True if sc reported the service, False for error 1060, None if unknown."""
        if self.error_code == 1060:
            return False
        if self.name is not None and self.state is not None:
            return True
        return None

    @property
    def running(self) -> bool:
        return self.state == 4

    @property
    def stopped(self) -> bool:
        return self.state == 1

    @property
    def pending(self) -> bool:
        return self.state in (2, 3, 5, 6)


@dataclass
class ScConfig:
    """``sc qc <service>``: configuration of one service, or the error sc printed instead.

    ``dependencies`` lists every name of the DEPENDENCIES field including continuation lines (group names
    keep their ``+`` prefix).  ``header`` is ``GetServiceConfig`` (XP/2003) or ``QueryServiceConfig``
    (Vista+).
    """

    name: str | None = None
    type: int | None = None
    type_name: str | None = None
    start_type: int | None = None
    start_type_name: str | None = None
    error_control: int | None = None
    error_control_name: str | None = None
    binary_path: str | None = None
    load_order_group: str | None = None
    tag: int | None = None
    display_name: str | None = None
    dependencies: list[str] = field(default_factory=list)
    service_start_name: str | None = None
    header: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    error_api: str | None = None

    @property
    def exists(self) -> bool | None:
        if self.error_code == 1060:
            return False
        if self.name is not None:
            return True
        return None


_SC_HEADER = re.compile(r"^\[SC\]\s+(?P<api>\S+)\s+(?:FAILED\s+(?P<code>\d+):?|SUCCESS)\s*$", re.I)
_SC_FIELD = re.compile(r"^\s*(?P<key>[A-Z][A-Z0-9_]*)\s*:\s?(?P<value>.*)$")
_SC_CONT = re.compile(r"^\s+:\s?(?P<value>.*)$")
_SC_CONTROLS = re.compile(r"^\s+\((?P<flags>[A-Z_, ]*)\)$")


def _num_name(value: str, base: int) -> tuple[int | None, str | None]:
    """``"20  WIN32_SHARE_PROCESS"`` -> (0x20, "WIN32_SHARE_PROCESS")."""
    parts = value.split(None, 1)
    if not parts:
        return None, None
    try:
        number = int(parts[0], base)
    except ValueError:
        return None, value.strip() or None
    return number, parts[1].strip() if len(parts) > 1 else None


def _exit_code(value: str) -> int | None:
    """``"1066  (0x42a)"`` -> 1066 (decimal first, the hex in parentheses as fallback)."""
    m = re.match(r"^\s*(-?\d+)", value)
    if m:
        return int(m.group(1))
    m = re.search(r"0x([0-9A-Fa-f]+)", value)
    return int(m.group(1), 16) if m else None


def _hex(value: str) -> int | None:
    value = value.strip()
    try:
        return int(value, 16) if value.lower().startswith("0x") else int(value)
    except ValueError:
        return None


def _sc_error(lines: list[str], i: int, target: ScStatus | ScConfig, api: str, code: str) -> None:
    target.error_api = api
    target.error_code = int(code)
    for nxt in lines[i + 1 :]:
        if nxt.strip():
            target.error_message = nxt.strip()
            break


def parse_sc_query_all(text: str | bytes) -> list[ScStatus]:
    """Every service block of ``sc query`` / ``sc queryex`` output (several when no name was given).

    Without any block the result is one :class:`ScStatus` carrying the error (``[SC] OpenService FAILED
    1060:`` and the XP+ ``[SC] EnumQueryServicesStatus:OpenService FAILED 1060:`` alike), or an empty list
    for empty output.
    """
    lines = split_lines(text)
    services: list[ScStatus] = []
    error = ScStatus()
    cur: ScStatus | None = None
    last_key = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        m = _SC_HEADER.match(s)
        if m:
            if m.group("code"):
                _sc_error(lines, i, error, m.group("api"), m.group("code"))
            continue
        if s.startswith("SERVICE_NAME:"):
            cur = ScStatus(name=s.split(":", 1)[1].strip())
            services.append(cur)
            last_key = None
            continue
        if cur is None:
            continue
        if s.startswith("DISPLAY_NAME:") and not line.startswith(" "):
            cur.display_name = s.split(":", 1)[1].strip()
            continue
        m = _SC_CONTROLS.match(line)
        if m and last_key == "STATE":
            cur.controls = [f.strip() for f in m.group("flags").split(",") if f.strip()]
            continue
        m = _SC_FIELD.match(line)
        if not m:
            continue
        key, value = m.group("key"), m.group("value").strip()
        last_key = key
        if key == "TYPE":
            cur.type, cur.type_name = _num_name(value, 16)
        elif key == "STATE":
            cur.state, cur.state_name = _num_name(value, 16)
        elif key == "WIN32_EXIT_CODE":
            cur.win32_exit_code = _exit_code(value)
        elif key == "SERVICE_EXIT_CODE":
            cur.service_exit_code = _exit_code(value)
        elif key == "CHECKPOINT":
            cur.checkpoint = _hex(value)
        elif key == "WAIT_HINT":
            cur.wait_hint = _hex(value)
        elif key == "PID":
            cur.pid = _exit_code(value)
        elif key == "DISPLAY_NAME":
            cur.display_name = value
    if services:
        return services
    if error.error_code is not None:
        return [error]
    nonblank = _nonblank(lines)
    if nonblank:
        error.error_message = nonblank[0].strip()
        return [error]
    return []


def parse_sc_query(text: str | bytes) -> ScStatus:
    """The first service of ``sc query <service>`` output, or an :class:`ScStatus` describing the error.

    ``result.exists`` is False for ``OpenService FAILED 1060`` (both wordings), ``result.error_code`` holds
    the Win32 error, ``result.error_message`` the text (also "... is not recognized as an internal or
    external command" when sc.exe is missing, see :func:`classify_error`).
    """
    found = parse_sc_query_all(text)
    return found[0] if found else ScStatus(error_message="no output")


def parse_sc_qc(text: str | bytes) -> ScConfig:
    """Parse ``sc qc <service>``: both ``[SC] GetServiceConfig SUCCESS`` and ``[SC] QueryServiceConfig
    SUCCESS`` headers, DEPENDENCIES continuation lines (``<27 spaces>: name``), and the ``OpenService
    FAILED <n>:`` error forms.
    """
    lines = split_lines(text)
    cfg = ScConfig()
    last_key = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        m = _SC_HEADER.match(s)
        if m:
            if m.group("code"):
                _sc_error(lines, i, cfg, m.group("api"), m.group("code"))
            else:
                cfg.header = m.group("api")
            continue
        if s.startswith("SERVICE_NAME:"):
            cfg.name = s.split(":", 1)[1].strip()
            last_key = None
            continue
        m = _SC_CONT.match(line)
        if m and last_key == "DEPENDENCIES":
            if m.group("value").strip():
                cfg.dependencies.append(m.group("value").strip())
            continue
        m = _SC_FIELD.match(line)
        if not m or cfg.name is None:
            continue
        key, value = m.group("key"), m.group("value").strip()
        last_key = key
        if key == "TYPE":
            cfg.type, cfg.type_name = _num_name(value, 16)
        elif key == "START_TYPE":
            cfg.start_type, cfg.start_type_name = _num_name(value, 16)
        elif key == "ERROR_CONTROL":
            cfg.error_control, cfg.error_control_name = _num_name(value, 16)
        elif key == "BINARY_PATH_NAME":
            cfg.binary_path = value
        elif key == "LOAD_ORDER_GROUP":
            cfg.load_order_group = value
        elif key == "TAG":
            cfg.tag = _exit_code(value)
        elif key == "DISPLAY_NAME":
            cfg.display_name = value
        elif key == "DEPENDENCIES":
            if value:
                cfg.dependencies.append(value)
        elif key == "SERVICE_START_NAME":
            cfg.service_start_name = value
    if cfg.name is None and cfg.error_code is None:
        nonblank = _nonblank(lines)
        if nonblank:
            cfg.error_message = nonblank[0].strip()
    return cfg


# ------------------------------------------------------------------------------------------- adsutil

#: adsutil's exit code when GET finds the property only inherited or unset (0x80005006, signed).
ADSI_NOT_SET = -2147463162

_BANNER = re.compile(r"^Microsoft \(R\) Windows Script(?:ing)? Host", re.I)
_COPYRIGHT = re.compile(r"^Copyright \(C\) Microsoft", re.I)


def strip_cscript_banner(lines: list[str]) -> list[str]:
    """Drop a leading cscript logo (``Microsoft (R) Windows Script Host Version ...`` or the WSH 1.0
    ``Microsoft (R) Windows Scripting Host ...``, the copyright line and the blank line after them)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and _BANNER.match(lines[i].strip()):
        i += 1
        while i < len(lines) and _COPYRIGHT.match(lines[i].strip()):
            i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        return lines[i:]
    return lines


@dataclass
class AdsValue:
    """One metabase property as adsutil printed it.

    ``type``: upper-case syntax ``STRING``, ``EXPANDSZ``, ``INTEGER``, ``BOOLEAN``, ``LIST``,
    ``MIMEMAPLIST`` or whatever else was printed (IIS 4 TypeNames are mapped: ``String`` -> ``STRING``,
    ``Integer``/``Long`` -> ``INTEGER``, ``Boolean`` -> ``BOOLEAN``, ``Variant()`` -> ``LIST``).
    ``value``: ``str`` (quotes removed), ``int``, ``bool`` or ``list[str]``; the text as printed if it did
    not convert.  ``raw``: the text after the type.
    """

    type: str
    value: str | int | bool | list[str]
    raw: str = ""


_ADS_PROP = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*\((?P<type>[A-Za-z]+(?:\(\))?)\)\s?(?P<value>.*)$")
_ADS_ITEM = re.compile(r'^\s+"(?P<item>.*)"$')
_ADS_COUNT = re.compile(r"^\((?P<n>\d+) Items?\)$", re.I)
_ADS_CHILD = re.compile(r"^\[(?P<path>/[^\]]*)\]$")
_TYPE_ALIASES = {
    "STRING": "STRING",
    "EXPANDSZ": "EXPANDSZ",
    "INTEGER": "INTEGER",
    "LONG": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "LIST": "LIST",
    "VARIANT()": "LIST",
    "MIMEMAPLIST": "MIMEMAPLIST",
}


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return raw[1:-1]
    return raw


def _convert(type_: str, raw: str) -> str | int | bool | list[str]:
    raw = raw.strip()
    if type_ in ("STRING", "EXPANDSZ"):
        return _unquote(raw)
    if type_ == "INTEGER":
        try:
            return int(raw)
        except ValueError:
            return raw
    if type_ == "BOOLEAN":
        low = raw.lower()
        if low in ("true", "-1", "1"):
            return True
        if low in ("false", "0"):
            return False
        return raw
    if type_ in ("LIST", "MIMEMAPLIST"):
        return re.findall(r'"([^"]*)"', raw)
    return _unquote(raw)


def _ads_blocks(text: str | bytes) -> list[tuple[str | None, dict[str, AdsValue]]]:
    """Property blocks in order: (bracketed path or None for the leading block, properties)."""
    lines = strip_cscript_banner(split_lines(text))
    blocks: list[tuple[str | None, dict[str, AdsValue]]] = [(None, {})]
    list_items: list[str] | None = None
    list_left: int | None = None
    for line in lines:
        if list_items is not None:
            m = _ADS_ITEM.match(line)
            if m and (list_left is None or list_left > 0):
                list_items.append(m.group("item"))
                if list_left is not None:
                    list_left -= 1
                continue
            list_items, list_left = None, None
        s = line.strip()
        if not s:
            continue
        m = _ADS_CHILD.match(s)
        if m:
            blocks.append((m.group("path"), {}))
            continue
        m = _ADS_PROP.match(line)
        if not m:
            continue
        type_ = _TYPE_ALIASES.get(m.group("type").upper(), m.group("type").upper())
        raw = m.group("value").strip()
        if type_ == "LIST":
            count = _ADS_COUNT.match(raw)
            if count or not raw:
                list_items = []
                value = AdsValue(type_, list_items, raw)
                list_left = int(count.group("n")) if count else None
            else:
                value = AdsValue(type_, _convert(type_, raw), raw)
        else:
            value = AdsValue(type_, _convert(type_, raw), raw)
        blocks[-1][1][m.group("name")] = value
    return blocks


def parse_adsutil_properties(text: str | bytes) -> dict[str, AdsValue]:
    """Properties printed by adsutil GET / SET / ENUM, keyed by name (order kept; bracketed child lines and
    everything after them are not included).

    Accepted formats:

    * IIS 5 revision, name padded to 32 columns: ``AppIsolated<pad>: (INTEGER) 1``, ``Path<pad>: (STRING)
      "C:\\InetPub"``, ``AccessRead<pad>: (BOOLEAN) True``, ``(EXPANDSZ) "..."``, lists
      ``ServerBindings<pad>: (LIST)  (1 Items)`` followed by item lines ``  ":80:"`` (GET has two spaces
      after ``(LIST)``, ENUM one), secure strings ``Name<pad> : (STRING)"**********"``, names of 32+
      characters with the VBScript TypeName (``(Long)``), and ``MimeMap : (MimeMapList) ".a,b" ".c,d"``;
    * IIS 4 era: ``KeyType               :(String)  "IISFilters"``, ``FilterState           :(Integer) 1``.

    A cscript logo is skipped; other lines (errors, ``DataType ... Not Yet Supported``, warnings) are ignored.
    """
    return _ads_blocks(text)[0][1]


def parse_adsutil_enum(text: str | bytes) -> tuple[dict[str, AdsValue], list[str]]:
    """``adsutil ENUM <path>`` (or ``ENUM /P``): the node's own properties and its child keys.

    Children are the bracketed lines, returned as printed, e.g. ``/W3SVC/1/ROOT/Shop`` (case as stored in the
    metabase: ``ROOT`` and ``Root`` both occur).
    """
    blocks = _ads_blocks(text)
    return blocks[0][1], [block[0] for block in blocks[1:] if block[0] is not None]


def _ads_key(path: str) -> str:
    """``W3SVC``, ``/LM/W3SVC/``, ``w3svc\\1`` -> ``/W3SVC``, ``/W3SVC``, ``/w3svc/1`` (case kept)."""
    key = path.replace("\\", "/").strip().strip("/")
    if key.upper() == "LM":
        key = ""
    elif key.upper().startswith("LM/"):
        key = key[3:]
    return "/" + key


def parse_adsutil_enum_all(text: str | bytes, path: str = "W3SVC") -> dict[str, dict[str, AdsValue]]:
    """``adsutil ENUM_ALL <path>``: ``{key path: {property: AdsValue}}`` for the node and every key below it.

    adsutil.vbs prints the requested node's properties with no header, then for each child a bracketed header
    ``[/W3SVC/1]`` immediately followed by that child's properties and, recursively, its own children (a
    header followed directly by another header is a key with no properties of its own).  The requested node
    comes first under ``path`` normalised the same way (``W3SVC`` -> ``/W3SVC``); the other keys are the
    header paths as printed.  Blank lines (adsutil prints one after each list and at the end of every node)
    carry no structure.
    """
    blocks = _ads_blocks(text)
    result: dict[str, dict[str, AdsValue]] = {_ads_key(path): blocks[0][1]}
    for key, props in blocks[1:]:
        if key is None:
            continue
        result.setdefault(key, {}).update(props)
    return result


@dataclass
class AdsError:
    """An adsutil.vbs failure.

    ``kind``: ``path_not_found`` (0x80070003), ``access_denied`` (0x80070005), ``path_in_use`` (0x80070094),
    ``invalid_path`` (0x800401E4, a path ADSI cannot parse), ``not_set`` (property only inherited or unset:
    "is not set at this node", 0x80005006), ``unknown_property`` (schema lookup failed), ``not_allowed``
    (``(Get Method Failed) X``: the property is not allowed at this node; ``path`` is the property),
    ``command_not_recognized``, ``wrong_args``, ``wscript`` (run under wscript.exe), or ``error``.
    ``message``: the description line; ``err_number``: the signed number of the ``ErrNumber:`` line;
    ``context``: the ``Error trying to ...`` line; ``path``: the path (or property, or command) it names;
    ``continued``: adsutil printed ``Continuing...`` (a non-fatal ENUM error).
    """

    kind: str
    message: str
    err_number: int | None = None
    context: str | None = None
    path: str | None = None
    continued: bool = False

    @property
    def hresult(self) -> int | None:
        """``err_number`` as an unsigned 32-bit HRESULT (``0x80070003``)."""
        return None if self.err_number is None else self.err_number & 0xFFFFFFFF


_ADS_ERRNUMBER = re.compile(r"^ErrNumber:\s*(?P<n>-?\d+)(?:\s*\(0x(?P<hex>[0-9A-Fa-f]+)\))?")
_ADS_NOT_SET = re.compile(r'^The parameter "(?P<name>[^"]*)" is not set at this node\.?$', re.I)
_ADS_NOT_RECOGNIZED = re.compile(r"^Command not recognized:\s*(?P<cmd>.*)$", re.I)
_ADS_GET_FAILED = re.compile(r"\(Get Method Failed\)\s*(?P<name>\S+)$")
_ADS_CONTEXT = re.compile(r"^Error (?:trying|Trying) (?:to|To) .*?:\s*(?P<path>.*)$")
_ADS_KINDS = {
    0x80070003: "path_not_found",
    0x80070005: "access_denied",
    0x80070094: "path_in_use",
    0x800401E4: "invalid_path",
    0x80005006: "not_set",
}


def parse_adsutil_error(text: str | bytes) -> AdsError | None:
    """The first error adsutil.vbs reported in ``text``, or ``None``.

    Recognises ReportError pairs (description line + ``ErrNumber: <n> (0x<hex>)``; ``ErrNumber: 0`` lines,
    printed for unsupported data types in ENUM, are not errors) with the ``Error trying to ...: <path>`` line
    after them (GET/ENUM/APPUNLOAD/APPCREATE/...), ``The parameter "X" is not set at this node.``,
    ``Command not recognized: X``, ``Error: Wrong number of Args ...`` and the WScript warning.
    """
    lines = [line.strip() for line in strip_cscript_banner(split_lines(text))]
    for i, s in enumerate(lines):
        m = _ADS_ERRNUMBER.match(s)
        if m:
            number = int(m.group("n"))
            if number == 0:
                continue
            message = lines[i - 1] if i > 0 else ""
            context = path = None
            continued = False
            for nxt in lines[i + 1 : i + 6]:
                if not nxt:
                    continue
                if context is None and (cm := _ADS_CONTEXT.match(nxt)):
                    context, path = nxt, cm.group("path").strip() or None
                    continue
                if nxt.startswith("Continuing"):
                    continued = True
                    break
                if context is not None and not nxt.startswith(("Last Property Name", "PropertyObjPath")):
                    break
            hresult = number & 0xFFFFFFFF
            kind = _ADS_KINDS.get(hresult, "error")
            if kind == "error" and context and "schema of the property" in context.lower():
                kind = "unknown_property"
            elif context and (gm := _ADS_GET_FAILED.search(context)):
                kind, path = "not_allowed", gm.group("name")
            return AdsError(kind, message, number, context, path, continued)
        if m := _ADS_NOT_SET.match(s):
            return AdsError("not_set", s, ADSI_NOT_SET, None, m.group("name"))
        if m := _ADS_NOT_RECOGNIZED.match(s):
            return AdsError("command_not_recognized", s, None, None, m.group("cmd").strip())
        if s.startswith(("Error: Wrong number of Args", "Error: Invalid arguments")):
            return AdsError("wrong_args", s)
        if s.startswith("This script does not work with WScript"):
            return AdsError("wscript", s)
    for s in lines:
        if m := _ADS_CONTEXT.match(s):
            return AdsError("error", s, None, s, m.group("path").strip() or None)
    return None


@dataclass
class AppResult:
    """Result of adsutil APPCREATEINPROC / APPCREATEOUTPROC / APPDELETE / APPUNLOAD / APPDISABLE / APPENABLE /
    APPGETSTATUS.

    ``action``: ``created``, ``deleted``, ``unloaded``, ``disabled``, ``enabled`` or ``status``; ``status``:
    the APPGETSTATUS number with ``status_name`` ``stopped`` (0), ``running`` (1), ``not_defined`` (2).
    """

    action: str | None = None
    status: int | None = None
    error: AdsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.action is not None

    @property
    def status_name(self) -> str | None:
        return {0: "stopped", 1: "running", 2: "not_defined"}.get(self.status) if self.status is not None else None


_APP_DONE = re.compile(r"^Application (?P<what>Created|Deleted|Unloaded|Disabled|Enabled)\.?$", re.I)
_APP_STATUS = re.compile(r"^Application Status:\s*(?P<n>-?\d+)$", re.I)


def parse_adsutil_app_result(text: str | bytes) -> AppResult:
    """Parse the output of an adsutil APP* command (``Application Unloaded.``, ``Application Status: 1``, or
    an error such as ``Error trying to UNLOAD the application: W3SVC/1/Root/Shop``)."""
    res = AppResult()
    for line in strip_cscript_banner(split_lines(text)):
        s = line.strip()
        if m := _APP_DONE.match(s):
            res.action = m.group("what").lower()
        elif m := _APP_STATUS.match(s):
            res.action, res.status = "status", int(m.group("n"))
    res.error = parse_adsutil_error(text)
    return res


# ------------------------------------------------------------------------------------------- fc


@dataclass
class FcResult:
    """``fc /b a b`` (or text-mode fc).

    ``identical``: True ("no differences encountered"), False (differing bytes, a longer file, text
    difference blocks or "Resync failed"), None (error or unrecognised output).  ``differences``: number of
    differing-byte lines (``00000010: 4D 5A``) or text difference blocks.  ``longer``: the file named in
    ``FC: X longer than Y``.  ``error``: the fc error line (``FC: cannot open X - No such file or folder``)
    with ``error_code`` from :func:`classify_error` or ``fc_error``.
    """

    identical: bool | None = None
    files: tuple[str, str] | None = None
    differences: int = 0
    longer: str | None = None
    error: str | None = None
    error_code: str | None = None


_FC_COMPARING = re.compile(r"^Comparing files (?P<a>.+?) and (?P<b>.+)$", re.I)
_FC_SAME = re.compile(r"^FC: no differences? encountered\.?$", re.I)
_FC_BYTE = re.compile(r"^[0-9A-Fa-f]{8}:\s+[0-9A-Fa-f]{2}\s+[0-9A-Fa-f]{2}$")
_FC_LONGER = re.compile(r"^FC: (?P<a>.+?) longer than (?P<b>.+?)\.?$", re.I)
_FC_RESYNC = re.compile(r"^(?:FC: )?Resync failed", re.I)


def parse_fc(text: str | bytes) -> FcResult:
    """Parse fc output (binary ``/b`` or text mode), NT 4 and later wordings."""
    res = FcResult()
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _FC_COMPARING.match(s):
            res.files = (m.group("a"), m.group("b"))
        elif _FC_SAME.match(s):
            res.identical = True
        elif _FC_BYTE.match(s):
            res.differences += 1
            res.identical = False
        elif m := _FC_LONGER.match(s):
            res.longer = m.group("a")
            res.identical = False
        elif _FC_RESYNC.match(s):
            res.identical = False
        elif s.startswith("*****") and s != "*****":
            res.differences += 1  # "***** name" opens a block in each file: two per difference
            res.identical = False
        elif s.upper().startswith("FC:") and res.error is None:
            res.error = s
            res.error_code = classify_error(s) or "fc_error"
            res.identical = None
    if res.error is None and res.differences and not any(_FC_BYTE.match(x.strip()) for x in split_lines(text)):
        res.differences //= 2
    return res


# ------------------------------------------------------------------------------------------- copy/move/ren/del


@dataclass
class CopyResult:
    """``copy``: ``copied`` is the count of ``N file(s) copied.`` (None if absent), ``error`` the first
    Windows message (``error_code`` from :func:`classify_error`), ``prompted`` an ``Overwrite ...?`` prompt
    (``/y`` missing).  ``ok`` requires at least one file copied and no error."""

    copied: int | None = None
    error: str | None = None
    error_code: str | None = None
    prompted: bool = False
    other: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.prompted and bool(self.copied)


@dataclass
class FileOpResult:
    """``move`` / ``ren`` / ``del``: these print nothing on success (Vista+ ``move`` prints ``N file(s)
    moved.``, kept in ``count``).  ``error`` / ``error_code``: the first Windows message; ``paths``: for
    ``del``, the files named by ``Could Not Find <path>`` or printed before an error message."""

    error: str | None = None
    error_code: str | None = None
    count: int | None = None
    paths: list[str] = field(default_factory=list)
    prompted: bool = False
    other: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None and not self.prompted


_COPIED = re.compile(r"^(?P<n>\d+)\s+file\(s\)\s+copied\.?$", re.I)
_MOVED = re.compile(r"^(?P<n>\d+)\s+file\(s\)\s+moved\.?$", re.I)
_OVERWRITE = re.compile(r"^Overwrite .*\?\s*\((?:Yes/No/All|Yes/No)\)", re.I)
_COULD_NOT_FIND = re.compile(r"^Could Not Find (?P<path>.+)$", re.I)


def parse_copy(text: str | bytes) -> CopyResult:
    """Parse ``copy`` output: ``        1 file(s) copied.`` (NT 4 may capitalise ``File(s)``), sharing violation,
    access denied, disk full, path or file not found, "cannot be copied onto itself", the overwrite prompt."""
    res = CopyResult()
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _COPIED.match(s):
            res.copied = int(m.group("n"))
        elif _OVERWRITE.match(s):
            res.prompted = True
        elif (code := classify_error(s)) is not None:
            if res.error is None:
                res.error, res.error_code = s, code
        else:
            res.other.append(s)
    return res


def _file_op(text: str | bytes, count_re: re.Pattern[str] | None) -> FileOpResult:
    res = FileOpResult()
    previous: str | None = None
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if count_re is not None and (m := count_re.match(s)):
            res.count = int(m.group("n"))
        elif _OVERWRITE.match(s):
            res.prompted = True
        elif m := _COULD_NOT_FIND.match(s):
            res.paths.append(m.group("path").strip())
            if res.error is None:
                res.error, res.error_code = s, "not_found"
        elif (code := classify_error(s)) is not None:
            if previous is not None and re.match(r"^(?:[A-Za-z]:\\|\\\\)", previous):
                res.paths.append(previous)
                if previous in res.other:
                    res.other.remove(previous)
            if res.error is None:
                res.error, res.error_code = s, code
        else:
            res.other.append(s)
        previous = s
    return res


def parse_move(text: str | bytes) -> FileOpResult:
    """Parse ``move`` output: nothing or ``N file(s) moved.`` on success, else a Windows message."""
    return _file_op(text, _MOVED)


def parse_ren(text: str | bytes) -> FileOpResult:
    """Parse ``ren`` output: nothing on success; ``A duplicate file name exists, or the file cannot be found.``
    (``duplicate_or_not_found``), access denied, sharing violation, syntax errors otherwise."""
    return _file_op(text, None)


def parse_del(text: str | bytes) -> FileOpResult:
    """Parse ``del`` output: nothing on success; ``Could Not Find C:\\path`` (``not_found``); a locked or
    protected file as its full path followed by the sharing-violation / ``Access is denied.`` line."""
    return _file_op(text, None)


# ------------------------------------------------------------------------------------------- dir


@dataclass
class DirEntry:
    """One file or directory line of ``dir``.

    ``size`` is None for directories; ``date`` / ``time`` are the raw strings; ``mtime`` the parsed
    timestamp (naive local time, None if the format was not understood: the date order follows the host's
    locale, taken as month/day for ``/`` and ``-`` and as day.month for ``.``; two-digit years 80-99 are
    19xx).  ``tag`` is ``<DIR>`` (or ``<JUNCTION>`` ...) for directory-like entries.
    """

    name: str
    size: int | None
    is_dir: bool
    date: str
    time: str
    mtime: datetime | None = None
    directory: str | None = None
    tag: str | None = None


@dataclass
class DirListing:
    """All of a ``dir`` output: entries (``.`` and ``..`` left out), the ``Directory of`` paths, the summary
    numbers, and ``error`` / ``error_code`` (``File Not Found``, path not found, ...)."""

    entries: list[DirEntry] = field(default_factory=list)
    directories: list[str] = field(default_factory=list)
    file_count: int | None = None
    total_bytes: int | None = None
    bytes_free: int | None = None
    error: str | None = None
    error_code: str | None = None


_DIR_LINE = re.compile(
    r"^(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp][Mm]?)?)\s+"
    r"(?:(?P<tag><[A-Z]+>)|(?P<size>\d[\d,.]*))\s+(?P<name>.+)$"
)
_DIR_OF = re.compile(r"^Directory of (?P<path>.+)$", re.I)
_DIR_FILES = re.compile(r"^(?P<n>[\d,.]+) File\(s\)\s+(?P<bytes>[\d,.]+) bytes$", re.I)
_DIR_FREE = re.compile(r"^(?:(?P<n>[\d,.]+) Dir\(s\)\s+)?(?P<bytes>[\d,.]+) bytes free$", re.I)


def _digits(value: str) -> int:
    return int(re.sub(r"[^\d]", "", value))


def _dir_mtime(date: str, time: str) -> datetime | None:
    parts = re.split(r"[/.-]", date)
    try:
        a, b, c = (int(p) for p in parts)
        if len(parts[0]) == 4:  # ISO-like yyyy-mm-dd
            year, month, day = a, b, c
        elif "." in date:
            day, month, year = a, b, c
        else:
            month, day, year = a, b, c
        if year < 100:
            year += 1900 if year >= 80 else 2000
        t = time.strip().upper()
        ampm = None
        if t.endswith(("A", "AM", "P", "PM")):
            ampm = "P" if "P" in t else "A"
            t = t.rstrip("APM").strip()
        hms = [int(x) for x in t.split(":")]
        hour, minute = hms[0], hms[1]
        second = hms[2] if len(hms) > 2 else 0
        if ampm == "A" and hour == 12:
            hour = 0
        elif ampm == "P" and hour != 12:
            hour += 12
        return datetime(year, month, day, hour, minute, second)
    except (ValueError, IndexError):
        return None


def parse_dir_listing(text: str | bytes) -> DirListing:
    """Parse ``dir`` output in the NT 4 layout (``09/09/98  08:22p        12,994,248 x.dll``) and the later
    one (``09/09/2012  08:22 PM        12,994,248 x.dll``), with or without thousands separators, ``<DIR>``
    lines, the volume header, ``Directory of`` lines (``dir /s``), and both summary styles (NT 4 prints
    ``N bytes free`` on a line of its own, later versions ``N Dir(s)  N bytes free``)."""
    res = DirListing()
    directory: str | None = None
    for line in split_lines(text):
        s = line.strip()
        if not s:
            continue
        if m := _DIR_LINE.match(s):
            tag = m.group("tag")
            name = m.group("name")
            if tag and name in (".", ".."):
                continue
            res.entries.append(
                DirEntry(
                    name=name,
                    size=None if tag else _digits(m.group("size")),
                    is_dir=tag is not None and tag not in ("<SYMLINK>",),
                    date=m.group("date"),
                    time=m.group("time"),
                    mtime=_dir_mtime(m.group("date"), m.group("time")),
                    directory=directory,
                    tag=tag,
                )
            )
        elif m := _DIR_OF.match(s):
            directory = m.group("path").strip()
            res.directories.append(directory)
        elif m := _DIR_FILES.match(s):
            res.file_count, res.total_bytes = _digits(m.group("n")), _digits(m.group("bytes"))
        elif m := _DIR_FREE.match(s):
            res.bytes_free = _digits(m.group("bytes"))
        elif s.lower().startswith(("volume in drive", "volume serial number", "total files listed")):
            continue
        elif res.error is None and (code := classify_error(s)) is not None:
            res.error, res.error_code = s, code
    return res


def parse_dir(text: str | bytes) -> list[DirEntry]:
    """The file and directory entries of ``dir`` output (see :func:`parse_dir_listing`)."""
    return parse_dir_listing(text).entries


# ------------------------------------------------------------------------------------------- regsvr32

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

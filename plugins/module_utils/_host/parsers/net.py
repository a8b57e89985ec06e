# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for ``net start`` / ``net stop`` (net.exe, NT 4.0 and later wordings).

Facts relied on:

* net.exe names services by display name in its messages (``The World Wide Web Publishing Service service
  was stopped successfully.``); mapping display names to service keys is the caller's business.
* Error text goes to stderr and is expected merged into stdout (``2>&1``) so it stays in its section.
* ``net stop X`` with running dependants lists them and asks ``Do you want to continue this operation?
  (Y/N) [N]:``; read through a pipe the typed answer is not echoed.
* On an 80-column console long messages and progress dots wrap; output read through a pipe never does.
* ``net start`` with no argument lists the running services under ``These Windows NT services are
  started:`` (NT 4) or ``These Windows services are started:`` (2000+).

Nothing here raises on unexpected text except :func:`parse_net_start_list`, whose empty result would
otherwise be indistinguishable from "no service running"; unknown lines are kept in ``NetResult.other``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .common import ParseError, classify_error, split_lines

__all__ = [
    "NetResult",
    "parse_net_start",
    "parse_net_start_list",
    "parse_net_stop",
]


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
    # NERR 2189: the service refused the control in its present state (a 2003 capture of net stop http /y).
    "the service could not be controlled in its present state.": "cannot_control",
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
    stopping" (3533), "could not be controlled in its present state" (2189), "The service name is invalid" (2185),
    ``System error N has occurred.`` with its text line (5 = access denied) and ``More help ... NET HELPMSG N``.
    80-column console wraps are undone.
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


def _first_error_line(lines: list[str]) -> tuple[str | None, str | None]:
    for line in lines:
        code = classify_error(line)
        if code:
            return line.strip(), code
    return None, None


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

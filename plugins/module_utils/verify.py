# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prove an update from the outside: fetch a page of the application and look for the new version in it.

The request goes from where the logic runs (the controller, through the action plugin), as a user's browser
would reach the site, not from the IIS host.  :func:`judge` is pure (status and body in, verdict out);
:func:`verify_url` adds the retries and the HTTP client (``ansible.module_utils.urls``, which honours the
usual proxy environment and CA settings), both replaceable in tests.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ._host.bindings import binding_base_url
from .errors import InputError

#: How much of a page body a result keeps (enough for a version line, small enough for AWX job events).
BODY_KEPT = 2048


@dataclass(frozen=True)
class Check:
    """One page to check: what it must answer."""

    url: str
    expect: str | None = None
    statuses: tuple[int, ...] = (200,)

    @classmethod
    def make(cls, url: str, expect: str | None, statuses: Sequence[int]) -> Check:
        """Check the inputs before anything on the host is touched.  Raises InputError."""
        if not re.match(r"(?i)^https?://[^/\s]+", url or "") and not _is_path(url):
            raise InputError("verify_url", f"{url!r} is neither an http:// or https:// URL nor a path (/...)")
        if expect:
            try:
                re.compile(expect)
            except re.error as exc:
                raise InputError("verify_expect", f"{expect!r} is not a regular expression ({exc})") from None
        codes = tuple(int(s) for s in statuses or (200,))
        if any(not 100 <= c <= 599 for c in codes):
            raise InputError("verify_status", f"{list(codes)} are not all HTTP status codes")
        return cls(url=url, expect=expect or None, statuses=codes)

    def on_site(self, bindings: Sequence[Mapping[str, Any]] | None, host: str) -> Check:
        """A check of a path (``/Shop/``) as a check of that path on the site's binding the run read (``bindings``
        of its result), with ``host`` for a binding on every address; ``http://host`` without one.  A URL is
        kept as it is."""
        if not _is_path(self.url):
            return self
        base = binding_base_url(bindings, host) or f"http://{host}"
        return replace(self, url=base + self.url)


def _is_path(url: str | None) -> bool:
    return bool(re.match(r"^/[^/\s]", url or "")) or url == "/"


def judge(check: Check, status: int | None, body: str, error: str | None = None) -> tuple[bool, str]:
    """Whether one answer passes, and why not."""
    if status is None:
        return False, f"no answer ({error or 'no response'})"
    if status not in check.statuses:
        return False, f"answered {status}" + (f" ({error})" if error else "")
    if check.expect and not re.search(check.expect, body):
        return False, f"answered {status} without a match for {check.expect!r}"
    return True, f"answered {status}" + (f" and matched {check.expect!r}" if check.expect else "")


#: The TLS context of the page checks, per validate_certs: made once per process (see :func:`tls_context`).
_TLS_CONTEXTS: dict[bool, Any] = {}


def tls_context(validate_certs: bool) -> Any:
    """The TLS context the page checks use, made once per process and kept: Ansible's ``open_url`` would make a
    new one for every request, loading the system's CA certificates each time (tens of milliseconds of CPU), and
    an http:// page needs it too, for a redirect to https. The action plugins make the default one when they are
    loaded, in the controller's main process, so that the worker of every host inherits it instead."""
    key = bool(validate_certs)
    if key not in _TLS_CONTEXTS:
        from ansible.module_utils.urls import make_context  # imported late: unit tests of judge need no ansible

        _TLS_CONTEXTS[key] = make_context(validate_certs=key)
    return _TLS_CONTEXTS[key]


def fetch_url(url: str, timeout: int, validate_certs: bool) -> tuple[int | None, str, str | None]:
    """GET ``url``: (status or None, body, error).  An HTTP error status is an answer, not an error."""
    from ansible.module_utils.urls import Request  # imported late: unit tests of judge need no ansible

    try:
        response = Request().open(
            "GET",
            url,
            timeout=timeout,
            validate_certs=validate_certs,
            follow_redirects="safe",
            context=tls_context(validate_certs),
        )
        return response.getcode(), _text(response.read()), None
    except Exception as exc:  # noqa: BLE001 - every failure is reported, never raised
        code = getattr(exc, "code", None)
        if isinstance(code, int):
            try:
                body = _text(exc.read())  # type: ignore[attr-defined]
            except Exception:  # noqa: BLE001
                body = ""
            return code, body, None
        return None, "", f"{type(exc).__name__}: {getattr(exc, 'reason', None) or exc}"


#: Tries of a page whose connection is refused before the check gives up (a site that is still starting
#: refuses for a moment; one that is not there refuses every time).
_REFUSED_TRIES = 2


def _refused(error: str | None) -> bool:
    low = (error or "").lower()
    return "connection refused" in low or "errno 111" in low


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)


def verify_url(
    check: Check,
    *,
    retries: int,
    delay: float,
    timeout: int,
    validate_certs: bool,
    fetch: Callable[[str, int, bool], tuple[int | None, str, str | None]] = fetch_url,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Ask until the page passes or ``retries`` further tries failed; the last answer is reported."""
    attempts = 0
    while True:
        attempts += 1
        status, body, error = fetch(check.url, timeout, validate_certs)
        ok, why = judge(check, status, body, error)
        refused = status is None and _refused(error)
        if refused and attempts >= _REFUSED_TRIES:
            # Nothing listens there (a wrong address or port, not a site still starting): no use waiting longer.
            netloc = re.sub(r"(?i)^https?://([^/]+).*$", r"\1", check.url)
            why = (
                f"got no answer: nothing listens at {netloc} (connection refused). Set the address and port of the "
                "site's binding (the role: component_update_health_base_url or a component's health_url; the "
                "module: verify_url)"
            )
            break
        if ok or attempts > retries:
            break
        if progress is not None:
            progress(f"verify {check.url}: {why}; trying again in {delay}s ({attempts}/{retries + 1})")
        sleep(delay)
    return {
        "url": check.url,
        "expect": check.expect,
        "ok": ok,
        "status": status,
        "attempts": attempts,
        "msg": f"{check.url} {why} after {attempts} attempt{'s' if attempts != 1 else ''}",
        "body": body[:BODY_KEPT],
    }

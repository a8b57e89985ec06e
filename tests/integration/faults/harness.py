"""Fault-matrix harness: drive the module logic against a lab host, inject faults, check the invariants.

The five invariants (checked after every faulted run, the fourth after a rerun with the fault cleared):

1. ``dest`` is byte-equal to the old DLL or the new one: never missing, never partial.
2. Every IIS service that ran before the run runs again, or the result names it with the host's own text.
3. The result explains itself: which step, what the host answered, what state the host is in now; a success
   really is one (new DLL in place, services back).  Never a bare stack trace.
4. After the fault is cleared, running the task again converges: new DLL at dest and served, the services
   that ran before run again, nothing left over.
5. Nothing but the documented backup (``<name>.<stamp>.bak``) is left beside ``dest``.

Everything is read from the lab machine itself (file system snapshot, service control manager, web
requests), never from what the module says about itself.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import dll_version

IIS_SERVICES = ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC")
RUNNING = "RUNNING"
BACKUP_RE = re.compile(r"^(?P<name>.+)\.\d{14}\.bak$", re.IGNORECASE)

# Words a failure message uses to say what state dest is in now (invariant 3).
STATE_WORDS = (
    "old dll",
    "new dll",
    "nothing was swapped",
    "nothing was changed",
    "not swapped",
    "was put back",
    "is in place",
    "still holds",
    "still in place",
    "dest is not",
    "no service was touched",
    "nothing was run",
    "nothing was stopped",
    "was rolled back",
    "rolled back",
)
HOST_STEPS_WITHOUT_STATE = ("validate", "connect")
# What a message may claim about dest; checked against the bytes actually there.
CLAIMS_OLD = ("old dll is still in place", "still holds the old dll", "nothing was swapped", "old dll was put back")
CLAIMS_NEW = ("new dll is in place", "holds the new dll")


# ------------------------------------------------------------------------------------------------------
# Reading the lab machine


def iis_states(host: Any) -> dict[str, str]:
    """The states of the IIS services and of the host's services outside IIS that depend on them: every service
    an update may stop, so every one the invariants watch."""
    states = host.machine.scm.states()
    extras = {x.name.upper() for x in getattr(host.config, "extra_services", None) or ()}
    return {k: v for k, v in states.items() if k in IIS_SERVICES or k.upper() in extras}


def folder_of(path: str) -> str:
    return path.rsplit("\\", 1)[0]


def files_beside(host: Any, path: str) -> dict[str, bytes]:
    """Files directly in the folder of ``path`` (name -> bytes), as the lab's file system holds them."""
    prefix = folder_of(path).lower() + "\\"
    out = {}
    for name, data in host.machine.fs.snapshot().items():
        low = name.lower()
        if low.startswith(prefix) and "\\" not in low[len(prefix) :]:
            out[name[len(prefix) :]] = data
    return out


def read_file(host: Any, path: str) -> bytes | None:
    """Bytes of ``path`` ignoring every fault (a test reads the disk, not through the ACL)."""
    low = path.lower()
    for name, data in host.machine.fs.snapshot().items():
        if name.lower() == low:
            return data
    return None


def served_version(host: Any, path: str = "/Shop/", site: int = 1, timeout: float = 10) -> str | None:
    """Version the web server reports for the first component of ``path``; None when W3SVC does not answer."""
    try:
        with urllib.request.urlopen(host.web_url(site) + path, timeout=timeout) as resp:  # noqa: S310 - lab URL
            body = resp.read().decode("ascii", "replace")
    except (urllib.error.URLError, ConnectionError, OSError):
        return None
    for token in body.split():
        if token.startswith("version="):
            return token.split("=", 1)[1]
    return None


def version_of(data: bytes | None) -> str | None:
    return dll_version(data) if data else None


# ------------------------------------------------------------------------------------------------------
# Before / after


@dataclass
class Before:
    dest: str
    src: str
    old_bytes: bytes
    new_bytes: bytes
    files: dict[str, bytes]
    services: dict[str, str]
    served: str | None

    @property
    def running(self) -> list[str]:
        return [k for k, v in self.services.items() if v == RUNNING]


def capture(host: Any, dest: str = SHOP_DLL, src: str = STAGED_DLL) -> Before:
    old = read_file(host, dest)
    new = read_file(host, src)
    assert old is not None and new is not None, "the case must start with both DLLs on the host"
    return Before(
        dest=dest,
        src=src,
        old_bytes=old,
        new_bytes=new,
        files=files_beside(host, dest),
        services=iis_states(host),
        served=None,
    )


# Sentences net.exe prints when a service does not start or stop (NT 4 message table; the lab prints the same).
NET_SENTENCES = re.compile(
    r"service could not be (?:started|stopped)\.|The service did not report an error\."
    r"|A service specific error occurred: \d+\.|System error \d+ has occurred\.|service is not started\."
    r"|The service is not responding to the control function\.|The dependency service"
    r"|The service is starting or stopping\.",
    re.IGNORECASE,
)


def host_text_in(why: str, result: dict[str, Any]) -> bool:
    """Does ``why`` quote the host: a net.exe sentence, or a line (10 characters or more) of the host's output?"""
    if NET_SENTENCES.search(why):
        return True
    lines = [ln.strip() for ln in str(result.get("host_output") or "").splitlines()]
    return any(len(ln) >= 10 and not ln.startswith(("@@", "##")) and ln in why for ln in lines)


def _named_with_text(result: dict[str, Any], svc: str) -> bool:
    """Does the result name ``svc`` as not running, together with text the host printed about it?"""
    for entry in result.get("services_not_running") or []:
        text = entry if isinstance(entry, str) else str(entry)
        name, _sep, why = text.partition(":")
        if name.strip().upper() == svc and host_text_in(why, result):
            return True
    return False


def check_invariants(
    host: Any, before: Before, result: dict[str, Any], old_bytes: bytes, new_bytes: bytes
) -> list[str]:
    """Invariants 1, 2, 3 and 5 after a (possibly faulted) run.  Returns the violations (empty: all hold)."""
    bad: list[str] = []
    msg = result.get("msg")
    failed = bool(result.get("failed"))
    # 1. dest is the old or the new DLL, whole.
    now = read_file(host, before.dest)
    if now is None:
        bad.append("1: dest is missing")
    elif now not in (old_bytes, new_bytes):
        bad.append(f"1: dest is neither the old nor the new DLL ({len(now)} bytes, version {version_of(now)})")
    # 2. services that ran before run again, or are named with the host's text.
    states = iis_states(host)
    for svc in before.running:
        if states.get(svc) == RUNNING:
            continue
        if failed and _named_with_text(result, svc):
            continue
        bad.append(
            f"2: {svc} ran before and is {states.get(svc)} now, but the result does not name it with the host's text"
            f" (services_not_running={result.get('services_not_running')!r})"
        )
    # 3. the result says what happened.
    if not isinstance(msg, str) or not msg.strip():
        bad.append("3: the result has no msg")
        msg = ""
    if host.password and host.password in json.dumps(result, default=str):
        bad.append("3: the result contains the host's password")
    if re.search(r"\bNone", msg):
        bad.append(f"3: msg shows a Python None where a value belongs: {msg!r}")
    if result.get("exception"):
        bad.append(f"3: {result['exception']}: a stack trace is the only explanation")
    if "Traceback (most recent call last)" in msg or "Traceback (most recent call last)" in str(result):
        bad.append("3: the result carries a stack trace")
    if failed:
        step = result.get("step")
        if not step:
            bad.append("3: a failed result does not say which step failed")
        elif step != "validate" and (step != "connect" or result.get("steps")):
            # An input refusal, or no connection before any command ran, changed nothing; anything else must
            # say what state the host is in.
            if step not in HOST_STEPS_WITHOUT_STATE and f"step {step}" not in msg:
                bad.append(f"3: msg does not name the failed step {step!r}: {msg!r}")
            if not any(w in msg.lower() for w in STATE_WORDS):
                bad.append(f"3: msg does not say what state dest is in now: {msg!r}")
    else:
        if now != new_bytes:
            bad.append(f"3: the run reports success but dest is not the new DLL ({version_of(now)})")
        down = [s for s in before.running if states.get(s) != RUNNING]
        if down:
            bad.append(f"3: the run reports success but {down} are not running ({states})")
    # 3. ... and what it says about dest is true.
    low = msg.lower()
    if now is not None and now == new_bytes:
        claims = [c for c in CLAIMS_OLD if c in low]
        if claims:
            bad.append(f"3: msg says {claims[0]!r} but dest holds the NEW DLL")
    elif now is not None and now == old_bytes:
        claims = [c for c in CLAIMS_NEW if c in low]
        if claims:
            bad.append(f"3: msg says {claims[0]!r} but dest holds the OLD DLL")
    # 5. nothing but the documented backup beside dest.
    bad += _leftovers(host, before, result, old_bytes)
    return bad


def _leftovers(host: Any, before: Before, result: dict[str, Any], old_bytes: bytes) -> list[str]:
    bad = []
    msg = str(result.get("msg") or "").lower()
    dest_name = before.dest.rsplit("\\", 1)[1]
    for name, data in files_beside(host, before.dest).items():
        if name in before.files or name.lower() == dest_name.lower():
            continue
        m = BACKUP_RE.match(name)
        if m and m.group("name").lower() == dest_name.lower() and data == old_bytes:
            continue  # the documented backup of the old DLL
        if name.lower().endswith(".iis4state") and result.get("failed") and "state record" in msg:
            continue  # kept on purpose, and the failed result says so (the next run recovers from it)
        if name.lower().endswith((".iis4run.cmd", ".iis4log")) and "may still be running" in msg:
            continue  # the sequence's own files while it still runs (a hung program), and the result says so
        bad.append(f"5: {name} is left beside dest ({len(data)} bytes)")
    return bad


def pool_states(host: Any) -> dict[str, int]:
    pools = {p.name: host.machine.pool_state(p.name) for p in host.machine.pools.values()}
    # review S3: a web site's runtime state (IIS 7+), kept like a pool's: 2 started, 4 stopped
    sites = {f"site {n}": 2 if up else 4 for n, up in getattr(host.machine, "sites_started", {}).items()}
    return {**pools, **sites}


def pools_changed(host: Any, before: dict[str, int], when: str) -> list[str]:
    """Invariant 2 for application pools (and IIS 7+ web sites): each keeps the state it had (started 2, stopped
    4) after a run."""
    now = pool_states(host)
    return [
        f"2: {'web' if name.startswith('site ') else 'application pool'} {name!r} was "
        f"{'started' if state == 2 else 'stopped'} before and is in state "
        f"{now.get(name)} {when}"
        for name, state in before.items()
        if state in (2, 4) and now.get(name) != state
    ]


def check_converged(host: Any, before: Before, result: dict[str, Any], new_bytes: bytes) -> list[str]:
    """Invariant 4 after the rerun: the new DLL is in place and served, the same services run, no leftovers."""
    bad: list[str] = []
    if result.get("failed"):
        bad.append(f"4: the rerun failed: {result.get('msg')!r}")
    now = read_file(host, before.dest)
    if now != new_bytes:
        bad.append(f"4: dest is not the new DLL after the rerun (version {version_of(now)})")
    states = iis_states(host)
    for svc, state in before.services.items():
        if state == RUNNING and states.get(svc) != RUNNING:
            bad.append(f"4: {svc} ran before and is {states.get(svc)} after the rerun")
        if state != RUNNING and states.get(svc) == RUNNING:
            bad.append(f"4: {svc} was {state} before and runs after the rerun")
    if before.served is not None and "W3SVC" in before.running:
        served = served_version(host)
        want = version_of(new_bytes)
        if served != want:
            bad.append(f"4: the web site serves version {served} after the rerun, not {want}")
    bad += [v.replace("5:", "4/5:", 1) for v in _leftovers(host, before, result, before.old_bytes)]
    return bad


# ------------------------------------------------------------------------------------------------------
# Running the module logic in-process


def make_runner(host: Any, **options: Any) -> WinRMRunner:
    port = getattr(getattr(host, "config", None), "http_port", 5985)  # WinRM 1.1 hosts (XP, 2003) answer on 80
    opts = {"host": host.ip, "port": port, "scheme": "http", "user": host.username, "password": host.password}
    opts["transport"] = "ntlm"
    opts.update(options)
    return WinRMRunner(ConnectionOptions(**opts))


def module_args(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": ["/Shop"], "timeout": 5}
    args.update(overrides)
    return args


def run_module(host: Any, args: dict[str, Any], **options: Any) -> dict[str, Any]:
    """``run_update`` with a real WinRMRunner against the host (NTLM over HTTP with message encryption)."""
    return run_update(dict(args), make_runner(host, **options))


# ------------------------------------------------------------------------------------------------------
# Faults that must bite at a moment of the run


@dataclass
class Trigger:
    """When a service reaches a state (once), set faults on the host and/or call ``action(host)``.

    Hooks the lab's service control manager (its listeners run at the very moment of the change), so a
    fault can bite mid-run: "the connection drops while IIS is down", "after the last service started".
    """

    host: Any
    service: str
    state: str
    faults: dict[str, Any] = field(default_factory=dict)
    after: str | None = None  # arm only once the service was first seen in this state (STOPPED, then RUNNING)
    action: Callable[[Any], None] | None = None
    fired: bool = False
    _armed: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.service = self.service.upper()
        self._armed = self.after is None

    def __call__(self, name: str, old: str, new: str) -> None:
        if self.fired or name.upper() != self.service:
            return
        if not self._armed:
            if new == self.after:
                self._armed = True
            return
        if new == self.state:
            self.fired = True
            for key, value in self.faults.items():
                setattr(self.host.config.faults, key, value)
            if self.action is not None:
                self.action(self.host)

    def __enter__(self) -> Trigger:
        self.host.machine.scm.listeners.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self in self.host.machine.scm.listeners:
            self.host.machine.scm.listeners.remove(self)


class kill_command:  # noqa: N801 - used like the other actions (a function of the host)
    """An action that terminates the host's running command lines containing ``needle`` (cmd.exe killed).

    ``needle`` may also be a tuple of texts (any of them).  ``killed`` counts the command lines it terminated:
    0 after the run means the fault did not bite."""

    def __init__(self, needle: str | tuple[str, ...]) -> None:
        self.needle = needle
        self.killed = 0

    def __call__(self, host: Any) -> None:
        needles = [self.needle] if isinstance(self.needle, str) else list(self.needle)
        for shell in list(host.wsman.shells.values()):
            for state in list(shell.commands.values()):
                line = state.cmdline.lower()
                if any(n.lower() in line for n in needles) and not state.proc.done:
                    state.proc.signal("terminate")
                    self.killed += 1


class LoseCommand:
    """Lose the connection around the ``nth`` command line that contains ``needle``.

    ``when``:

    * ``"before"``: the request carrying the line never reaches the host (the command does not run);
    * ``"after"``: the host starts the command, the answer to the Command request is lost;
    * ``"done"``: the command runs to its end on the host, the answer that would report the end is lost.

    ``needle`` may be a tuple of texts (any of them).  A line that writes the outage's batch file (it names the
    batch file and does not call it) never counts, unless a needle names the batch file itself: "the outage line"
    is then the line that calls the batch file (an outage longer than the host's command line, e.g. NT 4's 2047
    characters since the wait for inetinfo.exe to exit).

    Installed on one host's WS-Management service for the duration of a ``with`` block.
    """

    def __init__(
        self, host: Any, needle: str | tuple[str, ...] | list[str], when: str = "before", nth: int = 1
    ) -> None:
        assert when in ("before", "after", "done")
        needles = (needle,) if isinstance(needle, str) else tuple(needle)
        self.needles = tuple(n.lower() for n in needles)
        self.writes_count = any("iis4run" in n for n in self.needles)
        self.host, self.needle, self.when, self.nth = host, " | ".join(self.needles), when, nth
        self.seen = 0
        self.fired = False
        self._watch: set[str] = set()
        self._orig: Any = None

    def _fire(self) -> None:
        self.fired = True
        self.host.lab.log.add(self.host.name, "fault", fault="lose_command", when=self.when)

    def __enter__(self) -> LoseCommand:
        from tests.lab.wire.http import Drop as _Drop

        service = self.host.wsman
        self._orig = service.handle
        original = self._orig

        async def handle(envelope: bytes, user: str, *, endpoint: str) -> Any:
            text = envelope.decode("utf-8", "replace").lower()
            match = False
            write = ".iis4run.cmd" in text and "call " not in text
            wanted = any(n in text for n in self.needles) and (self.writes_count or not write)
            if not self.fired and "commandline" in text and wanted:
                self.seen += 1
                match = self.seen == self.nth
            if match and self.when == "before":
                self._fire()
                raise _Drop("lose_command")
            reply = await original(envelope, user, endpoint=endpoint)
            if match and self.when == "after":
                self._fire()
                reply.drop = True
            elif match and self.when == "done" and reply.command_id:
                self._watch.add(reply.command_id)
            elif (
                not self.fired
                and self.when == "done"
                and reply.command_id in self._watch
                and b"CommandState/Done" in bytes(reply.body)
            ):
                self._fire()
                reply.drop = True
            return reply

        service.handle = handle
        return self

    def __exit__(self, *exc: object) -> None:
        self.host.wsman.handle = self._orig


def network_outage(seconds: float) -> Callable[[Any], None]:
    """An action: the host's WinRM listener goes away for ``seconds`` (open connections are reset at once)."""

    def action(host: Any) -> None:
        def run() -> None:
            host.set_faults(wsman_down=True)
            time.sleep(seconds)
            if host.name in host.lab.hosts:
                host.set_faults(wsman_down=False)

        threading.Thread(target=run, name="lab-outage", daemon=True).start()

    return action


# Faults of tests.lab.machine.config.Faults that change how the host answers, not whether something fails: nothing
# to see when they "bite".
_NO_BITE = frozenset({"slow_responses"})


def faults_bitten(host: Any, since: float) -> set[str]:
    """The faults of :class:`tests.lab.machine.config.Faults` the lab reports as having taken effect on ``host`` since
    ``since`` (``fault`` events with a ``fault`` name, logged where each fault makes something fail)."""
    return {
        str(e.detail["fault"])
        for e in host.lab.log.events(host=host.name, kind="fault", since=since)
        if e.detail.get("fault")
    }


def unbitten(host: Any, faults: dict[str, Any], since: float) -> list[str]:
    """A ``test:`` violation for each fault in ``faults`` (set on the host at ``since``) that never took effect.

    ``wsman_down`` leaves no event (the listener is closed, nothing reaches the host): it took effect when no
    WS-Management request of the host was logged since."""
    bitten = faults_bitten(host, since)
    bad = []
    for name, value in faults.items():
        if name in _NO_BITE or value in (None, False, {}, [], ()):
            continue
        if name == "wsman_down":
            if host.lab.log.events(host=host.name, kind="http", since=since):
                bad.append("test: fault wsman_down was set but WS-Management requests reached the host")
            continue
        if name not in bitten:
            bad.append(f"test: fault {name}={value!r} was set but never took effect (no lab event): it did not bite")
    return bad


def did_not_bite(
    host: Any,
    faults: dict[str, Any],
    since: float,
    trigger: Trigger | None = None,
    lose: LoseCommand | None = None,
    *,
    trigger_text: object = "",
    lose_text: object = "",
) -> list[str]:
    """``test:`` violations for each part of a fault that did not take effect (the run then proves nothing about
    it): a fault set on the host at ``since`` that the lab never reports as taken effect, a trigger that never
    fired (or fired and its faults or its kill did not bite), a lost command line that never was.
    ``trigger_text`` / ``lose_text`` say which trigger or loss, for the message."""
    bad = unbitten(host, faults, since)
    if trigger is not None:
        if not trigger.fired:
            bad.append(f"test: the trigger {trigger_text} never fired: the fault did not bite")
        else:
            bad += unbitten(host, trigger.faults, since)
            if isinstance(trigger.action, kill_command) and not trigger.action.killed:
                bad.append(f"test: the trigger {trigger_text} fired but no command line was running to kill")
    if lose is not None and not lose.fired:
        bad.append(f"test: the lost command {lose_text} never fired: the fault did not bite")
    return bad


def wait_quiet(host: Any, timeout: float = 60.0) -> bool:
    """Wait until every command line the host was sent has ended and no IIS service is pending."""
    log = host.lab.log
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        started = sum(1 for e in log.events(host=host.name, kind="http") if e.detail.get("action") == "Command")
        ended = len(log.events(host=host.name, kind="command"))
        pending = [s for s, v in iis_states(host).items() if v.endswith("_PENDING")]
        if ended >= started and not pending:
            return True
        time.sleep(0.05)
    return False


def record_present(host: Any, dest: str = SHOP_DLL) -> bool:
    return read_file(host, dest + ".iis4state") is not None


Setup = Callable[[Any], None]

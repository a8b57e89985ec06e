# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Putting the host back in order after an earlier run that did not finish.

A run that finds a state record beside dest first waits for a sequence that may still be running there
(:func:`wait_for_running_sequence`), then :func:`recover`: rolls back a swap that never finished (or one
whose old image is still loaded), makes sure dest exists, starts every recorded service until it runs, and
tidies.  The paths come from the record through :meth:`paths.Paths.from_record`, and the commands from
the swap vocabulary, like the run's own.
"""

from __future__ import annotations

import time
from typing import Any

from .._cmd.cmdline import build_command, exists, guarded, marker, quote_arg, redirect
from .._cmd.paths import Paths, RecordError, StateRecord
from .._cmd.swap import Swap
from .._cmd.validate import validate_windows_path
from .._host.appcmd import appcmd_path, pool_command
from .._host.facts import HostFacts
from .._host.parsers.common import section, split_sections
from .._host.parsers.net import parse_net_start
from .._host.services import SERVICE_NAME, display_names, restart_root, start_order, started_ok
from .._transport.session import RETRY_PAUSE, Session
from ..argspec import DEFAULT_ADSUTIL
from ..errors import InputError, StepFailed


def recovery_parts(
    swap: Swap,
    finished: bool,
    to_start: list[str],
    others: tuple[Swap, ...] = (),
    undo_stop: tuple[str, ...] = (),
) -> list[str]:
    """``others``: the other DLLs of a combined release that never ended; each is put back (and its files and
    record tidied) before any service starts, so IIS never starts on a mix of old and new DLLs.

    ``undo_stop``: what takes down the process that may have the new DLL loaded (``net stop <root> /y``, or the
    recorded pools' stop).  It runs only where the undo flag of a failed registration is there with the backup
    still to go back to: the earlier run was ended on the host in the middle of putting the old DLL back
    (:meth:`Swap.register`), so this finishes it: stop, swap back, register the old DLL again, start."""
    p = swap.p
    parts = [marker("restore")]
    parts += [redirect(guarded(cmd, exists(quote_arg(p.undo_flag)), exists(quote_arg(p.backup)))) for cmd in undo_stop]
    if not finished:
        # The sequence never ran to its end: roll the swap back, so this run starts from the old DLL.
        parts += swap.swap_back()
        for other in others:
            parts += [*other.swap_back(), *other.put_back(), *other.tidy_all()]
    else:
        # It ended, but if a process still has the old image loaded (IIS did not stop completely), the
        # new DLL at dest was never loaded: roll back too, so this run does the whole update again.
        parts.append(swap.swap_back_if_old_image_loaded())
    parts += swap.put_back()
    # The old DLL is back at dest after a failed registration of the new one: register it again.
    parts.append(swap.reregister_old_if_undone())
    parts.append(marker("start"))
    for svc in to_start:
        parts += [marker(f"rstart_{svc}"), f"{build_command('net', 'start', svc)} 2>&1"]
    return [*parts, marker("cleanup"), *swap.tidy_all(), marker("check"), swap.dest_present()]


def _started(text: str, svc: str) -> bool:
    return started_ok(svc, display_names(), parse_net_start(text), text)


def recover(session: Session, facts: HostFacts, fallback_dest: str, timeout: int) -> dict[str, Any]:
    """An earlier run left its state record: put dest and the services back in order."""
    rec = facts.record or StateRecord(())
    try:
        paths = Paths.from_record(rec, fallback_dest)
    except RecordError as exc:
        raise StepFailed(
            "recover", f"the state record beside dest cannot be trusted ({exc}); inspect it by hand"
        ) from None
    # The record names IIS services and the other services that depend on IIS Admin (sc enumdepend).
    services = [s for s in rec.services if SERVICE_NAME.match(s)]
    graph = facts.dependencies
    to_start = start_order([s for s in services if s not in facts.running], graph)
    undo_stop = undo_stop_parts(rec, facts)
    # Names relative to dest's folder (the line starts with ``cd /d`` there): one line within NT 4's 2047 characters.
    here = paths.dest_dir.lower() == session.folder.lower()
    swap = Swap(paths.relative() if here else paths)
    parts = recovery_parts(swap, rec.finished, to_start, group_swaps(rec, paths), undo_stop)
    res = session.run("recover", parts, here=here)
    s = split_sections(res.output)
    started_keys, not_running = [], []
    for svc in to_start:
        text = section(s, f"rstart_{svc}")
        if _started(text, svc):
            started_keys.append(svc)
        else:
            not_running.append(f"{svc}: {' '.join(text.split()) or 'net start printed nothing'}")
    recorded = start_order(services, graph)
    not_running = ensure_running(session, recorded, timeout) if recorded else not_running
    started_keys = [k for k in started_keys if k not in {n.split(":")[0] for n in not_running}]
    summary = {
        "record": rec.as_dict(),
        "action": (
            "rolled back an unfinished swap and restarted services"
            if not rec.finished or "##old_image_loaded" in res.output
            else "restarted services"
        ),
        "dest_present": "##dest_present" in section(s, "check"),
        "services_started": started_keys,
        "services_not_running": not_running,
        "output": section(s, "restore").strip(),
    }
    pools = start_recorded_pools(session, rec)
    if pools:
        summary["pools_started"] = pools
    if not summary["dest_present"]:
        raise StepFailed(
            "recover", "recovery could not put a DLL back at dest: neither backup nor staged file exists", res.output
        )
    return summary


def undo_stop_parts(rec: StateRecord, facts: HostFacts) -> tuple[str, ...]:
    """What stopped the services or pools around the undo of a failed registration, by the phase the record was in:
    a restart stops IIS (``net stop <root> /y``), a pool restart the pools it recorded; other phases register
    inside their outage, with nothing to stop."""
    phase = rec.get("started") or ""
    if phase == "restart":
        root = restart_root(facts.windows.iis_major if facts.windows else 4)
        return (build_command("net", "stop", root, "/y") + " >nul 2>&1",)
    if phase == "pool":
        return tuple(recorded_pool_commands(rec, "stop"))
    return ()


def group_swaps(rec: StateRecord, paths: Paths) -> tuple[Swap, ...]:
    """The other DLLs a combined release's record names (``group=``), each with the files of its own run."""
    try:
        members = [Paths.group_member(dest, stamp) for dest, stamp in rec.group]
    except RecordError as exc:
        raise StepFailed(
            "recover", f"the state record beside dest cannot be trusted ({exc}); inspect it by hand"
        ) from None
    return tuple(Swap(m) for m in members if m.dest.lower() != paths.dest.lower())


def start_recorded_pools(session: Session, rec: StateRecord) -> list[str]:
    """The application pools a pool sequence stopped (``pools=`` in the record): start each again.  Starting a
    started pool does nothing, so this is safe whatever the sequence got to."""
    pools = recorded_pools(rec)
    parts = recorded_pool_commands(rec, "start")
    if not parts:
        return []
    # here=True: every line starts with ``cd /d``.  A line that starts with a quote (appcmd's quoted full path) loses
    # its first and last quote to cmd.exe /c's quote rule, and appcmd then saw no pool (found with the lab, issue 21).
    session.run("recover_pools", parts, here=True)
    return pools


def recorded_pools(rec: StateRecord) -> list[str]:
    return [p.strip() for p in (rec.get("pools") or "").split(",") if p.strip()]


def recorded_pool_commands(rec: StateRecord, verb: str) -> list[str]:
    """``verb`` (start, stop) for each pool the record names, with the record's tool; none without pools."""
    pools = recorded_pools(rec)
    tool = rec.get("pool_tool") or ""
    if not pools or tool not in ("appcmd", "adsutil"):
        return []
    try:
        adsutil_path = validate_windows_path(rec.get("adsutil") or DEFAULT_ADSUTIL, "state record adsutil")
        appcmd = validate_windows_path(rec.get("appcmd") or appcmd_path(None), "state record appcmd")
        return [pool_command(tool, verb, pool, adsutil_path, appcmd) for pool in pools]
    except InputError as exc:
        raise StepFailed("recover", f"the state record names pools that cannot be {verb}ed safely: {exc}") from None


def ensure_running(session: Session, services: list[str], timeout: int) -> list[str]:
    """Start each service unless it runs, and wait (up to ``timeout``) while any is still pending.

    ``net start X`` is safe to repeat: it starts a stopped service, answers 2182 for a running one and
    "starting or stopping" for a pending one.  Returns the services still not running, each with what
    net.exe said about it.
    """
    deadline = time.monotonic() + timeout
    pending = list(services)
    texts: dict[str, str] = {}
    while pending:
        parts = []
        for svc in pending:
            parts += [marker(f"ensure_{svc}"), f"{build_command('net', 'start', svc)} 2>&1"]
        s = split_sections(session.run("ensure_running", parts).output)
        still = []
        for svc in pending:
            text = section(s, f"ensure_{svc}")
            result = parse_net_start(text)
            if not (result.ok or "already_started" in result.conditions):
                still.append(svc)
                texts[svc] = " ".join(text.split()) or "net start printed nothing"
        pending = still
        if not pending or time.monotonic() > deadline:
            break
        time.sleep(RETRY_PAUSE * 2)
    return [f"{svc}: {texts[svc]}" for svc in pending]


def wait_for_running_sequence(session: Session, record_path: str, timeout: int) -> bool:
    """A state record says a sequence started and has not finished: it may still be running (an earlier
    run lost its connection while sending it).  Give it up to ``timeout`` seconds to end before this run
    touches anything, so that recovery never acts under a running sequence.  True when it ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(RETRY_PAUSE * 2)
        probe = session.read_record("wait_running", record_path)
        record = StateRecord.parse(probe.output)
        if "##gone" in probe.output or record is None or record.finished:
            return True
    return False

"""The fault matrix: each named fault, injected into a lab host, must leave the five invariants standing.

Each case: a fresh lab host (in-process or isolated /Shop), a web request so the DLL is loaded, the fault,
one run of the module logic (``run_update`` in-process with a real WinRM runner), invariants 1, 2, 3, 5 read
from the lab machine, the fault cleared, the same task again, invariant 4.  Cases are data (cases.MATRIX).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from tests.ansible_env import collections_path
from tests.integration.faults import harness as h
from tests.integration.faults.cases import MATRIX, Case
from tests.lab.harness.fixtures import wait_until
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL, default_host
from tests.lab.machine.dll import make_dll

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]

BASE_TIMING = {"net_give_up": 1.0}
RECORD_STAMP = "20240101000000"


def host_overrides(case: Case) -> dict[str, Any]:
    # A copy: the lab keeps state in the config objects it is given (a pool's ``started``), and cases share them.
    extra = copy.deepcopy(dict(case.host))
    timing = {**BASE_TIMING, **extra.pop("timing", {})}
    return {"rename_loaded_image": case.rename, "timing": timing, **extra}


# ------------------------------------------------------------------------------------------------------
# Host preparations: the state an earlier run left behind when it died


def _write_record(host: Any, services: list[str], method: str) -> None:
    dest_dir, name = SHOP_DLL.rsplit("\\", 1)
    lines = [
        f"run={RECORD_STAMP}",
        f"dest={SHOP_DLL}",
        f"src={STAGED_DLL}",
        f"staged={SHOP_DLL}.iis4new",
        f"backup={dest_dir}\\{name}.{RECORD_STAMP}.bak",
        f"method={method}",
        f"services={','.join(services)}",
    ]
    host.machine.write_file(SHOP_DLL + ".iis4state", ("\r\n".join(lines) + "\r\n").encode("cp437"))


def _stop_iis(host: Any) -> list[str]:
    scm = host.machine.scm
    running = [s for s, v in h.iis_states(host).items() if v == h.RUNNING]
    for svc in [s for s in running if s != "IISADMIN"] + ["IISADMIN"]:
        scm.stop(svc)
        assert scm.wait_for(svc, ("STOPPED",), timeout=10)
    return running


def record_after_stage(host: Any) -> None:
    """Died right after staging: the staged copy and the state record exist, nothing else changed."""
    host.machine.write_file(SHOP_DLL + ".iis4new", h.read_file(host, STAGED_DLL))
    running = [s for s, v in h.iis_states(host).items() if v == h.RUNNING]
    _write_record(host, running, "service_restart")


def record_mid_swap(host: Any) -> None:
    """Died in the middle of the swap: dest renamed to the backup name, the staged copy not yet in place;
    on an in-process host IIS was stopped for the swap and is still down."""
    isolated = host.config.sites[0].apps[1].isolated
    running = [s for s, v in h.iis_states(host).items() if v == h.RUNNING]
    if not isolated:
        _stop_iis(host)
    host.machine.write_file(SHOP_DLL + ".iis4new", h.read_file(host, STAGED_DLL))
    host.machine.fs.rename(SHOP_DLL, f"{SHOP_DLL.rsplit(chr(92), 1)[1]}.{RECORD_STAMP}.bak")
    _write_record(host, running, "unload" if isolated else "service_restart")
    assert h.read_file(host, SHOP_DLL) is None


def record_mid_pool(host: Any) -> None:
    """Died inside a pool sequence (IIS 6 worker process isolation): the pool is stopped, the staged copy and the
    state record (with the pool in it) are there, dest not yet swapped."""
    host.machine.pool_stop("DefaultAppPool")
    host.machine.write_file(SHOP_DLL + ".iis4new", h.read_file(host, STAGED_DLL))
    _write_record(host, [], "pool_restart")
    extra = "pools=DefaultAppPool\r\npool_tool=adsutil\r\nadsutil=C:\\Inetpub\\AdminScripts\\adsutil.vbs\r\n"
    extra += "started=pool\r\n"
    record = SHOP_DLL + ".iis4state"
    host.machine.write_file(record, h.read_file(host, record) + extra.encode("cp437"))


def record_mid_pool_fallback(host: Any) -> None:
    """Died inside the full restart a pool restart fell back to: the pool stopped (its stop came first), IIS down
    (net stop IISADMIN /y on IIS 6, net stop WAS /y on 7+), the staged copy and the state record naming both.  The
    recovery must start the services before the pool: with W3SVC / WAS stopped a pool command does nothing (IIS 6)
    or is refused (appcmd) - review N10."""
    m = host.machine
    pool = m.metabase.app_pool(m.metabase.resolve("/LM/W3SVC/1/ROOT/Shop"))
    iis7 = m.scm.get("WAS") is not None
    m.pool_stop(pool)
    root = "WAS" if iis7 else "IISADMIN"
    running = [s for s, v in h.iis_states(host).items() if v == h.RUNNING]
    for svc in [*m.scm.stop_order(m.scm.dependants(root, active_only=True)), m.scm.get(root)]:
        m.scm.stop(svc.name)
        assert m.scm.wait_for(svc.name, ("STOPPED",), timeout=10)
    host.machine.write_file(SHOP_DLL + ".iis4new", h.read_file(host, STAGED_DLL))
    _write_record(host, running, "pool_restart")
    tool = "appcmd" if iis7 else "adsutil"
    extra = f"pools={pool}\r\npool_tool={tool}\r\nadsutil=C:\\Inetpub\\AdminScripts\\adsutil.vbs\r\n"
    extra += f"appcmd={m.config.system_root}\\system32\\inetsrv\\appcmd.exe\r\nstarted=pool\r\nstarted=restart\r\n"
    record = SHOP_DLL + ".iis4state"
    host.machine.write_file(record, h.read_file(host, record) + extra.encode("cp437"))


def shop_pool_stopped(host: Any) -> bool:
    """An administrator stopped the shop's application pool before the run (issue 21): the run must swap its DLL
    without starting it.  Returns False: the shop does not answer (503) before or after, by design."""
    pool = host.machine.metabase.app_pool(host.machine.metabase.resolve("/LM/W3SVC/1/ROOT/Shop"))
    assert host.machine.pool_stop(pool), pool
    assert wait_until(lambda: host.machine.pool_state(pool) == 4 and not host.machine.fs.lock_holders(SHOP_DLL), 10)
    return False


SETUPS = {
    "record_after_stage": record_after_stage,
    "record_mid_swap": record_mid_swap,
    "record_mid_pool": record_mid_pool,
    "shop_pool_stopped": shop_pool_stopped,
    "record_mid_pool_fallback": record_mid_pool_fallback,
}


#: Lab switches of ``Timing`` a case may set, and the lab event that shows the switch took effect.
SWITCH_EVENTS = {
    "inetinfo_exit_delay": ("process", {"action": "exiting", "image": "inetinfo.exe"}),
}


def switches_unbitten(host: Any, case: Case, since: float) -> list[str]:
    """A ``test:`` violation for each lab switch of the case (a ``Timing`` value of ``SWITCH_EVENTS``, or an event
    the case names in ``bites``) that left no event: the switch did not bite."""
    bad = []
    for kind, pairs in case.bites:
        want = dict(pairs)
        events = host.lab.log.events(host=host.name, kind=kind, since=since)
        if not any(all(e.detail.get(k) == v for k, v in want.items()) for e in events):
            bad.append(f"test: the case's switch never took effect (no {kind} event {want})")
    for name, value in case.host.get("timing", {}).items():
        if name not in SWITCH_EVENTS or not value:
            continue
        kind, want = SWITCH_EVENTS[name]
        events = host.lab.log.events(host=host.name, kind=kind, since=since)
        if not any(all(e.detail.get(k) == v for k, v in want.items()) for e in events):
            bad.append(f"test: the switch {name}={value!r} was set but never took effect (no {kind} event {want})")
    return bad


# ------------------------------------------------------------------------------------------------------


# How the outcome column names each release method the module reports (strategies.py).
METHOD_WORDS = {
    "unload": "unload",
    "service_restart": "restart",
    "package_shutdown": "package shutdown",
    "mtxstop": "mtxstop",
    "pool_restart": "pool restart",
    "copy": "copy",
    "none": "no change",
}


def outcome_of(result: dict[str, Any]) -> str:
    if result.get("failed"):
        return f"failed at step {result.get('step')}"
    method = METHOD_WORDS.get(str(result.get("method")), str(result.get("method")))
    fallback = ", fallback" if result.get("fallback") else ""
    return f"succeeded ({method}{fallback})"


def check_expectation(case: Case, result: dict[str, Any]) -> list[str]:
    bad = []
    msg = str(result.get("msg") or "")
    if case.expect == "succeeded":
        if result.get("failed"):
            bad.append(f"3: expected success, got: {msg!r}")
    elif case.expect == "failed":
        if not result.get("failed"):
            bad.append(f"3: expected a failure, got {outcome_of(result)}: {msg!r}")
    else:
        step = case.expect.split(":", 1)[1]
        if not result.get("failed") or result.get("step") != step:
            bad.append(f"3: expected a failure at step {step!r}, got {outcome_of(result)}: {msg!r}")
    # The host's answer may be in the message or in the fields the result carries it in.
    extra = [*(result.get("warnings") or []), *(result.get("services_not_running") or []), result.get("host_output")]
    text = msg + " " + " ".join(str(w) for w in extra if w)
    for needle in case.needles:
        if needle.lower() not in text.lower():
            bad.append(f"3: the message does not contain {needle!r}: {msg!r}")
    return bad


def run_safely(host: Any, args: dict[str, Any]) -> dict[str, Any]:
    """run_update must never raise; if it does, the stack trace is all the user would get (invariant 3)."""
    try:
        return h.run_module(host, args)
    except Exception as exc:  # noqa: BLE001 - turned into a violation
        return {"failed": True, "msg": "", "exception": f"run_update raised {exc!r}"}


def dropped_requests(host: Any) -> list[str]:
    """The WS-Management requests the lab dropped for the host (where a connection fault bit)."""
    out = []
    for e in host.lab.log.events(host=host.name, kind="http"):
        if e.detail.get("dropped") or e.detail.get("action") == "Dropped":
            out.append(str(e.detail.get("action")))
    return out


def make_trigger(host: Any, case: Case) -> contextlib.AbstractContextManager[Any]:
    t = case.trigger
    if t is None:
        return contextlib.nullcontext()
    action = h.kill_command(t.kill) if t.kill else (h.network_outage(t.outage) if t.outage else None)
    return h.Trigger(host, t.service, t.state, dict(t.faults), after=t.after, action=action)


def play(case: Case, lab_host: Any) -> dict[str, Any]:
    """Run one case; returns the row for the document (with all violations found)."""
    if case.components:
        return play_components(case, lab_host)
    host = lab_host(fleet_index=case.fleet, **host_overrides(case))
    before = h.capture(host)
    before.served = h.served_version(host)
    assert before.served == "1.0.0.0", "the lab host should serve the old DLL before the run"
    faults_set = time.monotonic()
    pools = h.pool_states(host)  # the states a run must keep (an earlier run's leftovers are not among them)
    if case.setup and SETUPS[case.setup](host) is False:
        before.served = None  # the setup leaves the shop not answering (a stopped pool): nothing to compare
        pools = h.pool_states(host)  # ... and stopped the pool on purpose: the run must keep it stopped
    if case.faults:
        host.set_faults(**case.faults)
    if case.kill_controller is not None:
        return play_killed_controller(case, host, before)
    started = time.monotonic()
    lose = h.LoseCommand(host, case.lose.needle, case.lose.when, case.lose.nth) if case.lose else None
    with lose or contextlib.nullcontext(), make_trigger(host, case) as trigger:
        result = run_safely(host, h.module_args(**case.args))
    seconds = time.monotonic() - started
    violations = h.check_invariants(host, before, result, before.old_bytes, before.new_bytes)
    violations += h.pools_changed(host, pools, "after the run")
    violations += check_expectation(case, result)
    violations += h.did_not_bite(
        host, case.faults, faults_set, trigger, lose, trigger_text=case.trigger, lose_text=case.lose
    )
    violations += switches_unbitten(host, case, faults_set)
    drops = dropped_requests(host)
    host.reset_faults()
    assert h.wait_quiet(host), "the host did not settle after the faulted run"
    record_left = h.record_present(host)
    again = run_safely(host, h.module_args(**(case.args if case.rerun_args is None else case.rerun_args)))
    assert h.wait_quiet(host), "the host did not settle after the rerun"
    violations += h.check_converged(host, before, again, before.new_bytes)
    violations += [v.replace("2:", "4:", 1) for v in h.pools_changed(host, pools, "after the rerun")]
    if record_left and not again.get("recovered"):
        violations.append("4: a state record was left, but the rerun does not report `recovered`")
    if case.expect_recovered and not (result.get("recovered") or again.get("recovered")):
        violations.append("4: an earlier run's state record was there, but no run reports `recovered`")
    rerun = outcome_of(again)
    if again.get("recovered"):
        rerun = "recovered, " + rerun
    elif result.get("recovered"):
        rerun = rerun + " (first run recovered)"
    return {
        "fault": case.fault,
        "isolation": case.isolation,
        "rename": case.rename,
        "outcome": outcome_of(result),
        "rerun": rerun,
        "msg": result.get("msg", "") or result.get("exception", ""),
        "dropped": drops,
        "violations": violations,
        "defect": case.defect,
        "seconds": round(seconds, 2),
        "result": {k: v for k, v in result.items() if k not in ("steps", "blast_radius", "applications")},
        "rerun_result": {k: v for k, v in again.items() if k not in ("steps", "blast_radius", "applications")},
    }


def w3svc_stops(host: Any, since: float) -> int:
    events = host.lab.log.events(host=host.name, kind="service", since=since)
    return sum(1 for e in events if e.detail["name"] == "W3SVC" and e.detail.get("new") == "STOPPED")


def play_components(case: Case, lab_host: Any) -> dict[str, Any]:
    """A case of several DLLs in one task (issue 23): /Shop loads ShopCart.dll and ``case.components``; the run
    is the task's ``components`` (one outage for all).  Invariants: every DLL holds its old bytes after the
    failed run, no state record is left, the services run as before, W3SVC stopped once; the same task once the
    fault is cleared updates every DLL, again in one outage."""
    cfg = default_host(case.fleet, "127.0.0.2")
    pairs = [(SHOP_DLL, STAGED_DLL)]
    for name in case.components:
        dest, src = f"{SHOP_DLL.rsplit(chr(92), 1)[0]}\\{name}.dll", f"C:\\Staging\\{name}.dll"
        cfg.sites[0].apps[1].components.append(dest)
        cfg.files[dest], cfg.files[src] = make_dll(name, "1.0.0.0", 12288), make_dll(name, "2.0.0.0", 12800)
        pairs.append((dest, src))
    host = lab_host(cfg, **host_overrides(case))
    before = h.capture(host)
    assert h.served_version(host) == "1.0.0.0", "the lab host should serve the old DLLs before the run"
    old = {dest: h.read_file(host, dest) for dest, _src in pairs}
    new = {dest: h.read_file(host, src) for dest, src in pairs}
    args = {"application": ["/Shop"], "timeout": 5, "components": [{"src": s, "dest": d} for d, s in pairs]}
    started = time.monotonic()
    with make_trigger(host, case) as trigger:
        result = run_rollout(dict(args), h.make_runner(host))
    seconds = time.monotonic() - started
    violations = [f"1: {dest} does not hold its old bytes" for dest in old if h.read_file(host, dest) != old[dest]]
    violations += [f"4: a state record was left beside {dest}" for dest in old if h.record_present(host, dest)]
    if h.iis_states(host) != before.services:
        violations.append(f"2: services {h.iis_states(host)} after the run, {before.services} before")
    if w3svc_stops(host, started) != 1:
        violations.append(f"5: W3SVC stopped {w3svc_stops(host, started)} times, not once")
    violations += check_expectation(case, result)
    violations += h.did_not_bite(
        host, case.faults, started, trigger, None, trigger_text=case.trigger, lose_text=case.lose
    )
    recovered = any(c.get("recovered") for c in result.get("components") or [])
    if case.expect_recovered and not recovered:
        violations.append("4: the sequence was cut short, but no component reports `recovered`")
    host.reset_faults()
    assert h.wait_quiet(host), "the host did not settle after the faulted run"
    rerun_at = time.monotonic()
    again = run_rollout(dict(args), h.make_runner(host))
    violations += [
        f"4: {dest} is not the new DLL after the rerun" for dest in new if h.read_file(host, dest) != new[dest]
    ]
    if again.get("failed") or w3svc_stops(host, rerun_at) != 1 or h.iis_states(host) != before.services:
        violations.append(f"4: the rerun did not update every DLL in one outage: {again.get('msg')!r}")
    return {
        "fault": case.fault,
        "isolation": case.isolation,
        "rename": case.rename,
        "outcome": outcome_of(result),
        "rerun": outcome_of(again),
        "msg": result.get("msg", ""),
        "dropped": [],
        "violations": violations,
        "defect": case.defect,
        "seconds": round(seconds, 2),
        "result": {k: v for k, v in result.items() if k not in ("steps", "blast_radius", "applications", "components")},
        "rerun_result": {
            k: v for k, v in again.items() if k not in ("steps", "blast_radius", "applications", "components")
        },
    }


CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import (
    ConnectionOptions,
    WinRMRunner,
)
options, args = json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(json.dumps(run_update(args, WinRMRunner(ConnectionOptions(**options))), default=str))
"""


def play_killed_controller(case: Case, host: Any, before: h.Before) -> dict[str, Any]:
    """The first run is a child process (the controller); SIGKILL it at the trigger, then rerun at once."""
    t = case.kill_controller
    assert t is not None
    options = {"host": host.ip, "port": 5985, "user": host.username, "password": host.password}
    cmd = [sys.executable, "-c", CHILD, str(collections_path()), json.dumps(options)]
    cmd.append(json.dumps(h.module_args(**case.args)))
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603 - our own child

    def kill(_host: Any) -> None:
        if child.poll() is None:
            os.kill(child.pid, signal.SIGKILL)

    with h.Trigger(host, t.service, t.state, action=kill) as trigger:
        child.communicate(timeout=120)
    violations = [] if trigger.fired else [f"test: {t} never fired: the controller was not killed mid-run"]
    if child.returncode != -signal.SIGKILL:
        violations.append(f"test: the controller was not killed (exit {child.returncode})")
    record_at_kill = h.record_present(host)
    host.reset_faults()
    again = run_safely(host, h.module_args(**case.args))
    # The rerun is the run that has to explain itself now: invariants 1, 2, 3, 5 on its result, then 4.
    violations += h.check_invariants(host, before, again, before.old_bytes, before.new_bytes)
    violations += check_expectation(case, again)
    assert h.wait_quiet(host), "the host did not settle after the rerun"
    violations += h.check_converged(host, before, again, before.new_bytes)
    if case.expect_recovered and record_at_kill and not again.get("recovered"):
        violations.append("4: the killed run's state record was there, but the rerun does not report `recovered`")
    rerun = ("recovered, " if again.get("recovered") else "") + outcome_of(again)
    return {
        "fault": case.fault,
        "isolation": case.isolation,
        "rename": case.rename,
        "outcome": f"controller killed; state record {'present' if record_at_kill else 'absent'}",
        "rerun": rerun,
        "msg": again.get("msg", ""),
        "dropped": [],
        "violations": violations,
        "defect": case.defect,
        "seconds": 0.0,
        "result": {},
        "rerun_result": {k: v for k, v in again.items() if k not in ("steps", "blast_radius", "applications")},
    }


class KnownDefect(AssertionError):
    """A case failed exactly as its documented module defect says (``Case.defect_violations``)."""


def documented_failure(case: Case, violations: list[str]) -> bool:
    """Is every violation one the case's defect documents, and is every documented one there?"""
    wanted = case.defect_violations
    return (
        bool(wanted)
        and all(any(w in v for w in wanted) for v in violations)
        and all(any(w in v for v in violations) for w in wanted)
    )


def _params() -> list[Any]:
    # strict, and only KnownDefect counts: a case with a defect that fails in any other way fails.
    return [
        pytest.param(
            c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.defect, raises=KnownDefect)] if c.defect else []
        )
        for c in MATRIX
    ]


def test_every_known_defect_names_its_failure() -> None:
    for case in MATRIX:
        assert bool(case.defect) == bool(case.defect_violations), case.id


@pytest.mark.parametrize("case", _params())
def test_fault(case: Case, lab_host: Any, matrix_record: Any) -> None:
    row = play(case, lab_host)
    matrix_record("matrix", case.id, row)  # kept with the test's real outcome (conftest)
    shown = row["result"] or row["rerun_result"]
    if case.defect is not None and row["violations"] and documented_failure(case, row["violations"]):
        raise KnownDefect("\n".join(row["violations"]))
    assert not row["violations"], "\n".join(row["violations"]) + f"\nresult: {shown}"


def test_matrix_covers_every_fault_in_both_modes() -> None:
    """The brief's list: at least 20 cases, each fault in both isolation modes where it applies."""
    assert len(MATRIX) >= 20
    assert len({c.id for c in MATRIX}) == len(MATRIX)
    by_fault: dict[str, set[int]] = {}
    for c in MATRIX:
        key = c.id.rsplit("-", 1)[0] if c.id.endswith(("-inproc", "-isolated")) else c.id
        by_fault.setdefault(key, set()).add(c.fleet)
    for key in (
        "stuck-stop",
        "foreign-lock",
        "access-denied-dest",
        "access-denied-dir",
        "disk-full",
        "src-missing",
        "src-unreadable",
        "dest-dir-missing",
        "regsvr32-fail",
        "drop-before-stop",
        "drop-during-outage",
        "drop-after-start",
        "wsman-down",
    ):
        assert by_fault.get(key) == {0, 1}, key

"""Randomized fault campaign: a seeded generator draws a scenario per run, the invariants are checked after it.

One seed = one run, fully determined by the seed: the host (isolation mode, IIS services installed and which
of them run, whether a loaded DLL may be renamed), the module options (unload fallback, regsvr32), the
fault and the moment it bites (before the run, when a service reaches a state, when a command line is sent).
The host's timings are small and jitter with the seed, so the moments move from run to run.

``run_one(lab, seed)`` returns a :class:`RunReport`; a report with ``violations`` names the seed, and
``CAMPAIGN_REPLAY=<seed> pytest tests/integration/faults -k replay`` runs exactly that scenario again.

Runs whose violations match a known module defect (``KNOWN_DEFECTS``, each also a strict-xfail case in the
matrix) are counted and reported but do not fail the campaign; every other violation does.
"""

from __future__ import annotations

import contextlib
import copy
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.integration.faults import harness as h
from tests.lab.harness.fixtures import build_config
from tests.lab.machine.config import (
    SHOP_DLL,
    STAGED_DLL,
    AppPoolConfig,
    ComponentConfig,
    ExtraService,
    PackageConfig,
    default_host,
)

BIN = SHOP_DLL.rsplit("\\", 1)[0]
OPTIONAL_SERVICES = ("MSFTPSVC", "SMTPSVC", "NNTPSVC")


@dataclass
class Scenario:
    seed: int
    fleet: int  # 0 in-process /Shop, 1 isolated /Shop
    services: list[str]
    stopped: list[str]
    rename: bool
    args: dict[str, Any]
    fault: str  # the kind, for the tallies
    faults: dict[str, Any] = field(default_factory=dict)  # set before the run
    trigger: dict[str, Any] | None = None  # {"service", "state", "after", "faults", "kill", "outage"}
    lose: dict[str, Any] | None = None  # {"needle", "when", "nth"}: harness.LoseCommand
    timing: dict[str, Any] = field(default_factory=dict)
    host: dict[str, Any] = field(default_factory=dict)  # HostConfig overrides: how this host differs (issue 11)
    variations: list[str] = field(default_factory=list)
    strategy: str = ""  # restart, unload, package or pool (campaign.strategy)

    def describe(self) -> str:
        mode = ("isolated" if self.fleet else "in-process") + (f" ({self.strategy})" if self.strategy else "")
        when = ""
        if self.trigger:
            t = self.trigger
            when = f" when {t['service']} is {t['state']}" + (f" (after {t['after']})" if t.get("after") else "")
        if self.lose:
            lose = self.lose
            when += f" lose the {lose['when']!r} answer of command #{lose.get('nth', 1)} with {lose['needle']!r}"
        extra = {k: v for k, v in self.args.items() if k not in ("src", "dest", "application", "timeout")}
        return (
            f"seed {self.seed}: {mode}, services {self.services} (stopped {self.stopped}), "
            f"rename {'allowed' if self.rename else 'refused'}, options {extra}, fault {self.fault}"
            f"{' ' + str(self.faults) if self.faults else ''}"
            f"{when}{' ' + self._trigger_text() if self.trigger else ''}"
            + (f", host variations {self.variations}" if self.variations else "")
        )

    def _trigger_text(self) -> str:
        t = self.trigger or {}
        if t.get("kill"):
            return f"kill the line with {t['kill']!r}"
        if t.get("outage"):
            return f"WinRM gone for {t['outage']}s"
        return str(t.get("faults"))


# Fault kinds and how often they are drawn (weights).
FAULT_WEIGHTS = {
    "none": 4,
    "stuck_stop": 3,
    "fail_start": 6,
    "foreign_lock": 3,
    "unload_noop": 4,
    "access_denied": 3,
    "disk_full": 2,
    "src_unreadable": 1,
    "regsvr32_fail": 3,
    "drop_gather_stage": 4,
    "drop_during_outage": 5,
    "drop_after_start": 3,
    "drop_at_outage_command": 2,
    "lost_outage_command": 2,
    "batch_write_answer_lost": 2,
    "wsman_down": 1,
    "killed_on_host": 2,
}

# Known module defects the campaign tolerates: (description, signature).  A signature recognises a violating
# run by its scenario, result and violations.  Every entry must also have a strict-xfail case in cases.MATRIX;
# delete the entry when that case turns red (the module was fixed).  Example of an entry, from a defect found
# and fixed while this campaign was written:
#   ("a lost batch-file write answer is retried and doubles lines",
#    lambda sc, result, violations: any(str(st.get("step", "")).endswith("(retry)") for st in result["steps"]))
Signature = Callable[["Scenario", dict[str, Any], list[str]], bool]
KNOWN_DEFECTS: list[tuple[str, Signature]] = []


def known_defect(sc: Scenario, result: dict[str, Any], violations: list[str]) -> str | None:
    """The known module defect that explains a violating run, or None (then the run is a new finding)."""
    for description, signature in KNOWN_DEFECTS:
        if signature(sc, result, violations):
            return description
    return None


def draw_variations(rnd: random.Random, sc: Scenario) -> None:
    """Ways a real host differs from the lab's default (issue 11), each drawn on its own."""
    if rnd.random() < 0.12:
        sites = copy.deepcopy(default_host(sc.fleet, "127.0.0.2").sites)
        sites[0].apps[1].app_root = "/LM/w3svc/1/root/shop"
        sc.host["sites"] = sites
        sc.variations.append("approot-spelling")
    if rnd.random() < 0.12:
        reply = rnd.choice(["not_recognized", "usage", "silent"])
        sc.host.update(adsutil_enum_all=False, adsutil_enum_all_reply=reply)
        sc.variations.append(f"no-enum-all:{reply}")
    if rnd.random() < 0.12:
        sc.host["extra_services"] = [ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"])]
        sc.variations.append("extra-service")
    if rnd.random() < 0.1:
        sc.host["readonly_files"] = [rnd.choice([SHOP_DLL, STAGED_DLL])]
        sc.variations.append(f"readonly:{sc.host['readonly_files'][0].rsplit(chr(92), 2)[-2]}")
    if rnd.random() < 0.1:
        sc.timing["mtx_exit_delay"] = round(rnd.uniform(0.1, 0.8), 2)
        sc.variations.append("mtx-exit-delay")
    if rnd.random() < 0.1:
        sc.host["adsutil_continue_errors"] = ["W3SVC/1/ROOT/Shop"]
        sc.variations.append("adsutil-continues")
    if rnd.random() < 0.15:
        # The component lives in a server package (issue 12): MTS or COM+, a tool that names holders or none, a
        # RunForever package, a process that takes a moment to exit.
        catalog = rnd.choice(["mts", "complus"])
        component = ComponentConfig("{7C1D2E3F-4A5B-4C6D-9E8F-0A1B2C3D4EC1}", "ShopCart.Cart", SHOP_DLL)
        package = PackageConfig("{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E6C1}", "Shop Components", "server", [component])
        package.run_forever = rnd.random() < 0.3
        sc.host.update(catalog=catalog, packages=[package])
        sc.host["has_tlist" if catalog == "mts" else "has_tasklist"] = rnd.random() < 0.5
        if rnd.random() < 0.3:
            sc.timing["package_exit_delay"] = round(rnd.uniform(0.1, 0.8), 2)
        sc.variations.append(f"package:{catalog}")
    if rnd.random() < 0.2:
        # A later Windows / IIS (issue 13): the shop pooled, isolated or in-process on IIS 5, in a pool on 6+.
        kind = rnd.choice(["w2k", "xp", "w2k3", "w2k3-iis5", "w2k8r2", "w2k19"])
        sites = copy.deepcopy(sc.host.get("sites") or default_host(sc.fleet, "127.0.0.2").sites)
        shop = sites[0].apps[1]
        if kind in ("w2k", "xp", "w2k3-iis5"):
            shop.isolation = rnd.choice([0, 1, 2])
        else:
            shop.app_pool = rnd.choice([None, "ShopPool"])
            if shop.app_pool:
                sc.host["app_pools"] = [AppPoolConfig("ShopPool")]
        sc.host["sites"] = sites
        sc.host["kind"] = "w2k3" if kind == "w2k3-iis5" else kind
        if kind == "w2k3-iis5":
            sc.host["iis5_isolation_mode"] = True
        if rnd.random() < 0.3:
            sc.timing["worker_exit_delay"] = round(rnd.uniform(0.1, 0.8), 2)
        sc.variations.append(f"kind:{kind}")
    match_catalog_to_kind(sc)


def draw_late_switches(rnd: random.Random, sc: Scenario) -> None:
    """Lab switches added after the campaign's scenarios were fixed (issue 21), drawn last so that every earlier draw
    of a seed stays what it was: inetinfo.exe still exiting with its images mapped after the SCM reports STOPPED
    (``Timing.inetinfo_exit_delay``; shorter than the module's bounded wait, and sometimes longer than one try), and
    on 64-bit kinds 32-bit (WOW64) pools and COM+ applications."""
    if rnd.random() < 0.15:
        sc.timing["inetinfo_exit_delay"] = round(rnd.uniform(0.2, 3.0), 2)
        sc.variations.append("inetinfo-lingers")
    # 32-bit processes on 64-bit Windows (review N2): the 64-bit tasklist does not list their DLLs.
    if sc.host.get("kind") in ("w2k8r2", "w2k19") and rnd.random() < 0.5:
        for package in sc.host.get("packages") or []:
            package.wow64 = True
        for pool in sc.host.get("app_pools") or []:
            pool.enable_32bit = True
        sc.variations.append("wow64")
    # Review S1/S2: a full restart resets every pool by its auto-start; a worker-mode host with a pool an
    # administrator stopped and one started by hand with auto-start off (each must keep its state).
    iis5_mode = bool(sc.host.get("iis5_isolation_mode"))
    if sc.host.get("kind") in WORKER_MODE_KINDS and not iis5_mode and rnd.random() < 0.3:
        sc.host["app_pools"] = [
            *(sc.host.get("app_pools") or []),
            AppPoolConfig("Idle Pool (old)", started=False),
            AppPoolConfig("Manual Pool", auto_start=False),
        ]
        sc.variations.append("pools-kept")


def match_catalog_to_kind(sc: Scenario) -> None:
    """A server package's catalog is the one its Windows has (issue 21): MTS on NT 4.0, COM+ from Windows 2000 on.
    The draw above picks a catalog before the kind; a COM+ catalog on NT 4.0 (or MTS on 2000) is no real host."""
    if not sc.host.get("packages"):
        return
    drawn = sc.host.get("catalog")
    catalog = "mts" if (sc.host.get("kind") or "nt4") == "nt4" else "complus"
    if catalog == drawn:
        return
    names = sc.host.pop("has_tlist" if drawn == "mts" else "has_tasklist", False)
    sc.host.update(catalog=catalog)
    sc.host["has_tlist" if catalog == "mts" else "has_tasklist"] = names
    sc.variations[sc.variations.index(f"package:{drawn}")] = f"package:{catalog}"


# How the host releases the DLL (the module's method, strategies.py), as the scenario's host predicts it; a run
# checks the prediction against the method the module reports.
STRATEGY_METHODS = {
    "restart": {"service_restart"},
    "unload": {"unload"},
    "package": {"package_shutdown", "mtxstop"},
    "pool": {"pool_restart"},
}
WORKER_MODE_KINDS = ("w2k3", "w2k8r2", "w2k19")


def strategy(sc: Scenario) -> str:
    """restart (in-process), unload (isolated), package (a server package or IIS 5's pooled COM+ application) or
    pool (IIS 6+ worker process isolation): what releases the DLL on the scenario's host without a fault."""
    if sc.host.get("packages"):
        return "package"
    kind = sc.host.get("kind", "nt4")
    if kind in WORKER_MODE_KINDS and not sc.host.get("iis5_isolation_mode"):
        return "pool"
    shop = (sc.host.get("sites") or default_host(sc.fleet, "127.0.0.2").sites)[0].apps[1]
    return {0: "restart", 1: "unload", 2: "package"}[shop.app_isolated if shop.app_isolated is not None else sc.fleet]


def outage_needle(sc: Scenario, strat: str) -> str:
    """Text of the command line that releases the DLL (the outage line) for the strategy."""
    if strat == "restart":
        return "net stop"
    if strat == "unload":
        return "APPUNLOAD"
    if strat == "package":
        return "catalog shutdown"
    return "AppPoolCommand" if sc.host.get("kind") == "w2k3" else "stop apppool"


# Faults that only bite when IIS services are stopped and started (the restart path).
RESTART_FAULTS = ("stuck_stop", "fail_start", "killed_on_host")


def applicable(kind: str, strat: str, fallback: bool) -> bool:
    """Can fault ``kind`` bite on a host whose strategy is ``strat``?  The restart path is there in-process, and
    on an isolated host through the fallback (forced by an unload that frees nothing)."""
    restart_path = strat == "restart" or (strat == "unload" and fallback)
    if kind in RESTART_FAULTS:
        return restart_path
    if kind == "unload_noop":
        return strat == "unload"
    return True


def draw(seed: int) -> Scenario:
    rnd = random.Random(seed)  # noqa: S311 - a reproducible test scenario, not a secret
    fleet = rnd.randrange(2)
    services = ["IISADMIN", "W3SVC"] + [s for s in OPTIONAL_SERVICES if rnd.random() < 0.4]
    optional = [s for s in services if s in OPTIONAL_SERVICES]
    stopped = [s for s in optional if rnd.random() < 0.25]
    running = [s for s in services if s not in stopped]
    rename = rnd.random() < 0.6
    args: dict[str, Any] = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": ["/Shop"], "timeout": 5}
    if fleet == 1 and rnd.random() < 0.2:
        args["unload_fallback"] = False
    if rnd.random() < 0.25:
        args["register"] = True
    if rnd.random() < 0.15:
        args["backup"] = False
    if rnd.random() < 0.15:
        args["cmdline_limit"] = rnd.choice([900, 1200])  # outage line from a batch file
    timing = {
        "default_stop": round(rnd.uniform(0.01, 0.12), 3),
        "default_start": round(rnd.uniform(0.01, 0.12), 3),
        "net_give_up": 0.5,
    }
    sc = Scenario(seed, fleet, services, stopped, rename, args, "none", timing=timing)
    draw_variations(rnd, sc)
    # The fault is drawn among those that can bite on this host (its strategy, known once the host is drawn).
    strat = strategy(sc)
    fallback = args.get("unload_fallback", True)
    kinds = [k for k in FAULT_WEIGHTS if applicable(k, strat, fallback)]
    fault = rnd.choices(kinds, weights=[FAULT_WEIGHTS[k] for k in kinds])[0]
    sc.fault = fault
    if fault == "regsvr32_fail" and not args.get("register"):
        args["register"] = True
    # Where the restart path is taken: in-process; isolated only through the fallback (forced here by an
    # unload that frees nothing, for the faults that only bite on the restart path).
    restart_path = strat == "restart"
    forced = fault in RESTART_FAULTS or (fault == "drop_during_outage" and rnd.random() < 0.5)
    if strat == "unload" and fallback and forced:
        sc.faults["unload_noop"] = True
        restart_path = True
    needle = "net stop" if restart_path else outage_needle(sc, strat)
    # the outage line, or the call of its batch file (harness.LoseCommand skips the batch file's writes)
    line: str | tuple[str, ...] = (needle, "call ")
    if fault == "stuck_stop":
        sc.faults["stuck_stop"] = [rnd.choice([s for s in running if s != "IISADMIN"] or ["W3SVC"])]
    elif fault == "fail_start":
        svc = rnd.choice(running)
        kind = rnd.choice(["noreport", f"specific:{rnd.randint(1, 99)}", f"system:{rnd.choice([5, 1053, 1067])}"])
        sc.faults["fail_start"] = {svc: kind}
    elif fault == "foreign_lock":
        sc.faults["foreign_locks"] = [SHOP_DLL]
    elif fault == "unload_noop":
        sc.faults["unload_noop"] = True
    elif fault == "access_denied":
        sc.faults["access_denied"] = [rnd.choice([SHOP_DLL, BIN])]
    elif fault == "disk_full":
        sc.faults["disk_full"] = True
    elif fault == "src_unreadable":
        sc.faults["unreadable"] = [STAGED_DLL]
    elif fault == "regsvr32_fail":
        sc.faults["regsvr32_fail"] = rnd.choice([3, 4, 5])
    elif fault == "drop_gather_stage":
        if rnd.random() < 0.5:
            sc.faults["drop_after_requests"] = rnd.randint(0, 8)
        else:
            sc.faults["drop_on_command"] = rnd.choice(GATHER_STAGE_LINES[strat])
    elif fault == "drop_during_outage" and restart_path:
        sc.trigger = {
            "service": rnd.choice(running),
            "state": rnd.choice(["STOP_PENDING", "STOPPED", "START_PENDING"]),
            "outage": round(rnd.uniform(0.2, 1.5), 2),
        }
    elif fault == "drop_during_outage":
        sc.lose = {"needle": line, "when": rnd.choice(["after", "done"]), "nth": 1}
        if sc.lose["when"] == "after":
            sc.fault = "drop_at_outage_command"
    elif fault == "drop_after_start":
        sc.lose = {"needle": line, "when": "done", "nth": 1}
    elif fault == "drop_at_outage_command":
        sc.faults["drop_on_command"] = needle
    elif fault == "lost_outage_command":
        sc.lose = {"needle": line, "when": "before", "nth": 1}
    elif fault == "batch_write_answer_lost":
        args["cmdline_limit"] = 900
        # a short sequence (unload, package, pool) takes two writes of the batch file, a restart more
        sc.lose = {"needle": ".iis4run.cmd", "when": "after", "nth": rnd.randint(1, 3 if restart_path else 2)}
    elif fault == "wsman_down":
        sc.faults["wsman_down"] = True
    elif fault == "killed_on_host":
        sc.trigger = {
            "service": rnd.choice(running),
            "state": rnd.choice(["STOPPED", "START_PENDING"]),
            # the outage line, or the batch file it runs from when it is too long for one command line
            "kill": ("net stop", ".iis4run.cmd"),
        }
    draw_late_switches(rnd, sc)
    sc.strategy = strat
    return sc


# Command lines of the gather and staging steps a connection can be dropped at, per strategy.
_GATHER_STAGE = ["copy /b", "ENUM_ALL", "net start 2>&1&"]
GATHER_STAGE_LINES = {"restart": _GATHER_STAGE, "unload": _GATHER_STAGE, "package": _GATHER_STAGE, "pool": ["copy /b"]}


@dataclass
class RunReport:
    scenario: Scenario
    outcome: str
    rerun: str
    violations: list[str]
    known_defect: str | None
    seconds: float

    @property
    def unexplained(self) -> bool:
        return bool(self.violations) and self.known_defect is None


def _outcome(result: dict[str, Any]) -> str:
    if result.get("failed"):
        return f"failed at step {result.get('step')}"
    return "succeeded"


def _safe_run(host: Any, args: dict[str, Any]) -> dict[str, Any]:
    try:
        return h.run_module(host, args)
    except Exception as exc:  # noqa: BLE001 - a raised exception is an invariant-3 violation
        return {"failed": True, "msg": "", "exception": f"run_update raised {exc!r}"}


def run_one(lab: Any, seed: int) -> RunReport:
    sc = draw(seed)
    cfg = build_config(
        f"CAMP{seed}",
        fleet_index=sc.fleet,
        services=sc.services,
        stopped_services=sc.stopped,
        rename_loaded_image=sc.rename,
        timing=sc.timing,
        **copy.deepcopy(sc.host),
    )
    host = lab.add_host(cfg, auto_ip=True)
    started = time.monotonic()
    try:
        before = h.capture(host)
        before.served = h.served_version(host)
        pools = h.pool_states(host)  # every pool (and IIS 7+ site) keeps its state (review S1/S2/S3)
        faults_set = time.monotonic()
        if sc.faults:
            host.set_faults(**sc.faults)
        trig: h.Trigger | None = None
        if sc.trigger:
            t = sc.trigger
            action = h.kill_command(t["kill"]) if t.get("kill") else None
            if t.get("outage"):
                action = h.network_outage(t["outage"])
            trig = h.Trigger(host, t["service"], t["state"], dict(t.get("faults") or {}), t.get("after"), action)
        lose: h.LoseCommand | None = None
        if sc.lose:
            lose = h.LoseCommand(host, sc.lose["needle"], sc.lose["when"], sc.lose.get("nth", 1))
        with trig or contextlib.nullcontext(), lose or contextlib.nullcontext():
            result = _safe_run(host, dict(sc.args))
        violations = h.did_not_bite(host, sc.faults, faults_set, trig, lose, trigger_text=sc.trigger, lose_text=sc.lose)
        violations += h.check_invariants(host, before, result, before.old_bytes, before.new_bytes)
        violations += h.pools_changed(host, pools, "after the run")
        host.reset_faults()
        if not h.wait_quiet(host, timeout=30):
            violations.append("host: did not settle after the faulted run")
        record_left = h.record_present(host)
        again = _safe_run(host, dict(sc.args))
        if not h.wait_quiet(host, timeout=30):
            violations.append("host: did not settle after the rerun")
        violations += h.check_converged(host, before, again, before.new_bytes)
        violations += [v.replace("2:", "4:", 1) for v in h.pools_changed(host, pools, "after the rerun")]
        if record_left and not again.get("recovered"):
            violations.append("4: a state record was left, but the rerun does not report `recovered`")
        rerun = ("recovered, " if again.get("recovered") else "") + _outcome(again)
        methods = {str(r.get("method")) for r in (result, again) if r.get("method") not in (None, "none")}
        expected = STRATEGY_METHODS[sc.strategy] | ({"service_restart"} if sc.faults.get("unload_noop") else set())
        if not methods & expected:
            violations.append(f"test: the scenario expects the {sc.strategy} strategy, the module used {methods}")
        known = known_defect(sc, result, violations) if violations else None
        return RunReport(sc, _outcome(result), rerun, violations, known, time.monotonic() - started)
    finally:
        lab.remove_host(host.name)


@dataclass
class CampaignSummary:
    runs: int = 0
    violating: list[RunReport] = field(default_factory=list)
    known: list[RunReport] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=dict)  # "<fault> / <strategy>": runs where it took effect
    outcomes: dict[str, int] = field(default_factory=dict)
    not_fired: int = 0  # runs whose fault did not take effect (each also a violating run)
    seconds: float = 0.0

    def add(self, rep: RunReport) -> None:
        self.runs += 1
        self.seconds += rep.seconds
        if any(v.startswith("test:") for v in rep.violations):
            self.not_fired += 1
        else:
            key = f"{rep.scenario.fault} / {rep.scenario.strategy}"
            self.faults[key] = self.faults.get(key, 0) + 1
        self.outcomes[rep.outcome] = self.outcomes.get(rep.outcome, 0) + 1
        if rep.unexplained:
            self.violating.append(rep)
        elif rep.violations:
            self.known.append(rep)

    def failure_text(self) -> str:
        lines = [f"{len(self.violating)} of {self.runs} runs broke an invariant (not a known module defect):"]
        for rep in self.violating:
            lines.append(f"  {rep.scenario.describe()}")
            lines.append(f"    outcome {rep.outcome}; rerun {rep.rerun}")
            lines += [f"    - {v[:300]}" for v in rep.violations]
            lines.append(f"    replay: CAMPAIGN_REPLAY={rep.scenario.seed} pytest tests/integration/faults -k replay")
        return "\n".join(lines)


def run_campaign(lab: Any, seeds: range | list[int]) -> CampaignSummary:
    summary = CampaignSummary()
    for seed in seeds:
        summary.add(run_one(lab, seed))
    return summary

"""Record whole update runs on lab machines (no wire) for the unit tests: ``python -m
tests.unit.plugins.module_utils.recorded.record_runs`` from the project root rewrites ``runs/*.json``.

Each file holds the options, then every command line the run sent with the step name and what the host printed
(LF line ends), and the result the run returned.  The unit tests replay them through a runner that answers each
step from the recording (:mod:`tests.unit.plugins.module_utils.replay`), so every strategy's release is read from
what a host really printed.  Not a test: it needs the lab.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.winrm_runner import CommandResult
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.lab.host import boot
from tests.lab.machine import web
from tests.lab.machine.config import (
    SHOP_DLL,
    STAGED_DLL,
    AppPoolConfig,
    SiteConfig,
    Timing,
    default_host,
    load_scenario,
)
from tests.lab.machine.events import EventLog

HERE = Path(__file__).parent / "runs"
ROOT = Path(__file__).resolve().parents[5]


class MachineRunner:
    """A runner on a lab machine without the wire; records what each line printed."""

    def __init__(self, machine: Any) -> None:
        self.machine = machine
        self.requests = 0
        self.sent: list[dict[str, Any]] = []

    def run(self, step: str, command: str, timeout: float | None = None) -> CommandResult:
        t0 = time.monotonic()
        out, err, rc = self.machine.run(command, timeout=timeout or 60)
        self.requests += 3
        self.sent.append({"step": step, "command": command, "stdout": out, "stderr": err, "rc": rc})
        chunks = [(time.monotonic(), out)]
        return CommandResult(step, command, out, err, rc, t0, time.monotonic() - t0, chunks)

    def reset(self) -> None:
        pass

    def close(self) -> None:
        pass

    def scrub(self, text: str) -> str:
        return text


def machine(
    cfg: Any, path: str = "/Shop/", setup: tuple[str, ...] = (), rename_loaded_image: bool | None = None, **faults: Any
) -> Any:
    # AppPoolState settles at once and tlist prints no window titles: a replay must not depend on how long a poll
    # waited, and these runs record how each strategy reads its sequence (the polling and the titles are tested on
    # the lab: tests/integration/module/test_realhosts.py, _release/test_strategies.py, the parser tests).
    cfg.timing = Timing(default_stop=0.0, default_start=0.0, net_poll=0.01, net_give_up=0.3, pool_transition=0.0)
    cfg.tlist_titles = False
    if rename_loaded_image is not None:
        cfg.rename_loaded_image = rename_loaded_image
    cfg.faults.update(**faults)
    m = boot(cfg, EventLog())
    web.handle_request(m, cfg.web_port, "/Shop/")  # the DLL is loaded, as on a live server
    if path != "/Shop/":
        web.handle_request(m, cfg.web_port, path)
    for line in setup:  # what an earlier run left behind, made with the host's own commands
        m.run(line)
    return m


def versions(name: str) -> Any:
    return next(c for c in load_scenario(ROOT / "tests/lab/scenarios/versions.yaml") if c.name == name)


def packages(name: str) -> Any:
    return next(c for c in load_scenario(ROOT / "tests/lab/scenarios/packages.yaml") if c.name == name)


def record_echoes(*lines: str) -> str:
    """The echo commands that write an earlier restart's state record (``lines`` added)."""
    record = [
        "run=20260101000000",
        f"dest={SHOP_DLL}",
        f"src={STAGED_DLL}",
        f"staged={SHOP_DLL}.iis4new",
        f"backup={SHOP_DLL}.20260101000000.bak",
        "method=service_restart",
        "services=IISADMIN,W3SVC",
        *lines,
    ]
    return "&".join(f"echo {line}" for line in record)


def earlier_run(*lines: str) -> tuple[str, ...]:
    """An earlier run that staged the new DLL, wrote its state record (``lines`` added) and stopped W3SVC."""
    echo = record_echoes(*lines)
    return (f'copy /b /y "{STAGED_DLL}" "{SHOP_DLL}.iis4new"', f'({echo})>"{SHOP_DLL}.iis4state"', "net stop W3SVC")


def undo_interrupted() -> tuple[str, ...]:
    """An earlier run whose registration of the new DLL failed after the restart: it left the undo flag and was
    ended on the host before the undo stopped IIS (the new DLL at dest, the old one as the backup, IIS running)."""
    echo = record_echoes("started=restart")
    return (
        "net stop IISADMIN /y",
        f'ren "{SHOP_DLL}" "ShopCart.dll.20260101000000.bak"',
        f'copy /b /y "{STAGED_DLL}" "{SHOP_DLL}"',
        f'({echo})>"{SHOP_DLL}.iis4state"',
        f'(echo undo)>"{SHOP_DLL}.iis4undo"',
        "net start W3SVC",
    )


def fallback_with_stopped_pool_and_site() -> Any:
    """IIS 10: the shop's worker keeps the DLL, so the pool restart falls back to restarting IIS, which starts a
    pool and a site an administrator had stopped (review S1, S3): the run stops them again."""
    cfg = versions("W2K19")
    cfg.app_pools = [*cfg.app_pools, AppPoolConfig("Idle Pool (old)", started=False)]
    cfg.sites = [*cfg.sites, SiteConfig(len(cfg.sites) + 1, "Old Shop", "C:\\InetPub\\oldshop", started=False)]
    return machine(cfg, rename_loaded_image=False, worker_keeps_dll=True)


def combined(name: str) -> Any:
    return next(c for c in load_scenario(ROOT / "tests/lab/scenarios/combined.yaml") if c.name == name)


#: Several DLLs in one task (issue 23): the task's ``components`` over the combined scenario's hosts.
THREE = {
    "application": ["/Shop"],
    "timeout": 5,
    "components": [
        {"src": "C:\\Staging\\ShopCart.dll", "dest": "C:\\InetPub\\shop\\bin\\ShopCart.dll"},
        {"src": "C:\\Staging\\Pricing.dll", "dest": "C:\\InetPub\\shop\\bin\\Pricing.dll"},
        {"src": "C:\\Staging\\Tax.dll", "dest": "C:\\InetPub\\common\\Tax.dll"},
    ],
}
TWO_POOLS = {**THREE, "application": ["/Shop", "/Orders"], "components": THREE["components"][:2]}


def worker_with_package() -> Any:
    """IIS 6 worker process isolation where a COM+ server application owns the DLL and the pool's worker also loads
    it directly: the package shutdown does not free it, and the pool restart follows."""
    cfg = versions("W2K3-WORKER")
    cfg.packages = packages("PKG08").packages
    cfg.has_tasklist = True
    for site in cfg.sites:
        for app in site.apps:
            if app.path == "/Shop":
                app.direct_components = list(app.components)
    return machine(cfg)


PACKAGE_ARGS = {"src": "C:\\Staging\\ShopCart.dll", "dest": "C:\\InetPub\\shop\\bin\\ShopCart.dll"}
ARGS = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": ["/Shop"], "timeout": 5}

SCENARIOS: dict[str, tuple[Any, dict[str, Any]]] = {
    "restart_ok": (lambda: machine(default_host(0, "127.0.0.2")), {}),
    "restart_start_fails": (lambda: machine(default_host(0, "127.0.0.2"), fail_start={"W3SVC": "noreport"}), {}),
    "restart_register_fails": (lambda: machine(default_host(0, "127.0.0.2"), regsvr32_fail=3), {"register_dll": True}),
    "unload_ok": (lambda: machine(default_host(1, "127.0.0.2")), {}),
    "unload_falls_back": (lambda: machine(default_host(1, "127.0.0.2"), unload_noop=True), {}),
    "unload_no_fallback": (
        lambda: machine(default_host(1, "127.0.0.2"), unload_noop=True),
        {"unload_fallback": False},
    ),
    "restart_held_by_another_program": (
        lambda: machine(default_host(0, "127.0.0.2"), foreign_locks={SHOP_DLL}),
        {},
    ),
    "restart_iis_did_not_stop": (lambda: machine(default_host(0, "127.0.0.2"), stuck_stop={"W3SVC"}), {}),
    "pool_old_worker_still_exiting": (lambda: machine(versions("W2K8R2"), worker_keeps_dll=True), {}),
    "first_copy": (lambda: machine(default_host(0, "127.0.0.2")), {"dest": "C:\\InetPub\\shop\\new.dll"}),
    "pool_ok": (lambda: machine(versions("W2K3-WORKER")), {}),
    "pool_fallback_keeps_states": (fallback_with_stopped_pool_and_site, {}),
    "pool_stuck_no_fallback": (
        lambda: machine(versions("W2K3-WORKER"), pool_stop_stuck=True),
        {"unload_fallback": False},
    ),
    "check_mode_restart": (lambda: machine(default_host(0, "127.0.0.2")), {"_check_mode": True}),
    "recover_unfinished": (lambda: machine(default_host(2, "127.0.0.2"), setup=earlier_run("started=restart")), {}),
    "recover_finished": (
        lambda: machine(default_host(2, "127.0.0.2"), setup=earlier_run("started=restart", "finished=restart")),
        {},
    ),
    "recover_mid_undo": (lambda: machine(default_host(0, "127.0.0.2"), setup=undo_interrupted()), {}),
    # the registration after the restart (no rename at staging) fails: the undo runs line by line from the batch file
    "restart_register_fails_norename": (
        lambda: machine(default_host(0, "127.0.0.2"), rename_loaded_image=False, regsvr32_fail=3),
        {"register_dll": True, "cmdline_limit": 900},
    ),
    "recover_untrusted_record": (
        lambda: machine(default_host(2, "127.0.0.2"), setup=earlier_run("started=restart", "staged=C:\\other.dll")),
        {},
    ),
    "iis5_pooled": (lambda: machine(versions("W2K5-POOLED")), {}),
    "iis5_isolated": (lambda: machine(versions("W2K5-ISOLATED")), {}),
    "xp_inproc": (lambda: machine(versions("XP51")), {}),
    "iis75_pool": (lambda: machine(versions("W2K8R2")), {}),
    "iis10_pool_check_mode": (lambda: machine(versions("W2K19")), {"_check_mode": True}),
    "iis10_pool": (lambda: machine(versions("W2K19")), {}),
    "check_mode_unload": (lambda: machine(default_host(1, "127.0.0.2")), {"_check_mode": True}),
    "package_ok": (lambda: machine(packages("PKG01")), PACKAGE_ARGS),
    "package_then_iis": (lambda: machine(packages("PKG04"), path="/Orders/"), PACKAGE_ARGS),
    "package_then_pool": (worker_with_package, {}),
    "package_refused_mtxstop": (lambda: machine(packages("PKG01"), package_shutdown_refused=True), PACKAGE_ARGS),
    "combined_restart_ok": (lambda: machine(combined("CMB3"), rename_loaded_image=False), THREE),
    "combined_restart_held": (
        lambda: machine(
            combined("CMB3"), rename_loaded_image=False, foreign_locks={"C:\\InetPub\\shop\\bin\\Pricing.dll"}
        ),
        THREE,
    ),
    "combined_pools_ok": (lambda: machine(combined("CMBPOOL"), path="/Orders/"), TWO_POOLS),
}


def record(name: str) -> dict[str, Any]:
    make, overrides = SCENARIOS[name]
    m = make()
    args = {**ARGS, **overrides}
    check_mode = bool(args.pop("_check_mode", False))
    runner = MachineRunner(m)
    if "components" in args:  # several DLLs: the task's rollout (rename_loaded_image: a machine() option)
        args.pop("src"), args.pop("dest")
        result = run_rollout(dict(args), runner, check_mode=check_mode)
    else:
        result = run_update(dict(args), runner, check_mode=check_mode)
    return {"args": args, "check_mode": check_mode, "sent": runner.sent, "result": result}


def main(names: list[str]) -> None:
    HERE.mkdir(exist_ok=True)
    for name in names or list(SCENARIOS):
        data = record(name)
        for sent in data["sent"]:
            sent["stdout"] = sent["stdout"].replace("\r\n", "\n")
            sent["stderr"] = sent["stderr"].replace("\r\n", "\n")
        (HERE / f"{name}.json").write_text(json.dumps(data, indent=1, default=str) + "\n")
        r = data["result"]
        print(f"{name}: method={r.get('method')} failed={r.get('failed')} step={r.get('step')}: {r.get('msg')}")


if __name__ == "__main__":
    main(sys.argv[1:])

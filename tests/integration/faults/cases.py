"""The fault matrix as data: every named case, the bad inputs, the Ansible-level cases, the campaign chunks.

Host kinds (tests.lab.machine.config.default_host): fleet host 0 runs /Shop in-process and has FTP and SMTP; fleet
host 1 runs /Shop isolated (its own mtx.exe) with IIS Admin and WWW only.  ``rename`` is the NT loader's
share mode on the host: whether a loaded DLL may be renamed (then the swap can happen before any outage).

A case that fails because of a known module defect carries ``defect``: the test is then
``xfail(strict=True)`` with that reason, so it turns red as soon as the module is fixed (remove it then).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.lab.machine.config import (
    SHOP_DLL,
    STAGED_DLL,
    AppPoolConfig,
    ComponentConfig,
    ExtraService,
    ForeignLoader,
    PackageConfig,
    SiteConfig,
    default_host,
)

IN_PROCESS = 0
ISOLATED = 1
BIN = SHOP_DLL.rsplit("\\", 1)[0]
WITH_FTP_SMTP = {"services": ["IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"]}
#: The restart's outage line: one command line, or the call of its batch file where it does not fit the host's
#: command line (NT 4's 2047 characters do not hold it since the wait for inetinfo.exe to exit, issue 21).
OUTAGE_LINE = ("net stop", "call ")
SLOW_OUTAGE = {"timing": {"default_stop": 0.3, "default_start": 0.3, "net_give_up": 1.0}}


@dataclass(frozen=True)
class Trig:
    """Set ``faults`` (or run ``action``) when ``service`` reaches ``state`` (after first reaching ``after``)."""

    service: str
    state: str
    faults: dict[str, Any] = field(default_factory=dict)
    after: str | None = None
    # terminate the host's command line containing this text, or any of these (cmd.exe killed); an outage that does
    # not fit the host's line runs from a batch file (NT 4 with FTP and SMTP since the wait for inetinfo.exe)
    kill: str | tuple[str, ...] | None = None
    outage: float | None = None  # the host's WinRM listener goes away for this long (connections reset)


@dataclass(frozen=True)
class Lose:
    """Lose the connection around the ``nth`` command line containing ``needle`` (harness.LoseCommand)."""

    needle: str | tuple[str, ...]  # any of these (harness.LoseCommand: a batch file's writes never count)
    when: str = "before"  # "before": never reaches the host; "after": runs, answer lost; "done": end report lost
    nth: int = 1


@dataclass(frozen=True)
class Case:
    id: str
    fault: str  # the row label in the generated table
    fleet: int
    expect: str  # "succeeded", "failed" (any step) or "failed:<step>"
    rename: bool = True
    faults: dict[str, Any] = field(default_factory=dict)
    trigger: Trig | None = None
    lose: Lose | None = None
    args: dict[str, Any] = field(default_factory=dict)  # module argument overrides for the faulted run
    rerun_args: dict[str, Any] | None = None  # None: the same arguments again; {} when the fault WAS an argument
    host: dict[str, Any] = field(default_factory=dict)  # HostConfig overrides
    setup: str | None = None  # name of a host preparation in test_fault_matrix.SETUPS
    needles: tuple[str, ...] = ()  # text the message must contain (the host's answer), case-insensitive
    expect_recovered: bool = False  # the rerun must report that it recovered from a state record
    kill_controller: Trig | None = None  # first run in a child process, SIGKILLed at this moment; rerun at once
    defect: str | None = None
    # With ``defect``: the text of each violation the documented failure produces (every one must occur, and
    # no other violation); the strict xfail accepts only that failure.
    defect_violations: tuple[str, ...] = ()
    mode: str | None = None  # what the isolation column says when the host is not IIS 4.0 (issue 13)
    # More DLLs of /Shop updated in the same task (issue 23), after ShopCart.dll: names of fake DLLs (old 1.0.0.0
    # in /Shop's bin, new 2.0.0.0 in C:\Staging); the run is the task's ``components`` (test_fault_matrix).
    components: tuple[str, ...] = ()
    # Lab events that show a switch of the host took effect: (event kind, ((detail key, value), ...)) each
    bites: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()

    @property
    def isolation(self) -> str:
        if self.mode:
            return self.mode
        return "isolated" if self.fleet == ISOLATED else "in-process"


def _both(
    id_: str, fault: str, expect: str | tuple[str, str], *, defect: tuple[str | None, str | None] = (None, None), **kw
) -> list[Case]:
    """The same fault on an in-process host and an isolated host (fallback to a restart where it applies)."""
    e_in, e_iso = (expect, expect) if isinstance(expect, str) else expect
    iso_kw = dict(kw)
    iso_faults = kw.get("iso_faults")
    iso_kw.pop("iso_faults", None)
    kw.pop("iso_faults", None)
    if iso_faults is not None:
        iso_kw["faults"] = iso_faults
    return [
        Case(f"{id_}-inproc", fault, IN_PROCESS, e_in, defect=defect[0], **kw),
        Case(f"{id_}-isolated", fault, ISOLATED, e_iso, defect=defect[1], **iso_kw),
    ]


MATRIX: list[Case] = [
    # -- control rows: no fault
    *_both("no-fault", "none (control)", "succeeded"),
    Case(
        "no-fault-inproc-norename",
        "none (control), rename of a loaded DLL refused",
        IN_PROCESS,
        "succeeded",
        rename=False,
    ),
    # -- service stuck in STOP_PENDING past net.exe's patience
    Case(
        "stuck-stop-inproc",
        "W3SVC stuck in STOP_PENDING",
        IN_PROCESS,
        "failed:stop",
        faults={"stuck_stop": ["W3SVC"]},
        needles=("could not be stopped", "OLD DLL", "W3SVC"),
    ),
    Case(
        "stuck-stop-inproc-norename",
        "W3SVC stuck in STOP_PENDING",
        IN_PROCESS,
        "failed:stop",
        rename=False,
        faults={"stuck_stop": ["W3SVC"]},
        needles=("could not be stopped", "OLD DLL", "W3SVC"),
    ),
    Case(
        "stuck-stop-isolated",
        "W3SVC stuck in STOP_PENDING (unload did nothing: fallback)",
        ISOLATED,
        "failed:stop",
        faults={"stuck_stop": ["W3SVC"], "unload_noop": True},
        needles=("could not be stopped", "W3SVC"),
    ),
    # -- a service fails to start after the swap
    Case(
        "fail-start-iisadmin-inproc",
        "IISADMIN fails to start after the swap",
        IN_PROCESS,
        "failed:start",
        faults={"fail_start": {"IISADMIN": "specific:5"}},
        needles=("IISADMIN", "service specific error"),
    ),
    Case(
        "fail-start-iisadmin-isolated",
        "IISADMIN fails to start after the swap (fallback)",
        ISOLATED,
        "failed:start",
        faults={"fail_start": {"IISADMIN": "specific:5"}, "unload_noop": True},
        needles=("IISADMIN", "service specific error"),
    ),
    Case(
        "fail-start-w3svc-inproc",
        "W3SVC fails to start after the swap",
        IN_PROCESS,
        "failed:start",
        faults={"fail_start": {"W3SVC": "noreport"}},
        needles=("W3SVC", "did not report an error"),
    ),
    Case(
        "fail-start-w3svc-isolated",
        "W3SVC fails to start after the swap (fallback)",
        ISOLATED,
        "failed:start",
        faults={"fail_start": {"W3SVC": "noreport"}, "unload_noop": True},
        needles=("W3SVC", "did not report an error"),
    ),
    Case(
        "fail-start-ftp-inproc",
        "MSFTPSVC (dependent) fails to start",
        IN_PROCESS,
        "failed:start",
        faults={"fail_start": {"MSFTPSVC": "system:5"}},
        needles=("MSFTPSVC", "Access is denied"),
    ),
    Case(
        "fail-start-smtp-isolated",
        "SMTPSVC (dependent) fails to start (fallback)",
        ISOLATED,
        "failed:start",
        host=WITH_FTP_SMTP,
        faults={"fail_start": {"SMTPSVC": "system:1053"}, "unload_noop": True},
        needles=("SMTPSVC", "System error 1053"),
    ),
    # -- a foreign process holds the DLL: neither unload nor stop frees it
    *_both(
        "foreign-lock",
        "foreign process holds dest",
        # Still held once IIS has stopped: the old DLL stays, IIS starts again (issue 11, variation 6).
        "failed:stop",
        faults={"foreign_locks": [SHOP_DLL]},
        needles=("being used by another process", "old DLL"),
    ),
    # -- unload does not release the lock: fallback to a restart, or a clear failure
    Case(
        "unload-noop-isolated",
        "unload does not release the DLL (fallback)",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        needles=("fell back",),
    ),
    Case(
        "unload-noop-isolated-norename",
        "unload does not release the DLL (fallback)",
        ISOLATED,
        "succeeded",
        rename=False,
        faults={"unload_noop": True},
        needles=("fell back",),
    ),
    Case(
        "unload-noop-isolated-nofallback",
        "unload does not release the DLL, unload_fallback off",
        ISOLATED,
        "failed:unload",
        faults={"unload_noop": True},
        args={"unload_fallback": False},
        needles=("unload_fallback is off",),
    ),
    Case(
        "unload-noop-isolated-nofallback-norename",
        "unload does not release the DLL, unload_fallback off",
        ISOLATED,
        "failed:unload",
        rename=False,
        faults={"unload_noop": True},
        args={"unload_fallback": False},
        needles=("unload_fallback is off", "old DLL"),
    ),
    # -- access denied
    *_both(
        "access-denied-dest",
        "access denied on dest",
        "failed:gather",
        faults={"access_denied": [SHOP_DLL]},
        needles=("Access is denied",),
    ),
    *_both(
        "access-denied-dir",
        "access denied on the folder of dest",
        "failed:gather",
        faults={"access_denied": [BIN]},
        needles=("Access is denied",),
    ),
    # -- disk full while staging
    *_both(
        "disk-full",
        "disk full while staging",
        "failed:stage",
        faults={"disk_full": True},
        needles=("not enough space on the disk",),
    ),
    # -- src missing or unreadable, dest folder missing
    *_both(
        "src-missing",
        "src missing",
        "failed:validate",
        args={"src": "C:\\Staging\\Missing.dll"},
        rerun_args={},
        needles=("does not exist on the host",),
    ),
    *_both(
        "src-unreadable",
        "src unreadable",
        "failed:compare",
        faults={"unreadable": [STAGED_DLL]},
        needles=("Permission denied",),
    ),
    *_both(
        "dest-dir-missing",
        "dest folder missing",
        "failed:validate",
        args={"dest": "C:\\InetPub\\shop\\nobin\\ShopCart.dll"},
        rerun_args={},
        needles=("does not exist on the host",),
    ),
    # -- regsvr32 fails: the old DLL goes back
    *_both(
        "regsvr32-fail",
        "regsvr32 fails (rolled back)",
        "failed:register",
        faults={"regsvr32_fail": 5},
        args={"register": True},
        rerun_args={"register": True},
        needles=("regsvr32", "old DLL was put back"),
    ),
    # issue 21 (defect 7): the rename at staging is refused, so regsvr32 runs with the new DLL swapped in during
    # the restart.  It runs once the services are started again: a DllRegisterServer that never returns keeps no
    # service down (nothing on the host bounds regsvr32; test_realhosts shows the hang), and a failed one puts the
    # old DLL back in a second, short outage.
    Case(
        "regsvr32-fail-norename-inproc",
        "regsvr32 fails, no rename (old DLL back in a second outage)",
        IN_PROCESS,
        "failed:register",
        rename=False,
        faults={"regsvr32_fail": 5},
        args={"register": True},
        rerun_args={"register": True},
        needles=("regsvr32", "old DLL was put back"),
    ),
    # -- issue 23: three in-process DLLs in one IIS restart; the second one's swap is refused while IIS is down
    Case(
        "second-of-three-fails-inproc",
        "second of three DLLs fails in one outage (all three back, one outage)",
        IN_PROCESS,
        "failed:stop",  # opening the DLL once IIS is down fails: it counts as held (as for one DLL)
        rename=False,  # the swaps happen inside the outage
        trigger=Trig("W3SVC", "STOPPED", faults={"access_denied": [f"{BIN}\\Pricing.dll"]}),
        components=("Pricing", "Tax"),
        # the task names the DLL that failed (the other two were put back with it: their own entries say so)
        needles=("components[1]", "Pricing.dll", "Access is denied", "dest still holds the old DLL"),
    ),
    Case(
        "killed-on-host-three-dlls-inproc",
        "cmd.exe killed on the host after three DLLs were swapped in one outage (batch file): all three put back",
        IN_PROCESS,
        "failed",
        rename=False,
        # IIS Admin starting again: every DLL is swapped, nothing has checked or tidied them; only the first DLL's
        # state record is read by the run's recovery, and it names the other two (group=)
        trigger=Trig("IISADMIN", "RUNNING", after="STOPPED", kill=".iis4run.cmd"),
        components=("Pricing", "Tax"),
        expect_recovered=True,
    ),
    # -- the WinRM connection drops
    *_both("drop-gather", "connection drops while reading the host", "succeeded", faults={"drop_after_requests": 3}),
    *_both(
        "drop-before-stop",
        "connection drops before the stop (staging)",
        "succeeded",
        faults={"drop_on_command": "copy /b"},
    ),
    Case(
        "drop-at-outage-command-inproc",
        "connection drops as the outage line is sent",
        IN_PROCESS,
        "succeeded",
        faults={"drop_on_command": "net stop"},
        host=SLOW_OUTAGE,
    ),
    Case(
        "rerun-while-sequence-runs-inproc",
        "controller killed while IIS is down, rerun at once (the host still runs the outage line)",
        IN_PROCESS,
        "succeeded",
        host={"timing": {"default_stop": 0.3, "default_start": 0.6, "net_give_up": 2.0}},
        kill_controller=Trig("W3SVC", "STOPPED"),
        expect_recovered=True,
    ),
    Case(
        "rerun-while-fallback-runs-isolated",
        "controller killed during the fallback restart, rerun at once",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        host={"timing": {"default_stop": 0.3, "default_start": 0.6, "net_give_up": 2.0}},
        kill_controller=Trig("W3SVC", "STOPPED"),
        expect_recovered=True,
    ),
    Case(
        "drop-at-unload-command-isolated",
        "connection drops as the unload line is sent",
        ISOLATED,
        "succeeded",
        faults={"drop_on_command": "APPUNLOAD"},
    ),
    Case(
        "lost-outage-command-inproc",
        "outage line lost before it reaches the host",
        IN_PROCESS,
        "succeeded",
        lose=Lose(OUTAGE_LINE),
    ),
    Case(
        "lost-unload-command-isolated",
        "unload line lost before it reaches the host",
        ISOLATED,
        "succeeded",
        lose=Lose("APPUNLOAD"),
    ),
    Case(
        "batch-write-answer-lost-inproc",
        "answer to a batch-file write lost (retried)",
        IN_PROCESS,
        "succeeded",
        args={"cmdline_limit": 900},
        lose=Lose(".iis4run.cmd", when="after", nth=3),
    ),
    Case(
        "drop-during-fallback-outage-isolated",
        "connection drops during the fallback restart (services start slowly)",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        host={"timing": {"default_start": 0.5, "net_give_up": 1.0}},
        trigger=Trig("W3SVC", "STOPPED", {"drop_after_requests": 0}),
    ),
    Case(
        "drop-during-outage-inproc",
        "connection drops during the outage (WinRM gone for 1 s)",
        IN_PROCESS,
        "succeeded",
        host=SLOW_OUTAGE,
        trigger=Trig("W3SVC", "STOPPED", outage=1.0),
        needles=("connection dropped",),
    ),
    Case(
        "drop-during-outage-isolated",
        "connection drops during the fallback outage (WinRM gone for 1 s)",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        host=SLOW_OUTAGE,
        trigger=Trig("W3SVC", "STOPPED", outage=1.0),
        needles=("connection dropped",),
    ),
    Case(
        "drop-after-start-inproc",
        "connection drops after the start (the final answer is lost)",
        IN_PROCESS,
        "succeeded",
        lose=Lose(OUTAGE_LINE, when="done"),
        needles=("connection dropped",),
    ),
    Case(
        "drop-after-start-isolated",
        "connection drops after the start of the fallback (the final answer is lost)",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        lose=Lose(OUTAGE_LINE, when="done"),
        needles=("connection dropped",),
    ),
    *_both(
        "wsman-down", "WinRM listener down", "failed:connect", faults={"wsman_down": True}, needles=("cannot reach",)
    ),
    # -- crash safety: the sequence is cut short on the host, a later run finds the state record
    Case(
        "killed-on-host-inproc",
        "cmd.exe killed on the host while IIS is down",
        IN_PROCESS,
        "failed",
        trigger=Trig("IISADMIN", "STOPPED", kill=("net stop", ".iis4run.cmd")),
        expect_recovered=True,
    ),
    Case(
        "killed-on-host-mid-stop-inproc",
        "cmd.exe killed on the host in the middle of 'net stop'",
        IN_PROCESS,
        "failed",
        trigger=Trig("W3SVC", "STOPPED", kill=("net stop", ".iis4run.cmd")),
        expect_recovered=True,
    ),
    Case(
        "killed-on-host-mid-stop-isolated",
        "cmd.exe killed on the host in the middle of the fallback's 'net stop'",
        ISOLATED,
        "failed",
        faults={"unload_noop": True},
        host={"services": ["IISADMIN", "W3SVC", "SMTPSVC"]},
        trigger=Trig("W3SVC", "STOPPED", kill=("net stop", ".iis4run.cmd")),
        expect_recovered=True,
    ),
    Case(
        "killed-on-host-batch-inproc",
        "cmd.exe killed on the host while IIS is down, the outage line run from a batch file",
        IN_PROCESS,
        "failed",
        args={"cmdline_limit": 900},
        trigger=Trig("IISADMIN", "STOPPED", kill=".iis4run.cmd"),
        expect_recovered=True,
    ),
    Case(
        "leftover-record-staged",
        "leftover state record (earlier run died after staging)",
        IN_PROCESS,
        "succeeded",
        setup="record_after_stage",
        expect_recovered=True,
    ),
    Case(
        "leftover-record-midswap-inproc",
        "leftover state record (died mid-swap, IIS stopped, dest renamed)",
        IN_PROCESS,
        "succeeded",
        setup="record_mid_swap",
        expect_recovered=True,
    ),
    Case(
        "leftover-record-midswap-isolated",
        "leftover state record (died mid-swap, dest renamed)",
        ISOLATED,
        "succeeded",
        setup="record_mid_swap",
        expect_recovered=True,
    ),
    # -- command lines longer than the host accepts: the outage runs from a batch file
    *_both("long-cmdline", "outage line over the host's limit (batch file)", "succeeded", args={"cmdline_limit": 900}),
    Case(
        "cmdline-limit-minimum",
        "smallest accepted cmdline_limit (512)",
        IN_PROCESS,
        "succeeded",
        args={"cmdline_limit": 512},
    ),
]


def _spelled_apart(fleet: int) -> dict[str, Any]:
    """Host overrides: /Shop's AppRoot stored as ``adsutil APPCREATE* w3svc/1/root/shop`` leaves it (KB Q246111)."""
    sites = copy.deepcopy(default_host(fleet, "127.0.0.2").sites)
    sites[0].apps[1].app_root = "/LM/w3svc/1/root/shop"
    return {"sites": sites}


#: Real hosts are not the lab's default (issue 11): one row per variation, in both isolation modes where it applies.
VARIATIONS: list[Case] = [
    *[
        case
        for fleet, mode in ((IN_PROCESS, "inproc"), (ISOLATED, "isolated"))
        for case in [
            Case(
                f"approot-spelling-{mode}",
                "AppRoot spelled unlike the key",
                fleet,
                "succeeded",
                host=_spelled_apart(fleet),
            )
        ]
    ],
    *[
        case
        for reply in ("not_recognized", "usage", "silent")
        for case in _both(
            f"no-enum-all-{reply.replace('_', '-')}",
            f"stock adsutil.vbs without ENUM_ALL ({reply})",
            "succeeded",
            host={"adsutil_enum_all": False, "adsutil_enum_all_reply": reply},
        )
    ],
    *_both(
        "extra-services",
        "services outside IIS depend on IIS Admin and W3SVC",
        "succeeded",
        host={
            "extra_services": [
                ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"]),
                ExtraService("SSCONTENT", "Site Server Content Deployment", ["IISADMIN"]),
            ]
        },
        iso_faults={"unload_noop": True},  # isolated: through the fallback restart
    ),
    Case(
        "extra-services-no-sc-inproc",
        "a service outside IIS depends on W3SVC, no sc.exe to name it",
        IN_PROCESS,
        "failed:start",
        host={"has_sc": False, "extra_services": [ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"])]},
        needles=("Monitoring Agent", "sc.exe is installed", "start it by hand"),
        defect="without sc.exe a dependant outside IIS cannot be named, so it stays stopped (documented limit)",
        # the service stays stopped after the run (named by its display name only) and after the rerun
        defect_violations=(
            "2: MONAGENT ran before and is STOPPED now, but the result does not name it",
            "4: MONAGENT ran before and is STOPPED after the rerun",
        ),
    ),
    # In-process, a holder outside IIS is the foreign-lock rows: the outage keeps the old DLL and fails at stop.
    Case(
        "foreign-loader-exits-isolated",
        "a scheduled job's cscript.exe loads the DLL for 1 s after boot",
        ISOLATED,
        "succeeded",
        host={"foreign_loaders": [ForeignLoader("cscript.exe", SHOP_DLL, 1.0)]},
    ),
    Case(
        "mtx-exit-delay-isolated",
        "mtx.exe exits 0.8 s after APPUNLOAD",
        ISOLATED,
        "succeeded",
        host={"timing": {"mtx_exit_delay": 0.8}},
    ),
    *_both("readonly-dest", "dest is read-only (+R)", "succeeded", host={"readonly_files": [SHOP_DLL]}),
    *_both("readonly-src", "src is read-only (copied from a CD)", "succeeded", host={"readonly_files": [STAGED_DLL]}),
    *_both(
        "adsutil-continues",
        "adsutil reports an error at /Shop and continues",
        "succeeded",
        host={"adsutil_continue_errors": ["W3SVC/1/ROOT/Shop"]},
    ),
]
MATRIX += VARIATIONS

SHOP_PACKAGE = "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E6F1}"


def _package(catalog: str = "mts", **package: Any) -> dict[str, Any]:
    """Host overrides: the shop's DLL registered in a server package of the host's catalog (issue 12)."""
    component = ComponentConfig("{7C1D2E3F-4A5B-4C6D-9E8F-0A1B2C3D4EF1}", "ShopCart.Cart", SHOP_DLL)
    return {
        "catalog": catalog,
        "packages": [PackageConfig(SHOP_PACKAGE, "Shop Components", "server", [component], **package)],
    }


#: Components in MTS server packages / COM+ server applications (issue 12).
PACKAGES: list[Case] = [
    *_both("package-server", "component in an MTS server package", "succeeded", host=_package()),
    Case(
        "package-run-forever-inproc",
        "server package with RunForever",
        IN_PROCESS,
        "succeeded",
        host=_package(run_forever=True),
    ),
    Case(
        "package-refused-mts-inproc",
        "the catalog refuses the package shutdown (MTS: mtxstop.exe)",
        IN_PROCESS,
        "succeeded",
        host=_package(),
        faults={"package_shutdown_refused": True},
    ),
    *[
        Case(
            f"package-refused-complus-{tool}-inproc",
            f"COM+ refuses ShutdownApplication, no mtxstop.exe ({tool})",
            IN_PROCESS,
            "failed:shutdown",
            host={**_package("complus"), "has_tasklist": tool == "tasklist"},
            faults={"package_shutdown_refused": True},
            needles=(
                "Access is denied",
                "dllhost.exe (PID" if tool == "tasklist" else "cannot be named here",
            ),
        )
        for tool in ("tasklist", "no-tlist-tasklist")
    ],
    *_both(
        "catalog-script-error",
        "the catalog script fails (MTS: mtxstop.exe)",
        "succeeded",
        host=_package(),
        faults={"catalog_script_error": True},
    ),
    *[
        Case(
            f"package-lost-answer-{when}-inproc",
            f"connection lost around the package shutdown sequence ({when})",
            IN_PROCESS,
            "succeeded",
            host=_package(),
            lose=Lose("catalog shutdown", when),
        )
        for when in ("before", "after", "done")
    ],
    Case(
        "catalog-script-error-complus-inproc",
        "the catalog script fails on COM+ (no mtxstop.exe; IIS restarted for nothing)",
        IN_PROCESS,
        "failed:stop",
        host={**_package("complus"), "has_tasklist": True},
        faults={"catalog_script_error": True},
        needles=("dllhost.exe (PID",),
    ),
]
MATRIX += PACKAGES


#: The fleet host's services, and the WCF listener adapters of IIS 7+ (review S12: they depend on WAS).
DEFAULT_SERVICES = ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC")
WCF_ADAPTERS = ("NetTcpActivator", "NetPipeActivator", "NetMsmqActivator")


def _kind(kind: str, shop: dict[str, Any] | None = None, **host: Any) -> dict[str, Any]:
    """Host overrides: fleet host 0 as a later Windows/IIS ``kind`` (issue 13), /Shop's AppConfig changed by
    ``shop`` (``isolation`` 0/1/2 on IIS 5, ``app_pool`` on IIS 6+)."""
    sites = copy.deepcopy(default_host(IN_PROCESS, "127.0.0.2").sites)
    for key, value in (shop or {}).items():
        setattr(sites[0].apps[1], key, value)
    return {"kind": kind, "sites": sites, **host}


def _with_stopped_site(host: dict[str, Any]) -> dict[str, Any]:
    """``host`` with a second web site that an administrator stopped before the run (review S3)."""
    number = len(host["sites"]) + 1
    old_shop = SiteConfig(number, "Old Shop", "C:\\InetPub\\oldshop", started=False)
    return {**host, "sites": [*host["sites"], old_shop]}


#: IIS 5.0 to 10 (issue 13): each strategy, and the faults the issue names for them.

VERSIONS: list[Case] = [
    Case(
        "iis5-pooled",
        "IIS 5.0, pooled application (AppIsolated 2)",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k", {"isolation": 2}),
        mode="IIS 5 pooled",
    ),
    Case(
        "iis5-pooled-refused",
        "IIS 5.0 pooled, COM+ refuses ShutdownApplication",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k", {"isolation": 2}),
        faults={"package_shutdown_refused": True},
        mode="IIS 5 pooled",
    ),
    Case(
        "iis5-isolated",
        "IIS 5.0, isolated application (own dllhost.exe)",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k", {"isolation": 1}),
        mode="IIS 5 isolated",
    ),
    Case(
        "iis51-inproc",
        "IIS 5.1, in-process application",
        IN_PROCESS,
        "succeeded",
        host=_kind("xp", {"isolation": 0}),
        mode="IIS 5.1 in-process",
    ),
    Case(
        "iis6-worker",
        "IIS 6.0 worker process isolation",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k3", {"app_pool": "ShopPool"}, app_pools=[AppPoolConfig("ShopPool")]),
        mode="IIS 6 pool",
    ),
    Case(
        "iis6-worker-norename",
        "IIS 6.0 pool, loaded image cannot be renamed",
        IN_PROCESS,
        "succeeded",
        rename=False,
        host=_kind("w2k3"),
        mode="IIS 6 pool",
    ),
    Case(
        "iis6-pool-stop-stuck",
        "IIS 6.0 pool whose w3wp.exe never exits",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k3"),
        faults={"pool_stop_stuck": True},
        mode="IIS 6 pool",
    ),
    Case(
        "iis6-worker-keeps-dll-norename",
        "IIS 6.0 worker keeps the DLL past the timeout, no rename",
        IN_PROCESS,
        "succeeded",
        rename=False,
        host=_kind("w2k3"),
        faults={"worker_keeps_dll": True},
        mode="IIS 6 pool",
    ),
    Case(
        "iis6-worker-keeps-dll-norename-nofallback",
        "IIS 6.0 worker keeps the DLL past the timeout, no rename, no fallback",
        IN_PROCESS,
        "failed:stop",
        rename=False,
        host=_kind("w2k3"),
        faults={"worker_keeps_dll": True},
        args={"unload_fallback": False},
        rerun_args={},  # the worker still hangs: the rerun needs the fallback (the default) to restart IIS
        mode="IIS 6 pool",
        needles=("w3wp.exe",),
    ),
    Case(
        "iis6-iisapp-missing",
        "IIS 6.0 RTM: iisapp.vbs without /r",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k3", iisapp_recycle=False),
        mode="IIS 6 pool",
    ),
    Case(
        "iis6-iis5-mode",
        "IIS 6.0 in IIS 5 isolation mode, isolated application",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k3", {"isolation": 1}, iis5_isolation_mode=True),
        mode="IIS 6 (IIS 5 mode)",
    ),
    Case(
        "iis75-pool",
        "IIS 7.5 application pool (appcmd)",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k8r2"),
        mode="IIS 7.5 pool",
    ),
    Case(
        "iis75-worker-keeps-dll",
        "IIS 7.5 worker keeps the old DLL past the timeout",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k8r2"),
        faults={"worker_keeps_dll": True},
        mode="IIS 7.5 pool",
    ),
    # issue 21 (defect 3): on IIS 7+ the full restart is net stop WAS /y (W3SVC depends on WAS, which owns the
    # workers); IIS Admin (here with SMTP, the IIS 6 compatibility components) does not hold w3wp.exe's DLLs.
    # Review S12: the WCF listener adapters depend on WAS too, so net stop WAS /y stops them; each runs again after.
    *[
        Case(
            f"{name}-worker-keeps-dll-norename",
            f"IIS {version} worker keeps the DLL past the timeout, no rename: net stop WAS /y",
            IN_PROCESS,
            "succeeded",
            rename=False,
            host=_kind(kind, services=[*DEFAULT_SERVICES, *WCF_ADAPTERS]),
            faults={"worker_keeps_dll": True},
            mode=f"IIS {version} pool",
        )
        for name, version, kind in (("iis75", "7.5", "w2k8r2"), ("iis10", "10", "w2k19"))
    ],
    # review S1/S2: the full restart the pool restart falls back to resets every pool of the host to its auto-start
    # (IIS 6 AppPoolAutoStart on W3SVC's start, IIS 7+ autoStart on WAS's start): a pool of another site an
    # administrator had stopped comes back started, a pool started by hand with auto-start off comes back stopped.
    # The run puts each back as it was.
    *[
        Case(
            f"{name}-fallback-keeps-every-pool",
            f"{mode}: the fallback restart would restart a stopped pool and stop a manual one; each kept as it was",
            IN_PROCESS,
            "succeeded",
            rename=False,
            host=_kind(
                kind,
                app_pools=[AppPoolConfig("IdlePool", started=False), AppPoolConfig("ManualPool", auto_start=False)],
            ),
            faults={"worker_keeps_dll": True},
            mode=mode,
            bites=(("pool", (("action", "autostart"),)),),
        )
        for name, mode, kind in (("iis6", "IIS 6 pool", "w2k3"), ("iis10", "IIS 10 pool", "w2k19"))
    ],
    # review S3: on IIS 7+ W3SVC's start also starts every site whose serverAutoStart is true: a second site an
    # administrator had stopped (appcmd stop site) comes back started; the run stops it again.
    Case(
        "iis10-fallback-keeps-a-stopped-site",
        "IIS 10 pool: the fallback restart would start a site stopped before the run; it is stopped again",
        IN_PROCESS,
        "succeeded",
        rename=False,
        host=_with_stopped_site(_kind("w2k19")),
        faults={"worker_keeps_dll": True},
        mode="IIS 10 pool",
        bites=(("site", (("action", "autostart"),)),),
    ),
    Case(
        "iis10-pool",
        "IIS 10 application pool (appcmd)",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k19"),
        mode="IIS 10 pool",
    ),
]
VERSIONS += [
    *[
        Case(
            f"iis6-pool-lost-answer-{when}",
            f"IIS 6.0 pool: connection lost around the pool sequence ({when})",
            IN_PROCESS,
            "succeeded",
            host=_kind("w2k3"),
            lose=Lose("AppPoolCommand", when),
            mode="IIS 6 pool",
        )
        for when in ("before", "after", "done")
    ],
    Case(
        "iis75-pool-lost-answer-after",
        "IIS 7.5 pool: connection lost after the pool sequence started",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k8r2"),
        lose=Lose("stop apppool", "after"),
        mode="IIS 7.5 pool",
    ),
    Case(
        "iis6-record-mid-pool",
        "IIS 6.0: an earlier run died with its pool stopped",
        IN_PROCESS,
        "succeeded",
        host=_kind("w2k3"),
        setup="record_mid_pool",
        expect_recovered=True,
        mode="IIS 6 pool",
    ),
    # issue 21: tlist prints COM servers' window title after the image name (TList documentation examples)
    Case(
        "tlist-titles-isolated",
        "NT 4 with MTS and tlist: window titles after the image names",
        ISOLATED,
        "succeeded",
        host={"has_tlist": True, "catalog": "mts"},
    ),
]
MATRIX += VERSIONS

# issue 21, the leftovers: each in every kind where it applies.

#: inetinfo.exe keeps its images mapped for a moment after net stop reports STOPPED (facts: "net stop returns when
#: the SCM reports STOPPED; the process may still be exiting"): longer than one probe, shorter than the module's wait.
LINGER = {"inetinfo_exit_delay": 1.5, "net_give_up": 1.0}
#: Where an in-process application lives in inetinfo.exe: IIS 4.0, 5.0, 5.1, and 6.0 in IIS 5 isolation mode.
INETINFO_KINDS = (
    ("iis4", "IIS 4.0 in-process", {}),
    ("iis5", "IIS 5.0 in-process", _kind("w2k", {"isolation": 0})),
    ("iis51", "IIS 5.1 in-process", _kind("xp", {"isolation": 0})),
    ("iis6-iis5-mode", "IIS 6.0 (IIS 5 mode) in-process", _kind("w2k3", {"isolation": 0}, iis5_isolation_mode=True)),
)
#: IIS 6.0 (AppPoolCommand through adsutil) and 7.5 / 10 (appcmd): the shop in its own pool.
POOL_KINDS = (
    ("iis6", "IIS 6.0 pool", _kind("w2k3", {"app_pool": "ShopPool"}, app_pools=[AppPoolConfig("ShopPool")])),
    ("iis75", "IIS 7.5 pool", _kind("w2k8r2", {"app_pool": "ShopPool"}, app_pools=[AppPoolConfig("ShopPool")])),
    ("iis10", "IIS 10 pool", _kind("w2k19", {"app_pool": "ShopPool"}, app_pools=[AppPoolConfig("ShopPool")])),
)

LEFTOVERS: list[Case] = [
    *[
        Case(
            f"{name}-inetinfo-lingers{'' if rename else '-norename'}",
            f"{mode}: inetinfo.exe still exiting with the DLL mapped after STOPPED" + ("" if rename else ", no rename"),
            IN_PROCESS,
            "succeeded",
            rename=rename,
            host={**host, "timing": LINGER},
            mode=mode if host else None,
        )
        for name, mode, host in INETINFO_KINDS
        for rename in ((True, False) if name == "iis4" else (True,))
    ],
    *[
        Case(
            f"{name}-pool-stopped-before",
            f"{mode} stopped by an administrator before the run: stays stopped, its DLL swapped",
            IN_PROCESS,
            "succeeded",
            host=host,
            setup="shop_pool_stopped",
            mode=mode,
        )
        for name, mode, host in POOL_KINDS
    ],
    # The swap happens inside the outage (no rename), so the registration does too; DllRegisterServer never
    # returns.  The design (service_restart, pool_restart): regsvr32 runs once the services / pools are started
    # again, so they are up while the controller waits out the sequence; the record stays and the rerun (the fault
    # cleared) finishes.  Each row costs the controller's wait for a sequence (3 * timeout + 30 s), so the matrix
    # has the pool restart (adsutil; appcmd differs only in the tool's words); the service restart's case is
    # tests/integration/module/test_realhosts.py::test_a_hung_regsvr32_inside_the_outage_never_keeps_iis_down.
    *[
        Case(
            f"{name}-regsvr32-hangs-norename",
            f"{mode}: regsvr32 hangs with the swap inside the outage (no rename)",
            IN_PROCESS,
            "failed:apply",
            rename=False,
            host=host,
            faults={"regsvr32_hang": True},
            args={"register_dll": True},
            needles=("did not finish",),
            mode=mode if host else None,
        )
        for name, mode, host in POOL_KINDS[:1]
    ],
]
LEFTOVERS += [
    Case(
        f"{name}-record-mid-fallback",
        f"{mode}: an earlier run died inside the full restart it fell back to (pool and IIS stopped)",
        IN_PROCESS,
        "succeeded",
        host=host,
        setup="record_mid_pool_fallback",
        expect_recovered=True,
        mode=mode,
    )
    for name, mode, host in POOL_KINDS[:2]
]
# Found by the soak: a pool restart whose registration fails (no rename, so it runs in the pool sequence) put the old
# DLL back but left the staged new DLL and the state record beside dest.
LEFTOVERS += [
    Case(
        f"{name}-regsvr32-fail-norename",
        f"{mode}: regsvr32 fails with the swap inside the pool sequence (no rename)",
        IN_PROCESS,
        "failed:register",
        rename=False,
        host=host,
        faults={"regsvr32_fail": 3},
        args={"register_dll": True},
        mode=mode,
    )
    for name, mode, host in (POOL_KINDS[0], POOL_KINDS[2])
]
# Found by the soak (seed 21240778): the registration after the restart was one command holding the undo (stop, swap
# back, register again, start every service); with four services it did not fit a batch line of cmdline_limit 900.
# Now each command of the undo is its own line, guarded by the flag file the registration leaves when it fails.
LEFTOVERS += [
    Case(
        "register-after-fallback-long-isolated",
        "registration after a fallback restart of four services, cmdline_limit 900",
        ISOLATED,
        "succeeded",
        faults={"unload_noop": True},
        host={"services": ["IISADMIN", "W3SVC", "MSFTPSVC", "NNTPSVC"]},
        args={"register_dll": True, "cmdline_limit": 900},
    ),
    # ... and when that registration fails: the old DLL goes back in a second outage, line by line, every service
    # started again.
    Case(
        "register-fails-after-fallback-long-isolated",
        "regsvr32 fails after a fallback restart of four services, cmdline_limit 900 (old DLL back, line by line)",
        ISOLATED,
        "failed:register",
        rename=False,  # the swap, and so the registration, happen in the fallback restart
        faults={"unload_noop": True, "regsvr32_fail": 5},
        host={"services": ["IISADMIN", "W3SVC", "MSFTPSVC", "NNTPSVC"]},
        args={"register_dll": True, "cmdline_limit": 900},
        rerun_args={"register_dll": True, "cmdline_limit": 900},
        needles=("regsvr32", "old DLL was put back"),
    ),
    # ... and cmd.exe is ended on the host while that second outage stops IIS: the flag file stays with the state
    # record, and the recovery finishes the undo (stop, swap back, register the old DLL again, start).
    Case(
        "register-undo-killed-long-isolated",
        "cmd.exe killed on the host while a failed registration's undo stops IIS (cmdline_limit 900)",
        ISOLATED,
        "failed",
        rename=False,
        faults={"unload_noop": True, "regsvr32_fail": 5},
        trigger=Trig("IISADMIN", "STOPPED", after="RUNNING", kill=".iis4run.cmd"),
        host={"services": ["IISADMIN", "W3SVC", "MSFTPSVC", "NNTPSVC"]},
        args={"register_dll": True, "cmdline_limit": 900},
        rerun_args={"register_dll": True, "cmdline_limit": 900},
    ),
]
# Review N2: a 32-bit COM+ server application on 64-bit Windows; its dllhost.exe takes a moment to exit after the
# shutdown, and the 64-bit tasklist does not list it.  An empty answer there is "unknown", so the run waits.
LEFTOVERS += [
    Case(
        f"{name}-package-wow64",
        f"{mode}: a 32-bit COM+ server application (WOW64), hidden from the 64-bit tasklist",
        IN_PROCESS,
        "succeeded",
        host={
            **_kind(kind),
            **_package("complus", wow64=True),
            "has_tasklist": True,
            "timing": {"package_exit_delay": 1.0},
        },
        bites=(("holders", (("hidden", "wow64"),)),),
        mode=mode,
    )
    for name, mode, kind in (("iis75", "IIS 7.5 package", "w2k8r2"), ("iis10", "IIS 10 package", "w2k19"))
]
MATRIX += LEFTOVERS

# ------------------------------------------------------------------------------------------------------
# Bad input: refused before anything runs on the host (or quoted so that cmd.exe cannot be injected)

DEL_TARGET = SHOP_DLL


@dataclass(frozen=True)
class BadInput:
    id: str
    what: str
    args: dict[str, Any]
    needle: str
    host_contact: bool = False  # True: the host must be read (site / application lookups) but nothing changes
    defect: str | None = None


#: Metacharacters real names hold (R&D, Shop (old)): the module accepts them in paths and application paths and
#: always quotes them (validate.APP_PATH_ALLOWED; test_bad_input checks the two agree).  Kept here as a
#: constant: this file is imported before the collection is importable.
QUOTABLE = "&()"

METACHARACTERS = ["&", "|", "^", "%", "!", '"', "<", ">", "(", ")"]
_META_NAMES = {
    "&": "amp",
    "|": "pipe",
    "^": "caret",
    "%": "percent",
    "!": "bang",
    '"': "quote",
    "<": "lt",
    ">": "gt",
    "(": "lparen",
    ")": "rparen",
}

BAD_INPUTS: list[BadInput] = [
    *[
        BadInput(
            f"src-meta-{_META_NAMES[ch]}",
            f"src with {ch}",
            {"src": f"C:\\Staging\\Shop{ch}Cart.dll"},
            "src",
            # R&D, Shop (old): valid names, always quoted; looked up on the host (not found here).
            host_contact=ch in QUOTABLE,
        )
        for ch in METACHARACTERS
    ],
    *[
        BadInput(f"dest-meta-{_META_NAMES[ch]}", f"dest with {ch}", {"dest": f"{BIN}\\Shop{ch}Cart.dll"}, "dest")
        for ch in METACHARACTERS
        if ch not in QUOTABLE  # R&D, Shop (old): valid names, always quoted
    ],
    *[
        BadInput(
            f"app-meta-{_META_NAMES[ch]}",
            f"application with {ch}",
            {"application": [f"/Shop{ch}x"]},
            "application",
            # Real applications are named R&D or Shop (old): those are looked up on the host (not found here).
            host_contact=ch in QUOTABLE,
        )
        for ch in METACHARACTERS
    ],
    *[
        BadInput(
            f"site-meta-{_META_NAMES[ch]}",
            f"site with {ch}",
            {"site": f"Default{ch}Web Site"},
            "site",
            # Real sites are named "Web Site (Shop & Co), main" (issue 21): looked up on the host (not found here).
            host_contact=ch in QUOTABLE,
        )
        for ch in METACHARACTERS
    ],
    BadInput(
        "src-inject-del", "src '& del <dest>' injection", {"src": f"C:\\Staging\\x.dll & del {DEL_TARGET}"}, "src"
    ),
    BadInput(
        "dest-inject-del",
        "dest '\"& del <dest> &\"' injection",
        {"dest": f'{BIN}\\x.dll" & del {DEL_TARGET} & "'},
        "dest",
    ),
    BadInput(
        "site-inject-del",
        "site '& del' injection",
        {"site": f"Default Web Site & del {DEL_TARGET}"},
        "site",
        host_contact=True,
    ),
    BadInput(
        "app-inject-del",
        "application '& del' injection",
        {"application": [f"/Shop & del {DEL_TARGET}"]},
        "application",
        host_contact=True,
    ),
    BadInput("src-trailing-space", "src with a trailing space", {"src": STAGED_DLL + " "}, "src"),
    BadInput("src-trailing-dot", "src with a trailing dot", {"src": STAGED_DLL + "."}, "src"),
    BadInput("dest-trailing-dot-dir", "dest folder with a trailing dot", {"dest": f"{BIN}.\\ShopCart.dll"}, "dest"),
    BadInput("src-relative", "relative src", {"src": "Staging\\ShopCart.dll"}, "src"),
    BadInput("dest-relative-dots", "dest with ..", {"dest": f"{BIN}\\..\\bin\\ShopCart.dll"}, "dest"),
    BadInput("dest-drive-relative", "drive-relative dest", {"dest": "C:InetPub\\shop\\bin\\ShopCart.dll"}, "dest"),
    BadInput(
        "src-too-long", "src longer than MAX_PATH", {"src": "C:\\" + "\\".join(["d" * 60] * 5) + "\\x.dll"}, "src"
    ),
    BadInput(
        "dest-too-long-for-backup",
        "dest too long to keep a backup beside it",
        {"dest": "C:\\" + "\\".join(["d" * 60] * 3) + "\\" + "n" * 60 + ".dll"},
        "dest",
    ),
    BadInput("device-name", "dest named after a device", {"dest": f"{BIN}\\CON.dll"}, "dest"),
    BadInput("src-equals-dest", "src equal to dest", {"src": SHOP_DLL.upper()}, "same file"),
    BadInput(
        "app-list-too-long",
        "application list too long for one command line",
        {"application": [f"/Shop/{'p' * 40}{i}" for i in range(80)]},
        "application",
        host_contact=True,
    ),
    BadInput("unknown-site", "unknown site", {"site": "Extranet"}, "site 'Extranet' not found", host_contact=True),
    BadInput(
        "unknown-app",
        "unknown application",
        {"application": ["/Nope"]},
        "application '/Nope' not found",
        host_contact=True,
    ),
    BadInput("timeout-too-small", "timeout below the minimum", {"timeout": 1}, "timeout"),
]

INPUT_EXTRA_ROWS = ["odd-but-legal-names"]

# ------------------------------------------------------------------------------------------------------
# Cases about Ansible itself (run through the real ansible / ansible-playbook commands)

ANSIBLE_CASES = [
    ("password-not-in-vvv-success", "password never in -vvv output, log or result (success)"),
    ("password-not-in-vvv-failure", "password never in -vvv output, log or result (failed start)"),
    ("wrong-credentials", "wrong credentials"),
    ("cert-untrusted", "HTTPS certificate not trusted"),
    ("cert-validation-default", "certificate validation on by default (no CA given)"),
    ("basic-http-refused", "Basic over HTTP refused unless allowed"),
    ("basic-http-allowed", "Basic over HTTP when explicitly allowed"),
    ("adhoc-failure-message", "ad-hoc failure names step, host answer and state"),
    ("killed-controller", "ansible-playbook SIGKILLed while IIS is down, one rerun after the host settled"),
    ("killed-controller-rerun-at-once", "ansible-playbook SIGKILLed while IIS is down, one rerun at once"),
    ("interrupted-controller-sigint-group", "Ctrl-C (SIGINT to the process group) while IIS is down, one rerun"),
    ("interrupted-controller-sigterm", "SIGTERM to ansible-playbook (a cancel) while IIS is down, one rerun"),
    ("interrupted-controller-sigterm-group", "SIGTERM to the process group while IIS is down, one rerun"),
]

# ------------------------------------------------------------------------------------------------------
# Randomized campaign: `make test` runs CAMPAIGN_CHUNKS x CAMPAIGN_CHUNK runs; `make soak` runs SOAK_RUNS

CAMPAIGN_SEED = 20240601
CAMPAIGN_CHUNKS = 5
CAMPAIGN_CHUNK = 10
SOAK_RUNS = 1000

SetupFn = Callable[[Any], None]


def expected_rows() -> set[tuple[str, str]]:
    rows = {("matrix", c.id) for c in MATRIX}
    rows |= {("input", b.id) for b in BAD_INPUTS} | {("input", i) for i in INPUT_EXTRA_ROWS}
    rows |= {("ansible", name) for name, _title in ANSIBLE_CASES}
    rows |= {("campaign", f"chunk{i}") for i in range(CAMPAIGN_CHUNKS)}
    return rows

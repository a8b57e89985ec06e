"""The lab's service control manager: states, pending times, dependencies, faults, logging."""

from __future__ import annotations

import threading
import time

import pytest

from tests.lab.machine.config import HostConfig, Timing
from tests.lab.machine.events import EventLog
from tests.lab.machine.scm import (
    RUNNING,
    START_PENDING,
    STOP_PENDING,
    STOPPED,
    ServiceControlManager,
    ServiceError,
)


def make(services=("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"), stop=0.0, start=0.0, **kw) -> ServiceControlManager:
    cfg = HostConfig(services=list(services), timing=Timing(default_stop=stop, default_start=start), **kw)
    return ServiceControlManager(cfg, EventLog())


def wait_state(scm: ServiceControlManager, name: str, state: str, timeout: float = 2.0) -> None:
    assert scm.wait_for(name, (state,), timeout=timeout), f"{name} is {scm.state(name)}, wanted {state}"


def test_configured_services_run_and_the_base_nt_services_exist():
    scm = make()
    states = scm.states()
    for name in ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "LanmanServer", "RPCSS", "EventLog"):
        assert states[name] == RUNNING
    assert "NNTPSVC" not in states
    w3 = scm.get("w3svc")
    assert w3.display == "World Wide Web Publishing Service"
    assert w3.info.type == 0x20 and w3.info.start_type == 2 and w3.info.dependencies == ("IISADMIN",)
    assert scm.get("IISADMIN").info.binary.lower().endswith("\\inetsrv\\inetinfo.exe")


def test_stopped_services_from_config():
    scm = make(stopped_services=["W3SVC"])
    assert scm.state("W3SVC") == STOPPED
    assert scm.state("IISADMIN") == RUNNING
    assert scm.iis_active()


def test_dependants_are_the_running_ones_in_display_name_order():
    scm = make(services=("IISADMIN", "W3SVC", "SMTPSVC", "MSFTPSVC", "NNTPSVC"), stopped_services=["NNTPSVC"])
    names = [s.display for s in scm.dependants("IISADMIN")]
    assert names == ["FTP Publishing Service", "Microsoft SMTP Service", "World Wide Web Publishing Service"]
    everyone = [s.name for s in scm.dependants("iisadmin", active_only=False)]
    assert everyone == ["MSFTPSVC", "NNTPSVC", "SMTPSVC", "W3SVC"]


def test_stop_takes_the_configured_time_and_is_logged():
    scm = make(stop=0.15)
    scm.stop("W3SVC")
    assert scm.state("W3SVC") == STOP_PENDING
    wait_state(scm, "W3SVC", STOPPED)
    log = scm.log.events(kind="service")
    events = [(e.detail["name"], e.detail["old"], e.detail["new"]) for e in log]
    assert events == [("W3SVC", RUNNING, STOP_PENDING), ("W3SVC", STOP_PENDING, STOPPED)]
    assert log[1].t - log[0].t >= 0.15  # pending for at least the configured time (a busy machine only adds)


def test_the_timer_completes_a_stop_without_anyone_looking():
    scm = make(stop=0.05)
    stopped = threading.Event()
    scm.listeners.append(lambda name, old, new: stopped.set() if (name, new) == ("MSFTPSVC", STOPPED) else None)
    scm.stop("MSFTPSVC")
    assert stopped.wait(10), "the stop never completed"  # nobody polled the state meanwhile


def test_stop_with_running_dependants_fails_1051():
    scm = make()
    with pytest.raises(ServiceError) as info:
        scm.stop("IISADMIN")
    assert info.value.winerror == 1051


def test_stop_of_a_stopped_service_fails_1062():
    scm = make(stopped_services=["SMTPSVC"])
    with pytest.raises(ServiceError) as info:
        scm.stop("SMTPSVC")
    assert info.value.winerror == 1062


def test_start_starts_the_stopped_dependency_first():
    scm = make(services=("IISADMIN", "W3SVC"), stopped_services=["IISADMIN", "W3SVC"], start=0.05)
    assert not scm.iis_active()
    scm.start("w3svc")
    assert scm.state("IISADMIN") == RUNNING  # start() waited for it
    assert scm.state("W3SVC") == START_PENDING
    wait_state(scm, "W3SVC", RUNNING)
    order = [(e.detail["name"], e.detail["new"]) for e in scm.log.events(kind="service")]
    assert order == [
        ("IISADMIN", START_PENDING),
        ("IISADMIN", RUNNING),
        ("W3SVC", START_PENDING),
        ("W3SVC", RUNNING),
    ]


def test_start_of_a_running_service_fails_1056():
    scm = make()
    with pytest.raises(ServiceError) as info:
        scm.start("W3SVC")
    assert info.value.winerror == 1056


def test_stuck_stop_hangs_until_the_fault_is_cleared():
    scm = make(stop=0.01)
    scm.config.faults.stuck_stop = {"W3SVC"}
    scm.stop("W3SVC")
    time.sleep(0.2)
    assert scm.state("W3SVC") == STOP_PENDING
    scm.config.faults.stuck_stop = set()
    wait_state(scm, "W3SVC", STOPPED, timeout=1.0)


def test_stuck_stop_completes_in_the_background_once_cleared():
    scm = make(stop=0.01)
    scm.config.faults.stuck_stop = {"W3SVC"}
    seen = []
    scm.listeners.append(lambda name, old, new: seen.append(new))
    scm.stop("W3SVC")
    time.sleep(0.1)
    scm.get("W3SVC")  # notices the fault
    scm.config.faults.stuck_stop.clear()
    time.sleep(0.3)  # nobody asks; the watcher finishes the stop
    assert seen[-1] == STOPPED


@pytest.mark.parametrize(
    ("fault", "win32", "specific"),
    [("specific:5", 1066, 5), ("system:1067", 1067, 0), ("noreport", 0, 0)],
)
def test_fail_start_goes_pending_then_stopped_with_the_error(fault, win32, specific):
    scm = make(stopped_services=["W3SVC"], start=0.02)
    scm.config.faults.fail_start = {"W3SVC": fault}
    scm.start("W3SVC")
    assert scm.state("W3SVC") == START_PENDING
    wait_state(scm, "W3SVC", STOPPED)
    svc = scm.get("W3SVC")
    assert (svc.win32_exit_code, svc.service_exit_code) == (win32, specific)


def test_dependency_failure_is_1068():
    scm = make(services=("IISADMIN", "W3SVC"), stopped_services=["IISADMIN", "W3SVC"])
    scm.config.faults.fail_start = {"IISADMIN": "specific:1"}
    with pytest.raises(ServiceError) as info:
        scm.start("W3SVC")
    assert info.value.winerror == 1068
    assert scm.state("W3SVC") == STOPPED


def test_non_stoppable_service_refuses_stop():
    scm = make()
    with pytest.raises(ServiceError) as info:
        scm.stop("EventLog")
    assert info.value.winerror == 1052


def test_iis_active_follows_the_iis_services_only():
    scm = make(services=("IISADMIN", "W3SVC"))
    scm.stop("W3SVC")
    wait_state(scm, "W3SVC", STOPPED)
    assert scm.iis_active()
    scm.stop("IISADMIN")
    wait_state(scm, "IISADMIN", STOPPED)
    assert not scm.iis_active()
    assert scm.state("LanmanServer") == RUNNING

"""Recovery from each kind of state record an earlier run can leave, on what lab hosts printed
(``recorded/runs/recover_*``), and the pools a pool sequence recorded."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths, StateRecord
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_facts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.recovery import (
    recover,
    recovery_parts,
    start_recorded_pools,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.report import Report
from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.session import Session
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed

from ..replay import ReplayRunner, output_of, recording

ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"


def session_of(name: str, runner: object = None) -> tuple[Session, object]:
    runner = runner or ReplayRunner(name)
    args = recording(name)["args"]
    report = Report(Paths(args["src"], args["dest"], "20261207000000"))
    return Session(runner, report, limit=2047, timeout=5, folder="C:\\InetPub\\shop\\bin"), runner


def facts_of(name: str):
    return read_facts(output_of(name, "gather"), ADSUTIL, "ShopCart.dll")


def test_an_unfinished_swap_is_rolled_back_and_the_recorded_services_started():
    facts = facts_of("recover_unfinished")
    assert facts.record is not None and facts.record.running
    session, runner = session_of("recover_unfinished")
    summary = recover(session, facts, recording("recover_unfinished")["args"]["dest"], 5)
    assert summary["action"] == "rolled back an unfinished swap and restarted services"
    assert summary["services_started"] == ["W3SVC"] and summary["services_not_running"] == []
    assert summary["dest_present"] is True
    assert [step for step, _command in runner.asked] == ["recover", "ensure_running"]


def test_a_finished_sequence_only_restarts_services():
    facts = facts_of("recover_finished")
    assert facts.record is not None and facts.record.finished
    session, _runner = session_of("recover_finished")
    summary = recover(session, facts, recording("recover_finished")["args"]["dest"], 5)
    assert summary["action"] == "restarted services"
    assert summary["services_started"] == ["W3SVC"]


def test_a_record_naming_other_files_is_not_trusted():
    facts = facts_of("recover_untrusted_record")
    session, runner = session_of("recover_untrusted_record")
    with pytest.raises(StepFailed) as err:
        recover(session, facts, recording("recover_untrusted_record")["args"]["dest"], 5)
    assert err.value.step == "recover" and "cannot be trusted" in str(err.value)
    assert runner.asked == []  # nothing was sent


def test_the_recovery_line_rolls_back_only_an_unfinished_swap():
    swap = Swap(Paths("C:\\Staging\\a.dll", "C:\\InetPub\\a.dll", "20260101000000"))
    unfinished = "&".join(recovery_parts(swap, False, ["W3SVC"]))
    finished = "&".join(recovery_parts(swap, True, []))
    assert "##old_image_loaded" not in unfinished and "net start W3SVC" in unfinished
    assert "##old_image_loaded" in finished and "net start" not in finished


class Collect:
    """A session that keeps the parts it is asked to run (starting pools prints nothing read back)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[str]]] = []

    def run(self, step: str, parts: list[str], **kw: object):
        self.sent.append((step, parts))


def test_the_pools_a_pool_sequence_recorded_are_started_again():
    rec = StateRecord.parse(
        "run=1\npools=ShopPool,Other\npool_tool=appcmd\nappcmd=C:\\WINDOWS\\system32\\inetsrv\\appcmd.exe"
    )
    session = Collect()
    assert start_recorded_pools(session, rec) == ["ShopPool", "Other"]  # type: ignore[arg-type]
    ((step, parts),) = session.sent
    assert step == "recover_pools"
    assert parts[0].startswith('"C:\\WINDOWS\\system32\\inetsrv\\appcmd.exe" start apppool /apppool.name:')


def test_pools_that_cannot_be_named_safely_are_refused():
    rec = StateRecord.parse('run=1\npools=Shop"x\npool_tool=adsutil')
    with pytest.raises(StepFailed) as err:
        start_recorded_pools(Collect(), rec)  # type: ignore[arg-type]
    assert err.value.step == "recover"


def test_a_record_without_pools_starts_none():
    assert start_recorded_pools(Collect(), StateRecord.parse("run=1\nservices=W3SVC")) == []  # type: ignore[arg-type]


def test_the_undo_of_a_failed_registration_is_finished_by_stopping_what_the_phase_had_started():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.recovery import undo_stop_parts

    facts = facts_of("recover_mid_undo")
    restart = StateRecord.parse("run=1\r\nstarted=restart\r\n")
    assert undo_stop_parts(restart, facts) == ("net stop IISADMIN /y >nul 2>&1",)
    pool = StateRecord.parse(f"run=1\r\nstarted=pool\r\npools=ShopPool\r\npool_tool=adsutil\r\nadsutil={ADSUTIL}\r\n")
    (stop,) = undo_stop_parts(pool, facts)
    assert stop.endswith('SET "W3SVC/AppPools/ShopPool/AppPoolCommand" 2 2>&1')  # AppPoolCommand 2: stop
    assert undo_stop_parts(StateRecord.parse("run=1\r\nstarted=unload\r\n"), facts) == ()


def test_a_run_ended_in_the_middle_of_the_undo_is_recovered_with_the_old_dll_registered_again():
    """The lab host of ``recorded/runs/recover_mid_undo``: the new DLL at dest (its registration failed), the old
    one as the backup, the undo flag, IIS running.  The next run's recovery stops IIS, puts the old DLL back and
    registers it before the update starts again."""
    from tests.lab.machine.config import SHOP_DLL
    from tests.lab.machine.dll import dll_version

    from ..recorded.record_runs import SCENARIOS, MachineRunner

    make, _args = SCENARIOS["recover_mid_undo"]
    m = make()
    old = m.fs.read(f"{SHOP_DLL}.20260101000000.bak")
    summary = recover(
        Session(
            MachineRunner(m),
            Report(Paths("", SHOP_DLL, "20261207000000")),
            limit=2047,
            timeout=5,
            folder="C:\\InetPub\\shop\\bin",
        ),
        facts_of("recover_mid_undo"),
        SHOP_DLL,
        5,
    )
    assert summary["action"] == "rolled back an unfinished swap and restarted services"
    assert m.fs.read(SHOP_DLL) == old
    assert m.registrations[SHOP_DLL.lower()]["version"] == dll_version(old)
    assert not m.fs.exists(f"{SHOP_DLL}.iis4undo")
    assert all(m.scm.state(s) == "RUNNING" for s in ("IISADMIN", "W3SVC"))

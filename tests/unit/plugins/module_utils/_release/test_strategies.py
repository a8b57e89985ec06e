"""Each strategy reads what its own sequence printed on a lab host (``recorded/runs``): the success, the
failures recorded, and a sequence cut short on the host (the same output, ended before its last marker)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sequence import SequenceOutput
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release import pool_restart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.first_copy import FirstCopy
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.package_shutdown import PackageShutdown
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.pool_restart import PoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed
from ansible_collections.legacy_iis.iis4.plugins.module_utils.params import Params
from ansible_collections.legacy_iis.iis4.plugins.module_utils.plan import make_plan
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import ComponentUpdate

from ..replay import ReplayRunner, output_of, recording
from .runs import release_run, sequence_output

STRATEGY_OF = {
    "restart_ok": ServiceRestart,
    "unload_ok": IsolatedUnload,
    "pool_ok": PoolRestart,
    "package_ok": PackageShutdown,
    "first_copy": FirstCopy,
}


@pytest.mark.parametrize("name", sorted(STRATEGY_OF))
def test_the_plan_chose_the_strategy_and_its_conclusion_reads_a_success(name):
    run = release_run(name)
    strategy = run.plan.strategy
    assert isinstance(strategy, STRATEGY_OF[name])
    out = sequence_output(name)
    assert out.finished and out.verified
    strategy.conclude(out, run)
    assert run.result["msg"].startswith(f"replaced {run.report.paths.dest}")
    assert not run.result["services_not_running"]


@pytest.mark.parametrize("name", sorted(STRATEGY_OF))
def test_a_sequence_cut_short_on_the_host_is_recovered_and_fails_at_apply(name):
    run = release_run(name)
    out = sequence_output(name, cut_before="@@done")
    assert not out.finished
    with pytest.raises(StepFailed) as err:
        run.plan.strategy.conclude(out, run)
    assert err.value.step == "apply"
    assert "was cut short on the host" in str(err.value) and "dest holds the old DLL" in str(err.value)
    assert run.result["rolled_back"] is True


def test_service_restart_reads_the_services_and_the_outage():
    run = release_run("restart_ok")
    ServiceRestart().conclude(sequence_output("restart_ok"), run)
    assert set(run.result["services_stopped"]) == set(run.plan.stops)
    assert run.result["services_started"] == list(run.plan.starts)
    assert run.result["outage_seconds"] == 0.0
    assert "(outage 0.0s)" in run.result["msg"]


def test_service_restart_a_service_that_did_not_start_keeps_the_record():
    run = release_run("restart_start_fails")
    with pytest.raises(StepFailed) as err:
        ServiceRestart().conclude(sequence_output("restart_start_fails"), run)
    assert err.value.step == "start"
    assert [e.split(":")[0] for e in run.result["services_not_running"]] == ["W3SVC"]
    assert run.result["state_record"] == run.report.paths.record


def test_service_restart_read_back_after_a_dropped_connection_has_no_measured_outage():
    """The read-back after a dropped connection (``@@verify``, then ``net start`` once the sequence ended): here
    net start lists none of the IIS services, so each is reported down without its own net output."""
    run = release_run("restart_ok")
    text = "@@verify\r\n@@running\r\nThese Windows NT services are started:\r\n\r\n"
    out = SequenceOutput.read(text + "The command completed successfully.\r\n", readback=True)
    assert out.finished
    with pytest.raises(StepFailed) as err:
        ServiceRestart().conclude(out, run)
    assert err.value.step == "start"
    assert run.result["outage_seconds"] is None
    assert [e.split(":")[0] for e in run.result["services_not_running"]] == list(run.plan.starts)
    assert all("its net output was lost with the connection" in e for e in run.result["services_not_running"])


def test_unload_released_says_what_it_unloaded():
    run = release_run("unload_ok")
    IsolatedUnload().conclude(sequence_output("unload_ok"), run)
    assert run.result["msg"].split(": ", 1)[1].startswith("unloaded /LM/W3SVC/1/ROOT/Shop; W3SVC kept running")


def test_unload_that_never_frees_the_dll_without_fallback_puts_the_old_dll_back():
    run = release_run("unload_no_fallback")
    assert run.plan.fallback is None
    with pytest.raises(StepFailed) as err:
        run.plan.strategy.release(run)
    assert err.value.step == "unload" and "unload_fallback is off" in str(err.value)
    assert run.result["rolled_back"] is True and run.result["backup_file"] is None


def test_unload_that_never_frees_the_dll_falls_back_to_the_full_restart():
    run = release_run("unload_falls_back")
    assert isinstance(run.plan.fallback_strategy, ServiceRestart)
    run.plan.strategy.release(run)
    assert run.result["method"] == "service_restart"
    assert run.result["fallback"] == "unloading did not release the DLL (it is still loaded)"
    assert "fell back to restarting IIS" in run.result["msg"]


def test_pool_restart_names_the_pools():
    run = release_run("pool_ok")
    PoolRestart(("ShopPool",), "adsutil").conclude(sequence_output("pool_ok"), run)
    assert run.result["pools"] == ["ShopPool"]
    assert "stopped and started the application pool(s) ShopPool" in run.result["msg"]


def test_pool_restart_a_pool_that_did_not_start_again_keeps_the_record():
    run = release_run("pool_ok")
    text = sequence_output("pool_ok").text
    marker = "@@pool_state_0"
    start = text.index(marker) + len(marker)
    end = text.index("@@", start)
    stopped = text[:start] + "\r\n" + text[start:end].replace("(INTEGER) 2", "(INTEGER) 4") + text[end:]
    with pytest.raises(StepFailed) as err:
        run.plan.strategy.conclude(SequenceOutput.read(stopped), run)
    assert err.value.step == "start" and "ShopPool" in str(err.value)
    assert run.result["state_record"] == run.report.paths.record


def _state_read(text: str, state: int) -> str:
    """``text`` with the state read after the start showing ``state`` (AppPoolState)."""
    return re.sub(r"(@@pool_state_0\r?\n[^@]*\(INTEGER\) )\d", rf"\g<1>{state}", text)


def test_pool_restart_waits_for_a_pool_still_starting(monkeypatch):
    """AppPoolCommand is asynchronous (cc787263): a state read of 1 (starting) after the start is polled until
    2, and the wait counts into the outage."""
    run = release_run("pool_ok")
    runner = run.session.runner
    answer = "@@pool_state_0\nAppPoolState                    : (INTEGER) {}\n"
    runner.answers["pool_state"] = [{"stdout": answer.format(n), "stderr": "", "rc": 0} for n in (1, 1, 2)]
    monkeypatch.setattr(pool_restart.time, "sleep", lambda s: None)
    out = SequenceOutput.read(_state_read(output_of("pool_ok", "apply"), 1), outage_begin=10.0, outage_end=12.5)
    run.plan.strategy.conclude(out, run)
    assert [step for step, _line in runner.asked].count("pool_state") == 3
    assert any("AppPoolState" in line for step, line in runner.asked if step == "pool_state")
    assert run.result["outage_seconds"] >= 2.5  # the pool's downtime, not 0.0
    assert f"were down {run.result['outage_seconds']}s" in run.result["msg"]


def test_pool_restart_a_pool_that_stops_while_polled_fails_with_what_it_showed(monkeypatch):
    run = release_run("pool_ok")
    runner = run.session.runner
    runner.answers["pool_state"] = [{"stdout": "@@pool_state_0\nAppPoolState : (INTEGER) 4\n", "stderr": "", "rc": 0}]
    monkeypatch.setattr(pool_restart.time, "sleep", lambda s: None)
    with pytest.raises(StepFailed) as err:
        run.plan.strategy.conclude(SequenceOutput.read(_state_read(output_of("pool_ok", "apply"), 1)), run)
    assert err.value.step == "start" and "ShopPool: AppPoolState : (INTEGER) 4" in str(err.value)


def test_pool_restart_reports_the_pools_downtime_as_the_outage():
    run = release_run("pool_ok")
    run.plan.strategy.conclude(
        SequenceOutput.read(output_of("pool_ok", "apply"), outage_begin=5.0, outage_end=6.25), run
    )
    assert run.result["outage_seconds"] == 1.25
    assert "their applications were down 1.25s" in run.result["msg"]


def test_a_pool_stopped_before_the_run_is_neither_stopped_nor_started():
    """Issue 21: the metabase shows the pool stopped (AppPoolState 4): the sequence swaps without an
    AppPoolCommand, check mode and the blast radius say the pool stays stopped, and the state record names no
    pool for a recovery to start."""
    runner = ReplayRunner("pool_ok")
    for sent in runner.answers["gather"]:
        sent["stdout"] = re.sub(
            r"(\[/W3SVC/AppPools/ShopPool\]\r?\n[^\[]*AppPoolState\s*: \(INTEGER\) )2", r"\g<1>4", sent["stdout"]
        )
    p = Params.from_module_params(recording("pool_ok")["args"])
    job = ComponentUpdate(p, runner)
    plan = make_plan(job.gather(), p, job.paths, None, job.target)
    strategy = plan.strategy
    assert isinstance(strategy, PoolRestart)
    assert strategy.pools == () and strategy.stopped == ("ShopPool",)
    apply = " ".join(plan.step("apply").parts)
    assert "AppPoolCommand" not in apply and "outage_begin" not in apply
    assert "pools=" in " ".join(plan.step("stage").parts) and "pools=ShopPool" not in " ".join(plan.step("stage").parts)
    assert plan.blast_radius["pools_kept_stopped"] == ["ShopPool"] and plan.blast_radius["pools"] == []
    assert "stay stopped" in plan.blast_radius["note"]
    assert "without stopping or starting any pool" in strategy.prediction(plan, job.paths, True)
    assert "ShopPool stopped before the run: left stopped" in strategy.prediction(plan, job.paths, True)


def test_the_stopped_pool_wait_follows_shutdown_time_limit():
    """Review N3: a stopped pool's worker may take ShutdownTimeLimit (90 s by default) to exit: the wait follows
    the limit the metabase shows, bounded by the module's timeout."""
    assert PoolRestart(("P",), "adsutil", shutdown_limit=20).exit_wait(120) == 25
    assert PoolRestart(("P",), "adsutil", shutdown_limit=None).exit_wait(120) == 95
    assert PoolRestart(("P",), "adsutil", shutdown_limit=300).exit_wait(120) == 120
    run = release_run("pool_ok")
    assert run.plan.strategy.shutdown_limit == 90


def test_package_shutdown_then_the_iis_rules_when_iis_holds_the_dll_too():
    run = release_run("package_then_iis")
    assert isinstance(run.plan.strategy, PackageShutdown) and isinstance(run.plan.iis.strategy, ServiceRestart)
    run.plan.strategy.release(run)
    assert run.result["method"] == "service_restart"
    assert run.result["fallback"].startswith("the DLL was still loaded after the package shut down")


def test_package_refused_then_mtxstop():
    run = release_run("package_refused_mtxstop")
    run.plan.strategy.release(run)
    assert run.result["method"] == "mtxstop"
    assert "every MTS server package (mtxstop.exe)" in run.result["msg"]


@pytest.mark.parametrize("name", sorted(STRATEGY_OF))
def test_check_mode_sentence_is_the_strategys_own(name):
    run = release_run(name)
    sentence = run.plan.strategy.prediction(run.plan, run.report.paths, True)
    assert sentence.startswith("would ") and "None" not in sentence


def test_package_shutdown_hands_over_to_the_pool_restart_on_a_worker_process_host():
    run = release_run("package_then_pool")
    assert isinstance(run.plan.strategy, PackageShutdown) and isinstance(run.plan.iis.strategy, PoolRestart)
    run.plan.strategy.release(run)
    assert run.result["method"] == "pool_restart" and run.result["pools"] == ["ShopPool"]
    assert run.result["msg"].endswith("so the IIS rules applied")


def test_a_service_net_stop_gave_up_on_is_reported_as_having_gone_down():
    """Issue 21: W3SVC went through STOP_PENDING and net stop gave up on it: the result names it
    (services_stop_pending) and the sentence never says 'stopped nothing' while services went down."""
    run = release_run("restart_iis_did_not_stop")
    with pytest.raises(StepFailed):
        run.plan.strategy.conclude(sequence_output("restart_iis_did_not_stop"), run)
    assert run.result["services_stop_pending"] == ["W3SVC"]
    run.result.update(services_stopped=[], services_started=["IISADMIN", "W3SVC"], outage_seconds=31.5)
    sentence = ServiceRestart.done(run)
    assert sentence.startswith("stopped W3SVC (still stopping when net stop gave up) and started IISADMIN, W3SVC")
    assert "stopped nothing" not in sentence


def _states(*values: int) -> list[dict[str, object]]:
    text = "".join(f"@@pool_kept_{i}\nAppPoolState                    : (INTEGER) {v}\n" for i, v in enumerate(values))
    return [{"stdout": text, "stderr": "", "rc": 0}]


def test_after_the_fallback_a_pool_stopped_before_the_run_is_stopped_again():
    """Review L4/N9, S1/S2: the full restart may start a pool an administrator had stopped (AppPoolState is volatile
    on IIS 6; appcmd stop leaves autoStart on IIS 7+): read its state and stop it again."""
    run = release_run("pool_ok")
    runner = run.session.runner
    runner.answers["pool_kept"] = _states(2, 2)
    runner.answers["pool_restore"] = [{"stdout": "", "stderr": "", "rc": 0}]
    strategy = PoolRestart(("ShopPool", "Old Pool (v1), A&B"), "adsutil", stopped=("Old Pool (v1), A&B",))
    assert strategy.pools == ("ShopPool",) and strategy.stopped == ("Old Pool (v1), A&B",)
    strategy.keep_pool_states(run)
    restore = [line for step, line in runner.asked if step == "pool_restore"]
    assert len(restore) == 1 and 'SET "W3SVC/AppPools/Old Pool (v1), A&B/AppPoolCommand" 2' in restore[0]
    assert "ShopPool" not in restore[0]
    assert run.result["pools_kept_stopped"] == ["Old Pool (v1), A&B"]
    assert any("stopped again" in w for w in run.report.result.get("warnings", []))


def test_after_the_fallback_a_pool_still_stopped_is_left_alone():
    run = release_run("pool_ok")
    runner = run.session.runner
    runner.answers["pool_kept"] = _states(2, 4)
    PoolRestart(("ShopPool", "Old"), "adsutil", stopped=("Old",)).keep_pool_states(run)
    assert not any(step == "pool_restore" for step, _line in runner.asked)


def test_after_the_fallback_every_pool_of_the_host_gets_its_state_back():
    """Review S1/S2: the restart resets EVERY pool by its auto-start, not only the applications' pools: another
    site's pool stopped before the run is stopped again, a pool that ran with auto-start off is started again."""
    run = release_run("pool_ok")
    runner = run.session.runner
    runner.answers["pool_kept"] = _states(2, 2, 4)
    runner.answers["pool_restore"] = [{"stdout": "", "stderr": "", "rc": 0}]
    host = (("ShopPool", True), ("IdlePool", False), ("ManualPool", True))
    PoolRestart(("ShopPool",), "adsutil", host_pools=host).keep_pool_states(run)
    (restore,) = [line for step, line in runner.asked if step == "pool_restore"]
    assert 'SET "W3SVC/AppPools/IdlePool/AppPoolCommand" 2' in restore
    assert 'SET "W3SVC/AppPools/ManualPool/AppPoolCommand" 1' in restore
    assert "ShopPool" not in restore
    assert run.result["pools_kept_stopped"] == ["IdlePool"]
    warnings = run.report.result.get("warnings", [])
    assert any("IdlePool" in w and "stopped again" in w for w in warnings)
    assert any("ManualPool" in w and "started again" in w for w in warnings)


def test_after_the_fallback_an_iis7_site_stopped_before_is_stopped_again():
    """Review S3: W3SVC's start starts every IIS 7+ site whose serverAutoStart is true; the run puts back a site
    an administrator had stopped (and starts one the restart left stopped)."""
    run = release_run("pool_ok")
    runner = run.session.runner
    listed = (
        'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Stopped)\n'
        'SITE "Old Shop (v1), A&B" (id:2,bindings:http/*:81:,state:Started)\n'
        'SITE "Odd" (id:3,bindings:,state:Unknown)\n'
    )
    runner.answers["site_kept"] = [{"stdout": listed, "stderr": "", "rc": 0}]
    runner.answers["site_restore"] = [{"stdout": "", "stderr": "", "rc": 0}]
    sites = (("Default Web Site", True), ("Old Shop (v1), A&B", False), ("Odd", False))
    PoolRestart((), "appcmd", "C:\\Windows\\system32\\inetsrv\\appcmd.exe", host_sites=sites).keep_pool_states(run)
    (restore,) = [line for step, line in runner.asked if step == "site_restore"]
    assert 'stop site /site.name:"Old Shop (v1), A&B"' in restore
    assert 'start site /site.name:"Default Web Site"' in restore
    assert "Odd" not in restore
    assert run.result["sites_kept_stopped"] == ["Old Shop (v1), A&B"]


def test_iis6_has_no_site_state_to_put_back():
    run = release_run("pool_ok")
    PoolRestart((), "adsutil", host_sites=(("Default Web Site", False),)).keep_pool_states(run)
    assert not any(step.startswith("site_") for step, _line in run.session.runner.asked)

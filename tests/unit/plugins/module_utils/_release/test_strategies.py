"""Each strategy reads what its own sequence printed on a lab host (``recorded/runs``): the success, the
failures recorded, and a sequence cut short on the host (the same output, ended before its last marker)."""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sequence import SequenceOutput
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.first_copy import FirstCopy
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.package_shutdown import PackageShutdown
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.pool_restart import PoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed

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
    stopped = text[:start] + "\r\n" + text[start:end].replace("2", "4") + text[end:]
    with pytest.raises(StepFailed) as err:
        run.plan.strategy.conclude(SequenceOutput.read(stopped), run)
    assert err.value.step == "start" and "ShopPool" in str(err.value)
    assert run.result["state_record"] == run.report.paths.record


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

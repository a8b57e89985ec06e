"""The combined restart's one sequence for several DLLs (issue 23): its text, its size on NT 4's command line,
and what each DLL reads of its output."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths, StateRecord
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.script import sequence_lines
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sequence import SequenceOutput
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.base import Release
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.combined_pools import CombinedPoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.combined_restart import (
    CombinedRestart,
    group_line,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.combined_unload import CombinedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.pool_restart import PoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.recovery import group_swaps, recovery_parts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.was_restart import WasRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout

from ..replay import ReplayRunner, recording

BIN = "C:\\InetPub\\shop\\bin"
NAMES = ("ShopCart", "Pricing", "Tax")
STOPS = ("W3SVC", "MSFTPSVC", "IISADMIN")
STARTS = ("IISADMIN", "W3SVC", "MSFTPSVC")


def swaps(folder: str = BIN, names: tuple[str, ...] = NAMES) -> tuple[Swap, ...]:
    return tuple(
        Swap(Paths(f"C:\\Staging\\{n}.dll", f"{folder}\\{n}.dll", f"2026120700000{i}").relative(), label=f"c{i + 1}")
        for i, n in enumerate(names)
    )


def release(all_swaps: tuple[Swap, ...], limit: int = 8191, folder: str = BIN) -> Release:
    first, *rest = all_swaps
    return Release(first, STOPS, STARTS, (), True, False, "adsutil.vbs", limit, folder, also=tuple(rest))


def test_one_stop_every_swap_every_check_then_the_group_rollback_then_one_start_of_each_service():
    parts = CombinedRestart(ServiceRestart()).sequence(release(swaps()))
    text = "&".join(parts)
    assert text.count("net stop IISADMIN /y") == 1
    assert all(text.count(f"net start {svc}") == 1 for svc in STARTS)
    swapped = [text.index(f"@@c{i}_swap") for i in (1, 2, 3)]
    checked = [text.index(f"@@c{i}_check") for i in (1, 2, 3)]
    # stop < every swap < every check < putting every one back < the first start
    assert text.index("net stop") < min(swapped) and max(swapped) < min(checked)
    assert max(checked) < text.index("@@group_back") < text.index("net start IISADMIN")
    back = text[text.index("@@group_back") : text.index("@@start_IISADMIN")]
    assert all(f'ren "{n}.dll" "{n}.dll.iis4new"' in back for n in NAMES)  # every DLL put back, in one place
    assert text.index("@@outage_end") < text.index("@@c1_verify") and text.endswith("echo @@done")


def test_every_record_names_every_dll_of_the_outage_before_it_starts():
    all_swaps = swaps()
    parts = CombinedRestart(ServiceRestart()).sequence(release(all_swaps))
    named = group_line(all_swaps)
    for s in all_swaps:
        record = s.p.record
        assert parts.index(f'(echo {named})>>"{record}"') < parts.index(f'(echo started=restart)>>"{record}"')
    rec = StateRecord.parse(f"run=20261207000000\ngroup={named.split('=', 1)[1]}\n")
    assert rec is not None and [d for d, _stamp in rec.group] == [f"{BIN}\\{n}.dll" for n in NAMES]


def test_the_full_restart_of_iis_7_stops_was_once():
    text = "&".join(CombinedRestart(WasRestart()).sequence(release(swaps())))
    assert text.count("net stop WAS /y") == 1 and "IISADMIN /y" not in text


def test_a_sequence_too_long_for_nt_4_goes_to_one_batch_file_each_line_within_the_limit():
    deep = BIN + "\\" + "\\".join(["components"] * 6)
    names = tuple(f"Component{n:02d}" for n in range(6))
    r = release(swaps(deep, names), limit=2047, folder=deep)
    parts = CombinedRestart(ServiceRestart()).sequence(r)
    lines = sequence_lines(parts, 2047, deep, "ShopCart.dll.iis4run.cmd")
    assert len(lines) > 1 and lines[-1].endswith('call "ShopCart.dll.iis4run.cmd"&del "ShopCart.dll.iis4run.cmd"')
    assert all(len(line) <= 2047 for line in lines)
    assert sum(line.count("net stop IISADMIN /y") for line in lines) == 1


def test_each_dll_reads_its_own_sections_and_the_shared_ones():
    text = "\r\n".join(
        [
            "@@outage_begin",
            "@@stop",
            "The World Wide Web Publishing Service was stopped successfully.",
            "@@c1_check",
            "@@c2_check",
            "##not_swapped",
            "@@group_back",
            "##group_rolled_back",
            "@@start_W3SVC",
            "The World Wide Web Publishing Service was started successfully.",
            "@@c1_verify",
            "@@rc c1_verify 1",
            "@@c2_verify",
            "@@rc c2_verify 1",
            "@@done",
        ]
    )
    out = SequenceOutput.read(text)
    first, second = out.of("c1", ("c1", "c2")), out.of("c2", ("c1", "c2"))
    assert "##not_swapped" not in first["check"] and "##not_swapped" in second["check"]
    assert "was stopped" in first["stop"] and "was started" in second["start_W3SVC"]
    assert first.rc("verify") == 1 and second.rc("verify") == 1 and "c2_verify" not in first
    assert first.finished and first.printed("##group_rolled_back") and not first.printed("##not_swapped")


def test_recovery_puts_every_dll_of_an_unfinished_outage_back_before_any_service_starts():
    all_swaps = swaps()
    named = group_line(all_swaps).split("=", 1)[1]
    lead = Paths("", f"{BIN}\\ShopCart.dll", "20261207000000")
    rec = StateRecord.parse(f"run=20261207000000\ndest={lead.dest}\ngroup={named}\nstarted=restart\n")
    assert rec is not None
    others = group_swaps(rec, lead)
    assert [o.p.dest for o in others] == [f"{BIN}\\Pricing.dll", f"{BIN}\\Tax.dll"]
    text = "&".join(recovery_parts(Swap(lead), False, ["IISADMIN", "W3SVC"], others))
    start = text.index("net start IISADMIN")
    assert all(0 <= text.index(f'"{o.p.backup}"') < start for o in others)
    # finished: each DLL's own record brings it back
    assert f'"{others[0].p.backup}"' not in "&".join(recovery_parts(Swap(lead), True, ["W3SVC"], ()))


def test_the_pool_sequence_stops_and_starts_each_pool_once_around_every_swap():
    pools = CombinedPoolRestart.of(PoolRestart(("ShopPool", "OrderPool"), "adsutil"))
    text = "&".join(pools.sequence(release(swaps())))
    stop, start = text.index("@@pool_stop"), text.index("@@pool_start_0")
    assert all(text[stop : text.index("@@c1_swap")].count(pool) == 1 for pool in ("ShopPool", "OrderPool"))
    assert text.count("@@pool_start_1") == 1 and "@@pool_start_2" not in text
    assert stop < min(text.index(f"@@c{i}_swap") for i in (1, 2, 3)) < text.index("@@group_back") < start
    assert all(f"@@c{i}_probe" in text and f"@@c{i}_tidy" in text for i in (1, 2, 3))
    assert text.count("@@pool_stop") == 1 and text.count("@@pool_start_0") == 1


def test_the_unload_sequence_unloads_each_application_once_before_every_swap():
    root = SimpleNamespace(unload_path="W3SVC/1/ROOT/Shop")
    r = dataclasses.replace(release(swaps()), unload_roots=(root,))
    text = "&".join(CombinedUnload().sequence(r))
    assert text.count("APPUNLOAD") == 1
    assert text.index("APPUNLOAD") < text.index("@@c1_swap") < text.index("@@group_back") < text.index("@@c1_probe")


def replayed(name: str) -> tuple[dict, ReplayRunner]:
    data = recording(name)
    runner = ReplayRunner(name)
    return run_rollout(dict(data["args"]), runner), runner


def test_three_dlls_recorded_on_a_lab_host_one_sequence_one_stop_each_dll_its_own_result():
    res, runner = replayed("combined_restart_ok")
    stops = [c for _step, c in runner.asked if "net stop IISADMIN /y" in c]
    assert len(stops) == 1  # one line (or the batch file's writes: the stop is written once)
    assert [s for s, _c in runner.asked].count("apply") == 1
    comps = res["components"]
    assert all(c["changed"] and not c.get("failed") and c["backup_file"] for c in comps)
    assert [c["shared_release"]["index"] for c in comps] == [0, 1, 2]
    assert len({c["backup_file"] for c in comps}) == 3


def test_a_dll_another_program_holds_puts_every_dll_back_in_the_same_outage():
    res, runner = replayed("combined_restart_held")
    cart, pricing, tax = res["components"]
    assert pricing["step"] == "stop" and "something other than IIS holds it" in pricing["msg"]
    for other in (cart, tax):
        assert other["step"] == "swap" and "put back in the same outage" in other["msg"]
        assert "Pricing.dll could not be replaced" in other["msg"]
    assert all(c["rolled_back"] and c["dest_holds"] == "old" for c in res["components"])
    assert cart["shared_release"]["failed"] == [1]  # Pricing.dll failed on its own; the others followed
    assert res["msg"].startswith("components[1] (C:\\InetPub\\shop\\bin\\Pricing.dll): step stop failed")
    assert [s for s, _c in runner.asked].count("apply") == 1
    assert res["services_started"] and not res.get("services_not_running")


def test_a_group_record_naming_a_path_or_a_stamp_that_is_not_ours_is_refused():
    lead = Paths("", f"{BIN}\\ShopCart.dll", "20261207000000")
    for group in (f"{BIN}\\Tax.dll*2026", "relative\\Tax.dll*20261207000000", f"{BIN}\\Ta&x.dll|*20261207000000"):
        rec = StateRecord.parse(f"run=20261207000000\ngroup={group}\nstarted=restart\n")
        assert rec is not None
        with pytest.raises(StepFailed, match="cannot be trusted"):
            group_swaps(rec, lead)

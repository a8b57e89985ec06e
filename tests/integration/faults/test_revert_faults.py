"""Fault rows of ``state: reverted`` (issue 23): a revert interrupted mid-outage, finished by the next run.

The host is first updated (it serves 2.0.0.0 and keeps the 1.0.0.0 backup); the revert's outage sequence is then
cut short on the host (cmd.exe killed while IIS is down, as the fault matrix's ``killed-on-host`` rows do), and the
same revert task is run again.  Invariants: dest is always one of the two DLLs whole, the services that ran run
again after each run, and the rerun serves the old version with no state record or staged copy left.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.faults import harness as h
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]

UPDATE = h.module_args()
REVERT = {**h.module_args(), "state": "reverted"}
IN_PROCESS, ISOLATED = 0, 1


def _leftovers(host: Any) -> list[str]:
    return [n for n in h.files_beside(host, SHOP_DLL) if n.lower().endswith((".iis4state", ".iis4new", ".iis4log"))]


@pytest.mark.parametrize(
    ("fleet", "trigger"),
    [
        (IN_PROCESS, ("IISADMIN", "STOPPED", None)),
        (ISOLATED, ("W3SVC", "STOPPED", None)),
    ],
    ids=["killed-on-host-inproc", "killed-in-fallback-isolated"],
)
def test_revert_cut_short_mid_outage_is_finished_by_the_next_run(lab_host, fleet, trigger):
    overrides: dict[str, Any] = {"rename_loaded_image": True, "timing": {"net_give_up": 1.0}}
    host = lab_host(fleet_index=fleet, **overrides)
    old, new = h.read_file(host, SHOP_DLL), h.read_file(host, STAGED_DLL)
    assert h.served_version(host) == "1.0.0.0"
    update = h.run_module(host, UPDATE)
    assert not update.get("failed"), update.get("msg")
    assert h.read_file(host, SHOP_DLL) == new and h.served_version(host) == "2.0.0.0"
    services = h.iis_states(host)
    if fleet == ISOLATED:
        host.set_faults(unload_noop=True)  # the unload frees nothing: the revert falls back to a full restart
    service, state, after = trigger
    with h.Trigger(host, service, state, after=after, action=h.kill_command("iis4")) as fired:
        first = h.run_module(host, REVERT)
    assert fired.fired, "the kill never bit"
    assert first.get("failed"), first.get("msg")
    assert h.wait_quiet(host)
    assert h.read_file(host, SHOP_DLL) in (old, new), "dest is not one of the two DLLs whole"
    host.reset_faults()

    again = h.run_module(host, REVERT)
    assert h.wait_quiet(host)
    assert not again.get("failed") and again["changed"] is True, again.get("msg")
    assert again["restored_backup"] == update["backup_file"], again
    assert h.read_file(host, SHOP_DLL) == old
    assert h.served_version(host) == "1.0.0.0"
    assert h.iis_states(host) == services
    assert not _leftovers(host), _leftovers(host)
    assert not h.record_present(host)
    # And a third run changes nothing.
    third = h.run_module(host, REVERT)
    assert not third.get("failed") and third["changed"] is False, third.get("msg")

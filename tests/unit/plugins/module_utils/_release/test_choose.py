"""Which strategy a host gets, from the facts of recorded gathers, and the sequence every release that keeps
IIS running shares."""

from __future__ import annotations

import dataclasses

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.base import Release, released_then_swapped
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.choose import choose
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.first_copy import FirstCopy
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.pool_restart import PoolRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload

from ..test_plan import DEST, INPROC, facts_of


def test_the_isolation_chooses_the_strategy_and_its_full_restart():
    facts = facts_of(INPROC)
    inproc = choose(facts, None, "in_process", (), dest=DEST)
    assert isinstance(inproc.strategy, ServiceRestart) and inproc.fallback is None and inproc.first is inproc.strategy
    unload = choose(facts, None, "out_of_process", (), dest=DEST)
    assert isinstance(unload.strategy, IsolatedUnload) and isinstance(unload.fallback, ServiceRestart)
    assert choose(facts, None, "out_of_process", (), dest=DEST, unload_fallback=False).fallback is None
    pool = choose(facts, None, "worker_process", (), dest=DEST, pools=("ShopPool",), pool_tool="appcmd")
    assert isinstance(pool.strategy, PoolRestart) and pool.strategy.pools == ("ShopPool",)


def test_a_dest_that_does_not_exist_is_a_first_copy_whatever_the_isolation():
    facts = dataclasses.replace(facts_of(INPROC), dest=None)
    for isolation in ("in_process", "out_of_process", "worker_process"):
        choice = choose(facts, None, isolation, (), dest=DEST)
        assert isinstance(choice.strategy, FirstCopy) and choice.fallback is None and choice.package is None


def test_a_release_that_keeps_iis_running_records_its_phase_swaps_probes_and_tidies():
    swap = Swap(Paths("C:\\Staging\\a.dll", "C:\\InetPub\\a.dll", "20260101000000").relative())
    r = Release(swap, (), (), (), backup=True, register=False, adsutil_path="adsutil.vbs")
    parts = released_then_swapped(r, "unload", ["echo @@unload"])
    line = "&".join(parts)
    assert parts[0].endswith('"a.dll.iis4state"') and "started=unload" in parts[0]
    assert line.index("@@unload") < line.index("@@swap") < line.index("@@probe") < line.index("@@tidy")
    assert parts[-1] == "echo @@done"

"""IIS 6.0 (issue 13, item 3): worker process isolation mode, application pools, iisapp.vbs, AppPoolCommand;
IIS 5 isolation mode on 2003; the pool faults (item 5).

Sources: IIS 5-7 facts "IIS 6.0" (IIs5IsolationModeEnabled; AppPoolId inheritable, default DefaultAppPool, the
"not set at this node" answer with 0x80005006; AppPoolCommand 1 / 2 and AppPoolState 1..4; iisapp.vbs's listing
line and three recycle texts, /r only from SP1; overlapped recycling up to ShutdownTimeLimit, default 90 s;
DisallowOverlappingRotation; Unload disabled).  Choices: 503 text, iisapp's usage text, the stuck / keeps-DLL
faults, the scaling of ShutdownTimeLimit (``Timing.pool_time_scale``)."""

from __future__ import annotations

import time

from tests.lab.harness.fixtures import wait_until
from tests.lab.machine.config import AppPoolConfig
from tests.lab.machine.metabase import E_ADS_PROPERTY_NOT_SET
from tests.unit.lab.tools_harness import fast_timing
from tests.unit.lab.versions_harness import OTHER_DLL, get, holders, host, images, run

ADSUTIL = "cscript //nologo C:\\Inetpub\\AdminScripts\\adsutil.vbs"
IISAPP = "cscript //nologo C:\\WINDOWS\\system32\\iisapp.vbs"


def worker(**kw):
    return host("w2k3", shop={"isolation": 2, "app_pool": "ShopPool"}, other={"isolation": 2}, **kw)


def pid_of(m, dll=None):
    found = holders(m, dll) if dll else holders(m)
    assert len(found) == 1, found
    return int(found[0].split(":")[1])


def test_worker_mode_is_the_default_and_the_metabase_says_so():
    m = worker()
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/IIs5IsolationModeEnabled")
    assert (out, rc) == ("IIs5IsolationModeEnabled        : (BOOLEAN) False\n", 0)
    m = worker(iis5_isolation_mode=True)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/IIs5IsolationModeEnabled")
    assert out == "IIs5IsolationModeEnabled        : (BOOLEAN) True\n"
    get(m)
    assert images(m) == ["dllhost.exe"]  # IIS 5 isolation mode: the pooled dllhost.exe


def test_each_pool_has_its_w3wp():
    m = worker()
    assert get(m)[0] == 200 and get(m, "/Other/")[0] == 200
    assert images(m) == ["w3wp.exe"] and images(m, OTHER_DLL) == ["w3wp.exe"]
    assert holders(m) != holders(m, OTHER_DLL)
    pools = {p.pool for p in m.processes.all() if p.image == "w3wp.exe"}
    assert pools == {"ShopPool", "DefaultAppPool"}


def test_app_pool_id_is_inherited_and_get_says_not_set():
    m = worker()
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppPoolId")
    assert (out, rc) == ('AppPoolId                       : (STRING) "ShopPool"\n', 0)
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Other/AppPoolId")
    assert out == 'The parameter "AppPoolId" is not set at this node.\n'
    assert rc == E_ADS_PROPERTY_NOT_SET & 0xFFFFFFFF
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/AppPoolId")
    assert out == 'AppPoolId                       : (STRING) "DefaultAppPool"\n'


def settle(m, pool, bound=5.0):
    """Poll AppPoolState (bounded) until it leaves 1 / 3; returns the state it settled in."""
    end = time.monotonic() + bound
    while m.pool_state(pool) in (1, 3) and time.monotonic() < end:
        time.sleep(0.01)
    return m.pool_state(pool)


def test_app_pool_command_stops_and_starts_a_pool():
    m = worker()
    m.config.timing.pool_transition = 0.5  # long enough to read the passing state after the SET
    get(m)
    get(m, "/Other/")
    state = f"{ADSUTIL} GET W3SVC/AppPools/ShopPool/AppPoolState"
    assert run(m, state)[0] == "AppPoolState                    : (INTEGER) 2\n"
    out, _err, rc = run(m, f"{ADSUTIL} SET W3SVC/AppPools/ShopPool/AppPoolCommand 2")
    assert (out, rc) == ("AppPoolCommand                  : (INTEGER) 2\n", 0)
    # asynchronous (cc787263): 3 (stopping) first, then 4
    assert run(m, state)[0] == "AppPoolState                    : (INTEGER) 3\n"
    assert settle(m, "ShopPool") == 4
    assert run(m, state)[0] == "AppPoolState                    : (INTEGER) 4\n"
    assert holders(m) == [] and images(m, OTHER_DLL) == ["w3wp.exe"]
    assert get(m) == (503, "Service Unavailable\r\n")
    assert get(m, "/Other/")[0] == 200
    assert run(m, f"{ADSUTIL} SET W3SVC/AppPools/ShopPool/AppPoolCommand 1")[2] == 0
    assert run(m, state)[0] == "AppPoolState                    : (INTEGER) 1\n"
    assert settle(m, "ShopPool") == 2
    assert run(m, state)[0] == "AppPoolState                    : (INTEGER) 2\n"
    assert get(m)[0] == 200


def test_iisapp_lists_the_workers():
    m = worker()
    assert run(m, IISAPP)[0] == "There are no IIS worker processes running.\n"
    get(m)
    get(m, "/Other/")
    lines = run(m, IISAPP)[0].splitlines()
    assert lines == [
        f"W3WP.exe PID: {pid_of(m)}   AppPoolId: ShopPool",
        f"W3WP.exe PID: {pid_of(m, OTHER_DLL)}   AppPoolId: DefaultAppPool",
    ]


def test_iisapp_recycle_texts():
    m = worker()
    get(m)
    old = pid_of(m)
    out, _err, rc = run(m, f'{IISAPP} /a "ShopPool" /r')
    assert (out, rc) == ("Application pool 'ShopPool' recycled successfully.\n", 0)
    assert holders(m) == []  # worker_drain 0: the old worker is gone at once
    get(m)
    assert pid_of(m) != old
    out, _err, rc = run(m, f'{IISAPP} /a "NoSuchPool" /r')
    assert (out, rc) == ("Application pool 'NoSuchPool' does not exist.\n", 1)
    run(m, f"{ADSUTIL} SET W3SVC/AppPools/ShopPool/AppPoolCommand 2")
    out, _err, rc = run(m, f'{IISAPP} /a "ShopPool" /r')
    assert (out, rc) == ("Failed to recycle application pool 'ShopPool'.\n", 1)


def test_rtm_iisapp_has_no_recycle():
    m = worker(iisapp_recycle=False)
    get(m)
    out, _err, rc = run(m, f'{IISAPP} /a "ShopPool" /r')
    assert rc == 1 and out.startswith("IIsApp.vbs")
    assert "/r" not in run(m, f"{IISAPP} /?")[0]
    assert "/r" in run(worker(), f"{IISAPP} /?")[0]
    assert images(m) == ["w3wp.exe"]
    assert not worker(has_iisapp=False).fs.is_file("C:\\WINDOWS\\system32\\iisapp.vbs")


def test_overlapped_recycle_keeps_the_old_worker_until_the_drain_ends():
    m = worker(timing=fast_timing(worker_drain=0.5))
    get(m)
    old = pid_of(m)
    run(m, f'{IISAPP} /a "ShopPool" /r')
    get(m)  # a new worker starts at once, beside the old one
    pids = sorted(int(h.split(":")[1]) for h in holders(m))
    assert len(pids) == 2 and old in pids
    assert wait_until(lambda: len(holders(m)) == 1, timeout=3)
    assert pid_of(m) != old


def test_shutdown_time_limit_caps_the_drain():
    pools = [AppPoolConfig("ShopPool", shutdown_time_limit=1)]
    m = worker(app_pools=pools, timing=fast_timing(worker_drain=30.0, pool_time_scale=0.1))
    get(m)
    run(m, f'{IISAPP} /a "ShopPool" /r')
    assert wait_until(lambda: holders(m) == [], timeout=2)


def test_disallow_overlapping_rotation_makes_the_new_worker_wait():
    pools = [AppPoolConfig("ShopPool", disallow_overlapping_rotation=True)]
    m = worker(app_pools=pools, timing=fast_timing(worker_drain=0.3))
    get(m)
    old = pid_of(m)
    run(m, f'{IISAPP} /a "ShopPool" /r')
    began = time.monotonic()
    assert get(m)[0] == 200
    assert time.monotonic() - began >= 0.2
    assert pid_of(m) != old


def test_pool_stop_stuck_fault():
    m = worker()
    get(m)
    m.config.faults.pool_stop_stuck = True
    run(m, f"{ADSUTIL} SET W3SVC/AppPools/ShopPool/AppPoolCommand 2")
    assert get(m)[0] == 503
    time.sleep(0.1)
    assert images(m) == ["w3wp.exe"]  # the stopped pool's worker never exits
    run(m, "net stop iisadmin /y")
    assert holders(m) == []


def test_worker_keeps_dll_fault_on_recycle():
    m = worker(timing=fast_timing(worker_drain=0.1))
    get(m)
    m.config.faults.worker_keeps_dll = True
    run(m, f'{IISAPP} /a "ShopPool" /r')
    time.sleep(0.3)
    assert images(m) == ["w3wp.exe"]


def test_worker_exit_delay_on_stop():
    m = worker(timing=fast_timing(worker_exit_delay=0.3))
    get(m)
    run(m, f"{ADSUTIL} SET W3SVC/AppPools/ShopPool/AppPoolCommand 2")
    assert images(m) == ["w3wp.exe"]
    assert wait_until(lambda: holders(m) == [], timeout=3)


def test_appunload_does_nothing_in_worker_mode():
    m = worker()
    get(m)
    out, _err, rc = run(m, f"{ADSUTIL} APPUNLOAD /LM/W3SVC/1/ROOT/Shop")
    assert (out, rc) == ("Application Unloaded.\n", 0)
    assert images(m) == ["w3wp.exe"]
    assert run(m, f"{ADSUTIL} APPGETSTATUS /LM/W3SVC/1/ROOT/Shop")[0] == "Application Status: 1\n"


def test_app_pool_id_unknown_to_iis5_hosts():
    m = host("w2k", shop={"isolation": 2})
    out, _err, rc = run(m, f"{ADSUTIL} GET W3SVC/1/ROOT/Shop/AppPoolId")
    assert rc != 0 and "Schema" in out

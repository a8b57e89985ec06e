"""The benchmark's pure helpers: statistics, ratios, and reading the lab's event log (no lab, no timing)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import analysis as A  # noqa: E402
from bench.naive import parent_path, parse_app_isolated  # noqa: E402


def http(t: float, host: str = "WEB01", action: str = "Receive") -> dict:
    return {"t": t, "host": host, "kind": "http", "detail": {"action": action, "status": 200}}


def svc(t: float, name: str, old: str, new: str, host: str = "WEB01") -> dict:
    return {"t": t, "host": host, "kind": "service", "detail": {"name": name, "old": old, "new": new}}


# ------------------------------------------------------------------------------------------------ statistics


def test_summarize_median_and_spread():
    s = A.summarize([3.0, 1.0, 2.0, 10.0])
    assert s["n"] == 4
    assert s["median"] == 2.5
    assert (s["min"], s["max"]) == (1.0, 10.0)
    assert s["mean"] == 4.0
    assert s["stdev"] > 0


def test_summarize_single_and_empty():
    assert A.summarize([7])["stdev"] == 0.0
    assert A.summarize([7])["median"] == 7.0
    empty = A.summarize([])
    assert empty["n"] == 0
    assert empty["median"] is None


def test_ratio_guards_missing_and_zero():
    assert A.ratio(15, 60) == 0.25
    assert A.ratio(None, 3) is None
    assert A.ratio(3, None) is None
    assert A.ratio(3, 0) is None


def test_fmt_spread():
    assert A.fmt_spread(A.summarize([7.3, 7.5, 7.4])) == "7.40 (7.30-7.50, n=3)"
    assert A.fmt_spread(A.summarize([12]), 0) == "12 (n=1)"
    assert A.fmt_spread(A.summarize([])) == "n/a"


def test_ideal_fleet_time():
    assert A.ideal_fleet_time(200, 50, 10.0) == 40.0
    assert A.ideal_fleet_time(10, 50, 10.0) == 10.0
    assert A.ideal_fleet_time(51, 50, 2.0) == 4.0
    with pytest.raises(ValueError):
        A.ideal_fleet_time(0, 50, 1.0)


def test_growth_exponent():
    assert A.growth_exponent([(10, 5.0), (50, 25.0), (200, 100.0)]) == pytest.approx(1.0)
    assert A.growth_exponent([(10, 3.0), (200, 3.0)]) == pytest.approx(0.0)
    assert A.growth_exponent([(10, 3.0)]) is None
    assert A.growth_exponent([(10, 0.0), (20, 1.0)]) is None


def test_outage_bound_counts_only_what_holds_the_web_down():
    stop = {"W3SVC": 2.0, "IISADMIN": 1.5, "MSFTPSVC": 0.5}
    start = {"W3SVC": 1.5, "IISADMIN": 1.0, "MSFTPSVC": 0.75}
    b = A.outage_bound(stop, start, ["W3SVC", "IISADMIN"], swap_seconds=0.01)
    assert b == {"stop_s": 3.5, "swap_s": 0.01, "start_s": 2.5, "total": pytest.approx(6.01)}
    whole = A.outage_bound(stop, start, ["msftpsvc", "w3svc", "iisadmin"], ["IISADMIN", "W3SVC", "MSFTPSVC"])
    assert whole["total"] == pytest.approx(4.0 + 3.25)


# ------------------------------------------------------------------------------------------------ event log


def test_count_requests_by_host_and_window():
    events = [http(1.0), http(2.0, action="Command"), http(2.5, host="WEB02"), http(3.0), svc(2.2, "W3SVC", "a", "b")]
    assert A.count_requests(events, "WEB01") == 3
    assert A.count_requests(events, "web01", since=1.5, until=2.9) == 1
    assert A.requests_by_action(events, "WEB01") == {"Command": 1, "Receive": 2}
    assert A.wire_span(events, "WEB01") == 2.0
    assert A.wire_span(events, "WEB02") == 0.0


def test_downtime_of_one_restart():
    events = [
        svc(10.0, "W3SVC", "RUNNING", "STOP_PENDING"),
        svc(12.0, "W3SVC", "STOP_PENDING", "STOPPED"),
        svc(13.0, "IISADMIN", "RUNNING", "STOP_PENDING"),
        svc(15.0, "W3SVC", "STOPPED", "START_PENDING"),
        svc(16.5, "W3SVC", "START_PENDING", "RUNNING"),
        svc(16.5, "W3SVC", "RUNNING", "STOP_PENDING", host="WEB02"),
    ]
    assert A.downtime(events, "WEB01", "W3SVC", since=0.0, until=100.0) == pytest.approx(6.5)
    assert A.service_intervals(events, "WEB01", "W3SVC", 0.0, 100.0) == [(10.0, 16.5)]
    assert A.stopped_services(events, "WEB01") == ["W3SVC", "IISADMIN"]
    # clipped to the window; state before the window comes from the last earlier change
    assert A.downtime(events, "WEB01", "W3SVC", since=11.0, until=14.0) == pytest.approx(3.0)
    # still down at the end of the window
    assert A.downtime(events, "WEB02", "W3SVC", since=0.0, until=20.0) == pytest.approx(3.5)
    # no change at all: no downtime
    assert A.downtime(events, "WEB03", "W3SVC", since=0.0, until=20.0) == 0.0


def test_downtime_counts_two_outages():
    events = [
        svc(1.0, "W3SVC", "RUNNING", "STOP_PENDING"),
        svc(2.0, "W3SVC", "START_PENDING", "RUNNING"),
        svc(5.0, "w3svc", "RUNNING", "STOP_PENDING"),
        svc(5.25, "W3SVC", "START_PENDING", "RUNNING"),
    ]
    assert A.downtime(events, "WEB01", since=0.0, until=10.0) == pytest.approx(1.25)


def test_parse_recap():
    out = (
        "PLAY [x] ***\n\nTASK [y] ***\nok: [WEB001]\n\n"
        "PLAY RECAP *********\n"
        "WEB001                     : ok=12   changed=2    unreachable=0    failed=0    skipped=3    rescued=0    "
        "ignored=0\n"
        "WEB002                     : ok=3    changed=0    unreachable=1    failed=0    skipped=0    rescued=0    "
        "ignored=0\n"
    )
    recap = A.parse_recap(out)
    assert recap["WEB001"]["changed"] == 2
    assert recap["WEB002"]["unreachable"] == 1
    assert set(recap) == {"WEB001", "WEB002"}


# ------------------------------------------------------------------------------------------------ naive script


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("AppIsolated                     : (INTEGER) 1\r\n", 1),
        ("AppIsolated                     : (INTEGER) 0\r\n", 0),
        ("AppIsolated           :(INTEGER) 1\r\n", 1),  # the IIS 4 revision of adsutil.vbs
        ('The parameter "AppIsolated" is not set at this node.\r\n', None),
    ],
)
def test_parse_app_isolated(text, value):
    assert parse_app_isolated(text) == value


def test_parent_path():
    assert parent_path("W3SVC/1/ROOT/Shop") == "W3SVC/1/ROOT"
    assert parent_path("W3SVC") is None
    assert parent_path("/W3SVC/1/") == "W3SVC"


def test_task_growth_per_task_exponent():
    runs = [
        {"hosts": 10, "ok": True, "task_seconds": [["update", 10.0], ["assert", 1.0]]},
        {"hosts": 40, "ok": True, "task_seconds": [["update", 10.0], ["assert", 16.0]]},
        {"hosts": 40, "ok": False, "task_seconds": [["update", 99.0]]},
        {"hosts": 1, "ok": True, "task_seconds": [["update", 9.0]]},
    ]
    growth = A.task_growth(runs)
    assert growth["update"]["seconds"] == {10: 10.0, 40: 10.0}
    assert growth["update"]["exponent"] == pytest.approx(0.0)
    assert growth["assert"]["exponent"] == pytest.approx(2.0)

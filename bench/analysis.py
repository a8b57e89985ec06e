"""Pure helpers of the benchmark: statistics over repeated runs and reading the lab's event log.

Nothing here touches the network, the clock or the file system, so ``tests/unit/bench`` can check it fast.
Events are the dictionaries the lab's control API returns (``GET /events``):
``{"t": <lab monotonic seconds>, "host": "WEB01", "kind": "http" | "service" | ..., "detail": {...}}``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

RUNNING = "RUNNING"

# ------------------------------------------------------------------------------------------------ statistics


def summarize(values: Iterable[float]) -> dict[str, Any]:
    """Median and spread of repeated measurements, pyperf style.

    Returns ``{"n", "median", "min", "max", "mean", "stdev", "values"}``; ``stdev`` is the sample standard
    deviation (0.0 for a single value).  An empty input gives ``n == 0`` and ``None`` for every figure.
    """
    data = [float(v) for v in values]
    if not data:
        return {"n": 0, "median": None, "min": None, "max": None, "mean": None, "stdev": None, "values": []}
    return {
        "n": len(data),
        "median": statistics.median(data),
        "min": min(data),
        "max": max(data),
        "mean": statistics.fmean(data),
        "stdev": statistics.stdev(data) if len(data) > 1 else 0.0,
        "values": data,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is zero."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def fmt_spread(summary: Mapping[str, Any], digits: int = 2, unit: str = "") -> str:
    """``"7.41 s (7.30-7.52, n=5)"``: the median, then the range of the runs."""
    if not summary or summary.get("n", 0) == 0 or summary.get("median") is None:
        return "n/a"
    med = f"{summary['median']:.{digits}f}{unit}"
    if summary["n"] == 1:
        return f"{med} (n=1)"
    return f"{med} ({summary['min']:.{digits}f}-{summary['max']:.{digits}f}, n={summary['n']})"


def ideal_fleet_time(hosts: int, forks: int, single_host_seconds: float) -> float:
    """The fleet ceiling: every batch of ``forks`` hosts takes as long as one host alone."""
    if hosts <= 0 or forks <= 0:
        raise ValueError("hosts and forks must be positive")
    return math.ceil(hosts / forks) * single_host_seconds


def growth_exponent(points: Sequence[tuple[float, float]]) -> float | None:
    """Least-squares slope of log(y) over log(x): about 1 means y grows linearly with x, 0 means flat.

    Points with a non-positive coordinate are skipped; fewer than two usable points give None.
    """
    usable = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len(usable) < 2:
        return None
    mx = statistics.fmean(p[0] for p in usable)
    my = statistics.fmean(p[1] for p in usable)
    sxx = sum((p[0] - mx) ** 2 for p in usable)
    if sxx == 0:
        return None
    return sum((p[0] - mx) * (p[1] - my) for p in usable) / sxx


def task_growth(runs: Iterable[Mapping[str, Any]], min_hosts: int = 2) -> dict[str, dict[str, Any]]:
    """How each task's wall time grows with the fleet size, from fleet runs with ``task_seconds``.

    ``runs``: ``{"hosts": N, "ok": bool, "task_seconds": [[name, seconds], ...]}``.  Returns
    ``{name: {"seconds": {N: median}, "exponent": slope of log(seconds) over log(N)}}`` over the runs with at
    least ``min_hosts`` hosts.
    """
    per: dict[str, dict[int, list[float]]] = {}
    for run in runs:
        if not run.get("ok") or int(run["hosts"]) < min_hosts:
            continue
        for name, secs in run.get("task_seconds") or []:
            per.setdefault(name, {}).setdefault(int(run["hosts"]), []).append(float(secs))
    out: dict[str, dict[str, Any]] = {}
    for name, by_n in per.items():
        medians = {n: statistics.median(v) for n, v in sorted(by_n.items())}
        out[name] = {"seconds": medians, "exponent": growth_exponent(list(medians.items()))}
    return out


# ------------------------------------------------------------------------------------------------ event log


def _within(event: Mapping[str, Any], since: float | None, until: float | None) -> bool:
    t = event["t"]
    return (since is None or t >= since) and (until is None or t <= until)


def select(
    events: Iterable[Mapping[str, Any]],
    host: str | None = None,
    kind: str | None = None,
    since: float | None = None,
    until: float | None = None,
) -> list[Mapping[str, Any]]:
    """The events of ``host`` (case-insensitive) and ``kind`` inside ``[since, until]``, oldest first."""
    chosen = [
        e
        for e in events
        if (host is None or str(e.get("host", "")).upper() == host.upper())
        and (kind is None or e.get("kind") == kind)
        and _within(e, since, until)
    ]
    return sorted(chosen, key=lambda e: e["t"])


def count_requests(
    events: Iterable[Mapping[str, Any]], host: str, since: float | None = None, until: float | None = None
) -> int:
    """WS-Man HTTP requests the lab saw for ``host`` in the window (authentication legs included)."""
    return len(select(events, host, "http", since, until))


def requests_by_action(
    events: Iterable[Mapping[str, Any]], host: str, since: float | None = None, until: float | None = None
) -> dict[str, int]:
    """The same requests counted per WS-Man action (``Create``, ``Command``, ``Receive``, ``Auth``, ...)."""
    counts: dict[str, int] = {}
    for e in select(events, host, "http", since, until):
        action = str(e.get("detail", {}).get("action", "?"))
        counts[action] = counts.get(action, 0) + 1
    return dict(sorted(counts.items()))


def wire_span(
    events: Iterable[Mapping[str, Any]], host: str, since: float | None = None, until: float | None = None
) -> float:
    """Seconds from the first to the last WS-Man request of ``host`` in the window (0.0 without two)."""
    reqs = select(events, host, "http", since, until)
    if len(reqs) < 2:
        return 0.0
    return reqs[-1]["t"] - reqs[0]["t"]


def service_intervals(
    events: Iterable[Mapping[str, Any]],
    host: str,
    service: str = "W3SVC",
    since: float | None = None,
    until: float | None = None,
) -> list[tuple[float, float]]:
    """The ``(down_from, up_again)`` intervals in which ``service`` was not RUNNING, clipped to the window.

    The state at ``since`` is the ``new`` state of the last change before it (RUNNING when there is none).
    An interval still open at ``until`` ends there; ``until`` None means: at the last event seen.
    """
    changes = [
        e
        for e in select(events, host, "service")
        if str(e.get("detail", {}).get("name", "")).upper() == service.upper()
    ]
    running = True
    for e in changes:
        if since is not None and e["t"] < since:
            running = e["detail"].get("new") == RUNNING
    down_from: float | None = since if (since is not None and not running) else None
    intervals: list[tuple[float, float]] = []
    last_t = since
    for e in select(changes, since=since, until=until):
        t = e["t"]
        if e["detail"].get("new") == RUNNING:
            if down_from is not None:
                intervals.append((down_from, t))
                down_from = None
        elif down_from is None:
            down_from = t
        last_t = t
    if down_from is not None:
        end = until if until is not None else last_t
        if end is not None and end > down_from:
            intervals.append((down_from, end))
    return intervals


def downtime(
    events: Iterable[Mapping[str, Any]],
    host: str,
    service: str = "W3SVC",
    since: float | None = None,
    until: float | None = None,
) -> float:
    """Total seconds ``service`` was not RUNNING on ``host`` inside the window."""
    return sum(b - a for a, b in service_intervals(events, host, service, since, until))


def pool_downtime(
    events: Iterable[Mapping[str, Any]], host: str, since: float | None = None, until: float | None = None
) -> float:
    """Seconds any application pool of ``host`` was stopped inside the window (lab ``pool`` events: state 4
    stopped, 2 started)."""
    total, down_since = 0.0, {}
    for e in select(events, host, "pool", since, until):
        d = e.get("detail", {})
        name, state = str(d.get("name", "")), d.get("state")
        if state == 4 and name not in down_since:
            down_since[name] = e["t"]
        elif state in (1, 2) and name in down_since:
            total += e["t"] - down_since.pop(name)
    end = until if until is not None else max((e["t"] for e in select(events, host)), default=0.0)
    return total + sum(max(0.0, end - t) for t in down_since.values())


def stopped_services(
    events: Iterable[Mapping[str, Any]], host: str, since: float | None = None, until: float | None = None
) -> list[str]:
    """Services that left RUNNING in the window, in the order they did."""
    names: list[str] = []
    for e in select(events, host, "service", since, until):
        d = e.get("detail", {})
        if d.get("old") == RUNNING and d.get("new") != RUNNING:
            name = str(d.get("name", "")).upper()
            if name and name not in names:
                names.append(name)
    return names


# ------------------------------------------------------------------------------------------------ outage bound


def outage_bound(
    stop_seconds: Mapping[str, float],
    start_seconds: Mapping[str, float],
    must_stop: Iterable[str],
    must_start_for_web: Iterable[str] = ("IISADMIN", "W3SVC"),
    swap_seconds: float = 0.0,
) -> dict[str, float]:
    """The physical floor of the W3SVC outage of an in-process update.

    The SCM stops the services one after the other (IIS Admin only once its dependants are down), the DLL
    is swapped, and the web is back once IIS Admin and then W3SVC have started.  Services that are started
    after W3SVC (FTP, SMTP) do not hold the web down, so only ``must_start_for_web`` count on the way up.
    Returns the parts and their ``total``.
    """
    stop = sum(float(stop_seconds[s.upper()]) for s in must_stop)
    start = sum(float(start_seconds[s.upper()]) for s in must_start_for_web)
    return {"stop_s": stop, "swap_s": float(swap_seconds), "start_s": start, "total": stop + swap_seconds + start}


# ------------------------------------------------------------------------------------------------ ansible output


def parse_recap(stdout: str) -> dict[str, dict[str, int]]:
    """The ``PLAY RECAP`` of an ansible-playbook run: ``{host: {"ok": n, "changed": n, "failed": n, ...}}``."""
    recap: dict[str, dict[str, int]] = {}
    in_recap = False
    for line in stdout.splitlines():
        if line.startswith("PLAY RECAP"):
            in_recap = True
            recap = {}
            continue
        if not in_recap or ":" not in line:
            continue
        host, _sep, rest = line.partition(":")
        counts: dict[str, int] = {}
        for item in rest.split():
            key, eq, value = item.partition("=")
            if eq and value.isdigit():
                counts[key] = int(value)
        if counts:
            recap[host.strip()] = counts
    return recap

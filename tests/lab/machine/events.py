"""A timestamped log of everything that happens on lab hosts, for tests and benchmarks."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Event:
    t: float  # time.monotonic()
    host: str  # host name, e.g. WEB01
    kind: str  # "http" | "command" | "service" | "file" | "web" | "process" | "fault"
    detail: dict[str, Any] = field(default_factory=dict)


class EventLog:
    """Thread-safe append-only event list shared by all hosts of a lab (or one per host)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: list[Event] = []

    def add(self, host: str, kind: str, **detail: Any) -> Event:
        event = Event(time.monotonic(), host, kind, detail)
        with self._lock:
            self._events.append(event)
        return event

    def events(self, host: str | None = None, kind: str | None = None, since: float | None = None) -> list[Event]:
        with self._lock:
            items = list(self._events)
        return [
            e
            for e in items
            if (host is None or e.host == host) and (kind is None or e.kind == kind) and (since is None or e.t >= since)
        ]

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def downtime(
        self, host: str, service: str = "W3SVC", since: float | None = None, until: float | None = None
    ) -> float:
        """Seconds ``service`` was not RUNNING on ``host`` between ``since`` and ``until`` (default: now).

        Computed from ``service`` events ``{"name", "old", "new"}``; the state before the first event in
        the window is taken from the last event before it (RUNNING if there is none).
        """
        until = time.monotonic() if until is None else until
        state_running = True
        down_since: float | None = None
        total = 0.0
        for e in self.events(host=host, kind="service"):
            if e.detail.get("name", "").upper() != service.upper():
                continue
            running = e.detail.get("new") == "RUNNING"
            if since is not None and e.t < since:
                state_running = running
                continue
            if e.t > until:
                break
            if down_since is None and not state_running and since is not None:
                down_since = since
            if not running and down_since is None:
                down_since = e.t
            elif running and down_since is not None:
                total += e.t - down_since
                down_since = None
            state_running = running
        if down_since is None and not state_running and since is not None:
            down_since = since
        if down_since is not None:
            total += until - down_since
        return total

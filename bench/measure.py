"""Measuring a controller command: its CPU time, its largest process, and the peak memory of its process tree.

``python -m bench.measure OUT.json -- COMMAND...`` runs COMMAND, waits for it and writes
``{"rc", "wall_s", "cpu_user_s", "cpu_system_s", "max_rss_kib"}`` from ``getrusage(RUSAGE_CHILDREN)``,
which in this small wrapper covers exactly COMMAND and the processes it waited for (ansible's forks).
:class:`TreeSampler` adds what getrusage cannot tell: the memory of the whole tree at its peak, sampled
from /proc (PSS, so pages the forks share with their parent count once).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Linux /proc)."""
    tree = _children_map()
    found = [pid]
    i = 0
    while i < len(found):
        found.extend(tree.get(found[i], []))
        i += 1
    return found


def _memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in KiB; (0, 0) when it is gone."""
    pss = rss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
            elif line.startswith("Rss:"):
                rss = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0, 0
    return pss, rss


class TreeSampler:
    """Samples the summed PSS / RSS and the process count of a process tree until stopped."""

    def __init__(self, pid: int, interval: float = 2.0) -> None:
        # Every sample reads /proc/<pid>/stat of every process and smaps_rollup of each one of the tree, which makes
        # the kernel walk each fork's memory map: at 0.5 s the sampler took about 5 % of a core during a 200-host
        # run, on the two cores it measures. The peak builds up over seconds (the forks of a task), so 2 s is
        # enough for it.
        self.pid = pid
        self.interval = interval
        self.peak_pss_kib = 0
        self.peak_rss_kib = 0
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = descendants(self.pid)
            pss = rss = 0
            for p in pids:
                a, b = _memory_kib(p)
                pss += a
                rss += b
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            self.peak_rss_kib = max(self.peak_rss_kib, rss)
            self.peak_processes = max(self.peak_processes, len(pids))
            self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        sys.stderr.write("usage: python -m bench.measure OUT.json -- COMMAND...\n")
        return 2
    out, command = Path(argv[0]), argv[2:]
    started = time.monotonic()
    rc = subprocess.call(command)  # noqa: S603 - the benchmark's own command line
    wall = time.monotonic() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    out.write_text(
        json.dumps(
            {
                "rc": rc,
                "wall_s": wall,
                "cpu_user_s": usage.ru_utime,
                "cpu_system_s": usage.ru_stime,
                "max_rss_kib": usage.ru_maxrss,
            }
        ),
        encoding="utf-8",
    )
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

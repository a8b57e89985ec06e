"""Run a benchmark lab in its own process, so that the controller's measurements cover only the tools.

    python -m bench.labproc SPEC.json READY.json

``SPEC.json``: ``{"hosts": [{"name": "WEB001", "pattern": 0}, ...], "timing": {...}, "base_ip": "127.77.0.2",
"inventory": "path/inventory.yml"}``; ``pattern`` is the index handed to ``tests.lab.machine.config.default_host``
(it picks isolation and installed services).  Once every host listens, the process writes ``READY.json``
(``{"control_url", "ca_path", "inventory", "hosts": [...summaries...], "pid"}``) and serves until its standard input
is closed or it gets SIGTERM.  :class:`LabProcess` does all of that from the benchmark side.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _serve(spec_path: Path, ready_path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.lab.harness.server import Lab
    from tests.lab.machine.config import Timing, default_host, load_scenario

    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    timing = spec.get("timing") or {}
    lab = Lab(control_port=0, base_ip=spec.get("base_ip", "127.77.0.2"))
    lab.start()
    try:
        configs = []
        scenarios: dict[str, Any] = {}
        for entry in spec["hosts"]:
            if entry.get("scenario"):
                # A host of a lab scenario (tests/lab/scenarios/<file>), by its name there.
                if entry["scenario"] not in scenarios:
                    scenarios[entry["scenario"]] = load_scenario(
                        ROOT / "tests" / "lab" / "scenarios" / entry["scenario"]
                    )
                # a copy: several repetitions take the same scenario host, each under a name of its own
                cfg = copy.deepcopy(next(c for c in scenarios[entry["scenario"]] if c.name == entry["host"]))
            else:
                cfg = default_host(int(entry["pattern"]), "127.0.0.1")
            cfg.name = entry["name"]
            cfg.timing = Timing(**{**dataclasses.asdict(Timing()), **timing})
            configs.append(cfg)
        lab.add_hosts(configs, auto_ip=True)
        inventory = lab.write_inventory(spec["inventory"])
        ready = {
            "control_url": lab.control_url,
            "ca_path": str(lab.ca_path),
            "inventory": str(inventory),
            "hosts": [h.summary() for h in lab.hosts.values()],
            "pid": os.getpid(),
        }
        tmp = ready_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(ready), encoding="utf-8")
        tmp.replace(ready_path)

        done = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: done.set())

        def watch_stdin() -> None:
            with contextlib.suppress(Exception):
                sys.stdin.buffer.read()
            done.set()

        threading.Thread(target=watch_stdin, daemon=True).start()
        while not done.wait(0.5):
            pass
    finally:
        lab.stop()


class LabProcess:
    """A lab in a child process: ``with LabProcess(hosts, timing, workdir) as lab: lab.client.events(...)``."""

    def __init__(
        self,
        hosts: list[dict[str, Any]],
        timing: dict[str, Any],
        workdir: Path,
        *,
        base_ip: str = "127.77.0.2",
        start_timeout: float = 300.0,
    ) -> None:
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        fd, spec_name = tempfile.mkstemp(prefix="lab-spec-", suffix=".json", dir=self.workdir)
        os.close(fd)
        self.spec_path = Path(spec_name)
        self.ready_path = self.spec_path.with_name(self.spec_path.stem + "-ready.json")
        self.inventory = self.spec_path.with_name(self.spec_path.stem + "-inventory.yml")
        spec = {"hosts": hosts, "timing": timing, "base_ip": base_ip, "inventory": str(self.inventory)}
        self.spec_path.write_text(json.dumps(spec), encoding="utf-8")
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready: dict[str, Any] = {}
        self.client: Any = None
        self.startup_seconds = 0.0

    def start(self) -> LabProcess:
        sys.path.insert(0, str(ROOT))
        from tests.lab.harness.control import LabClient

        started = time.monotonic()
        log = (self.workdir / (self.spec_path.stem + ".log")).open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "bench.labproc", str(self.spec_path), str(self.ready_path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        while not self.ready_path.exists():
            if self.proc.poll() is not None:
                raise RuntimeError(f"the lab process exited with {self.proc.returncode}; see {log.name}")
            if time.monotonic() - started > self.start_timeout:
                self.stop()
                raise RuntimeError(f"the lab did not come up within {self.start_timeout:.0f}s")
            time.sleep(0.1)
        self.ready = json.loads(self.ready_path.read_text(encoding="utf-8"))
        self.client = LabClient(self.ready["control_url"], timeout=120)
        self.startup_seconds = time.monotonic() - started
        return self

    @property
    def hosts(self) -> list[dict[str, Any]]:
        return self.ready.get("hosts", [])

    def host(self, name: str) -> dict[str, Any]:
        for h in self.hosts:
            if h["name"].upper() == name.upper():
                return h
        raise KeyError(name)

    def cpu_seconds(self) -> float | None:
        """User + system CPU seconds the lab process has used so far (Linux /proc)."""
        if self.proc is None:
            return None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        with contextlib.suppress(Exception):
            if proc.stdin:
                proc.stdin.close()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> LabProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python -m bench.labproc SPEC.json READY.json")
    _serve(Path(sys.argv[1]), Path(sys.argv[2]))

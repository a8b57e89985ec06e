"""`make demo`: a rollout of a new COM DLL to eight simulated NT 4.0 / IIS 4.0 hosts, end to end.

1. Start a lab fleet (``python -m tests.lab``): even hosts run /Shop in-process, odd hosts isolated; some
   also run FTP, SMTP or NNTP. Every host has ShopCart.dll version 1 in use and version 2 staged.
2. Run ``playbooks/update_component.yml`` (canary host, then batches of half the fleet) and report each
   batch as it finishes.
3. Print a table per host: procedure, outage, services restarted, and how long the lab saw W3SVC down.
4. Fetch every host's /Shop/ page over HTTP and check it is served by version 2.
5. Run the playbook again and check that nothing changes and nothing stops.
6. Stop the lab.

Run from the repository root with the project's virtual environment: ``python tools/demo.py``.
Full Ansible output goes to ``build/demo/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLAYBOOK = ROOT / "playbooks" / "update_component.yml"
OUT = ROOT / "build" / "demo"

HOST_LINE = re.compile(r"^(ok|changed|failed|fatal|skipping|unreachable): \[([^\]\s]+)")
TASK_LINE = re.compile(r"^TASK \[(?:[^:\]]+ : )?(.+?)\] \*")
RECAP_LINE = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)")


def say(text: str = "") -> None:
    print(text, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------ lab


class LabProcess:
    """``python -m tests.lab`` in the background, stopped with SIGTERM."""

    def __init__(self, hosts: int, workdir: Path, base_ip: str) -> None:
        self.inventory = workdir / "inventory.yml"
        self.control_port = free_port()
        self.log_path = OUT / "lab.log"
        self._log = self.log_path.open("w", encoding="utf-8")
        cmd = [sys.executable, "-m", "tests.lab", "--hosts", str(hosts), "--inventory", str(self.inventory)]
        cmd += ["--control-port", str(self.control_port), "--base-ip", base_ip]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT)  # noqa: S603
        self.control = f"http://127.0.0.1:{self.control_port}"

    def wait_ready(self, timeout: float = 90) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
            if "lab: ready" in text:
                return [line for line in text.splitlines() if not line.startswith("lab:")]
            if self.proc.poll() is not None:
                raise SystemExit(f"the lab exited early:\n{text}")
            time.sleep(0.2)
        raise SystemExit(f"the lab was not ready after {timeout:.0f}s; see {self.log_path}")

    def events(self, kind: str) -> list[dict[str, Any]]:
        url = f"{self.control}/events?kind={kind}"
        with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback control API
            return json.loads(resp.read().decode())

    def now(self) -> float:
        with urllib.request.urlopen(f"{self.control}/time", timeout=30) as resp:  # noqa: S310
            return float(json.loads(resp.read().decode())["monotonic"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()


def downtime(events: list[dict[str, Any]], host: str, since: float, until: float, service: str = "W3SVC") -> float:
    """Seconds ``service`` was not RUNNING on ``host`` between ``since`` and ``until``, from lab events."""
    total, down_at = 0.0, None
    for e in sorted(events, key=lambda e: e["t"]):
        if e["host"] != host or e["t"] < since or e["t"] > until:
            continue
        if str(e["detail"].get("name", "")).upper() != service:
            continue
        running = e["detail"].get("new") == "RUNNING"
        if not running and down_at is None:
            down_at = e["t"]
        elif running and down_at is not None:
            total += e["t"] - down_at
            down_at = None
    if down_at is not None:
        total += until - down_at
    return total


# ------------------------------------------------------------------------------------------------ ansible


def collections_path(workdir: Path) -> Path:
    """A collections path whose legacy_iis.iis4 is this checkout."""
    root = workdir / "collections"
    ns = root / "ansible_collections" / "legacy_iis"
    ns.mkdir(parents=True, exist_ok=True)
    link = ns / "iis4"
    if not link.exists():
        link.symlink_to(ROOT, target_is_directory=True)
    return root


def ansible_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(collections_path(workdir)),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false",
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_HOST_KEY_CHECKING="false",
        ANSIBLE_RETRY_FILES_ENABLED="false",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        # the collection's fleet table and audit records (the component_update role needs it for its records)
        ANSIBLE_CALLBACKS_ENABLED="legacy_iis.iis4.rollout_summary",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(workdir / "ansible-tmp"),
        ANSIBLE_HOME=str(workdir / "ansible-home"),
        ANSIBLE_CONFIG=str(workdir / "no-ansible.cfg"),
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


class Rollout:
    """One ansible-playbook run, reported batch by batch from its output as it streams."""

    def __init__(self, number: int, inventory: Path, workdir: Path, audit_dir: Path) -> None:
        self.number = number
        self.log_path = OUT / f"rollout-{number}.log"
        self.cmd = [str(BIN / "ansible-playbook"), str(PLAYBOOK), "-i", str(inventory), "-f", "8"]
        self.cmd += ["-e", json.dumps({"rollout_audit_dir": str(audit_dir), "component_update_health_delay": 1})]
        self.env = ansible_env(workdir)
        self.workdir = workdir
        self.recap: dict[str, dict[str, int]] = {}
        self.rc: int | None = None
        self.seconds = 0.0

    def run(self) -> Rollout:
        t0 = time.monotonic()
        batch_no, batch_hosts, task = 0, [], ""
        outcome: dict[str, str] = {}
        batch_t0 = t0

        def finish_batch() -> None:
            if not batch_hosts:
                return
            parts = [f"{h} {outcome.get(h, 'ok')}" for h in batch_hosts]
            say(f"  batch {batch_no}: {', '.join(parts)}  ({time.monotonic() - batch_t0:.1f}s)")

        with self.log_path.open("w", encoding="utf-8") as log:
            proc = subprocess.Popen(  # noqa: S603 - our own command line
                self.cmd,
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for line in proc.stdout or ():
                log.write(line)
                if line.startswith("PLAY ["):
                    finish_batch()
                    batch_no, batch_hosts, batch_t0 = batch_no + 1, [], time.monotonic()
                    continue
                if line.startswith("PLAY RECAP"):
                    finish_batch()
                    batch_hosts = []
                    task = "recap"
                    continue
                m = TASK_LINE.match(line)
                if m:
                    task = m.group(1)
                    continue
                if task == "recap":
                    r = RECAP_LINE.match(line)
                    if r:
                        self.recap[r.group(1)] = {
                            "ok": int(r.group(2)),
                            "changed": int(r.group(3)),
                            "unreachable": int(r.group(4)),
                            "failed": int(r.group(5)),
                        }
                    continue
                h = HOST_LINE.match(line)
                if not h:
                    continue
                status, host = h.group(1), h.group(2)
                if task.startswith("Find out which components differ") and host not in batch_hosts:
                    batch_hosts.append(host)
                if task.startswith("Replace the components") and status == "changed":
                    outcome[host] = "updated"
                elif task.startswith("Replace the components") and status == "ok" and host not in outcome:
                    outcome[host] = "up to date"
                elif task.startswith("Fail the host") and status in ("fatal", "failed"):
                    outcome[host] = "FAILED"
                elif status == "unreachable":
                    outcome[host] = "UNREACHABLE"
            self.rc = proc.wait()
        self.seconds = time.monotonic() - t0
        return self

    def changed_tasks(self) -> int:
        return sum(r["changed"] for r in self.recap.values())

    def failed_hosts(self) -> list[str]:
        return [h for h, r in self.recap.items() if r["failed"] or r["unreachable"]]


# ------------------------------------------------------------------------------------------------ checks


def inventory_hosts(path: Path) -> dict[str, dict[str, Any]]:
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return dict(data["all"]["children"]["iis4"]["hosts"])


def fetch_shop(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url.rstrip("/") + "/Shop/", timeout=15) as resp:  # noqa: S310 - lab loopback
        body = resp.read().decode("ascii", "replace")
    return dict(token.split("=", 1) for token in body.split() if "=" in token)


def latest_audit(audit_dir: Path, host: str) -> dict[str, Any]:
    records = sorted(audit_dir.glob(f"{host}-*.json"))
    return json.loads(records[-1].read_text(encoding="utf-8")) if records else {}


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    for row in [headers, ["-" * w for w in widths], *rows]:
        say("  " + "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())


# ------------------------------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--base-ip", default=os.environ.get("DEMO_BASE_IP", "127.61.0.2"))
    args = parser.parse_args()

    started = time.monotonic()
    OUT.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="iis4-demo-") as tmp:
        workdir = Path(tmp)
        audit_dir = workdir / "audit"
        say(f"== Starting {args.hosts} simulated NT 4.0 / IIS 4.0 hosts")
        lab = LabProcess(args.hosts, workdir, args.base_ip)
        try:
            for line in lab.wait_ready():
                say("  " + line)
            hosts = inventory_hosts(lab.inventory)
            before = {name: fetch_shop(v["lab_web_url"]).get("version", "?") for name, v in hosts.items()}
            say(f"  /Shop/ now served by ShopCart {', '.join(sorted(set(before.values())))} on every host")

            say("")
            say("== Rollout 1: playbooks/update_component.yml (one canary host, then half of the fleet per batch)")
            t_first = lab.now()
            first = Rollout(1, lab.inventory, workdir, audit_dir).run()
            t_first_end = lab.now()
            say(f"  finished in {first.seconds:.1f}s, ansible-playbook exit code {first.rc}")
            if first.rc != 0 or first.failed_hosts():
                problems.append(f"rollout 1 failed on {first.failed_hosts() or 'the play'} (see {first.log_path})")

            say("")
            say("== What happened on each host (from the audit records; W3SVC DOWN as measured by the lab)")
            service_events = lab.events("service")
            rows = []
            for name in hosts:
                rec = latest_audit(audit_dir, name)
                comp = (rec.get("components") or [{}])[0]
                restarted = (rec.get("services") or {}).get("started") or []
                down = downtime(service_events, name, t_first, t_first_end)
                rows.append(
                    [
                        name,
                        rec.get("result", "?"),
                        comp.get("isolation", "?"),
                        rec.get("method", "?"),
                        f"{float(rec.get('outage_seconds', 0)):.1f}s",
                        f"{down:.1f}s",
                        ",".join(restarted) or "-",
                    ]
                )
            print_table(["HOST", "RESULT", "/Shop RUNS", "METHOD", "OUTAGE", "W3SVC DOWN", "SERVICES RESTARTED"], rows)

            say("")
            say("== Every host over HTTP: GET <host>/Shop/")
            rows = []
            for name, v in hosts.items():
                page = fetch_shop(v["lab_web_url"])
                ok = page.get("version") == "2.0.0.0"
                if not ok:
                    problems.append(f"{name} serves ShopCart {page.get('version')} instead of 2.0.0.0")
                rows.append([name, page.get("version", "?"), page.get("process", "?"), "ok" if ok else "WRONG"])
            print_table(["HOST", "VERSION", "PROCESS", "CHECK"], rows)

            say("")
            say("== Rollout 2: the same playbook again (must change nothing)")
            t_second = lab.now()
            second = Rollout(2, lab.inventory, workdir, audit_dir).run()
            t_second_end = lab.now()
            stops = [
                e
                for e in lab.events("service")
                if t_second <= e["t"] <= t_second_end and e["detail"].get("new") != "RUNNING"
            ]
            say(
                f"  finished in {second.seconds:.1f}s: {second.changed_tasks()} changed task(s), "
                f"{len(stops)} service stop(s), exit code {second.rc}"
            )
            if second.rc != 0 or second.changed_tasks() or stops:
                problems.append(f"rollout 2 was not a no-op (see {second.log_path})")
        finally:
            say("")
            say("== Stopping the lab")
            lab.stop()

    say("")
    say(f"Full output: {OUT.relative_to(ROOT)}/rollout-1.log, rollout-2.log, lab.log")
    if problems:
        say("DEMO FAILED:")
        for p in problems:
            say("  - " + p)
        return 1
    took = time.monotonic() - started
    say(f"Demo passed in {took:.0f}s: every host serves ShopCart 2.0.0.0, and a rerun changes nothing.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

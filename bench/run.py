"""``make bench``: the collection against a naive KB Q315663 script, on lab hosts with a LAN timing model.

Part 1  requests per host and wall time, in-process and isolated, collection vs naive; a no-op rerun.
Part 2  W3SVC outage (from the lab's service log) vs the physical bound of the timing model.
Part 3  the role on 10 / 50 / 200 hosts with ``-f 50`` and ``serial: 100%`` vs ceil(N / forks) x one host.
Part 4  one host per release strategy.
Part 5  one outage for several DLLs (issue 23): three in-process DLLs in one task vs one, W3SVC down and stops.

Every lab runs in a child process (:mod:`bench.labproc`), so the controller figures of part 3 (CPU from
``getrusage(RUSAGE_CHILDREN)`` in :mod:`bench.measure`, peak memory of the process tree) cover ansible only.
Results go to ``docs/benchmarks.json``; :mod:`bench.report` turns them into ``docs/benchmarks.md`` and
``docs/benchmarks.png``.  Raw logs of every run stay in ``tests/output/bench/``.

    python -m bench.run                      # the full benchmark (about 10 minutes on 2 cores)
    python -m bench.run --quick              # fewer repetitions and hosts, to try the harness
    python -m bench.run --parts 1,2          # only the single-host parts
    python -m bench.run --parts 5 --out DIR  # only the three-DLL case (DIR: not to overwrite docs/)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import analysis as A  # noqa: E402
from bench import model as M  # noqa: E402
from bench.labproc import LabProcess  # noqa: E402
from bench.measure import TreeSampler  # noqa: E402

BIN = Path(sys.executable).parent
MODULE = "legacy_iis.iis4.iis4_component"
_VERSION = re.compile(r"version=([0-9.]+)")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def _ansible_env(workdir: Path) -> dict[str, str]:
    from tests.ansible_env import ansible_env

    env = ansible_env(workdir)
    env["ANSIBLE_STDOUT_CALLBACK"] = "default"
    return env


def served_version(url: str, tries: int = 20, delay: float = 0.25) -> str | None:
    """The component version the application serves now (the lab's web page), or None if it never answers."""
    if not url.startswith("http://"):
        raise ValueError(url)
    for _attempt in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 - a lab URL
                match = _VERSION.search(resp.read().decode("cp437", errors="replace"))
                return match.group(1) if match else None
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(delay)
    return None


# ------------------------------------------------------------------------------------------------ parts 1 and 2


class SingleHost:
    def __init__(self, lab: LabProcess, workdir: Path) -> None:
        self.lab = lab
        self.workdir = workdir
        self.env = _ansible_env(workdir)
        self.records: list[dict[str, Any]] = []

    def _window(self, name: str, run: Any) -> dict[str, Any]:
        client = self.lab.client
        t0 = client.now()
        started = time.monotonic()
        extra = run()
        wall = time.monotonic() - started
        t1 = client.now()
        events = client.events(since=t0, host=name)
        rec = {
            "host": name,
            "wall_s": wall,
            "wire_s": A.wire_span(events, name, t0, t1),
            "requests": A.count_requests(events, name, t0, t1),
            "requests_by_action": A.requests_by_action(events, name, t0, t1),
            "w3svc_down_s": A.downtime(events, name, "W3SVC", t0, t1),
            "w3svc_intervals": [[a - t0, b - t0] for a, b in A.service_intervals(events, name, "W3SVC", t0, t1)],
            "services_stopped": A.stopped_services(events, name, t0, t1),
            "commands": len(A.select(events, name, "command", t0, t1)),
        }
        rec.update(extra)
        host = self.lab.host(name)
        rec["served_version"] = served_version(host["web_url"] + M.HEALTH_PATH)
        return rec

    def collection(self, name: str, https_basic: bool = False, args: dict[str, Any] | None = None) -> dict[str, Any]:
        """The module through ``ansible`` ad hoc, with the lab inventory's connection (NTLM with message
        encryption over HTTP), or with ``https_basic`` Basic authentication over HTTPS instead.  ``args``: the
        module's arguments (default: the one DLL of the single-host parts)."""
        tree = self.workdir / f"tree-{name}-{len(self.records)}"
        args = args or {"src": M.STAGED, "dest": M.DEST, "site": M.SITE, "application": M.APPLICATION}
        cmd = [str(BIN / "ansible"), name, "-i", self.lab.ready["inventory"], "-m", MODULE, "-a", json.dumps(args)]
        cmd += ["-t", str(tree)]
        if https_basic:
            host = self.lab.host(name)
            conn = {
                "ansible_port": host["https_port"],
                "ansible_winrm_scheme": "https",
                "ansible_winrm_transport": "basic",
                "ansible_winrm_ca_trust_path": self.lab.ready["ca_path"],
                "ansible_winrm_server_cert_validation": "validate",
            }
            cmd += ["-e", json.dumps(conn)]

        def run() -> dict[str, Any]:
            proc = subprocess.run(  # noqa: S603 - our own command line
                cmd, env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=300, check=False
            )
            result: dict[str, Any] = {}
            if (tree / name).is_file():
                result = json.loads((tree / name).read_text(encoding="utf-8"))
            ok = proc.returncode == 0 and not result.get("failed")
            if not ok:
                (self.workdir / f"{name}-{len(self.records)}.log").write_text(proc.stdout + proc.stderr)
            return {
                "ok": ok,
                "rc": proc.returncode,
                "changed": result.get("changed"),
                "method": result.get("method"),
                "isolation": result.get("isolation"),
                "reported_requests": result.get("requests"),
                "reported_outage_s": result.get("outage_seconds"),
                "steps": [{k: s.get(k) for k in ("step", "rc", "seconds")} for s in result.get("steps", []) or []],
                "msg": result.get("msg") if not ok else None,
            }

        return self._window(name, run)

    def naive(self, name: str) -> dict[str, Any]:
        host = self.lab.host(name)
        also = [s for s in host["services"] if s.upper() not in ("IISADMIN", "W3SVC")]
        cmd = [sys.executable, "-m", "bench.naive", "--endpoint", f"http://{host['ip']}:{host['http_port']}/wsman"]
        cmd += ["--user", "Administrator", "--src", M.STAGED, "--dest", M.DEST, "--metabase-path", M.METABASE_PATH]
        cmd += ["--also-start", ",".join(also)]
        from tests.lab.machine.config import DEFAULT_PASSWORD

        env = {**os.environ, "NAIVE_WINRM_PASSWORD": DEFAULT_PASSWORD}

        def run() -> dict[str, Any]:
            proc = subprocess.run(  # noqa: S603 - our own command line
                cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
            )
            try:
                result = json.loads(proc.stdout)
            except ValueError:
                result = {}
            if proc.returncode:
                (self.workdir / f"{name}-naive-{len(self.records)}.log").write_text(proc.stdout + proc.stderr)
            return {
                "ok": proc.returncode == 0,
                "rc": proc.returncode,
                "isolation": None if not result else ("out_of_process" if result.get("isolated") else "in_process"),
                "steps": [{k: s.get(k) for k in ("command", "rc", "seconds")} for s in result.get("steps", [])],
            }

        return self._window(name, run)

    def record(self, rec: dict[str, Any], **tags: Any) -> dict[str, Any]:
        rec.update(tags)
        self.records.append(rec)
        log(
            f"{tags.get('part')} {tags.get('mode'):<10} {tags.get('tool'):<10} {rec['host']:<6} ok={rec['ok']} "
            f"requests={rec['requests']} wall={rec['wall_s']:.2f}s w3svc_down={rec['w3svc_down_s']:.2f}s "
            f"served={rec['served_version']}"
        )
        return rec


def run_single(reps: int, workdir: Path) -> dict[str, Any]:
    """Parts 1 and 2 on fresh hosts: per repetition, in-process and isolated, the collection and the naive
    script each on a host of its own (the order of the two tools alternates), then the collection again on
    its already updated host (the no-op rerun)."""
    specs = []
    for r in range(reps):
        for tool in ("C", "N"):
            specs.append(M.host_spec(f"IP{r}{tool}", M.PATTERN_IN_PROCESS))
            specs.append(M.host_spec(f"IS{r}{tool}", M.PATTERN_ISOLATED))
    with LabProcess(specs, M.TIMING, workdir / "lab-single") as lab:
        log(f"single-host lab: {len(specs)} hosts up in {lab.startup_seconds:.1f}s")
        sh = SingleHost(lab, workdir)
        for r in range(reps):
            for mode, prefix in (("in_process", "IP"), ("isolated", "IS")):
                tools = ("collection", "naive") if r % 2 == 0 else ("naive", "collection")
                for tool in tools:
                    name = f"{prefix}{r}{tool[0].upper()}"
                    rec = sh.collection(name) if tool == "collection" else sh.naive(name)
                    sh.record(rec, part="update", mode=mode, tool=tool, rep=r)
                rec = sh.collection(f"{prefix}{r}C")
                sh.record(rec, part="noop", mode=mode, tool="collection", rep=r)
                rec = sh.collection(f"{prefix}{r}C", https_basic=True)
                sh.record(rec, part="noop_https_basic", mode=mode, tool="collection", rep=r)
        installed = lab.host(f"IP{0}C")["services"]
    return {"records": sh.records, "installed_in_process": installed}


#: Part 4: one host per release strategy (issue 12 and 13): (label, host spec).
STRATEGY_HOSTS = [
    ("IIS 4.0 in-process (restart)", {"pattern": M.PATTERN_IN_PROCESS}),
    ("IIS 4.0 isolated (unload)", {"pattern": M.PATTERN_ISOLATED}),
    ("IIS 4.0, MTS server package", {"scenario": "packages.yaml", "host": "PKG01"}),
    ("IIS 5.0 pooled (COM+ pooled application)", {"scenario": "versions.yaml", "host": "W2K5-POOLED"}),
    ("IIS 5.0 isolated (unload dllhost)", {"scenario": "versions.yaml", "host": "W2K5-ISOLATED"}),
    ("IIS 5.0 in-process (restart)", {"scenario": "versions.yaml", "host": "W2K5-INPROC"}),
    ("IIS 6.0 worker process (pool, adsutil)", {"scenario": "versions.yaml", "host": "W2K3-WORKER"}),
    ("IIS 7.5 (pool, appcmd)", {"scenario": "versions.yaml", "host": "W2K8R2"}),
    ("IIS 10 (pool, appcmd)", {"scenario": "versions.yaml", "host": "W2K19"}),
]


def run_strategies(reps: int, workdir: Path) -> list[dict[str, Any]]:
    """Part 4: the collection once per repetition on a fresh host of each strategy, after a request has loaded
    the component: requests, wall time, W3SVC down and pool down."""
    specs = []
    for r in range(reps):
        for i, (_label, spec) in enumerate(STRATEGY_HOSTS):
            specs.append({"name": f"ST{i}R{r}", "pattern": 0, **spec})
    records = []
    with LabProcess(specs, M.TIMING, workdir / "lab-strategies") as lab:
        log(f"strategy lab: {len(specs)} hosts up in {lab.startup_seconds:.1f}s")
        sh = SingleHost(lab, workdir)
        for r in range(reps):
            for i, (label, _spec) in enumerate(STRATEGY_HOSTS):
                name = f"ST{i}R{r}"
                host = lab.host(name)
                served_version(host["web_url"] + M.HEALTH_PATH)  # a host in use: the component is loaded
                t0 = lab.client.now()
                rec = sh.collection(name)
                events = lab.client.events(since=t0, host=name)
                rec["pool_down_s"] = A.pool_downtime(events, name, t0, lab.client.now())
                records.append(sh.record(rec, part="strategy", mode=label, tool="collection", rep=r))
    return records


#: Part 5 (issue 23): the DLLs of the combined scenario's three-DLL in-process host (tests/lab/scenarios/combined.yaml).
COMBINED_DLLS = (
    "C:\\InetPub\\shop\\bin\\ShopCart.dll",
    "C:\\InetPub\\shop\\bin\\Pricing.dll",
    "C:\\InetPub\\common\\Tax.dll",
)


def run_combined(reps: int, workdir: Path) -> list[dict[str, Any]]:
    """Part 5: per repetition, two fresh three-DLL in-process hosts (after a request has loaded the DLLs): one
    updated with its first DLL only, the other with all three in one task (the order alternates)."""
    specs = [
        {"name": f"CB{r}N{n}", "pattern": 0, "scenario": "combined.yaml", "host": "CMB3"}
        for r in range(reps)
        for n in (1, 3)
    ]
    records = []
    with LabProcess(specs, M.TIMING, workdir / "lab-combined", base_ip="127.79.0.2") as lab:
        log(f"combined lab: {len(specs)} hosts up in {lab.startup_seconds:.1f}s")
        sh = SingleHost(lab, workdir)
        for r in range(reps):
            for n in (1, 3) if r % 2 == 0 else (3, 1):
                name = f"CB{r}N{n}"
                served_version(lab.host(name)["web_url"] + M.HEALTH_PATH)  # inetinfo.exe has the DLLs loaded
                components = [{"src": f"C:\\Staging\\{d.rsplit(chr(92), 1)[1]}", "dest": d} for d in COMBINED_DLLS[:n]]
                args = {"site": M.SITE, "application": M.APPLICATION, "components": components}
                rec = sh.collection(name, args=args)
                rec["w3svc_stops"] = len(rec["w3svc_intervals"])
                records.append(sh.record(rec, part="combined", mode=f"{n} DLL", tool="collection", rep=r))
    return records


def summarize_combined(records: list[dict[str, Any]]) -> dict[str, Any]:
    """W3SVC down with one DLL and with three in one task, and the ratio of the medians (target: 1.1)."""
    out: dict[str, Any] = {}
    for n in (1, 3):
        sel = [r for r in records if r["mode"] == f"{n} DLL"]
        good = [r for r in sel if r["ok"] and r["served_version"] == "2.0.0.0"]
        out[f"dlls_{n}"] = {
            "runs": len(sel),
            "ok": len(good),
            "w3svc_down_s": A.summarize(r["w3svc_down_s"] for r in good),
            "w3svc_stops": sorted({r["w3svc_stops"] for r in sel}),
            "requests": A.summarize(r["requests"] for r in good),
            "wall_s": A.summarize(r["wall_s"] for r in good),
        }
    out["outage_ratio"] = A.ratio(
        out["dlls_3"]["w3svc_down_s"].get("median"), out["dlls_1"]["w3svc_down_s"].get("median")
    )
    return out


def summarize_strategies(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for label, _spec in STRATEGY_HOSTS:
        sel = [r for r in records if r["mode"] == label]
        good = [r for r in sel if r["ok"] and r["served_version"] == "2.0.0.0"]
        rows.append(
            {
                "strategy": label,
                "method": good[0]["method"] if good else None,
                "runs": len(sel),
                "ok": len(good),
                **{k: A.summarize(r[k] for r in good) for k in ("requests", "wall_s", "w3svc_down_s", "pool_down_s")},
            }
        )
    return rows


def summarize_single(data: dict[str, Any]) -> dict[str, Any]:
    recs = data["records"]

    def pick(part: str, mode: str, tool: str, key: str) -> dict[str, Any]:
        return A.summarize(
            r[key] for r in recs if r["part"] == part and r["mode"] == mode and r["tool"] == tool and r["ok"]
        )

    def count(part: str, mode: str, tool: str) -> dict[str, int]:
        sel = [r for r in recs if r["part"] == part and r["mode"] == mode and r["tool"] == tool]
        good = [r for r in sel if r["ok"] and r["served_version"] == "2.0.0.0"]
        return {"runs": len(sel), "ok": len(good)}

    def by_action(part: str, mode: str, tool: str) -> dict[str, float]:
        sel = [r for r in recs if r["part"] == part and r["mode"] == mode and r["tool"] == tool and r["ok"]]
        actions = sorted({a for r in sel for a in r["requests_by_action"]})
        return {a: A.summarize(r["requests_by_action"].get(a, 0) for r in sel)["median"] for a in actions}

    out: dict[str, Any] = {}
    for mode in ("in_process", "isolated"):
        out[mode] = {}
        for tool in ("collection", "naive"):
            out[mode][tool] = {
                k: pick("update", mode, tool, k) for k in ("requests", "wall_s", "wire_s", "w3svc_down_s")
            } | count("update", mode, tool)
            out[mode][tool]["requests_by_action"] = by_action("update", mode, tool)
        for part in ("noop", "noop_https_basic"):
            out[mode][part] = {
                k: pick(part, mode, "collection", k) for k in ("requests", "wall_s", "wire_s", "w3svc_down_s")
            } | count(part, mode, "collection")
    stop_order = M.iis_services_to_stop(data["installed_in_process"])
    timing = M.TIMING
    bound = A.outage_bound(
        timing["service_stop"], timing["service_start"], ["W3SVC", "IISADMIN"], swap_seconds=timing["command_latency"]
    )
    whole = A.outage_bound(
        timing["service_stop"],
        timing["service_start"],
        stop_order,
        must_start_for_web=stop_order[::-1],
        swap_seconds=timing["command_latency"],
    )
    out["bound"] = {"w3svc": bound, "all_iis_services": whole, "services_stopped": stop_order}
    return out


# ------------------------------------------------------------------------------------------------ part 3


PLAYBOOKS = {"role": "fleet.yml", "module": "fleet_module.yml", "dry_run": "fleet_dry_run.yml"}


def run_fleet_once(n: int, forks: int, workdir: Path, tag: str, playbook: str = "role") -> dict[str, Any]:
    specs = M.fleet_specs(n)
    with LabProcess(specs, M.TIMING, workdir / f"lab-{tag}") as lab:
        env = _ansible_env(workdir)
        task_times = workdir / f"tasks-{tag}.json"
        env.update(
            ANSIBLE_CALLBACK_PLUGINS=str(ROOT / "bench" / "callback_plugins"),
            # the task timer, and the collection's fleet table as a user of the role has it
            ANSIBLE_CALLBACKS_ENABLED="bench_task_times,legacy_iis.iis4.rollout_summary",
            BENCH_TASK_TIMES=str(task_times),
        )
        measure_out = workdir / f"measure-{tag}.json"
        cmd = [sys.executable, "-m", "bench.measure", str(measure_out), "--"]
        cmd += [str(BIN / "ansible-playbook"), str(ROOT / "bench" / PLAYBOOKS[playbook])]
        cmd += ["-i", lab.ready["inventory"], "-f", str(forks)]
        client = lab.client
        t0 = client.now()
        lab_cpu0 = lab.cpu_seconds() or 0.0
        started = time.monotonic()
        with (workdir / f"playbook-{tag}.log").open("w") as out:
            proc = subprocess.Popen(  # noqa: S603 - our own command line
                cmd, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )
            with TreeSampler(proc.pid) as sampler:
                rc = proc.wait(timeout=1800)
        wall = time.monotonic() - started
        t1 = client.now()
        lab_cpu = (lab.cpu_seconds() or 0.0) - lab_cpu0
        usage = json.loads(measure_out.read_text()) if measure_out.exists() else {}
        stdout = (workdir / f"playbook-{tag}.log").read_text(errors="replace")
        recap = A.parse_recap(stdout)
        http = client.events(since=t0, kind="http")
        service = client.events(since=t0, kind="service")
    failed = sorted(h for h, c in recap.items() if c.get("failed") or c.get("unreachable"))
    # task results per host (ok includes changed): how many host-task pairs ansible had to run
    host_tasks = sum(sum(c.get(k, 0) for k in ("ok", "skipped", "failed", "unreachable")) for c in recap.values())
    in_proc = [s["name"] for s in specs if s["pattern"] % 2 == 0]
    isolated = [s["name"] for s in specs if s["pattern"] % 2 == 1]
    tasks = json.loads(task_times.read_text()) if task_times.exists() else []
    rec = {
        "playbook": playbook,
        "hosts": n,
        "forks": forks,
        "task_seconds": tasks,
        "ok": rc == 0 and len(recap) == n and not failed,
        "rc": rc,
        "failed_hosts": failed[:10],
        "wall_s": wall,
        "controller_cpu_s": usage.get("cpu_user_s", 0.0) + usage.get("cpu_system_s", 0.0),
        "controller_cpu_user_s": usage.get("cpu_user_s"),
        "controller_cpu_system_s": usage.get("cpu_system_s"),
        "largest_process_rss_mib": (usage.get("max_rss_kib") or 0) / 1024,
        "peak_tree_pss_mib": sampler.peak_pss_kib / 1024,
        "peak_tree_rss_mib": sampler.peak_rss_kib / 1024,
        "peak_processes": sampler.peak_processes,
        "lab_cpu_s": lab_cpu,
        "host_tasks": host_tasks,
        "cpu_ms_per_host_task": 1000 * (usage.get("cpu_user_s", 0.0) + usage.get("cpu_system_s", 0.0)) / host_tasks
        if host_tasks
        else None,
        "lab_startup_s": lab.startup_seconds,
        "requests_per_host": len(http) / n,
        "w3svc_down_in_process_s": A.summarize(A.downtime(service, h, "W3SVC", t0, t1) for h in in_proc),
        "w3svc_down_isolated_max_s": max((A.downtime(service, h, "W3SVC", t0, t1) for h in isolated), default=0.0),
    }
    log(
        f"fleet {playbook:<6} N={n:<3} {tag:<14} ok={rec['ok']} wall={wall:.1f}s cpu={rec['controller_cpu_s']:.1f}s "
        f"peak_pss={rec['peak_tree_pss_mib']:.0f}MiB req/host={rec['requests_per_host']:.1f} lab_cpu={lab_cpu:.1f}s"
    )
    return rec


def run_fleet(
    sizes: list[int], reps: dict[int, int], forks: int, workdir: Path, variants: dict[str, dict[int, int]]
) -> dict[str, Any]:
    """The role playbook at every size; then each other playbook of ``variants`` (``module``: the module alone,
    ``dry_run``: the role with its dry run and capacity floor) at its sizes, as many runs as given."""
    runs: list[dict[str, Any]] = []
    for n in sizes:
        for r in range(reps[n]):
            runs.append(run_fleet_once(n, forks, workdir, f"role-n{n}-r{r}", "role"))
    for playbook, at in variants.items():
        for n, count in at.items():
            for r in range(count):
                runs.append(run_fleet_once(n, forks, workdir, f"{playbook}-n{n}-r{r}", playbook))
    return {"runs": runs}


def summarize_fleet(data: dict[str, Any], forks: int, playbook: str = "role") -> dict[str, Any]:
    runs = [r for r in data["runs"] if r.get("playbook", "role") == playbook]
    keys = (
        "wall_s",
        "controller_cpu_s",
        "peak_tree_pss_mib",
        "peak_tree_rss_mib",
        "largest_process_rss_mib",
        "requests_per_host",
        "lab_cpu_s",
        "host_tasks",
        "cpu_ms_per_host_task",
    )
    sizes = sorted({r["hosts"] for r in runs})
    by_n: dict[int, dict[str, Any]] = {}
    for n in sizes:
        sel = [r for r in runs if r["hosts"] == n and r["ok"]]
        by_n[n] = {k: A.summarize(r[k] for r in sel) for k in keys}
        by_n[n]["runs"] = len([r for r in runs if r["hosts"] == n])
        by_n[n]["ok_runs"] = len(sel)
        by_n[n]["cpu_s_per_host"] = A.ratio(by_n[n]["controller_cpu_s"]["median"], n)
        by_n[n]["peak_pss_mib_per_host"] = A.ratio(by_n[n]["peak_tree_pss_mib"]["median"], n)
    single = by_n.get(1, {}).get("wall_s", {}).get("median")
    cores = os.cpu_count() or 1
    for n in sizes:
        wall = by_n[n]["wall_s"]["median"]
        ideal = A.ideal_fleet_time(n, forks, single) if single else None
        by_n[n]["ideal_s"] = ideal
        by_n[n]["ratio_to_ideal"] = A.ratio(wall, ideal)
        # the shortest wall time this machine's cores allow for the CPU work measured (ansible + lab)
        cpu = (by_n[n]["controller_cpu_s"]["median"] or 0.0) + (by_n[n]["lab_cpu_s"]["median"] or 0.0)
        floor = cpu / cores if wall is not None else None
        by_n[n]["cpu_floor_s"] = floor
        by_n[n]["ratio_to_max_of_ideal_and_cpu_floor"] = A.ratio(wall, max(ideal or 0.0, floor or 0.0) or None)
    fleet_sizes = [n for n in sizes if n > 1]
    growth = {
        "cpu_exponent": A.growth_exponent(
            [(n, by_n[n]["controller_cpu_s"]["median"]) for n in fleet_sizes if by_n[n]["ok_runs"]]
        ),
        "peak_pss_exponent": A.growth_exponent(
            [(n, by_n[n]["peak_tree_pss_mib"]["median"]) for n in fleet_sizes if by_n[n]["ok_runs"]]
        ),
        "wall_exponent": A.growth_exponent(
            [(n, by_n[n]["wall_s"]["median"]) for n in fleet_sizes if by_n[n]["ok_runs"]]
        ),
    }
    largest = max(sizes) if sizes else None
    slowest: list[list[Any]] = []
    if largest is not None:
        sel = [r for r in runs if r["hosts"] == largest and r["ok"] and r.get("task_seconds")]
        if sel:
            names = [t[0] for t in sel[0]["task_seconds"]]
            med = {
                name: A.summarize(dict(map(tuple, r["task_seconds"])).get(name, 0.0) for r in sel)["median"]
                for name in names
            }
            slowest = [[name, med[name]] for name in sorted(names, key=lambda k: -med[k])]
    return {
        "playbook": PLAYBOOKS[playbook],
        "forks": forks,
        "single_host_s": single,
        "by_hosts": {str(n): v for n, v in by_n.items()},
        "growth": growth,
        "task_seconds_at_largest": {"hosts": largest, "tasks": slowest},
    }


# ------------------------------------------------------------------------------------------------ headline


def headline(
    single: dict[str, Any] | None,
    fleet: dict[str, Any] | None,
    largest: int,
    module_fleet: dict[str, Any] | None = None,
    dry_run_fleet: dict[str, Any] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if single:
        for mode in ("in_process", "isolated"):
            c = single[mode]["collection"]["requests"]["median"]
            n = single[mode]["naive"]["requests"]["median"]
            out[f"requests_ratio_{mode}"] = A.ratio(c, n)
            out[f"requests_ratio_{mode}_from"] = {"collection_requests_median": c, "naive_requests_median": n}
        noop = [single[m]["noop"]["requests"]["median"] for m in ("in_process", "isolated")]
        noop = [v for v in noop if v is not None]
        out["noop_requests_per_host"] = max(noop) if noop else None
        out["noop_requests_per_host_from"] = {
            "in_process_median": single["in_process"]["noop"]["requests"]["median"],
            "isolated_median": single["isolated"]["noop"]["requests"]["median"],
            "note": "the larger of the two medians; NTLM with message encryption over HTTP (the lab inventory)",
        }
        basic = [single[m]["noop_https_basic"]["requests"]["median"] for m in ("in_process", "isolated")]
        basic = [v for v in basic if v is not None]
        out["noop_requests_per_host_https_basic"] = max(basic) if basic else None
        down = single["in_process"]["collection"]["w3svc_down_s"]["median"]
        bound = single["bound"]["w3svc"]["total"]
        out["outage_ratio_in_process"] = A.ratio(down, bound)
        out["outage_ratio_in_process_from"] = {
            "collection_w3svc_down_s_median": down,
            "bound_s": bound,
            "naive_w3svc_down_s_median": single["in_process"]["naive"]["w3svc_down_s"]["median"],
        }
        iso = single["isolated"]["collection"]["w3svc_down_s"]
        out["isolated_w3svc_downtime_s"] = iso["max"]
        out["isolated_w3svc_downtime_s_from"] = {"collection_runs": iso["values"], "note": "the largest run"}
    for suffix, variant in (("module_only", module_fleet), ("with_dry_run", dry_run_fleet)):
        if not variant:
            continue
        row = variant["by_hosts"].get(str(largest), {})
        out[f"fleet_ratio_{largest}_{suffix}"] = row.get("ratio_to_ideal")
        out[f"fleet_ratio_{largest}_{suffix}_from"] = {
            "wall_s_median": row.get("wall_s", {}).get("median"),
            "ideal_s": row.get("ideal_s"),
            "single_host_s_median": variant["single_host_s"],
            "forks": variant["forks"],
            "hosts": largest,
            "playbook": variant["playbook"],
        }
    if fleet:
        row = fleet["by_hosts"].get(str(largest), {})
        out[f"fleet_ratio_{largest}"] = row.get("ratio_to_ideal")
        out[f"fleet_ratio_{largest}_from"] = {
            "wall_s_median": row.get("wall_s", {}).get("median"),
            "ideal_s": row.get("ideal_s"),
            "single_host_s_median": fleet["single_host_s"],
            "forks": fleet["forks"],
            "hosts": largest,
        }
    return out


def versions() -> dict[str, str]:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("ansible-core", "pywinrm", "pyspnego", "matplotlib"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="legacy_iis.iis4 benchmarks (see docs/benchmarks.md)")
    parser.add_argument(
        "--parts",
        default="1,2,3,4,5",
        help="which parts to run (1 and 2 always run together; 4: one host per strategy; 5: three DLLs in one task)",
    )
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each single-host measurement")
    parser.add_argument("--fleet-sizes", default="10,50,200")
    parser.add_argument("--fleet-reps", default="2,1,3", help="repetitions per fleet size, in the same order")
    parser.add_argument("--single-reps", type=int, default=3, help="repetitions of the one-host playbook run")
    parser.add_argument(
        "--module-reps",
        type=int,
        default=3,
        help="runs of the module-only playbook on 1 host and on the largest fleet (0: none)",
    )
    parser.add_argument(
        "--dry-run-reps",
        type=int,
        default=3,
        help="runs of the role with its dry run and capacity floor (bench/fleet_dry_run.yml) on 1 host and on the "
        "largest fleet (0: none)",
    )
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--out", default=str(ROOT / "docs"), help="folder for benchmarks.json/.md/.png")
    parser.add_argument("--workdir", default=str(ROOT / "tests" / "output" / "bench"))
    parser.add_argument("--quick", action="store_true", help="2 repetitions, fleet of 4 and 10 hosts, 1 run each")
    opts = parser.parse_args(argv)
    if opts.quick:
        opts.reps, opts.fleet_sizes, opts.fleet_reps, opts.single_reps = 2, "4,10", "1,1", 1
        opts.module_reps, opts.dry_run_reps = min(opts.module_reps, 1), min(opts.dry_run_reps, 1)
    parts = {p.strip() for p in opts.parts.split(",") if p.strip()}
    sizes = [int(s) for s in opts.fleet_sizes.split(",") if s.strip()]
    fleet_reps = [int(s) for s in opts.fleet_reps.split(",") if s.strip()]
    if len(fleet_reps) != len(sizes):
        parser.error("--fleet-reps needs one number per fleet size")
    workdir = Path(opts.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    out_dir = Path(opts.out)
    started = time.monotonic()
    log(f"timing model: {json.dumps(M.TIMING)}")

    single_raw = single = fleet_raw = fleet = None
    load: dict[str, list[float]] = {"start": list(os.getloadavg())}
    if parts & {"1", "2"}:
        single_raw = run_single(opts.reps, workdir)
        single = summarize_single(single_raw)
        load["after_single_host"] = list(os.getloadavg())
    strategies = None
    if "4" in parts:
        strategies = summarize_strategies(run_strategies(opts.reps, workdir))
        load["after_strategies"] = list(os.getloadavg())
    combined = None
    if "5" in parts:
        combined = summarize_combined(run_combined(opts.reps, workdir))
        log(f"combined: {json.dumps(combined)}")
    module_fleet = dry_run_fleet = None
    largest = max(sizes) if sizes else 0
    module_sizes = {1: opts.module_reps, largest: opts.module_reps} if opts.module_reps and largest else {}
    dry_run_sizes = {1: opts.dry_run_reps, largest: opts.dry_run_reps} if opts.dry_run_reps and largest else {}
    if "3" in parts:
        reps = {1: opts.single_reps, **dict(zip(sizes, fleet_reps, strict=True))}
        variants = {"module": module_sizes, "dry_run": dry_run_sizes}
        fleet_raw = run_fleet([1, *sizes], reps, opts.forks, workdir, variants)
        fleet = summarize_fleet(fleet_raw, opts.forks, "role")
        if module_sizes:
            module_fleet = summarize_fleet(fleet_raw, opts.forks, "module")
        if dry_run_sizes:
            dry_run_fleet = summarize_fleet(fleet_raw, opts.forks, "dry_run")
        load["after_fleet"] = list(os.getloadavg())

    result: dict[str, Any] = headline(single, fleet, largest, module_fleet, dry_run_fleet)
    result.update(
        {
            "generated_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "bench_seconds": time.monotonic() - started,
            "machine": {"cpus": os.cpu_count(), "system": platform.system(), **versions()},
            "load_average": load,
            "timing_model": M.TIMING,
            "repetitions": {
                "single_host": opts.reps,
                "fleet": {"1": opts.single_reps, **{str(n): r for n, r in zip(sizes, fleet_reps, strict=True)}},
                "fleet_module_only": {str(n): r for n, r in module_sizes.items()},
                "fleet_with_dry_run": {str(n): r for n, r in dry_run_sizes.items()},
            },
            "targets": {
                "requests_ratio": 0.25,
                "noop_requests_per_host": 4,
                "outage_ratio_in_process": 1.1,
                "isolated_w3svc_downtime_s": 0.0,
                "fleet_ratio": 1.0,
                "fleet_ratio_module_only": 1.0,
                "combined_outage_ratio": 1.1,
            },
            "single_host": single,
            "strategies": strategies,
            "combined": combined,
            "fleet": fleet,
            "fleet_module_only": module_fleet,
            "fleet_with_dry_run": dry_run_fleet,
            "raw": {
                "single_host": single_raw["records"] if single_raw else None,
                "fleet": fleet_raw["runs"] if fleet_raw else None,
            },
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "benchmarks.json"
    json_path.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    log(f"wrote {json_path}")
    from bench import report

    report.write(result, out_dir)
    log(f"done in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

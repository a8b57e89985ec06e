"""Command line of the lab.

Serve a fleet (until SIGINT / SIGTERM)::

    python -m tests.lab --hosts 20 --inventory lab-inventory.yml [--scenario FILE] [--control-port 8900]
                        [--base-ip 127.0.0.2] [--https] [--workdir DIR]

Talk to a running lab through its control API::

    python -m tests.lab fault  --control http://127.0.0.1:8900 WEB01 wsman_down=true stuck_stop=W3SVC
    python -m tests.lab reset  --control http://127.0.0.1:8900 WEB01
    python -m tests.lab state  --control http://127.0.0.1:8900 WEB01
    python -m tests.lab events --control http://127.0.0.1:8900 [--host WEB01] [--kind service]

Fault values: ``true``/``false``/numbers/JSON as such; set-valued faults take comma-separated items
(``stuck_stop=W3SVC,IISADMIN``); ``fail_start`` takes ``SERVICE:mode`` items (``W3SVC:system:1058``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from .harness.control import LabClient
from .harness.server import Lab, LabHost, allocate_ips
from .machine import versions
from .machine.config import Faults, HostConfig, default_fleet, load_scenario

CLIENT_COMMANDS = ("fault", "reset", "state", "events", "hosts")


# ------------------------------------------------------------------------------------------------ serve


def _scenario_hosts(path: Path, base_ip: str, limit: int | None) -> list[HostConfig]:
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    explicit_default = "ip" in (raw.get("defaults") or {})
    explicit = [explicit_default or "ip" in (h or {}) for h in raw.get("hosts") or []]
    configs = load_scenario(path)
    if limit is not None:
        configs = configs[:limit]
    ips = iter(allocate_ips(len(configs), base_ip))
    for cfg, has_ip in zip(configs, explicit, strict=False):
        ip = next(ips)
        if not has_ip:
            cfg.ip = ip
    return configs


def _shop_isolation(host: LabHost) -> str:
    for site in host.config.sites:
        for app in site.apps:
            if app.path.strip("/").lower() != "shop":
                continue
            if versions.worker_mode(host.config):
                return f"pool:{app.app_pool or versions.DEFAULT_POOL}"
            value = app.app_isolated
            if value is not None:
                return {0: "in-process", 1: "isolated", 2: "pooled"}.get(value, str(value))
    return "-"


def summary_line(host: LabHost) -> str:
    cfg = host.config
    wsman = "/".join(str(p) for p, on in ((cfg.http_port, cfg.listen_http), (cfg.https_port, cfg.listen_https)) if on)
    web = ",".join(str(p) for p in host.site_ports().values())
    return (
        f"{cfg.name:<10} {cfg.ip:<15} wsman {wsman or '-':<9} web {web:<10} "
        f"/Shop {_shop_isolation(host):<10} {cfg.kind:<6} services {','.join(cfg.services)}"
    )


def serve(args: argparse.Namespace) -> int:
    if args.scenario:
        configs = _scenario_hosts(Path(args.scenario), args.base_ip, args.hosts)
    else:
        count = args.hosts if args.hosts is not None else 4
        configs = default_fleet(count, allocate_ips(count, args.base_ip))
    lab = Lab(workdir=args.workdir, control_port=args.control_port, base_ip=args.base_ip)
    started = time.monotonic()
    lab.start(configs)
    elapsed = time.monotonic() - started
    if args.https:
        for host in lab.hosts.values():
            host.inventory_scheme = "https"
    inventory = lab.write_inventory(args.inventory)
    for host in lab.hosts.values():
        print(summary_line(host))
    print(f"lab: {len(lab.hosts)} hosts up in {elapsed:.2f}s; inventory {inventory}; CA {lab.ca_path}")
    if lab.control_url:
        print(f"lab: control API {lab.control_url}")
    print("lab: ready (Ctrl+C to stop)", flush=True)

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        lab.stop()
        print("lab: stopped", flush=True)
    return 0


# ------------------------------------------------------------------------------------------------ client


def parse_fault(item: str) -> tuple[str, Any]:
    key, sep, text = item.partition("=")
    if not sep:
        raise ValueError(f"expected key=value, got {item!r}")
    key = key.strip()
    fields = {f.name: f for f in dataclasses.fields(Faults)}
    if key not in fields:
        raise ValueError(f"unknown fault {key!r}; known: {', '.join(sorted(fields))}")
    default = getattr(Faults(), key)
    text = text.strip()
    if isinstance(default, set):
        return key, [t.strip() for t in text.split(",") if t.strip()]
    if isinstance(default, dict):
        pairs = {}
        for part in (t for t in text.split(",") if t.strip()):
            name, _sep, mode = part.partition(":")
            pairs[name.strip().upper()] = mode.strip()
        return key, pairs
    if text.lower() in ("none", "null", ""):
        return key, None
    try:
        return key, json.loads(text.lower() if text.lower() in ("true", "false") else text)
    except json.JSONDecodeError:
        return key, text


def client_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.lab " + argv[0])
    parser.add_argument("--control", required=True, help="control API URL printed by the serving lab")
    if argv[0] in ("fault", "reset", "state"):
        parser.add_argument("host")
    if argv[0] == "fault":
        parser.add_argument("faults", nargs="+", metavar="key=value")
    if argv[0] == "events":
        parser.add_argument("--host")
        parser.add_argument("--kind")
        parser.add_argument("--since", type=float)
    args = parser.parse_args(argv[1:])
    client = LabClient(args.control)
    if argv[0] == "fault":
        result = client.set_faults(args.host, **dict(parse_fault(f) for f in args.faults))
    elif argv[0] == "reset":
        result = client.reset_faults(args.host)
    elif argv[0] == "state":
        result = client.state(args.host)
    elif argv[0] == "hosts":
        result = client.hosts()
    else:
        result = client.events(since=args.since, kind=args.kind, host=args.host)
    print(json.dumps(result, indent=2, sort_keys=True))
    return 0


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in CLIENT_COMMANDS:
        return client_main(argv)
    parser = argparse.ArgumentParser(prog="python -m tests.lab", description="Serve simulated NT4/IIS4 hosts.")
    parser.add_argument("--hosts", type=int, default=None, help="number of hosts (default 4, or all of a scenario)")
    parser.add_argument("--inventory", required=True, help="where to write the Ansible inventory")
    parser.add_argument("--scenario", help="scenario YAML (tests/lab/scenarios/); default: the mixed fleet")
    parser.add_argument("--control-port", type=int, default=None, help="serve the JSON control API on this port")
    parser.add_argument("--base-ip", default="127.0.0.2", help="first loopback address")
    parser.add_argument("--https", action="store_true", help="inventory uses HTTPS (validated against the lab CA)")
    parser.add_argument("--workdir", default=None, help="keep the CA and keys here (default: a temporary folder)")
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())

"""pytest fixtures for tests that talk to lab hosts over the wire.

Registered for the whole suite by ``tests/conftest.py`` (``pytest_plugins = ["tests.lab.harness.fixtures"]``).

* ``lab`` (session): a started :class:`~tests.lab.harness.server.Lab`.  Each pytest-xdist worker gets its own address
  block (``127.<20 + worker>.0.2`` on; ``--lab-base-ip`` overrides the base) and the lab skips addresses another
  process already uses, so parallel workers and parallel test runs do not collide.
* ``lab_host`` (function): a factory, ``lab_host(**HostConfig overrides) -> LabHost`` with a fresh machine and
  a unique name and address; ``lab_host(fleet_index=1)`` starts from host 1 of the default mixed fleet.
  Hosts are removed when the test ends.
* ``lab_inventory`` (function): ``lab_inventory(*hosts, scheme=None) -> Path`` writes an Ansible inventory
  under ``tmp_path``.
* ``winrm_session`` (function): ``winrm_session(host, transport="ntlm", scheme="http", **kwargs)`` returns a
  real ``winrm.Session`` (HTTPS validates against the lab CA); its connections are closed afterwards.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ..machine.config import Faults, HostConfig, Timing, default_host, load_scenario
from .server import Lab, LabHost

_names = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("lab", "simulated NT4/IIS4 lab")
    group.addoption("--lab-base-ip", default=None, help="first loopback address for lab hosts of this run")


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, pause: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout`` seconds pass (False)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(pause)
    return True


def worker_index() -> int:
    """0 without pytest-xdist, n + 1 for worker ``gw<n>``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    digits = "".join(ch for ch in worker if ch.isdigit())
    return int(digits) + 1 if digits else 0


def worker_base_ip(block: int = 20) -> str:
    """First address of this worker's block: ``127.<block + worker>.0.2`` (a /16 per worker)."""
    return f"127.{block + worker_index()}.0.2"


def build_config(
    name: str, config: HostConfig | None = None, *, fleet_index: int | None = None, **overrides: Any
) -> HostConfig:
    """A HostConfig from a base (explicit, default-fleet host, or defaults) plus field overrides.

    ``faults`` and ``timing`` may be given as dicts of field values; other keys replace fields.
    """
    if config is None:
        config = default_host(fleet_index, "127.0.0.2") if fleet_index is not None else HostConfig()
    else:
        config = dataclasses.replace(config)
    config.name = name
    fields = {f.name for f in dataclasses.fields(HostConfig)}
    for key, value in overrides.items():
        if key not in fields:
            raise TypeError(f"HostConfig has no field {key!r}")
        if key == "faults" and isinstance(value, dict):
            faults = Faults()
            faults.update(**value)
            value = faults
        elif key == "timing" and isinstance(value, dict):
            value = Timing(**value)
        setattr(config, key, value)
    if {"kind", "winrm_version", "iis6_metabase_compat"} & set(overrides):
        config.refresh_kind(keep=set(overrides))
    if "faults" not in overrides:
        config.faults = dataclasses.replace(config.faults)
    return config


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest) -> Iterator[Lab]:
    base = request.config.getoption("--lab-base-ip", default=None) or worker_base_ip()
    the_lab = Lab(base_ip=base).start()
    try:
        yield the_lab
    finally:
        the_lab.stop()


@pytest.fixture
def lab_host(lab: Lab) -> Iterator[Callable[..., LabHost]]:
    created: list[LabHost] = []

    def make(
        config: HostConfig | None = None,
        *,
        fleet_index: int | None = None,
        machine_factory: Callable[..., Any] | None = None,
        **overrides: Any,
    ) -> LabHost:
        name = overrides.pop("name", None) or f"T{worker_index()}H{next(_names):04d}"
        cfg = build_config(name, config, fleet_index=fleet_index, **overrides)
        host = lab.add_host(cfg, auto_ip=True, machine_factory=machine_factory)
        created.append(host)
        return host

    yield make
    for host in created:
        if host.name in lab.hosts:
            lab.remove_host(host.name)


SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@pytest.fixture
def scenario_hosts(lab: Lab) -> Iterator[Callable[..., list[LabHost]]]:
    """A factory: ``scenario_hosts("variations.yaml", prefix="M") -> [LabHost]`` starts every host of a scenario
    under ``tests/lab/scenarios`` (names prefixed with ``prefix`` and this worker's number, so parallel workers do
    not collide); they are removed when the test ends."""
    started: list[LabHost] = []

    def start(name: str, prefix: str = "S") -> list[LabHost]:
        configs = load_scenario(SCENARIOS / name)
        for cfg in configs:
            cfg.name = f"{prefix}{worker_index()}{cfg.name}"
        hosts = lab.add_hosts(configs, auto_ip=True)
        started.extend(hosts)
        return hosts

    yield start
    for host in started:
        lab.remove_host(host.name)


@pytest.fixture
def lab_inventory(lab: Lab, tmp_path: Path) -> Callable[..., Path]:
    def write(*hosts: LabHost | str, scheme: str | None = None, path: str | Path | None = None) -> Path:
        target = Path(path) if path is not None else tmp_path / "inventory.yml"
        return lab.write_inventory(target, hosts=list(hosts) or None, scheme=scheme)

    return write


@pytest.fixture
def winrm_session(lab: Lab) -> Iterator[Callable[..., Any]]:
    import winrm

    sessions: list[Any] = []

    def make(
        host: LabHost,
        transport: str = "ntlm",
        scheme: str = "http",
        *,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        kwargs.setdefault("server_cert_validation", "validate")
        kwargs.setdefault("ca_trust_path", str(lab.ca_path))
        user = username if username is not None else host.username
        pw = password if password is not None else host.password
        session = winrm.Session(host.endpoint(scheme), auth=(user, pw), transport=transport, **kwargs)
        sessions.append(session)
        return session

    yield make
    for session in sessions:
        with contextlib.suppress(Exception):  # best-effort cleanup of a client
            session.protocol.transport.close_session()

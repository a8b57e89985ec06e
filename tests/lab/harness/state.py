"""What the lab shows of a host from the outside: its state snapshot, file writes into it, JSON-safe values.

Used by :meth:`.server.Lab.host_state` / :meth:`~.server.Lab.write_file` and by the control API
(:mod:`.control`).  The machine model is duck-typed: every part of the snapshot it does not offer (or that
fails) is left out.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
from collections.abc import Iterable
from typing import Any, Protocol

from ..machine.config import HostConfig


class StateHost(Protocol):
    """What a snapshot needs of a host (:class:`tests.lab.harness.server.LabHost` provides it)."""

    config: HostConfig
    machine: Any
    wsman: Any
    wsman_listening: bool

    def summary(self) -> dict[str, Any]: ...


def host_state(host: StateHost) -> dict[str, Any]:
    """Services, watched files (sha256 + size), lock holders, loaded images, faults and WinRS shells."""
    machine = host.machine
    machine_state: dict[str, Any] = {}
    fn = getattr(machine, "state", None)
    if callable(fn):
        with contextlib.suppress(Exception):
            machine_state = dict(fn())
    data = {**host.summary(), **machine_state}
    fs = getattr(machine, "fs", None)
    if fs is not None:
        with contextlib.suppress(Exception):
            prefixes = watched_prefixes(host.config, getattr(fs, "watched", None))
            data["files"] = {
                path: {"sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
                for path, content in fs.snapshot().items()
                if any(path.upper().startswith(p) for p in prefixes)
            }
        with contextlib.suppress(Exception):
            data["locks"] = {path: fs.lock_holders(path) for path in fs.locked_paths()}
    loaded = getattr(machine, "loaded_images", None)
    if callable(loaded):
        with contextlib.suppress(Exception):
            data["loaded_images"] = loaded()
    data["faults"] = host.config.faults.to_dict()
    data["wsman"] = host.wsman.summary()
    data["wsman_listening"] = host.wsman_listening
    return jsonable(data)


def write_file(machine: Any, path: str, content: bytes) -> None:
    """Write ``content`` to ``path`` on the machine model, through whichever writer it offers."""
    for attr in ("write_file", "put_file"):
        fn = getattr(machine, attr, None)
        if callable(fn):
            fn(path, content)
            return
    fs = getattr(machine, "fs", None)
    for attr in ("write_file", "write", "write_bytes", "create_file"):
        fn = getattr(fs, attr, None)
        if callable(fn):
            fn(path, content)
            return
    raise NotImplementedError("the machine model offers no way to write files")


def watched_prefixes(cfg: HostConfig, watched: Iterable[str] | None) -> list[str]:
    """Upper-case path prefixes whose files the state shows: the model's watch list, else the content folders."""
    if watched:
        return sorted({w.upper() for w in watched})
    prefixes = {site.root.upper().rstrip("\\") + "\\" for site in cfg.sites}
    for site in cfg.sites:
        for app in site.apps:
            if app.physical:
                prefixes.add(app.physical.upper().rstrip("\\") + "\\")
    for path in cfg.files:
        folder = path.upper().rsplit("\\", 1)[0]
        prefixes.add(folder + "\\")
    return sorted(prefixes)


def isolation(cfg: HostConfig) -> dict[str, str]:
    """Isolation of each application root, keyed ``<site>:<path>`` ("in_process" / "out_of_process", and on IIS 5+
    hosts "pooled" for AppIsolated 2)."""
    result = {}
    for site in cfg.sites:
        for app in site.apps:
            value = app.app_isolated
            if value is not None:
                result[f"{site.number}:{app.path}"] = {0: "in_process", 2: "pooled"}.get(value, "out_of_process")
    return result


def jsonable(value: Any) -> Any:
    """``value`` made of JSON types only: dataclasses as dicts, sets sorted, bytes as sha256 + size."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest(), "size": len(value)}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)

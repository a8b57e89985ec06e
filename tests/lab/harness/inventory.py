"""Ansible inventories of lab hosts: the connection variables of one host and the YAML file for many.

Used by :meth:`.server.LabHost.inventory_vars` and :meth:`.server.Lab.write_inventory`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..machine.config import HostConfig
from ..wire.sites import site_port
from .update import update_vars


def host_vars(cfg: HostConfig, scheme: str, ca_path: Path) -> dict[str, Any]:
    """The inventory variables that connect Ansible to the host of ``cfg`` over WinRM with NTLM."""
    user = cfg.username if not cfg.domain else f"{cfg.domain}\\{cfg.username}"
    data: dict[str, Any] = {
        "ansible_host": cfg.ip,
        "ansible_port": cfg.https_port if scheme == "https" else cfg.http_port,
        "ansible_user": user,
        "ansible_password": cfg.password,
        "ansible_connection": "winrm",
        "ansible_winrm_transport": "ntlm",
        "ansible_winrm_scheme": scheme,
        "ansible_winrm_message_encryption": "auto",
        "lab_host_name": cfg.name,
        "lab_web_url": f"http://{cfg.ip}:{site_port(cfg, 1)}",
        "lab_site_urls": {s.number: f"http://{cfg.ip}:{site_port(cfg, s.number)}" for s in cfg.sites},
    }
    data.update(update_vars(cfg))  # lab_update_* (tests.lab.harness.update), for hosts with a component to update
    if scheme == "https":
        data["ansible_winrm_ca_trust_path"] = str(ca_path)
        data["ansible_winrm_server_cert_validation"] = "validate"
    return data


def write_inventory(path: str | Path, hostvars: dict[str, dict[str, Any]]) -> Path:
    """Write a YAML inventory with groups ``iis4`` (``hostvars``: name -> variables) and ``web`` (same hosts)."""
    import yaml

    data = {"all": {"children": {"iis4": {"hosts": hostvars}, "web": {"hosts": {name: None for name in hostvars}}}}}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Written by the legacy_iis lab (tests.lab); lab credentials only.\n"
        + yaml.safe_dump(data, sort_keys=False, default_flow_style=False),
        encoding="utf-8",
    )
    return path

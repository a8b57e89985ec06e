"""Helpers shared by the tests that run the module over a whole lab scenario (variations, packages, versions):
the module arguments from a host's ``lab_update_*`` inventory variables, the page it serves, its running services."""

from __future__ import annotations

from typing import Any

import requests


def args_of(host: Any) -> dict[str, Any]:
    v = host.inventory_vars()
    args = {"src": v["lab_update_src"], "dest": v["lab_update_dest"], "application": v["lab_update_application"]}
    if v.get("lab_update_site"):
        args["site"] = v["lab_update_site"]
    return args


def served(host: Any) -> str:
    try:
        return requests.get(host.inventory_vars()["lab_update_url"], timeout=10).text
    except requests.RequestException as exc:
        return f"(no answer: {exc})"


def running(host: Any) -> set[str]:
    return {name for name, state in host.machine.scm.states().items() if state == "RUNNING"}

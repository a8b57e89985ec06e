# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module of the collection run by itself (not through its action plugin): its own pywinrm connection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import HostError
from .winrm_runner import HAS_WINRM, WINRM_IMPORT_ERROR, ConnectionOptions, WinRMRunner


def run_directly(module: Any, work: Callable[[Any], dict[str, Any]], **on_connect_failure: Any) -> None:
    """What a module of the collection does when it runs by itself (not through its action plugin): connect with
    pywinrm from its ``winrm_*`` options, run ``work(runner)`` and exit (or fail) with the result it returns.
    ``on_connect_failure``: more keys for the result when the host cannot be reached."""
    if not HAS_WINRM:
        module.fail_json(msg=f"pywinrm is required to run this module directly: {WINRM_IMPORT_ERROR}")
    if not module.params["winrm_host"]:
        module.fail_json(
            msg="winrm_host is required when the module runs by itself; through the collection's action plugin the "
            "inventory's connection variables are used instead"
        )
    try:
        runner = WinRMRunner(ConnectionOptions.from_module_params(module.params))
    except HostError as exc:
        module.fail_json(msg=str(exc), step="connect", error_kind=exc.kind, **on_connect_failure)
        return
    result = work(runner)
    if result.get("failed"):
        module.fail_json(**{k: v for k, v in result.items() if k != "failed"})
    module.exit_json(**result)

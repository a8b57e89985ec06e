# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WAS restart: the full restart on IIS 7 and later.

From IIS 7 on, the worker processes (w3wp.exe) belong to the Windows Process Activation Service, and W3SVC and
the other listener adapters depend on it ("The World Wide Web Publishing Service (W3SVC) and other services
depend on WAS", technet dd364237).  IIS Admin exists only with the IIS 6 compatibility components, and stopping
it does not stop W3SVC or WAS, so it never frees a DLL a worker process holds.  The full restart there is
``net stop WAS /y``: WAS and every running service that depends on it stop, every worker process ends; then
WAS and each of those services start again (W3SVC first, then the others in the reverse of ``sc enumdepend
WAS``'s order).  The sequence is the service restart's, with WAS as its root.
"""

from __future__ import annotations

from typing import Any

from .._host.metabase import Application
from .base import Scope, unknown_radius
from .service_restart import ServiceRestart


class WasRestart(ServiceRestart):
    """Stop WAS and everything that depends on it, swap, start what was running (IIS 7 and later)."""

    process = "w3wp.exe"
    root = "WAS"
    root_display = "Windows Process Activation Service"
    taken_down = "applications taken down with every worker process (w3wp.exe) of every pool:"

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        if scope.metabase is None and not scope.sharing:
            radius = unknown_radius(self.process, scope, list(scope.stops))
        else:
            apps = (
                [a.as_dict() for a in scope.metabase.sharing_process(Application("/", "", None, False, scope.site))]
                if scope.metabase is not None
                else list(scope.sharing)
            )
            radius = {"process": self.process, "applications": apps, "services": list(scope.stops)}
        radius["note"] = (
            "net stop WAS /y: every application pool's worker process of every site ends and every running service "
            "that depends on WAS (W3SVC, and listener adapters where installed) stops, then starts again"
        )
        return radius

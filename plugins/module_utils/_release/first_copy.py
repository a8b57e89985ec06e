# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""First copy: dest does not exist yet (a first deploy), so nothing has it loaded and nothing stops."""

from __future__ import annotations

from typing import Any

from .._cmd.cmdline import marker
from .._host.parsers.sequence import SequenceOutput
from .base import Release, Scope, unknown_radius
from .run import ReleaseRun


class FirstCopy:
    """Rename the staged file into place; register it if asked."""

    method = "copy"
    phase = "copy"
    process = None
    stops_services = False

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        if not scope.listed:
            return unknown_radius(self.process, scope, [])
        return {"process": None, "applications": [], "services": [], "note": "dest does not exist yet: nothing stops"}

    def sequence(self, r: Release) -> list[str]:
        s = r.swap
        parts = [s.append_record(f"started={self.phase}"), *s.swap_in("swap")]
        parts += s.register() if r.register else []
        parts += [*s.verify(), *s.tidy(r.backup, r.register), s.append_record(f"finished={self.phase}")]
        return [*parts, s.drop_record_unless_failed(), marker("done")]

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        self.conclude(run.send(step or run.plan.step("apply")), run, note)

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        run.ran_to_end(out)
        run.report.set_services([], [])
        run.result["outage_seconds"] = 0.0
        run.finish(out, note, self.done)

    @staticmethod
    def done(run: ReleaseRun) -> str:
        del run
        return "it did not exist, so the new DLL was copied into place and nothing was stopped"

    @staticmethod
    def prediction(plan: Any, paths: Any, unload_fallback: bool) -> str:
        del plan, unload_fallback
        return f"would copy {paths.src} to {paths.dest}, which does not exist yet; nothing would stop"

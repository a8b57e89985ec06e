# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a package plan (MTS server package, COM+ server application, IIS 5's pooled applications): part of
:class:`apply.Apply`."""

from __future__ import annotations

from typing import Any

from .._host.catalog import CATALOGS, IIS_IMAGES, POOLED_APPLICATION, holders_text, start_parts
from .._host.facts import section
from .._host.parsers.catalog import parse_answer
from .._host.parsers.common import split_sections
from .._host.parsers.holders import Holder
from ..errors import StepFailed


class PackageRelease:
    """Mixed into :class:`apply.Apply`, whose helpers (``_send``, ``_released``, ``_holders_now``, ...) it uses."""

    plan: Any
    p: Any
    session: Any
    report: Any
    result: dict[str, Any]
    stage_output: str
    record_dropped: bool

    def _package(self) -> None:
        """Shut down the package (or every MTS server package), swap, and check the old image is free.

        Still loaded: while a process that can be the package's own still has it (exiting), wait a while;
        when the catalog refused the shutdown, mtxstop.exe (MTS) ends every server package; when only IIS's
        processes hold it now (the application also loads the DLL itself), go on with the IIS plan.
        """
        plan = self.plan
        apply = plan.step("apply")
        res = self._send(apply)
        self.report.set_services([], [])
        answer = parse_answer(section(split_sections(res.output), "shutdown"))
        released = self._released(res)
        note = ""
        holders: tuple[Holder, ...] | None = None
        asked = False  # holders were read and nothing happened on the host since
        if not released and plan.method == "package_shutdown" and not answer.ok and plan.mtxstop is not None:
            note = f"the catalog refused to shut the package down ({answer.message})"
            self.result["fallback"] = note
            self.result["method"] = "mtxstop"
            if self._wait_until_free(plan.mtxstop):
                res = self._send(apply)
                released = self._released(res)
        elif not released and (answer.ok or plan.method == "mtxstop"):
            holders, asked = self._holders_now(), True
            if self._package_may_exit(holders):
                asked = False
                if self._wait_until_free():
                    res = self._send(apply)
                    released = self._released(res)
        if released:
            self._tidy_if_left(res)
            self.result["outage_seconds"] = 0.0
            if self.p.package_restart and plan.package is not None:
                self._start_package()
            self._conclude(res, note)
            return
        if not asked:
            holders = self._holders_now()
        said = holders_text(holders)
        package = plan.strategy.package
        # IIS's own pooled COM+ application ends with IIS too: a refusal leads to the IIS procedure, not a failure.
        iis_pool = package is not None and package.name.lower() == POOLED_APPLICATION.lower()
        refused = plan.method == "package_shutdown" and not answer.ok and self.result.get("method") != "mtxstop"
        if refused and not iis_pool:
            self._rollback()
            self.report.old_dll_in_place()
            raise StepFailed(
                "shutdown",
                f"the catalog did not shut down the package {package.name!r} ({answer.code or 'no code'}: "
                f"{answer.message}) and mtxstop.exe is not available here, so the DLL stays loaded by: {said}; "
                "dest holds the OLD DLL again (restored from the backup); IIS was not touched",
                res.output,
            )
        if holders is not None and not any(h.image.lower() in IIS_IMAGES for h in holders):
            self._rollback()
            self.report.old_dll_in_place()
            raise StepFailed(
                "shutdown",
                f"the package was shut down but the DLL is still loaded by: {said}, which restarting IIS would "
                "not end; dest holds the OLD DLL again (restored from the backup); IIS was not touched",
                res.output,
            )
        reason = f"the DLL was still loaded after the package shut down (by: {said})"
        if refused:
            reason = f"the catalog refused to shut down {package.name!r} ({answer.message}; loaded by: {said})"
        self.result["fallback"] = reason
        iis = type(self)(self.p, self.session, self.report, plan.iis, self.stage_output)  # type: ignore[call-arg]
        iis.record_dropped = self.record_dropped
        iis.run_iis(note=f"{reason}, so the IIS rules applied")

    def _start_package(self) -> None:
        """Start the package again (``package_restart``): create its component, which maps the new DLL."""
        plan = self.plan
        kind = plan.catalog.kind if plan.catalog is not None else None
        paths = self.report.paths
        parts = start_parts(kind, plan.package, paths.dest, paths.relative().catalog_script, self.p.cmdline_limit)
        if kind is None or parts is None:
            self.result["package_started"] = False
            self.report.warn("package_restart: the catalog names no ProgID for dest, so the package was not started")
            return
        res = self.session.run("package_start", parts, here=True)
        answer = parse_answer(section(split_sections(res.output), "start"), "STARTED")
        self.result["package_started"] = answer.ok
        if not answer.ok:
            self.report.warn(
                f"package_restart: the package {plan.package.name!r} did not start again ({answer.code or 'no code'}: "
                f"{answer.message}); the new DLL is in place and the next call will try again"
            )

    def _package_may_exit(self, holders: tuple[Holder, ...] | None) -> bool:
        """Is the package's own process (or one like it) still among ``holders``?  Unknown holders: maybe."""
        if holders is None:
            return True
        image = CATALOGS.get(self.plan.catalog.kind or "mts", CATALOGS["mts"])["image"]
        return any(h.image.lower() == image for h in holders)

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One task, several DLLs, and the proof: run the update for each component in order over one connection,
check the application's pages from the controller, and put the old DLLs back when something fails.

The order on one host::

    validate every component (and every verify option)      nothing on the host is touched before this
    update component 1, 2, ... (update.run_update)          the first failure stops the list
    verify each page (verify.verify_url), retries           not in check mode
    on a failure: roll back what this task replaced,        newest first, from the module's own backups
                  then read each page once more             to say which version the host now serves

Without ``components`` the task's own src/dest are the only component and the result keeps the flat shape
of a single update, with ``verify``/``rollback`` keys added when they apply.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .argspec import PER_COMPONENT
from .errors import UNREACHABLE_KINDS, UNTOUCHED_STEPS, InputError
from .grouping import update_all
from .params import Params
from .verify import Check, fetch_url, verify_url


def component_params(params: dict[str, Any]) -> list[dict[str, Any]]:
    """Every component's options: the task's values with what its entry of ``components`` sets on top."""
    base = {k: v for k, v in params.items() if k != "components"}
    entries = params.get("components")
    if not entries:
        return [base]
    merged = []
    for entry in entries:
        one = dict(base)
        one.update({k: v for k, v in entry.items() if k in PER_COMPONENT and v is not None})
        merged.append(one)
    return merged


def _checks(specs: list[dict[str, Any]], many: bool) -> tuple[list[Params], list[Check | None]]:
    """Validate every component (once, before the first one touches the host): its Params and its page check.
    Raises InputError."""
    checks: list[Check | None] = []
    wants: list[Params] = []
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs):
        where = f"components[{i}]." if many else ""
        try:
            p = Params.from_module_params(spec)
            check = (
                Check.make(spec["verify_url"], spec.get("verify_expect"), spec.get("verify_status") or [200])
                if (spec.get("verify_url"))
                else None
            )
        except InputError as exc:
            raise InputError(f"{where}{exc.name}", exc.message) from None
        key = p.dest.lower()
        if key in seen:
            raise InputError(f"{where}dest", f"{p.dest} is also the dest of components[{seen[key]}]")
        seen[key] = i
        wants.append(p)
        checks.append(check)
    for name in ("verify_retries", "verify_delay", "verify_timeout"):
        value = specs[0].get(name)
        if value is not None and value < (1 if name == "verify_timeout" else 0):
            raise InputError(name, f"{value} is out of range")
    return wants, checks


class Rollout:
    """The update of one host's components, its verification and its rollback."""

    def __init__(
        self,
        params: dict[str, Any],
        runner: Any,
        *,
        check_mode: bool = False,
        diff: bool = False,
        progress: Callable[[str], None] | None = None,
        fetch: Callable[..., Any] = fetch_url,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.params = params
        self.runner = runner
        self.check_mode = check_mode
        self.diff = diff
        self.progress = progress or (lambda text: None)
        self.fetch = fetch
        self.sleep = sleep
        self.many = bool(params.get("components"))
        self.specs = component_params(params)
        self.wants: list[Params] = []  # every component's options, validated once
        self.results: list[dict[str, Any]] = []
        self.notes: list[str] = []

    # -- the run ---------------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        try:
            self.wants, checks = _checks(self.specs, self.many)
        except InputError as exc:
            return {"failed": True, "changed": False, **exc.describe()}
        done = update_all(self.wants, self.runner, check_mode=self.check_mode, diff=self.diff, progress=self.progress)
        host = str(getattr(getattr(self.runner, "options", None), "host", "") or "")
        for i, (spec, res) in enumerate(zip(self.specs, done, strict=False)):
            res["src"], res["dest"] = res.get("restored_backup") or spec.get("src"), spec["dest"]
            if i < len(checks) and checks[i] is not None:
                # a path is checked on the site's binding this run read on the host
                checks[i] = checks[i].on_site(res.get("bindings"), host)
                res["verify_url"] = checks[i].url
            self.results.append(res)
        failed = first_failure(self.results)
        verify: list[dict[str, Any]] = []
        if failed is None and not self.check_mode:
            verify = self._verify(checks)
        bad = [v for v in verify if not v["ok"]]
        reachable = failed is None or failed.get("error_kind") not in UNREACHABLE_KINDS
        rolled: list[str] = []
        if (failed is not None or bad) and not self.check_mode:
            rolled = self._roll_back(reachable)
        # After a failure that put an old DLL back, or a component's own failure: which version is served now.
        after = self._read_pages(checks) if (rolled or failed is not None) and reachable and not self.check_mode else []
        for res in self.results:
            res["rolled_back_by"] = self._rolled_back_by(res, rolled)
            res["dest_holds"] = self._holds(res)
        return self._result(failed, verify, bad, rolled, after)

    def _verify(self, checks: list[Check | None]) -> list[dict[str, Any]]:
        p = self.specs[0]
        retries, delay = int(p.get("verify_retries") or 0), float(p.get("verify_delay") or 0)
        out: list[dict[str, Any]] = []
        for check in dict.fromkeys(c for c in checks if c is not None):  # a page shared by components: once
            self.progress(f"verify {check.url}" + (f" for {check.expect!r}" if check.expect else ""))
            out.append(self._ask(check, retries, delay, self.progress))
        return out

    def _read_pages(self, checks: list[Check | None]) -> list[dict[str, Any]]:
        """After a failure: each page once, to say which version the host serves now (never fails the run)."""
        urls = dict.fromkeys(c.url for c in checks if c is not None)
        return [self._ask(Check(url=url), 0, 0, None) for url in urls]

    def _ask(self, check: Check, retries: int, delay: float, progress: Callable[[str], None] | None) -> dict[str, Any]:
        p = self.specs[0]
        return verify_url(
            check,
            retries=retries,
            delay=delay,
            timeout=int(p.get("verify_timeout") or 10),
            validate_certs=bool(p.get("verify_validate_certs", True)),
            fetch=self.fetch,
            sleep=self.sleep,
            progress=progress,
        )

    # -- rollback --------------------------------------------------------------------------------------

    @staticmethod
    def _replaced(res: dict[str, Any]) -> bool:
        """dest holds the new DLL because of this task (and nobody put the old one back yet)."""
        if not res.get("changed") or res.get("rolled_back"):
            return False
        return not (res.get("failed") and res.get("step") in UNTOUCHED_STEPS)

    def _roll_back(self, reachable: bool) -> list[str]:
        """Put back the DLLs this task replaced, newest first; returns the dest paths restored."""
        if not self.specs[0].get("rollback", True):
            return []
        if not reachable:
            self.notes.append("the host could not be reached, so nothing was rolled back")
            return []
        todo: list[tuple[dict[str, Any], Params]] = []
        for res, want in reversed(list(zip(self.results, self.wants, strict=False))):
            if not self._replaced(res):
                continue
            if not res.get("backup_file"):
                self.notes.append(f"no backup to roll back {res['dest']} (backup was off)")
                continue
            self.progress(f"rollback: putting {res['backup_file']} back as {res['dest']}")
            # The same options with the backup as src (a path this module made: nothing to validate again).
            todo.append((res, dataclasses.replace(want, src=res["backup_file"], backup=False, state="present")))
        # Put back the same way they were replaced: DLLs released by one outage go back in one outage.
        backs = update_all([want for _res, want in todo], self.runner, progress=self.progress) if todo else []
        restored: list[str] = []
        for (res, _want), back in zip(todo, backs, strict=False):
            res["rollback"] = {
                "ok": not back.get("failed") and not back.get("skipped"),
                "msg": back.get("msg", ""),
                "method": back.get("method"),
                "outage_seconds": back.get("outage_seconds") or 0.0,
                "services_started": back.get("services_started") or [],
            }
            if back.get("shared_release"):
                res["rollback"]["shared_release"] = back["shared_release"]
            if not res["rollback"]["ok"]:
                self.notes.append(f"the rollback of {res['dest']} failed as well: {back.get('msg', 'failed')}")
                break
            restored.append(res["dest"])
        for res, _want in todo[len(backs) :]:
            self.notes.append(f"{res['dest']} was not rolled back: the rollback stopped at an earlier DLL")
        return restored

    @staticmethod
    def _rolled_back_by(res: dict[str, Any], rolled: list[str]) -> str:
        if res["dest"] in rolled:
            return "rollback"
        if res.get("failed") and res.get("rolled_back"):
            return "module"
        return ""

    def _holds(self, res: dict[str, Any]) -> str:
        """Which version dest holds at the end: new, old, or - (the host could not be read)."""
        if res.get("rolled_back_by") or res.get("skipped"):
            return "old"
        if res.get("failed"):
            if res.get("step") == "connect" or res.get("error_kind") in UNREACHABLE_KINDS:
                return "-"
            return "old" if res.get("step") in UNTOUCHED_STEPS else "new"
        if self.check_mode:
            return "old" if res.get("changed") else "new"
        return "new"

    # -- the result ------------------------------------------------------------------------------------

    def _result(
        self,
        failed: dict[str, Any] | None,
        verify: list[dict[str, Any]],
        bad: list[dict[str, Any]],
        rolled: list[str],
        after: list[dict[str, Any]],
    ) -> dict[str, Any]:
        extra: dict[str, Any] = {}
        if verify:
            extra["verify"] = verify
        if after:
            extra["served_after_failure"] = after
        rollback_outage = outage_once([r["rollback"] for r in self.results if r.get("rollback")])
        if self.many:
            out = self._summary(failed)
            out["outage_seconds"] = round(out["outage_seconds"] + rollback_outage, 3)
        else:
            out = dict(self.results[0])
            if rollback_outage:
                out["outage_seconds"] = round(float(out.get("outage_seconds") or 0) + rollback_outage, 3)
        out.update(extra)
        if rolled:
            out["rolled_back"] = True
        problem = self._problem(failed, bad)
        if problem:
            out.update(failed=True, msg=self._failure_text(problem, rolled))
            if bad and failed is None:
                out["step"] = "verify"
        elif verify:
            out["msg"] = f"{out.get('msg', '')}; verified: " + "; ".join(v["msg"] for v in verify)
        return out

    def _problem(self, failed: dict[str, Any] | None, bad: list[dict[str, Any]]) -> str:
        if failed is not None:
            where = f"components[{self.results.index(failed)}] ({failed['dest']})" if self.many else ""
            return f"{where}{': ' if where else ''}{failed.get('msg', 'failed')}"
        if bad:
            return "verify failed: " + "; ".join(v["msg"] for v in bad)
        return ""

    def _failure_text(self, problem: str, rolled: list[str]) -> str:
        parts = [problem.rstrip(". ")]
        if rolled:
            parts.append("rolled back (the old DLL is in place again): " + ", ".join(rolled))
        parts.extend(self.notes)
        return "; ".join(parts)

    def _summary(self, failed: dict[str, Any] | None) -> dict[str, Any]:
        """The top-level keys of a task with ``components``: what a reader of one line needs."""
        rs = self.results
        methods = [r.get("method") for r in rs if r.get("method") not in (None, "none")]
        isolations = [r.get("isolation") for r in rs if r.get("isolation")]
        first = rs[0] if rs else {}
        out: dict[str, Any] = {
            "changed": any(r.get("changed") for r in rs),
            "method": ",".join(dict.fromkeys(methods)) or "none",
            "isolation": ",".join(dict.fromkeys(isolations)) or None,
            "iis_version": first.get("iis_version"),
            "windows": first.get("windows"),
            "outage_seconds": outage_once(rs),
            "services_stopped": list(dict.fromkeys(s for r in rs for s in r.get("services_stopped") or [])),
            "services_started": list(dict.fromkeys(s for r in rs for s in r.get("services_started") or [])),
            "rolled_back": any(r.get("rolled_back") for r in rs),
            "requests": getattr(self.runner, "requests", None),
            "components": rs,
            "msg": f"{len(rs)} component(s): " + " | ".join(str(r.get("msg", "")) for r in rs),
        }
        warnings = [w for r in rs for w in r.get("warnings") or []]
        if warnings:
            out["warnings"] = list(dict.fromkeys(warnings))
        diffs = [r["diff"] for r in rs if r.get("diff")]
        if diffs:
            out["diff"] = diffs
        if failed is not None:
            for key in ("step", "error_kind", "host_output"):
                if key in failed:
                    out[key] = failed[key]
        return out


def first_failure(results: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The component whose failure the task reports: the first that failed on its own (not one that a shared
    release put back only because another DLL of it failed), else the first that failed."""
    failed = [r for r in results if r.get("failed")]
    for r in failed:
        release = r.get("shared_release") or {}
        if "index" not in release or release["index"] in release.get("failed", ()):
            return r
    return failed[0] if failed else None


def outage_once(results: list[dict[str, Any]]) -> float:
    """The outages of ``results`` added up, a release shared by several DLLs (``shared_release``) counted once."""
    once = [r for r in results if (r.get("shared_release") or {}).get("index", 0) == 0]
    return round(sum(float(r.get("outage_seconds") or 0) for r in once), 3)


def run_rollout(
    params: dict[str, Any],
    runner: Any,
    check_mode: bool = False,
    diff: bool = False,
    progress: Callable[[str], None] | None = None,
    **hooks: Any,
) -> dict[str, Any]:
    """Update, verify and (on failure) roll back one host's components; returns an Ansible result dict."""
    return Rollout(params, runner, check_mode=check_mode, diff=diff, progress=progress, **hooks).run()

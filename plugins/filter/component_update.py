# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the legacy_iis.iis4.component_update role: its bookkeeping in Python instead of Jinja.

The role keeps few tasks per host (Ansible spends a worker, templating and result handling on each one), so
what used to be a dozen ``set_fact`` tasks is done here, in plain functions with unit tests:

* ``component_update_entries``: the role's component list as the module's ``components`` (verify options);
* ``component_update_left_drained``: whether a host's last audit record says an earlier run left it drained;
* ``component_update_capacity``: once per batch, which hosts are out of service, which were left drained by an
  earlier run, and which hosts of the batch must be refused by the capacity floor;
* ``component_update_outcome``: one host's report, summary line and failure message from the module's results.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import UNTOUCHED_STEPS

#: The audit record names the role reads: <host>-<UTC time>.json
_RECORD = r"-[0-9]{8}T[0-9]{6}(?:[.][0-9]+)?Z[.]json$"
_ROLE_ONLY = ("health_url", "health_expect", "revert_expect")
#: The module results the role registers (kept by Ansible also for a host it could not reach)
_REGISTERED = ("_component_update_plan", "_component_update_apply")


# -- the component list --------------------------------------------------------------------------------------


def component_update_entries(
    components: Sequence[Mapping[str, Any]],
    base_url: str | None = "",
    state: str = "present",
    plan: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The module's ``components`` from the role's list: application as a list, verify_url from health_url or
    the base URL + the first application path + ``/``, verify_expect from health_expect (from revert_expect for
    ``state=reverted``: the page then shows the old version).

    The base URL is ``base_url`` when set ("" turns the check off); when it is None, the URL is the application's
    path, which the module checks on the site's binding it reads on the host (``http://<host>`` without one).
    ``plan``, the dry run's result, gives each component what it read (``gathered``) for the update to start from."""
    planned = list((plan or {}).get("components") or [])
    out = []
    for i, comp in enumerate(components or []):
        apps = comp.get("application", "/")
        apps = [apps] if isinstance(apps, str) else list(apps or ["/"])
        url = comp.get("health_url")
        if url is None:
            # without a base URL, the application's path: the module checks it on the site's binding it reads
            path = f"{apps[0].rstrip('/')}/"
            url = path if base_url is None else (f"{base_url.rstrip('/')}{path}" if base_url else "")
        entry = {k: v for k, v in comp.items() if k not in _ROLE_ONLY}
        expect = comp.get("revert_expect" if state == "reverted" else "health_expect") or None
        entry.update(application=apps, verify_url=url or "", verify_expect=expect)
        kept = planned[i].get("gathered") if i < len(planned) and isinstance(planned[i], Mapping) else None
        if kept:  # what the dry run read: the update does not read the host again (the module's gathered option)
            entry["gathered"] = kept
        out.append(entry)
    return out


# -- the capacity floor ----------------------------------------------------------------------------------------


def _needed(plan: Mapping[str, Any] | None, apply: Mapping[str, Any] | None = None) -> bool:
    """A dry run found work: a component differs, or an interrupted run left its state record. Without a dry run
    (the role ran none), what the update found: a component it planned to replace or recovered, failed or not."""
    if not plan and apply and not apply.get("unreachable"):
        return any(c.get("method", "none") != "none" or c.get("recovered") for c in apply.get("components") or [apply])
    if not plan or plan.get("failed") or plan.get("unreachable") or plan.get("skipped"):
        return False
    return any(c.get("changed") or c.get("recovered") for c in plan.get("components") or [plan])


def component_update_left_drained(host: str, audit_dir: str = "") -> bool:
    """Whether the host's last audit record (``<host>-<UTC time>.json`` in ``audit_dir``) says it was left out of
    service (``drained_after``)."""
    if not audit_dir or not os.path.isdir(audit_dir):
        return False
    pattern = re.compile(re.escape(host) + _RECORD)
    names = sorted(n for n in os.listdir(audit_dir) if pattern.match(n))
    if not names:
        return False
    try:
        with open(os.path.join(audit_dir, names[-1]), encoding="utf-8") as handle:
            return bool(json.load(handle).get("drained_after"))
    except (OSError, ValueError):
        return False


def _allowed(limit: Any, play_size: int) -> int:
    text = str(limit).strip()
    if text.endswith("%"):
        return max(1, math.floor(float(text[:-1]) * play_size / 100))
    return max(1, int(text))


def _limit(limit: Any, play_size: int) -> int | None:
    """How many hosts a limit allows: a number or a percentage of the play's hosts; None when not set."""
    text = str(limit if limit is not None else "").strip()
    if not text:
        return None
    if text.endswith("%"):
        return math.floor(float(text[:-1]) * play_size / 100)
    return int(text)


def component_update_capacity(
    batch: Sequence[str],
    hostvars: Mapping[str, Any],
    play_hosts: Sequence[str],
    max_drained: Any = "50%",
    audit_dir: str = "",
    assume_drained: bool = False,
    active_hosts: Sequence[str] | None = None,
    max_unreachable: Any = "",
) -> dict[str, Any]:
    """What the batch's hosts need to know about each other, computed once per batch (``run_once``).

    ``drained_before``: hosts of the batch out of service since an earlier play of this run, by
    component_update_assume_drained, or by their last audit record. ``down``: hosts out of service or
    unreachable that this batch does not drain again anyway. ``refused``: hosts of the batch that must fail
    before anything is drained, with ``reason``. ``active_hosts`` (``ansible_play_hosts``): the play's hosts that
    have not failed and were not unreachable; a host of an earlier batch that is not among them and that the
    module could not reach counts as down (Ansible keeps no facts of an unreachable host, only what it registered).
    """
    batch, play_hosts = list(batch), list(play_hosts)

    def var(host: str, name: str, default: Any = None) -> Any:
        try:
            return hostvars[host].get(name, default)
        except (KeyError, AttributeError):
            return default

    def was_drained(host: str) -> bool:
        fact = var(host, "component_update_drained")
        if fact is not None:  # set by an earlier play or batch of this run: it wins
            return bool(fact)
        return bool(var(host, "component_update_assume_drained", assume_drained)) or component_update_left_drained(
            host, audit_dir
        )

    drained_before = [h for h in batch if was_drained(h)]
    needing = [h for h in batch if _needed(var(h, "_component_update_plan"))]
    earlier = [h for h in play_hosts if h not in batch]
    down = {h for h in earlier if var(h, "component_update_drained")}
    down |= {h for h in earlier if (var(h, "component_update_report") or {}).get("result") == "unreachable"}
    gone = [h for h in earlier if active_hosts is not None and h not in active_hosts]
    lost = [h for h in gone if any((var(h, v) or {}).get("unreachable") for v in _REGISTERED)]
    down |= set(lost)
    down |= set(drained_before)
    down |= {h for h in batch if (var(h, "_component_update_plan") or {}).get("unreachable")}
    down -= set(needing)
    allowed = _allowed(max_drained, len(play_hosts))
    out: dict[str, Any] = {
        "allowed": allowed,
        "batch_needing": needing,
        "down": sorted(down, key=play_hosts.index),
        "drained_before": drained_before,
        "refused": [],
        "reason": "",
    }
    limit = _limit(max_unreachable, len(play_hosts))
    if limit is not None and len(lost) > limit:
        # Ansible's max_fail_percentage counts failed hosts only: the role's stop rule for unreachable ones.
        out["refused"] = batch
        out["reason"] = (
            f"stop rule: {len(lost)} host(s) of earlier batches could not be reached ({', '.join(lost)}), more "
            f"than component_update_max_unreachable={max_unreachable} allows: the rollout stops here. Nothing was "
            "drained or changed. Bring the hosts back (or raise the limit), then run the playbook again."
        )
    elif len(down) + len(needing) > allowed:
        out["refused"] = needing
        out["reason"] = (
            f"capacity floor: this batch would take {len(needing)} host(s) out of service while {len(down)} host(s) "
            f"are still out or cannot be reached ({', '.join(out['down']) or 'none'}); at most {allowed} of "
            f"{len(play_hosts)} may be out at once (component_update_max_drained={max_drained}). Nothing was "
            "drained. Use a smaller serial batch, or bring the failed hosts back first."
        )
    return out


# -- the outcome of one host -----------------------------------------------------------------------------------


def _components(result: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if not result or result.get("skipped"):
        return []
    return list(result.get("components") or ([result] if "dest" in result else []))


def _version(body: str, regex: str) -> str:
    match = re.search(regex, body or "") if regex else None
    if not match:
        return "-"
    return match.group(1) if match.groups() else match.group(0)


def _pages(apply: Mapping[str, Any]) -> dict[str, str]:
    """URL -> body of the last answer: the pages read after a rollback win over the checks before it."""
    pages = {v["url"]: v.get("body") or "" for v in apply.get("verify") or []}
    pages.update({v["url"]: v.get("body") or "" for v in apply.get("served_after_failure") or []})
    return pages


def _component_row(
    entry: Mapping[str, Any],
    planned: Mapping[str, Any],
    done: Mapping[str, Any] | None,
    pages: Mapping[str, str],
    check_mode: bool,
    regex: str,
) -> dict[str, Any]:
    r = done if done is not None else planned
    by = {"module": "module", "rollback": "role"}.get((done or {}).get("rolled_back_by") or "", "")
    if done is not None:
        holds = done.get("dest_holds") or "-"
    elif not planned or planned.get("failed"):
        holds = "-"
    else:
        holds = "old" if planned.get("changed") else "new"
    changed = bool(done and done.get("changed") and not (done.get("failed") and done.get("step") in UNTOUCHED_STEPS))
    # the page the module checked: a path made a URL on the site's binding it read
    url = (done or {}).get("verify_url") or entry.get("verify_url") or ""
    return {
        "src": r.get("src") or entry.get("src"),
        "dest": entry.get("dest"),
        "restored_backup": r.get("restored_backup") or "",  # state=reverted: the backup put back (or already on)
        "applications": [a.get("path", "") for a in r.get("applications") or []],
        "changed": changed,
        "isolation": r.get("isolation") or "-",
        "method": (done or {}).get("method") or (planned.get("method", "none") if check_mode else "none"),
        "outage_seconds": float((done or {}).get("outage_seconds") or 0),
        "services_stopped": list((done or {}).get("services_stopped") or []),
        "services_started": list((done or {}).get("services_started") or []),
        "services_not_running": list(r.get("services_not_running") or []),
        "old": r.get("old") or {},
        "new": r.get("new") or {},
        "backup_file": (done or {}).get("backup_file") or "",
        "recovered": r.get("recovered"),
        "rolled_back": bool(by),
        "rolled_back_by": by,
        "dest_holds": holds,
        "health_url": url,
        "version_served": _version(pages.get(url, ""), regex) if url else "-",
    }


def component_update_outcome(
    apply: Mapping[str, Any] | None,
    plan: Mapping[str, Any] | None = None,
    entries: Sequence[Mapping[str, Any]] = (),
    host: str = "",
    failure: str = "",
    check_mode: bool = False,
    drained_before: bool = False,
    refused: bool = False,
    version_regex: str = r"version=([0-9A-Za-z.]+)",
    audit_dir: str = "",
) -> dict[str, Any]:
    """``report`` (the role's documented component_update_report), ``summary`` (one line) and ``message`` (what
    a failed host fails with) from the dry run (``plan``) and the real run (``apply``) of the module."""
    apply = apply or {}
    plan = plan or {}
    planned, done = _components(plan), _components(apply)
    pages = _pages(apply)
    rows = [
        _component_row(
            entry,
            planned[i] if i < len(planned) else {},
            done[i] if i < len(done) else None,
            pages,
            check_mode,
            version_regex,
        )
        for i, entry in enumerate(entries)
    ]
    unreachable = bool(plan.get("unreachable") or apply.get("unreachable"))
    if unreachable and not failure:
        failure = str((apply if apply.get("unreachable") else plan).get("msg") or "the host cannot be reached")
    needed = _needed(plan, apply)
    failed = bool(failure)
    # Out of service at the end: a failed host stays drained if it was drained before or this run drained it
    # (it needed an update, the dry run worked and the capacity floor let it through).
    drained = failed and (drained_before or (needed and not refused))
    rolled = [r["dest"] for r in rows if r["rolled_back"]]
    if failed:
        result = "unreachable" if unreachable else ("rolled back" if rolled else "failed")
    elif check_mode and needed:
        result = "would change"
    else:
        result = "changed" if any(r["changed"] for r in rows) else "unchanged"
    outage = sum(r["outage_seconds"] for r in rows)
    report = {
        "host": host,
        "result": result,
        "check_mode": bool(check_mode),
        "isolation": ",".join(dict.fromkeys(r["isolation"] for r in rows)) or "-",
        "method": ",".join(dict.fromkeys(r["method"] for r in rows if r["method"] != "none")) or "none",
        "outage_seconds": round(float(apply.get("outage_seconds") or outage), 2),
        "services_stopped": list(dict.fromkeys(s for r in rows for s in r["services_stopped"])),
        "services_restarted": list(dict.fromkeys(s for r in rows for s in r["services_started"])),
        "version_served": ",".join(dict.fromkeys(r["version_served"] for r in rows if r["version_served"] != "-"))
        or "-",
        "drained_before": bool(drained_before),
        "drained": bool(drained),
        "rolled_back": rolled,
        "failure": failure,
        "components": rows,
        "audit_dir": audit_dir or "",
    }
    return {"report": report, "summary": _summary(report), "message": _message(report)}


def _summary(report: Mapping[str, Any]) -> str:
    text = (
        f"{report['host']}: {report['result']}; {report['isolation']} via {report['method']}; "
        f"outage {report['outage_seconds']} s; restarted {' '.join(report['services_restarted']) or 'nothing'}; "
        f"serving {report['version_served']}"
    )
    for row in report["components"]:
        if row["rolled_back"]:
            text += f"; old DLL back in {row['dest']} (put back by the {row['rolled_back_by']})"
    if report["drained"]:
        text += "; left out of service"
    return text


def _message(report: Mapping[str, Any]) -> str:
    if not report["failure"]:
        return ""
    rows = report["components"]
    by_role = [r["dest"] for r in rows if r["rolled_back_by"] == "role"]
    by_module = [r["dest"] for r in rows if r["rolled_back_by"] == "module"]
    left_new = [r["dest"] for r in rows if r["changed"] and r["dest_holds"] == "new"]
    parts = [f"{report['host']}: {report['failure'].rstrip('. ')}."]
    if by_role:
        parts.append(f"Rolled back: {', '.join(by_role)}.")
    if by_module:
        parts.append(f"The module put the old DLL back itself: {', '.join(by_module)}.")
    if left_new:
        parts.append(f"The new version stays in place: {', '.join(left_new)}.")
    if not (by_role or by_module or left_new):
        parts.append("No DLL was replaced.")
    if report["drained"]:
        parts.append(
            "The host is left out of service: fix the cause, then run the playbook again for this host (or run "
            "the undrain tasks by hand)."
        )
    return " ".join(parts)


def write_audit_record(report: Mapping[str, Any], who: str = "", play: str = "") -> str:
    """Write the host's audit record ``<audit_dir>/<host>-<UTC time>.json`` (the format the role's next run reads:
    ``drained_after``) and return its path."""
    now = datetime.datetime.now(datetime.UTC)
    host = report["host"]
    record = {
        "when": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "who": who,
        "host": host,
        "play": play,
        "result": report.get("result"),
        "isolation": report.get("isolation"),
        "method": report.get("method"),
        "outage_seconds": report.get("outage_seconds"),
        "services": {"stopped": report.get("services_stopped"), "started": report.get("services_restarted")},
        "drained_before": report.get("drained_before"),
        "drained_after": report.get("drained"),
        "rolled_back": report.get("rolled_back"),
        "failure": report.get("failure"),
        "components": report.get("components"),
    }
    audit_dir = os.path.abspath(os.path.expanduser(str(report["audit_dir"])))
    os.makedirs(audit_dir, mode=0o750, exist_ok=True)
    path = os.path.join(audit_dir, f"{host}-{now.strftime('%Y%m%dT%H%M%S.%fZ')}.json")
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(record, handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o640)
    return path


class FilterModule:
    """The component_update role's filters."""

    def filters(self) -> dict[str, Any]:
        return {
            "component_update_entries": component_update_entries,
            "component_update_capacity": component_update_capacity,
            "component_update_left_drained": component_update_left_drained,
            "component_update_outcome": component_update_outcome,
        }

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IIS services, their dependencies, and the order to stop and start them.

``net stop iisadmin /y`` stops IIS Admin and every running service that depends on it (W3SVC, and FTP,
SMTP, NNTP where installed); ``net start iisadmin`` starts IIS Admin alone.  So the services to start
again after the swap are exactly those that were running before, IIS Admin first, then its dependants.
On IIS 7 and later the root is WAS (W3SVC depends on it; IIS Admin exists only with the IIS 6 compatibility
components).  Dependencies are read live from ``sc qc`` where sc.exe exists (Resource Kit on NT 4 / 2000,
built in from XP); otherwise the known IIS 4 graph is used.

Services are handled by key name: ``net`` prints display names, and those differ between Windows versions
(SMTP is "Microsoft SMTP Service" on NT 4, "Simple Mail Transfer Protocol (SMTP)" on Server 2003).  The host's
own display names are read from ``sc qc`` where sc.exe exists; without it, every display name a Windows
version is known to use for an IIS service (:data:`DISPLAY_ALIASES`) maps back to the key.
"""

from __future__ import annotations

import re

#: IIS 4 services: key name (``net`` / ``sc`` argument) -> display name (shown in ``net`` messages).
IIS_SERVICES: dict[str, str] = {
    "IISADMIN": "IIS Admin Service",
    "W3SVC": "World Wide Web Publishing Service",
    "MSFTPSVC": "FTP Publishing Service",
    "SMTPSVC": "Microsoft SMTP Service",
    "NNTPSVC": "Microsoft NNTP Service",
    # IIS 7 and later: W3SVC depends on it and its worker processes belong to it (technet dd364237).
    "WAS": "Windows Process Activation Service",
}
#: Display names later Windows versions give the same services (key -> names other than IIS 4's).  Server 2003's
#: SMTP is "Simple Mail Transfer Protocol (SMTP)" (technet cc787028); the Windows 2000 wording ("Transport") and
#: NNTP's are recorded as the lab has them (docs/dev/lab-machine.md); a host's own names come from ``sc qc``.
DISPLAY_ALIASES: dict[str, tuple[str, ...]] = {
    "SMTPSVC": ("Simple Mail Transfer Protocol (SMTP)", "Simple Mail Transport Protocol (SMTP)"),
    "NNTPSVC": ("Network News Transfer Protocol (NNTP)", "Network News Transport Protocol (NNTP)"),
}
_BY_DISPLAY = {v.lower(): k for k, v in IIS_SERVICES.items()}
_BY_DISPLAY.update({alias.lower(): k for k, aliases in DISPLAY_ALIASES.items() for alias in aliases})

# Start preference among services that do not depend on one another: the web first.
PREFERRED_ORDER = ["IISADMIN", "WAS", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC"]
# The IIS 4 dependency graph (service -> services it depends on), used when sc.exe is not installed.
KNOWN_DEPENDENCIES: dict[str, list[str]] = {
    "IISADMIN": [],
    "W3SVC": ["IISADMIN"],
    "MSFTPSVC": ["IISADMIN"],
    "SMTPSVC": ["IISADMIN"],
    "NNTPSVC": ["IISADMIN"],
    "WAS": [],
}
#: The service whose ``net stop <root> /y`` takes IIS down: IIS Admin up to IIS 6, WAS from IIS 7 on.
IIS7_ROOT = "WAS"


def restart_root(iis_major: int) -> str:
    """The service a full restart stops with ``/y`` on IIS ``iis_major``."""
    return IIS7_ROOT if iis_major >= 7 else "IISADMIN"


def service_display_name(key: str) -> str | None:
    """``W3SVC`` -> ``World Wide Web Publishing Service`` (case-insensitive); ``None`` if not an IIS service."""
    return IIS_SERVICES.get(key.strip().upper())


def service_key(display_name: str) -> str | None:
    """``World Wide Web Publishing Service`` -> ``W3SVC`` (case- and space-insensitive); ``None`` if unknown."""
    return _BY_DISPLAY.get(" ".join(display_name.split()).lower())


def key_for_display_name(display: str) -> str | None:
    """Service key for a display name (or a key), ``None`` for a service that is not part of IIS."""
    name = display.strip()
    return name.upper() if name.upper() in IIS_SERVICES else service_key(name)


def running_iis_services(display_names: list[str]) -> list[str]:
    """Keys of the IIS services in a ``net start`` listing, in preferred order."""
    keys = {key_for_display_name(name) for name in display_names}
    return [k for k in PREFERRED_ORDER if k in keys]


def dependants(root: str, graph: dict[str, list[str]]) -> list[str]:
    """Every service that depends on ``root``, directly or not."""
    found: list[str] = []
    frontier = [root.upper()]
    while frontier:
        current = frontier.pop()
        for svc, deps in graph.items():
            if current in (d.upper() for d in deps) and svc not in found:
                found.append(svc)
                frontier.append(svc)
    return found


def dependencies_of(services: set[str], graph: dict[str, list[str]]) -> set[str]:
    """Every service ``services`` depend on, directly or through others (``sc qc``'s DEPENDENCIES)."""
    found: set[str] = set()
    todo = list(services)
    while todo:
        for dep in graph.get(todo.pop(), []):
            if dep.upper() not in found:
                found.add(dep.upper())
                todo.append(dep.upper())
    return found


def start_order(services: list[str], graph: dict[str, list[str]]) -> list[str]:
    """``services`` ordered so every service comes after the services it depends on."""
    wanted = [s.upper() for s in services]
    rank = {s: i for i, s in enumerate(PREFERRED_ORDER)}
    ordered: list[str] = []
    visiting: set[str] = set()

    def visit(svc: str) -> None:
        if svc in ordered or svc in visiting:
            return
        visiting.add(svc)
        for dep in sorted(graph.get(svc, []), key=lambda d: rank.get(d.upper(), 99)):
            if dep.upper() in wanted:
                visit(dep.upper())
        visiting.discard(svc)
        ordered.append(svc)

    for svc in sorted(wanted, key=lambda s: (rank.get(s, 99), s)):
        visit(svc)
    return ordered


def stop_set(running: list[str], graph: dict[str, list[str]], root: str = "IISADMIN") -> list[str]:
    """What ``net stop <root> /y`` stops: the running dependants of root, then root itself."""
    running_set = {s.upper() for s in running}
    deps = [s for s in dependants(root, graph) if s in running_set]
    return start_order(deps, graph) + ([root.upper()] if root.upper() in running_set else [])


#: What a service name read from the host (sc enumdepend, a state record) may look like: it is written on
#: command lines bare (``net start NAME``), so nothing else is accepted.
SERVICE_NAME = re.compile(r"^[A-Za-z0-9_$.-]{1,256}$")


def display_names(extras: tuple[tuple[str, str], ...] = (), host: dict[str, str] | None = None) -> dict[str, str]:
    """Service key -> display name: the IIS services (as the host names them, ``host``, else IIS 4's names) and
    the other services ``extras`` (key, display) that depend on the restart's root."""
    names = dict(IIS_SERVICES)
    names.update(host or {})
    names.update({key.upper(): display for key, display in extras})
    return names


def host_display_names(shown: list[str], from_sc: dict[str, str]) -> dict[str, str]:
    """Key -> the display name this host gives each IIS service: ``sc qc``'s DISPLAY_NAME where sc.exe answered
    (``from_sc``), else the known name (IIS 4's or a later version's) that ``net start`` showed (``shown``)."""
    seen = {" ".join(d.split()).lower(): d.strip() for d in shown}
    names: dict[str, str] = {}
    for key, default in IIS_SERVICES.items():
        if from_sc.get(key):
            names[key] = from_sc[key]
            continue
        for candidate in (default, *DISPLAY_ALIASES.get(key, ())):
            if candidate.lower() in seen:
                names[key] = seen[candidate.lower()]
                break
    return names


def running_services(displays: list[str], names: dict[str, str]) -> list[str]:
    """Keys of the services of ``names`` that a ``net start`` listing shows running: the IIS services in
    preferred order, then the others in the order of ``names``."""
    shown = {d.strip().lower() for d in displays}
    found = [k for k, d in names.items() if d.lower() in shown or k.lower() in shown]
    return [k for k in PREFERRED_ORDER if k in found] + [k for k in found if k not in PREFERRED_ORDER]


def started_ok(key: str, names: dict[str, str], result: object, text: str) -> bool:
    """Did ``net start <key>`` leave the service running (started now, or already running)?"""
    started = getattr(result, "started", [])
    conditions = getattr(result, "conditions", [])
    return (
        bool(getattr(result, "ok", False))
        or names.get(key, key) in started
        or "already_started" in conditions
        or "already been started" in text
    )

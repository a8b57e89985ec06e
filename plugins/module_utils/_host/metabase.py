# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The IIS metabase as read with ``adsutil.vbs ENUM_ALL W3SVC``: sites, applications, isolation.

adsutil shows only the properties stored on each key, so inheritance is computed here the way IIS does it:
the effective value of an inheritable property (AppRoot, AppIsolated, ...) is the one stored on the nearest
key at or above.  An application root is a key that stores ``AppRoot`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import MetabaseError

#: The pool an IIS 6 application runs in when no key above it names one.
DEFAULT_APP_POOL = "DefaultAppPool"


def _norm(key: str) -> str:
    """``/LM/W3SVC/1/Root/`` -> ``W3SVC/1/Root`` (case kept)."""
    key = key.replace("\\", "/").strip().strip("/")
    if key.upper().startswith("LM/"):
        key = key[3:]
    return key


def _value(v: Any) -> Any:
    return getattr(v, "value", v)


@dataclass
class Application:
    path: str  # the application path as asked for, e.g. "/Shop"
    key: str  # the metabase key as the metabase spells it, e.g. "W3SVC/1/ROOT/Shop"
    app_root: str | None  # key of the application root that serves it, e.g. "W3SVC/1/ROOT/Shop"
    isolated: bool
    site: int
    friendly_name: str | None = None
    app_root_value: str | None = None  # AppRoot as stored on the root key, e.g. "/LM/w3svc/1/root/shop"
    isolation_value: int | None = None  # AppIsolated: 0 in-process, 1 isolated, 2 pooled (IIS 5 and later)
    app_pool: str | None = None  # AppPoolId (IIS 6 worker process isolation, IIS 7 and later)

    @property
    def pooled(self) -> bool:
        """Runs in the one dllhost.exe that every pooled application shares (IIS 5 ``AppIsolated`` 2)."""
        return self.isolation_value == 2

    @property
    def unload_path(self) -> str | None:
        """The path to give APPUNLOAD: the stored AppRoot value without ``/LM/``.  IIS 4 matches it
        case-sensitively against what AppCreate stored (KB Q246111), which may be spelled unlike the key."""
        if self.app_root_value:
            return _norm(self.app_root_value)
        return self.app_root

    @property
    def metabase_path(self) -> str:
        return "/LM/" + self.key

    def as_dict(self) -> dict[str, Any]:
        out = {
            "path": self.path,
            "site": self.site,
            "metabase_path": self.metabase_path,
            "app_root": "/LM/" + self.app_root if self.app_root else None,
            "isolated": self.isolated,
            "isolation": "pooled" if self.pooled else "out_of_process" if self.isolated else "in_process",
            "friendly_name": self.friendly_name,
        }
        if self.app_pool is not None:
            out["app_pool"] = self.app_pool
        return out


@dataclass
class Metabase:
    """Keys (without ``/LM/``, case as stored) to the properties stored on them."""

    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.nodes = {_norm(k): {n: _value(v) for n, v in props.items()} for k, props in self.nodes.items()}
        self._index = {k.upper(): k for k in self.nodes}

    # -- keys -----------------------------------------------------------------------------------------

    def key(self, path: str) -> str | None:
        """The stored spelling of ``path`` (lookups are case-insensitive, as in the metabase)."""
        return self._index.get(_norm(path).upper())

    def stored(self, key: str, prop: str) -> Any:
        props = self.nodes.get(key, {})
        for name, value in props.items():
            if name.lower() == prop.lower():
                return value
        return None

    def effective(self, key: str, prop: str) -> tuple[Any, str | None]:
        """(value, key that stores it) walking up from ``key``."""
        parts = _norm(key).split("/")
        while parts:
            stored_key = self.key("/".join(parts))
            if stored_key is not None:
                value = self.stored(stored_key, prop)
                if value is not None:
                    return value, stored_key
            parts.pop()
        return None, None

    def children(self, key: str) -> list[str]:
        prefix = _norm(key).upper() + "/"
        depth = prefix.count("/")
        return sorted(k for k in self.nodes if k.upper().startswith(prefix) and k.count("/") == depth)

    # -- sites ----------------------------------------------------------------------------------------

    def sites(self) -> dict[int, str]:
        found = {}
        for key in self.nodes:
            parts = key.split("/")
            if len(parts) == 2 and parts[0].upper() == "W3SVC" and parts[1].isdigit():
                found[int(parts[1])] = str(self.stored(key, "ServerComment") or "")
        return dict(sorted(found.items()))

    def resolve_site(self, site: str | int) -> int:
        sites = self.sites()
        text = str(site).strip()
        if text.isdigit():
            if int(text) in sites:
                return int(text)
        else:
            matches = [n for n, comment in sites.items() if comment.lower() == text.lower()]
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                raise MetabaseError(f"site {text!r} is ambiguous: sites {matches} all have that description", "site")
        known = ", ".join(f"{n} ({c!r})" for n, c in sites.items()) or "none"
        raise MetabaseError(f"site {text!r} not found in the metabase; sites on this host: {known}", "site")

    # -- applications ---------------------------------------------------------------------------------

    def is_app_root(self, key: str) -> bool:
        """A key is an application root when the AppRoot stored on it names the key itself (ignoring case:
        ``adsutil APPCREATEOUTPROC w3svc/1/root/shop`` stores ``/LM/w3svc/1/root/shop`` on ``W3SVC/1/ROOT/Shop``).
        An AppRoot naming another key is a leftover, not an application."""
        value = self.stored(key, "AppRoot")
        return isinstance(value, str) and _norm(value).upper() == _norm(key).upper()

    def _app_root_of(self, key: str) -> str | None:
        parts = key.split("/")
        while len(parts) >= 2:
            candidate = self.key("/".join(parts))
            if candidate is not None and self.is_app_root(candidate):
                return candidate
            parts.pop()
        return None

    def _application(self, site: int, path: str, key: str) -> Application:
        root = self._app_root_of(key)
        isolated_value = self.effective(root or key, "AppIsolated")[0]
        try:
            value = int(isolated_value or 0)
        except (TypeError, ValueError):
            value = 1 if str(isolated_value).lower() == "true" else 0
        # The pool that serves a key is the one of its application root (a virtual directory has none of its own).
        pool = self.effective(root or key, "AppPoolId")[0]
        friendly = self.stored(root, "AppFriendlyName") if root else None
        return Application(
            path=path,
            key=key,
            app_root=root,
            isolated=value in (1, 2),
            site=site,
            friendly_name=friendly,
            app_root_value=self.stored(root, "AppRoot") if root else None,
            isolation_value=value,
            app_pool=str(pool) if pool else None,
        )

    def resolve_application(self, site: int, app_path: str) -> Application:
        rel = app_path.strip().replace("\\", "/").strip("/")
        site_key = self.key(f"W3SVC/{site}/ROOT")
        if site_key is None:
            raise MetabaseError(f"site {site} has no ROOT virtual directory in the metabase", "site")
        key = self.key(f"{site_key}/{rel}") if rel else site_key
        if key is None:
            known = ", ".join(a.path for a in self.applications(site)) or "none"
            raise MetabaseError(
                f"application {app_path!r} not found in site {site}: no metabase key W3SVC/{site}/ROOT/{rel}; "
                f"applications of this site: {known}"
            )
        return self._application(site, "/" + rel, key)

    def applications(self, site: int | None = None) -> list[Application]:
        """Every application root (of one site, or of all sites) with its effective isolation."""
        apps = []
        for key in sorted(self.nodes):
            parts = key.split("/")
            if len(parts) < 3 or parts[0].upper() != "W3SVC" or not parts[1].isdigit() or parts[2].upper() != "ROOT":
                continue
            if site is not None and int(parts[1]) != site:
                continue
            if not self.is_app_root(key):
                continue
            rel = "/".join(parts[3:])
            apps.append(self._application(int(parts[1]), "/" + rel, key))
        return apps

    @property
    def iis5_isolation_mode(self) -> bool:
        """IIS 6: ``IIs5IsolationModeEnabled`` on ``/LM/W3SVC`` (IIS 5 and older have only that mode)."""
        key = self.key("W3SVC")
        value = self.stored(key, "IIs5IsolationModeEnabled") if key else None
        return str(value).strip().lower() in ("true", "1")

    def sharing_pool(self, pool: str) -> list[Application]:
        """Every application of the application pool ``pool`` (IIS 6 worker process isolation)."""
        return [a for a in self.applications() if (a.app_pool or DEFAULT_APP_POOL).lower() == pool.lower()]

    def pooled_applications(self) -> list[Application]:
        """Every pooled application (IIS 5 ``AppIsolated`` 2): they share one dllhost.exe."""
        return [a for a in self.applications() if a.pooled]

    def sharing_process(self, app: Application) -> list[Application]:
        """Applications served by the same process as ``app``.

        In-process: every in-process application of every site (all live in inetinfo.exe).
        Isolated: the applications whose root is the same isolated root (one mtx.exe each).
        """
        if not app.isolated:
            return [a for a in self.applications() if not a.isolated]
        if app.pooled:
            return self.pooled_applications()
        return [a for a in self.applications() if a.app_root == app.app_root]

"""Lab hosts of the later Windows / IIS kinds (issue 13) for the unit tests: a shop application whose pages load
``ShopCart.dll`` 1.0.0.0, the 2.0.0.0 staged in ``C:\\Staging``, a second application ``/Other`` and instant
services."""

from __future__ import annotations

from typing import Any

from tests.lab.host import boot
from tests.lab.machine import web
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL, AppConfig, HostConfig, SiteConfig
from tests.lab.machine.dll import make_dll
from tests.lab.machine.events import EventLog
from tests.lab.machine.machine import Machine
from tests.unit.lab.tools_harness import fast_timing, run

OTHER_DLL = "C:\\InetPub\\other\\bin\\Other.dll"
SHOP_KEY = "/LM/W3SVC/1/ROOT/Shop"


def config(
    kind: str,
    *,
    shop: dict[str, Any] | None = None,
    root: dict[str, Any] | None = None,
    other: dict[str, Any] | None = None,
    **overrides: Any,
) -> HostConfig:
    apps = []
    if root is not None:
        apps.append(AppConfig("/", **root))
    apps.append(AppConfig("/Shop", physical="C:\\InetPub\\shop", components=[SHOP_DLL], **(shop or {})))
    if other is not None:
        apps.append(AppConfig("/Other", physical="C:\\InetPub\\other", components=[OTHER_DLL], **other))
    timing = overrides.pop("timing", None) or fast_timing()
    return HostConfig(
        name="V1",
        kind=kind,
        sites=[SiteConfig(1, "Default Web Site", "C:\\InetPub\\wwwroot", apps=apps)],
        files={
            SHOP_DLL: make_dll("ShopCart", "1.0.0.0", 24576),
            STAGED_DLL: make_dll("ShopCart", "2.0.0.0", 28672),
            OTHER_DLL: make_dll("Other", "1.0.0.0", 8192),
        },
        timing=timing,
        **overrides,
    )


def host(kind: str, **kw: Any) -> Machine:
    return boot(config(kind, **kw), EventLog())


def get(m: Machine, path: str = "/Shop/") -> tuple[int, str]:
    status, _headers, body = web.handle_request(m, m.site_port(1), path)
    return status, body.decode("cp437")


def holders(m: Machine, dll: str = SHOP_DLL) -> list[str]:
    """Images holding ``dll`` (``image:pid``), sorted."""
    return sorted(m.fs.lock_holders(dll))


def images(m: Machine, dll: str = SHOP_DLL) -> list[str]:
    return sorted(h.split(":")[0] for h in m.fs.lock_holders(dll))


__all__ = ["OTHER_DLL", "SHOP_KEY", "config", "get", "holders", "host", "images", "run"]

"""What a playbook needs to update a lab host's component: the ``lab_update_*`` inventory variables.

For every host that has a component to update - an application whose pages load a DLL (``AppConfig.components``)
and the new DLL present on the host - :func:`update_vars` gives:

* ``lab_update_src``: the staged new DLL; ``lab_update_dest``: the component it replaces;
* ``lab_update_application``: the application paths of one site whose pages load the component (the first
  site that has any); ``lab_update_site``: that site's description, only when it is not site 1
  ``Default Web Site``; ``lab_update_other_sites``: description -> application paths, when pages of other
  sites load it too;
* ``lab_update_url``: the page of the first of those applications (it reports the loaded version, see
  :mod:`tests.lab.machine.web`); ``lab_update_expect``: the text that page serves after a successful update
  (``version=<version of the staged DLL>``); ``lab_update_version``: that version alone.

Which file is the new DLL: ``HostConfig.update`` (``update: {src: ..., dest: ...}`` in a scenario) when given;
otherwise the Staging convention: a DLL in ``C:\\Staging`` whose file name is the file name of a configured
component, when both files exist on the host (``C:\\Staging\\ShopCart.dll`` for
``C:\\InetPub\\shop\\bin\\ShopCart.dll``).
"""

from __future__ import annotations

import ntpath
from typing import Any
from urllib.parse import quote

from ..machine.config import AppConfig, HostConfig, SiteConfig
from ..machine.dll import dll_version, is_dll
from ..wire.sites import site_port

STAGING = "C:\\Staging"
DEFAULT_SITE = (1, "Default Web Site")


def _file(cfg: HostConfig, path: str) -> bytes | None:
    low = path.lower()
    for name, data in cfg.files.items():
        if name.lower() == low:
            return data
    return None


def _components(cfg: HostConfig) -> list[str]:
    seen: dict[str, str] = {}
    for site in cfg.sites:
        for app in site.apps:
            for comp in app.components:
                seen.setdefault(comp.lower(), comp)
    return list(seen.values())


def source_and_dest(cfg: HostConfig) -> tuple[str, str] | None:
    """(new DLL, component path) of a host, or None when it has nothing to update."""
    if cfg.update is not None:
        return cfg.update.src, cfg.update.dest
    components = _components(cfg)
    for name, data in cfg.files.items():
        if ntpath.dirname(name).lower() != STAGING.lower() or not is_dll(data):
            continue
        for comp in components:
            if ntpath.basename(comp).lower() == ntpath.basename(name).lower() and _file(cfg, comp) is not None:
                return name, comp
    return None


def loaders(cfg: HostConfig, dest: str) -> list[tuple[SiteConfig, AppConfig]]:
    """(site, application) pairs whose pages load ``dest``, in configuration order."""
    low = dest.lower()
    return [(s, a) for s in cfg.sites for a in s.apps if any(c.lower() == low for c in a.components)]


def page_url(cfg: HostConfig, site: SiteConfig, app_path: str) -> str:
    path = "/" + "/".join(p for p in app_path.split("/") if p)
    return f"http://{cfg.ip}:{site_port(cfg, site.number)}{quote(path.rstrip('/') + '/')}"


def update_vars(cfg: HostConfig) -> dict[str, Any]:
    """The ``lab_update_*`` variables of a host ({} when it has no component to update)."""
    pair = source_and_dest(cfg)
    if pair is None:
        return {}
    src, dest = pair
    data = _file(cfg, src)
    users = loaders(cfg, dest)
    if data is None or not users:
        return {}
    site = users[0][0]
    apps = [a.path for s, a in users if s is site]
    version = dll_version(data) or ""
    result: dict[str, Any] = {
        "lab_update_src": src,
        "lab_update_dest": dest,
        "lab_update_application": apps,
        "lab_update_url": page_url(cfg, site, apps[0]),
        "lab_update_expect": f"version={version}",
        "lab_update_version": version,
    }
    if (site.number, site.comment) != DEFAULT_SITE:
        result["lab_update_site"] = site.comment
    others: dict[str, list[str]] = {}
    for s, a in users:
        if s is not site:
            others.setdefault(s.comment, []).append(a.path)
    if others:
        result["lab_update_other_sites"] = others
    return result

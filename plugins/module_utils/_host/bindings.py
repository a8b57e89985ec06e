# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a web site answers: its bindings as the host has them (pure).

IIS 4.0-6.0 keep them in the metabase, ``ServerBindings`` (and ``SecureBindings`` for HTTPS) of the site key, each
``"IP:port:hostheader"`` with an empty IP for every address; IIS 7 and later print them in ``appcmd list site``
as ``bindings:http/*:8080:,https/*:443:``.  Both come with the gather's one line (ENUM_ALL lists the site keys'
values; the appcmd part lists the sites), so reading them costs no request of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def parse_binding(text: str, protocol: str = "http") -> dict[str, Any] | None:
    """``"IP:port:hostheader"`` (or appcmd's ``http/IP:port:hostheader``) as a dict; None when it is not one.
    An empty IP is shown as ``*`` (every address), as appcmd shows it."""
    text = str(text).strip().strip('"')
    if "/" in text.split(":", 1)[0]:
        protocol, text = text.split("/", 1)
    # the IP part may be an IPv6 address in brackets: the port and the host header are the last two fields
    address, sep, rest = text.rpartition(":")
    address, sep2, port = address.rpartition(":")
    if not (sep and sep2) or not port.strip().isdigit():
        return None
    return {
        "protocol": protocol.strip().lower() or "http",
        "address": address.strip() or "*",
        "port": int(port),
        "host_header": rest.strip(),
    }


def metabase_bindings(metabase: Any, site: int) -> list[dict[str, Any]]:
    """The site's bindings from the metabase (IIS 4.0-6.0, or IIS 7+ with its IIS 6 compatibility feature)."""
    key = f"W3SVC/{site}"
    found = []
    for prop, protocol in (("ServerBindings", "http"), ("SecureBindings", "https")):
        value = metabase.stored(key, prop)
        for item in value if isinstance(value, list) else [value] if value else []:
            binding = parse_binding(str(item), protocol)
            if binding is not None:
                found.append(binding)
    return found


def appcmd_bindings(text: str) -> list[dict[str, Any]]:
    """``http/*:8080:,https/*:443:`` (appcmd's bindings of one site) as dicts; protocols other than HTTP(S) (net.tcp
    and the like) are left out."""
    found = []
    for item in (text or "").split(","):
        binding = parse_binding(item) if "/" in item else None
        if binding is not None and binding["protocol"] in ("http", "https"):
            found.append(binding)
    return found


def site_bindings(facts: Any, site: int) -> list[dict[str, Any]]:
    """The bindings of site number ``site`` as the gather read them (empty when the host did not say)."""
    if facts.appcmd_bindings is not None and facts.appcmd_sites:
        name = next((n for n, i in facts.appcmd_sites.items() if i == site), None)
        if name is not None:
            return appcmd_bindings(facts.appcmd_bindings.get(name, ""))
    if facts.metabase is not None:
        return metabase_bindings(facts.metabase, site)
    return []


def binding_base_url(bindings: Sequence[Mapping[str, Any]] | None, host: str) -> str:
    """The site's address from the bindings the module read (``bindings`` of its result): the first HTTP binding
    for every host name (then any HTTP binding, then HTTPS), with ``host`` for a binding on every address (``*``)
    and the binding's host header as the name when it has one. "" when the module read no binding."""
    usable = [b for b in bindings or [] if b.get("protocol") in ("http", "https") and b.get("port")]
    if not usable:
        return ""
    b = min(usable, key=lambda b: (b.get("protocol") != "http", bool(b.get("host_header")), b.get("address") != "*"))
    scheme, port = str(b["protocol"]), int(b["port"])
    name = b.get("host_header") or (host if str(b.get("address") or "*") in ("*", "") else b["address"])
    default_port = 80 if scheme == "http" else 443
    return f"{scheme}://{name}" + ("" if port == default_port else f":{port}")

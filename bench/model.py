"""The benchmark's timing model and the lab hosts it runs against.

The timing model is meant to look like a 2002 LAN with NT 4.0 servers: a few milliseconds per WS-Man
round trip, IIS services that take a second or two to stop and start, and ``net.exe`` polling the service
state four times a second.  ``docs/benchmarks.md`` prints this table; change it here only.
"""

from __future__ import annotations

from typing import Any

from tests.lab.machine.config import SHOP_DLL, STAGED_DLL

# Seconds.  Service names are the NT key names.
SERVICE_STOP = {"W3SVC": 2.0, "IISADMIN": 1.5, "MSFTPSVC": 0.5, "SMTPSVC": 0.75, "NNTPSVC": 0.75}
SERVICE_START = {"W3SVC": 1.5, "IISADMIN": 1.0, "MSFTPSVC": 0.75, "SMTPSVC": 1.0, "NNTPSVC": 1.0}
TIMING: dict[str, Any] = {
    "service_stop": SERVICE_STOP,
    "service_start": SERVICE_START,
    "default_stop": 0.5,  # services outside IIS (never touched by an update)
    "default_start": 0.5,
    "net_poll": 0.25,  # net.exe prints a dot and looks again every 250 ms
    "net_give_up": 60.0,  # longer than any stop above, so net never gives up in the benchmark
    "request_latency": 0.003,  # added by the lab to every WS-Man HTTP request: a switched 100 Mbit LAN
    "command_latency": 0.01,  # cmd.exe process creation on the host, per WinRS command
    "app_load": 0.05,  # first request to an application after a (re)start or an unload loads the DLL
}

# The two kinds of host the single-host parts use, as indexes into tests.lab.machine.config.default_host:
# 0 = /Shop in-process, with FTP and SMTP installed (the KB's "troubleshooting" case),
# 1 = /Shop isolated (its own mtx.exe), W3SVC and IIS Admin only.
PATTERN_IN_PROCESS = 0
PATTERN_ISOLATED = 1

DEST = SHOP_DLL  # the DLL in use: version 1.0.0.0 on every fresh lab host
STAGED = STAGED_DLL  # the new DLL, staged on the host: version 2.0.0.0
SITE = "Default Web Site"
APPLICATION = "/Shop"
METABASE_PATH = "W3SVC/1/ROOT/Shop"  # as the metabase spells it (APPUNLOAD is case-sensitive on IIS 4)
HEALTH_PATH = "/Shop/"


def iis_services_to_stop(installed: list[str]) -> list[str]:
    """What ``net stop iisadmin /y`` takes down on a host with ``installed`` services: IIS Admin and every
    installed IIS service that depends on it (all of them do), dependants first."""
    order = ["W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC"]
    upper = [s.upper() for s in installed]
    return [s for s in order if s in upper] + (["IISADMIN"] if "IISADMIN" in upper else [])


def host_spec(name: str, pattern: int) -> dict[str, Any]:
    """One entry of the host list handed to ``bench.labproc``."""
    return {"name": name, "pattern": pattern}


def fleet_specs(count: int) -> list[dict[str, Any]]:
    """The mixed fleet of the lab's default generator (even: in-process, odd: isolated, every third with
    FTP and SMTP, every fifth with NNTP), named WEB01.. in order."""
    return [host_spec(f"WEB{i + 1:03d}", i) for i in range(count)]

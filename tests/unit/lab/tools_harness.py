"""A whole lab machine (``host.boot``) with instant services, and a runner with LF line ends, for the program
tests (net, sc, cscript + adsutil.vbs, regsvr32)."""

from __future__ import annotations

from tests.lab.host import boot
from tests.lab.machine.config import Timing, default_host
from tests.lab.machine.events import EventLog
from tests.lab.machine.machine import Machine

ADSUTIL = "cscript //nologo C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
HEX = 0xFFFFFFFF


def fast_timing(**kw) -> Timing:
    values = {"default_stop": 0.0, "default_start": 0.0, "net_poll": 0.01, "net_give_up": 0.3}
    values.update(kw)
    return Timing(**values)


def machine(index: int = 0, **overrides) -> Machine:
    """Fleet host ``index`` (0: in-process shop + FTP + SMTP; 1: isolated shop) with instant services."""
    cfg = default_host(index, "127.0.0.2")
    cfg.timing = fast_timing()
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return boot(cfg, EventLog())


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


def helpmsg(message: str, number: int) -> str:
    return f"{message}\n\nMore help is available by typing NET HELPMSG {number}.\n\n"


def run(m: Machine, line: str, stdin: bytes | None = None) -> tuple[str, str, int]:
    out, err, rc = m.run(line, stdin=stdin)
    assert rc is not None
    return out.replace("\r\n", "\n"), err.replace("\r\n", "\n"), rc

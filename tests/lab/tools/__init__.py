"""The programs installed on a lab host, and THE program table.

A program is a callable taking a :class:`~tests.lab.machine.proc_api.ProgramCall` and returning its exit code
(see :mod:`tests.lab.machine.proc_api`); cmd.exe finds it by its base name without extension.  cmd.exe's built-in
commands (copy, dir, del, ...) are not programs: they live with the interpreter in :mod:`tests.lab.shell`.

:func:`program_table` is the only place that lists the programs; :func:`tests.lab.host.boot` hands its
result to the machine, which hands it to the interpreter for every command.
"""

from __future__ import annotations

from ..machine.config import HostConfig
from ..machine.proc_api import Program
from .adsutil import cscript_program
from .attrib import attrib_program
from .catalog import mtxstop_program
from .fc import fc_program
from .filever import filever_program
from .holders import tasklist_program, tlist_program
from .iis import appcmd_program, iisreset_program
from .net import net_program
from .ping import ping_program
from .regsvr32 import regsvr32_program
from .sc import sc_program


def program_table(config: HostConfig) -> dict[str, Program]:
    """Lower-case base name -> program for a host built from ``config`` (sc.exe only with ``has_sc``, mtxstop.exe
    only on an MTS catalog host, tlist / tasklist / filever only with ``has_tlist`` / ``has_tasklist`` /
    ``has_filever``, iisreset / appcmd only with ``has_iisreset`` / ``has_appcmd``)."""
    table: dict[str, Program] = {
        "net": net_program,
        "cscript": cscript_program,
        "regsvr32": regsvr32_program,
        "ping": ping_program,  # every NT with TCP/IP: how a batch file of NT 4 / 2000 / XP waits
    }
    if config.has_sc:
        table["sc"] = sc_program
    table["fc"] = fc_program
    table["attrib"] = attrib_program
    if config.catalog == "mts":
        table["mtxstop"] = mtxstop_program  # %ProgramFiles%\\Mts\\mtxstop.exe (MTS 2.0)
    if config.has_tlist:
        table["tlist"] = tlist_program
    if config.has_tasklist:
        table["tasklist"] = tasklist_program
    if config.has_filever:
        table["filever"] = filever_program  # Support Tools
    if config.has_iisreset:
        table["iisreset"] = iisreset_program  # %SystemRoot%\\system32\\iisreset.exe (IIS 5+)
    if config.has_appcmd:
        table["appcmd"] = appcmd_program  # %SystemRoot%\\system32\\inetsrv\\appcmd.exe (IIS 7+)
    return table


__all__ = ["program_table"]

"""Boots a lab host: the machine model, cmd.exe as its command interpreter, and its installed programs.

The model (:mod:`tests.lab.machine`, joined by :class:`~tests.lab.machine.machine.Machine`) knows nothing of
commands; the interpreter (:mod:`tests.lab.shell`) knows nothing of programs; the programs
(:mod:`tests.lab.tools`) know the model and the process interface (:mod:`tests.lab.machine.proc_api`).  This
module is where they are put together: ``boot(config, log)`` is what the lab's servers and the tests use to
build a host.
"""

from __future__ import annotations

from .machine.config import HostConfig
from .machine.events import EventLog
from .machine.machine import Machine
from .shell import Interpreter
from .tools import program_table


def boot(config: HostConfig, log: EventLog) -> Machine:
    """A ready machine: ``start_command`` runs cmd.exe with the host's program table."""
    return Machine(config, log, shell=Interpreter, programs=program_table(config))

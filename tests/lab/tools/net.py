"""``net.exe`` (``net start``, ``net start <service>``, ``net stop <service>``) of Windows NT 4.0.

Message templates from the NT net message table (facts file, sections 2-3); success on stdout, errors on
stderr, exit code 2 on every error.  ``net stop`` lists running dependants (three-space indent, in the order
EnumDependentServices gives: the reverse of a start order, ties by display name), asks ``Do you want to continue
this operation? (Y/N) [N]:`` unless ``/y``; with no answer at all (EOF) it prints ``No valid response was
provided.`` and fails.  One dot per ``Timing.net_poll`` while pending; gives up after ``Timing.net_give_up`` with
``could not be stopped``.  The service is looked up by key name, not display name (KB Q236166).
"""

from __future__ import annotations

import time
from typing import Any

from ..machine import scm as scm_mod
from ..machine.proc_api import STATUS_CONTROL_C_EXIT, ProgramCall
from .winerror import CRLF, system_text

NET_HEADER_NT4 = "These Windows NT services are started:"


class _Net:
    def __init__(self, call: Any) -> None:
        self.call = call
        self.io = call.io
        self.machine = call.machine
        self.scm = call.machine.scm
        self.timing = call.machine.config.timing

    def out(self, text: str) -> None:
        self.io.out(text)

    def err(self, text: str) -> None:
        self.io.err(text)

    def error(self, message: str, helpmsg: int | None) -> int:
        text = message + CRLF + CRLF
        if helpmsg is not None:
            text += f"More help is available by typing NET HELPMSG {helpmsg}.{CRLF}{CRLF}"
        self.err(text)
        return 2

    def system_error(self, code: int) -> int:
        self.err(f"System error {code} has occurred.{CRLF}{CRLF}{system_text(code)}{CRLF}{CRLF}")
        return 2

    def cancelled(self) -> bool:
        ev = getattr(self.io, "cancelled", None)
        return bool(ev is not None and ev.is_set())

    # ------------------------------------------------------------------------------------------------

    def run(self) -> int:
        args = list(self.call.args)
        if not args:
            return self.usage()
        verb = args[0].upper()
        rest = args[1:]
        options = [a for a in rest if a.startswith("/")]
        names = [a for a in rest if not a.startswith("/")]
        if verb == "START":
            if not names:
                return self.list_started()
            if len(names) > 1:
                return self.syntax("START")
            return self.start(names[0])
        if verb == "STOP":
            if len(names) != 1:
                return self.syntax("STOP")
            answer = None
            for opt in options:
                low = opt.lower()
                if low in ("/y", "/yes"):
                    answer = True
                elif low in ("/n", "/no"):
                    answer = False
            return self.stop(names[0], answer)
        return self.usage()

    def usage(self) -> int:
        self.err(
            "The syntax of this command is:"
            + CRLF
            + CRLF
            + CRLF
            + "NET [ ACCOUNTS | COMPUTER | CONFIG | CONTINUE | FILE | GROUP | HELP |"
            + CRLF
            + "      HELPMSG | LOCALGROUP | NAME | PAUSE | PRINT | SEND | SESSION |"
            + CRLF
            + "      SHARE | START | STATISTICS | STOP | TIME | USE | USER | VIEW ]"
            + CRLF
            + CRLF
        )
        return 1

    def syntax(self, verb: str) -> int:
        self.err(f"The syntax of this command is:{CRLF}{CRLF}{CRLF}NET {verb}{CRLF}[service]{CRLF}{CRLF}")
        return 1

    def list_started(self) -> int:
        names = sorted(
            # Win32 services only: a driver (HTTP) is not listed (net start enumerates services, not drivers).
            (
                s.display
                for s in self.scm.services()
                if s.state != scm_mod.STOPPED and s.info.type != scm_mod.SERVICE_KERNEL_DRIVER
            ),
            key=str.lower,
        )
        lines = [NET_HEADER_NT4, ""] + [f"   {n}" for n in names] + ["", "The command completed successfully.", ""]
        self.out(CRLF.join(lines) + CRLF)
        return 0

    def lookup(self, name: str) -> Any:
        # KB Q236166: NT 4.0 net takes the key name (case-insensitive), not the display name.
        return self.scm.get(name.strip())

    # ------------------------------------------------------------------------------------------------

    def wait(self, svc: Any, pending: str, give_up: float | None) -> str | None:
        """Print a dot per poll while ``svc`` is in ``pending``; the final state, or None on give-up/cancel."""
        started = time.monotonic()
        while True:
            self.out(".")
            state = self.scm.state(svc.name)
            if state != pending:
                return state
            if give_up is not None and time.monotonic() - started >= give_up:
                return None
            if self.cancelled():
                return None
            time.sleep(self.timing.net_poll)

    def denied(self) -> bool:
        """Review S13: without an elevated token OpenService for start/stop access fails: "System error 5 has
        occurred." / "Access is denied." (the form net prints for a system error; a public German capture has
        "Systemfehler 5 aufgetreten.").  Checked after the name, before the state (a choice)."""
        return not self.machine.config.elevated

    def start(self, name: str) -> int:
        svc = self.lookup(name)
        if svc is None:
            return self.error("The service name is invalid.", 2185)
        if self.denied():
            return self.system_error(5)
        if svc.state == scm_mod.RUNNING:
            return self.error("The requested service has already been started.", 2182)
        if svc.state != scm_mod.STOPPED:
            self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
            return 2
        try:
            self.scm.start(svc.name, getattr(self.io, "cancelled", None))
        except scm_mod.ServiceError as exc:
            if exc.winerror == scm_mod.ERROR_SERVICE_ALREADY_RUNNING:
                return self.error("The requested service has already been started.", 2182)
            return self.system_error(exc.winerror)
        self.out(f"The {svc.display} service is starting")
        state = self.wait(svc, scm_mod.START_PENDING, None)
        self.out(CRLF)
        if state is None:
            return STATUS_CONTROL_C_EXIT
        if state == scm_mod.RUNNING:
            self.out(f"The {svc.display} service was started successfully.{CRLF}{CRLF}")
            return 0
        text = f"The {svc.display} service could not be started.{CRLF}{CRLF}"
        fresh = self.scm.get(svc.name)
        if fresh.win32_exit_code == scm_mod.ERROR_SERVICE_SPECIFIC_ERROR:
            text += f"A service specific error occurred: {fresh.service_exit_code}.{CRLF}{CRLF}"
            text += f"More help is available by typing NET HELPMSG 3547.{CRLF}{CRLF}"
        elif fresh.win32_exit_code:
            code = fresh.win32_exit_code
            text += f"System error {code} has occurred.{CRLF}{CRLF}{system_text(code)}{CRLF}{CRLF}"
        else:
            text += f"The service did not report an error.{CRLF}{CRLF}"
            text += f"More help is available by typing NET HELPMSG 3534.{CRLF}{CRLF}"
        self.err(text)
        return 2

    def stop(self, name: str, answer: bool | None) -> int:
        svc = self.lookup(name)
        if svc is None:
            return self.error("The service name is invalid.", 2185)
        if self.denied():
            return self.system_error(5)
        if svc.state == scm_mod.STOPPED:
            return self.error(f"The {svc.display} service is not started.", 3521)
        if svc.state != scm_mod.RUNNING:
            self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
            return 2
        if not svc.info.stoppable:
            return self.error("The requested pause or stop is not valid for this service.", 2191)
        dependants = self.scm.dependants(svc.name)
        if dependants:
            listing = (
                f"The following services are dependent on the {svc.display} service.{CRLF}"
                f"Stopping the {svc.display} service will also stop these services.{CRLF}{CRLF}"
                + "".join(f"   {d.display}{CRLF}" for d in dependants)
                + CRLF
            )
            self.out(listing)
            if answer is None:
                self.out("Do you want to continue this operation? (Y/N) [N]: ")
                reply = self.io.read_stdin()
                self.out(CRLF)
                if reply == "":
                    # EOF: nobody can answer (a non-interactive session).
                    self.err(f"No valid response was provided.{CRLF}{CRLF}")
                    return 2
                answer = reply.strip().upper() in ("Y", "YES")
            if not answer:
                return 2
            for dep in self.scm.stop_order(dependants):
                if self.scm.state(dep.name) == scm_mod.STOPPED:
                    continue
                rc = self.stop_one(dep)
                if rc:
                    return rc
        return self.stop_one(svc)

    def stop_one(self, svc: Any) -> int:
        try:
            self.scm.stop(svc.name)
        except scm_mod.ServiceError as exc:
            if exc.winerror == scm_mod.ERROR_SERVICE_NOT_ACTIVE:
                return self.error(f"The {svc.display} service is not started.", 3521)
            if exc.winerror == scm_mod.ERROR_SERVICE_CANNOT_ACCEPT_CTRL:
                if self.scm.state(svc.name) == scm_mod.RUNNING:
                    # Running, yet the control is refused (Faults.refuse_stop): NERR 2189, as a 2003 SBS capture of
                    # net stop http /y shows (Microsoft asiatech blog, 2011-04-04; review S8).
                    return self.error("The service could not be controlled in its present state.", 2189)
                self.err(f"The service is starting or stopping.  Please try again later.{CRLF}{CRLF}")
                return 2
            return self.system_error(exc.winerror)
        self.out(f"The {svc.display} service is stopping")
        state = self.wait(svc, scm_mod.STOP_PENDING, self.timing.net_give_up)
        self.out(CRLF)
        if state == scm_mod.STOPPED:
            self.out(f"The {svc.display} service was stopped successfully.{CRLF}{CRLF}")
            return 0
        if self.cancelled():
            return STATUS_CONTROL_C_EXIT
        self.err(f"The {svc.display} service could not be stopped.{CRLF}{CRLF}")
        return 2


def net_program(call: ProgramCall) -> int:
    return _Net(call).run()

"""WS-Management (SOAP 1.2) with the WinRS ``cmd`` shell resource, as a WinRM service answers it.

One :class:`WSManService` per lab host keeps the host's shells and their commands.  It is driven by the
connection layer in :mod:`tests.lab.harness.server` with already authenticated and decrypted envelopes and answers
with an HTTP status and a SOAP envelope.  Supported actions: Create, Command, Send, Receive, Signal, Delete
of ``http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd``.

Behaviour worth knowing:

* Receive waits for output up to the request's ``OperationTimeout`` and then answers the WS-Man
  ``w:TimedOut`` fault (code 2150858793), which pywinrm silently retries.  Output arriving within a short
  window is gathered into one answer, so a short command usually completes in one Receive.  Output that
  could not be delivered (the client went away) is put back for the next Receive.
* A command runs on to completion when its client disconnects (no Delete: the client vanished).  Deleting
  its shell terminates it at once (MS-WSMV 3.1.4.4.1: a Delete may forcibly close a shell, commands in
  progress are terminated), and so does the idle timeout, which deletes a shell ``shell_idle_timeout``
  seconds after the client's last message for it (MS-WSMV 2.2.4.42, ``IdleTimeout``).  With
  ``HostConfig.terminate_on_delete`` False commands outlive their shell (the lab's old behaviour).
  Events: ``shell`` ``deleted`` / ``expired`` with the running command lines, then ``command_terminated``
  per command.
* Faults carry the codes and texts of a real WinRM service: unknown shell (``w:InvalidSelectors``,
  2150858843), shell quota (``w:QuotaLimit``, 2150859173), unknown action / resource.
"""

from __future__ import annotations

import asyncio
import base64
import time
import traceback
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ..machine.config import HostConfig
from ..machine.events import EventLog
from .wsman_protocol import (  # noqa: F401 - re-exported for tests
    ACTIONS,
    ADDRESSING_FAULT_ACTION,
    ANONYMOUS,
    CMD_RESOURCE,
    COALESCE_SECONDS,
    ENVELOPE_OVERHEAD,
    ERROR_WSMAN_INVALID_ACTIONURI,
    ERROR_WSMAN_INVALID_SOAP_BODY,
    ERROR_WSMAN_INVALID_XML,
    ERROR_WSMAN_OPERATION_TIMEDOUT,
    ERROR_WSMAN_PROVIDER_FAILURE,
    ERROR_WSMAN_QUOTA_MAX_OPERATIONS,
    ERROR_WSMAN_QUOTA_MAX_SHELLS,
    ERROR_WSMAN_RESOURCE_NOT_FOUND,
    ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE,
    ERROR_WSMAN_UNEXPECTED_SELECTORS,
    FAULT_ACTION,
    NS,
    READ_SLICE,
    RESPONSE_ACTIONS,
    SHELL,
    SIGNALS,
    STATE_DONE,
    STATE_RUNNING,
    parse_duration,
)


class WSManFault(Exception):
    """A fault to send back.  ``subcode`` is the WS-Man subcode (``w:...``), ``code`` the WinRM error code."""

    def __init__(
        self,
        subcode: str,
        reason: str,
        code: int,
        *,
        value: str = "s:Receiver",
        action: str = FAULT_ACTION,
        detail: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.subcode = subcode
        self.reason = reason
        self.code = code
        self.value = value
        self.action = action
        self.detail = detail


@dataclass
class Reply:
    """The answer to one WS-Man request."""

    status: int
    body: bytes
    action: str  # Create, Command, ... (for the event log)
    drop: bool = False  # close the connection instead of answering (fault injection)
    shell_id: str | None = None
    command_id: str | None = None
    fault_code: int | None = None
    undelivered: Callable[[], None] | None = None  # call when the answer could not be written


@dataclass
class CommandState:
    id: str
    cmdline: str
    proc: Any  # the machine's Command
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    done: bool = False  # the process finished (all output is in the buffers or delivered)
    exit_code: int | None = None
    done_reported: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class Shell:
    id: str
    owner: str
    created: float
    last_activity: float
    idle_timeout: float
    working_directory: str | None = None
    environment: dict[str, str] = field(default_factory=dict)
    commands: dict[str, CommandState] = field(default_factory=dict)
    busy: int = 0  # requests in progress
    operations: int = 0  # Commands this shell has accepted: a Signal terminate does not lower it (MS-WSMV <118>)


def _text(el: ET.Element | None) -> str | None:
    return el.text if el is not None else None


class WSManService:
    """The WinRS cmd shells of one host."""

    def __init__(
        self,
        cfg: HostConfig,
        machine: Any,
        log: EventLog,
        executor: Executor,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.cfg = cfg
        self.machine = machine
        self.log = log
        self.executor = executor
        self.clock = clock
        self.shells: dict[str, Shell] = {}
        self.unsignalled_peak: dict[str, int] = {}  # shell id -> most un-signalled commands it held (issue 21)
        self.unsignalled_left = 0  # un-signalled commands in shells deleted or expired (issue 21)

    # ------------------------------------------------------------------------------------------ entry

    async def handle(self, envelope: bytes, user: str, *, endpoint: str) -> Reply:
        """Process one SOAP envelope from ``user``."""
        message_id = None
        action_name = "Unknown"
        try:
            try:
                root = ET.fromstring(envelope)  # noqa: S314 - envelopes from lab clients only
            except ET.ParseError as exc:
                raise WSManFault(
                    "w:SchemaValidationError",
                    "The WS-Management service cannot process the request because the XML is invalid.",
                    ERROR_WSMAN_INVALID_XML,
                    value="s:Sender",
                ) from exc
            header = root.find("s:Header", NS)
            body = root.find("s:Body", NS)
            if header is None or body is None:
                raise WSManFault(
                    "w:SchemaValidationError",
                    "The SOAP XML in the message does not match the corresponding XML schema definition.",
                    ERROR_WSMAN_INVALID_XML,
                    value="s:Sender",
                )
            message_id = _text(header.find("a:MessageID", NS))
            action = (_text(header.find("a:Action", NS)) or "").strip()
            action_name = ACTIONS.get(action, "Unknown")
            if action_name == "Unknown":
                raise WSManFault(
                    "a:ActionNotSupported",
                    "The WS-Management service cannot process the request "
                    "because the WS-Addressing Action URI in the request is not compatible with the "
                    "resource.",
                    ERROR_WSMAN_INVALID_ACTIONURI,
                    value="s:Sender",
                    action=ADDRESSING_FAULT_ACTION,
                )
            resource = (_text(header.find("w:ResourceURI", NS)) or "").strip()
            if resource.lower() != CMD_RESOURCE:
                raise WSManFault(
                    "w:DestinationUnreachable",
                    "The WS-Management service cannot process the request "
                    "because the resource URI is not supported by this lab host.",
                    ERROR_WSMAN_RESOURCE_NOT_FOUND,
                    value="s:Sender",
                )
            op_timeout = parse_duration(_text(header.find("w:OperationTimeout", NS)), 60.0)
            max_env = int(parse_duration(_text(header.find("w:MaxEnvelopeSize", NS)), self.cfg.max_envelope_size))
            shell_id = None
            for sel in header.findall("w:SelectorSet/w:Selector", NS):
                if (sel.get("Name") or "").lower() == "shellid":
                    shell_id = (sel.text or "").strip()
            handler = getattr(self, "_do_" + action_name.lower())
            return await handler(
                header=header,
                body=body,
                user=user,
                shell_id=shell_id,
                message_id=message_id,
                op_timeout=op_timeout,
                max_env=max_env,
                endpoint=endpoint,
            )
        except WSManFault as fault:
            return Reply(500, self._fault_xml(fault, message_id), action_name, fault_code=fault.code)
        except Exception as exc:  # a bug in the lab must show up at the client, not hang it
            self.log.add(self.cfg.name, "error", action=action_name, error=repr(exc), trace=traceback.format_exc())
            reason = f"lab: internal error while handling {action_name}: {exc!r}"
            fault = WSManFault("w:InternalError", reason, ERROR_WSMAN_PROVIDER_FAILURE)
            return Reply(500, self._fault_xml(fault, message_id), action_name, fault_code=fault.code)

    # ------------------------------------------------------------------------------------------ helpers

    def _envelope(self, action: str, relates_to: str | None, body: str, extra_header: str = "") -> bytes:
        relates = f"<a:RelatesTo>{escape(relates_to)}</a:RelatesTo>" if relates_to else ""
        return (
            '<s:Envelope xml:lang="en-US" '
            f'xmlns:s="{NS["s"]}" xmlns:a="{NS["a"]}" xmlns:x="{NS["x"]}" xmlns:w="{NS["w"]}" '
            f'xmlns:rsp="{NS["rsp"]}" xmlns:p="{NS["p"]}">'
            "<s:Header>"
            f"<a:Action>{action}</a:Action>"
            f"<a:MessageID>uuid:{str(uuid.uuid4()).upper()}</a:MessageID>"
            f"<a:To>{ANONYMOUS}</a:To>"
            f"{relates}{extra_header}"
            "</s:Header>"
            f"<s:Body>{body}</s:Body>"
            "</s:Envelope>"
        ).encode()

    def _fault_xml(self, fault: WSManFault, relates_to: str | None) -> bytes:
        detail = fault.detail or ""
        body = (
            "<s:Fault>"
            f"<s:Code><s:Value>{fault.value}</s:Value><s:Subcode><s:Value>{fault.subcode}</s:Value></s:Subcode>"
            "</s:Code>"
            f'<s:Reason><s:Text xml:lang="en-US">{escape(fault.reason)}</s:Text></s:Reason>'
            "<s:Detail>"
            f'{detail}<f:WSManFault xmlns:f="{NS["f"]}" Code="{fault.code}" Machine={quoteattr(self.cfg.name)}>'
            f"<f:Message>{escape(fault.reason)}</f:Message></f:WSManFault>"
            "</s:Detail>"
            "</s:Fault>"
        )
        return self._envelope(fault.action, relates_to, body)

    def _shell(self, shell_id: str | None, user: str) -> Shell:
        shell = self.shells.get((shell_id or "").upper())
        if shell is None or shell.owner.upper() != user.upper():
            raise WSManFault(
                "w:InvalidSelectors",
                f"The request for the Windows Remote Shell with ShellId {shell_id} failed because the shell was not "
                "found on the server. Possible causes are: the specified ShellId is incorrect or the shell no longer "
                "exists on the server. Provide the correct ShellId or create a new shell and retry the operation.",
                ERROR_WSMAN_UNEXPECTED_SELECTORS,
                value="s:Sender",
            )
        return shell

    def _command(self, shell: Shell, command_id: str | None) -> CommandState:
        state = shell.commands.get((command_id or "").upper())
        if state is None:
            raise WSManFault(
                "w:InvalidParameter",
                f"The WinRS client cannot process the request because the CommandId {command_id} is not valid for "
                f"the shell {shell.id}.",
                ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE,
                value="s:Sender",
            )
        return state

    async def _blocking(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    def touch(self, shell: Shell) -> None:
        shell.last_activity = self.clock()

    # ------------------------------------------------------------------------------------------ actions

    async def _do_create(
        self, *, header: ET.Element, body: ET.Element, user: str, message_id: str | None, endpoint: str, **_: Any
    ) -> Reply:
        owned = sum(1 for s in self.shells.values() if s.owner.upper() == user.upper())
        if owned >= self.cfg.max_shells_per_user:
            raise WSManFault(
                "w:QuotaLimit",
                "The WS-Management service cannot process the request. This user is allowed a maximum number of "
                f"{self.cfg.max_shells_per_user} concurrent shells, which has been exceeded. Close existing shells "
                "or raise the quota for this user.",
                ERROR_WSMAN_QUOTA_MAX_SHELLS,
            )
        shell_el = body.find("rsp:Shell", NS)
        wd = env = None
        idle = self.cfg.shell_idle_timeout
        if shell_el is not None:
            wd = _text(shell_el.find("rsp:WorkingDirectory", NS))
            env = {v.get("Name", ""): v.text or "" for v in shell_el.findall("rsp:Environment/rsp:Variable", NS)}
            requested = parse_duration(_text(shell_el.find("rsp:IdleTimeOut", NS)), idle)
            if requested > 0:
                idle = min(idle, requested)
        now = self.clock()
        shell_id = str(uuid.uuid4()).upper()
        shell = Shell(shell_id, user, now, now, idle, wd, env or {})
        self.shells[shell_id] = shell
        body_xml = (
            "<x:ResourceCreated>"
            f"<a:Address>{escape(endpoint)}</a:Address>"
            "<a:ReferenceParameters>"
            f"<w:ResourceURI>{CMD_RESOURCE}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet>'
            "</a:ReferenceParameters>"
            "</x:ResourceCreated>"
            f'<rsp:Shell xmlns:rsp="{SHELL}">'
            f"<rsp:ShellId>{shell_id}</rsp:ShellId>"
            f"<rsp:ResourceUri>{CMD_RESOURCE}</rsp:ResourceUri>"
            f"<rsp:Owner>{escape(user)}</rsp:Owner>"
            "<rsp:ClientIP>127.0.0.1</rsp:ClientIP>"
            f"<rsp:IdleTimeOut>PT{idle:.3f}S</rsp:IdleTimeOut>"
            "<rsp:InputStreams>stdin</rsp:InputStreams>"
            "<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            "</rsp:Shell>"
        )
        return Reply(200, self._envelope(RESPONSE_ACTIONS["Create"], message_id, body_xml), "Create", shell_id=shell_id)

    async def _do_delete(self, *, user: str, shell_id: str | None, message_id: str | None, **_: Any) -> Reply:
        shell = self._shell(shell_id, user)
        self._discard(shell, "deleted")
        return Reply(200, self._envelope(RESPONSE_ACTIONS["Delete"], message_id, ""), "Delete", shell_id=shell.id)

    def _discard(self, shell: Shell, event: str | None = None, **detail: Any) -> None:
        """Forget ``shell``.  ``event`` ("deleted", "expired") is logged with the commands still running, which
        are terminated when ``terminate_on_delete`` (their cmd.exe and children end at once); without an event
        (the lab shutting down) or without the switch they are left to finish, unread."""
        self.shells.pop(shell.id, None)
        running = [c for c in shell.commands.values() if not getattr(c.proc, "done", c.done)]
        left = len(self.unsignalled(shell))
        if event is not None:
            self.unsignalled_left += left
            detail = {**detail, "unsignalled": left}
        shell.commands.clear()
        if event is None:
            return
        terminate = bool(running) and self.cfg.terminate_on_delete
        self.log.add(
            self.cfg.name, "shell", event=event, shell_id=shell.id, running=[c.cmdline for c in running],
            terminated=terminate, **detail,
        )  # fmt: skip
        for state in running if terminate else ():
            state.proc.signal("terminate")
            self.log.add(
                self.cfg.name, "shell", event="command_terminated", shell_id=shell.id, command_id=state.id,
                line=state.cmdline, reason=event,
            )  # fmt: skip

    async def _do_command(
        self, *, body: ET.Element, user: str, shell_id: str | None, message_id: str | None, **_: Any
    ) -> Reply:
        shell = self._shell(shell_id, user)
        shell.busy += 1
        try:
            line_el = body.find("rsp:CommandLine", NS)
            if line_el is None:
                raise WSManFault(
                    "w:SchemaValidationError",
                    "The SOAP XML in the message does not match the corresponding XML schema definition.",
                    ERROR_WSMAN_INVALID_SOAP_BODY,
                    value="s:Sender",
                )
            self._check_operations(shell)
            parts = [(_text(line_el.find("rsp:Command", NS)) or "").strip()]
            parts += [a.text or "" for a in line_el.findall("rsp:Arguments", NS)]
            cmdline = " ".join(p for p in parts if p != "")
            proc = await self._blocking(self._start, shell, cmdline)
            command_id = str(uuid.uuid4()).upper()
            shell.commands[command_id] = CommandState(command_id, cmdline, proc)
            shell.operations += 1
            body_xml = f"<rsp:CommandResponse><rsp:CommandId>{command_id}</rsp:CommandId></rsp:CommandResponse>"
            reply = Reply(
                200,
                self._envelope(RESPONSE_ACTIONS["Command"], message_id, body_xml),
                "Command",
                shell_id=shell.id,
                command_id=command_id,
            )
            needle = self.cfg.faults.drop_on_command
            if needle and needle.lower() in cmdline.lower():
                self.cfg.faults.drop_on_command = None  # one-shot
                self.log.add(self.cfg.name, "fault", fault="drop_on_command", text=needle, command_id=command_id)
                reply.drop = True
            return reply
        finally:
            shell.busy -= 1
            self.touch(shell)

    # --- un-signalled commands (issue 21) ---------------------------------------------------------------
    # MS-WSMV 3.1.4.14: once a command's streams have all been received, the client MUST send a Signal
    # (terminate) for it; until then the command stays an open operation of the shell.  The lab counts those per
    # shell (``unsignalled``), keeps the highest count each shell reached and the number left when a shell was
    # deleted or expired (``summary()``, the "shell" events), and with ``HostConfig.max_unsignalled_per_shell``
    # refuses a new Command past the limit the way WinRM refuses an operation past its per-user operation quota
    # (winrm/config/Service MaxConcurrentOperationsPerUser; fault w:QuotaLimit, ERROR_WSMAN_QUOTA_MAX_OPERATIONS).
    # Windows does not lower that count on a Signal terminate to a text-based command shell (MS-WSMV, Appendix
    # B, product behavior note <118>; pypsrp issue 148 meets it on 2012 R2): only deleting the shell frees them,
    # so the limit counts every Command the shell accepted.  Counting per shell rather than per user, and the
    # limit itself, are choices (docs/dev/lab-machine.md).

    @staticmethod
    def unsignalled(shell: Shell) -> list[CommandState]:
        """Commands of ``shell`` whose streams were all received but that were never signalled."""
        return [c for c in shell.commands.values() if c.done_reported]

    def _note_unsignalled(self, shell: Shell) -> None:
        count = len(self.unsignalled(shell))
        if count > self.unsignalled_peak.get(shell.id, 0):
            self.unsignalled_peak[shell.id] = count

    def _check_operations(self, shell: Shell) -> None:
        limit = getattr(self.cfg, "max_unsignalled_per_shell", None)
        if limit is None:
            return
        if shell.operations >= limit:
            self.log.add(self.cfg.name, "shell", event="operation_quota", shell_id=shell.id,
                         open=shell.operations, unsignalled=len(self.unsignalled(shell)))  # fmt: skip
            raise WSManFault(
                "w:QuotaLimit",
                "The WS-Management service cannot process the request. This user is allowed a maximum number of "
                f"{limit} concurrent operations, which has been exceeded. Close existing operations for this user, "
                "or raise the quota for this user.",
                ERROR_WSMAN_QUOTA_MAX_OPERATIONS,
            )

    def _start(self, shell: Shell, cmdline: str) -> Any:
        kwargs: dict[str, Any] = {}
        params = getattr(self, "_start_params", None)
        if params is None:
            import inspect

            try:
                params = set(inspect.signature(self.machine.start_command).parameters)
            except (TypeError, ValueError):
                params = set()
            self._start_params = params
        if shell.working_directory and "cwd" in params:
            kwargs["cwd"] = shell.working_directory
        if shell.environment and "env" in params:
            kwargs["env"] = dict(shell.environment)
        return self.machine.start_command(cmdline, **kwargs)

    async def _do_send(
        self, *, body: ET.Element, user: str, shell_id: str | None, message_id: str | None, **_: Any
    ) -> Reply:
        shell = self._shell(shell_id, user)
        shell.busy += 1
        try:
            command_id = None
            for stream in body.findall("rsp:Send/rsp:Stream", NS):
                command_id = stream.get("CommandId")
                state = self._command(shell, command_id)
                data = base64.b64decode(stream.text or "")
                eof = (stream.get("End") or "").lower() == "true"
                await self._blocking(state.proc.write_stdin, data, eof)
            return Reply(
                200,
                self._envelope(RESPONSE_ACTIONS["Send"], message_id, "<rsp:SendResponse/>"),
                "Send",
                shell_id=shell.id,
                command_id=command_id,
            )
        finally:
            shell.busy -= 1
            self.touch(shell)

    async def _do_signal(
        self, *, body: ET.Element, user: str, shell_id: str | None, message_id: str | None, **_: Any
    ) -> Reply:
        shell = self._shell(shell_id, user)
        shell.busy += 1
        try:
            sig = body.find("rsp:Signal", NS)
            if sig is None:
                raise WSManFault(
                    "w:SchemaValidationError",
                    "The SOAP XML in the message does not match the corresponding XML schema definition.",
                    ERROR_WSMAN_INVALID_SOAP_BODY,
                    value="s:Sender",
                )
            command_id = sig.get("CommandId")
            state = self._command(shell, command_id)
            code = (_text(sig.find("rsp:Code", NS)) or "").strip()
            kind = SIGNALS.get(code)
            if kind is None:
                raise WSManFault(
                    "w:InvalidParameter",
                    f"The signal code {code} is not supported.",
                    ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE,
                    value="s:Sender",
                )
            if not state.done:
                await self._blocking(state.proc.signal, kind)
            if kind == "terminate":
                shell.commands.pop(state.id, None)
            return Reply(
                200,
                self._envelope(RESPONSE_ACTIONS["Signal"], message_id, "<rsp:SignalResponse/>"),
                "Signal",
                shell_id=shell.id,
                command_id=state.id,
            )
        finally:
            shell.busy -= 1
            self.touch(shell)

    async def _do_receive(
        self,
        *,
        body: ET.Element,
        user: str,
        shell_id: str | None,
        message_id: str | None,
        op_timeout: float,
        max_env: int,
        **_: Any,
    ) -> Reply:
        shell = self._shell(shell_id, user)
        shell.busy += 1
        try:
            desired = body.find("rsp:Receive/rsp:DesiredStream", NS)
            command_id = desired.get("CommandId") if desired is not None else None
            state = self._command(shell, command_id)
            budget = max(1024, (min(max_env, self.cfg.max_envelope_size) - ENVELOPE_OVERHEAD) * 3 // 4)
            async with state.lock:
                await self._collect(state, op_timeout, budget)
                out = bytes(state.stdout[:budget])
                err = bytes(state.stderr[: max(0, budget - len(out))])
                del state.stdout[: len(out)]
                del state.stderr[: len(err)]
                drained = not state.stdout and not state.stderr
                finished = state.done and drained
                if not out and not err and not finished:
                    raise WSManFault(
                        "w:TimedOut",
                        "The WS-Management service cannot complete the operation within the time specified in "
                        "OperationTimeout.",
                        ERROR_WSMAN_OPERATION_TIMEDOUT,
                    )
                if finished:
                    state.done_reported = True
                    self._note_unsignalled(shell)
            parts = []
            cid = state.id
            if out:
                parts.append(
                    f'<rsp:Stream Name="stdout" CommandId="{cid}">{base64.b64encode(out).decode()}</rsp:Stream>'
                )
            if err:
                parts.append(
                    f'<rsp:Stream Name="stderr" CommandId="{cid}">{base64.b64encode(err).decode()}</rsp:Stream>'
                )
            if finished:
                parts.append(f'<rsp:Stream Name="stdout" CommandId="{cid}" End="true"></rsp:Stream>')
                parts.append(f'<rsp:Stream Name="stderr" CommandId="{cid}" End="true"></rsp:Stream>')
                parts.append(
                    f'<rsp:CommandState CommandId="{cid}" State="{STATE_DONE}">'
                    f"<rsp:ExitCode>{state.exit_code if state.exit_code is not None else 0}</rsp:ExitCode>"
                    "</rsp:CommandState>"
                )
            else:
                parts.append(f'<rsp:CommandState CommandId="{cid}" State="{STATE_RUNNING}"/>')
            body_xml = "<rsp:ReceiveResponse>" + "".join(parts) + "</rsp:ReceiveResponse>"

            def undelivered() -> None:
                state.stdout[:0] = out
                state.stderr[:0] = err
                state.done_reported = False

            return Reply(
                200,
                self._envelope(RESPONSE_ACTIONS["Receive"], message_id, body_xml),
                "Receive",
                shell_id=shell.id,
                command_id=cid,
                undelivered=undelivered,
            )
        finally:
            shell.busy -= 1
            self.touch(shell)

    async def _collect(self, state: CommandState, op_timeout: float, budget: int) -> None:
        """Read the process's output into the command's buffers until there is something to answer."""
        if state.stdout or state.stderr:
            # Left over from an earlier Receive: answer at once (with anything else already there).
            if not state.done:
                await self._read_once(state, 0)
            return
        if state.done:
            return
        deadline = self.clock() + max(0.0, op_timeout)
        first_output: float | None = None
        while not state.done:
            now = self.clock()
            limit = deadline if first_output is None else min(deadline, first_output + COALESCE_SECONDS)
            remaining = limit - now
            if remaining <= 0:
                break
            got = await self._read_once(state, min(remaining, READ_SLICE))
            if got and first_output is None:
                first_output = self.clock()
            if len(state.stdout) + len(state.stderr) >= budget:
                break

    async def _read_once(self, state: CommandState, timeout: float) -> bool:
        out, err, done, rc = await self._blocking(state.proc.read, timeout)
        if out:
            state.stdout += out
        if err:
            state.stderr += err
        if done:
            state.done = True
            state.exit_code = rc
        return bool(out or err)

    # ------------------------------------------------------------------------------------------ housekeeping

    def expire(self) -> list[str]:
        """Delete shells idle for longer than their idle timeout; return their ids."""
        now = self.clock()
        gone = []
        for shell in list(self.shells.values()):
            if shell.busy == 0 and now - shell.last_activity > shell.idle_timeout:
                self._discard(shell, "expired", idle=round(now - shell.last_activity, 3))
                gone.append(shell.id)
        return gone

    def close_all(self) -> None:
        for shell in list(self.shells.values()):
            self._discard(shell)

    def summary(self) -> dict[str, Any]:
        return {
            "shells": [
                {
                    "id": s.id,
                    "owner": s.owner,
                    "idle_seconds": round(self.clock() - s.last_activity, 3),
                    "unsignalled": len(self.unsignalled(s)),
                    "commands": [
                        {"id": c.id, "cmdline": c.cmdline, "done": c.done, "exit_code": c.exit_code}
                        for c in s.commands.values()
                    ],
                }
                for s in self.shells.values()
            ],
            # issue 21: the most un-signalled commands any shell held at once, and how many were left un-signalled
            # in shells that were deleted or expired
            "unsignalled_peak": max(self.unsignalled_peak.values(), default=0),
            "unsignalled_left": self.unsignalled_left,
        }

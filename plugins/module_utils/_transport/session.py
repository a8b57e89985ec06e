# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sending steps to the host: retry, reconnect, the batch-file fallback.

:class:`Session` wraps the WinRM runner (one WinRS cmd shell) for one run:

* :meth:`Session.run` sends a step that is safe to repeat, packed into as few lines as fit; a dropped
  connection is retried once on a new shell.
* :meth:`Session.run_sequence` sends an outage sequence as ONE line (or a batch file).  A sequence is never
  sent twice blindly: after a dropped connection a new shell reads the state record, where the sequence
  appends ``started=<phase>`` first and ``finished=<phase>`` last, and waits while it runs, reads back the
  host once it has ended, or sends it again only when the host never got it.

Every line sent is recorded in ``steps`` (the result's timeline).
"""

from __future__ import annotations

import re
import time
from typing import Any

from .._cmd.cmdline import quote_arg
from .._cmd.paths import StateRecord
from .._cmd.script import batch_call, batch_writes, fits_one_line, one_line, packed_lines
from ..errors import HostError, StepFailed
from .report import Report
from .winrm_runner import CommandResult

RETRYABLE = ("unreachable", "transport", "wsman", "unexpected")
RETRY_PAUSE = 0.5
LOST_AFTER = 3.0  # seconds without "started=<phase>" in the state record before a sequence counts as lost


def step_entry(res: CommandResult) -> dict[str, Any]:
    return {"step": res.step, "command": res.command, "rc": res.rc, "seconds": res.seconds, "complete": res.complete}


def merge_results(results: list[CommandResult]) -> CommandResult:
    """The results of a step sent as several lines, as one (the last line's exit code and completeness)."""
    merged = results[0]
    for extra in results[1:]:
        merged.stdout += extra.stdout
        merged.stderr += extra.stderr
        merged.chunks.extend(extra.chunks)
        merged.rc = extra.rc
        merged.complete = extra.complete
        merged.error = extra.error
    return merged


def what_it_runs(line: str, limit: int = 200) -> str:
    """The programs a command line runs, for the -v progress lines: ``net stop, move, net start``
    (markers, exit code checks and ``cd`` left out)."""
    names: list[str] = []
    for part in re.split(r"\s*(?<![<>])&&?\s*|\s*\|\|\s*", line):
        words = part.strip().strip("()").split()
        if not words:
            continue
        prog = words[0].strip('"').lower().rsplit("\\", 1)[-1].removesuffix(".exe")
        if prog in ("echo", "cd", "if", "set", "rem", "exit", "type") or not re.fullmatch(r"[a-z][a-z0-9_-]+", prog):
            continue  # markers, exit code checks, and the text of a script the line writes
        verb = prog in ("net", "sc", "cscript", "appcmd") and len(words) > 1
        name = f"{prog} {words[1].strip(chr(34)).lower()}" if verb else prog
        if prog in ("net", "sc") and len(words) > 2 and not words[2].startswith(("/", "2>", ">")):
            name += f" {words[2].strip(chr(34))}"  # the service it starts or stops
        if name not in names:
            names.append(name)
    text = ", ".join(names) or "checks"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Session:
    def __init__(self, runner: Any, report: Report, *, limit: int, timeout: int, folder: str) -> None:
        self.runner = runner
        self.report = report
        self.limit = limit
        self.timeout = timeout
        self.folder = folder  # dest's folder: relative names in steps run there

    @property
    def wait(self) -> float:
        """How long one line may run: three service timeouts and some."""
        return float(self.timeout) * 3 + 30

    def _pause_and_reset(self) -> None:
        self.runner.reset()
        time.sleep(RETRY_PAUSE)

    def _send(self, step: str, line: str, retry: bool, timeout: float | None = None) -> CommandResult:
        """One command line.  ``retry``: the line is safe to run twice, so a dropped connection is retried once.
        ``timeout``: how long to wait for it (default :attr:`wait`)."""
        wait = self.wait if timeout is None else timeout
        self.report.progress(f"{step}: {what_it_runs(line)} (waiting up to {wait:.0f}s)")
        try:
            res = self.runner.run(step, line, timeout=wait)
        except HostError as exc:
            if not retry or exc.kind not in RETRYABLE:
                raise
            self._pause_and_reset()
            return self.runner.run(step + "(retry)", line, timeout=wait)
        if not res.complete and retry:
            self.report.steps.append(step_entry(res))
            self._pause_and_reset()
            res = self.runner.run(step + "(retry)", line, timeout=wait)
        return res

    def run(
        self,
        step: str,
        parts: list[str],
        *,
        one_line_only: bool = False,
        retry: bool = True,
        here: bool = False,
        timeout: float | None = None,
    ) -> CommandResult:
        """Run ``parts`` joined with ``&``; packed into several lines when too long (unless ``one_line_only``).

        ``here``: every line first changes to dest's folder (``cd /d``), for parts built with relative names.
        """
        folder = self.folder if here else None
        lines = [one_line(parts, folder)] if one_line_only else packed_lines(parts, self.limit, folder)
        results = []
        for i, line in enumerate(lines):
            res = self._send(step if len(lines) == 1 else f"{step}[{i + 1}]", line, retry, timeout)
            self.report.steps.append(step_entry(res))
            self.report.progress(f"{res.step}: done in {res.seconds:.1f}s")
            results.append(res)
            if not res.complete:
                break
        return merge_results(results)

    # -- sequences ------------------------------------------------------------------------------------

    def run_sequence(self, step: str, parts: list[str], phase: str, record: str, readback: list[str]) -> CommandResult:
        """Send one sequence whose first part appends ``started=<phase>`` to the state record ``record``.

        After a dropped connection, ``readback`` (parts with relative names) is what to read from the host
        once the sequence has ended, since its own output was lost.
        """
        try:
            res = self._send_sequence(step, parts)
        except HostError as exc:
            if exc.kind not in RETRYABLE:
                raise
            broken = CommandResult(step, "", "", "", None, time.monotonic(), 0.0, complete=False, error=str(exc))
            return self._reconnect_and_wait(broken, step, parts, phase, record, readback)
        if not res.complete and res.error is None:
            # The wait ran out with the connection up: the host has the sequence and still runs it.  Waiting as
            # long again would show nothing new (the record says started=<phase> until it ends): fail now, keep
            # the record, and let the rerun wait for the sequence and recover.
            raise self._unfinished(None)
        if not res.complete:
            res = self._reconnect_and_wait(res, step, parts, phase, record, readback)
        return res

    def _send_sequence(self, step: str, parts: list[str]) -> CommandResult:
        if fits_one_line(parts, self.limit, self.folder):
            return self.run(step, parts, one_line_only=True, retry=False, here=True)
        return self._run_batch(step, parts)

    def _run_batch(self, step: str, parts: list[str]) -> CommandResult:
        """Write the sequence to a batch file beside dest (a few lines per round trip), then run it once.

        The writes append, so a write whose answer was lost is not simply repeated: the file is written
        again from its first line.
        """
        batch = self.report.paths.relative().batch
        writes = batch_writes(parts, batch)
        for attempt in (1, 2):
            try:
                res = self.run(f"{step}_write", writes, here=True, retry=False)
            except HostError as exc:
                if attempt == 2 or exc.kind not in RETRYABLE:
                    raise
                self._pause_and_reset()
                continue
            if res.complete:
                break
            if attempt == 2:
                raise StepFailed("apply", f"could not write the batch file {self.report.paths.batch}: {res.error}")
            self._pause_and_reset()
        return self.run(step, batch_call(batch), one_line_only=True, retry=False, here=True)

    def read_record(self, step: str, record: str, *, fresh_shell: bool = False) -> CommandResult:
        """Type the state record, or print ``##gone`` when there is none.  ``fresh_shell``: straight through the
        runner (no retry, no timeline entry), for polling after a dropped connection."""
        rec = quote_arg(record)
        line = f"(if exist {rec} (type {rec}) else (echo ##gone))"
        if fresh_shell:
            return self.runner.run(step, line, timeout=30)
        return self.run(step, [line])

    def _reconnect_and_wait(
        self, broken: CommandResult, step: str, parts: list[str], phase: str, record: str, readback: list[str]
    ) -> CommandResult:
        """The connection dropped while a sequence was sent or ran: the host finishes it on its own.

        Reconnect with a new shell and look at the state record: ``finished=<phase>`` (or no record at all)
        means the sequence has ended, ``started=<phase>`` alone that it is still running, and neither, once a
        few seconds have passed, that the host never received it: then it is sent again.  When it has
        ended, read back what the host looks like now, since the sequence's own output was lost.
        """
        deadline = time.monotonic() + self.wait
        self.report.progress(
            f"{step}: the connection dropped; waiting up to {self.wait:.0f}s for the host to finish the sequence"
        )
        lost_since = time.monotonic()
        last_error = broken.error
        resent = False
        while time.monotonic() < deadline:
            time.sleep(RETRY_PAUSE)
            try:
                self.runner.reset()
                probe = self.read_record("reconnect", record, fresh_shell=True)
            except HostError as exc:
                last_error = str(exc)
                continue
            if not probe.complete:
                continue
            # The probe has ended: delete its shell, or polling for a long sequence would use up the host's
            # shells per user (30 by default).
            self.runner.close()
            found = StateRecord.parse(probe.output)
            lines = {line.strip() for line in probe.output.splitlines()}
            if "##gone" in probe.output or f"finished={phase}" in lines and found and found.get("finished") == phase:
                back = self.run("readback", readback, here=True)
                back.error = (
                    f"the connection dropped during the sequence ({last_error}); the host finished it on its own "
                    "and this result was read back from the host afterwards"
                )
                back.chunks = broken.chunks
                self.report.result["connection_dropped"] = True
                return back
            if f"started={phase}" in lines:
                continue  # still running on the host
            if not resent and time.monotonic() - lost_since > LOST_AFTER:
                # The host never got the sequence: send it again (it has not run, so this is safe).
                resent = True
                self.report.warn(
                    f"the {step} command line was lost on its way to the host ({last_error}); it was sent again"
                )
                try:
                    res = self._send_sequence(f"{step}(resent)", parts)
                except HostError as exc:
                    last_error = str(exc)
                    continue
                if res.complete:
                    return res
                last_error = res.error
        raise self._unfinished(last_error)

    def _unfinished(self, last_error: str | None) -> StepFailed:
        """The failure of a sequence the host had not finished when the wait ended (``last_error``: why the
        connection was lost, None when it stayed up)."""
        lost = (
            f"connection lost during the sequence and the host did not report completion in time: {last_error}"
            if last_error
            else f"the sequence did not finish within {self.wait:.0f}s (the connection stayed up: the host still "
            "runs it, a program it started has not returned)"
        )
        return StepFailed(
            "apply",
            f"{lost}. "
            "The sequence may still be running on the host, so dest holds the old DLL or the new DLL depending on "
            "how far it got; the state record beside dest is kept, and a rerun of the task waits for the sequence "
            "and puts dest and the services back in order",
        )

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every release strategy is, and the values it is handed.

A strategy is how the process that has the DLL loaded lets go of it (KB Q315663).  It owns its whole release,
in one file: what the outage costs (:meth:`Strategy.blast_radius`), the ONE sequence the host runs
(:meth:`Strategy.sequence`: release, swap, bring the process back, verify, tidy), and how to read what that
sequence printed and what to do next (:meth:`Strategy.release`, which sends it through the run, and
:meth:`Strategy.conclude`, which reads one output).  ``_release.choose`` picks the strategy from the facts.

The sequence appends ``started=<phase>`` to the state record first and ``finished=<phase>`` last, so a run
that loses its connection can tell whether the host got it, still runs it, or has finished it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .._cmd.cmdline import CMD_LINE_LIMIT_NT4, marker
from .._cmd.swap import Swap
from .._host.metabase import Application, Metabase
from .._host.parsers.sequence import SequenceOutput

if TYPE_CHECKING:  # pragma: no cover - the run imports the strategies' neighbours only for typing
    from .run import ReleaseRun


@dataclass(frozen=True)
class Release:
    """What a strategy needs to write its sequence."""

    swap: Swap  # relative paths: the sequence runs in dest's folder
    stops: tuple[str, ...]
    starts: tuple[str, ...]
    unload_roots: tuple[Application, ...]
    backup: bool
    register: bool
    adsutil_path: str
    limit: int = CMD_LINE_LIMIT_NT4  # the host's command line: a script written in the sequence is cut to fit
    folder: str = ""  # dest's folder, where the sequence runs (what a line costs)
    also: tuple[Swap, ...] = ()  # the other DLLs released in the same outage (each with its marker label)

    @property
    def swaps(self) -> tuple[Swap, ...]:
        """Every DLL this release swaps: ``swap`` first."""
        return (self.swap, *self.also)


@dataclass(frozen=True)
class Scope:
    """What the release touches, as the plan resolved it from the facts and the options."""

    site: int
    applications: tuple[Application, ...]
    metabase: Metabase | None = field(default=None, hash=False)
    stops: tuple[str, ...] = ()  # services that net stop IISADMIN /y takes down
    roots: tuple[Application, ...] = ()  # isolated application roots of the applications
    others: tuple[Application, ...] = ()  # the host's other isolated roots (an unload may widen to them)
    falls_back: bool = False  # unload_fallback: a release that does not free the DLL restarts IIS
    sharing: tuple[dict[str, Any], ...] = ()  # IIS 6+: the applications of the pools
    listed: bool = True  # False: the metabase was not listed (a forced isolation), the applications are as named


class Strategy(Protocol):
    """One way to release the DLL.  ``method`` is the result's word for it, ``phase`` the state record's."""

    method: str
    phase: str
    process: str | None
    stops_services: bool  # its sequence stops IIS services (the state record names them for recovery)

    def blast_radius(self, scope: Scope) -> dict[str, Any]:
        """What stops or restarts, for check mode and the result."""

    def sequence(self, release: Release) -> list[str]:
        """The command parts of the ONE sequence the host runs."""

    def release(self, run: ReleaseRun, step: Any = None, note: str = "") -> None:
        """Send the sequence (``step``, else the plan's ``apply``) and act on what it printed.  Raises
        StepFailed saying what state the host is in."""

    def conclude(self, out: SequenceOutput, run: ReleaseRun, note: str = "") -> None:
        """Read one finished sequence's output into the result; raises StepFailed."""

    def prediction(self, plan: Any, paths: Any, unload_fallback: bool) -> str:
        """Check mode's sentence: what a real run would do."""


def released_then_swapped(r: Release, phase: str, release: list[str]) -> list[str]:
    """The sequence of a release that does not stop IIS: release, swap, probe whether the old image is still
    loaded, verify, and tidy when it is not (the controller waits and retries otherwise)."""
    s = r.swap
    parts = [s.append_record(f"started={phase}"), *release, *s.swap_in("swap")]
    parts += s.register() if r.register else []
    parts += [*s.lock_probe(), *s.verify(), s.append_record(f"finished={phase}")]
    # When dest is the new DLL and the old image is no longer loaded, tidy up in the same line.  A failed
    # redirection fails the command for && (the usual batch idiom for testing a file lock).
    return [*parts, marker("tidy"), s.tidy_when_released(r.backup, r.register), marker("done")]


def unknown_radius(process: str | None, scope: Scope, services: list[str]) -> dict[str, Any]:
    """The blast radius when the metabase was not listed (a forced isolation): the applications as named."""
    return {
        "process": process,
        "applications": [a.as_dict() for a in scope.applications],
        "services": services,
        "note": "the metabase was not listed (forced isolation): other applications sharing the process are not known",
    }

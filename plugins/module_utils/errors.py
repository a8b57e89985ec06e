# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One family of errors for the whole module.

Every failure the module can report is an :class:`IIS4Error` with

* ``kind``: a stable word that says what went wrong (``input``, ``too_long``, ``step``, or the transport
  kind of a :class:`HostError` such as ``unreachable``);
* ``step``: the step of the run it belongs to (``validate``, ``connect``, ``gather``, ``stage``, ...);
* ``details``: extra result keys (for example ``error_kind``).

:meth:`IIS4Error.describe` turns one into the ``msg``/``step`` of a failed result, so the run has one
handler for every error instead of one per class.  Code decides by ``kind`` and by class, never by
looking for words in a message.
"""

from __future__ import annotations

from typing import Any

# What an InputError message adds when Ansible has turned a backslash in key=value arguments into a control
# character (\b, \n, \t ...).
_BACKSLASH_HINT = (
    " (Ansible decodes backslash escapes such as \\b or \\n in key=value arguments: write Windows paths "
    "with forward slashes, C:/InetPub/x.dll, or double the backslashes, or use YAML arguments)"
)


class IIS4Error(Exception):
    """Base of every error of the collection."""

    kind = "error"
    step = "run"

    def __init__(self, message: str, *, kind: str | None = None, step: str | None = None, **details: Any) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind
        if step is not None:
            self.step = step
        self.details: dict[str, Any] = details

    def describe(self, last_step: str | None = None) -> dict[str, Any]:
        """The keys a failed result takes from this error (``msg``, ``step`` and any details)."""
        del last_step
        return {"msg": str(self), "step": self.step, **self.details}


class InputError(IIS4Error, ValueError):
    """A value (from the user, or read from the host) that cannot be used on an NT 4 command line or does
    not name anything on the host.  ``name`` is the option it came from, ``message`` what is wrong."""

    kind = "input"
    step = "validate"

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message

    def describe(self, last_step: str | None = None) -> dict[str, Any]:
        msg = f"invalid input: {self}"
        if "control character" in msg:
            msg += _BACKSLASH_HINT
        return {"msg": msg, "step": self.step}


class MetabaseError(InputError):
    """A site or application that the metabase does not have; ``name`` is ``site`` or ``application``."""

    def __init__(self, message: str, name: str = "application") -> None:
        super().__init__(name, message)


class CommandTooLongError(IIS4Error, ValueError):
    """A command line longer than the host's cmd.exe limit."""

    kind = "too_long"

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"command line is {length} characters, cmd.exe accepts at most {limit}")
        self.length = length
        self.limit = limit

    def describe(self, last_step: str | None = None) -> dict[str, Any]:
        step = last_step or "gather"
        return {
            "msg": f"a command after step {step} does not fit the host's command line ({self}); raise cmdline_limit "
            "if the host accepts longer lines, or use shorter paths",
            "step": step,
        }


#: HostError kinds that mean the host cannot be talked to at all (Ansible's "unreachable", as the winrm connection
#: plugin reports them); nothing more is tried on such a host.
UNREACHABLE_KINDS = frozenset(["unreachable", "auth", "certificate"])

#: Steps up to and including staging: a component that failed there never had dest replaced.
UNTOUCHED_STEPS = frozenset(
    ["validate", "connect", "gather", "detect", "compare", "catalog", "holders", "stage", "revert"]
)


class HostError(IIS4Error):
    """The host could not be reached or talked to.  ``kind`` is a stable word for tests and users
    (``unreachable``, ``auth``, ``certificate``, ``transport``, ``wsman``, ``insecure``, ...)."""

    step = "connect"

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message, kind=kind)

    def describe(self, last_step: str | None = None) -> dict[str, Any]:
        return {"msg": f"cannot talk to the host ({self.kind}): {self}", "step": self.step, "error_kind": self.kind}


class StepFailed(IIS4Error):
    """A step failed on the host.  The message says which step, what the host said and the state now."""

    kind = "step"

    def __init__(self, step: str, message: str, host_output: str = "") -> None:
        super().__init__(message, step=step)
        self.host_output = host_output

    def describe(self, last_step: str | None = None) -> dict[str, Any]:
        return {"msg": f"step {self.step} failed: {self}", "step": self.step}

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The files one run uses beside dest, and the state record that names them.

Every file name of a run comes from :class:`Paths`: the staged copy (``<dest>.iis4new``), the backup
(``<dest>.<UTC stamp>.bak``), the state record (``<dest>.iis4state``), the outage log, the failure flag and
the batch file.  A later run that finds a state record rebuilds the same :class:`Paths` from it
(:meth:`Paths.from_record`), so recovery never assembles a file name by hand.

The state record is a few ``key=value`` lines (see :class:`StateRecord`): the paths, the method, the
services to start again, and ``started=<phase>``/``finished=<phase>`` lines that the outage sequence appends
as it runs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from .validate import validate_windows_path

STAGED_SUFFIX = ".iis4new"
RECORD_SUFFIX = ".iis4state"
LOG_SUFFIX = ".iis4log"
FAIL_SUFFIX = ".iis4fail"
HELD_SUFFIX = ".iis4held"
REGISTERED_SUFFIX = ".iis4reg"
UNDO_SUFFIX = ".iis4undo"
BATCH_SUFFIX = ".iis4run.cmd"
CATALOG_SUFFIX = ".iis4cat.vbs"
GROUP_SUFFIX = ".iis4grp"
#: The state record's key naming every DLL released in the same outage (``<dest>*<stamp>`` pairs joined by ``*``).
GROUP_KEY = "group"
BACKUP_SUFFIX = ".bak"
#: A revert keeps the DLL it replaces as ``<dest>.<stamp>.rev.bak``: outside the backups a revert chooses from
#: (so a second revert changes nothing) and outside pruning; ``state=present`` with it as src undoes the revert.
REVERTED_TAG = "rev"
#: The longest name a revert adds to dest (``.YYYYMMDDhhmmss.rev.bak``), for its MAX_PATH check.
LONGEST_REVERT_SUFFIX = len(".YYYYMMDDhhmmss.rev.bak")
#: Length of the longest name added to dest (``.YYYYMMDDhhmmss.bak``), for the MAX_PATH check.
LONGEST_SUFFIX = max(len(RECORD_SUFFIX), len(STAGED_SUFFIX), len(BATCH_SUFFIX), len(".YYYYMMDDhhmmss.bak"))


@dataclass(frozen=True)
class Paths:
    """The files of one run.  With ``here`` the names are relative to dest's folder: the long command lines
    start with ``cd /d <folder>`` and use bare names, which keeps them within NT 4's 2047 characters."""

    src: str
    dest_path: str
    stamp: str
    here: bool = False
    tag: str = ""  # REVERTED_TAG: the backup of the DLL a revert replaces

    @property
    def backup_name(self) -> str:
        tag = f".{self.tag}" if self.tag else ""
        return f"{self.dest_name}.{self.stamp}{tag}{BACKUP_SUFFIX}"

    def relative(self) -> Paths:
        """The same files, named relative to dest's folder."""
        return dataclasses.replace(self, here=True)

    def absolute(self) -> Paths:
        return dataclasses.replace(self, here=False)

    def _at(self, name: str) -> str:
        return name if self.here else f"{self.dest_dir}\\{name}"

    @property
    def dest_dir(self) -> str:
        return self.dest_path.rsplit("\\", 1)[0]

    @property
    def dest_name(self) -> str:
        return self.dest_path.rsplit("\\", 1)[1]

    @property
    def dest(self) -> str:
        return self._at(self.dest_name)

    @property
    def staged_name(self) -> str:
        return self.dest_name + STAGED_SUFFIX

    @property
    def staged(self) -> str:
        return self._at(self.staged_name)

    @property
    def backup(self) -> str:
        return self._at(self.backup_name)

    @property
    def record(self) -> str:
        return self._at(self.dest_name + RECORD_SUFFIX)

    @property
    def log(self) -> str:
        return self._at(self.dest_name + LOG_SUFFIX)

    @property
    def fail_flag(self) -> str:
        return self._at(self.dest_name + FAIL_SUFFIX)

    @property
    def held_flag(self) -> str:
        return self._at(self.dest_name + HELD_SUFFIX)

    @property
    def registered_flag(self) -> str:
        return self._at(self.dest_name + REGISTERED_SUFFIX)

    @property
    def undo_flag(self) -> str:
        """Left by a registration of the new DLL that failed: the lines after it put the old DLL back and register
        it again while it is there (and a recovery finishes that undo)."""
        return self._at(self.dest_name + UNDO_SUFFIX)

    @property
    def group_flag(self) -> str:
        """Left by a sequence that swaps several DLLs when one of them is not the new DLL: put every one back."""
        return self._at(self.dest_name + GROUP_SUFFIX)

    @property
    def batch(self) -> str:
        return self._at(self.dest_name + BATCH_SUFFIX)

    @property
    def catalog_script(self) -> str:
        """The VBScript a catalog question or a package shutdown writes, runs and deletes."""
        return self._at(self.dest_name + CATALOG_SUFFIX)

    @classmethod
    def from_record(cls, record: StateRecord, fallback_dest: str) -> Paths:
        """The paths an earlier run used, rebuilt from its state record (absolute names).

        Every path read from the host is validated like user input, and the recorded staged and backup names
        must be the ones this naming gives: a record that says otherwise is not ours to act on.
        """
        try:
            dest = validate_windows_path(record.get("dest") or fallback_dest, "state record dest", allow_unc=False)
            paths = cls(record.get("src") or "", dest, record.get("run") or "")
            reverted = dataclasses.replace(paths, tag=REVERTED_TAG)
            if (record.get("backup") or "").lower() == reverted.backup.lower():
                paths = reverted  # a revert's run
            for key, expected in (("staged", paths.staged), ("backup", paths.backup)):
                recorded = validate_windows_path(record.get(key) or "", f"state record {key}", allow_unc=False)
                if recorded.lower() != expected.lower():
                    raise InputError(f"state record {key}", f"{recorded!r} is not {expected!r}")
        except InputError as exc:
            raise RecordError(str(exc)) from None
        return paths

    @classmethod
    def group_member(cls, dest: str, stamp: str) -> Paths:
        """The files of another DLL a state record's ``group`` names (validated like the record's own)."""
        try:
            dest = validate_windows_path(dest, "state record group", allow_unc=False)
        except InputError as exc:
            raise RecordError(str(exc)) from None
        if not (len(stamp) == 14 and stamp.isdigit()):
            raise RecordError(f"state record group: {stamp!r} is not a run's stamp")
        return cls("", dest, stamp)


class RecordError(ValueError):
    """A state record whose paths cannot be trusted."""


@dataclass(frozen=True)
class StateRecord:
    """What the state record beside dest says (``key=value`` lines; the last value of a key wins)."""

    values: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> StateRecord | None:
        values: dict[str, str] = {}
        for line in text.splitlines():
            if "=" in line:
                key, value = line.strip().split("=", 1)
                values[key.strip()] = value.strip()
        return cls(tuple(values.items())) if values.get("run") else None

    def get(self, key: str, default: str | None = None) -> str | None:
        return dict(self.values).get(key, default)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)

    @property
    def services(self) -> list[str]:
        return [s.strip().upper() for s in (self.get("services") or "").split(",") if s.strip()]

    @property
    def finished(self) -> bool:
        """The last sequence the record mentions ran to its end (``finished=<phase>`` after ``started=<phase>``)."""
        done = self.get("finished")
        return bool(done) and done == self.get("started", done)

    @property
    def group(self) -> tuple[tuple[str, str], ...]:
        """The ``(dest, stamp)`` of every DLL released in the same outage as this one (a combined release)."""
        words = (self.get(GROUP_KEY) or "").split("*")
        return tuple(zip(words[0::2], words[1::2], strict=False)) if len(words) > 1 else ()

    @property
    def running(self) -> bool:
        """A sequence started and has not finished (it may still be running on the host)."""
        return bool(self.get("started")) and not self.finished


def record_lines(paths: Paths, method: str, services: list[str], *extra: str) -> list[str]:
    """The lines of a new state record.  A later run reads it, so it holds full paths."""
    full = paths.absolute()
    return [
        "run=" + full.stamp,
        "dest=" + full.dest,
        "src=" + full.src,
        "staged=" + full.staged,
        "backup=" + full.backup,
        "method=" + method,
        "services=" + ",".join(services),
        *extra,
    ]

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one release sequence printed, read once (pure).

A sequence (``_release``) prints a marker before each of its parts, ``##<flag>`` words where it decided
something on the host (``##held_after_stop``, ``##record_kept``, ``##register_rolled_back``, ...), exit-code
ladders, and ``@@done`` as its last line.  :class:`SequenceOutput` holds its sections and exit codes, whether
it is a read-back after a dropped connection (the sequence's own output was lost), and the two moments that
time an outage, so that every strategy reads the same frozen value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypeVar

from .common import Sections

T = TypeVar("T")


@dataclass(frozen=True)
class SequenceOutput:
    out: Sections
    readback: bool = False  # the host finished the sequence on its own; this is what was read back afterwards
    error: str | None = None  # what went wrong on the way (a dropped connection), if anything
    seconds: float = 0.0  # how long the line took from the controller's side
    outage_begin: float | None = None  # controller clock when @@outage_begin arrived
    outage_end: float | None = None

    @classmethod
    def read(
        cls,
        text: str,
        *,
        readback: bool = False,
        error: str | None = None,
        seconds: float = 0.0,
        outage_begin: float | None = None,
        outage_end: float | None = None,
    ) -> SequenceOutput:
        return cls(Sections.parse(text), readback, error, seconds, outage_begin, outage_end)

    @property
    def text(self) -> str:
        return self.out.text

    def __getitem__(self, label: str) -> str:
        return self.out[label]

    def __contains__(self, label: object) -> bool:
        return label in self.out

    def rc(self, label: str) -> int | None:
        return self.out.rc(label)

    def printed(self, flag: str) -> bool:
        return self.out.printed(flag)

    @property
    def finished(self) -> bool:
        """The sequence printed its last marker (or it was read back after it ended on the host)."""
        return self.readback or self.printed("@@done")

    @property
    def verified(self) -> bool:
        """dest is the new DLL (the sequence's ``verify`` ladder said 0)."""
        return self.rc("verify") == 0

    @property
    def outage_seconds(self) -> float | None:
        """The outage as the two markers timed it; None when one of them never arrived."""
        if self.outage_begin is None or self.outage_end is None:
            return None
        return round(max(0.0, self.outage_end - self.outage_begin), 3)

    def of(self, label: str, labels: tuple[str, ...]) -> SequenceOutput:
        """What one DLL of a sequence that swapped several (each with its marker label, see ``Swap.label``)
        printed: its own sections without the label's prefix, and the shared ones (the stop, the starts, the
        outage, ``done``); the sections of the other DLLs are left out."""
        others = tuple(f"{other}_" for other in labels if other != label)
        mine = f"{label}_"

        def name(key: str) -> str | None:
            if key.startswith(mine):
                return key[len(mine) :]
            return None if key.startswith(others) else key

        def own(values: Mapping[str, T]) -> dict[str, T]:
            renamed = ((name(k), v) for k, v in values.items())
            return {k: v for k, v in renamed if k is not None}

        sections, rcs = own(self.out.sections), own(self.out.rcs)
        text = "\n".join(f"@@{k}\n{v}" if k else v for k, v in sections.items())
        view = Sections(text, MappingProxyType(sections), MappingProxyType(rcs))
        return dataclasses.replace(self, out=view)

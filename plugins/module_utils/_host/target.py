# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the host is, as far as the commands care: the have beside the user's want (``params.Params``).

:class:`Target` holds the files beside dest (``Paths``), the longest command line the host's cmd.exe takes,
and the adsutil.vbs the run uses.  It starts from the options and is refined once by what gathering found
(:meth:`Target.learned`): the adsutil.vbs that answered, and 8191 characters on XP and later (KB 830473)
when no ``cmdline_limit`` was given.  The options themselves are never rewritten.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .._cmd.cmdline import CMD_LINE_LIMIT_XP
from .._cmd.paths import Paths
from .facts import HostFacts


@dataclass(frozen=True)
class Target:
    paths: Paths
    cmdline_limit: int  # the longest command line the host takes
    adsutil_path: str  # the adsutil.vbs to run (the one gathering found, else the option)
    limit_known: bool = True  # False: no cmdline_limit was given, so the host's Windows version decides
    x64: bool = False  # the host may be 64-bit (NT 6.0 and later): an empty tasklist answer names no one

    def learned(self, facts: HostFacts) -> Target:
        """This target refined by what gathering found."""
        target = self
        if facts.adsutil and facts.adsutil != self.adsutil_path:
            target = dataclasses.replace(target, adsutil_path=facts.adsutil)
        if facts.windows and facts.windows.major >= 6 and not self.x64:
            target = dataclasses.replace(target, x64=True)
        if not self.limit_known and facts.windows and (facts.windows.major, facts.windows.minor) >= (5, 1):
            # XP and later: cmd.exe takes 8191 characters.
            target = dataclasses.replace(target, cmdline_limit=CMD_LINE_LIMIT_XP)
        return target

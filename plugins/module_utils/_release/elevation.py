# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""appcmd's "The WAS service is not available" on IIS 7 and later: WAS down, or an account without an elevated token.

appcmd prints ``The WAS service is not available - try starting the service first.`` for its runtime verbs (start,
stop, recycle an application pool) when WAS is stopped - and also when WAS runs but the caller's token is not
elevated: "If I run the command from an elevated command prompt it works fine" (azure-pipelines-extensions issue
1136).  A WinRM session of a member of Remote Management Users, or of a local administrator other than the
built-in one under UAC remote restrictions, has such a token.  Configuration reads (``appcmd list``) still work, so
gathering does not see it; the pool stop is the first command that does.  The module then asks the SCM for WAS's
state (``sc query WAS``: the state number is the same in every language) and says which of the two it is.
"""

from __future__ import annotations

import re
from typing import Any

from .._cmd.cmdline import build_command, marker, redirect
from .._host.parsers.common import section, split_sections
from ..errors import StepFailed

WAS_UNAVAILABLE = "The WAS service is not available"
RUNNING = 4


def was_refused(text: str) -> bool:
    """Did appcmd answer with WAS's "not available" text?"""
    return WAS_UNAVAILABLE.lower() in (text or "").lower()


def was_state(text: str) -> int | None:
    """The state number ``sc query WAS`` printed (``STATE : 4 RUNNING``), None when it printed none."""
    m = re.search(r"^\s*STATE\s*:\s*(\d+)", text or "", re.MULTILINE)
    return int(m.group(1)) if m else None


def refused_pool_stop(run: Any, text: str, pools: tuple[str, ...], output: str) -> None:
    """appcmd refused to stop ``pools`` with WAS's text: nothing was stopped, so put the old DLL back at dest (the
    running worker still has it loaded) and fail, saying whether WAS runs (then the account is not elevated)."""
    failure = was_refusal(run.session, text, pools, output, "dest holds the old DLL")
    run.put_old_back()
    raise failure


def was_refusal(session: Any, text: str, pools: tuple[str, ...], output: str, holds: str) -> StepFailed:
    """The failure of a pool stop appcmd refused with WAS's text, after asking the SCM whether WAS runs; ``holds``
    says what dest holds once the caller has put the old DLL(s) back."""
    res = session.run("was_state", [marker("was"), redirect(build_command("sc", "query", "WAS"))])
    state = was_state(section(split_sections(res.output or ""), "was"))
    said = next((line.strip() for line in text.splitlines() if was_refused(line)), WAS_UNAVAILABLE)
    if state == RUNNING:
        why = (
            "WAS is running (sc query WAS: 4 RUNNING), so the account the module connects with has no elevated token: "
            "appcmd's start/stop/recycle need an elevated administrator (a member of Remote Management Users, or a "
            "local administrator other than the built-in one under UAC remote restrictions, gets a filtered token "
            "over WinRM)"
        )
    elif state is None:
        why = "sc query WAS did not say whether WAS runs: either WAS is stopped or the account is not elevated"
    else:
        why = f"WAS is not running (sc query WAS: state {state}); start it (net start W3SVC starts WAS too)"
    return StepFailed(
        "stop",
        f"appcmd refused to stop the application pool(s) {', '.join(pools)} ({said!r}): {why}; no pool was stopped "
        f"and {holds}; nothing else changed",
        output,
    )

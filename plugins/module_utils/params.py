# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The user's options, checked before anything on the host is touched.

:meth:`Params.from_module_params` takes the options as Ansible validated them against
``argspec.ARGUMENT_SPEC`` (types, choices, defaults) and checks what Ansible cannot: that every path and
name can be written on an NT 4 command line (``cmdline.validate_*``), that dest leaves room for the names
beside it, and the ranges of the numbers.  It raises :class:`errors.InputError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._cmd.paths import LONGEST_REVERT_SUFFIX, LONGEST_SUFFIX
from ._cmd.validate import MAX_PATH_LENGTH, validate_app_path, validate_site, validate_windows_path
from ._host.services import IIS_SERVICES
from .argspec import DEFAULT_ADSUTIL, DEFAULT_CMDLINE_LIMIT, DEFAULT_KEEP_BACKUPS, DEFAULT_SITE, DEFAULT_TIMEOUT
from .errors import InputError

MIN_TIMEOUT = 5
MIN_CMDLINE_LIMIT = 512


@dataclass(frozen=True)
class Params:
    src: str
    dest: str
    site: int | str
    applications: tuple[str, ...]
    isolation: str
    backup: bool
    keep_backups: int
    register: bool
    restart_services: tuple[str, ...] | None  # None: the services that were running ('auto')
    unload_fallback: bool
    timeout: int
    adsutil_path: str
    cmdline_limit: int
    package_restart: bool = False
    cmdline_limit_auto: bool = False  # not given: 2047 until ``ver`` shows XP or later (8191)
    state: str = "present"  # reverted: put back the newest backup beside dest (src is then that backup)
    keep_gathered: bool = False  # check mode: return what was read as ``gathered`` (_host.gathered)
    preview: bool = True  # check mode: return the commands an update would send and the steps the run sent
    gathered: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)  # a dry run's

    @property
    def reverting(self) -> bool:
        return self.state == "reverted"

    @classmethod
    def from_module_params(cls, p: dict[str, Any]) -> Params:
        """Validate everything that can be validated without the host.  Raises InputError."""
        state = p.get("state") or "present"
        if state not in ("present", "reverted"):
            raise InputError("state", f"{state!r}: use present or reverted")
        reverting = state == "reverted"
        if not p.get("dest") or not (p.get("src") or reverting):
            raise InputError("src", "src and dest are both needed (or a list of components)")
        dest = validate_windows_path(p["dest"], "dest", allow_unc=False)
        # A revert chooses its src on the host (the newest backup beside dest); until then src names dest itself.
        src = dest if reverting else validate_windows_path(p["src"], "src", allow_unc=True)
        longest = max(LONGEST_SUFFIX, LONGEST_REVERT_SUFFIX if reverting else 0)
        if len(dest) + longest > MAX_PATH_LENGTH:
            raise InputError(
                "dest", f"path is too long to keep a backup beside it ({len(dest)} characters; MAX_PATH is 260)"
            )
        if not reverting and src.lower() == dest.lower():
            raise InputError("src", "src and dest are the same file")
        site = validate_site(p.get("site") or DEFAULT_SITE)
        apps = [validate_app_path(a, "application") for a in (p.get("application") or ["/"])]
        if not apps:
            raise InputError("application", "at least one application path is needed")
        timeout = int(p.get("timeout") or DEFAULT_TIMEOUT)
        if timeout < MIN_TIMEOUT:
            raise InputError("timeout", f"must be at least {MIN_TIMEOUT} seconds")
        adsutil = validate_windows_path(p.get("adsutil_path") or DEFAULT_ADSUTIL, "adsutil_path", allow_unc=False)
        keep = int(DEFAULT_KEEP_BACKUPS if p.get("keep_backups") is None else p["keep_backups"])
        if keep < 1:
            raise InputError("keep_backups", "must be at least 1 (the backup this run makes)")
        limit = int(p.get("cmdline_limit") or DEFAULT_CMDLINE_LIMIT)
        if limit < MIN_CMDLINE_LIMIT:
            raise InputError("cmdline_limit", f"must be at least {MIN_CMDLINE_LIMIT} characters")
        return cls(
            src=src,
            dest=dest,
            site=site,
            applications=tuple(dict.fromkeys(apps)),
            isolation=p.get("isolation") or "auto",
            backup=bool(p.get("backup", True)),
            keep_backups=keep,
            register=bool(p.get("register_dll", p.get("register"))),
            restart_services=_restart_services(p.get("restart_services")),
            unload_fallback=bool(p.get("unload_fallback", True)),
            timeout=timeout,
            adsutil_path=adsutil,
            cmdline_limit=limit,
            package_restart=bool(p.get("package_restart", False)),
            cmdline_limit_auto=p.get("cmdline_limit") is None,
            state=state,
            keep_gathered=bool(p.get("keep_gathered")),
            preview=bool(p.get("preview", True)),
            gathered=p["gathered"] if isinstance(p.get("gathered"), dict) else None,
        )


def _restart_services(value: list[str] | None) -> tuple[str, ...] | None:
    names = [s.strip().upper() for s in (value or ["auto"])]
    if names == ["AUTO"]:
        return None
    unknown = [s for s in names if s not in IIS_SERVICES]
    if unknown:
        raise InputError(
            "restart_services", f"unknown service(s) {unknown}; use 'auto' or some of {list(IIS_SERVICES)}"
        )
    return tuple(names)

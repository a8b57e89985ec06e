"""Host kinds: which Windows and IIS version a lab host is, and what follows from it (issue 13).

``HostConfig.kind`` picks a row of :data:`KINDS`; :func:`resolve` fills the fields of a
:class:`~tests.lab.machine.config.HostConfig` that were left to the kind (``None``, or ``"auto"`` for ``catalog``).
``nt4`` (the default) resolves to exactly what every lab host was before: Windows NT 4.0 + IIS 4.0.

Sources: the IIS 5-7 facts file (WinRM versions and ports, AppIsolated, IIs5IsolationModeEnabled, adsutil on
IIS 7 only with the metabase compatibility feature, tasklist from XP on) and KB 830473 (cmd.exe line limit
2047 on NT 4.0 / 2000, 8191 from XP on).  The ``ver`` strings are the banners of the released builds;
``%SystemRoot%`` spellings are the setup defaults.  The lab-only conveniences (WinRM on NT 4 / 2000) are
choices documented in ``docs/dev/lab-machine.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Kind:
    name: str
    os: str  # what the docs call it
    iis: str  # "4.0", "5.0", ...
    ver: str  # what cmd's ver prints (CRLF included)
    system_root: str
    max_command_line: int
    winrm11: bool  # WinRM 1.1 (ports 80/443) unless winrm_version "2.0"
    has_tasklist: bool
    complus: bool  # COM+ catalog (2000 on)
    profiles: str  # the folder of user profiles ("{root}" is %SystemRoot%)

    @property
    def iis_major(self) -> int:
        return int(self.iis.split(".")[0])


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("nt4", "Windows NT 4.0", "4.0", "\r\nWindows NT Version 4.0  \r\n", "C:\\WINNT", 2047, False, False,
             False, "{root}\\Profiles"),
        Kind("w2k", "Windows 2000", "5.0", "\r\nMicrosoft Windows 2000 [Version 5.00.2195]\r\n", "C:\\WINNT", 2047,
             False, False, True, "C:\\Documents and Settings"),
        Kind("xp", "Windows XP", "5.1", "\r\nMicrosoft Windows XP [Version 5.1.2600]\r\n", "C:\\WINDOWS", 8191,
             True, True, True, "C:\\Documents and Settings"),
        Kind("w2k3", "Windows Server 2003", "6.0", "\r\nMicrosoft Windows [Version 5.2.3790]\r\n", "C:\\WINDOWS",
             8191, True, True, True, "C:\\Documents and Settings"),
        Kind("w2k8r2", "Windows Server 2008 R2", "7.5", "\r\nMicrosoft Windows [Version 6.1.7601]\r\n",
             "C:\\Windows", 8191, False, True, True, "C:\\Users"),
        Kind("w2k19", "Windows Server 2019", "10.0", "\r\nMicrosoft Windows [Version 10.0.17763.1]\r\n",
             "C:\\Windows", 8191, False, True, True, "C:\\Users"),
    )
}  # fmt: skip
HOST_KINDS = tuple(KINDS)
WINRM_VERSIONS = ("1.1", "2.0")
ADSUTIL_IIS5 = "C:\\Inetpub\\AdminScripts\\adsutil.vbs"  # IIS 5.0, 5.1, 6.0 (and 7+ with the compat feature)
DEFAULT_POOL = "DefaultAppPool"

# HostConfig fields resolved from the kind when left to it, with the "left to the kind" value.
AUTO_FIELDS: dict[str, Any] = {
    "http_port": None,
    "https_port": None,
    "max_command_line": None,
    "system_root": None,
    "adsutil_path": None,
    "has_tasklist": None,
    "catalog": "auto",
    "has_appcmd": None,
    "has_iisapp": None,
    "has_iisreset": None,
}


def kind_of(cfg: Any) -> Kind:
    return KINDS[getattr(cfg, "kind", "nt4") or "nt4"]


def winrm11(cfg: Any) -> bool:
    """Does the host listen as WinRM 1.1 does (80/443)?  XP / 2003 unless ``winrm_version`` is "2.0"."""
    kind = kind_of(cfg)
    if cfg.winrm_version is not None:
        return kind.winrm11 and cfg.winrm_version == "1.1"
    return kind.winrm11


def resolve(cfg: Any) -> set[str]:
    """Fill the fields of ``cfg`` left to its kind; returns the names of the fields it filled."""
    if cfg.kind not in KINDS:
        raise ValueError(f"kind must be one of {HOST_KINDS}")
    if cfg.winrm_version is not None and cfg.winrm_version not in WINRM_VERSIONS:
        raise ValueError(f"winrm_version must be one of {WINRM_VERSIONS} or null")
    kind = KINDS[cfg.kind]
    if kind.iis_major >= 7 and any(str(s).upper() in ("SMTPSVC", "NNTPSVC", "MSFTPSVC") for s in cfg.services):
        # SMTP (and the IIS 6 FTP/NNTP) on IIS 7+ need IIS Admin, which only the IIS 6 management compatibility
        # components install (facts file, "Where real hosts differ from an IIS 4 picture"): installing SMTP
        # brings them, and with them adsutil.vbs.
        cfg.iis6_metabase_compat = True
    old = winrm11(cfg)
    filled: set[str] = set()
    values: dict[str, Any] = {
        "http_port": 80 if old else 5985,
        "https_port": 443 if old else 5986,
        "max_command_line": kind.max_command_line,
        "system_root": kind.system_root,
        "adsutil_path": adsutil_path(cfg, kind),
        "has_tasklist": kind.has_tasklist,
        "catalog": "complus" if kind.complus else None,
        "has_appcmd": kind.iis_major >= 7,
        "has_iisapp": kind.name == "w2k3",
        "has_iisreset": kind.iis_major >= 5,
    }
    for name, auto in AUTO_FIELDS.items():
        if getattr(cfg, name) == auto:
            setattr(cfg, name, values[name])
            filled.add(name)
    return filled


def adsutil_path(cfg: Any, kind: Kind) -> str:
    """Where adsutil.vbs is; ``""`` when the host has none (IIS 7+ without the IIS 6 metabase compatibility)."""
    if kind.iis_major == 4:
        return kind.system_root + "\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
    if kind.iis_major >= 7 and not cfg.iis6_metabase_compat:
        return ""
    return ADSUTIL_IIS5


# --------------------------------------------------------------------------------------------------
# what a host runs applications in


def iis_major(cfg: Any) -> int:
    return kind_of(cfg).iis_major


def iis5_mode(cfg: Any) -> bool:
    """IIS 5 process model: AppIsolated 0/1/2 in inetinfo.exe / own dllhost.exe / the pooled dllhost.exe.
    IIS 5.0 and 5.1, and IIS 6.0 with ``iis5_isolation_mode``."""
    kind = kind_of(cfg)
    return kind.iis_major == 5 or (kind.iis_major == 6 and bool(cfg.iis5_isolation_mode))


def worker_mode(cfg: Any) -> bool:
    """Worker process isolation: every application runs in the w3wp.exe of its application pool."""
    kind = kind_of(cfg)
    return kind.iis_major >= 7 or (kind.iis_major == 6 and not cfg.iis5_isolation_mode)


def has_metabase(cfg: Any) -> bool:
    """adsutil.vbs works: IIS 4-6, and IIS 7+ with the IIS 6 metabase compatibility feature."""
    return bool(cfg.adsutil_path)


def server_header(cfg: Any) -> str:
    return f"Microsoft-IIS/{kind_of(cfg).iis}"


def profile_folder(cfg: Any) -> str:
    return kind_of(cfg).profiles.format(root=cfg.system_root) + "\\" + cfg.username


def iisapp_path(cfg: Any) -> str:
    return cfg.system_root + "\\system32\\iisapp.vbs"


def appcmd_path(cfg: Any) -> str:
    return cfg.system_root + "\\system32\\inetsrv\\appcmd.exe"

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for ``sc qc <service>`` and ``sc enumdepend <service>`` (sc.exe: Resource Kit on NT 4.0, built in
from XP on).

Facts relied on:

* A success starts with ``[SC] GetServiceConfig SUCCESS`` (XP/2003) or ``[SC] QueryServiceConfig
  SUCCESS`` (Vista+), followed by ``SERVICE_NAME: X`` and ``KEY : value`` lines indented by 8 spaces.
* Numbers are printed as ``<hex>  <SYMBOLIC_NAME>`` (``TYPE : 20  WIN32_SHARE_PROCESS``).
* DEPENDENCIES continue on lines that hold only ``<spaces>: name``; group names keep their ``+`` prefix.
* ``sc enumdepend X <bufsize>`` prints ``Enum: entriesRead = <n>``, then per dependant (stopped ones too) a blank
  line, ``SERVICE_NAME: name``, ``DISPLAY_NAME: display`` and the status block of ``sc query``
  (``STATE : 4  RUNNING``).  EnumDependentServices returns the dependants in the reverse order of their start
  (Win32 documentation of EnumDependentServices), so reading the list backwards gives a start order.
* A failure is ``[SC] OpenService FAILED <n>:`` with the message on the next non-blank line (1060: no
  such service, 5: access denied).  Without sc.exe, cmd.exe prints its "is not recognized" message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .common import split_lines

__all__ = [
    "ScConfig",
    "ScDependant",
    "parse_sc_enumdepend",
    "parse_sc_qc",
]


@dataclass
class ScConfig:
    """``sc qc <service>``: configuration of one service, or the error sc printed instead.

    ``dependencies`` lists every name of the DEPENDENCIES field including continuation lines (group names
    keep their ``+`` prefix).  ``header`` is ``GetServiceConfig`` (XP/2003) or ``QueryServiceConfig``
    (Vista+).
    """

    name: str | None = None
    type: int | None = None
    type_name: str | None = None
    start_type: int | None = None
    start_type_name: str | None = None
    error_control: int | None = None
    error_control_name: str | None = None
    binary_path: str | None = None
    load_order_group: str | None = None
    tag: int | None = None
    display_name: str | None = None
    dependencies: list[str] = field(default_factory=list)
    service_start_name: str | None = None
    header: str | None = None
    error_code: int | None = None
    error_message: str | None = None
    error_api: str | None = None

    @property
    def exists(self) -> bool | None:
        if self.error_code == 1060:
            return False
        if self.name is not None:
            return True
        return None


_SC_HEADER = re.compile(r"^\[SC\]\s+(?P<api>\S+)\s+(?:FAILED\s+(?P<code>\d+):?|SUCCESS)\s*$", re.I)
_SC_FIELD = re.compile(r"^\s*(?P<key>[A-Z][A-Z0-9_]*)\s*:\s?(?P<value>.*)$")
_SC_CONT = re.compile(r"^\s+:\s?(?P<value>.*)$")


def _nonblank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def _num_name(value: str, base: int) -> tuple[int | None, str | None]:
    """``"20  WIN32_SHARE_PROCESS"`` -> (0x20, "WIN32_SHARE_PROCESS")."""
    parts = value.split(None, 1)
    if not parts:
        return None, None
    try:
        number = int(parts[0], base)
    except ValueError:
        return None, value.strip() or None
    return number, parts[1].strip() if len(parts) > 1 else None


def _exit_code(value: str) -> int | None:
    """``"1066  (0x42a)"`` -> 1066 (decimal first, the hex in parentheses as fallback)."""
    m = re.match(r"^\s*(-?\d+)", value)
    if m:
        return int(m.group(1))
    m = re.search(r"0x([0-9A-Fa-f]+)", value)
    return int(m.group(1), 16) if m else None


def _sc_error(lines: list[str], i: int, target: ScConfig, api: str, code: str) -> None:
    target.error_api = api
    target.error_code = int(code)
    for nxt in lines[i + 1 :]:
        if nxt.strip():
            target.error_message = nxt.strip()
            break


def parse_sc_qc(text: str | bytes) -> ScConfig:
    """Parse ``sc qc <service>``: both ``[SC] GetServiceConfig SUCCESS`` and ``[SC] QueryServiceConfig
    SUCCESS`` headers, DEPENDENCIES continuation lines (``<27 spaces>: name``), and the ``OpenService
    FAILED <n>:`` error forms.
    """
    lines = split_lines(text)
    cfg = ScConfig()
    last_key = None
    for i, line in enumerate(lines):
        s = line.strip()
        if not s:
            continue
        m = _SC_HEADER.match(s)
        if m:
            if m.group("code"):
                _sc_error(lines, i, cfg, m.group("api"), m.group("code"))
            else:
                cfg.header = m.group("api")
            continue
        if s.startswith("SERVICE_NAME:"):
            cfg.name = s.split(":", 1)[1].strip()
            last_key = None
            continue
        m = _SC_CONT.match(line)
        if m and last_key == "DEPENDENCIES":
            if m.group("value").strip():
                cfg.dependencies.append(m.group("value").strip())
            continue
        m = _SC_FIELD.match(line)
        if not m or cfg.name is None:
            continue
        key, value = m.group("key"), m.group("value").strip()
        last_key = key
        if key == "TYPE":
            cfg.type, cfg.type_name = _num_name(value, 16)
        elif key == "START_TYPE":
            cfg.start_type, cfg.start_type_name = _num_name(value, 16)
        elif key == "ERROR_CONTROL":
            cfg.error_control, cfg.error_control_name = _num_name(value, 16)
        elif key == "BINARY_PATH_NAME":
            cfg.binary_path = value
        elif key == "LOAD_ORDER_GROUP":
            cfg.load_order_group = value
        elif key == "TAG":
            cfg.tag = _exit_code(value)
        elif key == "DISPLAY_NAME":
            cfg.display_name = value
        elif key == "DEPENDENCIES":
            if value:
                cfg.dependencies.append(value)
        elif key == "SERVICE_START_NAME":
            cfg.service_start_name = value
    if cfg.name is None and cfg.error_code is None:
        nonblank = _nonblank(lines)
        if nonblank:
            cfg.error_message = nonblank[0].strip()
    return cfg


@dataclass(frozen=True)
class ScDependant:
    """One service of ``sc enumdepend``: its name, display name and state (``RUNNING``, ``STOPPED``, ...)."""

    name: str
    display_name: str
    state: str | None

    @property
    def running(self) -> bool:
        return self.state == "RUNNING"


_SC_STATE = re.compile(r"^\s*STATE\s*:\s*[0-9A-Fa-f]+\s+(?P<name>[A-Z_]+)")
_SC_ENUM = re.compile(r"^Enum:\s*entriesRead\s*=\s*(?P<n>\d+)", re.I)


def parse_sc_enumdepend(text: str | bytes) -> list[ScDependant] | None:
    """The dependants ``sc enumdepend`` listed, in its order (the reverse of a start order), or ``None``
    when it did not list any (sc.exe missing, an error, an unexpected answer).  An empty list: no dependant."""
    lines = split_lines(text)
    if not any(_SC_ENUM.match(line.strip()) for line in lines):
        return None
    found: list[ScDependant] = []
    name = display = state = None
    for line in lines:
        s = line.strip()
        if s.startswith("SERVICE_NAME:"):
            if name:
                found.append(ScDependant(name, display or name, state))
            name, display, state = s.split(":", 1)[1].strip(), None, None
        elif s.startswith("DISPLAY_NAME:") and name:
            display = s.split(":", 1)[1].strip()
        elif (m := _SC_STATE.match(line)) and name:
            state = m.group("name")
    if name:
        found.append(ScDependant(name, display or name, state))
    return found

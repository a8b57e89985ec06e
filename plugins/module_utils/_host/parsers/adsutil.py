# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for the output of ``cscript adsutil.vbs`` (the IIS metabase administration script).

Facts relied on:

* cscript may print its logo first (``Microsoft (R) Windows Script Host Version ...``, WSH 1.0:
  ``Microsoft (R) Windows Scripting Host ...``), then a copyright line and a blank line.
* Properties print as ``Name<pad>: (TYPE) value``.  IIS 5 revision, name padded to 32 columns:
  ``AppIsolated<pad>: (INTEGER) 1``, ``Path<pad>: (STRING) "C:\\InetPub"``, ``AccessRead<pad>: (BOOLEAN)
  True``, ``(EXPANDSZ) "..."``, lists ``ServerBindings<pad>: (LIST)  (1 Items)`` followed by item lines
  ``  ":80:"`` (GET has two spaces after ``(LIST)``, ENUM one), secure strings ``Name<pad> :
  (STRING)"**********"``, names of 32+ characters with the VBScript TypeName (``(Long)``), and ``MimeMap :
  (MimeMapList) ".a,b" ".c,d"``.  IIS 4 era: ``KeyType               :(String)  "IISFilters"``,
  ``FilterState           :(Integer) 1``.
* ENUM prints child keys as bracketed lines ``[/W3SVC/1/ROOT]``; ENUM_ALL follows each header with that
  key's properties.  Lines that are neither (errors, ``DataType ... Not Yet Supported``) carry no property.
* Errors are a description line, ``ErrNumber: <signed n> (0x<hex>)`` and an ``Error trying to ...: <path>``
  line, or one of a few fixed sentences; the APP* commands print ``Application <Verb>.`` or
  ``Application Status: N``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .common import split_lines

__all__ = [
    "ADSI_NOT_SET",
    "AdsError",
    "AdsValue",
    "AppResult",
    "parse_adsutil_app_result",
    "parse_adsutil_enum",
    "parse_adsutil_enum_all",
    "parse_adsutil_error",
    "strip_cscript_banner",
]


#: adsutil's exit code when GET finds the property only inherited or unset (0x80005006, signed).
ADSI_NOT_SET = -2147463162

_BANNER = re.compile(r"^Microsoft \(R\) Windows Script(?:ing)? Host", re.I)
_COPYRIGHT = re.compile(r"^Copyright \(C\) Microsoft", re.I)


def strip_cscript_banner(lines: list[str]) -> list[str]:
    """Drop a leading cscript logo (``Microsoft (R) Windows Script Host Version ...`` or the WSH 1.0
    ``Microsoft (R) Windows Scripting Host ...``, the copyright line and the blank line after them)."""
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and _BANNER.match(lines[i].strip()):
        i += 1
        while i < len(lines) and _COPYRIGHT.match(lines[i].strip()):
            i += 1
        while i < len(lines) and not lines[i].strip():
            i += 1
        return lines[i:]
    return lines


@dataclass
class AdsValue:
    """One metabase property as adsutil printed it.

    ``type``: upper-case syntax ``STRING``, ``EXPANDSZ``, ``INTEGER``, ``BOOLEAN``, ``LIST``,
    ``MIMEMAPLIST`` or whatever else was printed (IIS 4 TypeNames are mapped: ``String`` -> ``STRING``,
    ``Integer``/``Long`` -> ``INTEGER``, ``Boolean`` -> ``BOOLEAN``, ``Variant()`` -> ``LIST``).
    ``value``: ``str`` (quotes removed), ``int``, ``bool`` or ``list[str]``; the text as printed if it did
    not convert.  ``raw``: the text after the type.
    """

    type: str
    value: str | int | bool | list[str]
    raw: str = ""


_ADS_PROP = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*:\s*\((?P<type>[A-Za-z]+(?:\(\))?)\)\s?(?P<value>.*)$")
_ADS_ITEM = re.compile(r'^\s+"(?P<item>.*)"$')
_ADS_COUNT = re.compile(r"^\((?P<n>\d+) Items?\)$", re.I)
_ADS_CHILD = re.compile(r"^\[(?P<path>/[^\]]*)\]$")
_TYPE_ALIASES = {
    "STRING": "STRING",
    "EXPANDSZ": "EXPANDSZ",
    "INTEGER": "INTEGER",
    "LONG": "INTEGER",
    "BOOLEAN": "BOOLEAN",
    "LIST": "LIST",
    "VARIANT()": "LIST",
    "MIMEMAPLIST": "MIMEMAPLIST",
}


def _unquote(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"':
        return raw[1:-1]
    return raw


def _convert(type_: str, raw: str) -> str | int | bool | list[str]:
    raw = raw.strip()
    if type_ in ("STRING", "EXPANDSZ"):
        return _unquote(raw)
    if type_ == "INTEGER":
        try:
            return int(raw)
        except ValueError:
            return raw
    if type_ == "BOOLEAN":
        low = raw.lower()
        if low in ("true", "-1", "1"):
            return True
        if low in ("false", "0"):
            return False
        return raw
    if type_ in ("LIST", "MIMEMAPLIST"):
        return re.findall(r'"([^"]*)"', raw)
    return _unquote(raw)


def _ads_blocks(text: str | bytes) -> list[tuple[str | None, dict[str, AdsValue]]]:
    """Property blocks in order: (bracketed path or None for the leading block, properties)."""
    lines = strip_cscript_banner(split_lines(text))
    blocks: list[tuple[str | None, dict[str, AdsValue]]] = [(None, {})]
    list_items: list[str] | None = None
    list_left: int | None = None
    for line in lines:
        if list_items is not None:
            m = _ADS_ITEM.match(line)
            if m and (list_left is None or list_left > 0):
                list_items.append(m.group("item"))
                if list_left is not None:
                    list_left -= 1
                continue
            list_items, list_left = None, None
        s = line.strip()
        if not s:
            continue
        m = _ADS_CHILD.match(s)
        if m:
            blocks.append((m.group("path"), {}))
            continue
        m = _ADS_PROP.match(line)
        if not m:
            continue
        type_ = _TYPE_ALIASES.get(m.group("type").upper(), m.group("type").upper())
        raw = m.group("value").strip()
        if type_ == "LIST":
            count = _ADS_COUNT.match(raw)
            if count or not raw:
                list_items = []
                value = AdsValue(type_, list_items, raw)
                list_left = int(count.group("n")) if count else None
            else:
                value = AdsValue(type_, _convert(type_, raw), raw)
        else:
            value = AdsValue(type_, _convert(type_, raw), raw)
        blocks[-1][1][m.group("name")] = value
    return blocks


def parse_adsutil_enum(text: str | bytes) -> tuple[dict[str, AdsValue], list[str]]:
    """``adsutil ENUM <path>`` (or ``ENUM /P``): the node's own properties and its child keys.

    Children are the bracketed lines, returned as printed, e.g. ``/W3SVC/1/ROOT/Shop`` (case as stored in the
    metabase: ``ROOT`` and ``Root`` both occur).
    """
    blocks = _ads_blocks(text)
    return blocks[0][1], [block[0] for block in blocks[1:] if block[0] is not None]


def _ads_key(path: str) -> str:
    """``W3SVC``, ``/LM/W3SVC/``, ``w3svc\\1`` -> ``/W3SVC``, ``/W3SVC``, ``/w3svc/1`` (case kept)."""
    key = path.replace("\\", "/").strip().strip("/")
    if key.upper() == "LM":
        key = ""
    elif key.upper().startswith("LM/"):
        key = key[3:]
    return "/" + key


def parse_adsutil_enum_all(text: str | bytes, path: str = "W3SVC") -> dict[str, dict[str, AdsValue]]:
    """``adsutil ENUM_ALL <path>``: ``{key path: {property: AdsValue}}`` for the node and every key below it.

    adsutil.vbs prints the requested node's properties with no header, then for each child a bracketed header
    ``[/W3SVC/1]`` immediately followed by that child's properties and, recursively, its own children (a
    header followed directly by another header is a key with no properties of its own).  The requested node
    comes first under ``path`` normalised the same way (``W3SVC`` -> ``/W3SVC``); the other keys are the
    header paths as printed.  Blank lines (adsutil prints one after each list and at the end of every node)
    carry no structure.
    """
    blocks = _ads_blocks(text)
    result: dict[str, dict[str, AdsValue]] = {_ads_key(path): blocks[0][1]}
    for key, props in blocks[1:]:
        if key is None:
            continue
        result.setdefault(key, {}).update(props)
    return result


@dataclass
class AdsError:
    """An adsutil.vbs failure.

    ``kind``: ``path_not_found`` (0x80070003), ``access_denied`` (0x80070005), ``path_in_use`` (0x80070094),
    ``invalid_path`` (0x800401E4, a path ADSI cannot parse), ``not_set`` (property only inherited or unset:
    "is not set at this node", 0x80005006), ``unknown_property`` (schema lookup failed), ``not_allowed``
    (``(Get Method Failed) X``: the property is not allowed at this node; ``path`` is the property),
    ``command_not_recognized``, ``wrong_args``, ``wscript`` (run under wscript.exe), or ``error``.
    ``message``: the description line; ``err_number``: the signed number of the ``ErrNumber:`` line;
    ``context``: the ``Error trying to ...`` line; ``path``: the path (or property, or command) it names;
    ``continued``: adsutil printed ``Continuing...`` (a non-fatal ENUM error).
    """

    kind: str
    message: str
    err_number: int | None = None
    context: str | None = None
    path: str | None = None
    continued: bool = False

    @property
    def hresult(self) -> int | None:
        """``err_number`` as an unsigned 32-bit HRESULT (``0x80070003``)."""
        return None if self.err_number is None else self.err_number & 0xFFFFFFFF


_ADS_ERRNUMBER = re.compile(r"^ErrNumber:\s*(?P<n>-?\d+)(?:\s*\(0x(?P<hex>[0-9A-Fa-f]+)\))?")
_ADS_NOT_SET = re.compile(r'^The parameter "(?P<name>[^"]*)" is not set at this node\.?$', re.I)
_ADS_NOT_RECOGNIZED = re.compile(r"^Command not recognized:\s*(?P<cmd>.*)$", re.I)
_ADS_GET_FAILED = re.compile(r"\(Get Method Failed\)\s*(?P<name>\S+)$")
_ADS_CONTEXT = re.compile(r"^Error (?:trying|Trying) (?:to|To) .*?:\s*(?P<path>.*)$")
_ADS_KINDS = {
    0x80070003: "path_not_found",
    0x80070005: "access_denied",
    0x80070094: "path_in_use",
    0x800401E4: "invalid_path",
    0x80005006: "not_set",
}


def parse_adsutil_error(text: str | bytes) -> AdsError | None:
    """The first error adsutil.vbs reported in ``text``, or ``None``.

    Recognises ReportError pairs (description line + ``ErrNumber: <n> (0x<hex>)``; ``ErrNumber: 0`` lines,
    printed for unsupported data types in ENUM, are not errors) with the ``Error trying to ...: <path>`` line
    after them (GET/ENUM/APPUNLOAD/APPCREATE/...), ``The parameter "X" is not set at this node.``,
    ``Command not recognized: X``, ``Error: Wrong number of Args ...`` and the WScript warning.
    """
    lines = [line.strip() for line in strip_cscript_banner(split_lines(text))]
    for i, s in enumerate(lines):
        m = _ADS_ERRNUMBER.match(s)
        if m:
            number = int(m.group("n"))
            if number == 0:
                continue
            message = lines[i - 1] if i > 0 else ""
            context = path = None
            continued = False
            for nxt in lines[i + 1 : i + 6]:
                if not nxt:
                    continue
                if context is None and (cm := _ADS_CONTEXT.match(nxt)):
                    context, path = nxt, cm.group("path").strip() or None
                    continue
                if nxt.startswith("Continuing"):
                    continued = True
                    break
                if context is not None and not nxt.startswith(("Last Property Name", "PropertyObjPath")):
                    break
            hresult = number & 0xFFFFFFFF
            kind = _ADS_KINDS.get(hresult, "error")
            if kind == "error" and context and "schema of the property" in context.lower():
                kind = "unknown_property"
            elif context and (gm := _ADS_GET_FAILED.search(context)):
                kind, path = "not_allowed", gm.group("name")
            return AdsError(kind, message, number, context, path, continued)
        if m := _ADS_NOT_SET.match(s):
            return AdsError("not_set", s, ADSI_NOT_SET, None, m.group("name"))
        if m := _ADS_NOT_RECOGNIZED.match(s):
            return AdsError("command_not_recognized", s, None, None, m.group("cmd").strip())
        if s.startswith(("Error: Wrong number of Args", "Error: Invalid arguments")):
            return AdsError("wrong_args", s)
        if s.startswith("This script does not work with WScript"):
            return AdsError("wscript", s)
    for s in lines:
        if m := _ADS_CONTEXT.match(s):
            return AdsError("error", s, None, s, m.group("path").strip() or None)
    return None


@dataclass
class AppResult:
    """Result of adsutil APPCREATEINPROC / APPCREATEOUTPROC / APPDELETE / APPUNLOAD / APPDISABLE / APPENABLE /
    APPGETSTATUS.

    ``action``: ``created``, ``deleted``, ``unloaded``, ``disabled``, ``enabled`` or ``status``; ``status``:
    the APPGETSTATUS number with ``status_name`` ``stopped`` (0), ``running`` (1), ``not_defined`` (2).
    """

    action: str | None = None
    status: int | None = None
    error: AdsError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.action is not None

    @property
    def status_name(self) -> str | None:
        return {0: "stopped", 1: "running", 2: "not_defined"}.get(self.status) if self.status is not None else None


_APP_DONE = re.compile(r"^Application (?P<what>Created|Deleted|Unloaded|Disabled|Enabled)\.?$", re.I)
_APP_STATUS = re.compile(r"^Application Status:\s*(?P<n>-?\d+)$", re.I)


def parse_adsutil_app_result(text: str | bytes) -> AppResult:
    """Parse the output of an adsutil APP* command (``Application Unloaded.``, ``Application Status: 1``, or
    an error such as ``Error trying to UNLOAD the application: W3SVC/1/Root/Shop``)."""
    res = AppResult()
    for line in strip_cscript_banner(split_lines(text)):
        s = line.strip()
        if m := _APP_DONE.match(s):
            res.action = m.group("what").lower()
        elif m := _APP_STATUS.match(s):
            res.action, res.status = "status", int(m.group("n"))
    res.error = parse_adsutil_error(text)
    return res

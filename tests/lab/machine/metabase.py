"""The IIS 4.0 metabase of a lab host: keys, a small property schema, inheritance, applications.

Model (sources in the facts file, section 4, and the adsutil.vbs sample script):

* Keys form a tree under ``/LM``: ``/LM/W3SVC`` (IIsWebService), ``/LM/W3SVC/<n>`` (IIsWebServer),
  ``/LM/W3SVC/<n>/ROOT`` and virtual directories below it (IIsWebVirtualDir).  Key names keep the case they
  were created with (``ROOT``, ``Shop``); lookups are case-insensitive, as ADSI's are.
* Each property has a schema entry: syntax (STRING, EXPANDSZ, INTEGER, BOOLEAN, LIST), whether it is
  inherited, whether it is secure.  ``AccessRead``/``AuthNTLM``/... are views on bits of ``AccessFlags``,
  ``AuthFlags`` and ``DirBrowseFlags``, as in the IIS ADSI schema.
* A key *stores* some properties; the effective value of an inheritable property is the one stored on the
  nearest key upwards.  ``adsutil GET``/``ENUM`` show stored values only.
* Which properties a key may hold depends on its KeyType (its schema class).  Classes list their properties
  in the order ENUM prints them (KeyType first; the rest is this lab's order - the real schema order is not
  documented anywhere we could read, a documented guess).
* ``/LM/W3SVC`` itself is an in-process application root (AppRoot ``/LM/W3SVC``, AppIsolated 0, the in-process
  WAM's CLSID), which is what a directory outside every configured application falls back to.  This is a
  documented guess at what IIS 4.0 setup writes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from . import versions
from .config import AppConfig, HostConfig, SiteConfig, pool_configs

STRING = "STRING"
EXPANDSZ = "EXPANDSZ"
INTEGER = "INTEGER"
BOOLEAN = "BOOLEAN"
LIST = "LIST"

INPROC_WAM_CLSID = "{99169CB1-A707-11D0-989D-00C04FD919C1}"

# HRESULTs the ADSI provider returns (as signed 32-bit ints, the way VBScript's Err.Number shows them).
E_PATH_NOT_FOUND = -2147024893  # 0x80070003
E_ACCESS_DENIED = -2147024891  # 0x80070005
E_ADS_BAD_PATHNAME = -2147463168  # 0x80005000
E_ADS_PROPERTY_NOT_SET = -2147463162  # 0x80005006
E_ADS_PROPERTY_NOT_FOUND = -2147463155  # 0x8000500D
E_ALREADY_EXISTS = -2147024713  # 0x800700B7


class MetabaseError(Exception):
    def __init__(self, hresult: int, message: str = "") -> None:
        super().__init__(message)
        self.hresult = hresult


@dataclass(frozen=True)
class PropDef:
    name: str
    syntax: str
    inherit: bool = True
    secure: bool = False
    flag_of: tuple[str, int] | None = None  # (flags property, bit) for the boolean views

    @property
    def vb_type(self) -> str:
        """VBScript TypeName of the value as the IIS 4.0-era script printed it (KB Q247098)."""
        return {STRING: "String", EXPANDSZ: "String", INTEGER: "Integer", BOOLEAN: "Boolean", LIST: "Variant()"}[
            self.syntax
        ]


def _p(name: str, syntax: str, inherit: bool = True, **kw: Any) -> PropDef:
    return PropDef(name, syntax, inherit, **kw)


_PROPS = [
    _p("KeyType", STRING, False),
    _p("ServerComment", STRING, False),
    _p("ServerBindings", LIST, False),
    _p("SecureBindings", LIST, False),
    _p("ServerAutoStart", BOOLEAN, False),
    _p("ServerSize", INTEGER),
    _p("MaxConnections", INTEGER),
    _p("ConnectionTimeout", INTEGER),
    _p("AllowKeepAlive", BOOLEAN),
    _p("Path", STRING, False),
    _p("AnonymousUserName", STRING),
    _p("AnonymousUserPass", STRING, secure=True),
    _p("AuthFlags", INTEGER),
    _p("AuthAnonymous", BOOLEAN, flag_of=("AuthFlags", 0x1)),
    _p("AuthBasic", BOOLEAN, flag_of=("AuthFlags", 0x2)),
    _p("AuthNTLM", BOOLEAN, flag_of=("AuthFlags", 0x4)),
    _p("AccessFlags", INTEGER),
    _p("AccessRead", BOOLEAN, flag_of=("AccessFlags", 0x1)),
    _p("AccessWrite", BOOLEAN, flag_of=("AccessFlags", 0x2)),
    _p("AccessExecute", BOOLEAN, flag_of=("AccessFlags", 0x4)),
    _p("AccessScript", BOOLEAN, flag_of=("AccessFlags", 0x200)),
    _p("DefaultDoc", STRING),
    _p("DirBrowseFlags", INTEGER),
    _p("EnableDirBrowsing", BOOLEAN, flag_of=("DirBrowseFlags", 0x80000000)),
    _p("EnableDefaultDoc", BOOLEAN, flag_of=("DirBrowseFlags", 0x40000000)),
    _p("ScriptMaps", LIST),
    _p("AspBufferingOn", BOOLEAN),
    _p("AspAllowSessionState", BOOLEAN),
    _p("AspSessionTimeout", INTEGER),
    _p("AspScriptTimeout", INTEGER),
    _p("AspScriptLanguage", STRING),
    _p("AspEnableParentPaths", BOOLEAN),
    _p("AspScriptErrorSentToBrowser", BOOLEAN),
    _p("LogType", INTEGER),
    _p("LogFileDirectory", EXPANDSZ),
    _p("LogFilePeriod", INTEGER),
    _p("AppRoot", STRING),
    _p("AppIsolated", INTEGER),
    _p("AppFriendlyName", STRING),
    _p("AppWamClsid", STRING),
    _p("AppPoolId", STRING),
    _p("AppPackageID", STRING),
    _p("AppPackageName", STRING),
    _p("IIs5IsolationModeEnabled", BOOLEAN, False),
    _p("AppPoolState", INTEGER, False),
    _p("AppPoolCommand", INTEGER, False),
    _p("ShutdownTimeLimit", INTEGER, False),
    _p("DisallowOverlappingRotation", BOOLEAN, False),
    _p("FilterLoadOrder", STRING, False),
    _p("FilterPath", STRING, False),
    _p("FilterDescription", STRING, False),
]
SCHEMA: dict[str, PropDef] = {p.name.lower(): p for p in _PROPS}
# Properties that came with later IIS versions (issue 13): unknown to the schema of older hosts.
SINCE: dict[str, int] = {
    "apppackageid": 5,
    "apppackagename": 5,
    "apppoolid": 6,
    "iis5isolationmodeenabled": 6,
    "apppoolstate": 6,
    "apppoolcommand": 6,
    "shutdowntimelimit": 6,
    "disallowoverlappingrotation": 6,
}
POOLED_WAM_CLSID = "{3D14228D-FBE1-11D0-995D-00C04FD919C1}"  # the pooled applications' WAM (a lab choice)

_WEB_COMMON = [
    "MaxConnections", "ConnectionTimeout", "AllowKeepAlive", "AnonymousUserName", "AnonymousUserPass",
    "AuthFlags", "AuthAnonymous", "AuthBasic", "AuthNTLM", "AccessFlags", "AccessRead", "AccessWrite",
    "AccessExecute", "AccessScript", "DefaultDoc", "DirBrowseFlags", "EnableDirBrowsing", "EnableDefaultDoc",
    "ScriptMaps", "AspBufferingOn", "AspAllowSessionState", "AspSessionTimeout", "AspScriptTimeout",
    "AspScriptLanguage", "AspEnableParentPaths", "AspScriptErrorSentToBrowser", "AppRoot", "AppIsolated",
    "AppFriendlyName", "AppWamClsid", "AppPoolId", "AppPackageID", "AppPackageName",
]  # fmt: skip
_LOGGING = ["LogType", "LogFileDirectory", "LogFilePeriod"]
_SERVER = ["ServerComment", "ServerBindings", "SecureBindings", "ServerAutoStart", "ServerSize"]

CLASSES: dict[str, list[str]] = {
    "IIsComputer": ["KeyType", "MaxConnections"],
    "IIsWebService": ["KeyType", *_WEB_COMMON, *_LOGGING, "ServerSize", "IIs5IsolationModeEnabled"],
    "IIsApplicationPools": ["KeyType"],
    "IIsApplicationPool": [
        "KeyType",
        "AppPoolState",
        "AppPoolCommand",
        "ShutdownTimeLimit",
        "DisallowOverlappingRotation",
    ],
    "IIsWebServer": ["KeyType", *_SERVER, *_WEB_COMMON, *_LOGGING],
    "IIsWebVirtualDir": ["KeyType", "Path", *_WEB_COMMON],
    "IIsWebDirectory": ["KeyType", *_WEB_COMMON],
    "IIsWebFile": ["KeyType", *_WEB_COMMON],
    "IIsWebInfo": ["KeyType"],
    "IIsFilters": ["KeyType", "FilterLoadOrder"],
    "IIsFilter": ["KeyType", "FilterPath", "FilterDescription"],
    "IIsFtpService": ["KeyType", "MaxConnections", "ConnectionTimeout", "AnonymousUserName", "AnonymousUserPass"],
    "IIsFtpServer": ["KeyType", *_SERVER, "MaxConnections", "ConnectionTimeout"],
    "IIsFtpVirtualDir": ["KeyType", "Path", "AccessFlags", "AccessRead", "AccessWrite"],
    "IIsSmtpService": ["KeyType", "MaxConnections"],
    "IIsSmtpServer": ["KeyType", *_SERVER],
    "IIsNntpService": ["KeyType", "MaxConnections"],
    "IIsNntpServer": ["KeyType", *_SERVER],
    "IIsObject": ["KeyType"],
}
_CLASS_BY_LOWER = {k.lower(): k for k in CLASSES}


@dataclass
class Key:
    name: str
    parent: Key | None = None
    children: list[Key] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # lower-case property name -> value

    @property
    def path(self) -> str:
        parts = []
        node: Key | None = self
        while node is not None:
            parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts))

    @property
    def keytype(self) -> str:
        return str(self.values.get("keytype", "IIsObject"))

    def child(self, name: str) -> Key | None:
        low = name.lower()
        for c in self.children:
            if c.name.lower() == low:
                return c
        return None

    def walk(self) -> Iterator[Key]:
        yield self
        for c in self.children:
            yield from c.walk()


def class_props(keytype: str) -> list[str]:
    return CLASSES.get(_CLASS_BY_LOWER.get(keytype.lower(), "IIsObject"), CLASSES["IIsObject"])


class Metabase:
    """The metabase of one host.  All methods take the model lock."""

    def __init__(self, config: HostConfig, lock: threading.RLock | None = None) -> None:
        self.config = config
        self.iis = versions.iis_major(config)
        self.lock = lock or threading.RLock()
        self.root = Key("LM")
        self.root.values["keytype"] = "IIsComputer"
        self._build()

    # ------------------------------------------------------------------------------------------------
    # building from the host configuration

    def _build(self) -> None:
        cfg = self.config
        host = cfg.name.upper()
        w3 = self.create("W3SVC", "IIsWebService")
        sysroot = cfg.system_root
        inetsrv = sysroot + "\\System32\\inetsrv"
        w3.values.update(
            {
                "maxconnections": 1000,
                "connectiontimeout": 900,
                "allowkeepalive": True,
                "anonymoususername": f"IUSR_{host}",
                "anonymoususerpass": "lab-anonymous",
                "authflags": 5,
                "accessflags": 1,
                "defaultdoc": "Default.htm,Default.asp",
                "dirbrowseflags": 0x4000001E,
                "scriptmaps": [
                    f".asp,{inetsrv}\\asp.dll,1,PUT,DELETE",
                    f".asa,{inetsrv}\\asp.dll,1,PUT,DELETE",
                    f".cer,{inetsrv}\\asp.dll,1,PUT,DELETE",
                    f".idc,{inetsrv}\\httpodbc.dll,1,OPTIONS",
                    f".shtm,{inetsrv}\\ssinc.dll,1",
                    f".shtml,{inetsrv}\\ssinc.dll,1",
                    f".stm,{inetsrv}\\ssinc.dll,1",
                ],
                "aspbufferingon": False,
                "aspallowsessionstate": True,
                "aspsessiontimeout": 20,
                "aspscripttimeout": 90,
                "aspscriptlanguage": "VBScript",
                "aspenableparentpaths": True,
                "aspscripterrorsenttobrowser": True,
                "logtype": 1,
                "logfiledirectory": "%WinDir%\\System32\\LogFiles",
                "logfileperiod": 1,
                "approot": "/LM/W3SVC",
                "appisolated": 0,
                "appwamclsid": INPROC_WAM_CLSID,
            }
        )
        if self.iis >= 6:
            w3.values["apppoolid"] = versions.DEFAULT_POOL
            if self.iis == 6:
                w3.values["iis5isolationmodeenabled"] = bool(cfg.iis5_isolation_mode)
            self.create("W3SVC/AppPools", "IIsApplicationPools")
            for pool in pool_configs(cfg):
                key = self.create(f"W3SVC/AppPools/{pool.name}", "IIsApplicationPool")
                key.values.update(
                    {
                        "apppoolstate": 2 if pool.started else 4,
                        "shutdowntimelimit": pool.shutdown_time_limit,
                        "disallowoverlappingrotation": bool(pool.disallow_overlapping_rotation),
                    }
                )
        self.create("W3SVC/Info", "IIsWebInfo")
        filters = self.create("W3SVC/Filters", "IIsFilters")
        filters.values["filterloadorder"] = "sspifilt"
        sspi = self.create("W3SVC/Filters/sspifilt", "IIsFilter")
        sspi.values["filterpath"] = f"{inetsrv}\\sspifilt.dll"
        for site in cfg.sites:
            self._build_site(site)
        services = {s.upper() for s in cfg.services}
        if "MSFTPSVC" in services:
            ftp = self.create("MSFTPSVC", "IIsFtpService")
            ftp.values.update({"maxconnections": 100000, "connectiontimeout": 900})
            srv = self.create("MSFTPSVC/1", "IIsFtpServer")
            srv.values.update({"servercomment": "Default FTP Site", "serverbindings": [":21:"]})
            root = self.create("MSFTPSVC/1/ROOT", "IIsFtpVirtualDir")
            root.values.update({"path": "C:\\InetPub\\ftproot", "accessflags": 1})
        if "SMTPSVC" in services:
            self.create("SMTPSVC", "IIsSmtpService")
            self.create("SMTPSVC/1", "IIsSmtpServer").values.update(
                {"servercomment": "Default SMTP Site", "serverbindings": [":25:"]}
            )
        if "NNTPSVC" in services:
            self.create("NNTPSVC", "IIsNntpService")
            self.create("NNTPSVC/1", "IIsNntpServer").values.update(
                {"servercomment": "Default NNTP Site", "serverbindings": [":119:"]}
            )

    def _build_site(self, site: SiteConfig) -> None:
        server = self.create(f"W3SVC/{site.number}", "IIsWebServer")
        server.values.update(
            {
                "servercomment": site.comment,
                "serverbindings": self.config.site_bindings(site),
                "serverautostart": True,
            }
        )
        root = self.create(f"W3SVC/{site.number}/ROOT", "IIsWebVirtualDir")
        root.values.update({"path": site.root, "accessflags": 0x201})
        if self.iis >= 5 and not any(a.app_isolated is not None for a in site.apps if not self.split(a.path)):
            # IIS 5+: a site's root is an application; AppIsolated defaults to 2 (pooled) - facts, "IIS 5.0 / 5.1"
            self._make_app(root, 2, "Default Application")
        for app in sorted(site.apps, key=lambda a: a.path.count("/") if a.path != "/" else 0):
            key = root
            parts = [p for p in app.path.split("/") if p]
            for i, part in enumerate(parts):
                nxt = key.child(part)
                if nxt is None:
                    nxt = Key(part, key)
                    key.children.append(nxt)
                    nxt.values["keytype"] = "IIsWebVirtualDir"
                    nxt.values["path"] = self.physical_path(site, "/" + "/".join(parts[: i + 1]), None)
                key = nxt
            if parts:
                key.values["path"] = self.physical_path(site, app.path, app)
                key.values.setdefault("accessflags", 0x201)
            if app.app_isolated is not None:
                friendly = app.friendly_name or ("Default Application" if not parts else parts[-1])
                self._make_app(key, app.app_isolated, friendly, app.app_root)
            if app.app_pool is not None and self.iis >= 6:
                key.values["apppoolid"] = app.app_pool

    @staticmethod
    def physical_path(site: SiteConfig, url_path: str, app: AppConfig | None) -> str:
        if app is not None and app.physical:
            return app.physical
        parts = [p for p in url_path.split("/") if p]
        return "\\".join([site.root.rstrip("\\"), *parts]) if parts else site.root

    def _make_app(self, key: Key, isolation: int, friendly: str | None = None, spelled: str | None = None) -> None:
        # AppRoot is stored as the creator spelled the path (AppCreate of "w3svc/1/root/shop" stores
        # "/LM/w3svc/1/root/shop"); KB Q246111's AppUnload compares against this value case-sensitively.
        key.values["approot"] = spelled or key.path
        key.values["appisolated"] = int(isolation)
        if friendly is not None:
            key.values["appfriendlyname"] = friendly
        for name in ("appwamclsid", "apppackageid", "apppackagename"):
            key.values.pop(name, None)
        if isolation == 1:
            guid = uuid.uuid5(uuid.NAMESPACE_URL, f"lab-wam:{self.config.name}:{key.path.lower()}")
            key.values["appwamclsid"] = "{" + str(guid).upper() + "}"
            if self.iis >= 5:
                # IIS 5: the isolated application's COM+ server application (tests/lab/machine/catalog.py)
                package = uuid.uuid5(uuid.NAMESPACE_URL, f"lab-iis-app:{self.config.name}:{key.path.lower()}")
                key.values["apppackageid"] = "{" + str(package).upper() + "}"
                key.values["apppackagename"] = self.package_name(key)
        elif isolation == 2:
            key.values["appwamclsid"] = POOLED_WAM_CLSID

    def package_name(self, key: Key) -> str:
        """The COM+ application IIS 5 makes for an isolated application: ``IIS-{<site comment>//Root/<path>}``
        (the spelling a choice; the facts say separators vary)."""
        parts = self.split(key.path)  # W3SVC, n, ROOT, ...
        site = self.resolve("/".join(parts[:2])) if len(parts) >= 2 else None
        comment = str(self.stored(site, "ServerComment") or "") if site is not None else ""
        rest = "/".join(["Root", *parts[3:]])
        return f"IIS-{{{comment}//{rest}}}"

    # ------------------------------------------------------------------------------------------------
    # paths and keys

    @staticmethod
    def split(path: str) -> list[str]:
        """Path segments below /LM: accepts ``/LM/W3SVC/1``, ``W3SVC/1``, backslashes, stray slashes."""
        parts = [p for p in path.replace("\\", "/").split("/") if p.strip()]
        if parts and parts[0].upper() == "LM":
            parts = parts[1:]
        return parts

    def resolve(self, path: str) -> Key | None:
        with self.lock:
            key: Key | None = self.root
            for part in self.split(path):
                key = key.child(part) if key is not None else None
                if key is None:
                    return None
            return key

    def require(self, path: str) -> Key:
        key = self.resolve(path)
        if key is None:
            raise MetabaseError(E_PATH_NOT_FOUND, "The path requested could not be found.")
        return key

    def create(self, path: str, keytype: str = "IIsObject") -> Key:
        """Create ``path`` (and missing parents as IIsObject); returns the key.  Existing keys are kept."""
        with self.lock:
            key = self.root
            parts = self.split(path)
            for i, part in enumerate(parts):
                nxt = key.child(part)
                if nxt is None:
                    nxt = Key(part, key)
                    key.children.append(nxt)
                    nxt.values["keytype"] = keytype if i == len(parts) - 1 else "IIsObject"
                key = nxt
            return key

    def delete_key(self, key: Key) -> None:
        with self.lock:
            if key.parent is not None:
                key.parent.children.remove(key)

    # ------------------------------------------------------------------------------------------------
    # properties

    def schema(self, name: str) -> PropDef | None:
        """The schema entry of ``name``; None when unknown (or not known yet to this host's IIS version)."""
        if SINCE.get(name.lower(), 0) > self.iis:
            return None
        return SCHEMA.get(name.lower())

    def allowed(self, key: Key, name: str) -> bool:
        return name.lower() in {p.lower() for p in class_props(key.keytype)}

    def stored(self, key: Key, name: str) -> Any | None:
        """The value stored on this very key, or None (boolean views: derived from the stored flags)."""
        with self.lock:
            pdef = self.schema(name)
            if pdef is not None and pdef.flag_of is not None:
                flags = key.values.get(pdef.flag_of[0].lower())
                return None if flags is None else bool(int(flags) & pdef.flag_of[1])
            return key.values.get(name.lower())

    def is_stored(self, key: Key, name: str) -> bool:
        return self.stored(key, name) is not None

    def effective(self, key: Key, name: str) -> Any | None:
        """The value IIS uses: stored here, or (inheritable properties) on the nearest key upwards."""
        with self.lock:
            pdef = self.schema(name)
            node: Key | None = key
            while node is not None:
                value = self.stored(node, name)
                if value is not None:
                    return value
                if pdef is not None and not pdef.inherit:
                    return None
                node = node.parent
            return None

    def set(self, key: Key, name: str, value: Any) -> None:
        with self.lock:
            pdef = self.schema(name)
            if pdef is not None and pdef.flag_of is not None:
                flag_name, bit = pdef.flag_of
                current = int(self.effective(key, flag_name) or 0)
                key.values[flag_name.lower()] = (current | bit) if value else (current & ~bit)
                return
            key.values[name.lower()] = value

    def clear(self, key: Key, name: str) -> bool:
        with self.lock:
            pdef = self.schema(name)
            if pdef is not None and pdef.flag_of is not None:
                name = pdef.flag_of[0]
            return key.values.pop(name.lower(), None) is not None

    def data_paths(self, key: Key, name: str) -> list[Key]:
        """Keys at or below ``key`` that store ``name`` (GetDataPaths)."""
        with self.lock:
            return [k for k in key.walk() if self.is_stored(k, name)]

    def stored_props(self, key: Key) -> list[tuple[PropDef, Any]]:
        """What ENUM prints for ``key``: the stored properties, in the class's order."""
        with self.lock:
            out = []
            for name in class_props(key.keytype):
                value = self.stored(key, name)
                if value is not None:
                    out.append((SCHEMA[name.lower()], value))
            return out

    # ------------------------------------------------------------------------------------------------
    # applications

    def is_app_root(self, key: Key) -> bool:
        root = self.stored(key, "AppRoot")
        return isinstance(root, str) and root.rstrip("/").lower() == key.path.lower()

    def app_root_of(self, key: Key) -> Key | None:
        """The application a key belongs to: the key named by its effective AppRoot."""
        with self.lock:
            node: Key | None = key
            while node is not None:
                if self.is_app_root(node):
                    return node
                node = node.parent
            return None

    def app_create(self, key: Key, isolation: int, spelled: str | None = None) -> None:
        with self.lock:
            self._make_app(key, isolation, spelled=spelled)

    def app_root_value(self, key: Key) -> str:
        """The AppRoot stored on an application root, without a trailing slash (as spelled when created)."""
        return str(self.stored(key, "AppRoot") or key.path).rstrip("/")

    def app_delete(self, key: Key) -> None:
        with self.lock:
            for name in ("approot", "appisolated", "appwamclsid", "appfriendlyname", "apppackageid", "apppackagename"):
                key.values.pop(name, None)

    def isolation(self, app_key: Key) -> int:
        """AppIsolated of an application: 0 in-process, 1 isolated, 2 pooled (IIS 5)."""
        return int(self.effective(app_key, "AppIsolated") or 0)

    def isolated(self, app_key: Key) -> bool:
        return self.isolation(app_key) == 1

    def app_pool(self, key: Key) -> str:
        """The effective AppPoolId (IIS 6+), ``DefaultAppPool`` when nothing is stored."""
        return str(self.effective(key, "AppPoolId") or versions.DEFAULT_POOL)

    def applications(self) -> list[Key]:
        with self.lock:
            return [k for k in self.root.walk() if self.is_app_root(k)]

    # ------------------------------------------------------------------------------------------------
    # web requests

    def sites(self) -> list[Key]:
        w3 = self.resolve("W3SVC")
        return [] if w3 is None else [k for k in w3.children if k.keytype.lower() == "iiswebserver"]

    def site_for_port(self, port: int) -> Key | None:
        with self.lock:
            for site in self.sites():
                for binding in self.stored(site, "ServerBindings") or []:
                    parts = str(binding).split(":")
                    if len(parts) >= 2 and parts[1].strip() == str(port):
                        return site
            return None

    def key_for_url(self, site: Key, url_path: str) -> Key:
        """The deepest metabase key under the site's ROOT that the URL path reaches."""
        with self.lock:
            root = site.child("ROOT")
            if root is None:
                raise MetabaseError(E_PATH_NOT_FOUND, "no ROOT")
            key = root
            for part in [p for p in url_path.split("?")[0].split("/") if p]:
                nxt = key.child(part)
                if nxt is None:
                    break
                key = nxt
            return key

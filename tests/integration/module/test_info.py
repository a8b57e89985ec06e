"""legacy_iis.iis4.iis4_component_info against lab hosts (issue 23, part 3).

Over every host of the variations, packages, versions and mixed scenarios, what the module reports agrees with
the lab machine's own state (its metabase's isolation, its pools, the processes that mapped the DLL, the file,
the package that registers it) and with the release the update module's check mode plans; and the module
changes nothing: every command line the lab recorded is a read-only one, no service, pool or process changed,
and the file system is byte for byte what it was.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
import yaml

from ansible_collections.legacy_iis.iis4.plugins.module_utils.info import SCRIPT_PREFIX, run_info
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from ansible_collections.legacy_iis.iis4.plugins.modules.iis4_component_info import RETURN
from tests.integration.ansible_helpers import run_adhoc
from tests.integration.faults import harness as h
from tests.integration.module.scenario import args_of, served
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL

pytestmark = [pytest.mark.lab, pytest.mark.timeout(600)]

MODULE = "legacy_iis.iis4.iis4_component_info"
IIS_OF_KIND = {"nt4": "4.0", "w2k": "5.0", "xp": "5.1", "w2k3": "6.0", "w2k8r2": "7.5", "w2k19": "10.0"}
DOCUMENTED = yaml.safe_load(RETURN)
POOL_STATES = {1: "Starting", 2: "Started", 3: "Stopping", 4: "Stopped"}
RUNS = {0: "in_process", 1: "isolated", 2: "pooled"}
#: Commands (or switches) that change something; none may reach the host.
WRITERS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bnet\s+(stop|start|pause|continue)\s+[A-Za-z\"]",
        r"(^|[&(|]\s*)(copy|xcopy|move|ren|rename|rd|rmdir|md|mkdir)\s",
        r"\bregsvr32\b",
        r"\biisreset\b",
        r"\biisapp\b",
        r"\battrib\s+[+-]",
        r"\bsc\s+(stop|start|config|delete|create|control|pause|continue)\b",
        r"adsutil\.vbs\"?\s+(SET|DELETE|CREATE|COPY|RENAME|APP(?!GETSTATUS)\w+|START_SERVER|STOP_SERVER|PAUSE_SERVER)",
        r"appcmd\.exe\s+(stop|start|recycle|set|add|delete|unlock|lock|install|uninstall)\b",
        r"\btype\s+nul\s*>",
    )
]


def script_path(line: str) -> str | None:
    m = re.search(r'"([A-Za-z]:\\[^"]*\\' + re.escape(SCRIPT_PREFIX) + r'[0-9a-f]+\.vbs)"', line)
    return m.group(1) if m else None


def writes_in(line: str) -> list[str]:
    """What ``line`` would change: a command from WRITERS, a file it redirects into (other than nul and the catalog
    script), a del of anything but that script, a call of mtxstop."""
    found = [w.pattern for w in WRITERS if w.search(line)]
    script = script_path(line)
    for m in re.finditer(r'(?<![0-9&])>{1,2}\s*("[^"]*"|[^\s&|)]+)', line):
        target = m.group(1).strip('"')
        if target.lower() not in ("nul", "&1", "&2") and target != script:
            found.append(f"redirect into {target}")
    for m in re.finditer(r'(?:^|[&(|]\s*)(?:del|erase)\s+("[^"]*"|\S+)', line, re.IGNORECASE):
        if m.group(1).strip('"') != script:
            found.append(f"del {m.group(1)}")
    rest = re.sub(r'exist "[^"]*mtxstop\.exe"', "", line, flags=re.IGNORECASE)
    if "mtxstop" in re.sub(r"[#@]{2}mtxstop", "", rest, flags=re.IGNORECASE).lower():
        found.append("mtxstop")
    return found


def test_the_read_only_check_itself_catches_writers():
    """The checker of every scenario test: it flags what the update sends and passes what the info module sends."""
    assert writes_in("net stop IISADMIN /y 2>&1") and writes_in('copy /y "C:\\a.dll" "C:\\b.dll" >nul')
    assert writes_in('cscript //nologo "C:\\x\\adsutil.vbs" APPUNLOAD W3SVC/1/ROOT/Shop 2>&1')
    assert writes_in('del "C:\\InetPub\\shop\\bin\\ShopCart.dll.iis4state"') and writes_in("call mtxstop.exe")
    assert writes_in('(echo x)>"C:\\InetPub\\shop\\bin\\ShopCart.dll.iis4state"')
    assert writes_in("%SystemRoot%\\system32\\inetsrv\\appcmd.exe stop apppool /apppool.name:ShopPool")
    script = f"C:\\TEMP\\{SCRIPT_PREFIX}0a1b2c3d.vbs"
    assert not writes_in(f'(echo x)>"{script}"&cscript //nologo "{script}" 2>&1&del "{script}" 2>&1')
    assert not writes_in('(if exist "C:\\Program Files\\Mts\\mtxstop.exe" (echo ##mtxstop))&echo @@mtxstop')
    assert not writes_in('cscript //nologo "C:\\x\\adsutil.vbs" ENUM_ALL W3SVC 2>&1&net start 2>&1')


# ------------------------------------------------------------------------------------------------------
# The lab's own state


def lab_applications(host: Any, worker_mode: bool) -> dict[tuple[str, str], dict[str, Any]]:
    """(site description, path) -> how the lab runs that application, from its metabase and pools."""
    machine = host.machine
    mb = machine.metabase
    comments = {site.name: str(mb.stored(site, "ServerComment") or site.name) for site in mb.sites()}
    out = {}
    for key in mb.applications():
        parts = key.path.strip("/").split("/")
        if len(parts) < 4 or parts[1].upper() != "W3SVC" or parts[3].upper() != "ROOT":
            continue
        where = (comments[parts[2]], "/" + "/".join(parts[4:]))
        if worker_mode:
            pool = mb.app_pool(key)
            out[where] = {"runs": "app_pool", "app_pool": pool, "app_pool_state": POOL_STATES[machine.pool_state(pool)]}
        else:
            out[where] = {"runs": RUNS[mb.isolation(key)], "app_pool": None, "app_pool_state": None}
    return out


def lab_holders(host: Any, dest: str) -> set[tuple[int, str]]:
    return {(p.pid, p.image) for p in host.machine.processes.all() if p.loaded(dest) is not None}


def lab_package(host: Any, dest: str) -> str | None:
    for pkg in host.config.packages or ():
        if any(c.dll.lower() == dest.lower() for c in pkg.components):
            return pkg.name
    return None


def machine_state(host: Any) -> dict[str, Any]:
    m = host.machine
    pools = {name: m.pool_state(name) for name in getattr(m, "pools", {})}
    return {
        "services": m.scm.states(),
        "pools": pools,
        "processes": sorted((p.pid, p.image) for p in m.processes.all()),
        "files": m.fs.snapshot(),
        "registrations": dict(m.registrations),
    }


def worker_mode_of(host: Any) -> bool:
    kind = host.config.kind
    return kind in ("w2k8r2", "w2k19") or (kind == "w2k3" and not host.config.iis5_isolation_mode)


# ------------------------------------------------------------------------------------------------------
# One host


def info_args(host: Any) -> dict[str, Any]:
    a = args_of(host)
    args = {"dest": [a["dest"]], "application": a["application"]}
    if a.get("site"):
        args["site"] = a["site"]
    return args


def check_host(host: Any, lab: Any) -> list[str]:
    """Run the module on ``host``; what it reports that disagrees with the lab, and anything it changed."""
    served(host)  # the component is loaded, as on a host in use
    time.sleep(0.05)
    before = machine_state(host)
    t0 = time.monotonic()
    res = run_info(info_args(host), h.make_runner(host))
    after = machine_state(host)
    name = host.name
    if res.get("failed"):
        return [f"{name}: failed at {res.get('step')}: {res.get('msg')}"]
    problems = []
    # Nothing changed, and every command line was a read-only one.
    for what in ("services", "pools", "processes", "registrations"):
        if before[what] != after[what]:
            problems.append(f"{name}: {what} changed: {before[what]} -> {after[what]}")
    if before["files"] != after["files"]:
        changed = sorted(set(before["files"]) ^ set(after["files"])) or [
            f for f in before["files"] if before["files"][f] != after["files"].get(f)
        ]
        problems.append(f"{name}: files changed: {changed}")
    lines = [e.detail["line"] for e in lab.log.events(host=name, kind="command", since=t0)]
    if not lines or res["changed"] is not False:
        problems.append(f"{name}: {len(lines)} command(s) recorded, changed={res['changed']}")
    for line in lines:
        if writes_in(line):
            problems.append(f"{name}: a command that changes something: {writes_in(line)} in {line[:200]!r}")
    for e in lab.log.events(host=name, kind="file", since=t0):
        if SCRIPT_PREFIX not in str(e.detail.get("path", "")):
            problems.append(f"{name}: file event {e.detail}")
    # Every key is documented, and every documented key of host, applications and components is there.
    for where, got, doc in [
        ("result", set(res) - {"warnings"}, set(DOCUMENTED) - {"error_kind", "step"}),
        ("host", set(res["host"]), set(DOCUMENTED["host"]["contains"])),
        ("components[]", set(res["components"][0]), set(DOCUMENTED["components"]["contains"])),
        *[("applications[]", set(a), set(DOCUMENTED["applications"]["contains"])) for a in res["applications"]],
    ]:
        if got != doc:
            problems.append(f"{name}: {where} keys {sorted(got ^ doc)} returned but not documented or the reverse")
    # The host.
    host_info = res["host"]
    if host_info["iis_version"] != IIS_OF_KIND[host.config.kind]:
        problems.append(f"{name}: iis_version {host_info['iis_version']} on a {host.config.kind} host")
    running = {s for s, state in before["services"].items() if state == "RUNNING"}
    if not set(host_info["services_running"]) <= running:
        problems.append(f"{name}: services_running {host_info['services_running']}, lab {sorted(running)}")
    worker = worker_mode_of(host)
    if (host_info["isolation_mode"] == "worker_process") != worker:
        problems.append(f"{name}: isolation_mode {host_info['isolation_mode']} (lab worker mode: {worker})")
    # Its applications.
    expected = lab_applications(host, worker)
    got = {(a["site_name"], a["path"]): a for a in res["applications"]}
    if set(got) != set(expected):
        problems.append(f"{name}: applications {sorted(got)}, lab {sorted(expected)}")
    for where, want in expected.items():
        row = got.get(where)
        if row is not None and {k: row[k] for k in want} != want:
            problems.append(f"{name}: application {where}: {row}, lab {want}")
    # The DLL.
    dest = info_args(host)["dest"][0]
    comp = res["components"][0]
    data = h.read_file(host, dest)
    if comp["exists"] != (data is not None) or comp["size"] != (len(data) if data is not None else None):
        problems.append(f"{name}: size {comp['size']}, lab {len(data) if data is not None else None}")
    if comp["holders_tool"] is not None:
        holders = {(x["pid"], x["image"]) for x in comp["holders"]}
        if holders != lab_holders(host, dest):
            problems.append(f"{name}: holders {holders}, lab {lab_holders(host, dest)}")
    elif host.config.has_tlist or host.config.has_tasklist:
        problems.append(f"{name}: holders not read although the host has tlist or tasklist")
    if comp["version"] is not None:  # no lab host has filever.exe or wmic
        problems.append(f"{name}: version {comp['version']} from {comp['version_source']}")
    if comp["backups"] or comp["interrupted_run"] is not None:
        problems.append(f"{name}: backups {comp['backups']}, record {comp['interrupted_run']}")
    package = (comp["package"] or {}).get("name")
    if comp["error"] is None and host.config.catalog and package != lab_package(host, dest):
        problems.append(f"{name}: package {package}, lab {lab_package(host, dest)}")
    return problems + agrees_with_check_mode(host, comp)


def agrees_with_check_mode(host: Any, comp: dict[str, Any]) -> list[str]:
    """The update module's check mode plans the same release (it writes its catalog script: run after the checks)."""
    plan = run_update(args_of(host), h.make_runner(host), check_mode=True)
    if plan.get("failed"):
        if comp["error"] is None and comp["method"] != "copy" and plan.get("step") not in ("holders",):
            return [f"{host.name}: check mode failed ({plan.get('msg')}) where info planned {comp['method']}"]
        return []
    if comp["method"] != plan["method"] or comp["blast_radius"] != plan["blast_radius"]:
        return [f"{host.name}: info {comp['method']} {comp['blast_radius']}, check mode {plan['method']}"]
    if comp["isolation"] != plan["isolation"] or comp["applications"] != plan["applications"]:
        return [f"{host.name}: info {comp['isolation']} {comp['applications']}, check mode {plan['isolation']}"]
    return []


@pytest.mark.parametrize("scenario", ["variations.yaml", "packages.yaml", "versions.yaml", "mixed.yaml", "lan.yaml"])
def test_info_agrees_with_the_lab_and_changes_nothing(scenario, scenario_hosts, lab):
    hosts = scenario_hosts(scenario, prefix="I")
    problems: list[str] = []
    for host in hosts:
        problems += check_host(host, lab)
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------------------
# Backups, an interrupted run, several DLLs, no DLL


def test_backups_after_an_update_and_an_interrupted_run(lab_host, lab):
    host = lab_host(fleet_index=1, has_tlist=True, has_filever=True)  # /Shop isolated
    old = h.read_file(host, SHOP_DLL)
    update = h.run_module(host, h.module_args())
    assert not update.get("failed"), update["msg"]
    served(host)
    res = run_info({"dest": [SHOP_DLL, STAGED_DLL], "application": ["/Shop"]}, h.make_runner(host))
    assert not res.get("failed"), res["msg"]
    comp, staged = res["components"]
    assert [b["path"] for b in comp["backups"]] == [update["backup_file"]]
    assert comp["backups"][0]["size"] == len(old)
    stamp = update["backup_file"].rsplit(".", 2)[1]
    assert comp["backups"][0]["made"].replace("-", "").replace(":", "").replace("T", "")[:14] == stamp
    assert comp["size"] == len(h.read_file(host, SHOP_DLL)) and comp["method"] == "unload"
    assert {(x["pid"], x["image"]) for x in comp["holders"]} == lab_holders(host, SHOP_DLL) != set()
    assert comp["holders_tool"] == "tlist"
    assert (comp["version"], comp["version_source"]) == ("2.0.0.0", "filever")  # the lab DLL's own version
    assert staged["dest"] == STAGED_DLL and staged["exists"] and staged["backups"] == []
    # A state record beside dest: an update was interrupted; the info module names it, and does not recover it.
    record = b"run=20261207101500\r\nmethod=service_restart\r\nservices=IISADMIN,W3SVC\r\nstarted=stop\r\n"
    host.machine.write_file(SHOP_DLL + ".iis4state", record)
    res = run_info({"dest": [SHOP_DLL], "application": ["/Shop"]}, h.make_runner(host))
    assert res["components"][0]["interrupted_run"] == {
        "run": "20261207101500",
        "method": "service_restart",
        "services": "IISADMIN,W3SVC",
        "started": "stop",
    }
    assert h.read_file(host, SHOP_DLL + ".iis4state") is not None


def test_without_dll_only_host_and_applications_and_no_catalog_script(lab_host, lab):
    host = lab_host(fleet_index=0, kind="w2k")
    t0 = time.monotonic()
    res = run_info({}, h.make_runner(host))
    assert not res.get("failed"), res["msg"]
    assert res["components"] == [] and res["host"]["catalog"] is None
    assert res["host"]["iis_version"] == "5.0" and res["applications"]
    lines = [e.detail["line"] for e in lab.log.events(host=host.name, kind="command", since=t0)]
    assert len(lines) == len(res["commands"]) and not any(SCRIPT_PREFIX in line for line in lines)
    assert lab.log.events(host=host.name, kind="file", since=t0) == []


def test_catalog_false_writes_no_file(lab_host, lab):
    host = lab_host(fleet_index=0)
    t0 = time.monotonic()
    res = run_info({"dest": [SHOP_DLL], "application": ["/Shop"], "catalog": False}, h.make_runner(host))
    assert not res.get("failed"), res["msg"]
    assert res["components"][0]["method"] == "service_restart" and res["host"]["catalog"] is None
    assert lab.log.events(host=host.name, kind="file", since=t0) == []


def test_bad_input_fails_before_the_host_is_asked(lab_host, lab):
    host = lab_host(fleet_index=0)
    t0 = time.monotonic()
    res = run_info({"dest": ["relative\\ShopCart.dll"]}, h.make_runner(host))
    assert res["failed"] and res["changed"] is False and "dest" in res["msg"]
    assert lab.log.events(host=host.name, kind="command", since=t0) == []


# ------------------------------------------------------------------------------------------------------
# Through ansible: an ad-hoc inventory of a small fleet, in check mode and not


def test_adhoc_inventory_over_a_fleet_in_check_mode_and_not(scenario_hosts, lab, lab_inventory, tmp_path):
    hosts = [x for x in scenario_hosts("versions.yaml", prefix="A") if x.config.kind in ("w2k", "w2k3", "w2k19")]
    inv = lab_inventory(*hosts)
    for x in hosts:
        served(x)
    before = {x.name: machine_state(x) for x in hosts}
    args = "dest=C:/InetPub/shop/bin/ShopCart.dll application=/Shop"  # key=value: forward slashes
    runs = [run_adhoc(inv, "all", args, tmp_path, module=MODULE, check=check) for check in (True, False)]
    for run in runs:
        assert run.rc == 0, run.stdout + run.stderr
        for x in hosts:
            res = run.result(x.name)
            assert res["changed"] is False and not res.get("failed"), res.get("msg")
            assert res["host"]["iis_version"] == IIS_OF_KIND[x.config.kind]
            assert res["components"][0]["method"] == runs[0].result(x.name)["components"][0]["method"]
            assert {(a["site_name"], a["path"]) for a in res["applications"]} == set(
                lab_applications(x, worker_mode_of(x))
            )
    for x in hosts:
        assert machine_state(x) == before[x.name], x.name
    methods = {
        x.config.kind + ("-iis5" if x.config.iis5_isolation_mode else ""): runs[1].result(x.name)["components"][0][
            "method"
        ]
        for x in hosts
    }
    assert "pool_restart" in methods.values(), methods


def test_ansible_doc_shows_the_module_cleanly(tmp_path):
    import subprocess

    from tests.ansible_env import BIN, ansible_env

    proc = subprocess.run(  # noqa: S603 - our own command line
        [str(BIN / "ansible-doc"), "--json", MODULE],
        env=ansible_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "[WARNING]" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    found = json.loads(proc.stdout)[MODULE]
    assert found["doc"]["version_added"] == "1.2.0" and found["doc"]["attributes"]["check_mode"]["support"] == "full"
    assert "blast_radius" in found["return"]["components"]["contains"]


def test_module_file_runs_directly_and_an_unreachable_host_is_unreachable(lab, lab_host, lab_inventory, tmp_path):
    """Explicit winrm_* options on a local host: the module file talks WinRM itself; a host whose WS-Man is down is
    UNREACHABLE, not failed."""
    host = lab_host(fleet_index=1)
    inv = tmp_path / "local.yml"
    inv.write_text("all:\n  hosts:\n    controller:\n      ansible_connection: local\n", encoding="utf-8")
    args = {
        "dest": [SHOP_DLL],
        "application": ["/Shop"],
        "winrm_host": host.ip,
        "winrm_port": host.config.http_port,
        "winrm_user": host.username,
        "winrm_password": host.password,
        "winrm_transport": "ntlm",
    }
    run = run_adhoc(inv, "controller", args, tmp_path, module=MODULE, check=True)
    res = run.result("controller")
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is False and res["components"][0]["method"] == "unload"
    assert host.password not in run.stdout + run.stderr + json.dumps(res)
    down = lab_host(fleet_index=0)
    down.set_faults(wsman_down=True)
    run = run_adhoc(lab_inventory(down), down.name, {"dest": [SHOP_DLL]}, tmp_path, module=MODULE)
    res = run.result(down.name)
    assert "UNREACHABLE!" in run.stdout, run.stdout
    assert res.get("unreachable") is True and "failed" not in res and res["error_kind"] == "unreachable"

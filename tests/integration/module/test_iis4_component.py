"""legacy_iis.iis4.iis4_component against lab hosts, through the real ansible CLI and pywinrm.

Host roles in the default fleet (tests.lab.machine.config.default_host): index 0 runs /Shop in-process and has FTP
and SMTP; index 1 runs /Shop isolated; every host has a second, isolated site "Intranet".
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request

import pytest

from tests.integration.ansible_helpers import run_adhoc
from tests.integration.faults import harness as h
from tests.lab.harness.fixtures import build_config, worker_index
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import dll_version

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]

ARGS = {"src": STAGED_DLL, "dest": SHOP_DLL, "application": "/Shop"}


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - lab loopback URL
        return resp.read().decode("ascii", "replace")


def served_version(host, path: str = "/Shop/", site: int = 1) -> str | None:
    body = fetch(host.web_url(site) + path)
    for token in body.split():
        if token.startswith("version="):
            return token.split("=", 1)[1]
    return None


def files_beside(host, path: str) -> list[str]:
    folder = path.rsplit("\\", 1)[0].lower() + "\\"
    return sorted(p for p in host.machine.fs.snapshot() if p.lower().startswith(folder))


def service_events(lab, host, since: float) -> list:
    return [e for e in lab.log.events(host=host.name, kind="service") if e.t >= since]


def test_in_process_update_restarts_exactly_the_running_services(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    assert served_version(host) == "1.0.0.0"  # inetinfo.exe now has v1 loaded
    inv = lab_inventory(host)
    t0 = time.monotonic()
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is True
    assert res["isolation"] == "in_process"
    assert res["method"] == "service_restart"
    assert set(res["services_stopped"]) == {"IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"}
    assert res["services_started"] == ["IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"]
    assert res["services_not_running"] == []
    assert res["backup_file"].startswith(SHOP_DLL + ".")
    states = host.machine.scm.states()
    assert all(states[s] == "RUNNING" for s in ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC")), states
    assert dll_version(host.machine.fs.read(SHOP_DLL)) == "2.0.0.0"
    assert dll_version(host.machine.fs.read(res["backup_file"])) == "1.0.0.0"
    leftovers = [p for p in files_beside(host, SHOP_DLL) if p.lower().endswith((".iis4new", ".iis4state", ".cmd"))]
    assert leftovers == []
    stopped = [e.detail["name"] for e in service_events(lab, host, t0) if e.detail.get("new") == "STOPPED"]
    assert set(stopped) == {"IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"}
    assert served_version(host) == "2.0.0.0"
    assert res["applications"][0]["metabase_path"] == "/LM/W3SVC/1/ROOT/Shop"
    assert {a["metabase_path"] for a in res["blast_radius"]["applications"]} == {"/LM/W3SVC/1/ROOT"} | {
        "/LM/W3SVC/1/ROOT/Shop"
    }
    # NT 4's 2047 characters do not hold the outage of four services and the wait for inetinfo.exe to exit (issue
    # 21): it is written to a batch file (apply_write[n]) and called once (apply)
    steps = [s["step"] for s in res["steps"]]
    assert steps[:3] == ["gather", "catalog", "stage"] and steps[-1] == "apply", steps
    assert all(s.startswith("apply_write[") for s in steps[3:-1]), steps


def test_isolated_update_never_stops_w3svc_and_other_site_keeps_serving(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    assert served_version(host) == "1.0.0.0"
    intranet_before = fetch(host.web_url(2) + "/")
    inv = lab_inventory(host)
    t0 = time.monotonic()
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["isolation"] == "out_of_process"
    assert res["method"] == "unload"
    assert res["services_stopped"] == [] and res["services_started"] == []
    assert service_events(lab, host, t0) == []  # no service changed state at all
    assert lab.log.downtime(host.name, "W3SVC", since=t0) == 0.0
    assert fetch(host.web_url(2) + "/") == intranet_before
    assert served_version(host) == "2.0.0.0"
    assert res["outage_seconds"] == 0.0
    assert [a["metabase_path"] for a in res["blast_radius"]["applications"]] == ["/LM/W3SVC/1/ROOT/Shop"]


def test_rerun_is_a_no_op_with_no_outage(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    inv = lab_inventory(host)
    assert run_adhoc(inv, host.name, ARGS, tmp_path).result(host.name)["changed"] is True
    t0 = time.monotonic()
    again = run_adhoc(inv, host.name, ARGS, tmp_path).result(host.name)
    assert again["changed"] is False
    assert again["method"] == "none"
    assert service_events(lab, host, t0) == []
    # Create, the gather Command, its Receive, the Signal terminate MS-WSMV 3.1.4.14 asks for, Delete
    assert again["requests"] <= 5
    assert "already matches" in again["msg"]


def test_check_mode_touches_nothing_and_predicts_the_outage(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    served_version(host)
    before = host.machine.fs.snapshot()
    inv = lab_inventory(host)
    t0 = time.monotonic()
    run = run_adhoc(inv, host.name, ARGS, tmp_path, check=True, diff=True)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is True
    assert res["method"] == "service_restart"
    assert res["services_stopped"] == ["W3SVC", "MSFTPSVC", "SMTPSVC", "IISADMIN"]
    assert "would stop" in res["msg"] and "/LM/W3SVC/1/ROOT/Shop" in res["msg"]
    assert host.machine.fs.snapshot() == before
    assert service_events(lab, host, t0) == []
    # ansible prints the diff (and leaves it out of the tree callback's record)
    assert "size: 24576" in run.stdout and "size: 28672" in run.stdout, run.stdout
    # check mode returns the command lines a real run sends after gathering: the real run sends exactly these
    # (the outage as the lines that write its batch file, then the call: NT 4's command line is too short for it)
    assert len(res["commands"]) > 2 and "net stop IISADMIN /y" in "".join(res["commands"][1:])
    assert res["commands"][-1].endswith('call "ShopCart.dll.iis4run.cmd"&del "ShopCart.dll.iis4run.cmd"')
    real = run_adhoc(inv, host.name, ARGS, tmp_path).result(host.name)
    sent = [s["command"] for s in real["steps"] if s["step"] == "stage" or s["step"].startswith("apply")]
    assert [re.sub(r"\d{14}", "STAMP", c) for c in sent] == [re.sub(r"\d{14}", "STAMP", c) for c in res["commands"]]


def test_an_unknown_option_lists_the_supported_ones(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    run = run_adhoc(lab_inventory(host), host.name, {**ARGS, "verify_ur": "http://x/"}, tmp_path)
    assert run.rc != 0
    msg = run.result(host.name)["msg"]
    assert "unknown option(s) verify_ur;" in msg and "verify_url" in msg and "unload_fallback" in msg, msg


def test_key_value_adhoc_backslash_trap_is_explained(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    # key=value arguments decode backslash escapes: "\b" in "...\bin\..." becomes a backspace
    run = run_adhoc(lab_inventory(host), host.name, f"src={STAGED_DLL} dest={SHOP_DLL} application=/Shop", tmp_path)
    assert run.rc != 0
    assert "forward slashes" in run.result(host.name)["msg"]


def test_key_value_adhoc_form_with_forward_slashes(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    inv = lab_inventory(host)
    src, dest = STAGED_DLL.replace("\\", "/"), SHOP_DLL.replace("\\", "/")
    args = f"src={src} dest={dest} application=/Shop backup=no"
    run = run_adhoc(inv, "iis4", args, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is True and "backup_file" not in res  # null keys are left out
    assert "null" not in json.dumps(res), json.dumps(res, indent=1)
    assert [p for p in files_beside(host, SHOP_DLL) if p.lower().endswith(".bak")] == []


BAD_INPUT = [
    ({**ARGS, "site": "Extranet"}, "site 'Extranet' not found"),
    ({**ARGS, "application": "/Nope"}, "application '/Nope' not found"),
    ({**ARGS, "src": "C:\\Staging\\Missing.dll"}, "does not exist on the host"),
    ({**ARGS, "dest": "C:\\NoSuchDir\\ShopCart.dll"}, "does not exist on the host"),
    ({**ARGS, "src": "Staging\\ShopCart.dll"}, "src"),
    ({**ARGS, "src": "C:\\Staging\\a&del C:\\x.dll"}, "src"),
    ({**ARGS, "src": SHOP_DLL}, "same file"),
]


@pytest.fixture(scope="module")
def bad_input_host(lab):
    """One host for the bad-input cases: none of them may change it (each test checks that it did not)."""
    host = lab.add_host(build_config(f"T{worker_index()}BAD", fleet_index=0), auto_ip=True)
    yield host
    lab.remove_host(host.name)


@pytest.mark.parametrize(("args", "needle"), BAD_INPUT)
def test_bad_input_fails_clearly_and_touches_nothing(lab, bad_input_host, args, needle):
    """The module's own answer (the action plugin runs the same code on the controller; the test below shows one
    such answer through ansible)."""
    host = bad_input_host
    before = host.machine.fs.snapshot()
    t0 = time.monotonic()
    res = h.run_module(host, {**args, "application": [args["application"]], "timeout": 5})  # ansible makes the list
    assert res.get("failed"), res
    assert needle in res["msg"], res["msg"]
    assert host.machine.fs.snapshot() == before
    assert service_events(lab, host, t0) == []


def test_bad_input_reaches_the_user_through_ansible(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    before = host.machine.fs.snapshot()
    t0 = time.monotonic()
    run = run_adhoc(lab_inventory(host), host.name, {**ARGS, "src": "C:\\Staging\\a&del C:\\x.dll"}, tmp_path)
    res = run.result(host.name)
    assert run.rc != 0  # the tree callback drops the "failed" key; the exit code carries it
    assert "src" in res["msg"] and "not allowed" in res["msg"], res["msg"]
    assert host.machine.fs.snapshot() == before
    assert service_events(lab, host, t0) == []


def test_https_with_basic_auth_validates_the_lab_ca(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    inv = lab_inventory(host, scheme="https")
    text = inv.read_text().replace("ansible_winrm_transport: ntlm", "ansible_winrm_transport: basic")
    inv.write_text(text)
    run = run_adhoc(inv, host.name, ARGS, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is True
    assert served_version(host) == "2.0.0.0"


def test_pytest_ansible_adhoc_fixture(lab, lab_host, lab_inventory, ansible_adhoc):
    host = lab_host(fleet_index=1)
    inv = lab_inventory(host)
    hosts = ansible_adhoc(inventory=str(inv), host_pattern=host.name)
    result = getattr(hosts.all, "legacy_iis.iis4.iis4_component")(**ARGS)
    res = result.contacted[host.name]
    assert res["changed"] is True
    assert res["method"] == "unload"


def test_module_file_runs_directly_with_explicit_connection_options(lab, lab_host, tmp_path):
    """delegate_to a Linux host: the action plugin hands over to the module file, which talks WinRM itself."""
    host = lab_host(fleet_index=1)
    inv = tmp_path / "local.yml"
    inv.write_text("all:\n  hosts:\n    controller:\n      ansible_connection: local\n", encoding="utf-8")
    args = {
        **ARGS,
        "winrm_host": host.ip,
        "winrm_port": host.config.http_port,
        "winrm_user": host.username,
        "winrm_password": host.password,
        "winrm_transport": "ntlm",
    }
    run = run_adhoc(inv, "controller", args, tmp_path, verbosity=3)
    res = run.result("controller")
    assert run.rc == 0, run.stdout + run.stderr
    assert res["changed"] is True and res["method"] == "unload"
    assert served_version(host) == "2.0.0.0"
    assert host.password not in run.stdout + run.stderr
    assert host.password not in json.dumps(res)


def test_a_host_that_cannot_be_reached_is_unreachable_not_failed(lab, lab_host, lab_inventory, tmp_path):
    """Ansible's word for it is UNREACHABLE: the recap, ignore_unreachable and AWX rely on it."""
    host = lab_host(fleet_index=0)
    host.set_faults(wsman_down=True)
    run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path)
    res = run.result(host.name)
    assert run.rc != 0
    assert "UNREACHABLE!" in run.stdout, run.stdout
    assert res.get("unreachable") is True and "failed" not in res
    assert res["error_kind"] == "unreachable" and "cannot reach" in res["msg"]

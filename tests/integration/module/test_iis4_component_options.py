"""iis4_component options and host variants: forced isolation, explicit restarts, several applications,
regsvr32, metabase spelling, hosts without sc.exe or ENUM_ALL, the older adsutil output, long paths."""

from __future__ import annotations

import time

import pytest

from tests.integration.ansible_helpers import run_adhoc, run_playbook
from tests.integration.module.test_iis4_component import ARGS, files_beside, served_version, service_events
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import dll_version, make_dll

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


def update(host, lab_inventory, tmp_path, **args):
    run = run_adhoc(lab_inventory(host), host.name, {**ARGS, **args}, tmp_path)
    res = run.result(host.name)
    assert run.rc == 0, run.stdout + run.stderr
    return res


def test_forced_in_process_on_an_isolated_app(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    served_version(host)
    res = update(host, lab_inventory, tmp_path, isolation="in_process")
    assert res["method"] == "service_restart"
    assert res["services_started"] == ["IISADMIN", "W3SVC"]
    assert served_version(host) == "2.0.0.0"


def test_explicit_restart_list_leaves_other_services_stopped(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)  # has FTP and SMTP
    res = update(host, lab_inventory, tmp_path, restart_services=["W3SVC"])
    assert res["services_started"] == ["IISADMIN", "W3SVC"]
    states = host.machine.scm.states()
    assert states["W3SVC"] == "RUNNING" and states["MSFTPSVC"] == "STOPPED" and states["SMTPSVC"] == "STOPPED"


def test_one_in_process_application_among_several_means_a_restart(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    res = update(host, lab_inventory, tmp_path, application=["/Shop", "/"])
    assert res["method"] == "service_restart"
    assert {a["path"]: a["isolation"] for a in res["applications"]} == {"/Shop": "out_of_process", "/": "in_process"}


def test_application_path_case_follows_the_metabase(lab, lab_host, lab_inventory, tmp_path):
    # IIS 4 AppUnload silently does nothing when the case differs (KB Q246111): the module must use "Shop".
    host = lab_host(fleet_index=1)
    assert served_version(host) == "1.0.0.0"
    res = update(host, lab_inventory, tmp_path, application="/SHOP")
    assert res["method"] == "unload"
    assert res["applications"][0]["metabase_path"] == "/LM/W3SVC/1/ROOT/Shop"
    assert served_version(host) == "2.0.0.0"


def test_register_runs_regsvr32_on_the_new_dll(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    res = update(host, lab_inventory, tmp_path, register=True)
    assert res["changed"] is True
    # The lab's regsvr32 registered the file at dest, and what it found there was the new DLL.
    registration = host.machine.registrations.get(SHOP_DLL.lower())
    assert registration is not None, host.machine.registrations
    assert registration["registered"] is True and registration["version"] == "2.0.0.0", registration
    commands = [e.detail["line"] for e in lab.log.events(host=host.name, kind="command")]
    assert any('regsvr32 /s "ShopCart.dll"' in line for line in commands), commands


@pytest.mark.parametrize(
    "variant",
    [{"has_sc": False}, {"adsutil_enum_all": False}, {"adsutil_style": "iis4"}],
    ids=["no-sc.exe", "no-ENUM_ALL", "iis4-adsutil-format"],
)
def test_host_variants_reach_the_same_result(lab, lab_host, lab_inventory, tmp_path, variant):
    host = lab_host(fleet_index=0, **variant)
    res = update(host, lab_inventory, tmp_path)
    assert res["isolation"] == "in_process"
    assert res["services_started"] == ["IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"]
    assert res["sc_available"] is (variant != {"has_sc": False})
    assert served_version(host) == "2.0.0.0"


def test_sequence_longer_than_the_nt4_command_line_goes_through_a_batch_file(lab, lab_host, lab_inventory, tmp_path):
    # Long names are what makes the line long: the outage line names dest's files by their bare names.
    folder = "C:\\InetPub\\shop\\bin\\" + "\\".join(["AVeryLongFolderNameForTheComponent"] * 2)
    dest = folder + "\\ShopCartComponentWithAVeryLongFileNameThatAnOldBuildScriptChoseLongAgoForNoReason.dll"
    host = lab_host(fleet_index=0)
    host.machine.fs.makedirs(folder)
    host.machine.fs.write(dest, make_dll("ShopCart", "1.0.0.0", 24576))
    t0 = time.monotonic()
    res = update(host, lab_inventory, tmp_path, dest=dest, src=STAGED_DLL)
    assert res["method"] == "service_restart"
    assert any(s["step"].startswith("apply_write") for s in res["steps"])
    assert dll_version(host.machine.fs.read(dest)) == "2.0.0.0"
    assert not [p for p in files_beside(host, dest) if p.lower().endswith((".cmd", ".iis4state", ".iis4new"))]
    long_lines = [e for e in lab.log.events(host=host.name, kind="command", since=t0) if len(e.detail["line"]) > 2047]
    assert long_lines == []
    assert dll_version(host.machine.fs.read(SHOP_DLL)) == "1.0.0.0"  # another copy, untouched
    assert service_events(lab, host, t0)  # the outage happened, inside the batch file


def test_wrong_adsutil_path_is_named_in_the_error(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=0)
    before = host.machine.fs.snapshot()
    args = {**ARGS, "adsutil_path": "C:\\InetPub\\AdminScripts\\adsutil.vbs"}
    run = run_adhoc(lab_inventory(host), host.name, args, tmp_path)
    assert run.rc != 0
    msg = run.result(host.name)["msg"]
    assert "step detect failed" in msg and "check adsutil_path" in msg and "Can not find script file" in msg, msg
    assert host.machine.fs.snapshot() == before


def test_module_defaults_through_the_action_group(lab, lab_host, lab_inventory, tmp_path):
    """meta/runtime.yml's action group: ``module_defaults: {group/legacy_iis.iis4.iis: ...}`` reaches the action
    plugin, so a play can name src, dest and application once."""
    host = lab_host(fleet_index=1)
    playbook = tmp_path / "defaults.yml"
    playbook.write_text(
        "- hosts: all\n"
        "  gather_facts: false\n"
        "  module_defaults:\n"
        "    group/legacy_iis.iis4.iis:\n"
        f"      src: '{ARGS['src']}'\n"
        f"      dest: '{ARGS['dest']}'\n"
        "      application: /Shop\n"
        "  tasks:\n"
        "    - legacy_iis.iis4.iis4_component: {}\n"
        "      check_mode: true\n"
        "      register: out\n"
        "    - ansible.builtin.assert:\n"
        "        that: [out.changed, out.method == 'unload']\n",
        encoding="utf-8",
    )
    run = run_playbook(playbook, lab_inventory(host), tmp_path)
    assert run.rc == 0, run.stdout[-3000:] + run.stderr[-2000:]

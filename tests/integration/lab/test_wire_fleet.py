"""The lab as a whole: many hosts in one loop, inventories, the control API and the command line."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.lab.harness.control import LabClient
from tests.lab.harness.fixtures import worker_base_ip
from tests.lab.harness.server import Lab, allocate_ips
from tests.lab.machine.config import default_fleet

pytestmark = [pytest.mark.lab]

ROOT = Path(__file__).resolve().parents[3]


def test_allocate_ips_skips_network_and_broadcast_octets():
    assert allocate_ips(3, "127.20.0.253") == ["127.20.0.253", "127.20.0.254", "127.20.1.2"]
    assert allocate_ips(1, "127.20.0.0") == ["127.20.0.2"]
    assert len(set(allocate_ips(600, "127.20.0.2"))) == 600
    with pytest.raises(ValueError):
        allocate_ips(1, "10.0.0.1")


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_two_hundred_hosts_share_one_event_loop_and_all_answer(winrm_session):
    """200 hosts (800 listeners) run in the lab's one event loop and its small worker pool, not in a thread per
    host or listener; every listener answers.  How fast they start and what they cost idle is measured by
    ``make bench`` (timings are not asserted here)."""
    count = 200
    ips = allocate_ips(count, worker_base_ip(block=120))
    configs = default_fleet(count, ips)
    threads_before = threading.active_count()
    lab = Lab(base_ip=ips[0]).start(configs)
    try:
        threads = threading.active_count() - threads_before
        assert threads < count // 4, f"{threads} threads for {count} hosts"
        assert len(lab.hosts) == count
        # Every WS-Man listener answers (a 401 challenge), spot-check the web sites and a real session.
        for host in lab.hosts.values():
            response = requests.post(host.endpoint(), data=b"", timeout=10)
            assert response.status_code == 401
        for host in list(lab.hosts.values())[::40]:
            with requests.get(host.web_url(2) + "/", timeout=10) as response:
                assert response.status_code == 200
        last = list(lab.hosts.values())[-1]
        assert winrm_session(last, "ntlm", "https", ca_trust_path=str(lab.ca_path)).run_cmd("echo hi").std_out
    finally:
        lab.stop()


def test_lab_host_factory_gives_unique_hosts(lab, lab_host):
    first = lab_host()
    second = lab_host(fleet_index=1)
    assert first.name != second.name and first.ip != second.ip
    assert second.config.sites[0].apps[1].path == "/Shop"  # from the default fleet's host 1
    assert lab.hosts[second.name] is second


def test_address_in_use_is_skipped(lab, lab_host):
    import socket

    ip = lab._next_ip
    blocker = socket.socket()
    blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    blocker.bind((ip, 5985))
    blocker.listen()
    try:
        host = lab_host()
        assert host.ip != ip
        assert requests.post(host.endpoint(), data=b"", timeout=10).status_code == 401
    finally:
        blocker.close()


def test_inventory(lab, lab_host, lab_inventory):
    plain = lab_host()
    tls = lab_host(listen_http=False)
    data = yaml.safe_load(lab_inventory(plain, tls).read_text())
    hosts = data["all"]["children"]["iis4"]["hosts"]
    assert set(data["all"]["children"]["web"]["hosts"]) == {plain.name, tls.name}
    p = hosts[plain.name]
    assert p["ansible_host"] == plain.ip and p["ansible_port"] == 5985 and p["ansible_winrm_scheme"] == "http"
    assert p["ansible_connection"] == "winrm" and p["ansible_winrm_transport"] == "ntlm"
    assert p["ansible_winrm_message_encryption"] == "auto"
    assert p["lab_web_url"] == f"http://{plain.ip}:8080" and p["lab_host_name"] == plain.name
    t = hosts[tls.name]
    assert t["ansible_port"] == 5986 and t["ansible_winrm_scheme"] == "https"
    assert t["ansible_winrm_server_cert_validation"] == "validate"
    assert Path(t["ansible_winrm_ca_trust_path"]).read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    forced = yaml.safe_load(lab_inventory(plain, scheme="https").read_text())
    assert forced["all"]["children"]["iis4"]["hosts"][plain.name]["ansible_port"] == 5986


def test_control_api(lab_host, winrm_session):
    lab = Lab(control_port=0, base_ip=worker_base_ip(block=140)).start()
    try:
        host = lab.add_host(default_fleet(1, [lab.allocate_ip()])[0], auto_ip=True)
        client = LabClient(lab.control_url)
        assert [h["name"] for h in client.hosts()] == [host.name]
        state = client.state(host.name)
        assert state["faults"]["wsman_down"] is False and state["wsman"]["shells"] == []
        t0 = client.now()
        assert client.set_faults(host.name, wsman_down=True, stuck_stop=["W3SVC"])["stuck_stop"] == ["W3SVC"]
        assert host.config.faults.stuck_stop == {"W3SVC"}
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.post(host.endpoint(), data=b"", timeout=5)
        client.reset_faults(host.name)
        assert winrm_session(host).run_cmd("echo ok").std_out == b"ok\r\n"
        kinds = {e["kind"] for e in client.events(since=t0, host=host.name)}
        assert {"fault", "http", "command"} <= kinds
        assert all(e["kind"] == "http" for e in client.events(since=t0, kind="http"))
        written = client.write_file(host.name, "C:\\Staging\\New.dll", b"MZ new image")
        assert written["size"] == 12
        assert host.machine.file_bytes("C:\\Staging\\New.dll") == b"MZ new image"
        files = client.state(host.name)["files"]
        assert files["C:\\Staging\\New.dll"] == {"sha256": written["sha256"], "size": 12}
        assert "W3SVC" in client.state(host.name)["services"]
        with pytest.raises(RuntimeError, match="404"):
            client.state("NOSUCHHOST")
        with pytest.raises(RuntimeError, match="400"):
            client.set_faults(host.name, no_such_fault=1)
    finally:
        lab.stop()


def test_command_line_serves_a_scenario_until_sigterm(tmp_path):
    inventory = tmp_path / "inv.yml"
    base = worker_base_ip(block=160)
    cmd = [sys.executable, "-m", "tests.lab", "--scenario", "tests/lab/scenarios/wire.yaml", "--inventory",
           str(inventory), "--control-port", "0", "--base-ip", base]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "ready" in line:
                break
        text = "".join(lines)
        assert "ready" in text, text
        assert re.search(r"^WIRE01 +127\.\S+ +wsman 5986 ", text, re.M), text
        url = re.search(r"control API (http://\S+)", text).group(1)
        names = {h["name"] for h in LabClient(url).hosts()}
        assert names == {f"WIRE0{i}" for i in range(1, 8)}
        fault = [sys.executable, "-m", "tests.lab", "fault", "--control", url, "WIRE02", "drop_on_command=ren ",
                 "stuck_stop=W3SVC,IISADMIN", "slow_responses=0.5"]  # fmt: skip
        out = subprocess.run(fault, cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)  # noqa: S603
        assert '"slow_responses": 0.5' in out.stdout
        assert LabClient(url).state("WIRE02")["faults"]["stuck_stop"] == ["IISADMIN", "W3SVC"]
        inv = yaml.safe_load(inventory.read_text())["all"]["children"]["iis4"]["hosts"]
        assert inv["WIRE07"]["ansible_user"] == "CORP\\deploy"
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert "lab: stopped" in rest


def test_web_listener_resets_connections_while_w3svc_is_down(lab, lab_host):
    host = lab_host(fleet_index=1)
    with requests.get(host.web_url(1) + "/Shop/default.asp", timeout=10) as response:
        assert response.status_code == 200
        assert "component=ShopCart version=1.0.0.0" in response.text
    with requests.get(host.web_url(2) + "/", timeout=10) as response:
        assert response.status_code == 200  # site 2 on web_port + 1
    host.machine.scm.force_state("W3SVC", "STOPPED")
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(host.web_url(1) + "/Shop/default.asp", timeout=10)
    host.machine.scm.force_state("W3SVC", "RUNNING")
    with requests.get(host.web_url(1) + "/", timeout=10) as response:
        assert response.status_code == 200

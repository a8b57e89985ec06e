"""The action plugin connects the way ``ansible.builtin.winrm`` would, from the same inventory (issue 14):
its option handling builds the endpoint, the transport list and every pywinrm argument, so settings the
collection never names one by one reach the connection too.

* ``ansible_winrm_proxy``: the run goes through a proxy that counts what it forwards (NTLM with message
  encryption keeps working: the proxy pins one upstream connection per client connection);
* a transport list: the transports are tried in order, as the connection plugin does, and the first that
  works is used.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.ansible_helpers import run_adhoc
from tests.integration.module.test_iis4_component import ARGS
from tests.integration.proxy import CountingProxy

pytestmark = [pytest.mark.lab, pytest.mark.timeout(300)]


def test_the_inventory_proxy_is_used(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    with CountingProxy() as proxy:
        extra = ["-e", json.dumps({"ansible_winrm_proxy": proxy.url})]
        run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, check=True, extra=extra)
        res = run.results[host.name]
        assert run.rc == 0, run.stdout[-2000:] + run.stderr[-2000:]
        assert res["changed"] is True and res["method"] == "unload"
        # Every WS-Management request of the run went through the proxy.
        assert proxy.requests >= res["requests"] > 0, (proxy.requests, res["requests"])
        assert proxy.targets == {f"{host.ip}:5985"}


def test_a_proxy_that_is_down_makes_the_host_unreachable(lab, lab_host, lab_inventory, tmp_path):
    host = lab_host(fleet_index=1)
    extra = ["-e", json.dumps({"ansible_winrm_proxy": "http://127.0.0.1:9"})]
    run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, check=True, extra=extra)
    res = run.results[host.name]
    assert res.get("unreachable") is True, res
    assert "UNREACHABLE" in run.stdout


def test_transports_are_tried_in_order(lab, lab_host, lab_inventory, tmp_path):
    """``ansible_winrm_transport: [certificate, ntlm]`` without a certificate: the first fails, NTLM works."""
    host = lab_host(fleet_index=1)
    extra = ["-e", json.dumps({"ansible_winrm_transport": ["certificate", "ntlm"]})]
    run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, check=True, extra=extra)
    res = run.results[host.name]
    assert run.rc == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert res["method"] == "unload"
    # The order is the list's: with no transport that works (no certificate, a wrong password), the failure names
    # each one tried, in that order.
    for order in (["certificate", "ntlm"], ["ntlm", "certificate"]):
        extra = ["-e", json.dumps({"ansible_winrm_transport": order, "ansible_password": "not-the-password"})]
        run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, check=True, extra=extra)
        msg = str(run.results[host.name].get("msg"))
        assert run.rc != 0 and f"{order[0]}: " in msg and f"{order[1]}: " in msg, msg
        assert msg.index(f"{order[0]}: ") < msg.index(f"{order[1]}: "), msg


def test_progress_at_v(lab, lab_host, lab_inventory, tmp_path):
    """At -v every command line is shown when it is sent and when it is done, and a wait says what it waits for."""
    host = lab_host(fleet_index=1)
    run = run_adhoc(lab_inventory(host), host.name, ARGS, tmp_path, verbosity=1)
    assert run.rc == 0, run.stdout[-2000:]
    out = run.stdout
    assert "iis4_component: gather: " in out and "iis4_component: apply: done in" in out
    sent = out.index("iis4_component: apply: ")
    assert out.index("iis4_component: catalog: done in") < sent  # in the order they happened
    # each line names what it runs (the outage step: what it waits for), and no exit codes of normal steps
    assert re.search(r"iis4_component: apply: [^\n]*\(waiting up to \d+s\)", out), out[-3000:]
    assert "sending" not in out and "(rc " not in out

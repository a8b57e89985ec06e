"""net.exe on a lab machine (tests.lab.tools.net), driven through real command lines."""

from __future__ import annotations

import re
import time

import pytest

from tests.lab.machine.config import AppConfig, HostConfig, SiteConfig, default_host
from tests.unit.lab.tools_harness import fast_timing, helpmsg, machine, run


def test_net_start_lists_started_services_with_the_nt4_header():
    m = machine(1)
    out, err, rc = run(m, "net start")
    assert rc == 0 and err == ""
    assert out == (
        "These Windows NT services are started:\n\n"
        "   Alerter\n   Computer Browser\n   EventLog\n   IIS Admin Service\n   License Logging Service\n"
        "   Messenger\n   MSDTC\n   NT LM Security Support Provider\n   Plug and Play\n   Protected Storage\n"
        "   Remote Procedure Call (RPC) Service\n   Server\n   Spooler\n   TCP/IP NetBIOS Helper\n   Workstation\n"
        "   World Wide Web Publishing Service\n\nThe command completed successfully.\n\n"
    )


def test_output_is_cp437_with_crlf():
    m = machine(1)
    cmd = m.start_command("net stop w3svc")
    data = b""
    while True:
        o, _e, done, rc = cmd.read(1.0)
        data += o
        if done:
            break
    assert rc == 0
    assert data == (
        b"The World Wide Web Publishing Service service is stopping.\r\n"
        b"The World Wide Web Publishing Service service was stopped successfully.\r\n\r\n"
    )


def test_net_stop_iisadmin_y_stops_dependants_in_listed_order_then_iis_admin():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin /y")
    assert (rc, err) == (0, "")
    assert out == (
        "The following services are dependent on the IIS Admin Service service.\n"
        "Stopping the IIS Admin Service service will also stop these services.\n\n"
        "   FTP Publishing Service\n   Microsoft SMTP Service\n   World Wide Web Publishing Service\n\n"
        "The FTP Publishing Service service is stopping.\n"
        "The FTP Publishing Service service was stopped successfully.\n\n"
        "The Microsoft SMTP Service service is stopping.\n"
        "The Microsoft SMTP Service service was stopped successfully.\n\n"
        "The World Wide Web Publishing Service service is stopping.\n"
        "The World Wide Web Publishing Service service was stopped successfully.\n\n"
        "The IIS Admin Service service is stopping.\n"
        "The IIS Admin Service service was stopped successfully.\n\n"
    )
    stops = [e.detail["name"] for e in m.log.events(kind="service") if e.detail["new"] == "STOPPED"]
    assert stops == ["MSFTPSVC", "SMTPSVC", "W3SVC", "IISADMIN"]


def test_net_stop_without_y_reads_eof_and_aborts():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin", stdin=b"")
    assert rc == 2
    assert out.endswith("   World Wide Web Publishing Service\n\nDo you want to continue this operation? (Y/N) [N]: \n")
    assert err == "No valid response was provided.\n\n"
    assert m.service_states()["W3SVC"] == "RUNNING"


def test_net_stop_without_y_and_no_stdin_at_all_sees_eof_after_a_grace_period():
    m = machine(0)
    started = time.monotonic()
    _out, err, rc = run(m, "net stop iisadmin")
    assert rc == 2 and "No valid response was provided." in err
    assert time.monotonic() - started < 5


def test_net_stop_answered_n_aborts_and_y_proceeds():
    m = machine(0)
    out, err, rc = run(m, "net stop iisadmin", stdin=b"N\r\n")
    assert (rc, err) == (2, "")
    assert out.endswith("(Y/N) [N]: \n")
    assert m.service_states()["IISADMIN"] == "RUNNING"
    out, err, rc = run(m, "net stop iisadmin", stdin=b"y\r\n")
    assert (rc, err) == (0, "")
    assert out.endswith("The IIS Admin Service service was stopped successfully.\n\n")
    assert m.service_states()["IISADMIN"] == "STOPPED"


def test_net_start_iisadmin_does_not_restart_dependants():
    m = machine(0)
    run(m, "net stop iisadmin /y")
    out, err, rc = run(m, "net start iisadmin")
    assert (rc, err) == (0, "")
    assert (
        out == "The IIS Admin Service service is starting.\nThe IIS Admin Service service was started successfully.\n\n"
    )
    states = m.service_states()
    assert states["IISADMIN"] == "RUNNING"
    assert states["W3SVC"] == states["MSFTPSVC"] == states["SMTPSVC"] == "STOPPED"


def test_net_start_w3svc_starts_iis_admin_first_but_reports_only_w3svc():
    m = machine(1)
    run(m, "net stop iisadmin /y")
    out, err, rc = run(m, "net start w3svc")
    assert (rc, err) == (0, "")
    assert out == (
        "The World Wide Web Publishing Service service is starting.\n"
        "The World Wide Web Publishing Service service was started successfully.\n\n"
    )
    assert m.service_states()["IISADMIN"] == "RUNNING"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("net start w3svc", helpmsg("The requested service has already been started.", 2182)),
        ("net stop nosuch", helpmsg("The service name is invalid.", 2185)),
        ('net stop "World Wide Web Publishing Service"', helpmsg("The service name is invalid.", 2185)),
        ("net stop eventlog", helpmsg("The requested pause or stop is not valid for this service.", 2191)),
    ],
)
def test_net_errors_go_to_stderr_with_exit_code_2(line, message):
    m = machine(1)
    out, err, rc = run(m, line)
    assert (out, err, rc) == ("", message, 2)


def test_net_stop_of_a_stopped_service():
    m = machine(1)
    run(m, "net stop w3svc")
    out, err, rc = run(m, "net stop W3SVC")
    assert (out, rc) == ("", 2)
    assert err == (
        "The World Wide Web Publishing Service service is not started.\n\n"
        "More help is available by typing NET HELPMSG 3521.\n\n"
    )


def test_net_prints_one_dot_per_poll_while_pending():
    m = machine(1)
    m.config.timing = fast_timing(default_stop=0.2, net_poll=0.02)
    out, _err, rc = run(m, "net stop w3svc")
    assert rc == 0
    dots = re.match(r"The World Wide Web Publishing Service service is stopping(\.+)\n", out).group(1)
    assert 5 <= len(dots) <= 13


def test_stuck_stop_makes_net_give_up():
    m = machine(1)
    m.config.faults.stuck_stop = {"W3SVC"}
    started = time.monotonic()
    out, err, rc = run(m, "net stop w3svc")
    assert rc == 2
    assert time.monotonic() - started >= 0.3
    assert re.fullmatch(r"The World Wide Web Publishing Service service is stopping\.+\n", out)
    assert err == "The World Wide Web Publishing Service service could not be stopped.\n\n"
    assert m.service_states()["W3SVC"] == "STOP_PENDING"
    # while it hangs, net refuses to touch it
    out, err, rc = run(m, "net start w3svc")
    assert (out, err, rc) == ("", "The service is starting or stopping.  Please try again later.\n\n", 2)
    m.config.faults.stuck_stop = set()
    time.sleep(0.2)
    assert m.service_states()["W3SVC"] == "STOPPED"


def test_stuck_dependant_aborts_net_stop_iisadmin():
    m = machine(0)
    m.config.faults.stuck_stop = {"W3SVC"}
    out, err, rc = run(m, "net stop iisadmin /y")
    assert rc == 2
    assert "The World Wide Web Publishing Service service could not be stopped." in err
    assert "The IIS Admin Service service is stopping" not in out
    assert m.service_states()["IISADMIN"] == "RUNNING"


@pytest.mark.parametrize(
    ("fault", "detail"),
    [
        ("specific:5", helpmsg("A service specific error occurred: 5.", 3547)),
        ("noreport", helpmsg("The service did not report an error.", 3534)),
        ("system:1067", "System error 1067 has occurred.\n\nThe process terminated unexpectedly.\n\n"),
    ],
)
def test_fail_start_texts(fault, detail):
    m = machine(1)
    run(m, "net stop w3svc")
    m.config.faults.fail_start = {"W3SVC": fault}
    out, err, rc = run(m, "net start w3svc")
    assert rc == 2
    assert out == "The World Wide Web Publishing Service service is starting.\n"
    assert err == "The World Wide Web Publishing Service service could not be started.\n\n" + detail


def test_dependency_failure_text():
    m = machine(1)
    run(m, "net stop iisadmin /y")
    m.config.faults.fail_start = {"IISADMIN": "specific:1"}
    out, err, rc = run(m, "net start w3svc")
    assert (out, rc) == ("", 2)
    assert err == "System error 1068 has occurred.\n\nThe dependency service or group failed to start.\n\n"


def test_net_exit_code_drives_if_errorlevel():
    m = machine(1)
    out, _err, rc = run(m, "net start w3svc & if errorlevel 2 echo RC2")
    assert "RC2" in out


def test_default_host_shape_is_what_the_tests_assume():
    cfg = default_host(0, "127.0.0.2")
    assert cfg.services == ["IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC"]
    assert not cfg.sites[0].apps[1].isolated
    isolated = default_host(1, "127.0.0.3")
    assert isolated.services == ["IISADMIN", "W3SVC"] and isolated.sites[0].apps[1].isolated
    assert "NNTPSVC" in default_host(4, "127.0.0.6").services
    bare = HostConfig(sites=[SiteConfig(apps=[AppConfig("/")])])
    assert bare.services == ["IISADMIN", "W3SVC"] and bare.kind == "nt4"
    assert bare.sites[0].apps[0].app_isolated is None  # no isolation given: not an application root

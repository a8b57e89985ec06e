"""Services outside IIS that depend on it (issue 11, variation 5): ``HostConfig.extra_services``.

Sources: facts section 2 (net texts, dependants listed by display name with three spaces, only running ones,
stopped with ``/y``; starting a service starts its dependencies first) and section 3.2 (``sc qc`` layout)."""

from __future__ import annotations

from tests.lab.machine.config import ExtraService
from tests.unit.lab.tools_harness import machine, run

MONAGENT = ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"])
SSCONTENT = ExtraService("SSCONTENT", "Site Server Content Deployment", ["IISADMIN"])


def _machine(**kw):
    return machine(0, extra_services=[MONAGENT, SSCONTENT], **kw)


def test_net_stop_iisadmin_y_lists_and_stops_the_extra_dependants():
    m = _machine()
    out, err, rc = run(m, "net stop IISADMIN /y")
    assert (err, rc) == ("", 0)
    listing = (
        "The following services are dependent on the IIS Admin Service service.\n"
        "Stopping the IIS Admin Service service will also stop these services.\n\n"
        "   FTP Publishing Service\n"
        "   Microsoft SMTP Service\n"
        "   Monitoring Agent\n"
        "   Site Server Content Deployment\n"
        "   World Wide Web Publishing Service\n\n"
    )
    assert out.startswith(listing)
    for display in ("Monitoring Agent", "Site Server Content Deployment"):
        assert f"The {display} service is stopping" in out
        assert f"The {display} service was stopped successfully.\n\n" in out
    # the agent stops before the web service it depends on
    assert out.index("The Monitoring Agent service was stopped") < out.index(
        "The World Wide Web Publishing Service service is stopping"
    )
    states = m.service_states()
    assert states["MONAGENT"] == states["SSCONTENT"] == states["IISADMIN"] == "STOPPED"
    assert m.processes.inetinfo is None


def test_net_stop_w3svc_asks_about_the_agent():
    m = _machine()
    out, _err, rc = run(m, "net stop W3SVC", stdin=b"N\r\n")
    assert rc == 2
    assert out.startswith(
        "The following services are dependent on the World Wide Web Publishing Service service.\n"
        "Stopping the World Wide Web Publishing Service service will also stop these services.\n\n"
        "   Monitoring Agent\n\n"
        "Do you want to continue this operation? (Y/N) [N]: "
    )
    assert m.service_states()["MONAGENT"] == "RUNNING"


def test_a_stopped_extra_service_is_not_listed():
    m = machine(0, extra_services=[ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"], running=False)])
    out, _err, rc = run(m, "net stop W3SVC")
    assert rc == 0 and "Monitoring Agent" not in out


def test_net_start_lists_them_and_starts_them_with_their_dependencies():
    m = _machine()
    out, _e, _rc = run(m, "net start")
    assert "   Monitoring Agent\n" in out and "   Site Server Content Deployment\n" in out
    run(m, "net stop IISADMIN /y")
    out, err, rc = run(m, "net start MONAGENT")
    assert (err, rc) == ("", 0)
    assert out.startswith("The Monitoring Agent service is starting")
    assert out.endswith("The Monitoring Agent service was started successfully.\n\n")
    states = m.service_states()
    assert states["MONAGENT"] == states["W3SVC"] == states["IISADMIN"] == "RUNNING"  # the SCM started them
    assert states["SSCONTENT"] == states["MSFTPSVC"] == "STOPPED"


def test_net_start_iisadmin_does_not_bring_them_back():
    m = _machine()
    run(m, "net stop IISADMIN /y")
    run(m, "net start W3SVC")
    assert m.service_states()["MONAGENT"] == "STOPPED"


def test_sc_qc_shows_their_dependencies():
    m = _machine()
    out, _e, rc = run(m, "sc qc MONAGENT")
    assert rc == 0
    assert "        DISPLAY_NAME       : Monitoring Agent\n" in out
    assert "        DEPENDENCIES       : W3SVC\n" in out
    assert "        TYPE               : 10  WIN32_OWN_PROCESS\n" in out
    out, _e, _rc = run(m, "sc query SSCONTENT")
    assert "STATE              : 4  RUNNING" in out


def test_extra_services_from_a_scenario_dict():
    from tests.lab.machine.config import host_from_dict

    cfg = host_from_dict(
        {"name": "X", "extra_services": [{"name": "MONAGENT", "display": "Monitoring Agent", "depends_on": ["W3SVC"]}]}
    )
    assert cfg.extra_services == [MONAGENT]


def test_a_service_whose_dependency_is_still_stopping_fails_at_once_with_1068():
    """A choice (docs/dev/lab-machine.md): the SCM does not wait for a dependency in STOP_PENDING."""

    from tests.lab.host import boot
    from tests.lab.machine.config import ExtraService, default_host
    from tests.lab.machine.events import EventLog
    from tests.lab.machine.scm import ServiceError

    cfg = default_host(0, "127.0.0.2")
    cfg.extra_services = [ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"], running=False)]
    cfg.faults.stuck_stop = {"W3SVC"}
    m = boot(cfg, EventLog())
    m.scm.stop("W3SVC")
    try:
        m.scm.start("MONAGENT")  # W3SVC hangs in STOP_PENDING: a start that waited for it would never return
    except ServiceError as exc:
        assert exc.winerror == 1068
    else:
        raise AssertionError("MONAGENT started while W3SVC was stopping")
    assert m.scm.state("W3SVC") == "STOP_PENDING"
    assert not [e for e in m.log.events(kind="service") if e.detail["name"] == "MONAGENT"]  # never pending

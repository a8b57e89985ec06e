"""sc.exe on a lab machine (tests.lab.tools.sc)."""

from __future__ import annotations

from tests.unit.lab.tools_harness import fast_timing, machine, run


def test_sc_query_running_shared_process_service():
    m = machine(1)
    out, err, rc = run(m, "sc query W3SVC")
    assert (rc, err) == (0, "")
    assert out == (
        "\nSERVICE_NAME: W3SVC\n"
        "        TYPE               : 20  WIN32_SHARE_PROCESS\n"
        "        STATE              : 4  RUNNING\n"
        "                                (STOPPABLE,PAUSABLE,ACCEPTS_SHUTDOWN)\n"
        "        WIN32_EXIT_CODE    : 0  (0x0)\n"
        "        SERVICE_EXIT_CODE  : 0  (0x0)\n"
        "        CHECKPOINT         : 0x0\n"
        "        WAIT_HINT          : 0x0\n\n"
    )


def test_sc_query_stopped_and_failed_service():
    m = machine(1)
    run(m, "net stop w3svc")
    m.config.faults.fail_start = {"W3SVC": "specific:42"}
    run(m, "net start w3svc")
    out, _err, rc = run(m, "sc query w3svc")
    assert rc == 0
    assert "SERVICE_NAME: w3svc\n" in out
    assert "        STATE              : 1  STOPPED\n" in out
    assert "                                (NOT_STOPPABLE,NOT_PAUSABLE,IGNORES_SHUTDOWN)\n" in out
    assert "        WIN32_EXIT_CODE    : 1066  (0x42a)\n" in out
    assert "        SERVICE_EXIT_CODE  : 42  (0x2a)\n" in out


def test_sc_query_pending_state():
    m = machine(1)
    m.config.timing = fast_timing(default_stop=1.0)
    m.scm.stop("W3SVC")
    out, _err, _rc = run(m, "sc query w3svc")
    assert "        STATE              : 3  STOP_PENDING\n" in out
    assert "        WAIT_HINT          : 0x7d0\n" in out


def test_sc_qc():
    m = machine(1)
    out, err, rc = run(m, "sc qc iisadmin")
    assert (rc, err) == (0, "")
    assert out == (
        "[SC] GetServiceConfig SUCCESS\n\n"
        "SERVICE_NAME: iisadmin\n"
        "        TYPE               : 20  WIN32_SHARE_PROCESS\n"
        "        START_TYPE         : 2   AUTO_START\n"
        "        ERROR_CONTROL      : 1   NORMAL\n"
        "        BINARY_PATH_NAME   : C:\\WINNT\\System32\\inetsrv\\inetinfo.exe\n"
        "        LOAD_ORDER_GROUP   :\n"
        "        TAG                : 0\n"
        "        DISPLAY_NAME       : IIS Admin Service\n"
        "        DEPENDENCIES       : RPCSS\n"
        "        SERVICE_START_NAME : LocalSystem\n\n"
    )


def test_sc_missing_service_is_1060():
    m = machine(1)
    out, _err, rc = run(m, "sc qc nosuch")
    assert rc == 1060
    assert out == "[SC] OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n\n"


def test_sc_absent_without_the_resource_kit():
    m = machine(1, has_sc=False)
    out, err, rc = run(m, "sc query w3svc")
    assert rc == 1 and out == ""
    assert "not recognized" in err


def test_sc_enumdepend_lists_every_dependant_in_reverse_start_order():
    """facts 3.3: ``Enum: entriesRead = <n>``, then per dependant (stopped ones too) a blank line, SERVICE_NAME,
    DISPLAY_NAME and the status block of ``sc query``; EnumDependentServices returns them in the reverse order
    of their start (a service after those that depend on it)."""
    from tests.lab.machine.config import ExtraService

    m = machine(0, extra_services=[ExtraService("MONAGENT", "Monitoring Agent", ["W3SVC"])])
    run(m, "net stop smtpsvc")
    out, _err, rc = run(m, "sc enumdepend IISADMIN 16384")
    assert rc == 0
    lines = out.split("\n")
    assert lines[0] == "Enum: entriesRead = 4"
    names = [line.split(": ", 1)[1] for line in lines if line.startswith("SERVICE_NAME: ")]
    assert set(names) == {"W3SVC", "MSFTPSVC", "SMTPSVC", "MONAGENT"}
    assert names.index("MONAGENT") < names.index("W3SVC"), "a dependant comes before the service it needs"
    assert "DISPLAY_NAME: Monitoring Agent" in lines
    block = out.split("SERVICE_NAME: SMTPSVC\n", 1)[1]
    assert block.split("\n")[2].strip() == "STATE              : 1  STOPPED"


def test_sc_enumdepend_with_a_small_buffer_fails_with_234():
    out, _err, rc = run(machine(0), "sc enumdepend IISADMIN 16")
    assert rc == 234
    assert out.startswith("[SC] EnumDependentServices FAILED 234:")
    out, _err, rc = run(machine(0), "sc enumdepend NOSUCH")
    assert rc == 1060 and "OpenService FAILED 1060" in out

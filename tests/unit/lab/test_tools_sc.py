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

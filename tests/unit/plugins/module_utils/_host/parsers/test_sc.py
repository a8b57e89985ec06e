# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/sc.py (sc qc) on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sc import parse_sc_qc

from .captures import output_of, variants

SC_QC_XP = r"""[SC] GetServiceConfig SUCCESS

SERVICE_NAME: W3SVC
        TYPE               : 20  WIN32_SHARE_PROCESS
        START_TYPE         : 2   AUTO_START
        ERROR_CONTROL      : 1   NORMAL
        BINARY_PATH_NAME   : C:\WINNT\System32\inetsrv\inetinfo.exe
        LOAD_ORDER_GROUP   :
        TAG                : 0
        DISPLAY_NAME       : World Wide Web Publishing Service
        DEPENDENCIES       : IISADMIN
        SERVICE_START_NAME : LocalSystem
"""


@pytest.mark.parametrize("text", variants(SC_QC_XP))
def test_sc_qc_getserviceconfig(text):
    cfg = parse_sc_qc(text)
    assert cfg.header == "GetServiceConfig" and cfg.exists
    assert (cfg.name, cfg.type, cfg.start_type, cfg.start_type_name) == ("W3SVC", 0x20, 2, "AUTO_START")
    assert (cfg.error_control, cfg.error_control_name) == (1, "NORMAL")
    assert cfg.binary_path == r"C:\WINNT\System32\inetsrv\inetinfo.exe"
    assert cfg.load_order_group == "" and cfg.tag == 0
    assert cfg.display_name == "World Wide Web Publishing Service"
    assert cfg.dependencies == ["IISADMIN"] and cfg.service_start_name == "LocalSystem"


def test_sc_qc_capture_queryserviceconfig_continuation():
    out = output_of("sc_qc/2.txt")
    cfg = parse_sc_qc(out)
    assert cfg.header == "QueryServiceConfig"
    assert cfg.dependencies == ["Tcpip", "Afd"]
    assert cfg.binary_path == r"c:\projects\openclinic\tomcat8\bin\tomcat8.exe //RS//OpenClinicHttp"
    assert cfg.type == 0x10 and cfg.service_start_name == r"NT Authority\LocalService"


def test_sc_qc_group_dependency_and_missing():
    cfg = parse_sc_qc(SC_QC_XP.replace("IISADMIN\n", "IISADMIN\n                           : +TDI\n"))
    assert cfg.dependencies == ["IISADMIN", "+TDI"]
    cfg = parse_sc_qc(
        "[SC] OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n"
    )
    assert cfg.exists is False and cfg.error_code == 1060
    cfg = parse_sc_qc("'sc' is not recognized as an internal or external command,\n")
    assert cfg.exists is None and "not recognized" in cfg.error_message


ENUMDEPEND = (
    "Enum: entriesRead = 3\r\n"
    "\r\n"
    "SERVICE_NAME: MONAGENT\r\n"
    "DISPLAY_NAME: Monitoring Agent\r\n"
    "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
    "        STATE              : 4  RUNNING\r\n"
    "                                (STOPPABLE,NOT_PAUSABLE,ACCEPTS_SHUTDOWN)\r\n"
    "        WIN32_EXIT_CODE    : 0  (0x0)\r\n"
    "        SERVICE_EXIT_CODE  : 0  (0x0)\r\n"
    "        CHECKPOINT         : 0x0\r\n"
    "        WAIT_HINT          : 0x0\r\n"
    "\r\n"
    "SERVICE_NAME: W3SVC\r\n"
    "DISPLAY_NAME: World Wide Web Publishing Service\r\n"
    "        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
    "        STATE              : 4  RUNNING\r\n"
    "\r\n"
    "SERVICE_NAME: NNTPSVC\r\n"
    "DISPLAY_NAME: Microsoft NNTP Service\r\n"
    "        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
    "        STATE              : 1  STOPPED\r\n"
)


def test_sc_enumdepend_lists_dependants_in_its_order():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sc import parse_sc_enumdepend

    deps = parse_sc_enumdepend(ENUMDEPEND)
    assert [(d.name, d.display_name, d.running) for d in deps] == [
        ("MONAGENT", "Monitoring Agent", True),
        ("W3SVC", "World Wide Web Publishing Service", True),
        ("NNTPSVC", "Microsoft NNTP Service", False),
    ]
    assert parse_sc_enumdepend("Enum: entriesRead = 0\r\n") == []
    assert parse_sc_enumdepend("'sc' is not recognized as an internal or external command,\r\n") is None
    assert parse_sc_enumdepend("[SC] EnumDependentServices FAILED 234:\r\n\r\nMore data is available.\r\n") is None

# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers.py on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.  Every text is also tried with CRLF and with
LF line ends.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils import cmdline, parsers
from ansible_collections.legacy_iis.iis4.plugins.module_utils.parsers import (
    ADSI_NOT_SET,
    ParseError,
    classify_error,
    parse_adsutil_app_result,
    parse_adsutil_enum,
    parse_adsutil_enum_all,
    parse_adsutil_error,
    parse_adsutil_properties,
    parse_copy,
    parse_del,
    parse_dir,
    parse_dir_listing,
    parse_fc,
    parse_move,
    parse_net_start,
    parse_net_start_list,
    parse_net_stop,
    parse_rc_ladder,
    parse_regsvr32,
    parse_ren,
    parse_sc_qc,
    parse_sc_query,
    parse_sc_query_all,
    service_display_name,
    service_key,
    split_lines,
    split_sections,
)

CAPTURES = Path(__file__).resolve().parents[2] / "conformance" / "captures"
PROMPT = re.compile(r"^(?:PS )?[A-Za-z]:\\[^>]*> ?(?P<cmd>.*)$")


def capture(rel: str, prefix: str = "") -> str:
    """A capture file as text, with a per-line comment prefix ('#', '//') removed."""
    text = (CAPTURES / rel).read_bytes().decode("cp437")
    if prefix:
        text = "\n".join(line[len(prefix) :] if line.startswith(prefix) else line for line in text.split("\n"))
    return text


def transcript(text: str) -> list[tuple[str, str]]:
    """Split a console transcript at prompt lines into (command, output); an echoed command line is dropped."""
    chunks: list[tuple[str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        m = PROMPT.match(line)
        if m:
            chunks.append((m.group("cmd").strip(), []))
        elif chunks:
            if not chunks[-1][1] and line.strip() == chunks[-1][0]:
                continue  # the remote shell echoed the command
            chunks[-1][1].append(line)
        else:
            chunks.append(("", [line]))
    return [(cmd, "\n".join(lines)) for cmd, lines in chunks]


def output_of(rel: str, command_start: str = "", prefix: str = "") -> str:
    """Output of the first command in a capture whose command line starts with ``command_start``."""
    for cmd, out in transcript(capture(rel, prefix)):
        if cmd and cmd.startswith(command_start):
            return out
    raise AssertionError(f"no {command_start!r} command in {rel}")


def variants(text: str) -> list[str]:
    """The same output with LF, CRLF, and extra blank lines before and after."""
    lf = text.replace("\r\n", "\n")
    crlf = lf.replace("\n", "\r\n")
    return [lf, crlf, "\n\n" + lf + "\n\n", "\r\n" + crlf + "\r\n\r\n"]


# ============================================================================ conformance index


def test_every_capture_is_indexed_and_present():
    index = json.loads((CAPTURES / "index.json").read_text())
    files = {entry["file"] for entry in index}
    on_disk = {p.relative_to(CAPTURES).as_posix() for p in CAPTURES.rglob("*.txt")}
    assert files == on_disk


def test_every_capture_parses_without_leftovers():
    """Each indexed capture goes through its parser; nothing of the tool's own output is left unrecognised."""
    index = json.loads((CAPTURES / "index.json").read_text())
    for entry in index:
        rel = entry["file"]
        kind = rel.split("/")[0]
        prefix = {"adsutil": "#", "dir": "//"}.get(kind, "")
        for cmd, out in transcript(capture(rel, prefix)):
            verb = cmd.split()[0].lower() if cmd else ""
            if kind in ("net_stop", "net_start"):
                if cmd.lower().strip() == "net start":
                    assert parse_net_start_list(out)
                else:
                    res = parse_net_stop(out)
                    assert not res.other, (rel, res.other)
                    assert res.stopped or res.started or res.errors, rel
            elif kind == "sc_qc":
                assert parse_sc_qc(out).name == "OpenClinicHttp"
            elif kind == "adsutil" and verb.endswith("adsutil.vbs"):
                assert parse_adsutil_properties(out)
            elif kind == "fc":
                assert parse_fc(out).identical is True
            elif kind == "dir" and verb == "dir":
                assert parse_dir(out)
            elif verb == "copy" or (kind == "dir" and verb == "copy"):
                assert parse_copy(out).copied is not None
            elif verb == "move":
                assert parse_move(out).ok
            elif verb == "type":
                assert classify_error(out) == "sharing_violation"


# ============================================================================ basics and markers


def test_split_lines_line_ends_and_bytes():
    assert split_lines("a\r\nb\nc\rd  \r\n") == ["a", "b", "c", "d"]
    assert split_lines(b"caf\x82\r\n") == ["caf\u00e9"]
    assert split_lines("") == []


def test_split_sections_and_ladder():
    out = (
        "@@src\r\n"
        "yes\r\n"
        "@@fc\r\n"
        "Comparing files C:\\a.dll and C:\\b.dll\r\n"
        "FC: no differences encountered\r\n"
        "\r\n"
        "@@stop\r\n"
        "The World Wide Web Publishing Service service is not started.\r\n"
        "\r\n"
        "More help is available by typing NET HELPMSG 3521.\r\n"
        "\r\n"
        "@@rc stop 1\r\n"
        "@@rc stop 2\r\n"
        "@@end\r\n"
    )
    sections = split_sections(out)
    assert list(sections) == ["src", "fc", "stop", "end"]
    assert sections["src"] == "yes"
    assert parse_fc(sections["fc"]).identical is True
    assert "@@rc" not in sections["stop"]
    assert parse_net_stop(sections["stop"]).conditions == ["not_started"]
    assert sections["end"] == ""
    assert parse_rc_ladder(out) == {"stop": 2}


def test_split_sections_preamble_prompt_and_repeats():
    out = "junk\nDo you want to continue this operation? (Y/N) [N]: @@after\nx\n@@a\n1\n@@a\n2\n"
    sections = split_sections(out)
    assert sections[""] == "junk\nDo you want to continue this operation? (Y/N) [N]:"
    assert sections["after"] == "x"
    assert sections["a"] == "1\n2"
    # the prompt text stays with the previous section
    assert "Do you want to continue" in split_sections("@@s\n" + out.split("junk\n")[1])["s"]


def test_split_sections_ignores_inline_at_signs():
    out = "@@s\nmail@@example is not a marker\nfoo @@bar baz\n"
    assert split_sections(out) == {"s": "mail@@example is not a marker\nfoo @@bar baz"}
    listing = "@@s\n11/02/99  11:47a                 4,096 @@x\n"
    assert split_sections(listing) == {"s": "11/02/99  11:47a                 4,096 @@x"}


def test_parse_rc_ladder_negative_and_max():
    assert parse_rc_ladder("@@rc ads -1\n") == {"ads": -1}
    assert parse_rc_ladder("@@rc a 1\n@@rc b 1\n@@rc a 3\n@@rc a 2\n") == {"a": 3, "b": 1}
    assert parse_rc_ladder("no ladder here\n") == {}


def test_marker_round_trip_with_cmdline():
    line = cmdline.join_commands([cmdline.marker("x"), "net stop W3SVC 2>&1", cmdline.rc_ladder("x", 2)])
    assert line.startswith("echo @@x&net stop")
    assert parse_rc_ladder("@@x\n@@rc x 1\n@@rc x 2\n") == {"x": 2}


# ============================================================================ net


NET_STOP_W3SVC_NT4 = """The World Wide Web Publishing Service service is stopping.
The World Wide Web Publishing Service service was stopped successfully.

"""

NET_STOP_IISADMIN_Y = """The following services are dependent on the IIS Admin Service service.
Stopping the IIS Admin Service service will also stop these services.

   FTP Publishing Service
   Microsoft NNTP Service
   Microsoft SMTP Service
   World Wide Web Publishing Service

The FTP Publishing Service service is stopping.
The FTP Publishing Service service was stopped successfully.

The Microsoft NNTP Service service is stopping.
The Microsoft NNTP Service service was stopped successfully.

The Microsoft SMTP Service service is stopping.
The Microsoft SMTP Service service was stopped successfully.

The World Wide Web Publishing Service service is stopping..
The World Wide Web Publishing Service service was stopped successfully.

The IIS Admin Service service is stopping..
The IIS Admin Service service was stopped successfully.

"""


@pytest.mark.parametrize("text", variants(NET_STOP_W3SVC_NT4))
def test_net_stop_success(text):
    res = parse_net_stop(text)
    assert res.ok
    assert res.stopped == ["World Wide Web Publishing Service"]
    assert res.pending == ["World Wide Web Publishing Service"]
    assert not res.errors and not res.dependants and not res.other


@pytest.mark.parametrize("text", variants(NET_STOP_IISADMIN_Y))
def test_net_stop_iisadmin_with_dependants(text):
    res = parse_net_stop(text)
    assert res.ok and not res.prompted
    assert res.dependants == [
        "FTP Publishing Service",
        "Microsoft NNTP Service",
        "Microsoft SMTP Service",
        "World Wide Web Publishing Service",
    ]
    assert res.stopped == res.dependants + ["IIS Admin Service"]
    assert [service_key(n) for n in res.stopped] == ["MSFTPSVC", "NNTPSVC", "SMTPSVC", "W3SVC", "IISADMIN"]


def test_net_stop_kb969864_layout_without_indent():
    text = NET_STOP_IISADMIN_Y.replace("   ", "")
    res = parse_net_stop(text)
    assert len(res.dependants) == 4 and res.ok and len(res.stopped) == 5


def test_net_stop_unindented_dependants_are_never_joined():
    text = (
        "The following services are dependent on the Foo service.\n\n"
        "Stopping the Foo service will also stop these services.\n\n"
        "The Bar Agent\nThe Baz Agent\n\n"
        "Do you want to continue this operation? (Y/N) [N]: Y\n"
        "The The Bar Agent service was stopped successfully.\n\n"
    )
    res = parse_net_stop(text)
    assert res.dependants == ["The Bar Agent", "The Baz Agent"]
    assert res.stopped == ["The Bar Agent"]


def test_net_stop_prompt_without_answer_is_aborted():
    text = (
        "The following services are dependent on the IIS Admin Service service.\r\n"
        "Stopping the IIS Admin Service service will also stop these services.\r\n\r\n"
        "   World Wide Web Publishing Service\r\n\r\n"
        "Do you want to continue this operation? (Y/N) [N]: \r\n"
    )
    res = parse_net_stop(text)
    assert res.prompted and res.aborted and not res.ok
    assert res.dependants == ["World Wide Web Publishing Service"]
    assert "aborted" in res.conditions
    res = parse_net_stop(text.replace("[N]: ", "[N]: N"))
    assert res.aborted
    res = parse_net_stop(text + "No valid response was provided.\r\n\r\n")
    assert res.aborted and res.conditions == ["aborted"] and not res.ok
    # answered through stdin: the reply is not echoed, but net goes on stopping
    res = parse_net_stop(
        text
        + "The World Wide Web Publishing Service service is stopping\r\n"
        + "The World Wide Web Publishing Service service was stopped successfully.\r\n\r\n"
        + "The IIS Admin Service service is stopping.\r\n"
        + "The IIS Admin Service service was stopped successfully.\r\n\r\n"
    )
    assert res.prompted and not res.aborted and res.ok
    assert res.stopped == ["World Wide Web Publishing Service", "IIS Admin Service"]


def test_net_invalid_control():
    res = parse_net_stop(
        "The requested pause or stop is not valid for this service.\r\n\r\n"
        "More help is available by typing NET HELPMSG 2191.\r\n\r\n"
    )
    assert res.conditions == ["invalid_control"] and res.helpmsg == [2191] and not res.ok


def test_net_stop_capture_2008_prompt_wrap_and_dots():
    out = output_of("net_stop/2.txt", "net stop")
    for text in variants(out):
        res = parse_net_stop(text)
        assert res.prompted and not res.aborted
        assert res.dependants == ["VMware vSphere Profile-Driven Storage Service", "vCenter Inventory Service"]
        # 'successful' / 'ly.' on two lines (80-column console wrap) is recognised
        assert res.stopped == [
            "VMware vSphere Profile-Driven Storage Service",
            "vCenter Inventory Service",
            "VMware VirtualCenter Server",
        ]
        assert res.ok and not res.other


def test_net_start_capture_2008_many_dots():
    out = output_of("net_stop/2.txt", "net start")
    res = parse_net_start(out)
    assert res.ok and res.started == ["VMware VirtualCenter Server"]


def test_net_stop_capture_win10_not_started_could_not_stop_pending():
    chunks = [c for c in transcript(capture("net_stop/3.txt")) if c[0]]
    assert [c[0] for c in chunks] == ["net stop w3svc", "net stop http", "net stop http"]
    res = parse_net_stop(chunks[0][1])
    assert not res.ok
    assert res.conditions == ["not_started"] and res.helpmsg == [3521]
    assert res.errors == [
        ("World Wide Web Publishing Service", "The World Wide Web Publishing Service service is not started.")
    ]
    res = parse_net_stop(chunks[1][1])
    assert res.dependants == ["SSDP Discovery", "Print Spooler"]
    assert res.stopped == ["SSDP Discovery", "Print Spooler"]
    assert res.errors == [("HTTP Service", "The HTTP Service service could not be stopped.")]
    assert res.conditions == ["stop_failed"] and not res.ok
    res = parse_net_stop(chunks[2][1])
    assert res.conditions == ["pending"] and not res.ok


def test_net_invalid_name_capture_stderr_bytes():
    raw = (CAPTURES / "net_start/3.txt").read_bytes()
    assert b"\r\n" in raw
    for res in (parse_net_stop(raw), parse_net_start(raw.decode())):
        assert res.conditions == ["invalid_name"] and res.helpmsg == [2185] and not res.ok


def test_net_start_success_and_already_started():
    res = parse_net_start(
        "The World Wide Web Publishing Service service is starting.\r\n"
        "The World Wide Web Publishing Service service was started successfully.\r\n\r\n"
    )
    assert res.ok and res.started == ["World Wide Web Publishing Service"]
    res = parse_net_start(
        "The requested service has already been started.\r\n\r\n"
        "More help is available by typing NET HELPMSG 2182.\r\n\r\n"
    )
    assert not res.ok and res.conditions == ["already_started"] and res.helpmsg == [2182]


@pytest.mark.parametrize(
    ("reason", "helpmsg", "extra"),
    [
        ("The service did not report an error.", [3534], {}),
        ("A service specific error occurred: 1066.", [3547], {"service_specific_error": 1066}),
    ],
)
def test_net_start_failed_with_reason(reason, helpmsg, extra):
    text = (
        "The IIS Admin Service service is starting.\r\n"
        "The IIS Admin Service service could not be started.\r\n\r\n"
        f"{reason}\r\n\r\n"
        f"More help is available by typing NET HELPMSG {helpmsg[0]}.\r\n\r\n"
    )
    res = parse_net_start(text)
    assert not res.ok
    assert res.errors == [("IIS Admin Service", f"The IIS Admin Service service could not be started. {reason}")]
    assert res.conditions == ["start_failed"] and res.helpmsg == helpmsg
    for key, value in extra.items():
        assert getattr(res, key) == value


def test_net_start_failed_system_error():
    text = (
        "The World Wide Web Publishing Service service could not be started.\n\n"
        "System error 1058 has occurred.\n\n"
        "The service cannot be started, either because it is disabled or because it has no enabled devices "
        "associated with it.\n\n"
    )
    res = parse_net_start(text)
    assert res.system_error == 1058
    assert res.conditions == ["start_failed", "system_error"]
    assert res.errors[0][0] == "World Wide Web Publishing Service"
    assert res.errors[0][1].endswith(
        "System error 1058 has occurred. The service cannot be started, either "
        "because it is disabled or because it has no enabled devices associated "
        "with it."
    )
    assert not res.other


def test_net_access_denied():
    res = parse_net_stop("System error 5 has occurred.\r\n\r\nAccess is denied.\r\n\r\n")
    assert res.system_error == 5 and res.conditions == ["access_denied"] and not res.ok
    assert res.errors == [(None, "System error 5 has occurred. Access is denied.")]


def test_net_not_responding():
    res = parse_net_stop(
        "The service is not responding to the control function.\n\nMore help is available by typing NET HELPMSG 2186.\n"
    )
    assert res.conditions == ["not_responding"]


def test_net_wrap_at_space_and_wrapped_dots():
    line = "The World Wide Web Publishing Service service was stopped successfully."
    # a wrap where column 80 is a space: the space is lost on the first row
    res = parse_net_stop(
        "The Very Long Name Service Instance Number Two For Testing service was stopped\nsuccessfully.\n"
    )
    assert res.stopped == ["Very Long Name Service Instance Number Two For Testing"]
    pending = "The Microsoft SMTP Service service is stopping" + "." * 34
    assert len(pending) == 80
    res = parse_net_stop(pending + "\n.....\n" + line.replace("World Wide Web Publishing", "Microsoft SMTP") + "\n")
    assert res.pending == ["Microsoft SMTP Service"] and res.stopped == ["Microsoft SMTP Service"]
    assert not res.other


def test_net_start_list_nt4_and_2000_headers():
    nt4 = (
        "These Windows NT services are started:\r\n\r\n"
        "   Alerter\r\n   Computer Browser\r\n   EventLog\r\n   FTP Publishing Service\r\n"
        "   IIS Admin Service\r\n   Microsoft SMTP Service\r\n   World Wide Web Publishing Service\r\n"
        "\r\nThe command completed successfully.\r\n\r\n"
    )
    for text in variants(nt4):
        names = parse_net_start_list(text)
        assert names[0] == "Alerter" and names[-1] == "World Wide Web Publishing Service" and len(names) == 7
    later = nt4.replace("Windows NT services", "Windows services")
    assert parse_net_start_list(later) == parse_net_start_list(nt4)
    names = parse_net_start_list(capture("net_start/1.txt"))
    assert len(names) == 50 and names[0] == "Amazon SSM Agent" and names[-1] == "Workstation"
    assert "Remote Procedure Call (RPC)" in names


def test_net_start_list_without_header_raises():
    with pytest.raises(ParseError, match="access_denied"):
        parse_net_start_list("System error 5 has occurred.\r\n\r\nAccess is denied.\r\n")
    with pytest.raises(ParseError):
        parse_net_start_list("")


def test_service_name_map():
    assert service_display_name("w3svc") == "World Wide Web Publishing Service"
    assert service_display_name("IISADMIN") == "IIS Admin Service"
    assert service_display_name("Spooler") is None
    assert service_key("world wide web  publishing service") == "W3SVC"
    assert service_key("Microsoft NNTP Service") == "NNTPSVC"
    assert service_key("Print Spooler") is None
    assert set(parsers.IIS_SERVICES) == {"IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "NNTPSVC"}


# ============================================================================ sc

SC_QUERY_VISTA = """
SERVICE_NAME: W3SVC
        TYPE               : 20  WIN32_SHARE_PROCESS
        STATE              : 4  RUNNING
                                (STOPPABLE, PAUSABLE, ACCEPTS_SHUTDOWN)
        WIN32_EXIT_CODE    : 0  (0x0)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0

"""

SC_QUERY_XP_STOPPED_FAILED = """
SERVICE_NAME: IISADMIN
        TYPE               : 20  WIN32_SHARE_PROCESS
        STATE              : 1  STOPPED
                                (NOT_STOPPABLE,NOT_PAUSABLE,IGNORES_SHUTDOWN)
        WIN32_EXIT_CODE    : 1066  (0x42a)
        SERVICE_EXIT_CODE  : 8  (0x8)
        CHECKPOINT         : 0x0
        WAIT_HINT          : 0x0
"""

SC_QUERYEX_PENDING = """
SERVICE_NAME: W3SVC
        TYPE               : 20  WIN32_SHARE_PROCESS
        STATE              : 2  START_PENDING
                                (NOT_STOPPABLE, NOT_PAUSABLE, IGNORES_SHUTDOWN)
        WIN32_EXIT_CODE    : 0  (0x0)
        SERVICE_EXIT_CODE  : 0  (0x0)
        CHECKPOINT         : 0x1
        WAIT_HINT          : 0x7d0
        PID                : 412
        FLAGS              :
"""


@pytest.mark.parametrize("text", variants(SC_QUERY_VISTA))
def test_sc_query_running(text):
    st = parse_sc_query(text)
    assert (st.name, st.type, st.type_name, st.state, st.state_name) == (
        "W3SVC",
        0x20,
        "WIN32_SHARE_PROCESS",
        4,
        "RUNNING",
    )
    assert st.controls == ["STOPPABLE", "PAUSABLE", "ACCEPTS_SHUTDOWN"]
    assert (st.win32_exit_code, st.service_exit_code, st.checkpoint, st.wait_hint) == (0, 0, 0, 0)
    assert st.exists is True and st.running and not st.stopped and not st.pending


def test_sc_query_xp_controls_and_exit_codes():
    st = parse_sc_query(SC_QUERY_XP_STOPPED_FAILED)
    assert st.controls == ["NOT_STOPPABLE", "NOT_PAUSABLE", "IGNORES_SHUTDOWN"]
    assert st.stopped and st.win32_exit_code == 1066 and st.service_exit_code == 8


def test_sc_queryex_pending():
    st = parse_sc_query(SC_QUERYEX_PENDING)
    assert st.pending and st.state_name == "START_PENDING"
    assert st.checkpoint == 1 and st.wait_hint == 2000 and st.pid == 412


@pytest.mark.parametrize(
    "text",
    [
        "[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\n"
        "The specified service does not exist as an installed service.\r\n\r\n",
        "[SC] OpenService FAILED 1060:\n\nThe specified service does not exist as an installed service.\n\n",
    ],
)
def test_sc_query_missing_service_both_variants(text):
    st = parse_sc_query(text)
    assert st.exists is False and st.error_code == 1060
    assert st.error_message == "The specified service does not exist as an installed service."
    assert st.error_api.endswith("OpenService")
    assert classify_error(text) == "invalid_service"


def test_sc_query_access_denied_and_missing_tool():
    st = parse_sc_query("[SC] OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n\r\n")
    assert st.error_code == 5 and st.exists is None and st.error_message == "Access is denied."
    text = "'sc' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"
    st = parse_sc_query(text)
    assert st.exists is None and st.error_code is None and st.error_message.startswith("'sc' is not")
    assert classify_error(text) == "name_not_recognized"
    assert parse_sc_query("").exists is None


def test_sc_query_all_and_enumdepend():
    text = (
        "Enum: entriesRead = 2\n\n"
        "SERVICE_NAME: W3SVC\nDISPLAY_NAME: World Wide Web Publishing Service\n"
        + SC_QUERY_VISTA.strip("\n").split("\n", 1)[1]
        + "\n\nSERVICE_NAME: MSFTPSVC\nDISPLAY_NAME: FTP Publishing Service\n"
        + SC_QUERY_XP_STOPPED_FAILED.strip("\n").split("\n", 1)[1]
        + "\n"
    )
    found = parse_sc_query_all(text)
    assert [(s.name, s.display_name, s.state) for s in found] == [
        ("W3SVC", "World Wide Web Publishing Service", 4),
        ("MSFTPSVC", "FTP Publishing Service", 1),
    ]
    assert parse_sc_query_all("") == []


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


# ============================================================================ adsutil

BANNER_56 = (
    "Microsoft (R) Windows Script Host Version 5.6\r\n"
    "Copyright (C) Microsoft Corporation 1996-2001. All rights reserved.\r\n\r\n"
)
BANNER_WSH1 = (
    "Microsoft (R) Windows Scripting Host Version 5.0 for Windows\r\n"
    "Copyright (C) Microsoft Corporation 1996-1997. All rights reserved.\r\n\r\n"
)

ENUM_ROOT_IIS5 = """KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT"
AppIsolated                     : (INTEGER) 0
AppFriendlyName                 : (STRING) "Default Application"
Path                            : (STRING) "C:\\InetPub\\wwwroot"
AccessRead                      : (BOOLEAN) True
AccessWrite                     : (BOOLEAN) False
HttpCustomHeaders               : (LIST) (2 Items)
  "X-Powered-By: ASP"
  "X-Other: a "quoted" b"

DefaultLogonDomain              : (EXPANDSZ) "%COMPUTERNAME%"
AnonymousUserPass               : (STRING)"**********"
AVeryLongPropertyNameOfThirtyTwoChars : (Long) 7
[/W3SVC/1/ROOT/Shop]
[/W3SVC/1/ROOT/_vti_bin]

"""


@pytest.mark.parametrize("banner", ["", BANNER_56, BANNER_WSH1])
def test_adsutil_enum_iis5(banner):
    props, children = parse_adsutil_enum(banner + ENUM_ROOT_IIS5)
    assert children == ["/W3SVC/1/ROOT/Shop", "/W3SVC/1/ROOT/_vti_bin"]
    assert props["KeyType"].value == "IIsWebVirtualDir" and props["KeyType"].type == "STRING"
    assert props["AppRoot"].value == "/LM/W3SVC/1/ROOT"
    assert props["AppIsolated"].value == 0 and props["AppIsolated"].type == "INTEGER"
    assert props["Path"].value == "C:\\InetPub\\wwwroot"
    assert props["AccessRead"].value is True and props["AccessWrite"].value is False
    assert props["HttpCustomHeaders"].type == "LIST"
    assert props["HttpCustomHeaders"].value == ["X-Powered-By: ASP", 'X-Other: a "quoted" b']
    assert props["DefaultLogonDomain"].type == "EXPANDSZ" and props["DefaultLogonDomain"].value == "%COMPUTERNAME%"
    assert props["AnonymousUserPass"].value == "**********"
    assert props["AVeryLongPropertyNameOfThirtyTwoChars"].type == "INTEGER"
    assert props["AVeryLongPropertyNameOfThirtyTwoChars"].value == 7
    assert list(props)[0] == "KeyType"


def test_adsutil_get_formats_and_list_get_spacing():
    text = BANNER_56 + 'ServerBindings                  : (LIST)  (2 Items)\r\n  ":80:"\r\n  "10.0.0.5:8080:shop"\r\n'
    props = parse_adsutil_properties(text)
    assert props["ServerBindings"].value == [":80:", "10.0.0.5:8080:shop"]
    assert (
        parse_adsutil_properties("ServerBindings                  : (LIST)  (0 Items)\n")["ServerBindings"].value == []
    )
    assert parse_adsutil_properties("AppIsolated                     : (INTEGER) 1")["AppIsolated"].value == 1
    assert parse_adsutil_properties('AppFriendlyName                 : (STRING) ""')["AppFriendlyName"].value == ""


def test_adsutil_capture_get_path():
    chunks = transcript(capture("adsutil/1.txt", "#"))
    cmd, out = chunks[0]
    assert cmd.lower().endswith("get w3svc/1/root/path")
    props = parse_adsutil_properties(out)
    assert props == {"Path": parsers.AdsValue("STRING", "c:\\inetpub\\wwwroot", '"c:\\inetpub\\wwwroot"')}
    assert parse_adsutil_error(out) is None


def test_adsutil_iis4_style_kb_q247098():
    text = (
        'KeyType               :(String)  "IISFilters"\r\n'
        'FilterLoadOrder       :(String)  "sspifilt,Compression"\r\n'
        "[/w3svc/filters/sspifilt]\r\n"
        "[/w3svc/filters/Compression]\r\n"
    )
    props, children = parse_adsutil_enum(text)
    assert props["KeyType"].type == "STRING" and props["KeyType"].value == "IISFilters"
    assert props["FilterLoadOrder"].value == "sspifilt,Compression"
    assert children == ["/w3svc/filters/sspifilt", "/w3svc/filters/Compression"]
    props = parse_adsutil_properties("FilterState           :(Integer) 1\nAccessRead            :(Boolean) True\n")
    assert props["FilterState"].type == "INTEGER" and props["FilterState"].value == 1
    assert props["AccessRead"].value is True


def test_adsutil_mimemap_and_unsupported_datatype_lines():
    text = (
        'KeyType                         : (STRING) "IIsWebService"\n'
        'MimeMap                         : (MimeMapList) ".abc,text/plain" ".xyz,application/x-xyz" \n'
        "\n"
        'DataType: "IPSec" Not Yet Supported on property: IPSecurity\n'
        "\n"
        "ErrNumber: 0 (0x0)\n"
        "\n"
        "[/W3SVC/1]\n"
    )
    props, children = parse_adsutil_enum(text)
    assert props["MimeMap"].type == "MIMEMAPLIST"
    assert props["MimeMap"].value == [".abc,text/plain", ".xyz,application/x-xyz"]
    assert set(props) == {"KeyType", "MimeMap"} and children == ["/W3SVC/1"]
    assert parse_adsutil_error(text) is None


ENUM_ALL_W3SVC = """KeyType                         : (STRING) "IIsWebService"
AppIsolated                     : (INTEGER) 0
[/W3SVC/1]
KeyType                         : (STRING) "IIsWebServer"
ServerComment                   : (STRING) "Default Web Site"
ServerBindings                  : (LIST) (1 Items)
  ":80:"

[/W3SVC/1/filters]
KeyType                         : (STRING) "IIsFilters"

[/W3SVC/1/ROOT]
KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/ROOT"
Path                            : (STRING) "C:\\InetPub\\wwwroot"
[/W3SVC/1/ROOT/Shop]
KeyType                         : (STRING) "IIsWebVirtualDir"
AppRoot                         : (STRING) "/LM/W3SVC/1/Root/Shop"
AppIsolated                     : (INTEGER) 1
Path                            : (STRING) "D:\\Sites\\Shop"
[/W3SVC/1/ROOT/Shop/images]


[/W3SVC/2]
KeyType                         : (STRING) "IIsWebServer"
ServerComment                   : (STRING) "Intranet"

"""


@pytest.mark.parametrize("text", variants(ENUM_ALL_W3SVC) + [BANNER_56 + ENUM_ALL_W3SVC])
def test_adsutil_enum_all(text):
    tree = parse_adsutil_enum_all(text, "W3SVC")
    assert list(tree) == [
        "/W3SVC",
        "/W3SVC/1",
        "/W3SVC/1/filters",
        "/W3SVC/1/ROOT",
        "/W3SVC/1/ROOT/Shop",
        "/W3SVC/1/ROOT/Shop/images",
        "/W3SVC/2",
    ]
    assert tree["/W3SVC"]["AppIsolated"].value == 0
    assert tree["/W3SVC/1"]["ServerBindings"].value == [":80:"]
    assert tree["/W3SVC/1"]["ServerComment"].value == "Default Web Site"
    assert tree["/W3SVC/1/ROOT/Shop"]["AppIsolated"].value == 1
    assert tree["/W3SVC/1/ROOT/Shop"]["AppRoot"].value == "/LM/W3SVC/1/Root/Shop"
    assert tree["/W3SVC/1/ROOT/Shop/images"] == {}
    assert tree["/W3SVC/2"]["ServerComment"].value == "Intranet"


def test_adsutil_enum_all_requested_path_forms():
    for path, key in [("/LM/W3SVC/1", "/W3SVC/1"), ("w3svc\\1\\", "/w3svc/1"), ("W3SVC/1/ROOT", "/W3SVC/1/ROOT")]:
        tree = parse_adsutil_enum_all('KeyType                         : (STRING) "X"\n', path)
        assert list(tree) == [key]


ADS_PATH_NOT_FOUND = """
The path requested could not be found.
ErrNumber: -2147024893 (0x80070003)
Error Trying To ENUM the Object (GetObject Failed): W3SVC/99
"""


@pytest.mark.parametrize("banner", ["", BANNER_56])
def test_adsutil_error_path_not_found(banner):
    err = parse_adsutil_error(banner + ADS_PATH_NOT_FOUND)
    assert err.kind == "path_not_found"
    assert err.message == "The path requested could not be found."
    assert err.err_number == -2147024893 and err.hresult == 0x80070003
    assert err.path == "W3SVC/99" and err.context.startswith("Error Trying To ENUM")


def test_adsutil_error_kinds():
    err = parse_adsutil_error('The parameter "AppIsolated" is not set at this node.\r\n')
    assert (err.kind, err.path, err.err_number) == ("not_set", "AppIsolated", ADSI_NOT_SET)
    assert err.hresult == 0x80005006
    err = parse_adsutil_error('Command not recognized: APPFOO\r\nFor help, just type "Cscript.exe adsutil.vbs".\r\n')
    assert (err.kind, err.path) == ("command_not_recognized", "APPFOO")
    err = parse_adsutil_error(
        "Access is denied for the requested path or property.\nErrNumber: -2147024891 (0x80070005)\n"
        "Error Trying To GET the Object (GetObject Failed): W3SVC/1/Root\n"
    )
    assert err.kind == "access_denied" and err.path == "W3SVC/1/Root"
    err = parse_adsutil_error(
        "\nErrNumber: -2147463155 (0x8000500D)\n"
        "Error Trying To GET the Schema of the property: IIS://localhost/Schema/NoSuchProp\n"
    )
    assert err.kind == "unknown_property" and err.path == "IIS://localhost/Schema/NoSuchProp"
    err = parse_adsutil_error(
        "\r\nErrNumber: -2147463155 (0x8000500D)\r\n"
        "Error Trying To GET the property: (Get Method Failed) ServerComment\r\n"
        "  (This property is probably not allowed at this node)\r\n"
    )
    assert (err.kind, err.path, err.message) == ("not_allowed", "ServerComment", "")
    assert parse_adsutil_error("Error: Wrong number of Args for the GET command\n").kind == "wrong_args"
    assert parse_adsutil_error("This script does not work with WScript.\n").kind == "wscript"
    assert (
        parse_adsutil_error(
            "The requested path is being used by another application.\nErrNumber: -2147024748 (0x80070094)\n"
        ).kind
        == "path_in_use"
    )
    assert parse_adsutil_error("Application Unloaded.\n") is None


def test_adsutil_error_continuing_in_enum():
    text = (
        "\nSome ADSI failure\nErrNumber: -2147463168 (0x80005000)\n"
        "Error trying to enumerate the Optional properties (Error trying to get property value): "
        "IIS://localhost/Schema/Foo\nLast Property Name: Foo\nPropertyObjPath: IIS://localhost/Schema/Foo\n"
        "Continuing...\n\n"
    )
    err = parse_adsutil_error(text)
    assert err.continued and err.kind == "error" and err.path == "IIS://localhost/Schema/Foo"


@pytest.mark.parametrize(
    ("text", "action", "status", "status_name"),
    [
        ("Application Unloaded.\r\n", "unloaded", None, None),
        ("Application Created.\r\n", "created", None, None),
        ("Application Deleted.\r\n", "deleted", None, None),
        ("Application Disabled.\r\n", "disabled", None, None),
        ("Application Enabled.\r\n", "enabled", None, None),
        ("Application Status: 1\r\n", "status", 1, "running"),
        ("Application Status: 0\n", "status", 0, "stopped"),
        ("Application Status: 2\n", "status", 2, "not_defined"),
    ],
)
def test_adsutil_app_results(text, action, status, status_name):
    for t in (text, BANNER_WSH1 + text):
        res = parse_adsutil_app_result(t)
        assert res.ok and res.action == action and res.status == status and res.status_name == status_name


def test_adsutil_app_unload_error():
    text = (
        "The path requested could not be found.\r\nErrNumber: -2147024893 (0x80070003)\r\n"
        "Error trying to get the path of the application: W3SVC/1/Root/Gone\r\n"
    )
    res = parse_adsutil_app_result(text)
    assert not res.ok and res.error.kind == "path_not_found" and res.error.path == "W3SVC/1/Root/Gone"
    text = (
        "Catastrophic failure\nErrNumber: -2147418113 (0x8000FFFF)\n"
        "Error trying to UNLOAD the application: W3SVC/1/Root/Shop\n"
    )
    res = parse_adsutil_app_result(text)
    assert not res.ok and res.error.kind == "error" and res.error.message == "Catastrophic failure"
    assert res.error.context == "Error trying to UNLOAD the application: W3SVC/1/Root/Shop"
    assert res.error.path == "W3SVC/1/Root/Shop"
    res = parse_adsutil_app_result("Error trying to UNLOAD the application: W3SVC/1/Root/Shop\n")
    assert not res.ok and res.error.path == "W3SVC/1/Root/Shop"
    assert not parse_adsutil_app_result("").ok


# ============================================================================ fc


def test_fc_captures_identical():
    for rel in ("fc/1.txt", "fc/3.txt"):
        for _cmd, out in transcript(capture(rel)):
            if out.strip():
                res = parse_fc(out)
                assert res.identical is True and res.error is None and res.differences == 0
    res = parse_fc(transcript(capture("fc/3.txt"))[0][1])
    assert res.files == ("Program.cs", "OUT.CS")


def test_fc_binary_differences_and_longer():
    text = (
        "Comparing files C:\\InetPub\\bin\\shop.dll and C:\\InetPub\\bin\\SHOP.DLL.NEW\r\n"
        "00000040: 0E 1F\r\n00000041: 1F 0E\r\n"
        "FC: C:\\InetPub\\bin\\shop.dll longer than C:\\InetPub\\bin\\SHOP.DLL.NEW\r\n\r\n"
    )
    res = parse_fc(text)
    assert res.identical is False and res.differences == 2 and res.longer == "C:\\InetPub\\bin\\shop.dll"
    res = parse_fc("Comparing files A and B\n00000000: 4D 5A\n")
    assert res.identical is False and res.differences == 1 and res.longer is None


def test_fc_text_differences():
    text = "Comparing files a.txt and B.TXT\n***** a.txt\nold\n***** B.TXT\nnew\n*****\n\n"
    res = parse_fc(text)
    assert res.identical is False and res.differences == 1


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("FC: cannot open C:\\x.dll - No such file or folder", "not_found"),
        ("FC: Cannot open C:\\x.dll - No such file or directory", "not_found"),
        ("FC: Insufficient number of file specifications", "fc_error"),
    ],
)
def test_fc_errors(line, code):
    res = parse_fc(line + "\r\n\r\n")
    assert res.identical is None and res.error == line and res.error_code == code


# ============================================================================ copy / move / ren / del


def test_copy_success_variants():
    assert parse_copy("        1 file(s) copied.\r\n").ok
    assert parse_copy("        1 File(s) copied\r\n").copied == 1
    res = parse_copy("C:\\src\\a.dll\r\nC:\\src\\b.dll\r\n        2 file(s) copied.\r\n")
    assert res.copied == 2 and res.other == ["C:\\src\\a.dll", "C:\\src\\b.dll"]
    out = output_of("dir/2.txt", "copy", "//")
    assert parse_copy(out).ok


def test_copy_sharing_violation_captures():
    for rel in ("copy_move_del/3.txt", "copy_move_del/4.txt"):
        chunks = [c for c in transcript(capture(rel)) if c[0].startswith("copy")]
        res = parse_copy(chunks[0][1])
        assert res.copied == 0 and not res.ok
        assert res.error_code == "sharing_violation"
        assert res.error == "The process cannot access the file because it is being used by another process."


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Access is denied.", "access_denied"),
        ("There is not enough space on the disk.", "disk_full"),
        ("The system cannot find the path specified.", "path_not_found"),
        ("The system cannot find the file specified.", "not_found"),
        ("The file cannot be copied onto itself.", "same_file"),
        (
            "The process cannot access the file because another process has locked a portion of the file.",
            "sharing_violation",
        ),
    ],
)
def test_copy_errors(message, code):
    res = parse_copy(f"{message}\r\n        0 file(s) copied.\r\n")
    assert (res.error, res.error_code, res.copied, res.ok) == (message, code, 0, False)
    res = parse_copy(f"{message}\n")
    assert res.error_code == code and res.copied is None and not res.ok


def test_copy_overwrite_prompt():
    res = parse_copy("Overwrite C:\\InetPub\\bin\\shop.dll? (Yes/No/All): \r\n")
    assert res.prompted and not res.ok


def test_move_variants():
    assert parse_move("").ok
    res = parse_move("        1 file(s) moved.\r\n")
    assert res.ok and res.count == 1
    res = parse_move("The process cannot access the file because it is being used by another process.\r\n")
    assert not res.ok and res.error_code == "sharing_violation"
    res = parse_move("Cannot create a file when that file already exists.\r\n")
    assert res.error_code == "already_exists"
    out = output_of("copy_move_del/2.txt", "move")
    assert parse_move(out).count == 1


def test_ren_variants():
    assert parse_ren("").ok and parse_ren("\r\n").ok
    res = parse_ren("A duplicate file name exists, or the file cannot be found.\r\n")
    assert not res.ok and res.error_code == "duplicate_or_not_found"
    assert parse_ren("Access is denied.\r\n").error_code == "access_denied"
    assert parse_ren("The syntax of the command is incorrect.\r\n").error_code == "syntax_error"
    assert parse_ren("The system cannot find the file specified.\r\n").error_code == "not_found"


def test_del_variants():
    assert parse_del("").ok
    res = parse_del("Could Not Find C:\\InetPub\\bin\\shop.dll.old\r\n")
    assert not res.ok and res.error_code == "not_found" and res.paths == ["C:\\InetPub\\bin\\shop.dll.old"]
    res = parse_del("C:\\InetPub\\bin\\shop.dll\r\nAccess is denied.\r\n")
    assert res.error_code == "access_denied" and res.paths == ["C:\\InetPub\\bin\\shop.dll"] and not res.other
    res = parse_del(
        "C:\\InetPub\\bin\\shop.dll\r\nThe process cannot access the file because it is being used by another "
        "process.\r\n"
    )
    assert res.error_code == "sharing_violation" and res.paths == ["C:\\InetPub\\bin\\shop.dll"]


# ============================================================================ dir

DIR_NT4 = """ Volume in drive C has no label.
 Volume Serial Number is 2C4A-1F07

 Directory of C:\\InetPub\\wwwroot\\bin

09/14/98  03:12p        <DIR>          .
09/14/98  03:12p        <DIR>          ..
11/02/99  11:47a               126,976 Shop.dll
11/02/99  12:05a                 4,096 Old Shop.dll
01/05/00  12:30p        <DIR>          Sub Dir
               3 File(s)        131,072 bytes
                          412,098,560 bytes free
"""

DIR_2000 = """ Volume in drive C has no label.
 Volume Serial Number is 64D6-DB09

 Directory of C:\\InetPub\\wwwroot\\bin

09/14/2001  03:12 PM    <DIR>          .
09/14/2001  03:12 PM    <DIR>          ..
11/02/2001  11:47 AM           126,976 Shop.dll
               1 File(s)        126,976 bytes
               2 Dir(s)  60,087,279,616 bytes free
"""


@pytest.mark.parametrize("text", variants(DIR_NT4))
def test_dir_nt4_format(text):
    listing = parse_dir_listing(text)
    names = [e.name for e in listing.entries]
    assert names == ["Shop.dll", "Old Shop.dll", "Sub Dir"]
    shop, old, sub = listing.entries
    assert shop.size == 126976 and not shop.is_dir and shop.mtime == datetime(1999, 11, 2, 11, 47)
    assert (shop.date, shop.time) == ("11/02/99", "11:47a")
    assert old.mtime == datetime(1999, 11, 2, 0, 5)
    assert sub.is_dir and sub.size is None and sub.mtime == datetime(2000, 1, 5, 12, 30) and sub.tag == "<DIR>"
    assert shop.directory == "C:\\InetPub\\wwwroot\\bin"
    assert (listing.file_count, listing.total_bytes, listing.bytes_free) == (3, 131072, 412098560)


def test_dir_2000_format():
    listing = parse_dir_listing(DIR_2000)
    assert [e.name for e in listing.entries] == ["Shop.dll"]
    assert listing.entries[0].mtime == datetime(2001, 11, 2, 11, 47)
    assert listing.bytes_free == 60087279616


def test_dir_capture_single_file_pm():
    out = output_of("dir/2.txt", "dir", "//")
    entries = parse_dir(out)
    assert len(entries) == 1
    e = entries[0]
    assert (e.name, e.size, e.is_dir) == ("Flash64_11_4_402_265.ocx", 12994248, False)
    assert e.mtime == datetime(2012, 9, 9, 20, 22)


def test_dir_other_layouts_and_errors():
    entries = parse_dir("2001-11-02  23:47           126976 shop.dll\n02.11.2001  23:47    126.976 x.dll\n")
    assert [(e.name, e.size, e.mtime) for e in entries] == [
        ("shop.dll", 126976, datetime(2001, 11, 2, 23, 47)),
        ("x.dll", 126976, datetime(2001, 11, 2, 23, 47)),
    ]
    assert parse_dir("13/45/99  10:00a  1 odd.dll\n")[0].mtime is None
    listing = parse_dir_listing(
        " Volume in drive C has no label.\n Volume Serial Number is 1\n\n Directory of C:\\x\n\nFile Not Found\n"
    )
    assert listing.entries == [] and listing.error_code == "not_found"
    listing = parse_dir_listing("The system cannot find the path specified.\n")
    assert listing.error_code == "path_not_found"


# ============================================================================ regsvr32 and classify


@pytest.mark.parametrize(
    ("rc", "needle"),
    [
        (0, "success"),
        (1, "command line"),
        (2, "OleInitialize"),
        (3, "LoadLibrary"),
        (4, "GetProcAddress"),
        (5, "returned an error"),
        (6, "unknown exit code 6"),
        (-1, "unknown exit code -1"),
    ],
)
def test_regsvr32(rc, needle):
    assert needle in parse_regsvr32(rc)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The process cannot access the file because it is being used by another process.", "sharing_violation"),
        ("Access is denied.", "access_denied"),
        ("There is not enough space on the disk.", "disk_full"),
        ("The system cannot find the file specified.", "not_found"),
        ("Could Not Find C:\\x.dll", "not_found"),
        ("File Not Found", "not_found"),
        ("The system cannot find the path specified.", "path_not_found"),
        ("The network path was not found.", "path_not_found"),
        (
            "'sc' is not recognized as an internal or external command,\noperable program or batch file.",
            "name_not_recognized",
        ),
        ("The service name is invalid.", "invalid_service"),
        ("The filename, directory name, or volume label syntax is incorrect.", "invalid_name"),
        ("The syntax of the command is incorrect.", "syntax_error"),
        ("The device is not ready.", "not_ready"),
        ("System error 5 has occurred.\r\n\r\nAccess is denied.\r\n", "access_denied"),
        ("        1 file(s) copied.", None),
        ("", None),
    ],
)
def test_classify_error(text, code):
    assert classify_error(text) == code
    assert classify_error(text.upper()) == code


def test_classify_error_nt4_unknown_program_wraps_after_as_an():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils.parsers import classify_error

    text = (
        "The name specified is not recognized as an\r\n"
        "internal or external command, operable program or batch file.\r\n"
    )
    assert classify_error(text) == "name_not_recognized"

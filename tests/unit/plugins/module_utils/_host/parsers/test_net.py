# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/parsers/net.py (net start / net stop) on real-format console text.

Fixtures come from tests/conformance/captures (verbatim public captures, see index.json there) and from
transcripts in the format the NT 4 / IIS 4 reference documents.
"""

from __future__ import annotations

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import ParseError
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.net import (
    parse_net_start,
    parse_net_start_list,
    parse_net_stop,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.services import service_key

from .captures import CAPTURES, capture, output_of, transcript, variants

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


def test_net_stop_could_not_be_controlled_is_an_error():
    """Review S8: a 2003 SBS capture of ``net stop http /y`` (Microsoft asiatech blog, 2011-04-04) answers NERR 2189
    for a service that refuses the control in its present state: not stopped, an error with its own condition."""
    text = (
        "\r\nThe service could not be controlled in its present state.\r\n\r\n"
        "More help is available by typing NET HELPMSG 2189.\r\n\r\n"
    )
    res = parse_net_stop(text)
    assert res.stopped == [] and res.errors == [(None, "The service could not be controlled in its present state.")]
    assert "cannot_control" in res.conditions and res.helpmsg == [2189]

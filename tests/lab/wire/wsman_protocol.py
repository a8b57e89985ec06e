"""The WS-Management vocabulary the lab's WinRM service speaks: namespaces, action and signal URIs, the WinRM
error codes (wsmerror.h) it answers with, and xs:duration reading.  Pure constants and one pure function, kept
apart from the service in :mod:`tests.lab.wire.wsman`."""

from __future__ import annotations

import re

NS = {
    "s": "http://www.w3.org/2003/05/soap-envelope",
    "a": "http://schemas.xmlsoap.org/ws/2004/08/addressing",
    "w": "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd",
    "p": "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd",
    "rsp": "http://schemas.microsoft.com/wbem/wsman/1/windows/shell",
    "x": "http://schemas.xmlsoap.org/ws/2004/09/transfer",
    "f": "http://schemas.microsoft.com/wbem/wsman/1/wsmanfault",
}
CMD_RESOURCE = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
SHELL = NS["rsp"]
ACTIONS = {
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create": "Create",
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete": "Delete",
    SHELL + "/Command": "Command",
    SHELL + "/Send": "Send",
    SHELL + "/Receive": "Receive",
    SHELL + "/Signal": "Signal",
}
RESPONSE_ACTIONS = {
    "Create": "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
    "Delete": "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse",
    "Command": SHELL + "/CommandResponse",
    "Send": SHELL + "/SendResponse",
    "Receive": SHELL + "/ReceiveResponse",
    "Signal": SHELL + "/SignalResponse",
}
SIGNALS = {
    SHELL + "/signal/terminate": "terminate",
    SHELL + "/signal/ctrl_c": "ctrl_c",
    SHELL + "/signal/ctrl_break": "ctrl_c",
}
STATE_RUNNING = SHELL + "/CommandState/Running"
STATE_DONE = SHELL + "/CommandState/Done"
FAULT_ACTION = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
ADDRESSING_FAULT_ACTION = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"

# WinRM error codes (wsmerror.h)
ERROR_WSMAN_OPERATION_TIMEDOUT = 2150858793
ERROR_WSMAN_UNEXPECTED_SELECTORS = 2150858843  # what WinRM reports for a ShellId it does not know
ERROR_WSMAN_QUOTA_MAX_SHELLS = 2150859173
ERROR_WSMAN_QUOTA_MAX_OPERATIONS = 2150859174  # 0x803381A6 (winerror.h)
ERROR_WSMAN_INVALID_ACTIONURI = 2150858753
ERROR_WSMAN_RESOURCE_NOT_FOUND = 2150858752
ERROR_WSMAN_INVALID_XML = 2150858819
ERROR_WSMAN_SHELL_INVALID_COMMAND_HANDLE = 2150859085
ERROR_WSMAN_INVALID_SOAP_BODY = 2150858791
ERROR_WSMAN_PROVIDER_FAILURE = 2150858755

COALESCE_SECONDS = 0.05  # gather output arriving this soon after the first bytes into one Receive
READ_SLICE = 1.0  # longest single blocking read; keeps executor threads short-lived
ENVELOPE_OVERHEAD = 4096  # room for the SOAP wrapping of a Receive answer

_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(text: str | None, default: float) -> float:
    """Seconds of an xs:duration such as ``PT20S`` or ``PT60.000S`` (a bare number is taken as seconds)."""
    if not text:
        return default
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = _DURATION.match(text)
    if not m:
        return default
    parts = {k: float(v) if v else 0.0 for k, v in m.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]

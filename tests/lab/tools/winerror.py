"""Windows system error texts the programs print (``System error 1060 has occurred.`` and the like).

The texts are those of the NT 4 system message table; a code without a text here is shown by number.
"""

from __future__ import annotations

CRLF = "\r\n"

SYSTEM_MESSAGES = {
    2: "The system cannot find the file specified.",
    3: "The system cannot find the path specified.",
    5: "Access is denied.",
    1051: "A stop control has been sent to a service which other running services are dependent on.",
    1053: "The service did not respond to the start or control request in a timely fashion.",
    1056: "An instance of the service is already running.",
    1058: "The specified service is disabled and cannot be started.",
    1060: "The specified service does not exist as an installed service.",
    1061: "The service cannot accept control messages at this time.",
    1062: "The service has not been started.",
    1066: "The service has returned a service-specific error code.",
    1067: "The process terminated unexpectedly.",
    1068: "The dependency service or group failed to start.",
    1069: "The service did not start due to a logon failure.",
}


def system_text(code: int) -> str:
    return SYSTEM_MESSAGES.get(code, f"System error {code} has occurred.")

"""Review S13: appcmd's "The WAS service is not available" is read, and sc query WAS's state number decides why."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.elevation import was_refused, was_state

# appcmd's answer as azure-pipelines-extensions issue 1136 quotes it, in appcmd's ERROR ( message:... ) form.
REFUSED = "ERROR ( message:The WAS service is not available - try starting the service first. )\r\n"
SC_QUERY = (
    "\r\nSERVICE_NAME: WAS\r\n        TYPE               : 20  WIN32_SHARE_PROCESS\r\n"
    "        STATE              : 4  RUNNING\r\n"
    "                                (STOPPABLE,NOT_PAUSABLE,ACCEPTS_SHUTDOWN)\r\n"
)


def test_the_was_text_is_recognised_and_nothing_else_is():
    assert was_refused(REFUSED)
    assert not was_refused('"ShopPool" successfully stopped\r\n')
    assert not was_refused("")


def test_sc_query_state_number():
    assert was_state(SC_QUERY) == 4
    assert was_state(SC_QUERY.replace("4  RUNNING", "1  STOPPED")) == 1
    assert was_state("[SC] OpenService FAILED 5:\r\n\r\nAccess is denied.\r\n") is None

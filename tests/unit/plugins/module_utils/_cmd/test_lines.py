"""The small line builders under the swap vocabulary: exact command text."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.lines import (
    IN_BLOCK,
    block,
    compare,
    delete_if_exists,
    echo_if_exists,
    group_touch,
    mark,
    pause,
    sink,
)

LOG = '"C:\\Inet Pub\\bin\\Cart.dll.log"'


def test_a_sink_is_the_client_a_host_log_or_the_enclosing_block():
    assert sink(None) == "2>&1"
    assert sink(LOG) == f">>{LOG} 2>&1"
    assert sink(IN_BLOCK) == ""
    assert block(["net stop W3SVC", "net start W3SVC"], LOG) == f"(net stop W3SVC&net start W3SVC) >>{LOG} 2>&1"


def test_a_marker_goes_to_stdout_or_is_appended_to_the_log():
    assert mark("swap") == "echo @@swap"
    assert mark("swap", IN_BLOCK) == "echo @@swap"
    assert mark("swap", LOG).endswith(f">>{LOG}") and "@@swap" in mark("swap", LOG)


def test_a_wait_pings_the_loopback_address_once_more_than_the_seconds():
    assert pause(2) == "ping -n 3 127.0.0.1 >nul 2>&1"


def test_compare_keeps_only_fc_exit_code_and_reads_it_when_labelled():
    plain = compare("C:\\a.dll", "C:\\b.dll")
    assert plain == ['fc /b "C:\\a.dll" "C:\\b.dll" >nul 2>&1']
    labelled = compare("C:\\a.dll", "C:\\b.dll", "verify")
    assert labelled[0] == plain[0] and len(labelled) == 2 and "verify" in labelled[1]


def test_file_tests_are_guarded_groups():
    assert echo_if_exists("C:\\a b.dll", "##there") == '(if exist "C:\\a b.dll" echo ##there)'
    deleting = delete_if_exists("C:\\a b.dll", "C:\\c.dll")
    assert 'del "C:\\a b.dll"' in deleting and 'if exist "C:\\c.dll"' in deleting
    assert group_touch("C:\\a b.dll") == '(type nul>>"C:\\a b.dll")'

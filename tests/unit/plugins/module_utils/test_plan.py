"""The plan is computed from recorded facts alone: no lab, no host.

``recorded/gather_*.txt`` is what the gather line printed on LAB hosts of the default fleet (two in-process,
two isolated): the lab's model of NT 4.0, not output of a real host (recorded/README.md).  The plan made from
it must choose the right strategy, stop and start the right services in the right order, and carry every
command a real run would send.  ``test_real_format_sections_read_like_the_lab_ones`` puts verbatim captures
of real Windows machines (tests/conformance/captures) in place of the lab's sections.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.swap import Swap
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_facts
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.metabase_read import (
    IIS5_ADSUTIL,
    enum_all_parts,
    read_metabase,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.target import Target
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.service_restart import ServiceRestart
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.unload import IsolatedUnload
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import InputError, StepFailed
from ansible_collections.legacy_iis.iis4.plugins.module_utils.params import Params
from ansible_collections.legacy_iis.iis4.plugins.module_utils.plan import make_plan
from ansible_collections.legacy_iis.iis4.plugins.module_utils.resolve import resolve

RECORDED = Path(__file__).parent / "recorded"
ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
SRC, DEST = "C:\\Staging\\ShopCart.dll", "C:\\InetPub\\shop\\bin\\ShopCart.dll"
STAMP = "20261130120000"


def facts_of(name: str):
    return read_facts(recorded(name), ADSUTIL)


def recorded(name: str) -> str:
    """A recording of a LAB host's output as the lab printed it (stored with LF line ends, sent with CRLF)."""
    return (RECORDED / name).read_text(encoding="utf-8").replace("\n", "\r\n")


def params(**overrides):
    args = {"src": SRC, "dest": DEST, "application": ["/Shop"]}
    args.update(overrides)
    return Params.from_module_params(args)


def plan_for(name: str, **overrides):
    p = params(**overrides)
    paths = Paths(p.src, p.dest, STAMP)
    return make_plan(facts_of(name), p, paths), paths, p


INPROC = "gather_fleet0_inproc.txt"  # IIS Admin, W3SVC, FTP and SMTP running
ISOLATED = "gather_fleet1_isolated.txt"  # IIS Admin and W3SVC running, /Shop isolated


# -- facts -------------------------------------------------------------------------------------------------


def test_facts_read_from_a_recorded_gather():
    facts = facts_of(INPROC)
    assert facts.running == ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC")
    assert facts.has_sc
    assert facts.graph["W3SVC"] == ["IISADMIN"]
    assert facts.identical is False
    assert facts.dest_locked is False
    assert facts.record is None
    assert facts.src is not None and facts.src.size == 28672
    assert facts.metabase is not None and 1 in facts.metabase.sites()


def test_resolve_is_what_the_plan_acts_for():
    p = params()
    paths = Paths(p.src, p.dest, STAMP)
    found = resolve(facts_of(ISOLATED), p, Target(paths, p.cmdline_limit, p.adsutil_path))
    plan = make_plan(facts_of(ISOLATED), p, paths)
    assert (found.site, found.applications, found.isolation) == (plan.site, plan.applications, plan.isolation)
    assert found.isolation == "out_of_process" and found.pools == ()


CAPTURES = Path(__file__).resolve().parents[3] / "conformance" / "captures"


def _capture_output(rel: str, prefix: str = "") -> str:
    """The output lines of a real capture (comment prefix, prompt lines and the echoed command removed), CRLF."""
    lines = []
    for line in (CAPTURES / rel).read_text(encoding="cp437").splitlines():
        line = line.removeprefix(prefix)
        if line.lower().startswith(("c:\\>", "c:\\windows\\system32>")) or line.strip() in ("net start",):
            continue
        if line.lower().startswith("c:\\>copy"):
            break
        lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def _replace_section(text: str, name: str, body: str) -> str:
    start = text.index(f"@@{name}\r\n") + len(f"@@{name}\r\n")
    end = start + text[start:].index("@@")
    return text[:start] + body + text[end:]


def test_real_format_sections_read_like_the_lab_ones():
    """Real captures (Windows Server 2012 R2 ``net start``, a real ``dir`` of one file; captures/index.json) in
    place of the lab's sections: the facts read from them are what the captures say."""
    text = recorded(INPROC)
    text = _replace_section(text, "src", _capture_output("dir/2.txt", "//"))
    real_net = _capture_output("net_start/1.txt")
    text = _replace_section(text, "net", real_net)
    facts = read_facts(text, ADSUTIL)
    assert facts.src is not None and facts.src.size == 12994248  # "12,994,248" in the real dir listing
    # the 2012 R2 host runs no IIS service: none is taken as running, although the list was read
    assert "These Windows services are started:" in real_net and facts.running == ()


@pytest.mark.parametrize("name", sorted(p.name for p in RECORDED.glob("gather_*.txt")))
def test_every_recording_reads_and_plans(name):
    plan, paths, p = plan_for(name)
    expected = "unload" if "isolated" in name else "service_restart"
    assert plan.method == expected
    assert [s.name for s in plan.steps] == ["stage", "apply"]
    for line in plan.commands(paths, p.cmdline_limit):
        assert len(line) <= p.cmdline_limit
        assert line.startswith('cd /d "C:\\InetPub\\shop\\bin"&')


# -- in-process -------------------------------------------------------------------------------------------


def test_in_process_plan_stops_dependants_first_and_starts_iis_admin_first():
    plan, _paths, _p = plan_for(INPROC)
    assert isinstance(plan.strategy, ServiceRestart)
    assert plan.isolation == "in_process"
    assert plan.stops == ("W3SVC", "MSFTPSVC", "SMTPSVC", "IISADMIN")
    assert plan.starts == ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC")
    assert plan.fallback is None
    assert plan.blast_radius["process"] == "inetinfo.exe"
    assert plan.blast_radius["services"] == list(plan.stops)


def test_in_process_sequence_is_one_line_in_order():
    """One command line where it fits (XP and later: 8191 characters).  NT 4.0's 2047 do not hold four services and
    the wait for inetinfo.exe to exit (issue 21): there the sequence is a batch file (the next test)."""
    plan, paths, p = plan_for(INPROC, cmdline_limit=8191)
    apply = plan.step("apply")
    assert apply.sequence and apply.phase == "restart"
    assert apply.parts[0] == '(echo started=restart)>>"ShopCart.dll.iis4state"'
    text = "&".join(apply.parts)
    order = ["net stop IISADMIN /y", "ping -n 3", "@@swap", *(f"net start {s}" for s in plan.starts), "@@outage_end"]
    positions = [text.index(word) for word in [*order, "@@done"]]
    assert positions == sorted(positions)
    assert "finished=restart" in text
    lines = apply.lines(8191, paths.dest_dir, paths.relative().batch)
    assert len(lines) == 1, "the outage must be one command line when it fits"


def test_the_lock_is_tried_again_after_a_bounded_wait_before_holding_the_old_dll():
    """After net stop reports STOPPED, inetinfo.exe may still be exiting with the DLL mapped (issue 21): while the
    held flag stands, the old image is tried again after 2 s and 4 s (ping, the only wait NT 4's cmd.exe has), once
    more without silencing (the failure quotes the sharing violation), and only then the old DLL is put back."""
    plan, _paths, _p = plan_for(INPROC, cmdline_limit=8191)
    parts = plan.step("apply").parts
    text = "&".join(parts)
    bak = next(w for w in text.split('"') if w.endswith(".bak"))
    flag = '"ShopCart.dll.iis4held"'
    old = f'(if exist "{bak}" (type nul>>"{bak}") else type nul>>"ShopCart.dll")'
    order = [
        f'((type nul>>"{bak}") 2>nul||(echo held)>{flag})',
        f"(if exist {flag} (ping -n 3 127.0.0.1 >nul 2>&1&{old} 2>nul&&del {flag}))",
        f"(if exist {flag} (ping -n 5 127.0.0.1 >nul 2>&1&{old} 2>nul&&del {flag}))",
        f"(if exist {flag} ({old}&&del {flag}))",
        f'(if exist {flag} if exist "{bak}" (ren "ShopCart.dll" "ShopCart.dll.iis4new"&ren "{bak}" "ShopCart.dll"))',
        "@@swap",
    ]
    positions = [text.index(x) for x in order]
    assert positions == sorted(positions)
    assert text.count("ping -n") == 2
    short, paths, _p = plan_for(INPROC, cmdline_limit=512)
    lines = short.step("apply").lines(512, paths.dest_dir, paths.relative().batch)
    assert all(len(line) <= 512 for line in lines), "each try is a command of its own: it fits a short line"


def test_restart_services_option_replaces_the_running_ones():
    plan, _paths, _p = plan_for(INPROC, restart_services=["w3svc"])
    assert plan.starts == ("IISADMIN", "W3SVC")
    assert plan.stops == ("W3SVC", "MSFTPSVC", "SMTPSVC", "IISADMIN"), "net stop /y still stops every dependant"


def test_forced_in_process_on_an_isolated_application():
    plan, _paths, _p = plan_for(ISOLATED, isolation="in_process")
    assert plan.method == "service_restart"
    assert plan.fallback is None


# -- isolated --------------------------------------------------------------------------------------------


def test_isolated_plan_unloads_by_the_metabase_spelling_and_keeps_w3svc():
    plan, _paths, _p = plan_for(ISOLATED, application=["/shop"])
    assert isinstance(plan.strategy, IsolatedUnload)
    assert [a.app_root for a in plan.unload_roots] == ["W3SVC/1/ROOT/Shop"]
    text = "&".join(plan.step("apply").parts)
    assert f'cscript //nologo "{ADSUTIL}" APPUNLOAD "W3SVC/1/ROOT/Shop" 2>&1' in text
    assert "net stop" not in text
    assert plan.blast_radius["services"] == []
    assert plan.blast_radius["process"] == "mtx.exe"


def test_isolated_plan_carries_the_restart_fallback():
    plan, paths, p = plan_for(ISOLATED)
    assert plan.fallback is not None and plan.fallback.phase == "restart"
    assert "net stop IISADMIN /y" in "&".join(plan.fallback.parts)
    assert plan.fallback_commands(paths, p.cmdline_limit)
    stage = "&".join(plan.step("stage").parts)
    assert "echo services=IISADMIN,W3SVC" in stage, "the record names the services a fallback would restart"


def test_without_fallback_the_record_names_no_service():
    plan, _paths, _p = plan_for(ISOLATED, unload_fallback=False)
    assert plan.fallback is None
    assert "echo services=)" in "&".join(plan.step("stage").parts)


# -- options that change the commands ---------------------------------------------------------------------


def test_register_and_no_backup_change_the_sequence():
    plan, _paths, _p = plan_for(INPROC, register=True, backup=False)
    text = "&".join(plan.step("apply").parts)
    assert 'regsvr32 /s "ShopCart.dll"' in text
    assert '(if exist "ShopCart.dll.20261130120000.bak" del "ShopCart.dll.20261130120000.bak") 2>&1' in text
    plain = "&".join(plan_for(INPROC)[0].step("apply").parts)
    assert "regsvr32" not in plain and 'del "ShopCart.dll.20261130120000.bak"' not in plain


def test_a_short_command_line_limit_turns_the_sequence_into_a_batch_file():
    plan, paths, _p = plan_for(INPROC, cmdline_limit=700)
    lines = plan.step("apply").lines(700, paths.dest_dir, paths.relative().batch)
    assert len(lines) > 2
    assert all(len(line) <= 700 for line in lines)
    assert '(if exist "ShopCart.dll.iis4run.cmd" del "ShopCart.dll.iis4run.cmd")' in lines[0]
    assert lines[-1].endswith('call "ShopCart.dll.iis4run.cmd"&del "ShopCart.dll.iis4run.cmd"')


def test_the_plan_is_frozen():
    plan, _paths, _p = plan_for(INPROC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.isolation = "out_of_process"  # type: ignore[misc]


# -- what the plan refuses --------------------------------------------------------------------------------


def test_an_unknown_application_is_an_input_error_on_application():
    with pytest.raises(InputError) as exc:
        plan_for(INPROC, application=["/Nope"])
    assert exc.value.name == "application"


def test_an_unknown_site_is_an_input_error_on_site():
    with pytest.raises(InputError) as exc:
        plan_for(INPROC, site="Extranet")
    assert exc.value.name == "site"


def test_no_metabase_is_a_detect_failure():
    facts = dataclasses.replace(facts_of(INPROC), metabase=None, metabase_error="adsutil said no")
    with pytest.raises(StepFailed) as exc:
        make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    assert exc.value.step == "detect" and "adsutil said no" in str(exc.value)


def test_adsutil_without_enum_all_asks_for_a_walk():
    text = recorded(INPROC)
    head, rest = text.split("@@mb", 1)
    tail = rest[rest.index("@@rc mb") :] if "@@rc mb" in rest else rest[rest.index("@@") :]
    facts = read_facts(head + "@@mb\r\nCommand not recognized: ENUM_ALL\r\n" + tail, ADSUTIL)
    assert facts.needs_walk and facts.metabase is None and facts.metabase_error is None


# -- rollback from the same vocabulary ------------------------------------------------------------------


def test_rollback_uses_the_swap_vocabulary():
    swap = Swap(Paths(SRC, DEST, STAMP).relative())
    parts = swap.rollback()
    assert swap.swap_back()[0] in parts and swap.swap_back()[1] in parts
    assert '(if exist "ShopCart.dll.iis4state" del "ShopCart.dll.iis4state") 2>&1' in parts
    # soak seed 21240891: a registration whose answer was lost left its flag after the rollback
    assert '(if exist "ShopCart.dll.iis4reg" del "ShopCart.dll.iis4reg") 2>&1' in parts


# -- adsutil.vbs without ENUM_ALL, and errors it goes on after ------------------------------------------


def with_enum_all_answer(answer: str) -> str:
    text = recorded(INPROC)
    head, rest = text.split("@@mb", 1)
    return head + "@@mb\r\n" + answer + rest[rest.index("@@rc mb") if "@@rc mb" in rest else rest.index("@@lock") :]


@pytest.mark.parametrize(
    "answer",
    [
        'Command not recognized: ENUM_ALL\r\nFor help, just type "Cscript.exe adsutil.vbs".\r\n',
        "\r\nUsage:\r\n      ADSUTIL.VBS <cmd> [<path> [<value>]]\r\n",
        "",
        "Error: Wrong number of Args for the ENUM_ALL command\r\n",
    ],
    ids=["not-recognized", "usage", "silent", "wrong-args"],
)
def test_any_answer_without_a_site_means_walk_the_metabase(answer):
    facts = read_facts(with_enum_all_answer(answer), ADSUTIL)
    assert facts.needs_walk and facts.metabase is None and facts.metabase_error is None
    assert read_metabase(answer, ADSUTIL) == (None, None, True)


def test_enum_all_asks_the_first_adsutil_that_exists():
    (line,) = enum_all_parts((ADSUTIL, IIS5_ADSUTIL))
    assert line.index(ADSUTIL) < line.index(IIS5_ADSUTIL) and "##adsutil=none" in line
    assert enum_all_parts((ADSUTIL,))[0] == f"echo ##adsutil={ADSUTIL}"


def test_access_denied_is_final():
    answer = "Access is denied for the requested path or property.\r\nErrNumber: -2147024891 (0x80070005)\r\n"
    facts = read_facts(with_enum_all_answer(answer), ADSUTIL)
    assert not facts.needs_walk and "Access is denied" in (facts.metabase_error or "")


def test_errors_adsutil_went_on_after_do_not_stop_detection():
    text = recorded(INPROC)
    mb_at = text.index("@@mb\r\n") + len("@@mb\r\n")
    noise = (
        "The parameter is incorrect.\r\nErrNumber: -2147024809 (0x80070057)\r\n"
        "Error Trying To GET the Object (GetObject Failed): W3SVC/Info\r\nContinuing...\r\n"
    )
    facts = read_facts(text[:mb_at] + noise + text[mb_at:], ADSUTIL)
    assert facts.metabase is not None and 1 in facts.metabase.sites()
    assert make_plan(facts, params(), Paths(SRC, DEST, STAMP)).method == "service_restart"


@pytest.mark.parametrize("isolation", ["in_process", "out_of_process"])
def test_a_forced_isolation_needs_no_metabase(isolation):
    facts = dataclasses.replace(facts_of(INPROC), metabase=None, needs_walk=True)
    plan = make_plan(facts, params(isolation=isolation), Paths(SRC, DEST, STAMP))
    assert plan.isolation == isolation
    assert plan.applications[0].key == "W3SVC/1/ROOT/Shop"
    assert "not known" in plan.blast_radius["note"]
    if isolation == "out_of_process":
        assert 'APPUNLOAD "W3SVC/1/ROOT/Shop"' in "&".join(plan.step("apply").parts)


def test_a_forced_isolation_without_metabase_needs_the_site_number():
    facts = dataclasses.replace(facts_of(INPROC), metabase=None, needs_walk=True)
    with pytest.raises(InputError) as exc:
        make_plan(facts, params(isolation="in_process", site="Intranet"), Paths(SRC, DEST, STAMP))
    assert exc.value.name == "site"
    assert make_plan(facts, params(isolation="in_process", site="2"), Paths(SRC, DEST, STAMP)).site == 2


# -- first deploy, backups, read-only dest ---------------------------------------------------------------


def test_a_first_deploy_stops_nothing():
    facts = dataclasses.replace(facts_of(INPROC), dest=None, identical=None)
    plan = make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    assert plan.method == "copy" and plan.fallback is None
    text = "&".join(plan.step("apply").parts)
    assert "net stop" not in text and "APPUNLOAD" not in text
    assert plan.blast_radius["services"] == [] and plan.blast_radius["applications"] == []


def test_old_backups_beyond_keep_backups_are_pruned_at_stage():
    old = ("ShopCart.dll.20240101000000.bak", "ShopCart.dll.20250101000000.bak", "ShopCart.dll.20260101000000.bak")
    facts = dataclasses.replace(facts_of(INPROC), backups=old)
    stage = "&".join(make_plan(facts, params(keep_backups=2), Paths(SRC, DEST, STAMP)).step("stage").parts)
    assert 'del "ShopCart.dll.20240101000000.bak"' in stage and 'del "ShopCart.dll.20250101000000.bak"' in stage
    assert "20260101000000" not in stage, "the newest old backup stays, with the one this run makes"
    assert "del" not in "&".join(make_plan(facts, params(keep_backups=4), Paths(SRC, DEST, STAMP)).step("stage").parts)


def test_a_read_only_dest_is_cleared_before_the_copy():
    facts = dataclasses.replace(facts_of(INPROC), dest_readonly=True)
    stage = make_plan(facts, params(), Paths(SRC, DEST, STAMP)).step("stage").parts
    assert stage[0] == 'attrib -r "ShopCart.dll" 2>&1'


def test_backups_in_a_served_folder_are_warned_about():
    facts = facts_of(INPROC)
    plan = make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    assert plan.warnings and "can be downloaded" in plan.warnings[0]
    assert make_plan(facts, params(backup=False), Paths(SRC, DEST, STAMP)).warnings == ()
    outside = make_plan(
        facts, params(dest="C:\\Components\\ShopCart.dll"), Paths(SRC, "C:\\Components\\ShopCart.dll", STAMP)
    )
    assert outside.warnings == ()


def test_backups_are_listed_oldest_first_and_attrib_read():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.facts import read_backups, read_readonly

    names = "ShopCart.dll.20261130120000.bak\r\nShopCart.dll.20251130120000.bak\r\nShopCart.dll.bak\r\n"
    assert read_backups(names, "shopcart.dll") == ("ShopCart.dll.20251130120000.bak", "ShopCart.dll.20261130120000.bak")
    assert read_readonly("A    R     C:\\InetPub\\shop\\bin\\ShopCart.dll\r\n") is True
    assert read_readonly("A          C:\\InetPub\\shop\\bin\\ShopCart.dll\r\n") is False
    assert read_readonly("'attrib' is not recognized as an internal or external command,\r\n") is None


def test_the_outage_keeps_the_old_dll_when_something_else_still_holds_it():
    plan, _paths, _p = plan_for(INPROC)
    text = "&".join(plan.step("apply").parts)
    stop, held, swap = text.index("net stop IISADMIN /y"), text.index("(echo held)>"), text.index("echo @@swap")
    assert stop < held < swap
    assert 'if not exist "ShopCart.dll.iis4held" if exist "ShopCart.dll.iis4new" if exist "ShopCart.dll" ren' in text
    assert "##held_after_stop" in text


def test_a_sequence_too_long_for_one_line_has_a_redirection_per_command():
    plan, paths, _p = plan_for(INPROC, cmdline_limit=700)
    parts = plan.step("apply").parts
    assert all(len(part) < 700 for part in parts)
    assert sum('>>"ShopCart.dll.iis4log" 2>&1' in part for part in parts) > 5


def test_an_unload_plans_to_unload_the_other_isolated_applications_if_the_dll_stays_loaded():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.metabase import Metabase

    facts = facts_of(ISOLATED)
    nodes = dict(facts.metabase.nodes)
    nodes["W3SVC/1/ROOT/Admin Tools"] = {"AppRoot": "/LM/w3svc/1/root/admin tools", "AppIsolated": 1}
    nodes["W3SVC/1/ROOT/Docs"] = {"AppRoot": "/LM/W3SVC/1/ROOT/Docs", "AppIsolated": 0}
    facts = dataclasses.replace(facts, metabase=Metabase({"/" + k: v for k, v in nodes.items()}))
    plan = make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    keys = [a.key for a in plan.widen_roots]
    assert "W3SVC/1/ROOT/Admin Tools" in keys and "W3SVC/1/ROOT/Docs" not in keys and "W3SVC/1/ROOT/Shop" not in keys
    assert plan.widen is not None
    assert f'cscript //nologo "{ADSUTIL}" APPUNLOAD "w3svc/1/root/admin tools" 2>&1' in plan.widen.parts
    then = plan.blast_radius["if_still_loaded"]
    assert "/Admin Tools" in [a["path"] for a in then["applications"]] and then["then"].startswith("restart IIS")
    assert (
        make_plan(facts, params(unload_fallback=False), Paths(SRC, DEST, STAMP)).blast_radius["if_still_loaded"]["then"]
        == "fail"
    )


def test_services_outside_iis_that_depend_on_it_start_again_after_the_iis_ones():
    extras = (("SSCONTENT", "Site Server Content Deployment"), ("MONAGENT", "Monitoring Agent"))
    facts = dataclasses.replace(facts_of(INPROC), extras=extras)
    plan = make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    assert plan.stops[:2] == ("SSCONTENT", "MONAGENT") and plan.stops[-1] == "IISADMIN"
    assert plan.starts == ("IISADMIN", "W3SVC", "MSFTPSVC", "SMTPSVC", "MONAGENT", "SSCONTENT")
    assert plan.names["MONAGENT"] == "Monitoring Agent"
    text = "&".join(plan.step("apply").parts)
    assert "net start MONAGENT" in text and "net start SSCONTENT" in text
    assert "echo services=IISADMIN,W3SVC,MSFTPSVC,SMTPSVC,MONAGENT,SSCONTENT" in "&".join(plan.step("stage").parts)
    explicit = make_plan(facts, params(restart_services=["W3SVC"]), Paths(SRC, DEST, STAMP))
    assert explicit.starts == ("IISADMIN", "W3SVC", "MONAGENT", "SSCONTENT"), "a service outside IIS is never left down"


def test_an_extra_an_iis_service_depends_on_starts_before_it():
    """Review S4: on Server 2003 W3SVC depends on HTTP SSL (HTTPFilter), which depends on IIS Admin, so
    ``sc enumdepend IISADMIN`` lists it as a running dependant outside IIS.  Started after W3SVC (as other extras
    are) its ``net start`` would find it started by the SCM with W3SVC ("already been started", 2182) and the
    sequence would keep the state record; it starts in the dependency order instead, before W3SVC."""
    facts = facts_of(INPROC)
    graph = {**facts.graph, "W3SVC": ["IISADMIN", "HTTPFILTER"]}
    extras = (("MONAGENT", "Monitoring Agent"), ("HTTPFILTER", "HTTP SSL"))
    facts = dataclasses.replace(facts, graph=graph, extras=extras)
    plan = make_plan(facts, params(), Paths(SRC, DEST, STAMP))
    assert plan.stops[:2] == ("MONAGENT", "HTTPFILTER") and plan.stops[-1] == "IISADMIN"
    assert plan.starts == ("IISADMIN", "HTTPFILTER", "W3SVC", "MSFTPSVC", "SMTPSVC", "MONAGENT")
    text = "&".join(plan.step("apply").parts)
    assert text.index("net start HTTPFILTER") < text.index("net start W3SVC")


def test_every_pool_of_the_host_is_read_with_its_state_and_an_unknown_one_is_left_out():
    """Review S1/S2: the states a fallback restart must put back, from appcmd's list (IIS 7+)."""
    from types import SimpleNamespace

    from ansible_collections.legacy_iis.iis4.plugins.module_utils.resolve import host_pool_states

    facts = SimpleNamespace(
        appcmd_pools={"ShopPool": "Started", "IdlePool": "Stopped", "Odd": "Unknown", "Coming": "Starting"},
        metabase=None,
    )
    assert host_pool_states(facts) == (("ShopPool", True), ("IdlePool", False), ("Coming", True))


def test_appcmd_site_states_read_started_and_stopped_only():
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.versions import (
        parse_appcmd_site_states,
    )

    text = (
        'SITE "Default Web Site" (id:1,bindings:http/*:80:,state:Started)\r\n'
        'SITE "Old, (1)" (id:2,bindings:http/*:81:,https/*:443:,state:Stopped)\r\n'
        'SITE "Odd" (id:3,bindings:,state:Unknown)\r\n'
    )
    assert parse_appcmd_site_states(text) == {"Default Web Site": True, "Old, (1)": False}

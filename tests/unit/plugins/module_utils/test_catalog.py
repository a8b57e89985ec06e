"""The catalog step's answers and the plan they lead to, from recordings of lab hosts (no lab, no host).

``recorded/catalog_*.txt``: what the catalog step printed on LAB hosts of packages.yaml (the lab's model of the
MTS / COM+ catalog and of cscript, not output of a real host; recorded/README.md): MTS with tlist (PKG04, after
requests to /Shop and /Orders), COM+ with tasklist (PKG08), MTS whose catalog script fails (PKG01 with the
fault), and a host without any catalog object.
"""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import (
    CMD_LINE_LIMIT_NT4,
    quote_arg,
    write_lines,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.script import packed_lines
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.catalog import (
    catalog_for,
    catalog_parts,
    holders_text,
    list_script,
    may_be_x64,
    read_catalog,
    read_holders,
    shutdown_script,
)
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.holders import Holder
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import InputError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.plan import make_plan

from .test_plan import DEST, INPROC, ISOLATED, SRC, STAMP, facts_of, params, recorded

PKG01 = "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}"


def catalog_of(name: str):
    return read_catalog(recorded(name))


def test_mts_host_with_tlist():
    cat = catalog_of("catalog_mts_tlist.txt")
    assert (cat.kind, cat.error, cat.mtxstop, cat.holders_tool) == ("mts", None, True, "tlist")
    assert cat.holders == (Holder(212, "inetinfo.exe"), Holder(216, "mtx.exe"))
    owner = cat.owner(DEST.upper())  # the catalog's spelling of the path does not matter
    assert owner is not None and owner.id == PKG01 and owner.server


def test_complus_host_with_tasklist():
    cat = catalog_of("catalog_complus_tasklist.txt")
    assert (cat.kind, cat.mtxstop, cat.holders_tool) == ("complus", False, "tasklist")
    assert [h.image for h in cat.holders] == ["dllhost.exe"]
    assert cat.owner(DEST).name == "Shop Application"


def both_catalogs_answer() -> str:
    """A COM+ host as Windows 2000+ is: MTSAdmin.Catalog.1 answers too (the MTS Administration Library), listing
    the same applications through the MTS names."""
    text = recorded("catalog_complus_tasklist.txt")
    head, rest = text.split("@@catalog_complus", 1)
    listing = rest.split("@@mtxstop", 1)[0]
    return "@@catalog_mts" + listing + "@@catalog_complus" + rest


@pytest.mark.parametrize("major", [5, 6, 10])
def test_the_catalog_follows_the_windows_version_not_the_first_script_that_answers(major):
    cat = read_catalog(both_catalogs_answer(), catalog_for(major))
    assert cat.kind == "complus" and cat.owner(DEST).name == "Shop Application"


def test_nt4_and_an_unknown_version_have_mts():
    assert catalog_for(4) == catalog_for(None) == "mts"
    assert read_catalog(recorded("catalog_mts_tlist.txt"), catalog_for(4)).kind == "mts"


def test_script_error_on_mts():
    cat = catalog_of("catalog_mts_script_error.txt")
    assert cat.kind == "mts" and cat.mtxstop and cat.packages == ()
    assert "Invalid procedure call" in cat.error
    assert cat.holders is None and cat.holders_tool is None


def test_host_without_a_catalog():
    cat = catalog_of("catalog_none.txt")
    assert (cat.kind, cat.error, cat.mtxstop, cat.packages) == (None, None, False, ())


def test_holders_text():
    assert "cannot be named here" in holders_text(None)
    assert holders_text(()) == "no process has it loaded now"
    assert holders_text((Holder(7, "cscript.exe"),)) == "cscript.exe (PID 7, a program outside IIS)"


# -- the plan ---------------------------------------------------------------------------------------------


def plan_with(gather: str, catalog, **overrides):
    p = params(**overrides)
    paths = Paths(SRC, DEST, STAMP)
    return make_plan(facts_of(gather), p, paths, catalog), paths


def test_server_package_plan_shuts_the_package_down_and_keeps_the_iis_plan_for_later():
    plan, paths = plan_with(INPROC, catalog_of("catalog_mts_tlist.txt"))
    assert plan.method == "package_shutdown"
    assert plan.stops == () and plan.starts == ()
    assert plan.iis is not None and plan.iis.method == "service_restart"
    apply = " & ".join(plan.step("apply").parts)
    assert "catalog shutdown" in apply and PKG01 in apply
    assert "net stop" not in apply
    assert plan.mtxstop is not None and "mtxstop.exe" in plan.mtxstop.parts[-1]
    assert plan.blast_radius["process"] == f"mtx.exe /p:{PKG01}"
    assert plan.blast_radius["if_still_loaded"]["then"] == "service_restart"
    # The state record names the services, since the run may go on with the IIS plan.
    stage = " ".join(plan.step("stage").parts)
    assert "method=package_shutdown" in stage and "services=IISADMIN,W3SVC,MSFTPSVC,SMTPSVC" in stage
    # Every line fits NT 4's command line.
    assert all(len(line) <= CMD_LINE_LIMIT_NT4 for line in plan.commands(paths, CMD_LINE_LIMIT_NT4))


def test_isolated_application_goes_on_with_the_unload():
    plan, _paths = plan_with(ISOLATED, catalog_of("catalog_mts_tlist.txt"))
    assert plan.method == "package_shutdown" and plan.iis.method == "unload"


def test_complus_has_no_mtxstop():
    plan, _paths = plan_with(INPROC, catalog_of("catalog_complus_tasklist.txt"))
    assert plan.method == "package_shutdown" and plan.mtxstop is None
    assert "ShutdownApplication" in " ".join(plan.step("apply").parts)
    assert "if_refused" not in plan.blast_radius


def test_library_package_keeps_the_iis_rules_and_is_reported():
    cat = catalog_of("catalog_mts_tlist.txt")
    library = dataclasses.replace(cat.packages[0], server=False)
    plan, _paths = plan_with(INPROC, dataclasses.replace(cat, packages=(library,)))
    assert plan.method == "service_restart" and plan.iis is None
    assert plan.package.as_dict()["activation"] == "library"


def test_catalog_error_on_mts_shuts_down_every_server_package():
    plan, _paths = plan_with(INPROC, catalog_of("catalog_mts_script_error.txt"))
    assert plan.method == "mtxstop" and plan.package is None
    assert "mtxstop.exe" in " ".join(plan.step("apply").parts)
    assert "every MTS server package" in plan.blast_radius["note"]


def test_mtxstop_names_the_isolated_applications_it_ends_too():
    """IIS 4's isolated applications are MTS server packages (their own mtx.exe): mtxstop.exe ends them too."""
    plan, _paths = plan_with(ISOLATED, catalog_of("catalog_mts_script_error.txt"))
    assert plan.method == "mtxstop"
    isolated = [a["metabase_path"] for a in plan.blast_radius["applications"]]
    assert "/LM/W3SVC/1/ROOT/Shop" in isolated, plan.blast_radius
    assert "every isolated application's mtx.exe ends too" in plan.blast_radius["note"]


def test_catalog_error_but_the_holders_are_known_and_none_is_mtx():
    cat = dataclasses.replace(catalog_of("catalog_mts_script_error.txt"), holders=(Holder(212, "inetinfo.exe"),))
    plan, _paths = plan_with(INPROC, cat)
    assert plan.method == "service_restart"


def test_no_catalog_no_package():
    plan, _paths = plan_with(INPROC, catalog_of("catalog_none.txt"))
    assert plan.method == "service_restart" and plan.package is None


def test_a_package_id_that_is_not_a_guid_never_reaches_a_command_line():
    cat = catalog_of("catalog_mts_tlist.txt")
    bad = dataclasses.replace(cat.packages[0], id="{x}&del C:\\*")
    from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import StepFailed

    with pytest.raises(StepFailed, match="not a GUID"):
        plan_with(INPROC, dataclasses.replace(cat, packages=(bad,)))


# -- the scripts and how they are written -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["mts", "complus"])
def test_scripts_start_with_the_marker_and_hold_nothing_cmd_would_expand(kind):
    for script in (list_script(kind), shutdown_script(kind)):
        assert script[0].startswith("' legacy_iis.iis4 catalog ")
        assert all("%" not in line for line in script)
        assert all(line.split(" ", 1)[0].lower() not in ("on", "off") for line in script)


def test_write_lines_escapes_outside_quotes_only():
    (cmd,) = write_lines(['x = "a|b" & y', "If a <> 0 Then f(1)"], quote_arg("C:\\t.vbs"))
    assert cmd == '(echo x = "a|b" ^& y&echo If a ^<^> 0 Then f^(1^))>"C:\\t.vbs"'
    with pytest.raises(InputError):
        write_lines(['x = "a'], quote_arg("C:\\t.vbs"))
    with pytest.raises(InputError):
        write_lines(["a = 100%"], quote_arg("C:\\t.vbs"))


def test_a_long_script_is_written_in_parts_that_fit_a_short_command_line():
    lines = list_script("mts")
    parts = write_lines(lines, quote_arg("C:\\t.vbs"), 200)
    assert len(parts) > 1 and all(len(p) <= 200 for p in parts)
    assert parts[0].endswith('>"C:\\t.vbs"') and all(p.endswith('>>"C:\\t.vbs"') for p in parts[1:])
    assert sum(p.count("&echo ") + 1 for p in parts) == len(lines)
    paths = Paths(SRC, DEST, STAMP)
    assert all(len(line) <= 512 for line in packed_lines(catalog_parts(paths, 512), 512, paths.dest_dir))


def test_catalog_step_fits_one_nt4_line():
    paths = Paths(SRC, DEST, STAMP)
    assert len(packed_lines(catalog_parts(paths), CMD_LINE_LIMIT_NT4, paths.dest_dir)) == 1


# -- a 64-bit tasklist and 32-bit processes (review N2) ------------------------------------------------------------

TASKLIST_NONE = (
    "@@tlist\n'tlist' is not recognized as an internal or external command,\noperable program or batch file.\n"
)
TASKLIST_NONE += "@@tasklist\nINFO: No tasks are running which match the specified criteria.\n@@holders_end\n"


def test_an_empty_tasklist_answer_is_unknown_where_windows_may_be_64_bit():
    """A 64-bit tasklist lists only the 64-bit modules of a 32-bit (WOW64) process, so "no task" there does not
    mean that no process has the DLL loaded (NT 6.0 and later may be 64-bit; 2008 R2 and later always are)."""
    assert read_holders(TASKLIST_NONE) == ((), "tasklist")
    assert read_holders(TASKLIST_NONE, x64=True) == (None, "tasklist")
    assert may_be_x64(6) and may_be_x64(10) and not may_be_x64(5) and not may_be_x64(None)
    text = holders_text(None, "tasklist")
    assert "64-bit tasklist does not list the DLLs of 32-bit processes" in text
    assert "neither tlist.exe" in holders_text(None)


def test_a_64_bit_tasklist_that_names_a_process_is_read_as_usual():
    out = TASKLIST_NONE.replace(
        "INFO: No tasks are running which match the specified criteria.", '"w3wp.exe","216","ShopCart.dll"'
    )
    holders, tool = read_holders(out, x64=True)
    assert tool == "tasklist" and holders == (Holder(216, "w3wp.exe"),)

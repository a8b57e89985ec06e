"""Bad input and injection: refused before anything runs on the host, or quoted so cmd.exe cannot be injected.

"Before anything runs" is measured on the lab: the host must not receive a single WS-Management Command
(for site and application names, which only the host's metabase can settle, the host is read but nothing
on it changes).  Every case also proves an attempted ``& del <dest>`` deleted nothing.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.cmdline import (
    CMD_METACHARACTERS,
    InputError,
    quote_arg,
)
from tests.integration.faults import harness as h
from tests.integration.faults.cases import BAD_INPUTS, BIN, DEL_TARGET, QUOTABLE, BadInput
from tests.lab.machine.config import SHOP_DLL, STAGED_DLL
from tests.lab.machine.dll import make_dll

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]


def commands_sent(host: Any, since: float) -> int:
    return sum(
        1 for e in host.lab.log.events(host=host.name, kind="http", since=since) if e.detail.get("action") == "Command"
    )


def service_changes(host: Any, since: float) -> list[Any]:
    return host.lab.log.events(host=host.name, kind="service", since=since)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(b, id=b.id, marks=[pytest.mark.xfail(strict=True, reason=b.defect)] if b.defect else [])
        for b in BAD_INPUTS
    ],
)
def test_bad_input_is_refused_and_touches_nothing(bad: BadInput, lab_host: Any, matrix_record: Any) -> None:
    host = lab_host(fleet_index=0)
    h.served_version(host)  # the DLL is loaded, as on a live server
    files = host.machine.fs.snapshot()
    t0 = time.monotonic()
    result = h.run_module(host, h.module_args(**bad.args))
    sent = commands_sent(host, t0)
    unchanged = host.machine.fs.snapshot() == files and not service_changes(host, t0)
    msg = str(result.get("msg") or "")
    problems = []
    if not result.get("failed") or result.get("step") != "validate":
        problems.append(f"expected a refusal at step validate, got step {result.get('step')}: {msg!r}")
    if bad.needle.lower() not in msg.lower():
        problems.append(f"the message does not name {bad.needle!r}: {msg!r}")
    if not msg.startswith("invalid input:"):
        problems.append(f"the message does not say the input is invalid: {msg!r}")
    if sent and not bad.host_contact:
        problems.append(f"{sent} command(s) ran on the host before the input was refused")
    if not unchanged:
        problems.append("the host changed (files or services)")
    if h.read_file(host, DEL_TARGET) is None:
        problems.append("dest was deleted")
    matrix_record(
        "input",
        bad.id,
        {
            "what": bad.what,
            "outcome": f"refused at step {result.get('step')}" if result.get("failed") else "ran",
            "commands": sent,
            "unchanged": unchanged,
            "msg": msg,
            "violations": problems,
            "defect": bad.defect,
        },
    )
    assert not problems, "\n".join(problems)


def test_every_metacharacter_is_refused_in_every_value() -> None:
    """The brief's list of metacharacters is exactly what the module refuses in paths and names, but for the
    ones real names hold (R&D, Shop (old)), which a dest may be named with (always quoted) and which src and
    application look up on the host."""
    from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.validate import APP_PATH_ALLOWED

    assert set(CMD_METACHARACTERS) == set('&|^%!"<>()')
    assert QUOTABLE == APP_PATH_ALLOWED
    for field in ("src", "dest", "application", "site"):
        cases = [b for b in BAD_INPUTS if b.id.startswith(f"{'app' if field == 'application' else field}-meta-")]
        expected = len(CMD_METACHARACTERS) - (len(QUOTABLE) if field == "dest" else 0)
        assert len(cases) == expected, field


@pytest.mark.parametrize("ch", sorted(set("&|^<>()")), ids=lambda c: f"U+{ord(c):04X}")
def test_quoted_metacharacters_cannot_inject_through_the_labs_cmd(ch: str, lab_host: Any) -> None:
    """What quoting alone achieves: the module's own command shapes, with a value carrying ``<ch> del <dest>``,
    run through the lab's cmd.exe: the value stays one argument and nothing is deleted."""
    host = lab_host(fleet_index=1)
    files = host.machine.fs.snapshot()
    evil = f"C:\\Staging\\x{ch} del {DEL_TARGET} {ch} rd /s /q C:\\InetPub {ch}.dll"
    q = quote_arg(evil)
    for line in (
        f"(if exist {q} type {q}) 2>&1",
        f"dir {q} 2>&1",
        f"fc /b {q} {quote_arg(SHOP_DLL)} 2>&1",
        f"copy /b /y {q} {quote_arg(SHOP_DLL + '.iis4new')} 2>&1",
        f"(if exist {quote_arg(SHOP_DLL)} type nul>>{q}) 2>&1",
    ):
        host.machine.run(line)
        assert h.read_file(host, DEL_TARGET) is not None, f"{line!r} deleted dest"
    assert host.machine.fs.snapshot() == files, "a quoted value changed files on the host"


@pytest.mark.parametrize("ch", ['"', "%", "!"], ids=["quote", "percent", "bang"])
def test_quote_arg_refuses_what_quotes_cannot_protect(ch: str) -> None:
    with pytest.raises(InputError):
        quote_arg(f"C:\\Staging\\x{ch}y.dll")


def test_odd_but_legal_names_work_end_to_end(lab_host: Any, matrix_record: Any) -> None:
    """Spaces and the cmd.exe delimiters ``; , =`` plus ``@ # $ ' ~ [ ] { }`` are legal NT names: quoted, they
    reach the programs intact and the update succeeds without touching anything else.  (``+`` is left out: the
    lab's COPY takes it as concatenation even inside quotes.)"""
    src = "C:\\Staging\\Odd Dir;v2,=x\\Shop Cart @#$'~[1]{2}.dll"
    dest = f"{BIN}\\Cart ;,= @#$'~[1]{{2}}.dll"
    host = lab_host(fleet_index=1)
    host.machine.write_file(src, h.read_file(host, STAGED_DLL))
    host.machine.write_file(dest, make_dll("ShopCart", "1.0.0.0", 24576))
    before = h.capture(host, dest=dest, src=src)
    others = {k: v for k, v in host.machine.fs.snapshot().items() if k.lower() not in (dest.lower(),)}
    result = h.run_module(host, h.module_args(src=src, dest=dest))
    violations = h.check_invariants(host, before, result, before.old_bytes, before.new_bytes)
    after = host.machine.fs.snapshot()
    changed = [k for k, v in others.items() if after.get(k) != v]
    if changed:
        violations.append(f"other files changed: {changed}")
    if h.read_file(host, dest) != before.new_bytes:
        violations.append("dest does not hold the new DLL")
    matrix_record(
        "input",
        "odd-but-legal-names",
        {
            "what": "src and dest with spaces and ; , = @ # $ ' ~ [ ] { }",
            "outcome": "succeeded" if not result.get("failed") else f"failed at step {result.get('step')}",
            "commands": len(result.get("steps", [])),
            "unchanged": not changed,
            "msg": result.get("msg", ""),
            "violations": violations,
            "defect": None,
        },
    )
    assert not violations, violations

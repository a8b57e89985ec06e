"""A second, independent implementation as an oracle (issue 24): the command lines the module really sends, run
through Wine's cmd.exe and through the lab's (``tests/lab/shell``), with the same argument-printing stand-in for
every program the lines call.

The lines come from the module itself: each recorded run (``tests/unit/plugins/module_utils/recorded/runs``) is
replayed through ``run_update`` and every line it sends is taken (gather, catalog, stage, the outage sequences,
waits, recovery, ...), with check mode's ``commands``, and the batch file a long sequence becomes
(``_cmd.script.sequence_lines`` over the parts of an outage line).  Each line runs on the same files (src, dest,
the staged copy and the state record) twice: every program exiting 0, and every program failing.

A stand-in (:mod:`.standin`: a small Windows executable under Wine, a Python program in the lab) prints its name
and the arguments it got, one per line, as the C runtime splits them, and exits with the chosen code.  Compared:

* ``calls``: which programs ran, in order, with which arguments (cmd.exe's quoting against the C runtime's);
* ``signals``: the lines the module parses (``@@`` markers and exit-code rungs, ``##`` flags), in order;
* ``files``: the files in dest's folder and in src's after the line (``if exist``, ``ren``, ``del``);
* ``rc``: the exit code of the line.

How a line reaches Wine's cmd.exe: as the one line of a batch file after ``@echo off`` (``cmd /c <file>``).
``wine cmd /c <line>`` cannot carry it: wine quotes an argument holding spaces or quotes and escapes its quotes
with backslashes, and Wine's cmd.exe expands ``%VAR%`` after splitting the line into commands, so an expanded
line is not parsed again.  In a batch file, a line reads as on the command line except for ``%``, which the
module never sends but in ``%SystemRoot%`` (expanded alike).  Stdout and stderr go to one file in both shells.

Where Wine 8's cmd.exe differs from Windows' (found with these tests; each mismatch is reported as an xfail
naming the difference, and a mismatch on a line none of them applies to fails):

* ``&&`` and ``||`` do not look at the exit code: the right side always runs (``net x&&echo ok`` prints ``ok``
  when net exits 2; ``fc a b||echo differ`` prints ``differ`` when fc exits 0).  Windows runs it only when the
  left side succeeded (``&&``) or failed (``||``).  :data:`WINE_AND_OR`.
* A redirection of a parenthesised block (``(echo x)>>"f"``, ``(a&b) >>"log" 2>&1``) opens the file but the
  block's output goes to the console; Windows writes it to the file.  :data:`WINE_BLOCK_REDIRECT`.
* ``(if exist "f" (echo a) else (echo b))`` after another parenthesised ``if`` on the same line
  (``(if exist "g" del "g")&...``): both branches run and ``)`` is then reported as an unknown command.  Windows
  runs one branch (and so does Wine when the ``if``/``else`` is the line's first block).  :data:`WINE_ELSE_IN_BLOCK`.
* `` 2>&1`` after a block (``(if exist "f" del "f") 2>&1``) is read as a command named ``2`` ("Can't
  recognize '2' ..."), which sets ERRORLEVEL.  Both shells here write stdout and stderr to one file, so this
  redirection changes nothing they show: the copy run by Wine drops it (only there, only after ``)``).

Without Wine (the Debian package ``wine``) these tests are skipped.
"""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from unittest import mock

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils import update
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.paths import Paths
from ansible_collections.legacy_iis.iis4.plugins.module_utils._cmd.script import sequence_lines
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import run_update
from tests.lab.machine.proc_api import CmdIO, ProgramCall
from tests.lab.shell import Interpreter
from tests.unit.lab.shell_harness import make_machine
from tests.unit.plugins.module_utils.replay import RUNS, ReplayRunner, recording, virtual_time

from .standin import standin_exe
from .wine import WINE, Prefix, needs_wine

pytestmark = needs_wine

SRC = "C:\\Staging\\ShopCart.dll"
DEST_DIR = "C:\\InetPub\\shop\\bin"
FOLDERS = ("C:\\Staging", DEST_DIR)
#: The module's own names for the files of a run on this dest (the stamp names only the backup, not used here).
PATHS = Paths(SRC, f"{DEST_DIR}\\ShopCart.dll", "20010720200600")
SYSTEM_ROOT = "C:\\windows"  # Wine's; the lab machine is given the same
#: The programs the module's lines call, and the exit code each gives in the "fail" run.
TOOLS = {
    "net": 2,
    "sc": 1060,
    "fc": 1,
    "attrib": 1,
    "cscript": 1,
    "regsvr32": 5,
    "tlist": 1,
    "tasklist": 1,
    "iisreset": 1,
    "appcmd": 1,
    "mtxstop": 1,
}
#: Programs called by their full path (the lab finds them only there, as a host does).
PLACED = {
    "appcmd": SYSTEM_ROOT + "\\system32\\inetsrv\\appcmd.exe",
    "mtxstop": "C:\\Program Files\\Mts\\mtxstop.exe",
}
SCENARIOS = ("ok", "fail")

WINE_AND_OR = "Wine 8's cmd.exe runs the right side of && and || whatever the left side's exit code"
WINE_BLOCK_REDIRECT = (
    "Wine 8's cmd.exe writes a redirected parenthesised block's output to the console, not to the file"
)

WINE_ELSE_IN_BLOCK = (
    "Wine 8's cmd.exe runs both branches of a parenthesised if/else that follows another parenthesised if"
)

_STANDIN_LINE = re.compile(r"^(\w+)(> \d+ args|\[\d+\]=.*)$")


# ------------------------------------------------------------------------------------------- the lines


def _outside_quotes(line: str) -> str:
    """``line`` with the text between double quotes blanked (cmd.exe's operators do not count there)."""
    return re.sub(r'"[^"]*"', lambda m: '"' + " " * (len(m.group()) - 2) + '"', line)


def split_top(line: str) -> list[str]:
    """The commands ``&`` joins at the top level of ``line`` (not inside quotes or parentheses, not ``&&``, not
    ``^&``, not the ``&`` of ``2>&1``)."""
    parts, depth, start, quoted, i = [], 0, 0, False, 0
    while i < len(line):
        ch = line[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "^":
            i += 1
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and ch == "&" and depth == 0:
            if line[i + 1 : i + 2] == "&":
                i += 1
            elif line[i - 1 : i] != ">":
                parts.append(line[start:i])
                start = i + 1
        i += 1
    return [*parts, line[start:]]


@dataclass(frozen=True)
class Case:
    id: str
    lines: tuple[str, ...]  # run one after another (a batch file's writes, then its call)
    scenario: str
    batch: bytes | None = None  # the batch file the line calls, in place before it runs


class _Moment(datetime.datetime):
    """A fixed moment for the run's stamp (backup names), so every xdist worker collects the same lines."""

    @classmethod
    def now(cls, tz=None):  # noqa: ANN206 - datetime's own signature
        return cls(2001, 7, 20, 20, 6, tzinfo=tz)


_DATETIME = SimpleNamespace(datetime=_Moment, timedelta=datetime.timedelta, UTC=datetime.UTC)


RUN_NAME = PATHS.relative().batch  # the name the module gives the batch file of a sequence


def _harvest() -> dict[str, tuple[str, ...]]:
    """Every distinct line the module sends over the recorded runs, and check mode's commands: {id: lines}."""
    seen: dict[str, str] = {}
    for path in sorted(RUNS.glob("*.json")):
        data = recording(path.stem)
        runner = ReplayRunner(path.stem)
        with virtual_time(), mock.patch.object(update, "datetime", _DATETIME):
            run = run_rollout if "components" in data["args"] else run_update  # several DLLs: the rollout
            result = run(dict(data["args"]), runner, check_mode=data["check_mode"])
        sent = list(runner.asked)
        sent += [("commands", line) for line in result.get("commands", [])]
        for step, line in sent:
            if f'call "{RUN_NAME}"' not in line:  # a batch file's call alone runs nothing: the batch case has it
                seen.setdefault(line, f"{path.stem}-{step}")
        if path.stem == "restart_ok":
            outage = [line for step, line in sent if step.startswith("apply")]
    cases: dict[str, tuple[str, ...]] = {}
    counts: dict[str, int] = {}
    for line, name in seen.items():
        counts[name] = counts.get(name, 0) + 1
        cases[f"{name}{counts[name]}"] = (line,)
    # The outage of restart_ok as a batch file: its parts written with echo and called.  The module writes it so
    # itself where the one line would not fit (NT 4 with four services and the lock waits); else it is built here.
    if len(outage) > 1:
        batch = outage
    else:
        folder_prefix, *parts = split_top(outage[0])
        assert folder_prefix == f'cd /d "{DEST_DIR}"'
        batch = sequence_lines(parts, 1800, DEST_DIR, RUN_NAME)
    assert len(batch) > 2 and batch[-1].endswith(f'call "{RUN_NAME}"&del "{RUN_NAME}"')
    cases["restart_ok-apply-as-batch-file"] = tuple(batch)
    return cases


BATCH = PATHS.batch


def _batch_file(lines: tuple[str, ...]) -> bytes:
    """The batch file the writes of a sequence leave on a host (written by the lab's echo; Wine's cannot:
    :data:`WINE_BLOCK_REDIRECT`)."""
    machine = make_machine(files={f"{DEST_DIR}\\ShopCart.dll": b"MZ old"})
    for line in lines[:-1]:
        Interpreter(machine, {}).run(line, CmdIO(lambda _t: None, lambda _t: None, lambda: "", threading.Event()))
    return machine.fs.read(BATCH)


LINES = _harvest() if WINE is not None else {}
#: The batch file of the sequence above, as the host has it after the writes, called by the sequence's last line.
CALLED = {"restart_ok-apply-batch-file-called": _batch_file(LINES["restart_ok-apply-as-batch-file"])} if LINES else {}


def _scenarios(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Both runs where a line reads an exit code (``if errorlevel``, ``&&``, ``||``), else the one (no line of
    the module reads a program's output here: the stand-ins print the same in both)."""
    bare = " ".join(_outside_quotes(line) for line in lines)
    return SCENARIOS if ("errorlevel" in bare or "&&" in bare or "||" in bare) else ("ok",)


CASES = [Case(name, lines, scenario) for name, lines in LINES.items() for scenario in _scenarios(lines)] + [
    Case(name, LINES["restart_ok-apply-as-batch-file"][-1:], scenario, batch)
    for name, batch in CALLED.items()
    for scenario in SCENARIOS
]


def wine_differences(lines: tuple[str, ...]) -> list[str]:
    """The known Wine 8 differences a line's text can run into."""
    found = []
    bare = [_outside_quotes(line) for line in lines]
    if any("&&" in b or "||" in b for b in bare):
        found.append(WINE_AND_OR)
    if any(re.search(r"\)\s*\d?>", b.replace(") 2>&1", ")")) for b in bare):
        found.append(WINE_BLOCK_REDIRECT)
    if any(re.search(r"\) else \(", b) for b in bare):
        found.append(WINE_ELSE_IN_BLOCK)
    return found


def for_wine(line: str) -> str:
    """The copy of ``line`` Wine runs: `` 2>&1`` after a block dropped (see the module docstring)."""
    bare = _outside_quotes(line)
    out, i = [], 0
    for m in re.finditer(r"\) 2>&1", bare):
        out.append(line[i : m.start() + 1])
        i = m.end()
    return "".join(out) + line[i:]


# ------------------------------------------------------------------------------------------- the files


def initial_files(case: Case) -> dict[str, bytes]:
    """src, dest, the staged copy and the state record (the backup too when the line names it), the batch file."""
    lines = case.lines
    files = {
        SRC: b"MZ new\r\n",
        PATHS.dest: b"MZ old\r\n",
        PATHS.staged: b"MZ new\r\n",
        PATHS.record: b"run=1\r\n",
    }
    backup = re.search(r"ShopCart\.dll\.(\d{14})\.bak", " ".join(lines))
    if backup and "recover" in " ".join(lines):
        files[f"{DEST_DIR}\\{backup.group()}"] = b"MZ older\r\n"
    if case.batch is not None:
        files[BATCH] = case.batch
    return files


# ------------------------------------------------------------------------------------------- the lab


def _printer(name: str, rc: int):
    def program(call: ProgramCall) -> int:
        call.io.out(f"{name}> {len(call.args)} args\r\n")
        for i, arg in enumerate(call.args, 1):
            call.io.out(f"{name}[{i}]={arg}\r\n")
        return rc

    return program


def run_in_lab(case: Case) -> dict:
    rcs = {tool: (code if case.scenario == "fail" else 0) for tool, code in TOOLS.items()}
    files = {**initial_files(case), **{path: b"MZ placed" for path in PLACED.values()}}
    machine: SimpleNamespace = make_machine(files=files, programs={t: _printer(t, rc) for t, rc in rcs.items()})
    machine.env = {**machine.env, "SystemRoot": SYSTEM_ROOT, "Path": f"{SYSTEM_ROOT}\\system32;{SYSTEM_ROOT}"}
    text: list[str] = []
    rc = 0
    for line in case.lines:
        io = CmdIO(text.append, text.append, lambda: "", threading.Event())
        rc = Interpreter(machine, machine.programs).run(line, io, cwd="C:\\")
    names = sorted(
        f"{folder}\\{e.name}".lower() for folder in FOLDERS for e in machine.fs.listdir(folder) if not e.is_dir
    )
    return {"output": "".join(text), "rc": rc & 0xFF, "files": names}


# ------------------------------------------------------------------------------------------- Wine


def _reset(prefix: Prefix, case: Case) -> None:
    """The case's files, and its stand-ins (each program of the "fail" run exits with its code)."""
    for folder in FOLDERS:
        host = prefix.host_path(folder)
        if host.exists():
            for p in host.iterdir():
                p.unlink()
    for path, data in initial_files(case).items():
        if path == BATCH:  # the batch file's lines are module lines too: Wine gets its copy of each
            text = data.decode("cp437").split("\r\n")
            data = "\r\n".join(for_wine(line) for line in text).encode("cp437")
        target = prefix.host_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    stubs = prefix.host_path(f"C:\\oracle-stubs\\{case.scenario}")
    for tool, code in TOOLS.items():
        exe = standin_exe(tool, code if case.scenario == "fail" else 0)
        for target in [stubs / f"{tool}.exe", *([prefix.host_path(PLACED[tool])] if tool in PLACED else [])]:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists() or target.read_bytes() != exe:
                target.write_bytes(exe)


def run_in_wine(prefix: Prefix, case: Case) -> dict:
    """The case's lines through Wine's cmd.exe, each in a ``wine cmd /c`` of its own (one cmd.exe for several
    cases would carry files over: Wine 8's cmd.exe keeps the file of a redirected block open until it exits)."""
    _reset(prefix, case)
    text, rc = "", 0
    for line in case.lines:
        batch = prefix.host_path("C:\\oracle-run\\line.bat")
        batch.parent.mkdir(exist_ok=True)
        batch.write_bytes(("@echo off\r\n" + for_wine(line) + "\r\n").encode("cp437"))
        result = prefix.run(
            "cmd", "/c", "C:\\oracle-run\\line.bat", env={"WINEPATH": f"C:\\oracle-stubs\\{case.scenario}"}
        )
        text += result.stdout.decode("cp437", "replace")
        rc = result.returncode & 0xFF
    names = sorted(
        f"{folder}\\{p.name}".lower() for folder in FOLDERS for p in prefix.host_path(folder).iterdir() if p.is_file()
    )
    return {"output": text, "rc": rc, "files": names}


def calls(output: str) -> list[str]:
    return [ln for ln in output.replace("\r\n", "\n").split("\n") if _STANDIN_LINE.match(ln.rstrip())]


def signals(output: str) -> list[str]:
    """The lines the module reads: markers and rungs (``@@``), flags (``##``)."""
    return [ln.strip() for ln in output.replace("\r\n", "\n").split("\n") if ln.strip().startswith(("@@", "##"))]


ASPECTS = {
    "calls": lambda r: calls(r["output"]),
    "signals": lambda r: signals(r["output"]),
    "files": lambda r: r["files"],
    "rc": lambda r: r["rc"],
}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.id}-{c.scenario}" for c in CASES])
def test_the_lab_and_wine_run_the_modules_line_alike(case, wine_prefix):
    lab, wine = run_in_lab(case), run_in_wine(wine_prefix, case)
    differ = {aspect: (read(lab), read(wine)) for aspect, read in ASPECTS.items() if read(lab) != read(wine)}
    if differ:
        known = wine_differences(case.lines + tuple((case.batch or b"").decode("cp437").split("\r\n")))
        if known:
            pytest.xfail("; ".join(known) + f" ({', '.join(differ)}: lab, Wine = {differ!r})")
    assert not differ, differ


def test_the_lines_cover_every_step_and_a_batch_file():
    steps = {name.split("-", 1)[1].rstrip("0123456789") for name in LINES}
    assert {"gather", "catalog", "stage", "apply", "recover", "rollback", "register", "commands"} <= steps
    assert any(name.endswith("as-batch-file") for name in LINES)


def test_the_stand_ins_print_what_the_c_runtime_split(wine_prefix, tmp_path):
    """The Wine stand-in prints the arguments as a real console tool gets them, quotes and all."""
    folder = wine_prefix.host_path("C:\\oracle-standin")
    folder.mkdir(exist_ok=True)
    (folder / "net.exe").write_bytes(standin_exe("net", 7))
    (folder / "t.bat").write_bytes(b'@echo off\r\nnet stop "World Wide Web" /y "C:\\a b\\."\r\n')
    result = wine_prefix.run("cmd", "/c", "C:\\oracle-standin\\t.bat", env={"WINEPATH": "C:\\oracle-standin"})
    text = result.stdout.decode("cp437", "replace")
    assert calls(text) == ["net> 4 args", "net[1]=stop", "net[2]=World Wide Web", "net[3]=/y", "net[4]=C:\\a b\\."]
    assert result.returncode == 7


def test_the_known_wine_differences_are_what_wine_does(wine_prefix):
    """Each difference named above, shown on the smallest line (the lab gives Windows' result)."""
    folder = wine_prefix.host_path("C:\\oracle-diff")
    folder.mkdir(exist_ok=True)
    (folder / "fc.exe").write_bytes(standin_exe("fc", 0))
    (folder / "net.exe").write_bytes(standin_exe("net", 2))

    def both(line: str) -> tuple[str, str]:
        (folder / "t.bat").write_bytes(("@echo off\r\ncd /d C:\\oracle-diff\r\n" + line + "\r\n").encode())
        wine = wine_prefix.run("cmd", "/c", "C:\\oracle-diff\\t.bat", env={"WINEPATH": "C:\\oracle-diff"})
        machine = make_machine(programs={"fc": _printer("fc", 0), "net": _printer("net", 2)})
        machine.fs.makedirs("C:\\oracle-diff")
        text: list[str] = []
        Interpreter(machine, machine.programs).run(
            f"cd /d C:\\oracle-diff&{line}", CmdIO(text.append, text.append, lambda: "", threading.Event())
        )
        keep = [ln for ln in wine.stdout.decode("cp437").splitlines() if ln.startswith("##")]
        return " ".join(keep), " ".join(ln for ln in "".join(text).splitlines() if ln.startswith("##"))

    assert both("net stop x&&echo ##ran") == ("##ran", "")  # WINE_AND_OR
    assert both("fc a b||echo ##ran") == ("##ran", "")
    written = folder / "f.txt"
    written.unlink(missing_ok=True)
    assert both("(echo ##inside)>>f.txt&type f.txt") == ("##inside", "##inside")  # WINE_BLOCK_REDIRECT: ...
    assert not written.exists() or b"##inside" not in written.read_bytes()  # ... printed by the block itself
    assert both('(if exist "C:\\oracle-diff\\." (echo ##yes) else (echo ##no))') == ("##yes", "##yes")  # alone: alike
    line = '(if exist "C:\\oracle-diff\\." echo ##a)&(if exist "C:\\oracle-diff\\." (echo ##yes) else (echo ##no))'
    assert both(line) == ("##a ##yes ##no", "##a ##yes")  # WINE_ELSE_IN_BLOCK: after another parenthesised if
    wine, lab = both("(echo ##x) 2>&1&(if errorlevel 1 echo ##errorlevel)")  # `` 2>&1`` after a block
    assert (wine, lab) == ("##x ##errorlevel", "##x")

"""The lab's rooms keep their shape: imports run one way, no loops, no file too long to read.

tests/lab is laid out like the thing it fakes (docs/dev/architecture.md, "The lab"): ``machine/`` at the
bottom, ``shell/`` and ``tools/`` on it, ``host.py`` joining them, ``wire/`` on the machine, and the harness
(``harness/``, ``__main__.py``) on top.  Every import is read from the source, the ones inside functions too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2] / "lab"
MAX_LINES = 700

# room -> the rooms it may import (besides itself)
ALLOWED = {
    "machine": set(),
    "shell": {"machine"},
    "tools": {"machine"},
    "host": {"machine", "shell", "tools"},
    "wire": {"machine"},
    "harness": {"machine", "wire", "host"},
    "__main__": {"machine", "wire", "host", "harness"},
}


def _modules() -> dict[str, Path]:
    """Dotted name under tests.lab ("machine.fs", "shell", "host") -> file."""
    found = {}
    for path in LAB.rglob("*.py"):
        parts = list(path.relative_to(LAB).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The lab modules that ``name`` imports (relative or absolute, anywhere in the file)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif (node.module or "").startswith("tests.lab."):
                target = node.module[len("tests.lab.") :]
            else:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}" if target else alias.name
                hit = sub if sub in modules else target
                if hit in modules and hit != name:
                    out.add(hit)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tests.lab.") and alias.name[len("tests.lab.") :] in modules:
                    out.add(alias.name[len("tests.lab.") :])
    return out


def _room(name: str) -> str:
    return name.split(".")[0]


MODULES = _modules()
GRAPH = {name: _imports(name, path, MODULES) for name, path in MODULES.items()}


def test_every_lab_module_stands_in_a_known_room():
    assert {_room(n) for n in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("room", sorted(ALLOWED))
def test_a_room_imports_only_the_rooms_below_it(room):
    wrong = sorted(
        f"{a} -> {b}"
        for a, deps in GRAPH.items()
        if _room(a) == room
        for b in deps
        if _room(b) != room and _room(b) not in ALLOWED[room]
    )
    assert wrong == []


def test_no_import_cycle_under_tests_lab():
    # depth-first search with colours; any edge back to a grey module closes a loop
    colour: dict[str, int] = {}
    loops: list[list[str]] = []

    def visit(name: str, trail: list[str]) -> None:
        colour[name] = 1
        for dep in sorted(GRAPH[name]):
            if colour.get(dep) == 1:
                loops.append([*trail[trail.index(dep) :], dep])
            elif dep not in colour:
                visit(dep, [*trail, dep])
        colour[name] = 2

    for name in sorted(GRAPH):
        if name not in colour:
            visit(name, [name])
    assert loops == []


def test_no_lab_file_over_the_length_limit():
    long = {str(p.relative_to(LAB)): n for p in LAB.rglob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_layout_checks_see_the_imports_they_guard():
    # the graph is read from the code: the machine joins its parts, the harness starts the wire
    assert {"machine.fs", "machine.scm", "machine.metabase"} <= GRAPH["machine.machine"]
    assert "wire.pipeline" in GRAPH["harness.server"]
    assert "host" in GRAPH["harness.server"]

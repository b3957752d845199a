"""The package's layout: stage folders in the order data flows, imports that run one way, small modules.

``pipeline/`` reads as the flow of the data: ``raw`` (snapshots and manifest) -> ``document`` (a raw file read
into the intermediate document) -> ``tables`` (a document becomes rows, and its checks) -> ``build`` (the
corpus: parse cache, parallel parsing, Arrow parts) -> ``package`` (rows become published, validated files)
-> ``release``; ``orchestration`` (Dagster) and ``cli`` drive them. A module may import from its own stage and
from earlier ones, never from a later one, and nothing but the drivers imports the drivers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "pipeline"

# Each stage with the stages before it that it may import; a module of a stage may import its own stage too.
ORDER = ["foundation", "metadata", "raw", "document", "tables", "build", "package", "release"]
DRIVERS = {"synth": set(ORDER[:5]), "orchestration": set(ORDER), "cli": set(ORDER) | {"synth", "orchestration"}}
FOUNDATION = {"pipeline", "pipeline.paths", "pipeline.errors"}
MAX_LINES = 400


def stage_of(module: str) -> str:
    if module in FOUNDATION:
        return "foundation"
    return module.split(".")[1]


def allowed(stage: str) -> set[str]:
    if stage in DRIVERS:
        return DRIVERS[stage] | {stage}
    return set(ORDER[: ORDER.index(stage) + 1])


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE_DIR.rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> list[tuple[int, str, str | None]]:
    """``(line, imported module, imported name or None)`` for every ``pipeline`` import, at any depth."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name, None) for a in node.names if a.name.split(".")[0] == "pipeline"]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "pipeline":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.append((node.lineno, sub, None) if sub in modules else (node.lineno, node.module, alias.name))
    return out


def violations(modules: dict[str, Path]) -> list[str]:
    found = []
    for name, path in modules.items():
        stage = stage_of(name)
        for line, target, _ in imports_of(path, modules):
            if stage_of(target) not in allowed(stage):
                found.append(f"{name}:{line}: {stage} imports {target} "
                             f"({stage_of(target)}), against the flow")
    return found


def cycles(modules: dict[str, Path]) -> list[list[str]]:
    """Import cycles between modules (function-level imports included), by depth-first search."""
    graph = {name: sorted({t for _, t, _ in imports_of(path, modules) if t in modules and t != name
                           and not name.startswith(t + ".")})  # a package's own submodules import it freely
             for name, path in modules.items()}
    found, state, stack = [], {}, []

    def visit(node: str) -> None:
        state[node] = "open"
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == "open":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node)
    return found


def test_every_module_belongs_to_a_known_stage():
    stages = set(ORDER) | set(DRIVERS)
    assert {stage_of(m) for m in all_modules()} <= stages


def test_imports_run_with_the_flow():
    assert violations(all_modules()) == []


def test_no_import_cycles():
    assert cycles(all_modules()) == []


def test_names_are_imported_from_the_module_that_defines_them():
    """``from pipeline.x import name``: ``x`` defines ``name`` (or exports it in ``__all__``), so a reader finds it."""
    modules = all_modules()
    defined: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
                    if isinstance(target, ast.Name) and target.id == "__all__":
                        names.update(ast.literal_eval(node.value))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
        defined[name] = names
    tests = sorted(Path(__file__).resolve().parent.glob("*.py"))
    wrong = []
    for path in [*modules.values(), *tests]:
        for line, target, imported in imports_of(path, modules):
            if imported is not None and target in defined and imported not in defined[target]:
                wrong.append(f"{path.name}:{line}: {imported} is not defined in {target}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE_DIR)))
def test_modules_are_small_or_say_why(path: Path):
    """No module over MAX_LINES lines without a reason in its docstring (a line starting 'Longer than')."""
    lines = path.read_text(encoding="utf-8").count("\n")
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert lines <= MAX_LINES or "Longer than" in doc, f"{path.name}: {lines} lines"


def test_the_check_catches_an_import_against_the_flow(tmp_path: Path):
    """The rule can fail: a raw-stage module importing the package stage is reported, and so is a cycle."""
    modules = all_modules()
    bad = tmp_path / "bad.py"
    bad.write_text("from pipeline.package import writer\n", encoding="utf-8")
    assert violations({"pipeline.raw.bad": bad}) and not violations({"pipeline.package.bad": bad})
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("import pipeline.tables.b\n", encoding="utf-8")
    b.write_text("def f():\n    from pipeline.tables import a\n", encoding="utf-8")
    assert cycles({**modules, "pipeline.tables.a": a, "pipeline.tables.b": b})

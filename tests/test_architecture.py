"""The house's layering, checked by reading its source (docs/architecture.md): a task type is
named only by its kind, and the modules of tasks/ import each other without a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tasks import kinds

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "tasks"


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


def test_every_task_type_is_a_kind_of_the_protocol():
    assert set(kinds.names()) == {kinds.IMAGE, kinds.VIDEO, kinds.SEGMENT}
    for kind in kinds.all_kinds():
        assert isinstance(kind, kinds.Kind), kind.name
        assert kinds.get(kind.name) is kind


@pytest.mark.parametrize("name", [kinds.IMAGE, kinds.VIDEO, kinds.SEGMENT])
def test_a_task_type_is_named_only_under_tasks_kinds(name):
    allowed = (ROOT / PACKAGE / "kinds", ROOT / PACKAGE / "migrations")
    files = python_files(PACKAGE, "annotator")
    assert len(files) > 100  # the walk found the house
    named = [str(path.relative_to(ROOT)) for path in files
             if not path.is_relative_to(allowed[0]) and not path.is_relative_to(allowed[1])
             and name in path.read_text(encoding="utf-8")]
    assert named == [], f"{name} is written outside tasks/kinds/: use tasks.kinds"


# --- the import graph -----------------------------------------------------------------------

def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_type_checking(node: ast.AST) -> bool:
    return (isinstance(node, ast.If) and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING")


def imports_of(tree: ast.Module, *, in_functions: bool) -> list[ast.Import | ast.ImportFrom]:
    """The imports a module runs when it is imported: at its top level, also inside if / try
    blocks, never under `if TYPE_CHECKING:`; with `in_functions`, also those inside functions
    and classes (run later, but a cycle all the same)."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop(0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and is_type_checking(node):
            pending.extend(node.orelse)
        elif isinstance(node, ast.If | ast.Try | ast.ExceptHandler) or (
                in_functions and isinstance(node, ast.stmt)):
            pending.extend(ast.iter_child_nodes(node))
    return found


def imported_modules(name: str, is_package: bool, tree: ast.Module, modules: set[str], *,
                     in_functions: bool) -> set[str]:
    """The modules of tasks/ that importing `name` imports directly: each one named, and the
    packages it lies in that do not contain `name` (their __init__ runs first)."""
    targets: set[str] = set()
    here = name if is_package else name.rpartition(".")[0]
    for node in imports_of(tree, in_functions=in_functions):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
            base = ".".join(anchor + ([base] if base else []))
        targets.add(base)
        targets.update(f"{base}.{alias.name}" for alias in node.names)  # submodules
    found = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts) + 1):
            candidate = ".".join(parts[:end])
            inside = name == candidate or name.startswith(candidate + ".")
            if candidate in modules and candidate != name and not inside:
                found.add(candidate)
    return found


def import_graph(*, in_functions: bool = False) -> dict[str, set[str]]:
    files = {module_name(path): path for path in python_files(PACKAGE)
             if "migrations" not in path.parts}
    modules = set(files)
    return {name: imported_modules(name, path.name == "__init__.py",
                                   ast.parse(path.read_text(encoding="utf-8")), modules,
                                   in_functions=in_functions)
            for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as [a, b, ..., a], or None (a depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (cycle := visit(nxt)) is not None:
                return cycle
        state[node] = 2
        path.pop()
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)) is not None:
            return cycle
    return None


def test_the_graph_walk_sees_imports_and_cycles():
    graph = import_graph()
    assert "tasks.quality_flow.stages" in graph["tasks.submission"]
    assert "tasks.lifecycle" in graph["tasks.quality_flow.stages"]
    assert "tasks.kinds.image" not in graph["tasks.apps"]  # imported inside ready()
    assert "tasks.kinds.image" in import_graph(in_functions=True)["tasks.apps"]
    assert "tasks.kinds" in graph["tasks.rules.params"]  # a package imported for a submodule
    assert "tasks.rules.errors" in graph["tasks.rules.params"]  # a relative import
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_tasks_has_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_no_import_inside_a_function_dodges_a_cycle():
    """An import moved into a function to break a cycle leaves the cycle: layer instead
    (docs/architecture.md)."""
    cycle = find_cycle(import_graph(in_functions=True))
    assert cycle is None, "import cycle through a function: " + " -> ".join(cycle or [])

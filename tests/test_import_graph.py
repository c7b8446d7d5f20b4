"""No import cycle among capeval's modules (module-level and function-level imports alike).

A package's lazy ``__getattr__`` (which imports a submodule on first attribute access) and
``if TYPE_CHECKING:`` blocks are not imports at run time and are left out.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"capeval": "capeval", "cli": "capeval.cli", "reference_models": "capeval.reference_models"}
"""Repository folder -> the package it installs as."""


def module_files() -> dict[str, Path]:
    modules = {}
    for folder, package in PACKAGES.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def _not_run_at_import(tree: ast.Module) -> set[int]:
    """Ids of the nodes in a module's lazy ``__getattr__`` and ``if TYPE_CHECKING:`` blocks."""
    skipped = set()
    for node in tree.body:
        lazy = isinstance(node, ast.FunctionDef) and node.name == "__getattr__"
        typing_only = isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        if lazy or typing_only:
            skipped |= {id(child) for child in ast.walk(node)}
    return skipped


def imported_modules(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of `modules` that the file imports anywhere (a name or its module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _not_run_at_import(tree)
    names = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                names.add(submodule if submodule in modules else node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names & set(modules)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the directed graph as a path that ends where it starts, or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        state[node] = "done"
        path.pop()
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_cycle_through_function_level_imports(tmp_path):
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    module = tmp_path / "m.py"
    module.write_text("import a\n\ndef f():\n    from b import x\n\n"
                      "def __getattr__(name):\n    import c\n")
    assert imported_modules(module, {"a": module, "b": module, "c": module}) == {"a", "b"}


def test_capeval_has_no_import_cycle():
    modules = module_files()
    graph = {name: imported_modules(path, modules) - {name} for name, path in modules.items()}
    assert find_cycle(graph) is None, " -> ".join(find_cycle(graph) or [])

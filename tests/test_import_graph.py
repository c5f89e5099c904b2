"""The package's imports run one way: no module of simcore/ reaches itself through its imports, the engines know
nothing of scenarios or of the compiler, and `simcore/core/` imports nothing of simcore outside it.

The graph is read from the source with `ast`, so an import inside a function counts as much as one at the top of a
module (it runs the same code, only later). A package's `__init__.py` is its own node: `from simcore.scenario
import Scenario` is an arrow to `simcore.scenario`, which has its own arrows to what it imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted name -> file for every module of `package` under `root` (a package is its `__init__.py`)."""
    names = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return names


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Module -> the modules of `package` it imports anywhere in its source (module or function level)."""
    modules = module_names(root, package)

    def resolve(name: str) -> str | None:
        """The module `name` is, or the innermost package or module of the package that holds it."""
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                targets |= {resolve(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the module's package, up `level - 1` more
                    anchor = name.split(".") if is_package else name.split(".")[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                targets |= {resolve(f"{base}.{alias.name}") for alias in node.names}
        graph[name] = {t for t in targets if t is not None and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path that starts and ends at the same module, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def reached_from(graph: dict[str, set[str]], prefix: str) -> dict[str, set[str]]:
    """For each module under `prefix`, the modules it imports."""
    return {m: targets for m, targets in graph.items() if m == prefix or m.startswith(prefix + ".")}


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_simcore_has_no_import_cycle():
    cycle = find_cycle(import_graph(ROOT, "simcore"))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_engines_import_nothing_of_scenarios_or_the_compiler():
    graph = import_graph(ROOT, "simcore")
    wrong = sorted(
        f"{m} -> {t}"
        for m, targets in reached_from(graph, "simcore.engines").items()
        for t in targets
        if under(t, "simcore.scenario") or t == "simcore.compile"
    )
    assert not wrong, "engines must read only the compiled form (simcore.core): " + ", ".join(wrong)


def test_core_imports_nothing_of_simcore_outside_it():
    graph = import_graph(ROOT, "simcore")
    wrong = sorted(f"{m} -> {t}" for m, targets in reached_from(graph, "simcore.core").items() for t in targets if not under(t, "simcore.core"))
    assert not wrong, "simcore.core must stay a leaf: " + ", ".join(wrong)


def test_the_graph_sees_cycles_through_function_level_and_package_imports(tmp_path):
    """A package whose face imports a module that imports, inside a function, a module importing the package."""
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub.low import thing\n")
    (pkg / "sub" / "low.py").write_text("def thing():\n    from pkg import high\n    return high\n")
    (pkg / "high.py").write_text("from . import sub\nimport os\n")
    graph = import_graph(tmp_path, "pkg")
    assert graph == {"pkg": set(), "pkg.high": {"pkg.sub"}, "pkg.sub": {"pkg.sub.low"}, "pkg.sub.low": {"pkg.high"}}
    assert find_cycle(graph) == ["pkg.high", "pkg.sub", "pkg.sub.low", "pkg.high"]
    (pkg / "sub" / "low.py").write_text("def thing():\n    return 1\n")
    assert find_cycle(import_graph(tmp_path, "pkg")) is None

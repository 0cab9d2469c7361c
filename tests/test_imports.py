"""The package's imports run one way: down the pipeline's stages, never into the command line,
never out of the worker, and never in a circle. Read from the source (``ast``), lazy imports
inside functions included: an import deferred to a function is still a dependency."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "grading"

# Lowest first: a module may import its own layer (without a cycle) and the layers below it.
LAYERS = (
    ("records and helpers", ("grading", "grading.errors", "grading.files", "grading.model",
                             "grading.user_folder", "grading.notebooks", "grading.templating",
                             "grading.render", "grading.assignments", "grading.autograder",
                             "grading.otter_run")),
    ("ingest", ("grading.ingest",)),
    ("sandbox", ("grading.sandbox",)),
    ("results", ("grading.results", "grading.fallback")),
    ("gradebook", ("grading.gradebook",)),
    ("outputs", ("grading.outputs", "grading.feedback", "grading.lms", "grading.report",
                 "grading.manual", "grading.web", "grading.similarity")),
    ("api", ("grading.api",)),
    ("commands over the api", ("grading.audit", "grading.benchmark", "grading.benchmark_classes",
                               "grading.benchmark_otter",
                               "grading.demo", "grading.build", "grading.k8s")),
    ("command line", ("grading.__main__", "grading.cli", "grading.warm_cli",
                      "grading.warm_server")),
)  # fmt: skip
WORKER = "grading.sandbox.worker"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str, tree: ast.AST, anywhere: bool = True) -> set[str]:
    """The package's modules that ``module`` imports (a name imported from a package counts as
    the package unless it is a module of its own)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    nodes = ast.walk(tree) if anywhere else tree.body
    found: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                child = f"{target}.{alias.name}"
                found.add(child if child in MODULES else target)
    return {name for name in found if name == "grading" or name.startswith("grading.")}


GRAPH = {m: imported(m, ast.parse(p.read_text(encoding="utf-8"))) for m, p in MODULES.items()}


def layer_of(module: str) -> int:
    """The index of the layer holding ``module`` (its longest listed prefix)."""
    best, found = -1, -1
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > best:
                best, found = len(member), index
    assert found >= 0, f"{module} is in no layer: add it to LAYERS in {__file__}"
    return found


def test_every_module_imports_only_its_own_layer_and_the_layers_below():
    upward = [
        f"{module} ({LAYERS[layer_of(module)][0]}) imports {target} ({LAYERS[layer_of(target)][0]})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module)
    ]
    assert not upward, "imports that run upward:\n" + "\n".join(upward)


def test_the_worker_imports_nothing_from_the_rest_of_the_package():
    outside = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if module == WORKER or module.startswith(WORKER + ".")
        for target in sorted(targets)
        if not (target == WORKER or target.startswith(WORKER + "."))
    ]
    assert not outside, "the worker is the trust boundary:\n" + "\n".join(outside)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), and self-imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph.get(node, ()):
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle():
    found = cycles(GRAPH)
    assert not found, "modules that import each other in a circle: " + "; ".join(
        " <-> ".join(component) for component in found
    )


def test_the_cycle_check_finds_a_cycle_through_a_lazy_import():
    tree = ast.parse("def later():\n    from .warm_cli import address\n")
    graph = {**GRAPH, "grading.user_folder": imported("grading.user_folder", tree)}
    graph["grading.warm_cli"] = GRAPH["grading.warm_cli"] | {"grading.user_folder"}
    assert any({"grading.user_folder", "grading.warm_cli"} <= set(c) for c in cycles(graph))


def test_the_warm_command_line_imports_only_the_standard_library_when_it_starts():
    """``python -m grading`` imports it before anything else (see its docstring)."""
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    for module in ("grading.warm_cli", "grading.user_folder", "grading.service_start"):
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        names = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in tree.body if isinstance(n, ast.ImportFrom) and not n.level}
        assert {n.split(".")[0] for n in names} <= allowed, module
        assert imported(module, tree, anywhere=False) <= {"grading.user_folder"}, module

"""Read the cells' source for attempts to change what grading relies on.

Scores do not depend on this: the tests run in the grader's process with its own numpy, math
and Otter. It tells a person that a submission tried, so that it can be reviewed.
"""

from __future__ import annotations

import ast

WATCHED = {"numpy", "math", "builtins", "otter", "sys", "scipy", "cmath", "operator", "inspect"}
OTTER_INTERNALS = ("otter.test_files", "otter.execute", "otter.run", "otter.check")
SUSPECT_NAMES = {"GradingResults", "Checker", "TestFile", "__builtins__"}


def _transform(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _Scan(ast.NodeVisitor):
    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # local name -> watched module it refers to
        self.found: list[str] = []

    def _watched(self, node: ast.AST) -> str | None:
        """The watched module an expression refers to: ``np``, ``np.linalg``, ``sys.modules``."""
        if isinstance(node, ast.Name):
            return self.modules.get(node.id) or ("builtins" if node.id == "__builtins__" else None)
        if isinstance(node, ast.Attribute):
            base = self._watched(node.value)
            return f"{base}.{node.attr}" if base else None
        if isinstance(node, ast.Subscript):
            return self._watched(node.value)
        return None

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top in WATCHED:
                self.modules[alias.asname or top] = alias.name if alias.asname else top
            if alias.name.startswith(OTTER_INTERNALS):
                self.found.append(f"imports Otter's grading internals ({alias.name})")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if module.split(".")[0] in WATCHED and module:
                self.modules[alias.asname or alias.name] = f"{module}.{alias.name}"
            if module.startswith(OTTER_INTERNALS) or (
                module == "otter" and alias.name in SUSPECT_NAMES
            ):
                self.found.append(f"imports Otter's grading internals ({module}.{alias.name})")

    def _target(self, target: ast.AST, verb: str) -> None:
        if isinstance(target, ast.Attribute | ast.Subscript):
            module = self._watched(target)
            if module:
                self.found.append(f"{verb} {module}")
        elif isinstance(target, ast.Tuple | ast.List):
            for item in target.elts:
                self._target(item, verb)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, "replaces")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._target(node.target, "replaces")
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._target(target, "deletes")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in ("setattr", "delattr") and node.args:
            module = self._watched(node.args[0])
            if module:
                attr = node.args[1].value if len(node.args) > 1 and isinstance(
                    node.args[1], ast.Constant) else "..."  # fmt: skip
                verb = "replaces" if name == "setattr" else "deletes"
                self.found.append(f"{verb} {module}.{attr}")
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if method in ("update", "pop", "__setitem__", "setdefault"):
            module = self._watched(node.func.value)
            if module in ("builtins", "sys.modules") or (module or "").endswith(".__dict__"):
                self.found.append(f"changes {module}")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in SUSPECT_NAMES - {"__builtins__"}:
            self.found.append(f"uses Otter's {node.id}")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in SUSPECT_NAMES - {"__builtins__"}:
            self.found.append(f"uses Otter's {node.attr}")
        self.generic_visit(node)


def scan_cells(sources: list[str]) -> list[str]:
    """``cell N: what it does`` for every suspicious statement, in order, without repeats.

    ``sources`` are the notebook's code cells; a cell that does not parse is left to the run.
    """
    found: list[str] = []
    scan = _Scan()
    for number, source in enumerate(sources, start=1):
        try:
            tree = ast.parse(source)
        except SyntaxError:  # magics and shell escapes: IPython's syntax first
            try:
                tree = ast.parse(_transform(source))
            except (SyntaxError, ValueError):
                continue
        scan.found = []
        scan.visit(tree)
        for item in scan.found:
            entry = f"code cell {number} {item}"
            if entry not in found:
                found.append(entry)
    return found

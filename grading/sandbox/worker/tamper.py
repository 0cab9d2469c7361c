"""Read the cells' source for attempts to change what grading relies on.

Scores do not depend on this: the tests run in the grader's process with its own numpy, math
and Otter. It tells a person that a submission tried, so that it can be reviewed.
"""

from __future__ import annotations

import ast
import re

WATCHED = {"numpy", "math", "builtins", "otter", "sys", "scipy", "cmath", "operator", "inspect"}
OTTER_INTERNALS = ("otter.test_files", "otter.execute", "otter.run", "otter.check")
SUSPECT_NAMES = {"GradingResults", "Checker", "TestFile", "__builtins__"}
# Attributes honest notebooks set on libraries: settings, not behaviour.
SETTINGS = {"options", "rcParams", "rc", "environ", "stdout", "stderr", "stdin", "path",
            "recursionlimit", "display", "style", "renderers", "defaults", "config"}  # fmt: skip
# Where Otter keeps the tests: a cell naming them is looking for them.
TEST_PATHS = re.compile(r"(^|[/*.])tests/|/autograder|otter_config\.json|\.OTTER_LOG")


def _transform(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


class _Scan(ast.NodeVisitor):
    def __init__(self) -> None:
        self.modules: dict[str, str] = {}  # local name -> watched module it refers to
        self.imported: dict[str, str] = {}  # local name -> any module or name it was imported as
        self.defined: set[str] = set()  # functions and classes the notebook defines
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

    def _imported(self, node: ast.AST) -> str | None:
        """The dotted library path an expression refers to (``pd.DataFrame.equals``), if it is
        rooted at a name the notebook imported."""
        if isinstance(node, ast.Name):
            return self.imported.get(node.id)
        if isinstance(node, ast.Attribute):
            base = self._imported(node.value)
            return f"{base}.{node.attr}" if base else None
        return None

    def _replaces_behaviour(self, target: ast.Attribute, value: ast.AST | None) -> str | None:
        """``pd.DataFrame.equals = lambda ...``, ``calendar.isleap = my_isleap``: a library's
        function or class replaced, as opposed to a setting (``pd.options.display...``)."""
        path = self._imported(target)
        if path is None or SETTINGS & set(path.split(".")):
            return None
        on_a_class = any(part[:1].isupper() for part in path.split(".")[1:-1])
        dunder = target.attr.startswith("__") and target.attr.endswith("__")
        if on_a_class or dunder or _is_behaviour(value, self.defined):
            return path
        return None

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.defined.add(node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.defined.add(node.name)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and TEST_PATHS.search(node.value):
            self.found.append(f"looks for the assignment's tests ({node.value[:60]!r})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            local = alias.asname or alias.name.split(".")[0]
            self.imported[local] = alias.name if alias.asname else alias.name.split(".")[0]
            top = alias.name.split(".")[0]
            if top in WATCHED:
                self.modules[alias.asname or top] = alias.name if alias.asname else top
            if alias.name.startswith(OTTER_INTERNALS):
                self.found.append(f"imports Otter's grading internals ({alias.name})")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            if module and not node.level:
                self.imported[alias.asname or alias.name] = f"{module}.{alias.name}"
            if module.split(".")[0] in WATCHED and module:
                self.modules[alias.asname or alias.name] = f"{module}.{alias.name}"
            if module.startswith(OTTER_INTERNALS) or (
                module == "otter" and alias.name in SUSPECT_NAMES
            ):
                self.found.append(f"imports Otter's grading internals ({module}.{alias.name})")

    def _target(self, target: ast.AST, verb: str, value: ast.AST | None = None) -> None:
        if isinstance(target, ast.Attribute | ast.Subscript):
            module = self._watched(target)
            if module:
                self.found.append(f"{verb} {module}")
            elif isinstance(target, ast.Attribute):
                replaced = self._replaces_behaviour(target, value)
                if replaced:
                    self.found.append(f"{verb} {replaced}")
        elif isinstance(target, ast.Tuple | ast.List):
            for item in target.elts:
                self._target(item, verb)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._target(target, "replaces", node.value)
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
            module = self._watched(node.args[0]) or self._imported(node.args[0])
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


def _is_behaviour(value: ast.AST | None, defined: set[str]) -> bool:
    """Whether an assigned value is code: a lambda, a function or class the notebook defines,
    another library attribute, or a tuple of those."""
    if isinstance(value, ast.Lambda | ast.Attribute):
        return True
    if isinstance(value, ast.Name):
        return value.id in defined
    if isinstance(value, ast.Tuple | ast.List):
        return any(_is_behaviour(item, defined) for item in value.elts)
    return False


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

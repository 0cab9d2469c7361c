"""Which numbers a hidden test compares against, and whether a public test shows them.

A public test that prints or compares a hidden test's expected value gives the answer away.
The scan reads each case's source (``otter_tests``): the targets of ``isclose``/``allclose``/
``array_equal`` and of ``==`` in its code, the numbers of a doctest's expected output.
"""

from __future__ import annotations

import ast

import numpy as np

from .otter_tests import Case, autograder_tests


def is_size_query(node: ast.expr) -> bool:
    """``x.shape``, ``len(x)``, ``np.shape(x)``, ``np.ndim(x)``: sizes the prompt states."""
    if isinstance(node, ast.Attribute):
        return node.attr in {"shape", "ndim", "size"}
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in {"len", "shape", "ndim"}
    return False


class ExpectedValues(ast.NodeVisitor):
    """Numbers a test compares against: isclose/allclose/array_equal targets, == right sides."""

    def __init__(self) -> None:
        self.nodes: list[ast.expr] = []

    def visit_Call(self, node: ast.Call) -> None:
        name = (
            node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        )
        if name in {"isclose", "allclose", "array_equal"} and len(node.args) >= 2:
            self.nodes.append(node.args[1])
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        left = node.left
        if isinstance(left, ast.Call) and getattr(left.func, "id", "") == "abs" and left.args:
            inner = left.args[0]
            if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Sub):
                self.nodes.append(inner.right)
        if not is_size_query(left):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, ast.Eq):
                    self.nodes.append(right)
        self.generic_visit(node)


def constant_values(node: ast.expr) -> list[float]:
    """The numbers a constant expression (literals, np.* of literals) evaluates to, else []."""
    names = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
    if names - {"np"}:
        return []
    try:
        value = eval(compile(ast.Expression(node), "<test>", "eval"), {"np": np})  # noqa: S307
        return [float(v) for v in np.ravel(np.asarray(value, dtype=float))]
    except (TypeError, ValueError):
        return []


def source_values(source: str) -> list[float]:
    """The numbers of a doctest's expected output (``(3,)``, ``63.8``); [] if it is no literal."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        return []
    return [
        float(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    ]


def expected_values(case: Case) -> set[float]:
    """What a case compares against: targets in its code, numbers of its doctest output."""
    finder = ExpectedValues()
    finder.visit(ast.parse(case.code))
    values = [v for node in finder.nodes for v in constant_values(node)]
    return {abs(v) for v in [*values, *source_values(case.want)]}


def all_numbers(case: Case) -> set[float]:
    """Every number a (public) case shows: constants of its code, its expected output."""
    numbers = set()
    for node in ast.walk(ast.parse(case.code)):
        if isinstance(node, ast.expr):
            numbers.update(abs(v) for v in constant_values(node))
    return numbers | {abs(v) for v in source_values(case.want)}


TRIVIAL = {0.0, 1.0, 2.0}


def hidden_values_shown_in_public(assignment) -> tuple[dict[str, list[float]], int]:
    """Question -> hidden expected values a public case also shows; how many were checked."""
    clashes, checked = {}, 0
    for name, question_tests in autograder_tests(assignment).items():
        hidden = [c for c in question_tests.cases if c.hidden]
        expected = set().union(*map(expected_values, hidden)) - TRIVIAL
        public = set().union(*(all_numbers(c) for c in question_tests.cases if not c.hidden))
        found = [v for v in expected if any(np.isclose(v, p, rtol=1e-9, atol=0) for p in public)]
        if found:
            clashes[name] = found
        checked += len(expected)
    return clashes, checked

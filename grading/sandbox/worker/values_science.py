"""Value codecs for the data of teaching libraries: ``datascience.Table`` and sympy expressions.

A Table crosses as its labels and columns. A sympy expression crosses as its ``srepr`` text,
which the receiver rebuilds with ``sympy_from_srepr``: a reader that only calls sympy's own
classes with literal arguments, without evaluating (``evaluate(False)``), so the text cannot
make this side run anything else, nor spend its time computing a huge power.
"""

from __future__ import annotations

import ast
from typing import Any

from .values import Encoder, NotData, ValueCodec, checked

MAX_SREPR = 1_000_000


def _table(value: Any, encode: Encoder) -> dict:
    labels = list(value.labels)
    return {"labels": [encode(label) for label in labels],
            "cols": [encode(value.column(label)) for label in labels]}  # fmt: skip


def _to_table(data: dict, decode: Encoder) -> Any:
    from datascience import Table

    labels, cols = data.get("labels"), data.get("cols")
    checked(isinstance(labels, list) and isinstance(cols, list), "labels and columns")
    checked(len(labels) == len(cols), "one column per label")
    labels = [decode(label) for label in labels]
    checked(all(isinstance(label, str) for label in labels), "text labels")
    table = Table()
    for label, column in zip(labels, cols, strict=True):
        table = table.with_column(label, decode(column))
    return table


def _sympy(value: Any, _: Encoder) -> dict:
    import sympy

    text = sympy.srepr(value)
    if len(text) > MAX_SREPR:
        raise NotData(f"an expression of {len(text)} characters")
    return {"srepr": text}


def _to_sympy(data: dict, _: Encoder) -> Any:
    text = data.get("srepr")
    checked(isinstance(text, str) and len(text) <= MAX_SREPR, "an expression's srepr")
    return sympy_from_srepr(text)


def sympy_from_srepr(text: str) -> Any:
    """The expression ``srepr`` printed, rebuilt from sympy's classes and literals only."""
    import sympy
    from sympy.core.parameters import evaluate

    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise NotData(f"not an srepr ({type(error).__name__})") from None
    with evaluate(False):
        try:
            return _SreprReader(sympy).read(tree.body)
        except RecursionError:
            raise NotData("an expression nested too deeply") from None


class _SreprReader:
    def __init__(self, sympy: Any) -> None:
        self.sympy = sympy
        self.kinds = (sympy.Basic, sympy.MatrixBase)

    def read(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float, str, bool):
            return node.value
        if isinstance(node, ast.Constant) and node.value is None:
            return None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            value = self.read(node.operand)
            checked(type(value) in (int, float), "a negative number")
            return -value
        if isinstance(node, ast.Tuple | ast.List):
            items = [self.read(item) for item in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Call):
            function = self.read(node.func)
            checked(self._constructor(function), "a call of a sympy class")
            checked(all(k.arg is not None for k in node.keywords), "named arguments")
            args = [self.read(arg) for arg in node.args]
            kwargs = {k.arg: self.read(k.value) for k in node.keywords}
            return function(*args, **kwargs)
        raise NotData(f"{type(node).__name__} in an srepr")

    def _name(self, name: str) -> Any:
        checked(not name.startswith("_"), "a public name")
        value = getattr(self.sympy, name, None)
        checked(self._constructor(value) or isinstance(value, self.kinds), f"sympy's {name}")
        return value

    def _constructor(self, value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, self.kinds)


CODECS = [
    ValueCodec("datascience.table", ("datascience.Table",), _table, _to_table),
    ValueCodec("sympy", ("sympy.MutableDenseMatrix",), _sympy, _to_sympy, ("sympy.Basic",)),
]

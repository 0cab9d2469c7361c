"""Value codecs for the data of teaching libraries: ``datascience.Table`` and sympy expressions.

A Table crosses as its labels and columns. A sympy expression crosses as its ``srepr`` text,
which the receiver rebuilds with ``sympy_from_srepr``: a reader that only calls sympy's own
classes with literal arguments, so the text cannot make this side run anything else. Sums and
products are built as sympy builds them (their terms back in sympy's order, so the result is
the same tree, ``==``, as the one sent), but powers and functions are not evaluated: the text
cannot make this side compute ``factorial(10**9)`` or ``10**(10**10)``.
"""

from __future__ import annotations

import ast
from typing import Any

from .values import Encoder, NotData, ValueCodec, checked

MAX_SREPR = 1_000_000
MAX_PRECISION = 10_000  # bits or digits of a Float


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

    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        raise NotData(f"not an srepr ({type(error).__name__})") from None
    try:
        return _SreprReader(sympy).read(tree.body)
    except RecursionError:
        raise NotData("an expression nested too deeply") from None


class _SreprReader:
    def __init__(self, sympy: Any) -> None:
        self.sympy = sympy
        self.kinds = (sympy.Basic, sympy.MatrixBase)
        self.costly = (sympy.Pow, sympy.Function)  # built unevaluated

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
            for key in ("precision", "dps"):
                checked(not isinstance(kwargs.get(key), int) or kwargs[key] <= MAX_PRECISION,
                        f"a {key} up to {MAX_PRECISION}")  # fmt: skip
            if issubclass(function, self.costly) and not self._undefined(function):
                kwargs["evaluate"] = False
            return function(*args, **kwargs)
        raise NotData(f"{type(node).__name__} in an srepr")

    def _name(self, name: str) -> Any:
        checked(not name.startswith("_"), "a public name")
        value = getattr(self.sympy, name, None)
        if value is None:  # a class sympy does not export (ExprCondPair, ...)
            value = _sympy_classes(self.sympy).get(name)
        checked(self._constructor(value) or isinstance(value, self.kinds), f"sympy's {name}")
        return value

    def _undefined(self, function: Any) -> bool:
        """``Function('f')`` and the ``f`` it makes: they evaluate nothing, and keyword
        arguments would become part of what ``f`` is."""
        from sympy.core.function import UndefinedFunction

        return function is self.sympy.Function or isinstance(function, UndefinedFunction)

    def _constructor(self, value: Any) -> bool:
        return isinstance(value, type) and issubclass(value, self.kinds)


def _sympy_classes(sympy: Any) -> dict[str, type]:
    """Every class of sympy's expression tree loaded so far, by name."""
    found: dict[str, type] = {}
    todo = [sympy.Basic]
    while todo:
        kind = todo.pop()
        module = str(getattr(kind, "__module__", None) or "")
        if module.startswith("sympy.") and not kind.__name__.startswith("_"):
            found.setdefault(kind.__name__, kind)
        todo.extend(kind.__subclasses__())
    return found


CODECS = [
    ValueCodec("datascience.table", ("datascience.Table",), _table, _to_table),
    ValueCodec("sympy", ("sympy.MutableDenseMatrix",), _sympy, _to_sympy, ("sympy.Basic",)),
]

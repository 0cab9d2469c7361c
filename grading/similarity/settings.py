"""The similarity report's parameters, each with why it has its value (defaults written once)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    """How answers are fingerprinted, which fingerprints count, and which pairs are flagged."""

    code_k: int = 8
    """Tokens per code k-gram: a shared run shorter than this is never evidence."""
    code_window: int = 4
    """Winnowing window for code: any shared run of code_k + code_window - 1 tokens is found."""
    word_k: int = 3
    """Words per prose shingle (stop words dropped first)."""
    symbol_k: int = 8
    """LaTeX symbols per shingle of a derivation."""
    prose_window: int = 3
    """Winnowing window for prose shingles."""
    max_share: float = 0.5
    """Ignore a fingerprint found in more than this share of the class's answers to a question
    (MOSS -m, Dolos -M): what most students write is no evidence. A fingerprint two students
    share is always kept."""
    min_similarity: float = 0.5
    """Never flag a pair whose score is below this, however unusual it is in its class."""
    outlier_spreads: float = 5.0
    """Flag only pairs this many robust spreads (1.4826 x MAD) above the class's median pair."""
    near_misses: int = 20
    """Pairs below the threshold still shown side by side in the page, best first."""
    questions_shown: int = 12
    """Questions shown side by side per flagged pair, the largest shares first."""
    max_shown: int = 200
    """At most this many pairs are shown side by side (the CSV lists every pair)."""

    @classmethod
    def describe(cls) -> dict[str, str]:
        """Each parameter's description, for the command line's help and the report's page."""
        return {f.name: _docstrings(cls).get(f.name, "") for f in fields(cls)}


def _docstrings(cls: type) -> dict[str, str]:
    """The string literal written under each field (the attribute-docstring convention)."""
    import ast
    import inspect

    try:
        tree = ast.parse(inspect.getsource(cls))
    except (OSError, TypeError):  # no source shipped (a zipped install): no descriptions
        return {}
    body = tree.body[0].body  # type: ignore[attr-defined]
    found = {}
    for node, after in zip(body, body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            found[node.target.id] = " ".join(after.value.value.split())
    return found

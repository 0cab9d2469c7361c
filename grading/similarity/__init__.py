"""``python -m grading similarity``: find answers copied across a class, offline.

The stages, one module each: ``answers`` (read the class's answer cells) -> ``normalise``
(tokens that disguises do not change) -> ``fingerprint`` (winnowing) -> ``index`` (an inverted
index per question, rarity weights, pairs that share) -> ``rank`` (scores, threshold, groups)
-> ``report`` (CSV and HTML); ``pipeline`` runs them. ``docs/similarity.md`` says why this is
our own small engine rather than a library.

Importing this package is cheap (the command line reads ``Settings`` for its options); NumPy
and SciPy load when the report runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:
    from .pipeline import SimilaritySummary, write_similarity_report

__all__ = ["Settings", "SimilaritySummary", "write_similarity_report"]


def __getattr__(name: str) -> object:
    if name in ("SimilaritySummary", "write_similarity_report"):
        from . import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The warm engine against the reference: every corpus answer gets the per-question scores and
the status that Otter's own `otter run` gives it in a per-submission container.

The otter-mode results are those `test_audit` graded (kept in .cache/audit, resumable), so this
costs only the warm run (about 0.3 s per notebook).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.audit import run_audit
from grading.gradebook import Gradebook
from grading.sandbox import WarmEngine

from .test_audit import AUDIT_OUT

pytestmark = pytest.mark.slow


def outcomes(out: Path) -> dict[str, tuple[str, dict[str, float]]]:
    """Per notebook file name: status and per-question scores."""
    with Gradebook(out / "gradebook.sqlite") as book:
        rows = book.rows(book.latest_autograder())
        return {Path(row.origin).name: (row.status, row.questions) for row in rows}


def test_warm_engine_scores_the_whole_corpus_like_otter_run(
    assignment, podman, grading_image, tmp_path
):
    run_audit(assignment, AUDIT_OUT, engine=podman)  # otter mode; reuses graded results
    run_audit(assignment, tmp_path, engine=WarmEngine(podman), workers=2)
    reference, warm = outcomes(AUDIT_OUT), outcomes(tmp_path)
    assert len(warm) == len(reference) > 200
    differing = {name: (reference[name], warm.get(name)) for name in reference}
    differing = {k: v for k, v in differing.items() if v[0] != v[1]}
    assert differing == {}

"""The warm engine against the reference: corpus answers get the per-question scores and the
status that Otter's own `otter run` gives them in a per-submission container.

`otter run` costs ~12 s of CPU a notebook, so the whole corpus (~20 min on two cores) does not
fit in CI beside everything else: the reference is a fixed sample, the first mistake and the
first correct alternative of every question (by file name), graded into .cache/audit (resumable).
The warm results are those `test_audit` graded for the whole corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.api import grade
from grading.audit import ALTERNATIVE, MISTAKE, CorpusAnswer, load_corpus, run_audit
from grading.gradebook import Gradebook
from grading.sandbox import WarmEngine

from .test_audit import AUDIT_OUT

pytestmark = pytest.mark.slow

OTTER_OUT = AUDIT_OUT.parent / "derivatives-otter-sample"


def outcomes(out: Path) -> dict[str, tuple[str, dict[str, float]]]:
    """Per notebook file name: status and per-question scores."""
    with Gradebook(out / "gradebook.sqlite") as book:
        rows = book.rows(book.latest_autograder())
        return {Path(row.origin).name: (row.status, row.questions) for row in rows}


def sample(answers: list[CorpusAnswer]) -> list[CorpusAnswer]:
    first: dict[tuple[str, str], CorpusAnswer] = {}
    for answer in sorted(answers, key=lambda a: a.path.name):
        first.setdefault((answer.question, answer.kind), answer)
    return list(first.values())


def test_warm_engine_scores_a_corpus_sample_like_otter_run(
    assignment, autograded, podman, grading_image
):
    run_audit(assignment, AUDIT_OUT, engine=WarmEngine(podman), workers=2)  # reuses test_audit's
    chosen = sample(load_corpus(assignment.master_dir / "corpus", {q.name for q in autograded}))
    assert {(a.question, a.kind) for a in chosen} == {
        (q.name, kind) for q in autograded for kind in (MISTAKE, ALTERNATIVE)
    }
    notebooks = [AUDIT_OUT / "notebooks" / a.notebook_name for a in chosen]
    grade(notebooks, assignment.autograder_zip, OTTER_OUT, engine=podman)  # `otter run` each
    reference, warm = outcomes(OTTER_OUT), outcomes(AUDIT_OUT)
    assert len(reference) == len(chosen) and len(warm) > 200
    differing = {name: (reference[name], warm.get(name)) for name in reference}
    differing = {k: v for k, v in differing.items() if v[0] != v[1]}
    assert differing == {}

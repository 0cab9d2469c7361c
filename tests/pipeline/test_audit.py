"""The answer corpus through real containers: every mistake caught, every alternative accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from grading.audit import MIN_PER_QUESTION, load_corpus, report, run_audit
from grading.sandbox import WarmEngine

pytestmark = pytest.mark.slow

# Kept between runs (like .pytest_cache): `make audit` after `make test` reuses every result.
AUDIT_OUT = Path(__file__).resolve().parents[2] / ".cache" / "audit" / "derivatives"


def test_corpus_covers_every_autograded_question(assignment, autograded):
    answers = load_corpus(assignment.master_dir / "corpus", {q.name for q in autograded})
    for q in autograded:
        for kind, minimum in MIN_PER_QUESTION.items():
            count = sum(a.question == q.name and a.kind == kind for a in answers)
            assert count >= minimum, f"{q.name}: {count} {kind}s"
        assert all(a.description for a in answers), "every answer file starts with a comment"


def test_audit_catches_every_mistake_and_accepts_every_alternative(
    assignment, podman, grading_image
):
    # Through the warm engine (~0.7 s a notebook); test_equivalence checks it against `otter run`.
    verdicts, gaps = run_audit(assignment, AUDIT_OUT, engine=WarmEngine(podman), workers=2)
    text = report(verdicts, gaps)
    print(text)
    assert not gaps, text
    assert [v.answer.path.name for v in verdicts if not v.ok] == [], text

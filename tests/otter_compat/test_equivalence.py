"""The pipeline against `otter run`, suite by suite: every submission must get the status and
the per-question scores `otter run` gives it (and the top-level score of its results.json when
the autograder sets `points_possible` or `score_threshold`).

The one allowed difference is the hostile submissions' (`Submission.expect == HOSTILE`): an
honest submission plus an attack on the grading (patched Otter, doctest, numpy, a library the
tests call, the assignment's files...). `otter run` runs the tests in the student's kernel, so
many attacks win there; the pipeline must give the scores `otter run` gives the honest
submission without the attack (`Submission.base`) and the status `tampered`.
"""

from __future__ import annotations

import pytest

from grading.model import SCORED, TAMPERED

from .conftest import Outcome
from .reference import Reference
from .suites import HOSTILE, SUITES, Submission

pytestmark = pytest.mark.slow

TOLERANCE = 1e-6


def expected(submission: Submission, refs: dict[str, Reference]) -> Reference:
    """What the pipeline must give: otter run's result, or for a hostile submission its honest
    base's scores with the status tampered."""
    if submission.expect == HOSTILE:
        base = refs[submission.base]
        return Reference(TAMPERED, base.questions, base.score, possible=base.possible)
    return refs[submission.name]


def differences(submission: Submission, want: Reference, got: Outcome | None) -> list[str]:
    """One line per way the pipeline's outcome differs from what is expected."""
    label = f"{submission.name}" + (f" ({submission.why})" if submission.why else "")
    if got is None:
        return [f"{label}: not in the pipeline's gradebook"]
    lines = []
    if got.status != want.status:
        reason = f": {got.reason.splitlines()[0][:160]}" if got.reason else ""
        lines.append(f"{label}: status {got.status}{reason}; expected {want.status}")
    if want.status not in SCORED:
        return lines
    if got.status not in SCORED:
        lines.append(f"{label}: no scores; expected {want.questions}")
        return lines
    for question in sorted(set(want.questions) | set(got.questions)):
        w, g = want.questions.get(question), got.questions.get(question)
        if w is None or g is None or abs(w - g) > TOLERANCE:
            lines.append(f"{label} / {question}: {g}, expected {w}")
    if want.score is not None and abs(got.score - want.score) > TOLERANCE:
        lines.append(f"{label}: total {got.score}, expected results.json's score {want.score}")
    return lines


@pytest.mark.parametrize("suite", list(SUITES))
def test_pipeline_grades_like_otter_run(suite, built_suites, suite_references, pipeline_outcomes):
    built, refs = built_suites[suite], suite_references[suite]
    ours = pipeline_outcomes(suite)
    problems = []
    for submission in built.graded:
        problems += differences(submission, expected(submission, refs), ours.get(submission.name))
    unknown = sorted(set(ours) - {s.name for s in built.graded})
    problems += [f"{name}: graded, but not a submission of the suite" for name in unknown]
    assert not problems, (
        f"{suite}: {len(problems)} differences from `otter run` (hostile submissions: the honest "
        "base's scores and status tampered)\n" + "\n".join(problems)
    )

"""The autograder zip grades with `otter run` exactly as the master notebook intends."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from grading.otter_run import otter_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def otter_scores(assignment) -> dict[str, dict[str, float]]:
    """`otter run` on the reference notebook, the untouched student notebook and the samples."""
    submissions = {
        "reference": assignment.autograder_notebook,
        "student": assignment.student_notebook,
        **{p.name: p for p in sorted(assignment.samples_dir.glob("*.ipynb"))},
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            k: pool.submit(otter_run, p, assignment.autograder_zip) for k, p in submissions.items()
        }
        return {k: f.result() for k, f in futures.items()}


def test_reference_solutions_score_every_autograded_point(otter_scores, autograded):
    assert otter_scores["reference"] == {q.name: q.points for q in autograded}


def test_untouched_student_notebook_scores_zero_and_grades_completely(otter_scores, autograded):
    assert otter_scores["student"] == {q.name: 0.0 for q in autograded}


def test_bundled_samples_score_as_documented(assignment, otter_scores, autograded):
    expected = yaml.safe_load((assignment.samples_dir / "expected.yaml").read_text())
    samples = {p.name for p in assignment.samples_dir.glob("*.ipynb")}
    assert set(expected) == samples
    for sample, spec in expected.items():
        loses = {q.name for q in autograded} if spec["loses"] == "all" else set(spec["loses"])
        want = {q.name: (0.0 if q.name in loses else q.points) for q in autograded}
        assert otter_scores[sample] == want, sample

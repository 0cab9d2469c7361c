"""The autograder zip grades with `otter run` exactly as the master notebook intends."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.slow


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

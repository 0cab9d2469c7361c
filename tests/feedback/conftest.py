"""Fixtures for the students' feedback files: the graded samples (the session's podman class,
copied, with the figures its grading run kept) with hand-graded marks and a late flag, and
the hostile notebooks of tests/web/hostile_cases.py, each with its feedback written once."""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from grading.feedback import refresh_feedback
from grading.gradebook import Gradebook
from grading.lms.late import LatePolicy

from ..web.hostile_cases import CASES, record_hostile_class

ROOT = Path(__file__).resolve().parents[2]
# A late policy: Canvas flags a submission late without a time; that costs one unit (10%).
POLICY = LatePolicy(deadline=datetime(2026, 3, 1, tzinfo=UTC), penalty=0.1)
COMMENT = "Good plot.\nLabel the axes <b>next time</b> & say what x = 1 marks."
REASON = "Extra care: the legend names the line x = 1"


@dataclass(frozen=True)
class FeedbackClass:
    out: Path
    strong: str  # the strong sample's sha256
    items: dict[str, tuple[float, str]]  # question -> (points, text) of the item applied


@pytest.fixture(scope="session")
def feedback_class(graded_samples, assignment, tmp_path_factory) -> FeedbackClass:
    """The graded samples with the strong sample hand-graded on three questions, flagged late,
    and its feedback rewritten under the late policy."""
    _, graded = graded_samples
    out = tmp_path_factory.mktemp("feedback") / "graded"
    shutil.copytree(graded, out, ignore=shutil.ignore_patterns("work"))
    with Gradebook(out / "gradebook.sqlite") as book:
        strong = next(r for r in book.rows(book.latest_autograder()) if r.student == "strong")
        items = {}
        for question, points, text in (
            ("q5e_plot", 1.0, "Three panels: f, f' and f'' with x = 1 marked"),
            ("q4a", 1.5, "Uses the limit definition <script>correctly</script>"),
            ("q3a", 1.5, "Correct derivative"),
        ):
            total = next(q.points for q in assignment.questions() if q.name == question)
            book.ensure_rubric(question, total, "positive", [(points, text)], "test")
            item = book.rubric(question).items[0]
            book.change_mark("strong", question, "ta", 0, apply=(item.id,))
            items[question] = (points, text)
        mark = book.mark("strong", "q5e_plot")
        book.change_mark("strong", "q5e_plot", "ta", mark.version, comment=COMMENT)
        mark = book.mark("strong", "q4a")
        book.change_mark("strong", "q4a", "ta", mark.version, adjustment=0.5, reason=REASON)
    # What a Canvas bulk download says of a late submission (`_LATE_` in the file name).
    with sqlite3.connect(out / "gradebook.sqlite") as db:
        db.execute("UPDATE submissions SET late = 1 WHERE sha256 = ?", (strong.sha256,))
    with Gradebook(out / "gradebook.sqlite") as book:  # the worker kept the grading run's figures
        assert book.run_outputs(strong.sha256), "no figure kept of the strong sample"
    refresh_feedback(out, assignment, policy=POLICY)
    return FeedbackClass(out, strong.sha256, items)


@pytest.fixture(scope="session")
def hostile_feedback(graded_samples, assignment, tmp_path_factory) -> Path:
    """One submission per hostile case (the strong sample's scores, the case's payload in its
    q4a answer and q5e_plot outputs, as the grading run's), with its feedback files."""
    _, graded = graded_samples
    out = tmp_path_factory.mktemp("hostile-feedback") / "graded"
    record_hostile_class(graded, assignment, out, for_feedback=True)
    assert refresh_feedback(out, assignment) == len(CASES)
    return out


def artifacts_dir() -> Path | None:
    """$GRADING_ARTIFACTS/feedback/ (GRADING_ARTIFACTS=1: artifacts/feedback/), or None."""
    wanted = os.environ.get("GRADING_ARTIFACTS", "")
    if not wanted:
        return None
    base = ROOT / "artifacts" if wanted.lower() in ("1", "true", "yes") else Path(wanted)
    return base / "feedback"

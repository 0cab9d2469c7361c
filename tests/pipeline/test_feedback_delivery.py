"""`python -m grading feedback` end to end on the graded samples (the session's graded class)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lms.test_lms_feedback import canvas_rule

pytestmark = pytest.mark.slow


def feedback(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grading", "feedback", *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def graded(graded_samples, tmp_path) -> Path:
    """A copy of the graded class: this test's writes stay out of the session's folder."""
    out = tmp_path / "graded"
    shutil.copytree(graded_samples[1], out)
    return out


def test_feedback_command_writes_each_lms_file_and_names_what_it_left_out(
    assignment, graded, tmp_path
):
    book = graded / "gradebook.sqlite"
    samples = assignment.samples_dir
    plain = feedback("--gradebook", str(book), "--format", "plain", "--out", str(tmp_path / "p"),
                     "--roster", str(samples / "roster-canvas.csv"))  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    folders = sorted(p.name for p in (tmp_path / "p").iterdir())
    assert len(folders) == len(list(samples.glob("*.ipynb")))
    assert any(f.startswith("Strong") for f in folders) and "wrote" in plain.stdout

    board_roster = str(samples / "roster-blackboard.csv")
    board = feedback("--gradebook", str(book), "--format", "blackboard", "--out",
                     str(tmp_path / "b"), "--roster", board_roster)  # fmt: skip
    assert board.returncode == 0, board.stderr
    rows = (tmp_path / "b" / "derivatives-blackboard-feedback.xls").read_text(encoding="utf-16")
    header, *students = rows.splitlines()
    assert header.endswith("|512345\tFeedback to Learner\tFeedback Format")
    assert len(students) == len(folders) and all(r.endswith("\tHTML") for r in students)

    # Loose notebooks have no Canvas ids: every one is named, nothing is written silently.
    canvas = feedback("--gradebook", str(book), "--format", "canvas", "--out", str(tmp_path / "c"))
    assert canvas.returncode == 0, canvas.stderr
    left_out = [line for line in canvas.stderr.splitlines() if line.startswith("left out:")]
    assert len(left_out) == len(folders) and all("Canvas" in line for line in left_out)
    assert not list((tmp_path / "c").glob("*.zip"))
    assert canvas_rule("strongsam_2001_70001_x.txt") == ("2001", "70001")


def test_bad_input_is_an_error_naming_the_file_and_leaves_the_gradebook(
    assignment, graded, tmp_path
):
    book = graded / "gradebook.sqlite"
    before = book.read_bytes()
    canvas_roster = str(assignment.samples_dir / "roster-canvas.csv")
    wrong = feedback("--gradebook", str(book), "--format", "blackboard", "--out",
                     str(tmp_path / "b"), "--roster", canvas_roster)  # fmt: skip
    assert wrong.returncode == 2 and "roster-canvas.csv" in wrong.stderr
    assert "Traceback" not in wrong.stderr and not (tmp_path / "b").exists()
    assert book.read_bytes() == before

    garbage = tmp_path / "broken" / "gradebook.sqlite"
    garbage.parent.mkdir()
    garbage.write_bytes(b"this is not a database" * 100)
    broken = feedback(
        "--gradebook", str(garbage), "--format", "plain", "--out", str(tmp_path / "p")
    )
    assert broken.returncode == 2 and str(garbage) in broken.stderr
    assert "Traceback" not in broken.stderr
    assert garbage.read_bytes() == b"this is not a database" * 100

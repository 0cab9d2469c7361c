"""`grade` end to end through the warm engine in podman, on an assignment of the test's own:
the limits its otter_config.json sets, the files a student exported beside the notebook, a
Python script as a submission, and what the engine reports (the instructor's messages, live
objects, a cell stopped by the per-cell limit) in the gradebook, the feedback and the report.
One graded run, shared by the tests."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grading.api import grading_facts, recorded_autograder
from grading.assignments import Question
from grading.gradebook import Gradebook
from grading.lms.grades import compute_grades
from grading.model import StoppedCell

from ..autograder_zips import exception_test, write_autograder

pytestmark = pytest.mark.slow

CELL_SECONDS = 3
TESTS = {
    "q1": exception_test("q1", "assert f(3) == 9", params="f",
                         success_message="f squares its input.",
                         failure_message="f must return x * x."),
    "q2": exception_test("q2", "assert total == 10", params="total",
                         failure_message="total sums data/numbers.txt, which you hand in."),
    "q3": exception_test("q3", 'assert Dog("rex").speak() == "rex says woof"', params="Dog"),
    "q4": exception_test("q4", "assert after == 1", params="after"),
}  # fmt: skip
CELLS = [
    "def f(x):\n    return x * x",
    "class Dog:\n    def __init__(self, name):\n        self.name = name\n\n"
    "    def speak(self):\n        return f'{self.name} says woof'",
    "total = sum(int(v) for v in open('data/numbers.txt').read().split())",
    "while True:  # a training loop that never ends\n    pass",
    "after = 1",
]
SCRIPT = "def f(x):\n    return x * x\n\ntotal = 0\nafter = 1\n"
QUESTIONS = [Question(q, 1.0, False, ()) for q in TESTS]


@pytest.fixture(scope="module")
def graded(podman, grading_image, tmp_path_factory) -> tuple[str, Path]:
    root = tmp_path_factory.mktemp("engine-report")
    autograder = write_autograder(
        root / "toy-autograder.zip", TESTS,
        grading={"cell_timeout": CELL_SECONDS}, points_possible=8,
    )  # fmt: skip
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    export = root / "alice_2026_03_02T23_47_35_069567.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("toy.ipynb", nbformat.writes(notebook))
        zf.writestr("data/numbers.txt", "1 2 3 4\n")
        zf.writestr(".OTTER_LOG", b"\x80\x04not read by the warm engine")
        zf.writestr("__zip_filename__", export.name)
    script = root / "bob.py"
    script.write_text(SCRIPT)
    out = root / "out"
    command = [
        sys.executable, "-m", "grading", "grade", "--engine", "podman", "--keep-warm", "0",
        "-a", str(autograder), "-o", str(out), str(export), str(script),
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout, out


def scores(out: Path, student_prefix: str) -> dict[str, float]:
    with Gradebook(out / "gradebook.sqlite") as book:
        (row,) = [r for r in book.rows(book.latest_autograder()) if r.student.startswith(
            student_prefix)]  # fmt: skip
        return row.questions


def test_the_command_says_which_limits_and_what_a_limit_stopped(graded):
    stdout, _ = graded
    assert f"limits in force: {CELL_SECONDS} s a cell (toy-autograder.zip)\n" in stdout
    assert "podman-warm: graded 2 (2 graded)" in stdout
    assert "1 submission had cells stopped by a limit: see the report" in stdout


def test_the_files_beside_the_notebook_reach_the_student_and_the_limit_stops_one_cell(graded):
    _, out = graded
    # q2 reads the data file exported beside the notebook; q4's cell runs after the endless one.
    assert scores(out, "alice") == {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 1.0}
    with Gradebook(out / "gradebook.sqlite") as book:
        rows = {r.student: r for r in book.rows(book.latest_autograder())}
    alice = next(r for s, r in rows.items() if s.startswith("alice"))
    assert alice.stopped == (StoppedCell(3, f"the {CELL_SECONDS} s time limit of a cell"),)
    assert rows["bob"].stopped == ()


def test_a_script_is_graded_as_one_cell(graded):
    _, out = graded
    assert scores(out, "bob") == {"q1": 1.0, "q2": 0.0, "q3": 0.0, "q4": 1.0}


def test_feedback_shows_the_total_the_messages_and_the_stopped_cell(graded):
    _, out = graded
    alice = next((out / "feedback").glob("alice*.txt")).read_text()
    assert "Autograded score: 8 / 8" in alice
    assert f"cell 3 was stopped by the {CELL_SECONDS} s time limit of a cell" in alice
    assert "message: f squares its input." in alice
    bob = (next((out / "feedback").glob("bob-*.txt"))).read_text()
    assert "Autograded score: 4 / 8" in bob
    assert "message: total sums data/numbers.txt, which you hand in." in bob
    assert "stopped by" not in bob


def test_the_report_labels_a_question_whose_test_used_live_objects(graded):
    _, out = graded
    with Gradebook(out / "gradebook.sqlite") as book:
        grades, _ = compute_grades(book, QUESTIONS, autograder=recorded_autograder(book))
        facts = grading_facts(book, book.latest_autograder(), grades)
    assert {g.raw_total for g in grades} == {8.0, 4.0}
    assert [g.stopped for g in grades if g.student.startswith("alice")] == [
        (StoppedCell(3, f"the {CELL_SECONDS} s time limit of a cell"),)
    ]
    (label,) = facts.labels("q3")
    assert label.startswith("computed in the student process: ") and "Dog" in label
    assert facts.labels("q1") == []  # f's answers cross as plain data
    assert facts.notes == (
        f"Limits in force: {CELL_SECONDS} s a cell.",
        "Autograded totals as Otter counts them: the question scores rescaled to 8 points"
        " (points_possible).",
    )


@pytest.mark.parametrize("engine", ["podman", "local"])
def test_otter_run_finds_the_files_beside_the_notebook_too(graded, engine, podman, tmp_path):
    """`--mode otter` lays out the submission folder as `otter run` extracts an export zip."""
    from grading.api import grade

    stdout, out = graded
    root = out.parent
    summary = grade(
        [root / "alice_2026_03_02T23_47_35_069567.zip"], root / "toy-autograder.zip",
        tmp_path / "otter", engine=engine, mode="otter",
    )  # fmt: skip
    assert summary.by_status == {"graded": 1}
    assert scores(tmp_path / "otter", "alice") == {"q1": 1.0, "q2": 1.0, "q3": 1.0, "q4": 1.0}

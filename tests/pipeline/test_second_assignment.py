"""A second assignment, written the way most instructors write one, through the whole pipeline.

``tests/assignments/masters/rainfall/`` keeps Otter Assign's defaults: OK-format tests in the
notebook's metadata, nbformat 4.4 without cell ids, a data file (``files:``) the notebook reads,
a seed variable Otter overrides when grading, ``points`` as a list, a written and a plot
question graded by hand, and no ``rubrics.yaml``. Copied into a scratch ``master/`` root, it goes
through build -> grade -> export -> report -> similarity -> hand grading with the commands an
instructor types, and must come out as ``otter run`` grades it.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grading.assignments import Assignment, discover
from grading.model import GRADED, TAMPERED
from grading.notebooks import fill_answers, reference_submission
from grading.otter_run import otter_run
from grading.web.marking import Marking
from grading.web.rubrics import default_rubric

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "tests" / "assignments" / "masters" / "rainfall"
CANVAS_COLUMN = "rainfall (50301)"
WRONG_Q2 = 'def wettest_month(city):\n    """Always the first month."""\n    return months[0]'


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grading", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def roots(tmp_path_factory) -> tuple[Path, Path]:
    """A scratch ``master/`` holding only the second assignment, and its ``dist/``."""
    root = tmp_path_factory.mktemp("second-assignment")
    shutil.copytree(MASTER, root / "master" / "rainfall")
    return root / "master", root / "dist"


@pytest.fixture(scope="module")
def rainfall(roots) -> Assignment:
    master, dist = roots
    done = cli("build", "rainfall", "--master", master, "--dist", dist)
    assert done.returncode == 0, done.stderr[-3000:]
    (assignment,) = discover(master, dist)
    return assignment


def where(roots) -> list[str]:
    """The options every last-mile command takes to find the scratch assignment."""
    master, dist = roots
    return ["--assignment", "rainfall", "--master", str(master), "--dist", str(dist)]


@pytest.fixture(scope="module")
def submissions(rainfall, tmp_path_factory) -> dict[str, Path]:
    """ada hands in the reference (autograder) notebook; grace the student notebook with every
    answer right but Question 2's (its public test passes, its hidden one fails), run and saved
    in the student folder as a student does, so it holds her figure."""
    folder = tmp_path_factory.mktemp("submissions")
    ada = folder / "ada.ipynb"
    shutil.copy(rainfall.autograder_notebook, ada)
    student = nbformat.read(rainfall.student_notebook, as_version=4)
    answered = reference_submission(student, nbformat.read(rainfall.autograder_notebook, 4))
    (q2_cell,) = [c.id for c in answered.cells if c.source.startswith("def wettest_month")]
    grace_nb = fill_answers(answered, {q2_cell: WRONG_Q2})
    workspace = tmp_path_factory.mktemp("grace") / "student"
    shutil.copytree(rainfall.dist_dir / "student", workspace)
    client = NotebookClient(grace_nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workspace)}})  # fmt: skip
    client.execute()  # the export cell may fail here (no LaTeX): it changes no answer
    grace = folder / "grace.ipynb"
    nbformat.write(grace_nb, grace)
    return {"ada": ada, "grace": grace}


@pytest.fixture(scope="module")
def otter_scores(rainfall, submissions) -> dict[str, dict[str, float]]:
    return {who: otter_run(path, rainfall.autograder_zip) for who, path in submissions.items()}


@pytest.fixture(scope="module")
def graded(rainfall, submissions, podman, grading_image, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("graded")
    done = cli("grade", "--engine", "podman", "-a", rainfall.autograder_zip, "-o", out,
               *submissions.values())  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return out


def gradebook_scores(out: Path) -> dict[str, dict[str, float]]:
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute(
        "SELECT s.student, q.question, q.score FROM question_results q JOIN submissions s"
        " ON s.sha256 = q.sha256"
    ).fetchall()
    scores: dict[str, dict[str, float]] = {}
    for student, question, score in rows:
        scores.setdefault(student, {})[question] = score
    return scores


def test_the_build_keeps_otters_defaults_and_gives_every_cell_an_id(rainfall):
    questions = {q.name: (q.points, q.manual) for q in rainfall.questions()}
    assert questions == {"q1": (2, False), "q2": (3, False), "q3": (2, False),
                         "q4": (2, True), "q5": (2, True)}  # fmt: skip
    student = nbformat.read(rainfall.student_notebook, as_version=4)
    assert student.nbformat_minor == 5 and all(cell.get("id") for cell in student.cells)
    assert set(student.metadata["otter"]["tests"]) == {"q1", "q2", "q3"}  # OK format, public
    assert "seed = 2024" in "\n".join(cell.source for cell in student.cells)
    assert (rainfall.dist_dir / "student" / "rainfall.csv").is_file()


def test_otter_run_gives_the_reference_full_marks_and_grace_one_wrong(rainfall, otter_scores):
    autograded = {q.name: q.points for q in rainfall.questions() if not q.manual}
    assert otter_scores["ada"] == autograded
    assert otter_scores["grace"] == {**autograded, "q2": 1.0}


def test_grade_scores_both_notebooks_as_otter_run_does(graded, otter_scores):
    assert gradebook_scores(graded) == otter_scores
    db = sqlite3.connect(graded / "gradebook.sqlite")
    statuses = dict(
        db.execute("SELECT s.student, r.status FROM results r JOIN submissions s USING (sha256)")
    )
    # The autograder notebook carries the instructor's solution cells: scored honestly, and
    # held for review as a student who handed it in would be.
    assert statuses == {"ada": TAMPERED, "grace": GRADED}
    with (graded / "final_grades.csv").open(newline="") as f:
        rows = {Path(row["file"]).name: row for row in csv.DictReader(f)}
    assert set(rows) == {"points-per-question", "ada.ipynb", "grace.ipynb"}
    totals = {name: float(row["total_points_earned"]) for name, row in rows.items()}
    assert totals == {"points-per-question": 7.0, "ada.ipynb": 7.0, "grace.ipynb": 5.0}


def test_canvas_export_fills_the_column_of_the_rosters_students(graded, roots, tmp_path):
    roster = tmp_path / "canvas.csv"
    roster.write_text(
        f"Student,ID,SIS User ID,SIS Login ID,Section,{CANVAS_COLUMN}\n"
        "    Points Possible,,,,,11.00\n"
        '"Lovelace, Ada",3001,S3001,ada,Climate A,\n'
        '"Hopper, Grace",3002,S3002,grace,Climate A,\n'
    )
    out = tmp_path / "upload.csv"
    done = cli("export", "--gradebook", graded / "gradebook.sqlite", "--format", "canvas",
               "--roster", roster, "--out", out, *where(roots))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(newline="")))
    assert rows[0][CANVAS_COLUMN] == "11"  # every question's points, the hand-graded included
    scores = {row["SIS Login ID"]: float(row[CANVAS_COLUMN]) for row in rows[1:]}
    assert scores == {"ada": 7.0, "grace": 5.0}  # autograded only: nothing marked by hand yet


def test_the_report_lists_every_question(graded, roots, tmp_path):
    out = tmp_path / "report.html"
    done = cli("report", "--gradebook", graded / "gradebook.sqlite", "--out", out, *where(roots))
    assert done.returncode == 0, done.stderr
    page = out.read_text()
    for question in ("q1", "q2", "q3", "q4", "q5"):
        assert f'data-question="{question}"' in page, question


def test_similarity_compares_the_class(graded, roots):
    done = cli("similarity", "--out", graded, *where(roots))
    assert done.returncode == 0, done.stderr
    assert "2 students" in done.stdout
    with (graded / "similarity.csv").open(newline="") as f:
        assert list(csv.DictReader(f))  # one pair: ada and grace


def test_hand_grading_starts_from_default_rubrics_and_shows_both_answers(graded, rainfall):
    marking = Marking(graded, rainfall)
    try:
        assert set(marking.questions) == {"q4", "q5"}
        for name in ("q4", "q5"):
            rubric = marking.rubric(name)
            assert [(i.points, i.description) for i in rubric.items] == list(
                default_rubric(2.0).items
            )
        by_student = {entry.student: entry for entry in marking.entries}
        assert set(by_student) == {"ada", "grace"}
        written = marking.answer_html("q4", by_student["grace"])
        assert "Mumbai" in written and "monsoon" in written
        assert "<img" in marking.answer_html("q5", by_student["grace"])  # her saved figure
        half = marking.rubric("q5").items[1]
        mark, _ = marking.change_mark("q5", by_student["grace"], "ta", 0, apply=(half.id,))
        assert mark.score == 1.0
    finally:
        marking.close()


def test_the_hand_grading_template_has_the_manual_questions(graded, roots, tmp_path):
    done = cli("manual", "export", "--gradebook", graded / "gradebook.sqlite", "--out",
               tmp_path, *where(roots))  # fmt: skip
    assert done.returncode == 0, done.stderr
    with (tmp_path / "rainfall-manual-grades.csv").open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", "name", "origin", "q4 (max 2)", "q5 (max 2)"]
    assert sorted(row[0] for row in rows[1:]) == ["ada", "grace"]
    assert len(list((tmp_path / "packets").glob("*.html"))) == 2

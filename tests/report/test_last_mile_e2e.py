"""From the bundled samples to the LMS: hand-graded scores in, every export out, the report.

Grades the samples with `python -m grading grade` in podman (shared fixture), matches them to
the bundled Canvas roster export, imports hand-graded scores, writes each LMS's file and the
report, all through the command line an instructor uses.
"""

from __future__ import annotations

import csv
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CANVAS_COLUMN = "derivatives (40101)"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grading", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def class_out(graded_samples, tmp_path_factory) -> Path:
    """A copy of the graded samples' folder, so hand grading here changes no other test."""
    import shutil

    _, out = graded_samples
    copy = tmp_path_factory.mktemp("last-mile") / "graded"
    shutil.copytree(out, copy)
    return copy


@pytest.fixture(scope="module")
def roster(assignment) -> Path:
    return assignment.samples_dir / "roster-canvas.csv"


@pytest.fixture(scope="module")
def hand_graded(class_out, roster, assignment, manual_points) -> dict[str, float]:
    """Export the template, fill it like a grader (full marks for strong, half for typical)."""
    book = str(class_out / "gradebook.sqlite")
    folder = class_out / "manual"
    done = cli(
        "manual", "export", "--gradebook", book, "--roster", str(roster), "--out", str(folder)
    )
    assert done.returncode == 0, done.stderr
    template = folder / f"{assignment.name}-manual-grades.csv"
    rows = list(csv.reader(io.StringIO(template.read_text())))
    header, body = rows[0], rows[1:]
    by_student = {row[0]: row for row in body}
    given = {"strong": 1.0, "typical": 0.5}  # share of each manual question's points
    for student, share in given.items():
        for index, title in enumerate(header[3:], start=3):
            by_student[student][index] = f"{manual_points[title.split()[0]] * share:g}"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *body])
    template.write_text(buffer.getvalue())
    done = cli("manual", "import", str(template), "--gradebook", book, "--roster", str(roster))
    assert done.returncode == 0, done.stderr
    assert "strong q3a: ungraded -> 1.5" in done.stdout
    return {s: share * sum(manual_points.values()) for s, share in given.items()}


@pytest.fixture(scope="module")
def manual_points(questions) -> dict[str, float]:
    return {q.name: q.points for q in questions if q.manual}


def autograded_totals(class_out: Path) -> dict[str, float]:
    """Each sample's autograded total, straight from the gradebook."""
    db = sqlite3.connect(class_out / "gradebook.sqlite")
    return dict(
        db.execute("SELECT s.student, r.score FROM submissions s JOIN results r USING (sha256)")
    )


def test_bad_hand_grading_file_is_refused_whole(class_out, roster, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "student,name,origin,q3a (max 1.5),q4a (max 2)\nstrong,,,9,1\nnobody,,,1,1\ntypical,,,x,1\n"
    )
    before = (
        sqlite3.connect(class_out / "gradebook.sqlite")
        .execute("SELECT count(*) FROM manual_score_changes")
        .fetchone()
    )
    done = cli("manual", "import", str(bad), "--gradebook", str(class_out / "gradebook.sqlite"),
               "--roster", str(roster))  # fmt: skip
    assert done.returncode == 2
    for problem in ("row 2 (strong): q3a: 9 is outside 0..1.5", "row 3: unknown student 'nobody'",
                    "row 4 (typical): q3a: 'x' is not a number", "nothing imported"):  # fmt: skip
        assert problem in done.stderr
    after = (
        sqlite3.connect(class_out / "gradebook.sqlite")
        .execute("SELECT count(*) FROM manual_score_changes")
        .fetchone()
    )
    assert after == before


def test_canvas_export_fills_the_lms_file(class_out, roster, hand_graded, tmp_path):
    out = tmp_path / "canvas.csv"
    done = cli("export", "--gradebook", str(class_out / "gradebook.sqlite"), "--format", "canvas",
               "--roster", str(roster), "--out", str(out), "--column", CANVAS_COLUMN)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "no submission from Absent, Abe" in done.stderr
    rows = list(csv.DictReader(out.open(newline="")))
    assert list(rows[0]) == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        CANVAS_COLUMN,
    ]
    assert rows[0]["Student"].strip() == "Points Possible" and rows[0][CANVAS_COLUMN] == "100"
    auto = autograded_totals(class_out)
    students = {r["SIS Login ID"]: r for r in rows[1:]}
    assert students["strong"]["ID"] == "2001" and students["strong"]["Section"] == "Calculus A"
    for login, row in students.items():
        if login == "absent":
            assert row[CANVAS_COLUMN] == "0"
            continue
        expected = auto[login] + hand_graded.get(login, 0.0)
        assert float(row[CANVAS_COLUMN]) == pytest.approx(expected, abs=0.005), login
    assert float(students["strong"][CANVAS_COLUMN]) == 100


@pytest.mark.parametrize(
    ("fmt", "roster_name", "id_column", "grade_column"),
    [
        ("moodle", "roster-moodle.csv", "Email address", "Assignment: derivatives (Real)"),
        ("blackboard", "roster-blackboard.csv", "Username",
         "derivatives [Total Pts: 100 Score] |512345"),
        ("csv", "roster-canvas.csv", "sis_id", "final_total"),
    ],
)  # fmt: skip
def test_each_lms_gets_its_own_format(
    class_out, assignment, hand_graded, tmp_path, fmt, roster_name, id_column, grade_column
):
    """Each LMS's own gradebook export as the roster: its ids and its column, filled."""
    out = tmp_path / f"{fmt}.csv"
    roster = assignment.samples_dir / roster_name
    done = cli("export", "--gradebook", str(class_out / "gradebook.sqlite"), "--format", fmt,
               "--roster", str(roster), "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8-sig")))
    assert id_column in rows[0] and grade_column in rows[0], list(rows[0])
    by_id = {r[id_column]: r for r in rows}
    strong = next(key for key in by_id if key.startswith(("strong", "S2001")))
    absent = next(key for key in by_id if key.startswith(("absent", "S2008")))
    assert float(by_id[strong][grade_column]) == 100
    assert float(by_id[absent][grade_column]) == 0
    auto = autograded_totals(class_out)
    typical = next(key for key in by_id if key.startswith(("typical", "S2002")))
    assert float(by_id[typical][grade_column]) == pytest.approx(
        auto["typical"] + hand_graded["typical"], abs=0.005
    )


def test_missing_students_can_be_left_blank(class_out, roster, hand_graded, tmp_path):
    out = tmp_path / "canvas-blank.csv"
    done = cli("export", "--gradebook", str(class_out / "gradebook.sqlite"), "--format", "canvas",
               "--roster", str(roster), "--out", str(out), "--column", CANVAS_COLUMN,
               "--missing", "blank")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = {r["SIS Login ID"]: r for r in csv.DictReader(out.open(newline=""))}
    assert rows["absent"][CANVAS_COLUMN] == "" and rows["strong"][CANVAS_COLUMN] == "100"


def test_late_policy_changes_totals_exactly(class_out, roster, hand_graded, tmp_path):
    """The samples carry no submission time: a deadline in the past costs them nothing."""
    out = tmp_path / "late.csv"
    done = cli("export", "--gradebook", str(class_out / "gradebook.sqlite"), "--format", "csv",
               "--roster", str(roster), "--out", str(out), "--deadline", "2020-01-01T00:00:00",
               "--penalty", "10%")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8-sig")))
    assert all(float(r["penalty_percent"]) == 0 for r in rows)


def test_report_numbers_agree_with_the_gradebook(class_out, roster, hand_graded, browser):
    out = class_out / "report.html"
    book = str(class_out / "gradebook.sqlite")
    done = cli("report", "--gradebook", book, "--roster", str(roster), "--out", str(out))
    assert done.returncode == 0, done.stderr
    page = browser.new_page()
    page.goto(out.as_uri())
    auto = autograded_totals(class_out)
    finals = [
        auto[login] + hand_graded.get(login, 0.0)
        for login in (
            "strong",
            "typical",
            "weak",
            "ex3-raises",
            "skipped",
            "reordered",
            "untouched",
        )
    ] + [0.0]
    mean = float(page.locator("#stat-mean").get_attribute("data-value"))
    assert mean == pytest.approx(sum(finals) / len(finals))
    assert page.locator("#stat-students").inner_text().strip().startswith("8")
    page.close()

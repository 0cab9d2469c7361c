"""Final grades: submission choice, roster matching, hand-graded scores and the late policy."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from grading.assignments import Question
from grading.gradebook import Gradebook
from grading.ingest import load_roster
from grading.lms.grades import MISSING, compute_grades
from grading.lms.late import LatePolicy, parse_duration, parse_fraction
from grading.manual import ManualImportError, import_scores, read_scores, template_csv
from grading.model import GRADED, GradeResult, QuestionScore, Submission

DEADLINE = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
QUESTIONS = [
    Question("q1", 4.0, manual=False, solution_cell_ids=()),
    Question("q2", 6.0, manual=False, solution_cell_ids=()),
    Question("w1", 10.0, manual=True, solution_cell_ids=()),
]
AG = "a" * 64


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (DEADLINE - timedelta(hours=1), 0.0),
        (DEADLINE + timedelta(minutes=14), 0.0),  # inside the 15-minute grace
        (DEADLINE + timedelta(minutes=16), 0.10),  # one started day
        (DEADLINE + timedelta(days=2, hours=12), 0.30),  # three started days
        (DEADLINE + timedelta(days=9), 0.50),  # capped
    ],
)
def test_late_policy_per_day_with_grace_and_cap(submitted, expected):
    policy = LatePolicy(DEADLINE, penalty=0.10, grace=timedelta(minutes=15), cap=0.5)
    assert policy.fraction(submitted) == pytest.approx(expected)


def test_late_policy_per_hour_naive_times_and_flags():
    policy = LatePolicy(DEADLINE, penalty=0.02, unit="hour")
    naive = datetime(2026, 3, 2, 2, 30)  # taken as UTC: 2 h 31 min late -> 3 started hours
    assert policy.fraction(naive) == pytest.approx(0.06)
    assert policy.fraction(None, flagged_late=True) == pytest.approx(0.02)
    assert policy.fraction(None, flagged_late=False) == 0.0
    assert parse_duration("15m") == timedelta(minutes=15) and parse_fraction("10%") == 0.1
    with pytest.raises(ValueError, match="unit"):
        LatePolicy(DEADLINE, penalty=0.1, unit="week")


def add(book: Gradebook, run: int, student: str, origin: str, scores: dict, when=None, **meta):
    sub = Submission(
        path=Path(origin), origin=origin, student=student, sha256=origin.ljust(64, "0")[:64],
        source_format="canvas", submitted_at=when, **meta,
    )  # fmt: skip
    result = GradeResult(
        status=GRADED,
        engine="podman",
        isolation="container",
        questions=[QuestionScore(q, s, {"q1": 4.0, "q2": 6.0}[q]) for q, s in scores.items()],
    )
    book.record(sub, result, AG, run)


@pytest.fixture
def class_book(tmp_path) -> Path:
    path = tmp_path / "gradebook.sqlite"
    with Gradebook(path) as book:
        run = book.start_run(AG, "ag.zip", "podman", None)
        add(
            book,
            run,
            "1001",
            "ada1",
            {"q1": 4, "q2": 6},
            DEADLINE - timedelta(days=1),
            lms_id="1001",
        )
        add(
            book,
            run,
            "1001",
            "ada2",
            {"q1": 4, "q2": 0},
            DEADLINE - timedelta(hours=1),
            lms_id="1001",
        )
        add(
            book,
            run,
            "1002",
            "bob1",
            {"q1": 2, "q2": 6},
            DEADLINE + timedelta(days=1, hours=2),
            lms_id="1002",
            late=True,
        )
        add(book, run, "9999", "eve1", {"q1": 4, "q2": 6}, DEADLINE, lms_id="9999")
    return path


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(
        "Student,ID,SIS User ID,SIS Login ID,Section\n"
        '"Lovelace, Ada",1001,S1,ada,A\n"Boole, Bob",1002,S2,bob,A\n"Dee, Dave",1003,S3,dave,B\n'
    )
    return load_roster(path)


def test_final_grades_pick_latest_apply_penalty_and_report_everything(class_book, roster):
    policy = LatePolicy(DEADLINE, penalty=0.1)
    with Gradebook(class_book) as book:
        grades, report = compute_grades(book, QUESTIONS, roster=roster, policy=policy)
    by = {g.student: g for g in grades}
    assert by["1001"].origin == "ada2" and by["1001"].raw_total == 4  # latest wins
    assert by["1001"].other_submissions == 1
    assert by["1002"].penalty_fraction == pytest.approx(0.2)  # 26 h late: two started days
    assert by["1002"].final_total == pytest.approx(8 * 0.8)
    assert by["1003"].status == MISSING and by["1003"].final_total == 0
    assert by["9999"].roster is None
    assert report.unmatched_submissions == ["eve1"]
    assert [e.lms_id for e in report.missing_students] == ["1003"]
    assert report.multiple_submissions == {"1001": ["ada2", "ada1"]}
    lines = "\n".join(report.lines())
    assert (
        "eve1" in lines and "Dee, Dave" in lines and "1001 submitted 2 times; using ada2" in lines
    )


def test_best_submission_can_be_chosen(class_book, roster):
    with Gradebook(class_book) as book:
        grades, _ = compute_grades(book, QUESTIONS, roster=roster, pick="best")
    assert {g.student: g.origin for g in grades}["1001"] == "ada1"


def test_manual_scores_merge_into_totals_and_changes_are_recorded(class_book, roster, tmp_path):
    with Gradebook(class_book) as book:
        grades, _ = compute_grades(book, QUESTIONS, roster=roster)
    template = tmp_path / "manual.csv"
    template.write_text(template_csv(grades, [q for q in QUESTIONS if q.manual]))
    rows = template.read_text().splitlines()
    assert rows[0] == "student,name,origin,w1 (max 10)"
    assert len(rows) == 1 + 3  # the missing student has nothing to grade by hand
    filled = template.read_text().replace(
        '1001,"Lovelace, Ada",ada2,', '1001,"Lovelace, Ada",ada2,7.5'
    )
    template.write_text(filled)
    known = {g.student for g in grades if g.origin}
    with Gradebook(class_book) as book:
        changes = import_scores(book, template, [q for q in QUESTIONS if q.manual], known)
        assert [(c.student, c.question, c.old, c.new) for c in changes] == [
            ("1001", "w1", None, 7.5)
        ]
        grades, _ = compute_grades(book, QUESTIONS, roster=roster)
        assert {g.student: g.raw_total for g in grades}["1001"] == 4 + 7.5
        template.write_text(filled.replace(",7.5", ",9"))
        changes = import_scores(book, template, [q for q in QUESTIONS if q.manual], known)
        assert [(c.old, c.new) for c in changes] == [(7.5, 9.0)]
    history = (
        sqlite3.connect(class_book)
        .execute("SELECT old_score, new_score FROM manual_score_changes ORDER BY id")
        .fetchall()
    )
    assert history == [(None, 7.5), (7.5, 9.0)]


def test_bad_manual_file_lists_every_problem_and_imports_nothing(class_book, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "student,name,origin,w1 (max 10)\n"
        "1001,,ada2,7\n"
        "nobody,,x,5\n"
        "1002,,bob1,eleven\n"
        "9999,,eve1,12\n"
    )
    known = {"1001", "1002", "9999"}
    with pytest.raises(ManualImportError) as error:
        read_scores(bad, [q for q in QUESTIONS if q.manual], known)
    message = str(error.value)
    assert "bad.csv: 3 problem(s), nothing imported" in message
    assert "row 3: unknown student 'nobody'" in message
    assert "row 4 (1002): w1: 'eleven' is not a number" in message
    assert "row 5 (9999): w1: 12 is outside 0..10" in message
    with Gradebook(class_book) as book:
        with pytest.raises(ManualImportError):
            import_scores(book, bad, [q for q in QUESTIONS if q.manual], known)
        assert book.manual_scores() == {}


def test_unknown_question_column_is_refused(tmp_path):
    bad = tmp_path / "cols.csv"
    bad.write_text("student,q9 (max 3)\n1001,1\n")
    with pytest.raises(
        ManualImportError, match="'q9 \\(max 3\\)' is not a manually graded question"
    ):
        read_scores(bad, [q for q in QUESTIONS if q.manual], {"1001"})

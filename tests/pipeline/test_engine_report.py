"""What the engine reports beyond scores (test notes, live objects, values that did not cross,
cells stopped by a limit): parsed field by field, kept in the gradebook (schema 3, which an older
gradebook migrates to), and shown in the feedback and the class report."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from pathlib import Path

import pytest

from grading import gradebook as gb
from grading.autograder import read_autograder
from grading.gradebook import Gradebook
from grading.model import (
    ERROR,
    GRADED,
    GradeResult,
    QuestionScore,
    StoppedCell,
    Submission,
    TestOutcome,
)
from grading.outputs import feedback_text
from grading.report import GradingFacts, render_report
from grading.results import read_result
from grading.sandbox import SandboxRun

from ..autograder_zips import exception_test, write_autograder
from ..html_tags import parse

RUN = SandboxRun(timed_out=False, returncode=0, log="", seconds=1.0)
REPORTED = {
    "status": "graded",
    "reason": "",
    "questions": [
        {"name": "q1", "score": 1.0, "possible": 1.0},
        {"name": "q2", "score": 0.0, "possible": 2.0},
    ],
    "tests": [
        {
            "question": "q1",
            "name": "q1 - 1",
            "hidden": False,
            "passed": True,
            "message": "",
            "note": "Well done: the sign is right.",
        },
        {
            "question": "q2",
            "name": "q2 - 1",
            "hidden": False,
            "passed": False,
            "message": "boom",
            "note": "Check the units.",
        },
        {
            "question": "q2",
            "name": "q2 - 2",
            "hidden": True,
            "passed": False,
            "message": "",
            "note": "The hidden answer is 95.",
        },
    ],  # fmt: skip
    "live": {"q1": ["Dog", "sklearn.LinearRegression"]},
    "unfaithful": {"q2": ["Axes"]},
    "stopped": [
        {"cell": 12, "limit": "the 60 s time limit of a cell"},
        {"cell": None, "limit": "the memory limit"},
    ],
}


def collect(tmp_path: Path, data: dict) -> GradeResult:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "grading.json").write_text(json.dumps(data))
    return read_result(RUN, tmp_path, engine="podman-warm", isolation="container", timeout=60)


def test_the_new_fields_are_read(tmp_path):
    result = collect(tmp_path, REPORTED)
    assert result.status == GRADED
    assert [t.note for t in result.tests] == [
        "Well done: the sign is right.",
        "Check the units.",
        "The hidden answer is 95.",
    ]
    assert result.live == {"q1": ("Dog", "sklearn.LinearRegression")}
    assert result.unfaithful == {"q2": ("Axes",)}
    assert result.stopped == [
        StoppedCell(12, "the 60 s time limit of a cell"),
        StoppedCell(None, "the memory limit"),
    ]


def test_an_outcome_without_the_new_fields_still_reads(tmp_path):
    """`--mode otter` and earlier workers report none of them."""
    old = {k: v for k, v in REPORTED.items() if k not in ("live", "unfaithful", "stopped")}
    old["tests"] = [{k: v for k, v in t.items() if k != "note"} for t in REPORTED["tests"]]
    result = collect(tmp_path, old)
    assert result.status == GRADED and result.stopped == [] and result.live == {}
    assert {t.note for t in result.tests} == {""}


@pytest.mark.parametrize(
    "change",
    [
        {"live": ["Dog"]},
        {"live": {"q1": "Dog"}},
        {"unfaithful": {"q2": [3]}},
        {"stopped": {"cell": 1}},
        {"stopped": [{"cell": "12", "limit": "the memory limit"}]},
        {"stopped": [{"cell": True, "limit": "the memory limit"}]},
        {"stopped": [{"cell": -1, "limit": "the memory limit"}]},
        {"stopped": [{"cell": 10**30, "limit": "the memory limit"}]},
        {"stopped": [{"cell": 3, "limit": ""}]},
        {"stopped": [{"cell": 3}]},
        {"tests": [{"question": "q1", "name": "t", "hidden": False, "passed": True, "note": 7}]},
    ],
)
def test_a_malformed_field_is_an_error_not_a_crash(tmp_path, change):
    result = collect(tmp_path, {**REPORTED, **change})
    assert result.status == ERROR and result.score == 0.0
    assert "malformed results file" in result.reason


def test_sizes_are_bounded(tmp_path):
    flood = {
        **REPORTED,
        "live": {"q1": [f"Type{i}" * 100 for i in range(500)]},
        "tests": [{**REPORTED["tests"][0], "note": "x" * 100_000}],
    }
    result = collect(tmp_path, flood)
    assert result.status == GRADED
    assert len(result.live["q1"]) == 50 and max(map(len, result.live["q1"])) <= 200
    assert len(result.tests[0].note) == 2000


# -- the gradebook --------------------------------------------------------------------------


def submission(sha: str = "a" * 64, student: str = "ada") -> Submission:
    return Submission(Path(f"{student}.ipynb"), f"{student}.ipynb", student, sha, "notebook")


def old_gradebook(path: Path) -> None:
    """A gradebook as schema 2 left it (last week's `out/`), with one graded submission."""
    db = sqlite3.connect(path)
    db.executescript(gb.SCHEMA + gb.HAND_GRADING_SCHEMA)
    db.execute("PRAGMA user_version=2")
    db.execute("INSERT INTO runs VALUES (1, '2026-01-01', NULL, ?, 'ag.zip', 'podman', NULL, '{}')",
               ("z" * 64,))  # fmt: skip
    db.execute("INSERT INTO students VALUES ('bob', NULL, NULL, NULL, NULL)")
    db.execute("INSERT INTO submissions VALUES (1, 'bob', 'bob.ipynb', ?, 'notebook', NULL, 0, 0,"
               " 1)", ("b" * 64,))  # fmt: skip
    db.execute("INSERT INTO results VALUES (?, ?, 'graded', 1, 1, '', 'podman', 'container', 1,"
               " 0, NULL, NULL, '2026-01-01', 1)", ("b" * 64, "z" * 64))  # fmt: skip
    db.execute("INSERT INTO test_results VALUES (?, ?, 'q1', 'q1 - 1', 0, 1, '')",
               ("b" * 64, "z" * 64))  # fmt: skip
    db.commit()
    db.close()


def test_last_weeks_gradebook_opens_and_keeps_the_new_fields(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    old_gradebook(path)
    with Gradebook(path) as book:
        assert book.db.execute("PRAGMA user_version").fetchone()[0] == gb.SCHEMA_VERSION == 4
        (row,) = book.rows("z" * 64)
        assert (row.student, row.score, row.stopped) == ("bob", 1.0, ())
        run = book.start_run("z" * 64, "ag.zip", "podman-warm", None)
        book.record(submission(), collect(tmp_path / "r", REPORTED), "z" * 64, run)
    with Gradebook(path) as book:  # opening again changes nothing
        rows = {r.student: r for r in book.rows("z" * 64)}
        assert rows["ada"].stopped == (
            StoppedCell(12, "the 60 s time limit of a cell"),
            StoppedCell(None, "the memory limit"),
        )
        objects = book.question_objects("z" * 64, ["a" * 64, "b" * 64])
        assert objects.live == {"q1": {"Dog": 1, "sklearn.LinearRegression": 1}}
        assert objects.unfaithful == {"q2": {"Axes": 1}}
        notes = book.db.execute("SELECT test, note FROM test_results ORDER BY test").fetchall()
        assert ("q1 - 1", "Well done: the sign is right.") in notes
        assert book.integrity_ok()


def test_a_migration_killed_half_way_runs_again(tmp_path):
    """The column came in but the version did not: opening again finishes the step."""
    path = tmp_path / "gradebook.sqlite"
    old_gradebook(path)
    db = sqlite3.connect(path)
    db.execute("ALTER TABLE test_results ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    db.commit()
    db.close()
    with Gradebook(path) as book:
        assert book.db.execute("PRAGMA user_version").fetchone()[0] == gb.SCHEMA_VERSION
        assert book.stopped_cells("z" * 64) == {}


def test_regrading_replaces_what_the_engine_reported(tmp_path):
    with Gradebook(tmp_path / "gradebook.sqlite") as book:
        run = book.start_run("z" * 64, "ag.zip", "podman-warm", None)
        book.record(submission(), collect(tmp_path / "1", REPORTED), "z" * 64, run)
        calm = {**REPORTED, "stopped": [], "live": {}, "unfaithful": {}}
        book.record(submission(), collect(tmp_path / "2", calm), "z" * 64, run)
        assert book.stopped_cells("z" * 64) == {}
        assert book.question_objects("z" * 64, ["a" * 64]).live == {}


# -- where people look ----------------------------------------------------------------------


@pytest.fixture
def info(tmp_path):
    tests = {q: exception_test(q, "assert True", points=p) for q, p in (("q1", 1), ("q2", 2))}
    return read_autograder(write_autograder(tmp_path / "ag.zip", tests, show_hidden=False))


def test_feedback_says_which_cell_a_limit_stopped_and_shows_visible_notes(tmp_path, info):
    text = feedback_text(submission(), collect(tmp_path, REPORTED), info)
    assert "cell 12 was stopped by the 60 s time limit of a cell" in text
    assert "a cell Otter adds was stopped by the memory limit" in text
    assert "message: Well done: the sign is right." in text
    assert "message: Check the units." in text
    assert "hidden answer" not in text  # a hidden test's note stays hidden with its test
    shown = feedback_text(
        submission(), collect(tmp_path, REPORTED), dataclasses.replace(info, show_hidden=True)
    )
    assert "message: The hidden answer is 95." in shown


def test_feedback_of_a_calm_run_says_nothing_of_limits(tmp_path, info):
    calm = {**REPORTED, "stopped": []}
    text = feedback_text(submission(), collect(tmp_path, calm), info)
    assert "stopped" not in text.lower()


def test_report_flags_stopped_cells_and_labels_questions(tmp_path, grades, report_questions):
    stopped = (StoppedCell(12, "the 60 s time limit of a cell"),)
    marked = [dataclasses.replace(g, stopped=stopped) if g.student == "s01" else g for g in grades]
    facts = GradingFacts(
        notes=("Graded by otter run in the sandbox: Otter plugins (x.Plugin).",),
        live={"q1a": {"Dog": 3, "sklearn.LinearRegression": 1}},
        unfaithful={"q2a": {"Axes": 2}},
    )
    parsed = parse(render_report(marked, report_questions, [], tmp_path, title="t", facts=facts))
    text = "".join(parsed.text)
    flags = {a["data-student"]: a["data-flags"] for t, a in parsed.tags
             if a.get("class") == "flagged"}  # fmt: skip
    assert flags["s01"] == "stopped by a limit"
    assert "cell 12 was stopped by the 60 s time limit of a cell" in text
    labels = {a["data-question"] for t, a in parsed.tags if a.get("class") == "label"}
    assert labels == {"q1a", "q2a"}
    assert (
        "computed in the student process: Dog (3 submissions), sklearn.LinearRegression"
        " (1 submission)" in text
    )
    assert (
        "the test's Axes (2 submissions) could not reach the student's code: score may"
        " differ from otter run" in text
    )
    assert "Graded by otter run in the sandbox: Otter plugins (x.Plugin)." in text


def test_report_without_engine_facts_has_no_labels(tmp_path, grades, report_questions):
    parsed = parse(render_report(grades, report_questions, [], tmp_path, title="t"))
    assert not [a for t, a in parsed.tags if a.get("class") in ("label", "grading-notes")]
    assert "computed in the student process" not in "".join(parsed.text)


@pytest.fixture
def grades():
    from ..report.report_class import make_grades

    return make_grades()


@pytest.fixture
def report_questions():
    from ..report.report_class import QUESTIONS

    return dict(QUESTIONS)


def test_feedback_of_an_errored_run_has_no_notes(tmp_path, info):
    result = GradeResult(status=ERROR, engine="e", isolation="i", reason="worker died",
                         questions=[QuestionScore("q1", 0.0, 1.0)],
                         tests=[TestOutcome("q1", "t", False, False, note="shh")])  # fmt: skip
    text = feedback_text(submission(), result, info)
    assert "Status: error: worker died" in text and "shh" not in text

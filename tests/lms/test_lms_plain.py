"""The plain CSV (every grade, unmatched ones too) and what the writers share."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import datetime

import pytest

from grading.lms.formats import FORMATS, _common, plain

HEADER = [
    "student", "name", "email", "lms_id", "sis_id", "origin", "status", "submitted_at", "late",
    "q1a", "q2", "q3", "q10",
    "raw_total", "penalty_percent", "final_total", "points_possible", "flags",
]  # fmt: skip


def test_plain_csv_keeps_every_grade(tmp_path, sample, make_grade, read):
    roster = sample("canvas_gradebook.csv")
    jane, bo, *_ = roster.entries
    grades = [
        make_grade(jane, raw=90.0),
        make_grade(bo, raw=80.0, penalty=0.1, manual={"q3": None}),  # hand grading not done
        make_grade(None, student="stray.ipynb", raw=50.0),  # unmatched: kept here
        make_grade(roster.entries[3], missing=True),
    ]
    path = tmp_path / "grades.csv"

    plain.write(grades, roster, assignment="Derivatives", points_possible=100, path=path)
    rows = read(path, encoding="utf-8-sig")

    assert path.read_bytes()[:3] == b"\xef\xbb\xbf"  # Excel reads the accents right
    assert rows[0] == HEADER
    by_student = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert list(by_student) == ["123456", "222", "stray.ipynb", "444"]
    assert by_student["123456"] == {
        "student": "123456", "name": "Smith, Jane", "email": "", "lms_id": "123456",
        "sis_id": "1001", "origin": "bulk.zip!123456.ipynb", "status": "graded",
        "submitted_at": datetime(2026, 11, 20, 9, 30).isoformat(), "late": "no",
        "q1a": "10", "q2": "65", "q3": "10", "q10": "5",
        "raw_total": "90", "penalty_percent": "0", "final_total": "90",
        "points_possible": "100", "flags": "",
    }  # fmt: skip
    lee = by_student["222"]
    assert (lee["q3"], lee["late"], lee["penalty_percent"]) == ("", "yes", "10")
    assert (lee["final_total"], lee["flags"]) == ("72", "late: -10%")
    stray = by_student["stray.ipynb"]
    assert (stray["name"], stray["lms_id"], stray["final_total"]) == ("", "", "50")
    missing = by_student["444"]
    assert (missing["status"], missing["origin"], missing["final_total"]) == ("missing", "", "0")
    assert (missing["q1a"], missing["q3"], missing["flags"]) == ("0", "", "no submission")


def test_plain_flags_a_missing_student_without_flags(tmp_path, sample, make_grade, read):
    missing = replace(make_grade(sample("moodle_grades.csv").entries[0], missing=True), flags=())
    path = tmp_path / "grades.csv"

    plain.write([missing], None, assignment="A", points_possible=1, path=path)

    assert read(path, encoding="utf-8-sig")[1][-1] == "no submission"


@pytest.mark.parametrize(
    ("value", "text"),
    [(7.5, "7.5"), (8.0, "8"), (2 / 3, "0.67"), (99.999, "100"), (0.0, "0"), (-0.001, "0"),
     (1234.5, "1234.5"), (0.1 + 0.2, "0.3")],
)  # fmt: skip
def test_scores_have_up_to_two_decimals(value, text):
    assert _common.score(value) == text
    assert float(text) == pytest.approx(value, abs=0.005)


def test_natural_order():
    names = ["q10", "q2", "q1b", "Q1a", "q1", "extra"]
    assert sorted(names, key=_common.natural_key) == ["extra", "q1", "Q1a", "q1b", "q2", "q10"]


def test_write_is_atomic(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old\n")

    class Boom:
        def __str__(self) -> str:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        _common.write_rows(path, [["a", "b"], ["1", Boom()]])
    assert path.read_bytes() == b"old\n"
    _common.write_rows(path, [["a", "b"]])
    assert path.read_bytes() == b"a,b\r\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_writes_a_readable_file_for_no_grades(tmp_path, name):
    path = tmp_path / f"{name}.csv"

    FORMATS[name]([], None, assignment="Derivatives", points_possible=100, path=path)

    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f))
    assert "Derivatives" in header or name == "csv"

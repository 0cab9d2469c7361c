"""The Moodle import file: identifier columns Moodle preselects, auto-mapped grade and feedback."""

from __future__ import annotations

import pytest

from grading.ingest.roster import RosterEntry, load_roster
from grading.lms.formats import moodle


def _write(tmp_path, grades, roster, **options):
    path = tmp_path / "moodle-import.csv"
    options = {"assignment": "Derivatives", "points_possible": 100, **options}
    moodle.write(grades, roster, path=path, **options)
    return path


def test_moodle_file_from_a_moodle_export(tmp_path, sample, make_grade, read):
    roster = sample("moodle_grades.csv")
    jane, bo, maria, al = roster.entries
    grades = [
        make_grade(jane, raw=90.0),
        make_grade(bo, raw=80.0, penalty=0.25),
        make_grade(None, student="stray", raw=10.0),  # no roster row: left out
        make_grade(maria, raw=99.999),
        make_grade(al, missing=True),
    ]

    path = _write(tmp_path, grades, roster)
    rows = read(path)

    assert path.read_bytes()[:1] == b"F"  # UTF-8 without a BOM
    # Al has no ID number, so Moodle must map by email: "ID number" is left out and Moodle
    # preselects "Email address"; the grade and feedback headers are the export's own.
    assert rows[0] == [
        "First name", "Last name", "Email address",
        "Assignment: Derivatives (Real)", "Assignment: Derivatives (Feedback)",
    ]  # fmt: skip
    assert rows[1:] == [
        ["Jane", "Smith", "jane.smith@example.edu", "90", ""],
        ["Bo", "Lee", "bo.lee@example.edu", "60", "raw 80, late penalty 25%"],
        ["María José", "García-López", "mj.garcia@example.edu", "100", ""],
        ["Al", "Kim", "al.kim@example.edu", "0", "no submission"],
    ]


def test_moodle_id_number_when_everyone_has_one(tmp_path, sample, make_grade, read):
    roster = sample("moodle_grades.csv")
    grades = [make_grade(e) for e in roster.entries[:3]]

    rows = read(_write(tmp_path, grades, roster, assignment="Limits"))

    assert rows[0] == [
        "First name", "Last name", "ID number", "Email address",
        "Assignment: Limits (Real)", "Assignment: Limits (Feedback)",
    ]  # fmt: skip
    assert [r[2] for r in rows[1:]] == ["1001", "1002", "1003"]


def test_moodle_plain_headers_without_a_moodle_roster(tmp_path, sample, make_grade, read):
    canvas = sample("canvas_gradebook.csv")  # names "Last, First", no email: not for Moodle
    generic = RosterEntry(line=2, name="Jane Q Smith", email="js@x.edu", sis_id="7")

    rows = read(_write(tmp_path, [make_grade(generic)], None, column="Homework 3"))

    assert rows == [
        ["First name", "Last name", "ID number", "Email address", "Homework 3", "Feedback"],
        ["Jane Q", "Smith", "7", "js@x.edu", "80", ""],
    ]
    test_student = canvas.entries[4]  # neither an email nor an SIS id
    with pytest.raises(ValueError, match="moodle export: no email address .* for 123456, 999$"):
        _write(tmp_path, [make_grade(canvas.entries[0]), make_grade(test_student)], canvas)


def test_moodle_finds_the_item_by_its_full_name(tmp_path, make_grade, read):
    path = tmp_path / "export.csv"
    path.write_text(
        '"First name","Last name","ID number","Email address","Quiz: Derivatives (Real)",'
        '"Assignment: Derivatives (Real)","Manual item (Real)"\n'
        "Jane,Smith,1,js@x.edu,-,-,-\n"
    )
    roster = load_roster(path)
    grades = [make_grade(roster.entries[0])]

    with pytest.raises(ValueError, match="several columns are named 'Derivatives'"):
        _write(tmp_path, grades, roster)
    full = read(_write(tmp_path, grades, roster, assignment="Assignment: Derivatives"))
    manual = read(_write(tmp_path, grades, roster, assignment="manual item"))

    assert full[0][-2:] == ["Assignment: Derivatives (Real)", "Assignment: Derivatives (Feedback)"]
    assert manual[0][-2:] == ["Manual item (Real)", "Manual item (Feedback)"]

"""The Canvas import file: the published header, the Points Possible row, identities, round trip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from grading.ingest.roster import RosterEntry, load_roster
from grading.lms.formats import FORMATS, blackboard, canvas, moodle, plain
from grading.model import Submission

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _write(tmp_path, grades, roster, **options):
    path = tmp_path / "canvas-import.csv"
    options = {"assignment": "Derivatives", "points_possible": 100, **options}
    canvas.write(grades, roster, path=path, **options)
    return path


def test_formats_registry():
    assert dict(FORMATS) == {
        "canvas": canvas.write,
        "moodle": moodle.write,
        "blackboard": blackboard.write,
        "csv": plain.write,
    }


def test_canvas_file_from_a_canvas_export(tmp_path, sample, make_grade, read):
    roster = sample("canvas_gradebook.csv")
    jane, bo, maria, al, test_student = roster.entries
    grades = [
        make_grade(jane, raw=90.0),
        make_grade(bo, raw=80.0, penalty=0.1),  # late: 72 goes to Canvas, not 80
        make_grade(maria, raw=200 / 3),
        make_grade(None, student="stray.ipynb", raw=50.0),  # no roster row: left out
        make_grade(al, missing=True),
        make_grade(test_student, missing=True),
    ]

    rows = read(_write(tmp_path, grades, roster))

    assert rows[0] == [*HEADER, "Derivatives (123456)"]  # the export's column, found by name
    assert rows[1] == ["    Points Possible", "", "", "", "", "100"]
    assert rows[2:] == [
        ["Smith, Jane", "123456", "1001", "jsmith@example.edu", "Section A", "90"],
        ["Lee, Bo", "222", "1002", "blee@example.edu", "Section A", "72"],
        ["García-López, María José", "333", "1003", "mgarcia@example.edu",
         "Section A and Section B", "66.67"],
        ["Kim, Al", "444", "", "akim@example.edu", "Section B", "0"],  # no submission: 0
        ["Student, Test", "999", "", "", "Section A", "0"],
    ]  # fmt: skip


def test_canvas_identity_is_copied_as_canvas_wrote_it(tmp_path, make_grade, read):
    entry = RosterEntry(
        line=3,
        name="Smith, Jane",
        lms_id="123456",
        section="A",
        row={"Student": " Smith, Jane ", "ID": "123456", "SIS User ID": "", "Section": " A"},
    )

    rows = read(_write(tmp_path, [make_grade(entry)], None))

    assert rows[2][:5] == [" Smith, Jane ", "123456", "", "", " A"]


def test_canvas_new_assignment_and_explicit_column(tmp_path, sample, make_grade, read):
    roster = sample("canvas_gradebook.csv")
    grades = [make_grade(roster.entries[0])]

    new = read(_write(tmp_path, grades, roster, assignment="Integrals", points_possible=12.5))
    given = read(_write(tmp_path, grades, roster, column="Limits (123400)"))

    assert new[0][-1] == "Integrals" and new[1][-1] == "12.5"  # Canvas creates "Integrals"
    assert given[0][-1] == "Limits (123400)"


def test_canvas_from_a_generic_roster(tmp_path, make_grade, read):
    path = tmp_path / "class.csv"
    path.write_text("first name,last name,sid,email\nJane,Smith,1001,js@x.edu\n")
    roster = load_roster(path)

    rows = read(_write(tmp_path, [make_grade(roster.entries[0], raw=61.239)], roster))

    assert roster.kind == "generic"
    assert rows[0] == [*HEADER, "Derivatives"]
    assert rows[2] == ["Smith, Jane", "", "1001", "", "", "61.24"]


def test_canvas_ambiguous_or_unfindable_is_an_error(tmp_path, make_grade):
    path = tmp_path / "export.csv"
    path.write_text(
        'Student,ID,SIS User ID,SIS Login ID,Section,Quiz (1),Quiz (2)\n"Smith, Jane",5,,js,A,,\n'
    )
    roster = load_roster(path)
    email_only = RosterEntry(line=2, email="x@y.edu")

    with pytest.raises(ValueError, match="several columns are named 'Quiz'"):
        _write(tmp_path, [make_grade(roster.entries[0])], roster, assignment="Quiz")
    with pytest.raises(ValueError, match="no Canvas ID, SIS User ID, SIS Login ID or name"):
        _write(tmp_path, [make_grade(email_only)], None)
    assert not (tmp_path / "canvas-import.csv").exists()


def test_canvas_round_trip(tmp_path, sample, make_grade):
    roster = sample("canvas_gradebook.csv")
    grades = [make_grade(e, raw=70.0 + i) for i, e in enumerate(roster.entries)]

    again = load_roster(_write(tmp_path, grades, roster))

    assert again.kind == "canvas"
    assert again.header == [*HEADER, "Derivatives (123456)"]
    # The same students with the same fields ("Points Possible" skipped), one line higher:
    # the export's "Manual Posting" row is not written back.
    assert [replace(e, line=e.line + 1) for e in again.entries] == roster.entries
    for entry in roster.entries:
        for fields in ({"lms_id": entry.lms_id}, {"name": entry.name}):
            submission = Submission(
                path="x", origin="o", student="s", sha256="0", source_format="notebook", **fields
            )
            assert again.match(submission).lms_id == entry.lms_id
    assert [e.row["Derivatives (123456)"] for e in again.entries] == ["70", "71", "72", "73", "74"]

"""Roster matching: LMS id, then SIS id, then email, then name; clear errors for bad files."""

from __future__ import annotations

import dataclasses

import pytest

from grading.ingest import RosterEntry, apply_roster, load_roster
from grading.model import Submission

ROSTER = """\
Student,ID,SIS User ID,Email,Section
    Points Possible,,,,
"Smith, Jane",123456,1001,Jane.Smith@Example.edu,A
"Lee, Bo",222,1002,bo@example.edu,A
"Garcia-López, María José",333,1003,mj@example.edu,B
"Kim, Al",444,,al@example.edu,B
"""


def _sub(**fields) -> Submission:
    base = dict(path="x.ipynb", origin="o", student="s", sha256="0" * 64, source_format="notebook")
    return Submission(**{**base, **fields})


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8-sig")  # Excel's BOM must not hide "Student"
    return load_roster(path)


def test_roster_rows(roster):
    assert len(roster) == 4  # "Points Possible" skipped
    first = roster.entries[0]
    assert first == RosterEntry(
        line=3,
        name="Smith, Jane",
        email="Jane.Smith@Example.edu",
        lms_id="123456",
        sis_id="1001",
        section="A",
    )
    assert roster.entries[3].sis_id is None
    assert roster.kind == "generic"  # a Canvas export has "SIS Login ID" too
    assert roster.header == ["Student", "ID", "SIS User ID", "Email", "Section"]
    assert first.row["Student"] == "Smith, Jane" and first.row["Section"] == "A"


@pytest.mark.parametrize(
    ("fields", "expected_lms"),
    [
        ({"lms_id": "222"}, "222"),
        ({"lms_id": "999", "sis_id": "1003"}, "333"),  # unknown LMS id falls through to SIS id
        ({"sis_id": "1001"}, "123456"),
        ({"email": "JANE.SMITH@example.EDU"}, "123456"),
        ({"name": "smithjane"}, "123456"),  # Canvas lastfirst
        ({"name": "Jane Smith"}, "123456"),  # Gradescope first last
        ({"name": "garcialopezmariajose"}, "333"),  # accents and hyphen dropped
        ({"name": "María José Garcia-Lopez"}, "333"),
        ({"name": "Nobody Here"}, None),
        ({}, None),
    ],
)
def test_match_by_each_key(roster, fields, expected_lms):
    found = roster.match(_sub(**fields))
    assert (found.lms_id if found else None) == expected_lms


def test_lms_id_takes_precedence_over_other_keys(roster):
    found = roster.match(_sub(lms_id="222", sis_id="1001", name="Jane Smith"))
    assert found.lms_id == "222"


def test_ambiguous_name_does_not_match(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("first name,last name,sid\nJane,Smith,1\nSmith,Jane,2\nBo,Lee,3\n")
    roster = load_roster(path)

    assert roster.match(_sub(name="Jane Smith")) is None
    assert roster.match(_sub(name="leebo")).sis_id == "3"


def test_apply_roster(roster):
    canvas = _sub(student="123456", lms_id="123456", name="smithjane", source_format="canvas")
    gradescope = _sub(student="1002", sis_id="1002", name="Bo Lee", email="bo@example.edu")
    sis_only = _sub(student="al", name="Al Kim")
    stranger = _sub(student="zz", name="Zed Zed")

    out = apply_roster([canvas, gradescope, sis_only, stranger], roster)

    assert out[0] == dataclasses.replace(
        canvas, name="Smith, Jane", email="Jane.Smith@Example.edu", sis_id="1001"
    )
    assert (out[1].student, out[1].lms_id, out[1].sis_id) == ("222", "222", "1002")
    assert (out[2].student, out[2].email) == ("444", "al@example.edu")
    assert out[3] is stranger
    assert canvas.name == "smithjane"  # the input is not modified


def test_primary_id_falls_back_to_sis_then_email(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("Full Name,E-mail,Student ID\nAna B,ana@x.edu,77\nCy D,cy@x.edu,\n")
    roster = load_roster(path)

    out = apply_roster([_sub(name="Ana B"), _sub(email="CY@x.edu")], roster)

    assert [s.student for s in out] == ["77", "cy@x.edu"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "file not found"),
        ("", "empty file; expected a header row"),
        ("1001,Jane Smith\n1002,Bo Lee\n", "no header row recognised (first row: '1001, Jane"),
        ("name,section\nJane,A\n", "no id-like column"),
        ("id,name\n5,A\n6,B\n5,C\n", "duplicate lms_id '5' on lines 2 and 4"),
        ("sid,email\n1,a@x.edu\n2,A@X.EDU\n", "duplicate email 'A@X.EDU' on lines 2 and 3"),
        (b"id,name\n1,\xe9\n", "not UTF-8 text"),
    ],
    ids=["missing", "empty", "no-header", "no-id-column", "dup-id", "dup-email", "not-utf8"],
)
def test_bad_rosters(tmp_path, content, problem):
    path = tmp_path / "roster.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)

    with pytest.raises(ValueError) as caught:
        load_roster(path)

    message = str(caught.value)
    assert message.startswith(f"roster {path}: ")
    assert problem in message

"""The LMS's own gradebook downloads read as rosters: kind, fields, raw rows, matching."""

from __future__ import annotations

import pytest

from grading.ingest.roster import RosterEntry, load_roster
from grading.model import Submission


def _sub(**fields) -> Submission:
    base = dict(path="x.ipynb", origin="o", student="s", sha256="0" * 64, source_format="notebook")
    return Submission(**{**base, **fields})


def test_canvas_export(sample):
    roster = sample("canvas_gradebook.csv")

    assert roster.kind == "canvas"
    assert roster.header[:7] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section",
        "Limits (123400)", "Derivatives (123456)",
    ]  # fmt: skip
    # "Manual Posting" and "    Points Possible" rows skipped; the test student kept.
    assert [e.lms_id for e in roster.entries] == ["123456", "222", "333", "444", "999"]
    jane = roster.entries[0]
    assert jane == RosterEntry(
        line=4,
        name="Smith, Jane",
        lms_id="123456",
        sis_id="1001",
        sis_login_id="jsmith@example.edu",
        section="Section A",
    )
    assert jane.row["Derivatives (123456)"] == "" and jane.row["Limits (123400)"] == "9.00"
    assert roster.entries[2].section == "Section A and Section B"
    assert roster.entries[2].display_name == "García-López, María José"
    test_student = roster.entries[4]
    assert (test_student.name, test_student.sis_id) == ("Student, Test", None)


@pytest.mark.parametrize("name", ["blackboard_gc.xls", "blackboard_gc.csv"])
def test_blackboard_download(sample, name):
    roster = sample(name)

    assert roster.kind == "blackboard"
    assert roster.header[:4] == ["Last Name", "First Name", "Username", "Student ID"]
    assert roster.header[-1] == "Derivatives [Total Pts: 100 Score] |123456"
    assert [e.username for e in roster.entries] == ["jsmith", "blee", "mgarcia", "akim"]
    maria = roster.entries[2]
    assert (maria.first_name, maria.last_name, maria.sis_id) == (
        "María José",
        "García-López",
        "1003",
    )
    assert maria.row["Username"] == "mgarcia" and maria.row["Availability"] == "Yes"
    al = roster.entries[3]
    assert al.sis_id is None and al.primary_id == "akim"  # no Student ID: the username


def test_blackboard_utf16_tab_and_utf8_comma_agree(sample):
    tab, comma = sample("blackboard_gc.xls"), sample("blackboard_gc.csv")

    assert tab.header == comma.header
    assert tab.entries == comma.entries
    assert [e.row for e in tab.entries] == [e.row for e in comma.entries]


def test_moodle_export(sample):
    roster = sample("moodle_grades.csv")

    assert roster.kind == "moodle"
    assert "Assignment: Derivatives (Real)" in roster.header
    assert roster.header[-1] == "Last downloaded from this course"
    maria = roster.entries[2]
    assert maria == RosterEntry(
        line=4,
        email="mj.garcia@example.edu",
        sis_id="1003",
        first_name="María José",
        last_name="García-López",
    )
    al = roster.entries[3]
    assert (al.sis_id, al.primary_id) == (None, "al.kim@example.edu")
    assert al.row["Department"] == "Physics"


@pytest.mark.parametrize(
    ("name", "fields", "expected"),
    [
        ("blackboard_gc.xls", {"student": "BLee"}, "blee"),  # a loose notebook "blee.ipynb"
        ("blackboard_gc.xls", {"sis_id": "akim"}, "akim"),  # an SID that is the username
        ("blackboard_gc.xls", {"name": "Maria Jose Garcia-Lopez"}, "mgarcia"),
        ("canvas_gradebook.csv", {"email": "JSmith@example.edu"}, "123456"),  # the SIS login
        ("canvas_gradebook.csv", {"student": "blee@example.edu"}, "222"),
        ("moodle_grades.csv", {"sis_id": "1002"}, "bo.lee@example.edu"),
        ("moodle_grades.csv", {"student": "nobody"}, None),
    ],
)
def test_match_by_username_and_login(sample, name, fields, expected):
    roster = sample(name)

    found = roster.match(_sub(**fields))

    assert (found.username or found.lms_id or found.email if found else None) == expected


def test_semicolon_and_utf16_without_bom(tmp_path):
    semicolon = tmp_path / "export.csv"  # Canvas's "semicolon" export for decimal-comma locales
    semicolon.write_text(
        "Student;ID;SIS User ID;SIS Login ID;Section;Derivatives (123456)\n"
        "    Points Possible;;;;;100\n"
        '"Smith, Jane";123456;1001;jsmith;A;"8,5"\n',
        encoding="utf-8-sig",
    )
    plain16 = tmp_path / "unicode.txt"  # Excel's "Unicode Text" without a BOM
    plain16.write_bytes("Username\tStudent ID\nzoë\t7\n".encode("utf-16-le"))

    canvas = load_roster(semicolon)
    other = load_roster(plain16)

    assert canvas.kind == "canvas"
    assert canvas.entries[0].sis_login_id == "jsmith"
    assert canvas.entries[0].row["Derivatives (123456)"] == "8,5"
    assert (other.kind, other.entries[0].username, other.entries[0].sis_id) == (
        "generic",
        "zoë",
        "7",
    )


def test_canvas_formula_guard_is_undone(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text(
        'Student,ID,SIS User ID,SIS Login ID,Section\n"=""=Eq, Al""",5,,al,A\n', encoding="utf-8"
    )

    (entry,) = load_roster(path).entries

    assert entry.name == "=Eq, Al"
    assert entry.row["Student"] == '="=Eq, Al"'  # the raw row keeps what Canvas wrote


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("Username,Name\njs,A\nJS,B\n", "duplicate username 'JS' on lines 2 and 3"),
        ("SIS Login ID,Name\nx@y,A\nX@Y,B\n", "duplicate sis_login_id 'X@Y' on lines 2 and 3"),
        (b"\xff\xfeU\x00s\x00\x00\xd8", "not readable as UTF-16 text"),
    ],
    ids=["dup-username", "dup-login", "bad-utf16"],
)
def test_bad_lms_rosters(tmp_path, content, problem):
    path = tmp_path / "roster.csv"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)

    with pytest.raises(ValueError) as caught:
        load_roster(path)

    assert str(caught.value).startswith(f"roster {path}: ")
    assert problem in str(caught.value)

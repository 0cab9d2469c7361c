"""The Blackboard Grade Center upload: Username key, column id headers, tab UTF-16 or quoted CSV."""

from __future__ import annotations

import pytest

from grading.ingest.roster import RosterEntry, load_roster
from grading.lms.formats import blackboard

HEADER = ["Last Name", "First Name", "Username", "Student ID"]


def _write(tmp_path, grades, roster, name="upload.xls", **options):
    path = tmp_path / name
    options = {"assignment": "Derivatives", "points_possible": 100, **options}
    blackboard.write(grades, roster, path=path, **options)
    return path


@pytest.mark.parametrize("download", ["blackboard_gc.xls", "blackboard_gc.csv"])
def test_blackboard_tab_utf16_upload(tmp_path, sample, make_grade, read, download):
    roster = sample(download)
    jane, bo, maria, al = roster.entries
    grades = [
        make_grade(jane, raw=95.5),
        make_grade(bo, raw=90.0, penalty=0.2),
        make_grade(None, student="stray"),  # no roster row: left out
        make_grade(maria, raw=88.888),
        make_grade(al, missing=True),
    ]

    path = _write(tmp_path, grades, roster)
    rows = read(path, encoding="utf-16", delimiter="\t")

    assert path.read_bytes()[:2] == b"\xff\xfe"  # as Blackboard's own download
    assert rows[0] == [*HEADER, "Derivatives [Total Pts: 100 Score] |123456"]
    assert rows[1:] == [
        ["Smith", "Jane", "jsmith", "1001", "95.5"],
        ["Lee", "Bo", "blee", "1002", "72"],
        ["García-López", "María José", "mgarcia", "1003", "88.89"],
        ["Kim", "Al", "akim", "", "0"],
    ]
    again = load_roster(path)  # the upload reads back as a Blackboard roster
    assert again.kind == "blackboard"
    assert [e.username for e in again.entries] == ["jsmith", "blee", "mgarcia", "akim"]


def test_blackboard_comma_csv_is_fully_quoted(tmp_path, sample, make_grade, read):
    roster = sample("blackboard_gc.xls")
    grades = [make_grade(roster.entries[0], raw=7.0)]

    path = _write(tmp_path, grades, roster, name="upload.CSV", assignment="Limits")

    assert path.read_text(encoding="utf-8").splitlines() == [
        '"Last Name","First Name","Username","Student ID","Limits [Total Pts: 10 Score] |512303"',
        '"Smith","Jane","jsmith","1001","7"',
    ]
    assert read(path)[1] == ["Smith", "Jane", "jsmith", "1001", "7"]


def test_blackboard_new_column_is_the_plain_name(tmp_path, sample, make_grade, read):
    roster = sample("blackboard_gc.xls")
    grades = [make_grade(roster.entries[0])]

    new = _write(tmp_path, grades, roster, assignment="Integrals")
    assert read(new, encoding="utf-16", delimiter="\t")[0] == [*HEADER, "Integrals"]
    given = _write(tmp_path, grades, None, column="Quiz |77")
    assert read(given, encoding="utf-16", delimiter="\t")[0] == [*HEADER, "Quiz |77"]


def test_blackboard_needs_a_username(tmp_path, make_grade):
    entries = [
        RosterEntry(line=2, first_name="Jane", last_name="Smith", username="js"),
        RosterEntry(line=3, name="Bo Lee", sis_id="1002"),
    ]
    path = tmp_path / "upload.xls"
    path.write_bytes(b"earlier upload")

    with pytest.raises(ValueError, match="by Username, and there is none for 1002"):
        _write(tmp_path, [make_grade(e) for e in entries], None)
    assert path.read_bytes() == b"earlier upload"  # nothing half-written


@pytest.mark.parametrize(
    ("header", "title"),
    [
        ("Derivatives [Total Pts: 100 Score] |123456", "Derivatives"),
        (
            "Homework set #8 [EXTRA CREDIT] [Total Pts: 11 Score] |3241591",
            "Homework set #8 [EXTRA CREDIT]",
        ),
        ("Total [Total Pts: up to 505 Score] |526940", "Total"),
        ("Participation |42", "Participation"),
        ("Derivatives", None),
        ("Username", None),
    ],
)
def test_blackboard_column_titles(header, title):
    assert blackboard.column_title(header) == title


def test_blackboard_identity_is_copied_as_blackboard_wrote_it(tmp_path, make_grade, read):
    entry = RosterEntry(
        line=2,
        first_name="Jane",
        last_name="Smith",
        username="jsmith",
        row={
            "Last Name": "SMITH ",
            "First Name": "Jane",
            "Username": "jsmith",
            "Student ID": "007",
        },
    )

    rows = read(_write(tmp_path, [make_grade(entry)], None), encoding="utf-16", delimiter="\t")

    assert rows[1] == ["SMITH ", "Jane", "jsmith", "007", "80"]

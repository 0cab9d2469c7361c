"""Gradescope exports: SID, name, email and time from submission_metadata.yml; groups fan out."""

from __future__ import annotations

import shutil
import zipfile
from datetime import UTC, datetime, timedelta, timezone

import pytest

from grading.ingest import find_submissions
from grading.ingest.gradescope import parse_metadata, parse_time

METADATA = """\
submission_1234:
  :submitters:
  - :name: Jane Smith
    :sid: '1001'
    :email: jane@example.edu
  :created_at: 2026-03-02 23:47:35.069567000 -08:00
  :score: 12.0
submission_5678:
  :submitters:
  - :name: Bo Lee
    :sid: '1002'
    :email: bo@example.edu
  - :name: Al Kim
    :sid: 1003
    :email: al@example.edu
  :created_at: 2026-03-01 10:00:00.000000000 +00:00
submission_9999:
  :submitters:
  - :name: No Sid
    :email: nosid@example.edu
  :created_at: 2026-03-01 10:00:00.000000000 Z
submission_4444:
  :submitters:
  - :name: Pdf Only
    :sid: '1004'
  :created_at: 2026-03-01 10:00:00.000000000 +00:00
"""
PST = timezone(timedelta(hours=-8))


@pytest.fixture
def gradescope_zip(make_zip, nb_bytes):
    otter = make_zip("o/derivatives.zip", {"derivatives.ipynb": nb_bytes("n = 3")})
    top = "assignment_123_export/"
    return make_zip(
        "gradescope.zip",
        {
            top + "submission_metadata.yml": METADATA,
            top + "submission_1234/derivatives.ipynb": nb_bytes("n = 1"),
            top + "submission_5678/derivatives.ipynb": nb_bytes("n = 2"),
            top + "submission_9999/derivatives.zip": otter.read_bytes(),
            top + "submission_4444/scan.pdf": b"%PDF-1.4",
        },
    )


def test_gradescope_export_with_group(gradescope_zip, workdir):
    result = find_submissions([gradescope_zip], workdir)

    by_student = {s.student: s for s in result.submissions}
    assert sorted(by_student) == ["1001", "1002", "1003", "nosid@example.edu"]

    jane = by_student["1001"]
    assert jane.origin == (
        f"{gradescope_zip}!assignment_123_export/submission_1234/derivatives.ipynb"
    )
    assert (jane.sis_id, jane.name, jane.email, jane.source_format) == (
        "1001",
        "Jane Smith",
        "jane@example.edu",
        "gradescope",
    )
    assert jane.submitted_at == datetime(2026, 3, 2, 23, 47, 35, 69567, tzinfo=PST)
    assert jane.submitted_at.tzinfo is not None

    bo, al = by_student["1002"], by_student["1003"]
    assert bo.path == al.path and bo.sha256 == al.sha256 and bo.origin == al.origin
    assert (al.name, al.email, al.sis_id) == ("Al Kim", "al@example.edu", "1003")

    nosid = by_student["nosid@example.edu"]
    assert nosid.origin.endswith("submission_9999/derivatives.zip!derivatives.ipynb")
    assert nosid.sis_id is None
    assert nosid.submitted_at == datetime(2026, 3, 1, 10, tzinfo=UTC)

    (pdf_only,) = result.rejected
    assert pdf_only.student == "1004"
    assert pdf_only.origin == f"{gradescope_zip}!assignment_123_export/submission_4444/"
    assert pdf_only.reason.startswith(
        "no notebook (.ipynb), Python script (.py) or Otter export zip"
    )


def test_unpacked_gradescope_folder(gradescope_zip, tmp_path, workdir):
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(gradescope_zip) as zf:  # trusted: the test's own archive
        zf.extractall(unpacked)

    result = find_submissions([unpacked], workdir)

    assert sorted(s.student for s in result.submissions) == [
        "1001",
        "1002",
        "1003",
        "nosid@example.edu",
    ]
    jane = next(s for s in result.submissions if s.student == "1001")
    assert jane.path == unpacked / "assignment_123_export/submission_1234/derivatives.ipynb"
    assert [r.student for r in result.rejected] == ["1004"]
    shutil.rmtree(unpacked)


def test_metadata_with_ruby_tags_and_missing_folder(make_zip, nb_bytes, workdir):
    metadata = (
        "submission_1:\n"
        "  :submitters: !ruby/array:Array\n"
        "  - :name: Tag Ged\n"
        "    :sid: '7'\n"
        "  :created_at: !ruby/object:ActiveSupport::TimeWithZone 2026-01-01 00:00:00 +01:00\n"
        "submission_2:\n"
        "  :submitters:\n"
        "  - :name: Gone\n"
        "    :sid: '8'\n"
    )
    archive = make_zip(
        "gs.zip",
        {
            "submission_metadata.yml": metadata,
            "submission_1/hw.ipynb": nb_bytes(),
            "submission_3/hw.ipynb": nb_bytes("unlisted = 1"),
        },
    )

    result = find_submissions([archive], workdir)

    assert [(s.student, s.name) for s in result.submissions] == [
        ("7", "Tag Ged"),
        ("submission_3", None),
    ]
    assert result.submissions[0].submitted_at == datetime(
        2026, 1, 1, tzinfo=timezone(timedelta(hours=1))
    )
    (gone,) = result.rejected
    assert (gone.student, gone.origin) == ("8", f"{archive}!submission_2/")
    assert "no files" in gone.reason


def test_unreadable_metadata_is_reported(make_zip, nb_bytes, workdir):
    archive = make_zip(
        "gs.zip", {"submission_metadata.yml": "a: [unclosed", "submission_1/hw.ipynb": nb_bytes()}
    )

    result = find_submissions([archive], workdir)

    (rej,) = result.rejected
    assert rej.origin == f"{archive}!submission_metadata.yml"
    assert rej.reason.startswith("unreadable submission metadata: submission_metadata.yml is not")
    assert [s.student for s in result.submissions] == ["submission_1"]


def test_parse_time_forms():
    assert parse_time("2026-03-02 23:47:35.069567999 -0800") == datetime(
        2026, 3, 2, 23, 47, 35, 69567, tzinfo=PST
    )
    assert parse_time(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_time("yesterday") is None
    assert parse_time(None) is None


def test_parse_metadata_rejects_non_mapping():
    with pytest.raises(ValueError, match="not a mapping"):
        parse_metadata("- just\n- a list\n")

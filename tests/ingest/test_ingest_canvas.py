"""Canvas bulk downloads: identity, lateness and attempt from each member's file name."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from grading.ingest import find_submissions
from grading.ingest.canvas import parse_canvas_name


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        (
            "smithjane_123456_7890123_derivatives.ipynb",
            ("smithjane", "123456", "7890123", "derivatives.ipynb", False, 0),
        ),
        (
            "smithjane_LATE_123456_7890123_derivatives-2.ipynb",
            ("smithjane", "123456", "7890123", "derivatives.ipynb", True, 2),
        ),
        (
            "o-brienpat_42_99_my_hw_v2-1.zip",
            ("o-brienpat", "42", "99", "my_hw_v2.zip", False, 1),
        ),
        ("doejo_1_2_lab-01.ipynb", ("doejo", "1", "2", "lab-01.ipynb", False, 0)),
    ],
)
def test_parse_canvas_name(filename, expected):
    parsed = parse_canvas_name(filename)
    assert parsed is not None
    got = (
        parsed.name,
        parsed.user_id,
        parsed.submission_id,
        parsed.original,
        parsed.late,
        parsed.attempt,
    )
    assert got == expected


@pytest.mark.parametrize(
    "filename",
    ["derivatives.ipynb", "derivatives_2026_03_02T23_47_35_069567.zip", "smith_jane.ipynb"],
)
def test_non_canvas_names(filename):
    assert parse_canvas_name(filename) is None


@pytest.fixture
def canvas_zip(make_zip, nb_bytes):
    otter = make_zip(
        "otter/derivatives_2026_03_02T23_47_35_069567.zip",
        {"derivatives.ipynb": nb_bytes("from_otter = 1"), ".OTTER_LOG": b""},
    )
    return make_zip(
        "submissions.zip",
        {
            "smithjane_123456_7890123_derivatives.ipynb": nb_bytes("jane = 1"),
            "doejohn_LATE_222_333_derivatives.ipynb": (
                zipfile.ZipInfo("doejohn_LATE_222_333_derivatives.ipynb", (2026, 3, 4, 9, 15, 0)),
                nb_bytes("john = 1"),
            ),
            "leeann_444_555_derivatives-1.ipynb": nb_bytes("ann1 = 1"),
            "leeann_444_556_derivatives-2.ipynb": nb_bytes("ann2 = 1"),
            "kimbo_666_777_derivatives_2026_03_02T23_47_35_069567.zip": (
                zipfile.ZipInfo(
                    "kimbo_666_777_derivatives_2026_03_02T23_47_35_069567.zip",
                    (2026, 3, 3, 0, 5, 2),
                ),
                otter.read_bytes(),
            ),
            "kimbo_666_777_report.pdf": b"%PDF-1.4",  # silently ignored
            "wuli_888_999_derivatives.docx": b"PK\x03\x04 a word file",
            "fakeperson_111_112_derivatives.ipynb": b"print('not a notebook')",
            "onlypdf_121_122_scan.pdf": b"%PDF-1.4",
            "README.txt": b"stray file",
        },
    )


def test_canvas_bulk_download(canvas_zip, workdir):
    result = find_submissions([canvas_zip], workdir)

    subs = {s.origin.split("!", 1)[1]: s for s in result.submissions}
    assert sorted(subs) == [
        "doejohn_LATE_222_333_derivatives.ipynb",
        "kimbo_666_777_derivatives_2026_03_02T23_47_35_069567.zip!derivatives.ipynb",
        "leeann_444_555_derivatives-1.ipynb",
        "leeann_444_556_derivatives-2.ipynb",
        "smithjane_123456_7890123_derivatives.ipynb",
    ]
    origins = [s.origin for s in result.submissions]
    assert origins == sorted(origins)

    jane = subs["smithjane_123456_7890123_derivatives.ipynb"]
    assert (jane.student, jane.lms_id, jane.name, jane.late, jane.attempt) == (
        "123456",
        "123456",
        "smithjane",
        False,
        0,
    )
    assert jane.source_format == "canvas"
    assert jane.path.read_bytes().decode().count("jane = 1") == 1
    assert jane.path.is_relative_to(workdir)

    john = subs["doejohn_LATE_222_333_derivatives.ipynb"]
    assert (john.student, john.late) == ("222", True)
    # Canvas stamps each member with its upload time: that is when it was submitted.
    assert john.submitted_at == datetime(2026, 3, 4, 9, 15, 0)

    ann = [s for s in result.submissions if s.student == "444"]
    assert [a.attempt for a in ann] == [1, 2]

    kim = subs["kimbo_666_777_derivatives_2026_03_02T23_47_35_069567.zip!derivatives.ipynb"]
    assert (kim.student, kim.name, kim.source_format) == ("666", "kimbo", "canvas")
    # Uploaded after the export was made: the upload time counts, not the export's name.
    assert kim.submitted_at == datetime(2026, 3, 3, 0, 5, 2)
    assert "from_otter = 1" in kim.path.read_text()

    rejected = {r.origin.split("!", 1)[1]: r for r in result.rejected}
    assert sorted(rejected) == [
        "README.txt",
        "fakeperson_111_112_derivatives.ipynb",
        "onlypdf_121_122_scan.pdf",
        "wuli_888_999_derivatives.docx",
    ]
    docx = rejected["wuli_888_999_derivatives.docx"]
    assert docx.student == "888"
    assert docx.reason.startswith("unsupported file type '.docx' from wuli (user 888)")
    fake = rejected["fakeperson_111_112_derivatives.ipynb"]
    assert (fake.student, fake.reason[:14]) == ("111", "not valid JSON")
    assert rejected["onlypdf_121_122_scan.pdf"].reason.startswith("no notebook from onlypdf")
    assert rejected["README.txt"].reason.startswith("not a Canvas submission file name")
    assert rejected["README.txt"].student is None


def test_canvas_nesting_too_deep(make_zip, nb_bytes, workdir):
    deepest = make_zip("deep/inner.zip", {"derivatives.ipynb": nb_bytes()})
    middle = make_zip("deep/middle.zip", {"inner.zip": deepest.read_bytes()})
    bulk = make_zip("bulk.zip", {"smithjane_1_2_derivatives.zip": middle.read_bytes()})

    result = find_submissions([bulk], workdir)

    assert result.submissions == []
    (rej,) = result.rejected
    assert rej.origin == f"{bulk}!smithjane_1_2_derivatives.zip!inner.zip"
    assert rej.student == "1"
    assert rej.reason.startswith("archive nested too deeply")

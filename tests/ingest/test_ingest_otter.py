"""Otter export zips: one root notebook, extracted under the workdir, timestamp from the name."""

from __future__ import annotations

from datetime import datetime

from grading.ingest import find_submissions
from grading.model import sha256_file, submission_key

STAMPED = "derivatives_2026_03_02T23_47_35_069567.zip"


def test_otter_export_zip(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip(
        STAMPED,
        {
            "derivatives.ipynb": nb_bytes("answer = 42"),
            ".OTTER_LOG": b"\x80binary log",
            "__zip_filename__": STAMPED,
            "derivatives.pdf": b"%PDF-1.4",
            "data/extra.ipynb": nb_bytes(),  # a file the student added: not at the root
        },
    )

    result = find_submissions([archive], workdir)

    assert result.rejected == []
    (sub,) = result.submissions
    assert sub.origin == f"{archive}!derivatives.ipynb"
    assert sub.student == "derivatives_2026_03_02T23_47_35_069567"
    assert sub.source_format == "otter-export"
    assert sub.submitted_at == datetime(2026, 3, 2, 23, 47, 35, 69567)
    assert sub.path.is_relative_to(workdir / "extracted")
    assert sub.path.read_bytes() == nb_bytes("answer = 42")
    # Everything else the student exported goes with the notebook, as `otter run` extracts the
    # zip whole; only Otter's name marker stays behind. The key covers the files too.
    assert [f.name for f in sub.files] == [".OTTER_LOG", "data/extra.ipynb", "derivatives.pdf"]
    assert sub.sha256 == submission_key(sha256_file(sub.path), sub.files) != sha256_file(sub.path)
    assert not (tmp_path / "derivatives.ipynb").exists()  # nothing beside the input


def test_timestamp_falls_back_to_zip_filename_member(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip(
        "jsmith.zip", {"hw.ipynb": nb_bytes(), "__zip_filename__": "hw_2025_12_31T08_00_01_5.zip"}
    )

    (sub,) = find_submissions([archive], workdir).submissions

    assert sub.student == "jsmith"
    assert sub.submitted_at == datetime(2025, 12, 31, 8, 0, 1, 500000)


def test_two_root_notebooks_are_rejected(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip("two.zip", {"a.ipynb": nb_bytes(), "b.ipynb": nb_bytes(), ".OTTER_LOG": b""})

    result = find_submissions([archive], workdir)

    assert result.submissions == []
    (rej,) = result.rejected
    assert rej.origin == str(archive)
    assert rej.student == "two"
    assert rej.reason.startswith("2 notebooks at the root of the zip (a.ipynb, b.ipynb)")


def test_no_root_notebook_is_rejected(tmp_path, workdir, make_zip, nb_bytes):
    archive = make_zip("none.zip", {"sub/a.ipynb": nb_bytes(), "__zip_filename__": "none.zip"})

    (rej,) = find_submissions([archive], workdir).rejected

    assert rej.reason == "no notebook (.ipynb) at the root of the zip (it holds: sub/a.ipynb)"


def test_zip_wrapped_around_an_export_is_opened_one_level(tmp_path, workdir, make_zip, nb_bytes):
    inner = make_zip("inner/derivatives.zip", {"derivatives.ipynb": nb_bytes()})
    outer = make_zip("outer.zip", {"derivatives.zip": inner.read_bytes()})

    result = find_submissions([outer], workdir)

    assert result.rejected == []
    (sub,) = result.submissions
    assert sub.origin == f"{outer}!derivatives.zip!derivatives.ipynb"
    assert sub.student == "outer"


def test_invalid_notebook_inside_export_is_rejected(tmp_path, workdir, make_zip):
    archive = make_zip("bad.zip", {"bad.ipynb": b"{not json", ".OTTER_LOG": b""})

    (rej,) = find_submissions([archive], workdir).rejected

    assert rej.origin == f"{archive}!bad.ipynb"
    assert rej.student == "bad"
    assert rej.reason.startswith("not valid JSON")

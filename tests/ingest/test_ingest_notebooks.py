"""Plain notebooks and folders: identity from the file name, clear reasons for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grading.ingest import find_submissions
from grading.model import sha256_file


def test_plain_notebook_becomes_a_submission(tmp_path, workdir, nb_bytes):
    nb = tmp_path / "jane_doe.ipynb"
    nb.write_bytes(nb_bytes())

    result = find_submissions([nb], workdir)

    assert result.rejected == []
    (sub,) = result.submissions
    assert sub.path == nb
    assert sub.origin == str(nb)
    assert sub.student == "jane_doe"
    assert sub.source_format == "notebook"
    assert sub.sha256 == sha256_file(nb)
    assert (sub.name, sub.lms_id, sub.sis_id, sub.submitted_at, sub.late, sub.attempt) == (
        None,
        None,
        None,
        None,
        False,
        0,
    )


def test_folder_is_searched_recursively_in_sorted_order(tmp_path, workdir, nb_bytes, make_zip):
    root = tmp_path / "class"
    (root / "bob" / "deeper").mkdir(parents=True)
    (root / "bob" / "deeper" / "derivatives.ipynb").write_bytes(nb_bytes("z = 1"))
    (root / "alice.ipynb").write_bytes(nb_bytes("a = 1"))
    (root / "notes.txt").write_text("not a submission")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "alice-checkpoint.ipynb").write_bytes(nb_bytes())
    make_zip(
        "class/carol/derivatives_2026_03_02T23_47_35_069567.zip",
        {"derivatives.ipynb": nb_bytes("b = 1"), ".OTTER_LOG": b"log"},
    )

    result = find_submissions([root], workdir)

    assert result.rejected == []
    # A notebook directly in the folder is named by its file; one in a subfolder, by the
    # student's folder (every student's notebook is called derivatives.ipynb).
    assert [s.student for s in result.submissions] == ["alice", "bob", "carol"]
    assert [s.origin for s in result.submissions] == sorted(s.origin for s in result.submissions)
    carol = result.submissions[2]
    assert carol.origin == (
        f"{root / 'carol' / 'derivatives_2026_03_02T23_47_35_069567.zip'}!derivatives.ipynb"
    )
    assert carol.source_format == "otter-export" and carol.submitted_at is not None


def test_same_file_given_twice_counts_once(tmp_path, workdir, nb_bytes):
    nb = tmp_path / "a.ipynb"
    nb.write_bytes(nb_bytes())

    result = find_submissions([nb, tmp_path, nb], workdir)

    assert [s.student for s in result.submissions] == ["a"]


def test_workdir_inside_input_folder_is_not_ingested(tmp_path, nb_bytes, make_zip):
    make_zip("in/x.zip", {"x.ipynb": nb_bytes(), "__zip_filename__": "x.zip"})
    inside = tmp_path / "in" / "work"

    first = find_submissions([tmp_path / "in"], inside)
    second = find_submissions([tmp_path / "in"], inside)  # the extracted copy must not appear

    assert [s.origin for s in first.submissions] == [f"{tmp_path / 'in' / 'x.zip'}!x.ipynb"]
    assert [s.origin for s in second.submissions] == [s.origin for s in first.submissions]
    assert first.submissions[0].path.is_relative_to(inside)


def test_folder_with_nothing_gradable_is_rejected(tmp_path, workdir):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.md").write_text("hi")

    result = find_submissions([empty], workdir)

    assert result.submissions == []
    (rej,) = result.rejected
    assert rej.origin == str(empty)
    assert "no notebooks" in rej.reason


def test_missing_path_is_a_usage_error(tmp_path, workdir):
    with pytest.raises(FileNotFoundError, match="nope.ipynb"):
        find_submissions([tmp_path / "nope.ipynb"], workdir)


def test_unsupported_file_given_directly(tmp_path, workdir):
    doc = tmp_path / "essay.docx"
    doc.write_bytes(b"PK")

    (rej,) = find_submissions([doc], workdir).rejected

    assert rej.origin == str(doc)
    assert "unsupported file type '.docx'" in rej.reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file (0 bytes)"),
        (b"  \n", "empty file (only whitespace)"),
        (b'{"cells": [', "not valid JSON (Expecting value at line 1, column 12)"),
        (b"\xff\xfe{}", "not UTF-8 text (byte 0xff at offset 0)"),
        (b"[1, 2]", "not a Jupyter notebook: the JSON is a list, not an object"),
        (b'{"cells": []}', "not a Jupyter notebook: no 'nbformat' field"),
    ],
    ids=["empty", "whitespace", "malformed-json", "not-utf8", "json-list", "no-nbformat"],
)
def test_bad_notebook_files_are_rejected_with_reason(tmp_path, workdir, content, reason):
    bad = tmp_path / "student.ipynb"
    bad.write_bytes(content)

    result = find_submissions([bad], workdir)

    assert result.submissions == []
    (rej,) = result.rejected
    assert rej.origin == str(bad)
    assert rej.student == "student"
    assert rej.reason.startswith(reason)


def test_nbformat_invalid_notebook_reports_first_validation_line(tmp_path, workdir):
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [{"cell_type": "code", "id": "abc", "source": "x", "metadata": {}}],
    }  # a code cell without "outputs" and "execution_count"
    bad = tmp_path / "invalid.ipynb"
    bad.write_text(json.dumps(nb))

    (rej,) = find_submissions([bad], workdir).rejected

    assert rej.reason.startswith("invalid notebook: ")
    assert "is a required property" in rej.reason
    assert "\n" not in rej.reason


def test_canvas_named_loose_notebook_keeps_canvas_identity(tmp_path, workdir, nb_bytes):
    nb = Path(tmp_path / "smithjane_LATE_123456_7890123_derivatives-2.ipynb")
    nb.write_bytes(nb_bytes())

    (sub,) = find_submissions([nb], workdir).submissions

    assert (sub.student, sub.lms_id, sub.name, sub.late, sub.attempt, sub.source_format) == (
        "123456",
        "123456",
        "smithjane",
        True,
        2,
        "canvas",
    )

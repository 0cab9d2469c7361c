"""Feedback delivered through the LMS: each file read back by that LMS's own rule.

Canvas's "Re-upload submissions" takes the first two all-digit "_" pieces of a name as user
and attachment id (``anon`` first: the anonymous id and the attachment id); Moodle's feedback
zip importer splits each path part on "_" into at most 5 pieces; Blackboard's upload keys rows
by Username and the column by its ``|<id>``.
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from pathlib import Path

import pytest

from grading.errors import UsageError
from grading.ingest import find_submissions
from grading.ingest.canvas import parse_canvas_name
from grading.ingest.roster import load_roster
from grading.lms.feedback import FORMATS
from grading.lms.feedback._common import FeedbackItem, guard_cell

from ..ingest.conftest import notebook_text
from .conftest import SAMPLES, grade_for, read_csv


def canvas_rule(name: str) -> tuple[str, str]:
    """(user or anonymous id, attachment id) as Canvas's re-upload reads a file name."""
    pieces = name.split("_")
    if pieces[0] == "anon":
        return pieces[1], pieces[2]
    user, attachment = [p for p in pieces if re.fullmatch(r"\d+", p)][:2]
    return user, attachment


def moodle_rule(path: str, participants: set[str]) -> tuple[str, str] | None:
    """(participant id, file name) as Moodle's importer reads a zip member, or None."""
    parts = ("/" + path).split("/")
    while parts:
        info = parts.pop(0).split("_", 4)
        if len(info) < 4 or not info[1].isdigit() or str(int(info[1])) not in participants:
            continue
        if (info[2], info[3]) != ("assignsubmission", "file"):
            continue
        return str(int(info[1])), "/".join([info[4] if len(info) > 4 else "", *parts]).lstrip("/")
    return None


def sample_lines(name: str) -> list[str]:
    lines = (SAMPLES / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def item(tmp_path: Path, grade, text: str = "derivatives: 80/100\n", html: bool = True):
    folder = tmp_path / "feedback"
    folder.mkdir(exist_ok=True)
    stem = re.sub(r"\W", "-", grade.student)
    txt = folder / f"{stem}.txt"
    txt.write_text(text, encoding="utf-8")
    files = (txt,)
    if html:
        txt.with_suffix(".html").write_text("<!doctype html><p>feedback</p>", encoding="utf-8")
        files = (txt, txt.with_suffix(".html"))
    return FeedbackItem(grade, files, text)


def test_canvas_zip_names_read_back_to_each_students_ids(tmp_path):
    rows = [line.split("|") for line in sample_lines("canvas_bulk_names.txt")]
    items = []
    for name, user, attachment, anonymous in rows:
        parsed = parse_canvas_name(name)
        assert parsed is not None and parsed.submission_id == attachment
        assert parsed.user_id == (user or None) and parsed.anonymous_id == (anonymous or None)
        grade = dataclasses.replace(grade_for(None, student=parsed.key), origin=f"dl.zip!{name}")
        items.append(item(tmp_path, grade))
    loose = dataclasses.replace(grade_for(None, student="typical"), origin="typical.ipynb")
    items.append(item(tmp_path, loose))

    done = FORMATS["canvas"](items, None, assignment="derivatives", out=tmp_path / "out")

    (zip_path,) = done.written
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    assert len(names) == 2 * len(rows)  # the .txt and the .html of each Canvas student
    read_back = {canvas_rule(n) for n in names}
    assert read_back == {(user or anonymous, attachment) for _, user, attachment, anonymous in rows}
    assert all(n.endswith(("derivatives-feedback.txt", "derivatives-feedback.html")) for n in names)
    (missing,) = done.unplaced
    assert "typical" in missing and "typical.ipynb" in missing and "Canvas" in missing


def test_canvas_name_with_digit_pieces_cannot_shift_the_ids(tmp_path):
    # A download name whose name part holds "_<digits>_" would be misread by Canvas's rule.
    grade = dataclasses.replace(
        grade_for(None, student="55"), origin="dl.zip!o_99_brien_55_66_a.ipynb"
    )
    done = FORMATS["canvas"](
        [item(tmp_path, grade, html=False)], None, assignment="hw", out=tmp_path
    )
    with zipfile.ZipFile(done.written[0]) as archive:
        (name,) = archive.namelist()
    assert canvas_rule(name) == ("55", "66")


def test_moodle_zip_and_worksheet_keep_the_lms_layout(tmp_path):
    roster = load_roster(SAMPLES / "moodle_worksheet.csv")
    assert roster.kind == "moodle_worksheet"
    jane, bo, maria = roster.entries
    assert (jane.lms_id, bo.lms_id) == ("5501234", "5501235")
    items = [
        item(tmp_path, grade_for(jane, raw=91.5), '=HYPERLINK("http://x")\n<script>x</script>'),
        item(tmp_path, grade_for(bo, raw=40.0)),
    ]
    stray = dataclasses.replace(grade_for(None, student="stray"), origin="stray.ipynb")
    items.append(item(tmp_path, stray))

    done = FORMATS["moodle"](items, roster, assignment="derivatives", out=tmp_path / "out")

    zip_path, sheet = done.written
    with zipfile.ZipFile(zip_path) as archive:
        names = archive.namelist()
    participants = {e.lms_id for e in roster.entries}
    read_back = {moodle_rule(n, participants) for n in names}
    assert read_back == {
        (pid, f"derivatives-feedback{suffix}")
        for pid in ("5501234", "5501235")
        for suffix in (".txt", ".html")
    }
    rows = read_csv(sheet)
    original = read_csv(SAMPLES / "moodle_worksheet.csv")
    assert rows[0] == original[0] and len(rows) == len(original)
    comments, grade_at = rows[0].index("Feedback comments"), rows[0].index("Grade")
    assert [r[0] for r in rows] == [r[0] for r in original]
    assert rows[1][grade_at] == "91.5" and rows[2][grade_at] == "40"
    assert rows[1][comments].startswith("<pre>") and "<script>" not in rows[1][comments]
    assert "&lt;script&gt;" in rows[1][comments] and "HYPERLINK" in rows[1][comments]
    assert rows[3] == original[3]  # no feedback for her: her row as Moodle wrote it
    for r in rows[1:]:
        assert r[comments][:1] not in ("=", "+", "-", "@")
    (missing,) = done.unplaced
    assert "stray" in missing and "participant" in missing


def test_moodle_download_is_ingested_with_participant_ids(tmp_path):
    members = sample_lines("moodle_download/names.txt")
    download = tmp_path / "moodle.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for name in members:
            archive.writestr(name, notebook_text() if name.endswith(".ipynb") else "x,y\n1,2\n")
    found = find_submissions([download], tmp_path / "work")
    assert not found.rejected
    by_id = {s.lms_id: s for s in found.submissions}
    assert set(by_id) == {"5501234", "5501235", "5501236", "5501237"}
    assert by_id["5501234"].name == "Jane Smith" and by_id["5501237"].name is None
    assert [f.name for f in by_id["5501234"].files] == ["data/points.csv"]
    # Without a worksheet, the folder in the origin gives Moodle the participant id.
    subs = found.submissions
    items = [
        item(tmp_path, dataclasses.replace(grade_for(None, student=s.student), origin=s.origin))
        for s in subs
    ]
    done = FORMATS["moodle"](items, None, assignment="derivatives", out=tmp_path / "out")
    with zipfile.ZipFile(done.written[0]) as archive:
        read_back = {moodle_rule(n, set(by_id)) for n in archive.namelist()}
    assert {pid for pid, _ in read_back} == set(by_id)
    assert not done.unplaced and any("worksheet" in note for note in done.notes)


def test_blackboard_file_fills_feedback_of_the_downloaded_column(tmp_path, read):
    roster = load_roster(SAMPLES / "blackboard_gc_comments.csv")
    jane, bo = roster.entries
    items = [item(tmp_path, grade_for(jane, raw=90.0), "-1 point\nline two\ttab")]
    items.append(item(tmp_path, grade_for(None, student="nobody")))

    done = FORMATS["blackboard"](items, roster, assignment="Derivatives", out=tmp_path)

    rows = read(done.written[0], encoding="utf-16", delimiter="\t")
    assert rows[0] == [
        "Last Name", "First Name", "Username", "Student ID",
        "Derivatives [Total Pts: 100 Score] |123456", "Feedback to Learner", "Feedback Format",
    ]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][:5] == ["Smith", "Jane", "jsmith", "1001", "90"]
    feedback, fmt = rows[1][5:]
    assert fmt == "HTML" and "\n" not in feedback and feedback.startswith("<pre>-1 point&#10;")
    (missing,) = done.unplaced
    assert "nobody" in missing and "Username" in missing
    with pytest.raises(UsageError, match="no Grade Center column named 'Limits2'"):
        FORMATS["blackboard"](items, roster, assignment="Limits2", out=tmp_path)


def test_plain_writes_a_folder_per_student_with_hostile_names_kept_inside(tmp_path):
    grade = grade_for(None, student="../../etc/passwd")
    done = FORMATS["plain"](
        [item(tmp_path, grade)], None, assignment="derivatives", out=tmp_path / "o"
    )
    assert len(done.written) == 2
    for path in done.written:
        assert path.resolve().is_relative_to((tmp_path / "o").resolve())


def test_comment_cells_are_never_formulas():
    for start in ("=", "+", "-", "@", "\t", "\uff1d"):
        assert guard_cell(start + "1+1").startswith("'")
    assert guard_cell("<pre>ok</pre>") == "<pre>ok</pre>"

"""Moodle assignment feedback: "Upload multiple feedback files in a zip" and the grading
worksheet ("Upload grading worksheet", offline grading).

The zip (``assignfeedback_file_zip_importer``, Moodle 4.1+, which also reads the older layout):
each path part is split on "_" into ``fullname_participantid_plugintype_pluginname[_rest]``; the
first part whose id is a current participant and whose plugin exists names the student, and
the rest of the path is the feedback file's name. So a student's files go in
``<Full Name>_<participant id>_assignsubmission_file/`` as the download names its folders (the
name cleaned of "_" and separators, as Moodle cleans it). Only new or changed files are
imported; a file of the same name replaces the earlier one, so uploading again is safe.

The worksheet: with the assignment's own worksheet as ``--roster`` (Grading action ->
Download grading worksheet), the same file comes back, its columns and rows in their order,
with ``Grade`` and ``Feedback comments`` filled for each student with feedback. Moodle imports
by ``Identifier`` ("Participant <id>"), ``Grade`` and ``Last modified (grade)``; feedback
comments are HTML (Moodle's editor format), so the text is escaped into a ``<pre>``.

Participant ids come from the worksheet, else from the download's folder names kept in each
submission's origin; a student with neither is reported.
"""

from __future__ import annotations

from pathlib import Path

from ...files import safe_name
from ...ingest.moodle import moodle_folder_in
from ...ingest.roster import Roster
from ..formats._common import score, write_rows
from ._common import (
    Delivery,
    FeedbackItem,
    as_html,
    describe,
    feedback_name,
    guard_cell,
    plain_part,
)

WORKSHEET = "moodle_worksheet"
COMMENTS, GRADE = "Feedback comments", "Grade"


def participant(item: FeedbackItem, roster: Roster | None) -> tuple[str, str] | None:
    """(full name, participant id) of a student, or None when Moodle could not find them."""
    entry = item.grade.roster
    if roster is not None and roster.kind == WORKSHEET and entry is not None and entry.lms_id:
        return entry.row.get("Full name") or entry.display_name or "Participant", entry.lms_id
    folder = moodle_folder_in(item.grade.origin or "")
    if folder is None:
        return None
    name = (entry.display_name if entry else None) or folder.name or "Participant"
    return name, folder.participant_id


def write(
    items: list[FeedbackItem], roster: Roster | None, *, assignment: str, out: Path
) -> Delivery:
    """The feedback-files zip, and the worksheet when the roster is one."""
    done = Delivery()
    members: list[tuple[str, Path]] = []
    placed: dict[int, FeedbackItem] = {}  # roster entry id -> item, for the worksheet
    for item in items:
        found = participant(item, roster)
        if found is None:
            done.unplaced.append(
                f"{describe(item)}: no Moodle participant id (not from a Moodle download, and"
                " not in a grading worksheet given as --roster); its feedback is not in the zip"
            )
            continue
        name, pid = found
        folder = f"{plain_part(name, 'Participant')}_{pid}_assignsubmission_file"
        members += [(f"{folder}/{feedback_name(assignment, path)}", path) for path in item.files]
        if item.grade.roster is not None:
            placed[id(item.grade.roster)] = item
    stem = safe_name(assignment)
    done.add_zip(
        out / f"{stem}-moodle-feedback.zip",
        members,
        "in the assignment, View all submissions -> Grading action -> Upload multiple feedback"
        " files in a zip",
    )
    if roster is None or roster.kind != WORKSHEET:
        done.notes.append(
            "no grading worksheet written: give the assignment's worksheet as --roster (Grading"
            " action -> Download grading worksheet) to get it back with Feedback comments"
        )
    elif COMMENTS not in roster.header:
        done.notes.append(
            f"{roster.path}: the worksheet has no {COMMENTS!r} column (turn on Feedback"
            " comments in the assignment's settings and download it again); not written"
        )
    else:
        sheet = out / f"{stem}-moodle-worksheet.csv"
        write_rows(sheet, worksheet_rows(roster, placed))
        done.written.append(sheet)
        done.notes.append(f"{sheet}: Grading action -> Upload grading worksheet")
    return done


def worksheet_rows(roster: Roster, placed: dict[int, FeedbackItem]) -> list[list[str]]:
    """The worksheet as downloaded, with Grade and Feedback comments of placed students."""
    rows = [list(roster.header)]
    for entry in roster.entries:
        cells = dict(entry.row)
        item = placed.get(id(entry))
        if item is not None:
            cells[GRADE] = score(item.grade.final_total)
            cells[COMMENTS] = guard_cell(as_html(item.text))
        rows.append([cells.get(column, "") for column in roster.header])
    return rows

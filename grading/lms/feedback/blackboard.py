"""Blackboard Learn Grade Center upload with feedback (Work Offline -> Upload).

A column downloaded "with comments" carries ``Grading Notes``, ``Notes Format``, ``Feedback to
Learner`` and ``Feedback Format`` after it; uploading the file sets the grade and the feedback of
that column (found by the ``|<column id>`` of its header) for each student (found by
``Username``). ``Feedback Format`` is one of ``SMART_TEXT``, ``HTML``, ``PLAIN_TEXT``; the
feedback is written as ``HTML``, escaped into one ``<pre>`` on one line (a tab-delimited cell
with line breaks is not safe to upload), so nothing a student wrote becomes markup. Grading
notes (the graders' own) are not written, so the upload leaves them as they are.

The roster must be the Grade Center download, with the assignment's column in it (feedback
belongs to an existing column); the identity cells and the file's encoding are the grade
export's (``grading.lms.formats.blackboard``). Students without a Username are reported.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import UsageError
from ...files import safe_name
from ...ingest.roster import Roster
from ..formats import blackboard as grades_file
from ..formats._common import total_cell, write_rows
from ._common import Delivery, FeedbackItem, as_html, describe, guard_cell

FEEDBACK = ("Feedback to Learner", "Feedback Format")
FORMAT = "HTML"


def write(
    items: list[FeedbackItem], roster: Roster | None, *, assignment: str, out: Path
) -> Delivery:
    """``<assignment>-blackboard-feedback.xls`` (tab-delimited UTF-16, as Blackboard writes it)."""
    column = grades_file.find_column(roster, assignment)
    if roster is None or column is None:
        where = f" in {roster.path}" if roster is not None else ""
        raise UsageError(
            f"blackboard feedback: no Grade Center column named {assignment!r}{where}; give the"
            " Grade Center download (with the assignment's column) as --roster"
        )
    done = Delivery()
    rows = [[*grades_file.IDENTITY, column, *FEEDBACK]]
    for item in items:
        entry = item.grade.roster
        cells = grades_file.identity(entry) if entry is not None else None
        if cells is None or not cells[2].strip():
            done.unplaced.append(
                f"{describe(item)}: no Blackboard Username (not in the Grade Center download);"
                " its feedback is not in the file"
            )
            continue
        text = guard_cell(as_html(item.text))
        rows.append([*cells, total_cell(item.grade), text, FORMAT])
    path = out / f"{safe_name(assignment)}-blackboard-feedback.xls"
    write_rows(path, rows, encoding="utf-16-le", bom=True, delimiter="\t")
    done.written.append(path)
    done.notes.append(f"{path}: Grade Center -> Work Offline -> Upload")
    return done

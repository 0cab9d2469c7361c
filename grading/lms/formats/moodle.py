"""Moodle grade import CSV (Grades -> Import -> CSV file).

Checked against Moodle's docs ("Grade import", docs.moodle.org) and its source
(moodle/moodle ``grade/import/csv``, ``grade/import/direct/classes/mapping_form.php``,
``grade/export/lib.php``):

- One header row, then a row per student. On import the teacher picks an identifier
  ("Map from" a column, "Map to" userid, username, ID number or email); Moodle preselects the
  first of User ID, Username, ID number, Email address that is a header. Grade columns are
  mapped to grade items (or a new one), feedback columns to an item's feedback.
- Moodle's export names a grade column ``<Module>: <item> (Real)`` and its feedback column
  ``<Module>: <item> (Feedback)``; the import form maps such headers to the item (and its
  feedback) by itself. So with a Moodle export as the roster, the grade column is the
  export's own header and the feedback column its "(Feedback)" twin; otherwise they are
  ``<assignment>`` (or ``column``) and ``Feedback``, mapped by hand.
- Moodle's docs warn that importing feedback without the grade loses the grades: both are
  always written together.

Columns: ``First name, Last name, [ID number,] Email address, <grade>, <feedback>``. ID number
is written only when every student has one (Moodle ID numbers are often blank), so that the
preselected identifier is one every row can be matched by; else Moodle preselects Email
address. Feedback: "raw X, late penalty Y%" when a late penalty applied, "no submission" for a
roster student without one (graded 0), else blank. UTF-8 without BOM, comma separated.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import UsageError
from ...ingest.roster import Roster, RosterEntry
from ..grades import StudentGrade
from ._common import (
    MISSING,
    importable,
    score,
    split_name,
    total_cell,
    unique_match,
    write_rows,
)

REAL = " (Real)"
FEEDBACK = " (Feedback)"


def item_title(header: str) -> str | None:
    """ "Assignment: Derivatives (Real)" -> "Derivatives"; None for a non-grade column."""
    if not header.endswith(REAL):
        return None
    item = header[: -len(REAL)]
    return item.split(": ", 1)[1] if ": " in item else item


def find_column(roster: Roster | None, assignment: str) -> str | None:
    """The Moodle roster's grade column for ``assignment``, or None."""
    if roster is None or roster.kind != "moodle":
        return None
    found = unique_match(roster.header, assignment, item_title, "moodle export")
    if found is None:  # "Assignment: Derivatives" given as the assignment's name
        found = unique_match(
            roster.header,
            assignment,
            lambda h: h[: -len(REAL)] if h.endswith(REAL) else None,
            "moodle export",
        )
    return found


def feedback_column(grade_column: str) -> str:
    if grade_column.endswith(REAL):
        return grade_column[: -len(REAL)] + FEEDBACK
    return "Feedback"


def feedback(grade: StudentGrade) -> str:
    if grade.status == MISSING:
        return "no submission"
    if grade.penalty_fraction > 0:
        return f"raw {score(grade.raw_total)}, late penalty {score(grade.penalty_fraction * 100)}%"
    return ""


def _cell(entry: RosterEntry, *headers: str) -> str | None:
    for header in headers:
        if header in entry.row:
            return entry.row[header].strip()
    return None


def identity(entry: RosterEntry) -> dict[str, str]:
    """First name, Last name, ID number, Email address as the roster gives them."""
    first, last = entry.first_name, entry.last_name
    if not (first or last):
        first, last = split_name(entry.name)
    return {
        "First name": _cell(entry, "First name") or first or "",
        "Last name": _cell(entry, "Last name", "Surname") or last or "",
        "ID number": _cell(entry, "ID number") or entry.sis_id or "",
        "Email address": _cell(entry, "Email address") or entry.email or "",
    }


def write(
    grades: list[StudentGrade],
    roster: Roster | None,
    *,
    assignment: str,
    points_possible: float,
    path: Path,
    column: str | None = None,
) -> None:
    """Write the Moodle import file; grades without a roster row are left out.

    ``points_possible`` is not written: Moodle keeps the maximum on the grade item.
    """
    grade_column = column or find_column(roster, assignment) or assignment
    chosen = importable(grades)
    people = [identity(grade.roster) for grade in chosen]
    ids = ["ID number"] if people and all(p["ID number"] for p in people) else []
    if not ids:
        unfindable = [
            g.student for g, p in zip(chosen, people, strict=True) if not p["Email address"]
        ]
        if unfindable:
            raise UsageError(
                "moodle export: no email address (and not every student has an ID number) for "
                + ", ".join(unfindable)
            )
    columns = ["First name", "Last name", *ids, "Email address"]
    rows = [[*columns, grade_column, feedback_column(grade_column)]]
    for grade, person in zip(chosen, people, strict=True):
        rows.append([*(person[c] for c in columns), total_cell(grade), feedback(grade)])
    write_rows(path, rows)

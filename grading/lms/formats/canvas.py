"""Canvas Gradebook import CSV (Grades -> Import).

The file (checked against Canvas's own importer and exporter, instructure/canvas-lms
``lib/gradebook_importer.rb`` and ``lib/gradebook_exporter.rb``, and the Canvas guides
"How do I import grades in the Gradebook?" / OSU's "Import a CSV file to Carmen grades"):

- Header ``Student, ID, SIS User ID, SIS Login ID, Section`` then one grade column. The
  importer requires the first cell to say "Student" and the second "ID", takes "SIS User ID"
  followed by "SIS Login ID" as the SIS columns, and requires the last student column to be
  "Section"; every later column is an assignment.
- An assignment column titled ``<name> (<id>)`` (as the export writes it) updates assignment
  ``<id>``; any other title updates the assignment of that exact title, else creates a new
  assignment of that title.
- A row whose first cell contains "Points Possible" (the export writes ``    Points
  Possible``) gives the points of the assignment; a new assignment takes them from it.
- A student is found by ID (the Canvas user id), then SIS User ID, then SIS Login ID, then
  by name ("Last, First" or "First Last").
- Only the changed columns need to be uploaded (Canvas recommends it for large courses), and
  scores are plain numbers (the export writes up to 2 decimals).

The identity cells are copied from the roster row as Canvas wrote them when the roster is a
Canvas export, else made from the roster's fields. Comma separated, UTF-8, no BOM.
"""

from __future__ import annotations

import re
from pathlib import Path

from ...ingest.roster import Roster, RosterEntry
from ..grades import StudentGrade
from ._common import identity_rows, score, unique_match, write_rows

IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "    Points Possible"
_TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z", re.DOTALL)  # Assignment.title_and_id


def assignment_title(header: str) -> str | None:
    """ "Derivatives (123456)" -> "Derivatives"; None for a column that is no assignment's."""
    match = _TITLE_AND_ID.match(header)
    return match.group(1) if match else None


def find_column(roster: Roster | None, assignment: str) -> str | None:
    """The Canvas roster's column for ``assignment`` ("Derivatives (123456)"), or None."""
    if roster is None or roster.kind != "canvas":
        return None
    return unique_match(roster.header, assignment, assignment_title, "canvas export")


def identity(entry: RosterEntry) -> list[str]:
    """Student, ID, SIS User ID, SIS Login ID, Section for one student."""
    if entry.first_name or entry.last_name:
        sortable = ", ".join(p for p in (entry.last_name, entry.first_name) if p)
    else:
        sortable = ""
    fallback = {
        "Student": entry.name or sortable,
        "ID": entry.lms_id or "",
        "SIS User ID": entry.sis_id or "",
        "SIS Login ID": entry.sis_login_id or "",
        "Section": entry.section or "",
    }
    return [entry.row[c] if c in entry.row else fallback[c] for c in IDENTITY]


def write(
    grades: list[StudentGrade],
    roster: Roster | None,
    *,
    assignment: str,
    points_possible: float,
    path: Path,
    column: str | None = None,
) -> None:
    """Write the Canvas import file; grades without a roster row are left out."""
    header = column or find_column(roster, assignment) or assignment
    rows = [[*IDENTITY, header], [POINTS_POSSIBLE, "", "", "", "", score(points_possible)]]
    rows += identity_rows(
        grades,
        identity,
        lambda cells: any(cell.strip() for cell in cells[:4]),
        "canvas export: no Canvas ID, SIS User ID, SIS Login ID or name for {students}",
    )
    write_rows(path, rows)

"""Blackboard Learn Grade Center upload (Grade Center -> Work Offline -> Upload).

From Blackboard's help "Upload or Download Grade Center Items for Working Offline"
(help.blackboard.com; library.blackboard.com "Uploading External Grade Center Items") and
university guides built on it (UArk "Uploading your Grade Center", Mizzou "Work Offline"):

- A header row, then one row per student. The student's key is the **Username** column: it
  is required, and a row without one cannot be uploaded.
- A grade column is matched to an existing Grade Center column by the Column ID at the end of
  its header, as the download writes it: ``Derivatives [Total Pts: 100 Score] |123456``.
  A header without a Column ID creates a **new** column, named by the header, as a *text*
  column with 0 points possible: the instructor sets its type and points afterwards (Edit
  Column). So a new column's header is the plain assignment name (a ``[Total Pts: ...]``
  suffix would not set the points; it would only become part of the name).
- Files are tab-delimited (``.xls``, ``.txt``) or comma-delimited (``.csv``), and Blackboard
  recommends tab-delimited; in a comma file every value must be in quotes. Blackboard's own
  download is tab-delimited UTF-16 with a BOM, and that is what is written here, unless
  ``path`` ends in ``.csv``: then comma-separated, every value quoted, UTF-8.

Columns: ``Last Name, First Name, Username, Student ID, <grade>``; the identity cells come
from the roster row as Blackboard wrote them when the roster is a Grade Center download.
Blackboard ignores changes to the name columns; they are there for a person.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from ...ingest.roster import Roster, RosterEntry
from ..grades import StudentGrade
from ._common import identity_rows, split_name, unique_match, write_rows

IDENTITY = ("Last Name", "First Name", "Username", "Student ID")
_COLUMN = re.compile(r"\A(.*?)\s*(?:\[Total Pts:[^\]]*\])?\s*\|\d+\s*\Z", re.DOTALL)


def column_title(header: str) -> str | None:
    """ "Derivatives [Total Pts: 100 Score] |123456" -> "Derivatives"; None without a column id."""
    match = _COLUMN.match(header)
    return match.group(1) if match else None


def find_column(roster: Roster | None, assignment: str) -> str | None:
    """The Grade Center download's column for ``assignment``, or None."""
    if roster is None or roster.kind != "blackboard":
        return None
    return unique_match(roster.header, assignment, column_title, "blackboard download")


def identity(entry: RosterEntry) -> list[str]:
    first, last = entry.first_name, entry.last_name
    if not (first or last):
        first, last = split_name(entry.name)
    fallback = {
        "Last Name": last or "",
        "First Name": first or "",
        "Username": entry.username or "",
        "Student ID": entry.sis_id or "",
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
    """Write the Grade Center upload file; grades without a roster row are left out.

    ``points_possible`` is in the header of an existing column already and cannot be set for a
    new one (see above); it is not written.
    """
    header = column or find_column(roster, assignment) or assignment
    rows = [[*IDENTITY, header]]
    rows += identity_rows(
        grades,
        identity,
        lambda cells: bool(cells[2].strip()),  # the Username
        "blackboard export: Blackboard matches students by Username, and there is none for"
        " {students} (use a Grade Center download, or a roster with a username column)",
    )
    if Path(path).suffix.lower() == ".csv":
        write_rows(path, rows, quoting=csv.QUOTE_ALL)
    else:
        write_rows(path, rows, encoding="utf-16-le", bom=True, delimiter="\t")

"""Grade exports: the files an instructor uploads to the LMS, and a plain CSV.

Each module's ``write(grades, roster, *, assignment, points_possible, path, column=None)``
writes one file atomically. The LMS formats leave out grades without a roster row (the LMS
could not place them; the caller reports them) and write a roster student without a
submission as 0; the plain CSV keeps every grade.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from ...ingest.roster import Roster
from ..grades import StudentGrade
from . import blackboard, canvas, moodle, plain


class Writer(Protocol):
    """What a format module's ``write`` is; a new LMS format is a module with one, added below."""

    def __call__(
        self,
        grades: list[StudentGrade],
        roster: Roster | None,
        *,
        assignment: str,
        points_possible: float,
        path: Path,
        column: str | None = None,
    ) -> None: ...


FORMATS: dict[str, Writer] = {
    "canvas": canvas.write,
    "moodle": moodle.write,
    "blackboard": blackboard.write,
    "csv": plain.write,
}

__all__ = ["FORMATS", "Writer", "blackboard", "canvas", "moodle", "plain"]

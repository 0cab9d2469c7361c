"""A plain CSV of every grade, for a spreadsheet: one row per grade, unmatched ones included.

Columns: ``student, name, email, lms_id, sis_id, origin, status, submitted_at, late``, one
column per question (autograded and hand-graded, in natural order: q1a, q1b, ..., q2, ...,
q10), then ``raw_total, penalty_percent, final_total, points_possible, flags``.

A hand-graded question not graded yet is blank (not 0). A roster student without a
submission has status "missing", 0 everywhere and the flag "no submission". ``late`` is
"yes"/"no"; ``submitted_at`` ISO 8601; ``flags`` joined with "; ". UTF-8 with a BOM (so that
Excel reads accented names), comma separated.
"""

from __future__ import annotations

from pathlib import Path

from ...ingest.roster import Roster
from ..grades import StudentGrade
from ._common import MISSING, natural_key, score, total_cell, write_rows

LEADING = ("student", "name", "email", "lms_id", "sis_id", "origin", "status", "submitted_at")
TRAILING = ("raw_total", "penalty_percent", "final_total", "points_possible", "flags")


def questions(grades: list[StudentGrade]) -> list[str]:
    names = {q for grade in grades for q in (*grade.autograded, *grade.manual)}
    return sorted(names, key=natural_key)


def question_cell(grade: StudentGrade, question: str) -> str:
    """The question's points; blank when it has none (hand grading not done, not asked)."""
    auto = grade.autograded.get(question)
    manual = grade.manual.get(question)
    if auto is None and manual is None:
        return ""
    return score((auto or 0.0) + (manual or 0.0))


def flags(grade: StudentGrade) -> str:
    found = list(grade.flags)
    if grade.status == MISSING and not any("no submission" in f for f in found):
        found.append("no submission")
    return "; ".join(found)


def write(
    grades: list[StudentGrade],
    roster: Roster | None,
    *,
    assignment: str,
    points_possible: float,
    path: Path,
    column: str | None = None,
) -> None:
    """Write every grade, matched or not. ``roster``, ``assignment`` and ``column`` are unused;
    ``points_possible`` is each grade's own."""
    names = questions(grades)
    rows = [[*LEADING, "late", *names, *TRAILING]]
    for grade in grades:
        entry = grade.roster
        rows.append(
            [
                grade.student,
                (entry.display_name if entry else None) or "",
                (entry.email if entry else None) or "",
                (entry.lms_id if entry else None) or "",
                (entry.sis_id if entry else None) or "",
                grade.origin or "",
                grade.status,
                grade.submitted_at.isoformat() if grade.submitted_at else "",
                "yes" if grade.late else "no",
                *(question_cell(grade, q) for q in names),
                score(grade.raw_total),
                score(grade.penalty_fraction * 100),
                total_cell(grade),
                score(grade.points_possible),
                flags(grade),
            ]
        )
    write_rows(path, rows, encoding="utf-8-sig")

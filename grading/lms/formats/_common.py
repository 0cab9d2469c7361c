"""What every export shares: score formatting, atomic writing, the rows an LMS can take."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ...errors import UsageError
from ...files import replacing
from ...model import MISSING
from ..grades import StudentGrade


def score(value: float) -> str:
    """Up to 2 decimals, without trailing zeros: 7.5 -> "7.5", 8.0 -> "8", 2/3 -> "0.67"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


LEFT_BLANK = "left blank"  # flag of a missing student exported with an empty cell, not 0


def total_cell(grade: StudentGrade) -> str:
    """The LMS cell of a grade: the final total, or empty for a missing student left blank."""
    if grade.status == MISSING and LEFT_BLANK in grade.flags:
        return ""
    return score(grade.final_total)


def identity_rows(
    grades: Iterable[StudentGrade],
    identity,
    findable,
    problem: str,
) -> list[list[str]]:
    """A row per importable grade: its identity cells, then its total.

    ``findable(cells)`` says whether the LMS can find the student by those cells; if any it
    cannot, nothing is written and the ValueError names them all (``problem`` holds
    ``{students}``).
    """
    rows, unfindable = [], []
    for grade in importable(grades):
        cells = identity(grade.roster)
        if not findable(cells):
            unfindable.append(grade.student)
        rows.append([*cells, total_cell(grade)])
    if unfindable:
        raise UsageError(problem.format(students=", ".join(unfindable)))
    return rows


def importable(grades: Iterable[StudentGrade]) -> list[StudentGrade]:
    """The grades an LMS can import: those matched to a roster row (the caller reports the rest).

    A roster student without a submission is among them, with ``final_total`` 0: the LMS gets a
    0 (not a blank, which it would read as "not graded"), and the grade's flags and status say
    "no submission" in the plain CSV and in Moodle's feedback.
    """
    return [grade for grade in grades if grade.roster is not None]


def natural_key(text: str) -> tuple:
    """Sort key putting q2 before q10: digits compare as numbers."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


def split_name(name: str | None) -> tuple[str, str]:
    """(first, last) from "Last, First" or "First Last"; ("", "") for nothing."""
    if not name:
        return "", ""
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def write_rows(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    bom: bool = False,
) -> None:
    """Write ``rows`` to ``path`` atomically: a temporary file beside it, then os.replace."""
    with replacing(Path(path), "w", encoding=encoding, newline="") as out:
        if bom:
            out.write("\ufeff")
        writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
        writer.writerows(rows)


def unique_match(headers: list[str], wanted: str, title_of, what: str) -> str | None:
    """The one header whose title (``title_of(header)``, None: not a grade column) is ``wanted``.

    Compared exactly first, then ignoring case and surrounding space; several equal matches are
    an error naming them, as the export cannot guess which column the instructor means.
    """
    titled = [(h, t) for h in headers if (t := title_of(h)) is not None]
    for same in (
        lambda t: t == wanted,
        lambda t: t.strip().casefold() == wanted.strip().casefold(),
    ):
        found = [h for h, t in titled if same(t)]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            shown = ", ".join(repr(h) for h in found)
            raise UsageError(
                f"{what}: several columns are named {wanted!r} ({shown}); pass the column"
            )
    return None

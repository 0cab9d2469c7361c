"""Fixtures for the LMS tests: the sample downloads and a builder of StudentGrade records."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from grading.ingest.roster import Roster, RosterEntry, load_roster
from grading.lms.grades import StudentGrade

SAMPLES = Path(__file__).parent / "samples"


@pytest.fixture
def sample() -> Callable[[str], Roster]:
    """``sample("canvas_gradebook.csv")``: a sample download loaded as a roster."""
    return lambda name: load_roster(SAMPLES / name)


def grade_for(
    entry: RosterEntry | None,
    *,
    student: str | None = None,
    raw: float = 80.0,
    penalty: float = 0.0,
    missing: bool = False,
    manual: dict[str, float | None] | None = None,
) -> StudentGrade:
    """A grade as the gradebook computes it: final_total = raw * (1 - penalty)."""
    key = student or (entry.primary_id if entry else "stray")
    if missing:
        return StudentGrade(
            student=key, roster=entry, origin=None, status="missing", submitted_at=None,
            late=False, autograded={"q1a": 0.0, "q2": 0.0, "q10": 0.0},
            manual={"q3": None}, raw_total=0.0, penalty_fraction=0.0, final_total=0.0,
            points_possible=100.0, flags=("no submission",),
        )  # fmt: skip
    manual = {"q3": 10.0} if manual is None else manual
    auto_total = raw - sum(v for v in manual.values() if v is not None)
    return StudentGrade(
        student=key, roster=entry, origin=f"bulk.zip!{key}.ipynb", status="graded",
        submitted_at=datetime(2026, 11, 20, 9, 30), late=penalty > 0,
        autograded={"q10": 5.0, "q2": auto_total - 15.0, "q1a": 10.0}, manual=manual,
        raw_total=raw, penalty_fraction=penalty, final_total=raw * (1 - penalty),
        points_possible=100.0, flags=(f"late: -{penalty:.0%}",) if penalty else (),
    )  # fmt: skip


@pytest.fixture
def make_grade() -> Callable[..., StudentGrade]:
    return grade_for


def read_csv(path: Path, *, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f, delimiter=delimiter))


@pytest.fixture
def read() -> Callable[..., list[list[str]]]:
    """``read(path, encoding=..., delimiter=...)``: the file's rows as the csv module reads them."""
    return read_csv

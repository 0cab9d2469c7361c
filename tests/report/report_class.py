"""A realistic class of twelve for the report tests: late, missing, timeout, unmatched roster,
manual questions partly graded by hand.

Scores per student (autograded q1a q1b q2a q2b q3a q3b | manual q4 q5 q6; ``None``: not graded
by hand yet). The tests' expected numbers are worked out by hand from this table.
"""

from __future__ import annotations

from datetime import UTC, datetime

from grading.ingest.roster import RosterEntry
from grading.lms.grades import StudentGrade

QUESTIONS: dict[str, tuple[float, bool]] = {
    "q1a": (1.0, False),
    "q1b": (2.0, False),
    "q2a": (2.0, False),
    "q2b": (3.0, False),
    "q3a": (2.0, False),
    "q3b": (2.0, False),
    "q4": (4.0, True),
    "q5": (4.0, True),
    "q6": (2.0, True),  # nobody graded by hand yet
}
AUTO = [name for name, (_, manual) in QUESTIONS.items() if not manual]
MANUAL = [name for name, (_, manual) in QUESTIONS.items() if manual]
POSSIBLE = 22.0
TITLE = "Derivatives — class report"
TIMEOUT_LOG = "logs/s07-1a2b3c4d.log"
ERROR_LOG = "logs/s08-9f8e7d6c.log"

# student: name, status, auto scores, manual scores, late, penalty, other submissions, on roster
_N = None
CLASS = {
    "s01": ("Ada Lovelace", "graded", (1, 2, 2, 3, 2, 2), (4, 4, _N), False, 0.0, 0, True),
    "s02": ("Brook Taylor", "graded", (1, 2, 2, 3, 2, 0), (3, _N, _N), False, 0.0, 0, True),
    "s03": ("Carl Gauss", "graded", (1, 1, 2, 3, 2, 0), (4, _N, _N), True, 0.1, 0, True),
    "s04": ("Dana Scott", "graded", (1, 2, 0, 3, 0, 1), (_N, _N, _N), False, 0.0, 0, True),
    "s05": ("Emmy Noether", "graded", (0, 2, 2, 0, 2, 0), (2, 2, _N), False, 0.0, 0, True),
    "s06": ("Felix Klein", "graded", (1, 2, 2, 3, 0, 0), (_N, _N, _N), True, 0.2, 0, True),
    "s07": ("Grace Hopper", "timeout", (0, 0, 0, 0, 0, 0), (_N, _N, _N), False, 0.0, 0, True),
    "s08": ("Hedy Lamarr", "graded", (1, 0, 2, 3, 2, 2), (4, _N, _N), False, 0.0, 1, True),
    "s09": ("Ivy Chen", "graded", (1, 2, 1, 3, 2, 1), (_N, _N, _N), False, 0.0, 0, True),
    "s10": ("Jun Park", "graded", (1, 2, 2, 2, 2, 2), (0, _N, _N), True, 0.0, 0, True),
    "s11": ("Kim Unlisted", "graded", (1, 2, 2, 3, 2, 2), (_N, _N, _N), False, 0.0, 0, False),
    "s12": ("Lee Absent", "missing", (0, 0, 0, 0, 0, 0), (_N, _N, _N), False, 0.0, 0, True),
}


def _grade(line: int, student: str, spec: tuple) -> StudentGrade:
    name, status, auto, manual, late, penalty, others, on_roster = spec
    autograded = {q: float(s) for q, s in zip(AUTO, auto, strict=True)}
    by_hand = {q: None if s is None else float(s) for q, s in zip(MANUAL, manual, strict=True)}
    raw = sum(autograded.values()) + sum(s for s in by_hand.values() if s is not None)
    missing = status == "missing"
    flags = []
    if others:
        flags.append(f"{others + 1} submissions, latest used")
    if penalty:
        flags.append(f"late: -{penalty:.0%}")
    if status == "timeout":
        flags.append("timeout: wall-clock limit of 600 s reached")
    if missing:
        flags.append("no submission")
    last, first = name.split()[1], name.split()[0]
    return StudentGrade(
        student=student,
        roster=RosterEntry(line=line, name=name, lms_id=student) if on_roster else None,
        origin=None if missing else f"bulk.zip!{last.lower()}{first.lower()}_{student}.ipynb",
        status=status,
        submitted_at=None if missing else datetime(2026, 11, 20 + int(late), 9, 30, tzinfo=UTC),
        late=late,
        autograded=autograded,
        manual=by_hand,
        raw_total=raw,
        penalty_fraction=penalty,
        final_total=raw * (1 - penalty),
        points_possible=POSSIBLE,
        other_submissions=others,
        flags=tuple(flags),
    )


def make_grades() -> list[StudentGrade]:
    return [_grade(i + 2, student, spec) for i, (student, spec) in enumerate(CLASS.items())]

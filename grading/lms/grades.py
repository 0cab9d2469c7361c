"""One final grade per student: the records every LMS export and the report are written from.

The gradebook holds every submission; a grade picks one per student (the latest by default),
totals its autograded questions as Otter's results.json does (rescaled to the autograder's
``points_possible``, or pass/fail by its ``score_threshold``: the total Gradescope shows), adds
the hand-graded questions, applies the late policy and says how it matched the roster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..assignments import Question
from ..autograder import AutograderInfo, read_autograder
from ..errors import UsageError
from ..gradebook import Gradebook, GradedRow
from ..ingest.roster import Roster, RosterEntry
from ..model import GRADED, INVALID, MISSING, SCORED, StoppedCell, Submission, sha256_file
from .late import LatePolicy


@dataclass(frozen=True)
class StudentGrade:
    """A student's grade for one assignment, before and after the late penalty."""

    student: str  # the gradebook's key (LMS id, SIS id, email or file stem)
    roster: RosterEntry | None  # None: a submission that matches no roster row
    origin: str | None  # the chosen submission; None: the student did not submit
    status: str  # graded / timeout / error / invalid, or "missing"
    submitted_at: datetime | None
    late: bool
    autograded: dict[str, float]  # question -> points
    manual: dict[str, float | None]  # question -> points; None: not graded by hand yet
    raw_total: float  # autograded (as Otter totals it) + manual, before the late penalty
    penalty_fraction: float  # 0.0 .. cap, from the late policy
    final_total: float  # raw_total * (1 - penalty_fraction)
    points_possible: float
    other_submissions: int = 0  # further submissions of this student that were not chosen
    flags: tuple[str, ...] = ()  # for a person: "late 2 days", "no submission", ...
    # The gradebook's own keys for this student (file stem, Canvas id, ...): hand-graded
    # scores are stored under the first, so they do not depend on which roster is used.
    gradebook_keys: tuple[str, ...] = ()
    stopped: tuple[StoppedCell, ...] = ()  # cells of the chosen submission a limit stopped
    sha256: str = ""  # the chosen submission's key in the gradebook ("": none)

    @property
    def manual_complete(self) -> bool:
        return all(score is not None for score in self.manual.values())


@dataclass
class MatchReport:
    """How the gradebook met the roster: nothing is dropped silently."""

    unmatched_submissions: list[str] = field(default_factory=list)  # origins
    missing_students: list[RosterEntry] = field(default_factory=list)
    multiple_submissions: dict[str, list[str]] = field(default_factory=dict)  # student -> origins

    def lines(self) -> list[str]:
        out = [f"submission matches no roster student: {o}" for o in self.unmatched_submissions]
        out += [
            f"no submission from {e.display_name or e.primary_id} (roster line {e.line})"
            for e in self.missing_students
        ]
        out += [
            f"{student} submitted {len(origins)} times; using {origins[0]}"
            for student, origins in self.multiple_submissions.items()
        ]
        return out


def _pick(rows: list[GradedRow], how: str) -> GradedRow:
    """Latest (by submission time, then attempt) or best; gradable results before rejected."""
    gradable = [r for r in rows if r.status != INVALID] or rows
    if how == "best":
        return max(gradable, key=lambda r: (r.score, _when(r)))
    return max(gradable, key=_when)


def _when(row: GradedRow) -> tuple:
    stamp = row.submitted_at.replace(tzinfo=None) if row.submitted_at else datetime.min
    return (stamp, row.attempt, row.origin)


def _as_submission(student: str, meta: dict) -> Submission:
    """A gradebook student as the roster's matcher expects it."""
    return Submission(
        path=Path(), origin="", student=student, sha256="", source_format="gradebook",
        name=meta.get("name"), email=meta.get("email"), lms_id=meta.get("lms_id"),
        sis_id=meta.get("sis_id"),
    )  # fmt: skip


def compute_grades(
    book: Gradebook,
    questions: list[Question],
    *,
    roster: Roster | None = None,
    policy: LatePolicy | None = None,
    pick: str = "latest",
    missing: str = "zero",
    autograder: AutograderInfo | None = None,
) -> tuple[list[StudentGrade], MatchReport]:
    """One grade per student (and per roster student without a submission).

    ``missing`` says what a roster student without a submission gets in an export: ``zero``,
    or ``blank`` (an empty cell, which LMSs read as "not graded yet"). ``autograder`` (the
    one the class was graded with) totals the autograded part as Otter does; without it the
    total is the sum of the question scores.
    """
    if missing not in ("zero", "blank"):
        raise UsageError(f"missing must be 'zero' or 'blank', not {missing!r}")
    if pick not in ("latest", "best"):
        raise UsageError(f"pick must be 'latest' or 'best', not {pick!r}")
    by_student: dict[str, list[GradedRow]] = {}
    for row in book.rows(book.latest_autograder()):
        by_student.setdefault(row.student or row.origin, []).append(row)
    meta = book.students()
    manual_scores = book.manual_scores()
    auto_questions = [q for q in questions if not q.manual]
    manual_questions = [q for q in questions if q.manual]
    possible = points_possible(questions, autograder)

    report = MatchReport()
    entries: dict[str, RosterEntry | None] = {}
    for student in by_student:
        entry = roster.match(_as_submission(student, meta.get(student, {}))) if roster else None
        entries[student] = entry
        if roster is not None and entry is None:
            report.unmatched_submissions += [r.origin for r in by_student[student]]

    # Several gradebook keys can be one roster student (a Canvas id and an email, say).
    groups: dict[str, list[str]] = {}
    for student, entry in entries.items():
        groups.setdefault(entry.primary_id if entry else student, []).append(student)

    grades = []
    for key, students in groups.items():
        rows = [row for s in students for row in by_student[s]]
        chosen = _pick(rows, pick)
        entry = entries[students[0]]
        flags = []
        if len(rows) > 1:
            ordered = [chosen.origin] + [r.origin for r in rows if r is not chosen]
            report.multiple_submissions[key] = ordered
            flags.append(f"{len(rows)} submissions, {pick} used")
        manual = {q.name: _first(manual_scores, [key, *students], q.name) for q in manual_questions}
        auto = {q.name: chosen.questions.get(q.name, 0.0) for q in auto_questions}
        raw = _autograded_total(chosen, sum(auto.values()), autograder)
        raw += sum(v for v in manual.values() if v is not None)
        penalty = policy.fraction(chosen.submitted_at, chosen.late) if policy else 0.0
        if penalty:
            flags.append(f"late: -{penalty:.0%}")
        if chosen.status != GRADED:
            flags.append(f"{chosen.status}: {chosen.reason}")
        grades.append(
            StudentGrade(
                student=key,
                roster=entry,
                origin=chosen.origin,
                status=chosen.status,
                submitted_at=chosen.submitted_at,
                late=chosen.late,
                autograded=auto,
                manual=manual,
                raw_total=raw,
                penalty_fraction=penalty,
                final_total=raw * (1 - penalty),
                points_possible=possible,
                other_submissions=len(rows) - 1,
                flags=tuple(flags),
                gradebook_keys=tuple(students),
                stopped=chosen.stopped,
                sha256=chosen.sha256,
            )
        )

    matched = {id(g.roster) for g in grades if g.roster is not None}
    for entry in roster.entries if roster else []:
        if id(entry) in matched:
            continue
        report.missing_students.append(entry)
        grades.append(
            StudentGrade(
                student=entry.primary_id,
                roster=entry,
                origin=None,
                status=MISSING,
                submitted_at=None,
                late=False,
                autograded={q.name: 0.0 for q in auto_questions},
                manual={q.name: None for q in manual_questions},
                raw_total=0.0,
                penalty_fraction=0.0,
                final_total=0.0,
                points_possible=possible,
                flags=("no submission",) + (("left blank",) if missing == "blank" else ()),
            )  # fmt: skip
        )
    grades.sort(key=lambda g: (g.roster.line if g.roster else 10**9, g.student))
    return grades, report


def points_possible(questions: list[Question], autograder: AutograderInfo | None) -> float:
    """An assignment's total: the autograded part as Otter counts it, plus the hand-graded."""
    manual = sum(q.points for q in questions if q.manual)
    if autograder is None:
        return sum(q.points for q in questions if not q.manual) + manual
    return autograder.possible + manual


def _autograded_total(row: GradedRow, earned: float, autograder: AutograderInfo | None) -> float:
    """The autograded part of a grade: Otter's results.json total (0 when nothing graded)."""
    if row.status not in SCORED:
        return 0.0
    return autograder.total(earned) if autograder is not None else earned


def _first(scores: dict[str, dict[str, float]], students: list[str], question: str) -> float | None:
    for student in students:
        if question in scores.get(student, {}):
            return scores[student][question]
    return None


def recorded_autograder(book: Gradebook) -> AutograderInfo | None:
    """The autograder of the gradebook's latest run as recorded when it graded (its totals
    rule, its settings); read from the zip for a gradebook that recorded none, if the zip is
    still there unchanged; else None (totals are then the sums of the question scores)."""
    sha = book.latest_autograder()
    settings = book.run_settings(sha)
    path = Path(settings.get("autograder_path") or "")
    record = settings.get("autograder")
    if isinstance(record, dict):
        try:
            return AutograderInfo.from_record(path, sha, record)
        except (TypeError, ValueError):
            pass
    if path.is_file() and sha256_file(path) == sha:
        return read_autograder(path)
    return None

"""Stage 4 of the pipeline: the gradebook, one SQLite file per output folder.

A result is keyed by (submission sha256, autograder sha256): regrading the same bytes with the
same zip is skipped, and a changed zip grades everything again. Every submission's rows are
written in one transaction (WAL journal, synchronous=FULL), so a run killed at any moment keeps
everything graded before and never half a submission.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .errors import GradingError, UsageError
from .model import (
    INVALID,
    SCORED,
    GradeResult,
    QuestionScore,
    Rejected,
    StoppedCell,
    Submission,
    TestOutcome,
)

SCHEMA_VERSION = 4
# Version 1: the tables every gradebook has had since the first release.
SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    autograder_sha256 TEXT NOT NULL,
    autograder_path TEXT NOT NULL,
    engine TEXT NOT NULL,
    image TEXT,
    options TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    student TEXT PRIMARY KEY,
    name TEXT, email TEXT, lms_id TEXT, sis_id TEXT
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL REFERENCES students(student),
    origin TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source_format TEXT NOT NULL,
    submitted_at TEXT,
    late INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    first_run INTEGER NOT NULL REFERENCES runs(id),
    UNIQUE (origin, sha256)
);
CREATE TABLE IF NOT EXISTS results (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    status TEXT NOT NULL,
    score REAL NOT NULL,
    possible REAL NOT NULL,
    reason TEXT NOT NULL,
    engine TEXT NOT NULL,
    isolation TEXT NOT NULL,
    seconds REAL NOT NULL,
    peak_memory_mb REAL NOT NULL DEFAULT 0,
    log_path TEXT,
    feedback_path TEXT,
    graded_at TEXT NOT NULL,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    PRIMARY KEY (sha256, autograder_sha256)
);
CREATE TABLE IF NOT EXISTS question_results (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    question TEXT NOT NULL,
    score REAL NOT NULL,
    possible REAL NOT NULL,
    PRIMARY KEY (sha256, autograder_sha256, question)
);
CREATE TABLE IF NOT EXISTS test_results (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    question TEXT NOT NULL,
    test TEXT NOT NULL,
    hidden INTEGER NOT NULL,
    passed INTEGER NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (sha256, autograder_sha256, question, test)
);
CREATE TABLE IF NOT EXISTS manual_scores (
    student TEXT NOT NULL,
    question TEXT NOT NULL,
    score REAL NOT NULL,
    updated_at TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (student, question)
);
CREATE TABLE IF NOT EXISTS manual_score_changes (
    id INTEGER PRIMARY KEY,
    student TEXT NOT NULL,
    question TEXT NOT NULL,
    old_score REAL,
    new_score REAL NOT NULL,
    changed_at TEXT NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    origin TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    reason TEXT NOT NULL,
    student TEXT,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    PRIMARY KEY (origin, autograder_sha256)
);
"""

# Version 2: hand grading in the browser (``python -m grading mark``). Rubrics per manual
# question, the items applied to each student's answer, comments and adjustments, anonymous
# numbers, and a log of who changed what. ``manual_scores`` stays the one score that exports,
# the report and feedback read; these tables say how it came about.
HAND_GRADING_SCHEMA = """
CREATE TABLE IF NOT EXISTS rubrics (
    question TEXT PRIMARY KEY,
    scoring TEXT NOT NULL CHECK (scoring IN ('positive', 'negative')),
    max_points REAL NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rubric_items (
    id INTEGER PRIMARY KEY,
    question TEXT NOT NULL REFERENCES rubrics(question),
    position INTEGER NOT NULL,
    points REAL NOT NULL,
    description TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rubric_items_by_question ON rubric_items (question, position);
CREATE TABLE IF NOT EXISTS manual_marks (
    student TEXT NOT NULL,
    question TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    adjustment REAL NOT NULL DEFAULT 0,
    adjustment_reason TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (student, question)
);
CREATE TABLE IF NOT EXISTS manual_mark_items (
    student TEXT NOT NULL,
    question TEXT NOT NULL,
    item_id INTEGER NOT NULL REFERENCES rubric_items(id),
    PRIMARY KEY (student, question, item_id)
);
CREATE INDEX IF NOT EXISTS manual_mark_items_by_item ON manual_mark_items (item_id);
CREATE TABLE IF NOT EXISTS hand_grading_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    grader TEXT NOT NULL,
    question TEXT NOT NULL,
    student TEXT,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS hand_grading_log_by_mark ON hand_grading_log (question, student);
CREATE TABLE IF NOT EXISTS anonymous_numbers (
    student TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE
);
"""

# Version 3: what the engine reports beyond scores. The instructor's message per test outcome,
# the cells one of this tool's limits stopped, and per question the live objects of the student
# process its test used (``live``) or the test's objects that could not reach the student's code
# (``unfaithful``).
ENGINE_REPORT_SCHEMA = """
CREATE TABLE IF NOT EXISTS stopped_cells (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    position INTEGER NOT NULL,
    cell INTEGER,
    limit_text TEXT NOT NULL,
    PRIMARY KEY (sha256, autograder_sha256, position)
);
CREATE TABLE IF NOT EXISTS question_objects (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('live', 'unfaithful')),
    type_name TEXT NOT NULL,
    PRIMARY KEY (sha256, autograder_sha256, question, kind, type_name)
);
"""


# Version 4: the outputs of hand-graded cells in the grading run (figures, text, errors), per
# result and cell: what the hand grader sees beside the outputs the notebook saved. A result
# graded before version 4 has none (``run_outputs`` is then {}).
RUN_OUTPUTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_outputs (
    sha256 TEXT NOT NULL,
    autograder_sha256 TEXT NOT NULL,
    cell_id TEXT NOT NULL,
    outputs TEXT NOT NULL,
    PRIMARY KEY (sha256, autograder_sha256, cell_id)
);
"""


def _engine_report(db: sqlite3.Connection) -> None:
    columns = {row[1] for row in db.execute("PRAGMA table_info(test_results)")}
    if "note" not in columns:  # ADD COLUMN is not idempotent on its own
        db.execute("ALTER TABLE test_results ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    db.executescript(ENGINE_REPORT_SCHEMA)


# MIGRATIONS[n] brings a version n-1 gradebook to version n; each is idempotent.
MIGRATIONS: dict[int, str | Callable[[sqlite3.Connection], None]] = {
    2: HAND_GRADING_SCHEMA,
    3: _engine_report,
    4: RUN_OUTPUTS_SCHEMA,
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class GradedRow:
    """One submission with its result under one autograder, for reports and exports."""

    student: str
    origin: str
    sha256: str
    status: str
    score: float
    possible: float
    reason: str
    questions: dict[str, float]
    submitted_at: datetime | None = None
    late: bool = False
    attempt: int = 0
    log_path: str | None = None
    seconds: float = 0.0  # the sandbox's wall time for this submission
    engine: str = ""
    isolation: str = ""  # "container", "strong", "namespaces", "process", "weak"
    peak_memory_mb: float = 0.0
    stopped: tuple[StoppedCell, ...] = ()  # cells one of this tool's limits stopped


@dataclass
class QuestionObjects:
    """question -> {type name: submissions}, for the report's labels per question."""

    live: dict[str, dict[str, int]] = field(default_factory=dict)
    unfaithful: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class ScoreChange:
    student: str
    question: str
    old: float | None
    new: float


SCORINGS = ("positive", "negative")  # items add to zero / items deduct from full marks


@dataclass(frozen=True)
class RubricItem:
    id: int
    question: str
    position: int
    points: float  # signed: added to the base score when applied
    description: str
    version: int


@dataclass(frozen=True)
class Rubric:
    """A question's rubric: applied items are added to 0 (positive) or to full marks."""

    question: str
    scoring: str
    max_points: float
    version: int
    items: tuple[RubricItem, ...]

    @property
    def base(self) -> float:
        return 0.0 if self.scoring == "positive" else self.max_points

    def item(self, item_id: int) -> RubricItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@dataclass(frozen=True)
class Mark:
    """What a grader decided for one student's answer to one question (version 0: nothing)."""

    student: str
    question: str
    items: frozenset[int]
    comment: str
    adjustment: float
    reason: str
    version: int
    updated_by: str
    updated_at: str
    score: float | None  # from manual_scores: what exports use


@dataclass(frozen=True)
class LogEntry:
    at: str
    grader: str
    question: str
    student: str | None
    action: str
    detail: dict


class MarkConflict(GradingError):
    """Someone else changed this mark or rubric item since the grader saw it."""

    def __init__(self, message: str, current: Mark | RubricItem | None = None) -> None:
        super().__init__(message)
        self.current = current


class UnknownRecord(GradingError):
    """An id that names no rubric, item or student of this gradebook."""


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)  # explicit transactions only
        try:
            version = self.db.execute("PRAGMA user_version").fetchone()[0]
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:  # a file that is not SQLite: left as it is
            self.db.close()
            raise UsageError(f"{path}: not a gradebook ({error})") from None
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if not 0 <= version <= SCHEMA_VERSION:
            raise UsageError(
                f"{path}: gradebook schema {version}, this tool reads {SCHEMA_VERSION}"
                " (a newer version of this tool wrote it)"
            )
        self.db.executescript(SCHEMA)  # idempotent; executescript manages its own transaction
        for step in range(max(version, 1) + 1, SCHEMA_VERSION + 1):
            migration = MIGRATIONS[step]  # idempotent too: safe to rerun if killed
            if callable(migration):
                migration(self.db)
            else:
                self.db.executescript(migration)
        if version != SCHEMA_VERSION:
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def transaction(self):
        return _Transaction(self.db)

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    def start_run(
        self,
        autograder_sha256: str,
        autograder_path: str,
        engine: str,
        image: str | None,
        **options,
    ) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO runs (started_at, autograder_sha256, autograder_path, engine, image,"
                " options) VALUES (?, ?, ?, ?, ?, ?)",
                (_now(), autograder_sha256, autograder_path, engine, image, json.dumps(options)),
            )
        return int(cursor.lastrowid)

    def finish_run(self, run_id: int) -> None:
        with self.transaction():
            self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (_now(), run_id))

    def has_result(self, sha256: str, autograder_sha256: str) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM results WHERE sha256 = ? AND autograder_sha256 = ?",
            (sha256, autograder_sha256),
        ).fetchone()
        return row is not None

    def add_submission(self, submission: Submission, run_id: int) -> None:
        """Remember who submitted what (idempotent: seeing a file twice records it once)."""
        with self.transaction():
            self._upsert_student(submission)
            self._insert_submission(submission, run_id)

    def record(
        self,
        submission: Submission,
        result: GradeResult,
        autograder_sha256: str,
        run_id: int,
        *,
        log_path: str | None = None,
        feedback_path: str | None = None,
    ) -> None:
        """Store one graded submission, all of it or nothing."""
        key = (submission.sha256, autograder_sha256)
        with self.transaction():
            self._upsert_student(submission)
            self._insert_submission(submission, run_id)
            self.db.execute(
                "INSERT OR REPLACE INTO results (sha256, autograder_sha256, status, score,"
                " possible, reason, engine, isolation, seconds, peak_memory_mb, log_path,"
                " feedback_path, graded_at, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    *key, result.status, result.score, result.possible, result.reason,
                    result.engine, result.isolation, result.seconds, result.peak_memory_mb,
                    log_path, feedback_path, _now(), run_id,
                ),
            )  # fmt: skip
            self.db.execute(
                "DELETE FROM question_results WHERE sha256 = ? AND autograder_sha256 = ?", key
            )
            for table in ("test_results", "stopped_cells", "question_objects", "run_outputs"):
                self.db.execute(
                    f"DELETE FROM {table} WHERE sha256 = ? AND autograder_sha256 = ?", key
                )
            self.db.executemany(
                "INSERT INTO question_results VALUES (?, ?, ?, ?, ?)",
                [
                    (*key, q.name, q.score if result.status in SCORED else 0.0, q.possible)
                    for q in result.questions
                ],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO test_results (sha256, autograder_sha256, question, test,"
                " hidden, passed, message, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, t.question, t.name, int(t.hidden), int(t.passed), t.message, t.note)
                    for t in result.tests
                ],
            )
            self.db.executemany(
                "INSERT INTO stopped_cells VALUES (?, ?, ?, ?, ?)",
                [(*key, i, cell.cell, cell.limit) for i, cell in enumerate(result.stopped)],
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO question_objects VALUES (?, ?, ?, ?, ?)",
                [
                    (*key, question, kind, name)
                    for kind, found in (("live", result.live), ("unfaithful", result.unfaithful))
                    for question, names in found.items()
                    for name in names
                ],
            )
            self.db.executemany(
                "INSERT INTO run_outputs VALUES (?, ?, ?, ?)",
                [(*key, cell, json.dumps(outs)) for cell, outs in result.outputs.items()],
            )

    def reject(self, rejected: Rejected, autograder_sha256: str, run_id: int) -> None:
        with self.transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO rejected VALUES (?, ?, ?, ?, ?)",
                (rejected.origin, autograder_sha256, rejected.reason, rejected.student, run_id),
            )

    def rows(self, autograder_sha256: str) -> Iterator[GradedRow]:
        """Every submission graded or rejected under this autograder, by origin."""
        query = (
            "SELECT s.student, s.origin, s.sha256, r.status, r.score, r.possible, r.reason,"
            " s.submitted_at, s.late, s.attempt, r.log_path, r.seconds, r.engine, r.isolation,"
            " r.peak_memory_mb"
            " FROM submissions s JOIN results r ON r.sha256 = s.sha256"
            " WHERE r.autograder_sha256 = ? ORDER BY s.origin"
        )
        stopped = self.stopped_cells(autograder_sha256)
        for row in self.db.execute(query, (autograder_sha256,)).fetchall():
            student, origin, sha, status, score, possible, reason, when, late, attempt = row[:10]
            log, seconds, engine, isolation, peak = row[10:]
            questions = self.question_scores(sha, autograder_sha256)
            yield GradedRow(
                student, origin, sha, status, score, possible, reason, questions,
                datetime.fromisoformat(when) if when else None, bool(late), attempt, log,
                seconds, engine, isolation, peak, tuple(stopped.get(sha, ())),
            )  # fmt: skip
        for origin, reason, student in self.db.execute(
            "SELECT origin, reason, student FROM rejected WHERE autograder_sha256 = ?"
            " ORDER BY origin",
            (autograder_sha256,),
        ).fetchall():
            yield GradedRow(student or "", origin, "", INVALID, 0.0, 0.0, reason, {})

    def question_scores(self, sha256: str, autograder_sha256: str) -> dict[str, float]:
        """Per-question scores of one graded notebook under one autograder ({} if ungraded)."""
        return dict(
            self.db.execute(
                "SELECT question, score FROM question_results"
                " WHERE sha256 = ? AND autograder_sha256 = ?",
                (sha256, autograder_sha256),
            ).fetchall()
        )

    def run_outputs(self, sha256: str) -> dict[str, list[dict]]:
        """Cell id -> the nbformat v4 outputs of that hand-graded cell in the grading run of
        submission ``sha256``, under the latest autograder that graded it ({} if none kept)."""
        graded_by = [row[0] for row in self.db.execute(
            "SELECT autograder_sha256 FROM results WHERE sha256 = ? ORDER BY run_id DESC",
            (sha256,),
        ).fetchall()]  # fmt: skip
        if not graded_by:
            return {}
        latest = self.latest_autograder()
        autograder = latest if latest in graded_by else graded_by[0]
        found = {}
        for cell, text in self.db.execute(
            "SELECT cell_id, outputs FROM run_outputs WHERE sha256 = ? AND autograder_sha256 = ?"
            " ORDER BY cell_id",
            (sha256, autograder),
        ).fetchall():
            with contextlib.suppress(ValueError):
                outputs = json.loads(text)
                found[cell] = outputs if isinstance(outputs, list) else []
        return found

    def stopped_cells(self, autograder_sha256: str) -> dict[str, list[StoppedCell]]:
        """sha256 -> the cells one of this tool's limits stopped, in the order they ran."""
        stopped: dict[str, list[StoppedCell]] = {}
        for sha, cell, limit in self.db.execute(
            "SELECT sha256, cell, limit_text FROM stopped_cells WHERE autograder_sha256 = ?"
            " ORDER BY sha256, position",
            (autograder_sha256,),
        ).fetchall():
            stopped.setdefault(sha, []).append(StoppedCell(cell, limit))
        return stopped

    def question_objects(self, autograder_sha256: str, sha256s: list[str]) -> QuestionObjects:
        """Per question, the live objects and the values that did not cross, over the given
        submissions (the class's chosen ones), each type name with how many submissions."""
        found = QuestionObjects()
        wanted = set(sha256s)
        for sha, question, kind, name in self.db.execute(
            "SELECT sha256, question, kind, type_name FROM question_objects"
            " WHERE autograder_sha256 = ? ORDER BY question, kind, type_name",
            (autograder_sha256,),
        ).fetchall():
            if sha in wanted:
                counts = getattr(found, kind).setdefault(question, {})
                counts[name] = counts.get(name, 0) + 1
        return found

    def run_settings(self, autograder_sha256: str) -> dict:
        """The latest run's engine and options for this autograder ({} if none): the mode, the
        limits in force, why ``otter run`` graded it, the autograder's totals rule."""
        row = self.db.execute(
            "SELECT engine, options, autograder_path FROM runs WHERE autograder_sha256 = ?"
            " ORDER BY id DESC LIMIT 1",
            (autograder_sha256,),
        ).fetchone()
        if row is None:
            return {}
        try:
            options = json.loads(row[1])
        except ValueError:
            options = {}
        found = options if isinstance(options, dict) else {}
        return {**found, "engine": row[0], "autograder_path": row[2]}

    def latest_autograder(self) -> str:
        """The autograder of the most recent run: what exports and reports are about."""
        row = self.db.execute(
            "SELECT autograder_sha256 FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise UsageError(f"{self.path}: the gradebook holds no grading run yet")
        return row[0]

    def students(self) -> dict[str, dict[str, str | None]]:
        rows = self.db.execute("SELECT student, name, email, lms_id, sis_id FROM students")
        return {
            student: {"name": name, "email": email, "lms_id": lms_id, "sis_id": sis_id}
            for student, name, email, lms_id, sis_id in rows.fetchall()
        }

    def manual_scores(self) -> dict[str, dict[str, float]]:
        scores: dict[str, dict[str, float]] = {}
        for student, question, score in self.db.execute(
            "SELECT student, question, score FROM manual_scores"
        ).fetchall():
            scores.setdefault(student, {})[question] = score
        return scores

    def set_manual_scores(
        self, scores: list[tuple[str, str, float]], source: str
    ) -> list[ScoreChange]:
        """Store hand-graded scores in one transaction; every change is kept in a history.

        A score set from outside the app (``manual import``) also becomes the mark's
        adjustment, so the app shows it and a later rubric change starts from it.
        """
        changes = []
        with self.transaction():
            for student, question, score in scores:
                change = self._store_score(student, question, score, source)
                if change is None:
                    continue
                changes.append(change)
                mark = self._mark(student, question)
                base = self._raw_score(question, mark.items, 0.0)
                self._write_mark(
                    student,
                    question,
                    source,
                    mark.version,
                    comment=mark.comment,
                    adjustment=round(score - base, 6),
                    reason=f"set to {score:g} by {source}",
                )
                self._log(source, question, student, "score set", {"score": score})
        return changes

    def _store_score(
        self, student: str, question: str, score: float, source: str
    ) -> ScoreChange | None:
        """Write one manual score and its history row (inside a transaction)."""
        row = self.db.execute(
            "SELECT score FROM manual_scores WHERE student = ? AND question = ?",
            (student, question),
        ).fetchone()
        old = row[0] if row else None
        if old == score:
            return None
        self.db.execute(
            "INSERT OR REPLACE INTO manual_scores VALUES (?, ?, ?, ?, ?)",
            (student, question, score, _now(), source),
        )
        self.db.execute(
            "INSERT INTO manual_score_changes (student, question, old_score, new_score,"
            " changed_at, source) VALUES (?, ?, ?, ?, ?, ?)",
            (student, question, old, score, _now(), source),
        )
        return ScoreChange(student, question, old, score)

    # -- hand grading: rubrics, marks, their log ----------------------------------------------

    def rubric(self, question: str) -> Rubric | None:
        row = self.db.execute(
            "SELECT scoring, max_points, version FROM rubrics WHERE question = ?", (question,)
        ).fetchone()
        if row is None:
            return None
        items = tuple(
            RubricItem(*r)
            for r in self.db.execute(
                "SELECT id, question, position, points, description, version FROM rubric_items"
                " WHERE question = ? AND deleted = 0 ORDER BY position, id",
                (question,),
            ).fetchall()
        )
        return Rubric(question, row[0], row[1], row[2], items)

    def rubric_item(self, item_id: int) -> RubricItem:
        row = self.db.execute(
            "SELECT id, question, position, points, description, version FROM rubric_items"
            " WHERE id = ? AND deleted = 0",
            (item_id,),
        ).fetchone()
        if row is None:
            raise UnknownRecord(f"{self.path}: no rubric item {item_id} (deleted, or never made)")
        return RubricItem(*row)

    def ensure_rubric(
        self,
        question: str,
        max_points: float,
        scoring: str,
        items: list[tuple[float, str]],
        grader: str,
    ) -> bool:
        """Create a question's rubric unless it has one; False if it had one (kept as is).

        Scores imported before the rubric existed are kept: their adjustment is rebased.
        """
        _check_scoring(scoring)
        with self.transaction():
            row = self.db.execute(
                "SELECT max_points FROM rubrics WHERE question = ?", (question,)
            ).fetchone()
            if row is not None:
                if row[0] != max_points:
                    self.db.execute(
                        "UPDATE rubrics SET max_points = ? WHERE question = ?",
                        (max_points, question),
                    )
                return False
            self.db.execute(
                "INSERT INTO rubrics (question, scoring, max_points, updated_at, updated_by)"
                " VALUES (?, ?, ?, ?, ?)",
                (question, scoring, max_points, _now(), grader),
            )
            for position, (points, description) in enumerate(items):
                self._insert_item(question, position, points, description, grader)
            if scoring == "negative":  # marks made before (imports) keep their score
                self.db.execute(
                    "UPDATE manual_marks SET adjustment = adjustment - ? WHERE question = ?",
                    (max_points, question),
                )
            self._log(grader, question, None, "rubric created", {"scoring": scoring})
        return True

    def add_rubric_item(
        self, question: str, points: float, description: str, grader: str
    ) -> RubricItem:
        description = _check_item(points, description)
        with self.transaction():
            if (
                self.db.execute("SELECT 1 FROM rubrics WHERE question = ?", (question,)).fetchone()
                is None
            ):
                raise UnknownRecord(f"{self.path}: no rubric for question {question!r}")
            (position,) = self.db.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM rubric_items WHERE question = ?",
                (question,),
            ).fetchone()
            item_id = self._insert_item(question, position, points, description, grader)
            self._log(
                grader,
                question,
                None,
                "item added",
                {"item": item_id, "points": points, "description": description},
            )
        return self.rubric_item(item_id)

    def edit_rubric_item(
        self,
        item_id: int,
        expected_version: int,
        grader: str,
        *,
        points: float,
        description: str,
    ) -> tuple[RubricItem, list[ScoreChange]]:
        """Change an item; every student who has it is re-scored in the same transaction."""
        description = _check_item(points, description)
        with self.transaction():
            item = self._item_for_change(item_id, expected_version)
            self.db.execute(
                "UPDATE rubric_items SET points = ?, description = ?, version = version + 1,"
                " updated_at = ?, updated_by = ? WHERE id = ?",
                (points, description, _now(), grader, item_id),
            )
            self._log(
                grader,
                item.question,
                None,
                "item edited",
                {
                    "item": item_id,
                    "before": [item.points, item.description],
                    "after": [points, description],
                },
            )
            changes = self._rescore_item(item, grader) if points != item.points else []
        return self.rubric_item(item_id), changes

    def delete_rubric_item(
        self, item_id: int, expected_version: int, grader: str
    ) -> list[ScoreChange]:
        """Remove an item from the rubric and from every answer it was applied to."""
        with self.transaction():
            item = self._item_for_change(item_id, expected_version)
            self.db.execute(
                "UPDATE rubric_items SET deleted = 1, version = version + 1, updated_at = ?,"
                " updated_by = ? WHERE id = ?",
                (_now(), grader, item_id),
            )
            self._log(
                grader,
                item.question,
                None,
                "item deleted",
                {"item": item_id, "points": item.points, "description": item.description},
            )
            return self._rescore_item(item, grader)

    def move_rubric_item(self, item_id: int, offset: int, grader: str) -> Rubric:
        """Move an item up (-1) or down (+1) the list; numbers (keys) follow the order."""
        with self.transaction():
            item = self.rubric_item(item_id)
            rubric = self.rubric(item.question)
            assert rubric is not None
            order = [i.id for i in rubric.items]
            index = order.index(item_id)
            target = min(max(index + offset, 0), len(order) - 1)
            order.insert(target, order.pop(index))
            self.db.executemany(
                "UPDATE rubric_items SET position = ? WHERE id = ?",
                [(position, i) for position, i in enumerate(order)],
            )
            self._log(grader, item.question, None, "item moved", {"item": item_id, "to": target})
        rubric = self.rubric(item.question)
        assert rubric is not None
        return rubric

    def set_rubric_scoring(
        self, question: str, scoring: str, expected_version: int, grader: str
    ) -> Rubric:
        """Positive or negative scoring; only before any answer to the question is marked."""
        _check_scoring(scoring)
        with self.transaction():
            rubric = self.rubric(question)
            if rubric is None:
                raise UnknownRecord(f"{self.path}: no rubric for question {question!r}")
            if rubric.version != expected_version:
                raise MarkConflict(
                    f"the rubric of {question} changed since you loaded it; reload the page"
                )
            (marked,) = self.db.execute(
                "SELECT count(*) FROM manual_marks WHERE question = ?", (question,)
            ).fetchone()
            if marked and scoring != rubric.scoring:
                raise GradingError(
                    f"{question} already has {marked} marked answer(s): its scoring can only"
                    " change before grading starts (change the items' points instead)"
                )
            self.db.execute(
                "UPDATE rubrics SET scoring = ?, version = version + 1, updated_at = ?,"
                " updated_by = ? WHERE question = ?",
                (scoring, _now(), grader, question),
            )
            self._log(grader, question, None, "scoring set", {"scoring": scoring})
        result = self.rubric(question)
        assert result is not None
        return result

    def mark(self, student: str, question: str) -> Mark:
        return self._mark(student, question)

    def marks(self, question: str) -> dict[str, Mark]:
        """Every mark of one question (one query each for marks, items and scores)."""
        items: dict[str, set[int]] = {}
        for student, item_id in self.db.execute(
            "SELECT mi.student, mi.item_id FROM manual_mark_items mi JOIN rubric_items i"
            " ON i.id = mi.item_id WHERE mi.question = ? AND i.deleted = 0",
            (question,),
        ).fetchall():
            items.setdefault(student, set()).add(item_id)
        scores = dict(
            self.db.execute(
                "SELECT student, score FROM manual_scores WHERE question = ?", (question,)
            ).fetchall()
        )
        marks = {}
        for row in self.db.execute(
            "SELECT student, comment, adjustment, adjustment_reason, version, updated_by,"
            " updated_at FROM manual_marks WHERE question = ?",
            (question,),
        ).fetchall():
            student = row[0]
            marks[student] = Mark(
                student,
                question,
                frozenset(items.get(student, ())),
                row[1],
                row[2],
                row[3],
                row[4],
                row[5],
                row[6],
                scores.get(student),
            )
        for student, score in scores.items():  # scored before marks existed (schema 1)
            if student not in marks:
                marks[student] = Mark(student, question, frozenset(), "", 0.0, "", 0, "", "", score)
        return marks

    def rubric_item_counts(self, question: str) -> dict[int, int]:
        """item id -> how many answers have it (shown beside each item)."""
        return dict(
            self.db.execute(
                "SELECT item_id, count(*) FROM manual_mark_items WHERE question = ?"
                " GROUP BY item_id",
                (question,),
            ).fetchall()
        )

    def scored_pairs(self) -> set[tuple[str, str]]:
        """(student, question) of every hand-graded score: progress for the start page."""
        return set(self.db.execute("SELECT student, question FROM manual_scores").fetchall())

    def change_mark(
        self,
        student: str,
        question: str,
        grader: str,
        expected_version: int,
        *,
        apply: tuple[int, ...] = (),
        remove: tuple[int, ...] = (),
        comment: str | None = None,
        adjustment: float | None = None,
        reason: str | None = None,
    ) -> tuple[Mark, ScoreChange | None]:
        """Apply or remove items, set the comment or the adjustment; the score follows.

        ``expected_version`` is the mark's version the grader saw: if someone changed it since,
        nothing is written and MarkConflict says who did what.
        """
        with self.transaction():
            rubric = self.rubric(question)
            if rubric is None:
                raise UnknownRecord(f"{self.path}: no rubric for question {question!r}")
            for item_id in (*apply, *remove):
                if rubric.item(item_id) is None:
                    raise UnknownRecord(f"{question} has no rubric item {item_id}")
            mark = self._mark(student, question)
            if mark.version != expected_version:
                raise MarkConflict(self._conflict_message(mark), mark)
            new_adjustment = mark.adjustment if adjustment is None else adjustment
            new_reason = mark.reason if reason is None else reason.strip()
            if new_adjustment and not new_reason:
                raise GradingError("a point adjustment needs a reason (the student sees it)")
            self._write_mark(
                student,
                question,
                grader,
                mark.version,
                comment=mark.comment if comment is None else comment,
                adjustment=new_adjustment,
                reason=new_reason,
            )
            self.db.executemany(
                "INSERT OR IGNORE INTO manual_mark_items VALUES (?, ?, ?)",
                [(student, question, i) for i in apply],
            )
            self.db.executemany(
                "DELETE FROM manual_mark_items WHERE student = ? AND question = ? AND item_id = ?",
                [(student, question, i) for i in remove],
            )
            detail = {
                k: v
                for k, v in (
                    ("applied", list(apply)),
                    ("removed", list(remove)),
                    ("comment", comment),
                    ("adjustment", adjustment),
                    ("reason", reason),
                )
                if v not in (None, [])
            }
            self._log(grader, question, student, "marked", detail)
            updated = self._mark(student, question)
            score = self._raw_score(question, updated.items, updated.adjustment, clamp=True)
            change = self._store_score(student, question, score, f"mark: {grader}")
        return self._mark(student, question), change

    def hand_grading_log(
        self, question: str | None = None, student: str | None = None, limit: int = 50
    ) -> list[LogEntry]:
        """The latest changes, newest first, for one question or one answer."""
        rows = self.db.execute(
            "SELECT at, grader, question, student, action, detail FROM hand_grading_log"
            " WHERE (? IS NULL OR question = ?) AND (? IS NULL OR student = ?)"
            " ORDER BY id DESC LIMIT ?",
            (question, question, student, student, limit),
        ).fetchall()
        return [LogEntry(a, g, q, s, act, json.loads(d)) for a, g, q, s, act, d in rows]

    def anonymous_numbers(self, students: list[str]) -> dict[str, int]:
        """A number per student that never changes; new students get the next numbers in a
        random order, so the order of numbers says nothing about names or submission times."""
        import secrets

        known = dict(self.db.execute("SELECT student, number FROM anonymous_numbers").fetchall())
        new = [s for s in dict.fromkeys(students) if s not in known]
        if new:
            secrets.SystemRandom().shuffle(new)
            with self.transaction():
                (top,) = self.db.execute(
                    "SELECT coalesce(max(number), 0) FROM anonymous_numbers"
                ).fetchone()
                self.db.executemany(
                    "INSERT OR IGNORE INTO anonymous_numbers VALUES (?, ?)",
                    [(s, top + 1 + i) for i, s in enumerate(new)],
                )
            known = dict(
                self.db.execute("SELECT student, number FROM anonymous_numbers").fetchall()
            )
        return {s: known[s] for s in students}

    def result(self, sha256: str, autograder_sha256: str) -> GradeResult | None:
        """A graded submission's result as it was recorded (without its log): what its feedback
        files are rewritten from, so they can be refreshed at any time and lose nothing."""
        key = (sha256, autograder_sha256)
        row = self.db.execute(
            "SELECT status, engine, isolation, reason, seconds, peak_memory_mb FROM results"
            " WHERE sha256 = ? AND autograder_sha256 = ?",
            key,
        ).fetchone()
        if row is None:
            return None
        questions = [
            QuestionScore(name, score, possible)
            for name, score, possible in self.db.execute(
                "SELECT question, score, possible FROM question_results"
                " WHERE sha256 = ? AND autograder_sha256 = ? ORDER BY question",
                key,
            ).fetchall()
        ]
        tests = [
            TestOutcome(question, test, bool(hidden), bool(passed), message, note)
            for question, test, hidden, passed, message, note in self.db.execute(
                "SELECT question, test, hidden, passed, message, note FROM test_results"
                " WHERE sha256 = ? AND autograder_sha256 = ? ORDER BY rowid",
                key,
            ).fetchall()
        ]
        status, engine, isolation, reason, seconds, peak = row
        stopped = self.stopped_cells(autograder_sha256).get(sha256, [])
        return GradeResult(
            status, engine, isolation, questions, tests, reason, seconds, peak, stopped=stopped
        )

    def feedback_paths(self, autograder_sha256: str) -> dict[str, str]:
        """sha256 -> the feedback file written when it was graded (relative to the folder)."""
        return dict(
            self.db.execute(
                "SELECT sha256, feedback_path FROM results WHERE autograder_sha256 = ?"
                " AND feedback_path IS NOT NULL",
                (autograder_sha256,),
            ).fetchall()
        )

    def _insert_item(
        self, question: str, position: int, points: float, description: str, grader: str
    ) -> int:
        cursor = self.db.execute(
            "INSERT INTO rubric_items (question, position, points, description, updated_at,"
            " updated_by) VALUES (?, ?, ?, ?, ?, ?)",
            (question, position, points, description, _now(), grader),
        )
        return int(cursor.lastrowid)

    def _item_for_change(self, item_id: int, expected_version: int) -> RubricItem:
        item = self.rubric_item(item_id)
        if item.version != expected_version:
            row = self.db.execute(
                "SELECT updated_by, updated_at FROM rubric_items WHERE id = ?", (item_id,)
            ).fetchone()
            raise MarkConflict(
                f"{row[0]} changed the item '{item.description}' at {row[1]} (now"
                f" {item.points:+g}); your change was not saved",
                item,
            )
        return item

    def _mark(self, student: str, question: str) -> Mark:
        row = self.db.execute(
            "SELECT comment, adjustment, adjustment_reason, version, updated_by, updated_at"
            " FROM manual_marks WHERE student = ? AND question = ?",
            (student, question),
        ).fetchone()
        score = self.db.execute(
            "SELECT score FROM manual_scores WHERE student = ? AND question = ?",
            (student, question),
        ).fetchone()
        items = frozenset(
            r[0]
            for r in self.db.execute(
                "SELECT mi.item_id FROM manual_mark_items mi JOIN rubric_items i"
                " ON i.id = mi.item_id WHERE mi.student = ? AND mi.question = ? AND i.deleted = 0",
                (student, question),
            ).fetchall()
        )
        score_value = score[0] if score else None
        if row is None:
            return Mark(student, question, items, "", 0.0, "", 0, "", "", score_value)
        return Mark(
            student, question, items, row[0], row[1], row[2], row[3], row[4], row[5], score_value
        )

    def _write_mark(
        self,
        student: str,
        question: str,
        grader: str,
        version: int,
        *,
        comment: str,
        adjustment: float,
        reason: str,
    ) -> None:
        self.db.execute(
            "INSERT INTO manual_marks (student, question, comment, adjustment, adjustment_reason,"
            " version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (student, question) DO UPDATE SET comment = excluded.comment,"
            " adjustment = excluded.adjustment, adjustment_reason = excluded.adjustment_reason,"
            " version = excluded.version, updated_at = excluded.updated_at,"
            " updated_by = excluded.updated_by",
            (student, question, comment, adjustment, reason, version + 1, _now(), grader),
        )

    def _raw_score(
        self, question: str, items: frozenset[int], adjustment: float, *, clamp: bool = False
    ) -> float:
        """Base + applied items + adjustment; clamped to 0..max for the stored score."""
        rubric = self.rubric(question)
        base = rubric.base if rubric else 0.0
        points = {i.id: i.points for i in rubric.items} if rubric else {}
        raw = base + sum(points.get(i, 0.0) for i in items) + adjustment
        if clamp and rubric is not None:
            raw = min(max(raw, 0.0), rubric.max_points)
        return round(raw, 6)

    def _rescore_item(self, item: RubricItem, grader: str) -> list[ScoreChange]:
        """Re-score every student who has ``item`` (after it changed or was deleted)."""
        students = [
            r[0]
            for r in self.db.execute(
                "SELECT student FROM manual_mark_items WHERE item_id = ?", (item.id,)
            ).fetchall()
        ]
        changes = []
        for student in students:
            mark = self._mark(student, item.question)
            score = self._raw_score(item.question, mark.items, mark.adjustment, clamp=True)
            change = self._store_score(student, item.question, score, f"rubric: {grader}")
            if change is not None:
                changes.append(change)
        return changes

    def _conflict_message(self, mark: Mark) -> str:
        last = self.hand_grading_log(mark.question, mark.student, limit=1)
        names = dict(
            self.db.execute(
                "SELECT id, description FROM rubric_items WHERE question = ?", (mark.question,)
            ).fetchall()
        )
        what = f" ({_describe(last[0], names)})" if last else ""
        return (
            f"{mark.updated_by or 'someone'} changed this answer at {mark.updated_at}{what};"
            " your change was not saved. The page now shows the current marks."
        )

    def _log(
        self, grader: str, question: str, student: str | None, action: str, detail: dict
    ) -> None:
        self.db.execute(
            "INSERT INTO hand_grading_log (at, grader, question, student, action, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (_now(), grader, question, student, action, json.dumps(detail, sort_keys=True)),
        )

    def _upsert_student(self, s: Submission) -> None:
        self.db.execute(
            "INSERT INTO students VALUES (?, ?, ?, ?, ?) ON CONFLICT(student) DO UPDATE SET"
            " name = coalesce(excluded.name, name), email = coalesce(excluded.email, email),"
            " lms_id = coalesce(excluded.lms_id, lms_id),"
            " sis_id = coalesce(excluded.sis_id, sis_id)",
            (s.student, s.name, s.email, s.lms_id, s.sis_id),
        )

    def _insert_submission(self, s: Submission, run_id: int) -> None:
        submitted = s.submitted_at.isoformat() if s.submitted_at else None
        self.db.execute(
            "INSERT OR IGNORE INTO submissions (student, origin, sha256, source_format,"
            " submitted_at, late, attempt, first_run) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                s.student,
                s.origin,
                s.sha256,
                s.source_format,
                submitted,
                int(s.late),
                s.attempt,
                run_id,
            ),
        )


def _check_scoring(scoring: str) -> None:
    if scoring not in SCORINGS:
        raise GradingError(f"scoring must be one of {', '.join(SCORINGS)}, not {scoring!r}")


def _check_item(points: float, description: str) -> str:
    import math

    if not isinstance(points, int | float) or not math.isfinite(points):
        raise GradingError(f"a rubric item's points must be a number, not {points!r}")
    description = str(description).strip()
    if not description:
        raise GradingError("a rubric item needs a description (the student sees it)")
    if len(description) > 2000:
        raise GradingError("a rubric item's description is limited to 2,000 characters")
    return description


def _describe(entry: LogEntry, names: dict[int, str]) -> str:
    """A log entry as a grader reads it: "applied 'Chain rule missing', edited the comment"."""
    bits = []
    for key in ("applied", "removed"):
        for item_id in entry.detail.get(key, []):
            bits.append(f"{key} '{names.get(item_id, f'item {item_id}')}'")
    if "comment" in entry.detail:
        bits.append("edited the comment")
    if "adjustment" in entry.detail:
        bits.append(f"set the adjustment to {entry.detail['adjustment']:+g}")
    if "score" in entry.detail:
        bits.append(f"set the score to {entry.detail['score']:g}")
    return ", ".join(bits) or entry.action


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")

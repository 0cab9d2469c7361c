"""Stage 4 of the pipeline: the gradebook, one SQLite file per output folder.

A result is keyed by (submission sha256, autograder sha256): regrading the same bytes with the
same zip is skipped, and a changed zip grades everything again. Every submission's rows are
written in one transaction (WAL journal, synchronous=FULL), so a run killed at any moment keeps
everything graded before and never half a submission.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .model import INVALID, SCORED, GradeResult, Rejected, Submission

SCHEMA_VERSION = 1
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


@dataclass(frozen=True)
class ScoreChange:
    student: str
    question: str
    old: float | None
    new: float


class Gradebook:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, isolation_level=None)  # explicit transactions only
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version not in (0, SCHEMA_VERSION):
            raise ValueError(
                f"{path}: gradebook schema {version}, this tool reads {SCHEMA_VERSION}"
            )
        self.db.executescript(SCHEMA)  # idempotent; executescript manages its own transaction
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
            self.db.execute(
                "DELETE FROM test_results WHERE sha256 = ? AND autograder_sha256 = ?", key
            )
            self.db.executemany(
                "INSERT INTO question_results VALUES (?, ?, ?, ?, ?)",
                [
                    (*key, q.name, q.score if result.status in SCORED else 0.0, q.possible)
                    for q in result.questions
                ],
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO test_results VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (*key, t.question, t.name, int(t.hidden), int(t.passed), t.message)
                    for t in result.tests
                ],
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
            " s.submitted_at, s.late, s.attempt, r.log_path, r.seconds, r.engine, r.isolation"
            " FROM submissions s JOIN results r ON r.sha256 = s.sha256"
            " WHERE r.autograder_sha256 = ? ORDER BY s.origin"
        )
        for row in self.db.execute(query, (autograder_sha256,)).fetchall():
            student, origin, sha, status, score, possible, reason, when, late, attempt = row[:10]
            log, seconds, engine, isolation = row[10:]
            questions = dict(
                self.db.execute(
                    "SELECT question, score FROM question_results"
                    " WHERE sha256 = ? AND autograder_sha256 = ?",
                    (sha, autograder_sha256),
                ).fetchall()
            )
            yield GradedRow(
                student, origin, sha, status, score, possible, reason, questions,
                datetime.fromisoformat(when) if when else None, bool(late), attempt, log,
                seconds, engine, isolation,
            )  # fmt: skip
        for origin, reason, student in self.db.execute(
            "SELECT origin, reason, student FROM rejected WHERE autograder_sha256 = ?"
            " ORDER BY origin",
            (autograder_sha256,),
        ).fetchall():
            yield GradedRow(student or "", origin, "", INVALID, 0.0, 0.0, reason, {})

    def latest_autograder(self) -> str:
        """The autograder of the most recent run: what exports and reports are about."""
        row = self.db.execute(
            "SELECT autograder_sha256 FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is None:
            raise ValueError(f"{self.path}: the gradebook holds no grading run yet")
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
        """Store hand-graded scores in one transaction; every change is kept in a history."""
        changes = []
        with self.transaction():
            for student, question, score in scores:
                row = self.db.execute(
                    "SELECT score FROM manual_scores WHERE student = ? AND question = ?",
                    (student, question),
                ).fetchone()
                old = row[0] if row else None
                if old == score:
                    continue
                self.db.execute(
                    "INSERT OR REPLACE INTO manual_scores VALUES (?, ?, ?, ?, ?)",
                    (student, question, score, _now(), source),
                )
                self.db.execute(
                    "INSERT INTO manual_score_changes (student, question, old_score, new_score,"
                    " changed_at, source) VALUES (?, ?, ?, ?, ?, ?)",
                    (student, question, old, score, _now(), source),
                )
                changes.append(ScoreChange(student, question, old, score))
        return changes

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


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")

"""The records that flow through the pipeline: ingest -> sandbox -> results -> gradebook."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Statuses of a graded submission.
GRADED = "graded"  # the autograder ran to the end; scores are meaningful
TIMEOUT = "timeout"  # the wall-clock limit was hit; scored 0
ERROR = "error"  # the autograder could not produce results (crash, bad notebook, ...); scored 0
INVALID = "invalid"  # the input is not a gradable submission (not a notebook, unsafe archive)
TAMPERED = "tampered"  # scored honestly, but the notebook tried to change grading: review it
MISSING = "missing"  # a roster student without a submission (exports and reports only)
SCORED = (GRADED, TAMPERED)  # the statuses whose per-question scores count


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Submission:
    """One student's notebook, found by ingest and ready to grade."""

    path: Path  # the notebook on disk (extracted to the run's folder if it came from an archive)
    origin: str  # where a person finds it: "bulk.zip!smithjane_123_456_derivatives.ipynb"
    student: str  # the best identifier found: LMS user id, Gradescope SID, or the file stem
    sha256: str  # of the notebook's bytes: with the autograder's hash, the key of a result
    source_format: str  # "notebook", "otter-export", "canvas" or "gradescope"
    name: str | None = None  # display name, when the source gives one
    email: str | None = None
    lms_id: str | None = None  # Canvas user id
    sis_id: str | None = None  # Gradescope SID / SIS id
    submitted_at: datetime | None = None
    late: bool = False
    attempt: int = 0  # Canvas resubmission number (the "-1" in "name-1.ipynb"), else 0


@dataclass(frozen=True)
class Rejected:
    """An input that is not a gradable submission, with the reason a person needs."""

    origin: str
    reason: str
    student: str | None = None


@dataclass(frozen=True)
class QuestionScore:
    name: str
    score: float
    possible: float


@dataclass(frozen=True)
class TestOutcome:
    __test__ = False  # not a pytest test class

    question: str
    name: str
    hidden: bool
    passed: bool
    message: str = ""


@dataclass
class GradeResult:
    """What grading one submission produced; read from the sandbox's results file only."""

    status: str
    engine: str  # "podman", "docker" or "local"
    isolation: str  # "container", or "weak" for the local engine
    questions: list[QuestionScore] = field(default_factory=list)
    tests: list[TestOutcome] = field(default_factory=list)
    reason: str = ""  # why it is not GRADED, for a person
    seconds: float = 0.0
    peak_memory_mb: float = 0.0  # largest process in the sandbox (runner or kernel)
    log: str = ""  # the sandbox's combined output, kept per submission

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions) if self.status in SCORED else 0.0

    @property
    def possible(self) -> float:
        return sum(q.possible for q in self.questions)

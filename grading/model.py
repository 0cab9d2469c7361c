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


# Otter's own log in an export zip: a pickle of the student's values that only ``otter run``
# reads (to check scores, or to grade from it with ``grade_from_log``).
OTTER_LOG = ".OTTER_LOG"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SubmittedFile:
    """A file the student handed in beside the notebook (a data file, a module they wrote)."""

    name: str  # its relative POSIX path in the submission folder: "data/points.csv"
    path: Path  # where it is on disk
    sha256: str


def submission_key(notebook_sha256: str, files: tuple[SubmittedFile, ...] = ()) -> str:
    """A submission's content hash: the notebook's own when it came alone, else one over the
    notebook and every file beside it (names included), so that a changed file regrades.

    Otter's log is left out: it changes with every export, the warm engine never reads it, and
    an export of a notebook alone keeps the key it had before files were kept.
    """
    keyed = sorted((f for f in files if f.name != OTTER_LOG), key=lambda f: f.name)
    if not keyed:
        return notebook_sha256
    digest = hashlib.sha256(notebook_sha256.encode())
    for item in keyed:
        digest.update(f"\0{item.name}\0{item.sha256}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Submission:
    """One student's notebook (or Python script), found by ingest and ready to grade."""

    path: Path  # the notebook on disk (extracted to the run's folder if it came from an archive)
    origin: str  # where a person finds it: "bulk.zip!smithjane_123_456_derivatives.ipynb"
    student: str  # the best identifier found: LMS user id, Gradescope SID, or the file stem
    sha256: str  # ``submission_key``: with the autograder's hash, the key of a result
    source_format: str  # "notebook", "otter-export", "canvas" or "gradescope"
    name: str | None = None  # display name, when the source gives one
    email: str | None = None
    lms_id: str | None = None  # Canvas user id, Moodle participant id
    sis_id: str | None = None  # Gradescope SID / SIS id
    submitted_at: datetime | None = None
    late: bool = False
    attempt: int = 0  # Canvas resubmission number (the "-1" in "name-1.ipynb"), else 0
    files: tuple[SubmittedFile, ...] = ()  # handed in beside the notebook, in the same folder

    @property
    def is_script(self) -> bool:
        """A Python script, which Otter grades as a notebook of one cell."""
        return self.path.suffix.lower() == ".py"


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
    note: str = ""  # the instructor's success_message or failure_message for this outcome


@dataclass(frozen=True)
class StoppedCell:
    """A cell one of this tool's limits stopped (``otter run`` has no per-cell limit)."""

    cell: int | None  # the submitted notebook's cell, counted from 0 (None: a cell Otter adds)
    limit: str  # what stopped it: "the 60 s time limit of a cell", "the memory limit", ...

    def describe(self) -> str:
        """For a person: "cell 12 was stopped by the 60 s time limit of a cell"."""
        where = "a cell Otter adds" if self.cell is None else f"cell {self.cell}"
        joint = " by " if "limit" in self.limit else ": "
        return f"{where} was stopped{joint}{self.limit}"


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
    # question -> type names of live objects of the student process its test used: what those
    # returned was computed in the student process, not on copies of the student's data
    live: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # question -> type names of the test's own objects that could not reach the student's code:
    # that question's score may differ from ``otter run``'s
    unfaithful: dict[str, tuple[str, ...]] = field(default_factory=dict)
    stopped: list[StoppedCell] = field(default_factory=list)  # cells stopped by a limit
    # cell id -> nbformat v4 outputs of that hand-graded cell in the grading run (checked and
    # bounded: ``grading.sandbox.worker.outputs``); cells not run or not kept are absent
    outputs: dict[str, list[dict]] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions) if self.status in SCORED else 0.0

    @property
    def possible(self) -> float:
        return sum(q.possible for q in self.questions)
